"""The quiz and review loop through a scripted terminal: recording, commands, limits, relearning, undo."""

from datetime import datetime, timedelta, timezone

import pytest

from tutor.model import Concept, Question, Rating, Verdict
from tutor.session import Session, review_queue, start_of_day
from tutor.store import Store

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


def question(n: int, text: str = "What is alpha?") -> Question:
    return Question(id=f"q{n}", topic="t", text=text, answer="alpha, bravo and charlie",
                    concepts=(Concept("alpha", ("alpha",)), Concept("bravo", ("bravo",)), Concept("charlie", ("charlie",))),
                    content_hash=f"hash-{text}")


class Script:
    """A terminal that types the given answers and ratings, and records what it was shown."""

    def __init__(self, answers, ratings=()):
        self.answers, self.ratings = list(answers), list(ratings)
        self.asked, self.notices, self.feedback = [], [], []

    def ask(self, q, position, total, edited):
        self.asked.append((q.id, position, total, edited))

    def read_answer(self):
        if not self.answers:
            return None
        answer = self.answers.pop(0)
        if answer is KeyboardInterrupt:
            raise KeyboardInterrupt
        return answer

    def show_feedback(self, q, result):
        self.feedback.append((q.id, result.verdict))

    def read_rating(self, suggested):
        return self.ratings.pop(0) if self.ratings else suggested

    def notice(self, text):
        self.notices.append(text)


class Clock:
    def __init__(self, start=NOW):
        self.now = start

    def __call__(self):
        return self.now


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "home") as s:
        yield s


def reviews(store):
    return store._all("SELECT question_id, answer, verdict, suggested, rating, overridden, mode FROM reviews ORDER BY id")


def test_each_answer_is_graded_recorded_and_summarised(store):
    term = Script(["alpha bravo charlie", "alpha", "zulu"], ratings=[Rating.EASY])
    summary = Session(store, term, [question(1), question(2), question(3)], now=Clock()).run()
    assert [(o.question.id, o.result.verdict, o.rating) for o in summary.outcomes] == [
        ("q1", Verdict.CORRECT, Rating.EASY), ("q2", Verdict.PARTIAL, Rating.HARD), ("q3", Verdict.INCORRECT, Rating.AGAIN)]
    assert reviews(store) == [("q1", "alpha bravo charlie", "correct", 3, 4, 1, "quiz"),
                              ("q2", "alpha", "partial", 2, 2, 0, "quiz"),
                              ("q3", "zulu", "incorrect", 1, 1, 0, "quiz")]
    assert [a[:3] for a in term.asked] == [("q1", 1, 3), ("q2", 2, 3), ("q3", 3, 3)]


def test_skip_hint_and_quit(store):
    term = Script(["skip", "hint", "hint", "hint", "hint", "alpha", "quit"])
    summary = Session(store, term, [question(1), question(2), question(3)], now=Clock()).run()
    assert [(o.question.id, o.result is None) for o in summary.outcomes] == [("q1", True), ("q2", False)]
    assert term.notices == ["Hint: a good answer mentions alpha.", "Hint: a good answer mentions bravo.",
                            "Hint: a good answer mentions charlie.", "No more hints: that was every key idea."]
    assert [r[0] for r in reviews(store)] == ["q2"]
    assert not summary.interrupted


def test_ctrl_c_keeps_what_was_answered_and_nothing_else(store):
    term = Script(["alpha bravo charlie", KeyboardInterrupt])
    summary = Session(store, term, [question(1), question(2)], now=Clock()).run()
    assert summary.interrupted
    assert [r[0] for r in reviews(store)] == ["q1"]


def test_end_of_input_ends_cleanly(store):
    summary = Session(store, Script(["alpha"]), [question(1), question(2)], now=Clock()).run()
    assert not summary.interrupted and len(summary.answered) == 1


