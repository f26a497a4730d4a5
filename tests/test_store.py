"""The progress database: answers, cards, undo, the due queue, statistics, and refusing files it must not touch."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tutor.model import GradeResult, Rating, Verdict
from tutor.scheduling import LEARNING, RELEARNING, REVIEW, CardState, schedule
from tutor.store import DB_NAME, SCHEMA_VERSION, Store, StoreError

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2024, 3, 10, 9, 0, tzinfo=timezone.utc)
MIN = timedelta(minutes=1)
DAY = timedelta(days=1)
VERDICT_RATING = {Verdict.CORRECT: Rating.GOOD, Verdict.PARTIAL: Rating.HARD, Verdict.INCORRECT: Rating.AGAIN}


def grade(verdict: Verdict = Verdict.CORRECT) -> GradeResult:
    return GradeResult(score={"correct": 1.0, "partial": 0.5, "incorrect": 0.0}[verdict.value], verdict=verdict,
                       rating=VERDICT_RATING[verdict], missed=("gates",), reason="test")


def answer(store: Store, qid: str, rating: Rating, now: datetime, **kw) -> int:
    """Record an answer rated `rating` (the grader's suggestion agreeing), fuzz off."""
    verdict = {Rating.AGAIN: Verdict.INCORRECT, Rating.HARD: Verdict.PARTIAL}.get(rating, Verdict.CORRECT)
    kw.setdefault("fuzz", False)
    return store.record(qid, f"hash-{qid}", f"answer to {qid}", grade(verdict), rating, rating, 4.5, now, **kw)


def dump(home: Path) -> dict[str, list[tuple]]:
    """Both tables, every column, through a separate connection."""
    with sqlite3.connect(home / DB_NAME) as db:
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("cards", "reviews")}


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def store(home):
    with Store.open(home) as s:
        yield s


# --- opening and migrations ----------------------------------------------------------------------


def test_first_open_creates_the_folder_and_records_migrations(home):
    assert not home.exists()
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    with Store.open(home) as store:
        applied = store.migrations()
    assert [(n, name) for n, name, _ in applied] == [(1, "_m001_cards_and_reviews")]
    assert len(applied) == SCHEMA_VERSION
    assert before <= datetime.fromisoformat(applied[0][2]) <= datetime.now(timezone.utc)
    with sqlite3.connect(home / DB_NAME) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Store.open(home) as store:  # reopening applies nothing twice
        assert store.migrations() == applied


# --- answers and cards ---------------------------------------------------------------------------


def test_record_creates_a_card_and_a_review(store, home):
    rid = store.record("lstm-gates", "h1", "three gates", grade(Verdict.PARTIAL), Rating.HARD, Rating.GOOD, 12.5,
                       T0, fuzz=False)
    assert rid == 1
    card = store.card("lstm-gates")
    assert card == schedule(None, Rating.GOOD, T0, card_id=1, fuzz=False)
    assert (card.state, card.due, card.reps) == (LEARNING, T0 + 10 * MIN, 1)
    assert store.cards() == {"lstm-gates": card}
    assert store.card("unknown") is None
    assert store.due(T0 + 10 * MIN, 10) == [("lstm-gates", T0 + 10 * MIN)]
    assert store.due(T0 + 9 * MIN, 10) == []
    assert store.seen() == {"lstm-gates"}
    assert store.last_hash("lstm-gates") == "h1" and store.last_hash("unknown") is None
    assert store.totals() == {"reviews": 1, "seen": 1, "correct": 0, "partial": 1, "incorrect": 0}
    (review,) = dump(home)["reviews"]
    assert review[1:12] == ("lstm-gates", "h1", "three gates",
                            review[4], "partial", 0.5, 2, 3, 1, 12.5, "2024-03-10T09:00:00.000000Z")
    assert '"verdict": "partial"' in review[4]
    assert review[12:] == (1, None, None, "quiz")  # scheduled, no card before, mode


def test_a_rating_history_is_scheduled_like_fsrs(store):
    now, expected = T0, None
    for rating in (Rating.GOOD, Rating.GOOD, Rating.GOOD, Rating.AGAIN, Rating.GOOD):
        answer(store, "q", rating, now)
        expected = schedule(expected, rating, now, card_id=1, fuzz=False)
        assert store.card("q") == expected
        now = expected.due
    assert (expected.state, expected.reps, expected.lapses) == (REVIEW, 5, 1)


def test_each_question_gets_its_own_card_id(store, home):
    for qid in ("a", "b", "c"):
        answer(store, qid, Rating.GOOD, T0)
    with sqlite3.connect(home / DB_NAME) as db:
        assert db.execute("SELECT question_id, card_id FROM cards ORDER BY card_id").fetchall() == [
            ("a", 1), ("b", 2), ("c", 3)]


def test_cram_stores_the_answer_but_leaves_the_card_alone(store, home):
    answer(store, "q", Rating.GOOD, T0)
    card = store.card("q")
    answer(store, "q", Rating.AGAIN, T0 + 5 * MIN, mode="cram", scheduled=False)
    answer(store, "new", Rating.GOOD, T0 + 6 * MIN, mode="cram", scheduled=False)
    assert store.card("q") == card
    assert store.card("new") is None and store.seen() == {"q"}
    assert store.totals()["reviews"] == 3
    assert store.count_since(T0, mode="cram") == 2
    assert store.question_ids() == {"q", "new"}
    assert store.last_hash("new") == "hash-new"


def test_a_naive_datetime_is_refused(store):
    with pytest.raises(ValueError, match="timezone-aware"):
        answer(store, "q", Rating.GOOD, datetime(2024, 3, 10, 9, 0))
    with pytest.raises(ValueError):
        store.due(datetime(2024, 3, 10), 10)
    assert store.totals()["reviews"] == 0


def test_an_interrupted_record_writes_nothing(store, home, monkeypatch):
    answer(store, "q", Rating.GOOD, T0)
    before = dump(home)
    monkeypatch.setattr("tutor.store.schedule", lambda *a, **kw: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):  # Ctrl-C after the review row was inserted
        answer(store, "q", Rating.GOOD, T0 + 10 * MIN)
    assert dump(home) == before
    monkeypatch.undo()
    answer(store, "q", Rating.GOOD, T0 + 10 * MIN)  # and the store is still usable
    assert store.card("q").reps == 2


# --- undo ----------------------------------------------------------------------------------------


def test_undo_restores_both_tables_exactly(store, home):
    answer(store, "q", Rating.GOOD, T0)
    answer(store, "q", Rating.GOOD, T0 + 10 * MIN)
    answer(store, "other", Rating.HARD, T0 + 11 * MIN)
    before = dump(home)
    rid = answer(store, "q", Rating.AGAIN, T0 + 3 * DAY)
    assert store.card("q").lapses == 1 and dump(home) != before
    assert store.undo(rid) is True
    assert dump(home) == before


def test_undo_of_a_first_answer_removes_the_card(store, home):
    answer(store, "a", Rating.GOOD, T0)
    before = dump(home)
    rid = answer(store, "q", Rating.EASY, T0 + MIN)
    assert store.undo(rid) is True
    assert dump(home) == before and store.card("q") is None and "q" not in store.seen()
    assert store.count_since(T0, new_only=True) == 1


def test_undo_of_a_cram_answer_keeps_the_card(store, home):
    answer(store, "q", Rating.GOOD, T0)
    before = dump(home)
    rid = answer(store, "q", Rating.AGAIN, T0 + MIN, scheduled=False, mode="cram")
    assert store.undo(rid) is True
    assert dump(home) == before


def test_undo_is_refused_for_anything_but_the_latest_answer_to_a_question(store, home):
    first = answer(store, "q", Rating.GOOD, T0)
    answer(store, "q", Rating.GOOD, T0 + 10 * MIN)
    latest_other = answer(store, "other", Rating.GOOD, T0 + 11 * MIN)
    before = dump(home)
    assert store.undo(first) is False
    assert store.undo(999) is False
    assert dump(home) == before
    assert store.undo(latest_other) is True  # the latest for its question, though not the newest overall


def test_review_ids_are_never_reused_after_undo(store):
    rid = answer(store, "q", Rating.GOOD, T0)
    store.undo(rid)
    assert answer(store, "q", Rating.GOOD, T0) == rid + 1