def test_undo_reverts_the_last_answer_in_both_tables_and_asks_again(store):
    session = Session(store, Script(["alpha bravo charlie"]), [question(1)], now=Clock())
    session.run()
    before = (store._all("SELECT * FROM reviews"), store._all("SELECT * FROM cards"))
    term = Script(["zulu", "undo", "alpha bravo charlie", "quit"])
    summary = Session(store, term, [question(2), question(3)], now=Clock()).run()
    assert "Undone: your answer to q2 and its rating. Asking it again." in term.notices
    assert [a[0] for a in term.asked] == ["q2", "q3", "q2", "q3"]
    assert [(o.question.id, o.result.verdict) for o in summary.outcomes] == [("q2", Verdict.CORRECT)]
    store.undo(summary.outcomes[0].review_id)
    assert (store._all("SELECT * FROM reviews"), store._all("SELECT * FROM cards")) == before


def test_undo_with_nothing_to_undo_says_so(store):
    term = Script(["undo", "alpha"])
    Session(store, term, [question(1)], now=Clock()).run()
    assert term.notices == ["Nothing to undo in this session."]
    assert [r[0] for r in reviews(store)] == ["q1"]


def test_edited_question_is_flagged_and_keeps_its_schedule(store):
    Session(store, Script(["alpha bravo charlie"]), [question(1, "What is alpha?")], now=Clock()).run()
    card = store.card("q1")
    term = Script(["alpha bravo charlie"])
    Session(store, term, [question(1, "What is alpha, really?")], now=Clock(NOW + timedelta(days=1))).run()
    assert term.asked[0][3] is True
    assert store.card("q1").reps == card.reps + 1


def test_a_failed_question_comes_back_in_the_same_review_session(store):
    clock = Clock()
    term = Script(["zulu", "alpha bravo charlie", "alpha bravo charlie"])
    session = Session(store, term, [question(1), question(2)], mode="review", relearn=True, now=clock)
    summary = session.run()
    assert [a[0] for a in term.asked] == ["q1", "q2", "q1"]  # q1 failed: back after its learning step
    assert [o.result.verdict for o in summary.outcomes] == [Verdict.INCORRECT, Verdict.CORRECT, Verdict.CORRECT]


def test_cram_records_answers_but_leaves_the_schedule_alone(store):
    Session(store, Script(["alpha bravo charlie"]), [question(1)], now=Clock()).run()
    card = store.card("q1")
    Session(store, Script(["zulu"]), [question(1)], mode="cram", now=Clock(NOW + timedelta(hours=1))).run()
    assert store.card("q1") == card
    assert [r[6] for r in reviews(store)] == ["quiz", "cram"]


def test_review_queue_puts_due_first_then_new_within_daily_limits(store):
    questions = [question(n) for n in range(1, 7)]
    for n in (1, 2, 3):  # seen yesterday, each due at a different time today
        store.record(f"q{n}", "h", "a", _grade(), Rating.GOOD, Rating.GOOD, 1.0, NOW - timedelta(days=3, hours=n),
                     mode="quiz", fuzz=False)
    due = [qid for qid, _ in store.due(NOW + timedelta(days=30), 10)]
    queue = review_queue(questions, store, NOW + timedelta(days=30), new_limit=2, review_limit=2)
    assert [q.id for q in queue] == due[:2] + ["q4", "q5"]
    assert review_queue(questions, store, NOW + timedelta(days=30), new_limit=0, review_limit=0) == []


def test_new_questions_answered_today_count_against_the_new_limit(store):
    questions = [question(n) for n in range(1, 5)]
    Session(store, Script(["alpha", "alpha"]), questions[:2], mode="review", now=Clock()).run()
    queue = review_queue(questions, store, NOW + timedelta(minutes=1), new_limit=3, review_limit=100)
    assert [q.id for q in queue if q.id in ("q3", "q4")] == ["q3"]


def test_start_of_day_is_local_midnight():
    start = start_of_day(NOW)
    assert start <= NOW < start + timedelta(days=1)
    assert start.astimezone().hour == 0


def _grade():
    from tutor.grading import grade

    return grade("alpha bravo charlie", question(0))