# --- the due queue -------------------------------------------------------------------------------


def test_due_queue_is_most_overdue_first_and_limited(store):
    # Again on a new card: due 1 minute later; Good: 10 minutes later.
    answer(store, "late", Rating.GOOD, T0)  # due T0+10
    answer(store, "later", Rating.AGAIN, T0 + 30 * MIN)  # due T0+31
    answer(store, "oldest", Rating.AGAIN, T0 - 2 * DAY)  # due T0-2d+1
    answer(store, "future", Rating.EASY, T0)  # due days ahead
    now = T0 + 40 * MIN
    assert store.due(now, 10) == [
        ("oldest", T0 - 2 * DAY + MIN), ("late", T0 + 10 * MIN), ("later", T0 + 31 * MIN)]
    assert [qid for qid, _ in store.due(now, 2)] == ["oldest", "late"]
    assert store.due(T0 - 3 * DAY, 10) == []
    assert store.next_due(now) == store.card("future").due
    assert store.next_due(T0 + 10 * MIN) == T0 + 31 * MIN  # strictly after
    assert store.next_due(T0 + 100 * DAY) is None


def test_count_since_for_daily_limits(store):
    yesterday, today = T0 - DAY, T0
    midnight = datetime(2024, 3, 10, tzinfo=timezone.utc)
    answer(store, "old", Rating.GOOD, yesterday)
    answer(store, "old", Rating.GOOD, today)  # a review, not new
    answer(store, "a", Rating.AGAIN, today + MIN)  # new today
    answer(store, "a", Rating.GOOD, today + 2 * MIN)  # a review of a card first seen today
    answer(store, "b", Rating.GOOD, today + 3 * MIN, mode="cram", scheduled=False)  # cram: never new
    answer(store, "c", Rating.GOOD, today + 4 * MIN, mode="review")  # new today
    assert store.count_since(midnight) == 5
    assert store.count_since(midnight, new_only=True) == 2
    assert store.count_since(midnight, mode="quiz") == 3
    assert store.count_since(midnight, mode="review", new_only=True) == 1
    assert store.count_since(yesterday - DAY) == 6
    assert store.count_since(today + 3 * MIN) == 2  # inclusive lower bound


# --- statistics ----------------------------------------------------------------------------------


def test_streak_and_answers_per_day(store):
    today = date(2024, 3, 10)
    at = lambda d, h=12: datetime(d.year, d.month, d.day, h, tzinfo=timezone.utc)  # noqa: E731
    assert store.streak(today) == 0
    answer(store, "a", Rating.GOOD, at(today - 5 * DAY))  # before a gap
    for days_ago, count in ((3, 1), (2, 2), (1, 1)):
        for n in range(count):
            answer(store, f"q{days_ago}-{n}", Rating.GOOD, at(today - days_ago * DAY, 8 + n))
    assert store.streak(today) == 3  # nothing yet today: the streak up to yesterday still counts
    assert store.streak(today + DAY) == 0  # a day without answers (the 10th) broke it
    answer(store, "b", Rating.GOOD, at(today, 0))
    assert store.streak(today) == 4
    assert store.streak(today + DAY) == 4  # tomorrow, before answering: still alive
    assert store.streak(today + 2 * DAY) == 0
    since = at(today - 3 * DAY, 0)
    assert store.answers_per_day(since) == {
        today - 3 * DAY: 1, today - 2 * DAY: 2, today - DAY: 1, today: 1}
    assert store.answers_per_day(at(today + DAY, 0)) == {}


def test_due_forecast_by_utc_day(store):
    now = datetime(2024, 3, 10, 12, 0, tzinfo=timezone.utc)
    answer(store, "overdue", Rating.GOOD, now - 3 * DAY)  # due 3 days ago: counted today
    answer(store, "today", Rating.GOOD, now + 11 * 60 * MIN)  # due 23:10 today
    answer(store, "in-2-days", Rating.GOOD, now)
    answer(store, "in-2-days", Rating.GOOD, now + 10 * MIN)  # graduates: +2 days
    answer(store, "tomorrow", Rating.AGAIN, now + 11 * 60 * MIN + 59 * MIN + 30 * MIN / 60)  # 23:59:30 + 1 min
    assert store.card("in-2-days").due == now + 2 * DAY + 10 * MIN
    assert store.due_forecast(now, 4) == [2, 1, 1, 0]
    assert store.due_forecast(now, 1) == [2]


def test_leeches_and_retention(store):
    now = T0
    for rating in [Rating.GOOD, Rating.GOOD] + [Rating.AGAIN, Rating.GOOD] * 8:
        answer(store, "leech", rating, now)
        now = store.card("leech").due
    answer(store, "fine", Rating.GOOD, T0)
    card = store.card("leech")
    assert (card.lapses, card.state) == (8, REVIEW)
    assert store.leeches() == ["leech"]
    assert store.leeches(min_lapses=9) == []
    assert store.leeches(min_lapses=0) == ["leech", "fine"]
    # Only answers given in Review state count: the 8 Agains (failed); the Goods after them were
    # given in Relearning, the first two in Learning.
    assert store.retention(T0) == (0, 8)
    answer(store, "leech", Rating.HARD, card.due)  # a passed review
    answer(store, "leech", Rating.AGAIN, card.due + MIN, mode="cram", scheduled=False)  # cram: ignored
    assert store.retention(T0) == (1, 9)
    assert store.retention(card.due) == (1, 1)
    assert store.card("leech").state == REVIEW


def test_totals_and_question_ids(store):
    answer(store, "a", Rating.GOOD, T0)
    answer(store, "a", Rating.AGAIN, T0 + MIN)
    answer(store, "b", Rating.HARD, T0 + 2 * MIN)
    answer(store, "c", Rating.GOOD, T0 + 3 * MIN, scheduled=False, mode="cram")
    assert store.totals() == {"reviews": 4, "seen": 2, "correct": 2, "partial": 1, "incorrect": 1}
    assert store.question_ids() == {"a", "b", "c"}
    assert store.seen() == {"a", "b"}


# --- files it must not touch ---------------------------------------------------------------------


def _random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(8192))


def _damaged_sqlite(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    data = path.read_bytes()
    path.write_bytes(data[:100] + os.urandom(len(data) - 100))


def _foreign_sqlite(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    db.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    db.commit()
    db.close()


def _foreign_wal_sqlite(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE notes (body TEXT)")
    db.commit()
    db.close()


def _newer_user_version(path: Path) -> None:
    Store.open(path.parent).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()


def _newer_migration(path: Path) -> None:
    Store.open(path.parent).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO migrations VALUES (?, 'future', '2030-01-01T00:00:00.000000Z')", (SCHEMA_VERSION + 1,))
    db.close()


NOT_OURS = "is not a tutor database"
UNTOUCHED = "it was left untouched; move it away or set TUTOR_HOME"
NEWER = (f"was written by a newer version of tutor (schema {SCHEMA_VERSION + 1}, this one knows {SCHEMA_VERSION});"
         " upgrade tutor")


@pytest.mark.parametrize("make, message", [
    (_random_bytes, f"{NOT_OURS} (damaged or another program's file); {UNTOUCHED}"),
    (_damaged_sqlite, f"{NOT_OURS} (damaged or another program's file); {UNTOUCHED}"),
    (_foreign_sqlite, f"{NOT_OURS} (another program's SQLite file, tables: moz_places); {UNTOUCHED}"),
    (_foreign_wal_sqlite, f"{NOT_OURS} (another program's SQLite file, tables: notes); {UNTOUCHED}"),
    (_newer_user_version, NEWER),
    (_newer_migration, NEWER),
], ids=["random-bytes", "damaged-sqlite", "foreign-sqlite", "foreign-wal-sqlite", "newer-user-version",
        "newer-migration"])
def test_a_file_that_is_not_ours_is_refused_and_left_untouched(home, make, message):
    home.mkdir()
    path = home / DB_NAME
    make(path)
    files_before = sorted(os.listdir(home))
    data = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store.open(home)
    assert str(caught.value) == f"{path} {message}"
    assert "\n" not in str(caught.value)
    assert path.read_bytes() == data
    assert sorted(os.listdir(home)) == files_before  # no -wal or -journal left beside it


def test_an_empty_file_is_a_new_database(home):
    home.mkdir()
    (home / DB_NAME).touch()
    with Store.open(home) as store:
        assert store.totals()["reviews"] == 0


def test_a_data_folder_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match=r"^cannot create the data folder .*a-file/home: .*; set TUTOR_HOME"):
        Store.open(blocker / "home")
    assert blocker.read_text() == "not a folder"


def test_a_data_folder_that_is_a_file(tmp_path):
    blocker = tmp_path / "home"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create the data folder"):
        Store.open(blocker)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes to read-only folders anyway")
def test_a_read_only_data_folder(home):
    home.mkdir()
    home.chmod(0o555)
    try:
        with pytest.raises(StoreError, match="is not writable; fix its permissions or set TUTOR_HOME"):
            Store.open(home)
    finally:
        home.chmod(0o755)
    assert os.listdir(home) == []


def test_a_database_locked_beyond_the_timeout(home):
    Store.open(home).close()
    blocker = sqlite3.connect(home / DB_NAME, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with Store.open(home, timeout=0.2) as store:
            started = time.monotonic()
            with pytest.raises(StoreError, match=r"is locked by another program \(waited 0.2 s\)"):
                answer(store, "q", Rating.GOOD, T0)
            assert time.monotonic() - started >= 0.15
            assert store.due(T0 + DAY, 10) == []  # reading still works while another writes
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    with Store.open(home) as store:  # and nothing was half-written
        assert store.totals()["reviews"] == 0


# --- two processes at once -----------------------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys, time
    from datetime import datetime, timezone
    from pathlib import Path
    from tutor.model import GradeResult, Rating, Verdict
    from tutor.store import Store

    home, go, tag = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    grade = GradeResult(score=1.0, verdict=Verdict.CORRECT, rating=Rating.GOOD)
    while not go.exists():
        time.sleep(0.002)
    with Store.open(home) as store:
        for i in range(50):
            rating = Rating(1 + i % 4)
            store.record(f"q{i % 5}", "h", f"{tag}-{i}", grade, Rating.GOOD, rating, 1.0,
                         datetime.now(timezone.utc), scheduled=i % 7 != 6)
""")


def test_two_processes_recording_at_once_lose_nothing(home, tmp_path):
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(home), str(go), tag], cwd=ROOT, env=env,
                                stderr=subprocess.PIPE, text=True) for tag in ("a", "b")]
    time.sleep(0.3)  # both started and waiting: they also race to create the database
    go.touch()
    for writer in writers:
        assert writer.wait(timeout=120) == 0, writer.stderr.read()
    with sqlite3.connect(home / DB_NAME) as db:
        answers = [a for (a,) in db.execute("SELECT answer FROM reviews")]
        scheduled = dict(db.execute("SELECT question_id, count(*) FROM reviews WHERE scheduled GROUP BY 1"))
        reps = dict(db.execute("SELECT question_id, reps FROM cards"))
        card_ids = [c for (c,) in db.execute("SELECT card_id FROM cards")]
        migrations = db.execute("SELECT number FROM migrations").fetchall()
    assert len(answers) == 100
    assert sorted(answers) == sorted(f"{tag}-{i}" for tag in "ab" for i in range(50))
    assert reps == scheduled and len(reps) == 5
    assert len(set(card_ids)) == 5
    assert migrations == [(n,) for n in range(1, SCHEMA_VERSION + 1)]


def test_store_is_consistent_with_its_card_states(store):
    """card_before in each review is the card as it was: replaying the log rebuilds the card."""
    now = T0
    for rating in (Rating.GOOD, Rating.HARD, Rating.AGAIN, Rating.EASY):
        answer(store, "q", rating, now)
        now = store.card("q").due
    with sqlite3.connect(store.path) as db:
        rows = db.execute("SELECT card_before, rating, reviewed_at FROM reviews ORDER BY id").fetchall()
    rebuilt = None
    for card_before, rating, reviewed_at in rows:
        assert (CardState.from_dict(json.loads(card_before)) if card_before else None) == rebuilt
        rebuilt = schedule(rebuilt, Rating(rating), datetime.fromisoformat(reviewed_at), card_id=1, fuzz=False)
    assert rebuilt == store.card("q")
    assert rebuilt.state in (LEARNING, REVIEW, RELEARNING)
