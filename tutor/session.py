"""The quiz and review loop, against an injected terminal: choose questions, grade, record, undo.

Nothing here draws or reads the screen itself: a `Terminal` does (a real one in the CLI, a scripted
one in tests). Each answer is committed by the store the moment its rating is known, so an interrupt
or a crash loses at most the answer being typed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Protocol

from tutor.grading import grade
from tutor.model import GradeResult, Question, Rating, Verdict
from tutor.scheduling import LEARNING, RELEARNING

LEARN_AHEAD = timedelta(minutes=20)  # a failed card due within this comes back in the same session
COMMANDS = ("skip", "hint", "quit", "undo")


class Terminal(Protocol):
    """What a session needs from a screen and keyboard."""

    def ask(self, question: Question, position: int, total: int, edited: bool) -> None: ...
    def read_answer(self) -> str | None: ...  # None at end of input; Ctrl-C raises KeyboardInterrupt
    def show_feedback(self, question: Question, result: GradeResult) -> None: ...
    def read_rating(self, suggested: Rating) -> Rating: ...
    def notice(self, text: str) -> None: ...


@dataclass
class Outcome:
    question: Question
    result: GradeResult | None  # None when skipped
    rating: Rating | None = None
    review_id: int | None = None


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)
    interrupted: bool = False

    @property
    def answered(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.result is not None]

    def count(self, verdict: Verdict) -> int:
        return sum(1 for o in self.answered if o.result.verdict is verdict)


@dataclass
class Session:
    """One sitting: a queue of questions, answered one by one and recorded in the store."""

    store: object  # tutor.store.Store
    terminal: Terminal
    queue: list[Question]
    mode: str = "quiz"  # quiz | review | cram
    relearn: bool = False  # bring failed questions back after their learning step
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
    clock: Callable[[], float] = time.monotonic
    on_record: Callable[[Outcome], None] | None = None
    summary: Summary = field(default_factory=Summary)
    _learning: list[tuple[datetime, Question]] = field(default_factory=list)
    _undo: list[Outcome] = field(default_factory=list)

    def run(self) -> Summary:
        """Ask until the queue is empty, the learner quits, input ends or Ctrl-C is pressed."""
        try:
            while (question := self._next()) is not None:
                if not self._ask(question):
                    break
        except KeyboardInterrupt:
            self.summary.interrupted = True
        return self.summary

    def _next(self) -> Question | None:
        now = self.now()
        self._learning.sort(key=lambda item: item[0])
        if self._learning and (self._learning[0][0] <= now or not self.queue):
            if self._learning[0][0] <= now + LEARN_AHEAD:
                return self._learning.pop(0)[1]
        return self.queue.pop(0) if self.queue else None

    def _ask(self, question: Question) -> bool:
        """Ask one question; False when the session should end."""
        edited = self._edited(question)
        total = len(self.summary.outcomes) + 1 + len(self.queue) + len(self._learning)
        self.terminal.ask(question, len(self.summary.outcomes) + 1, total, edited)
        started, hints = self.clock(), 0
        while True:
            answer = self.terminal.read_answer()
            if answer is None:
                return False
            command = answer.strip().lower()
            if command == "quit":
                return False
            if command == "skip":
                self.summary.outcomes.append(Outcome(question, None))
                return True
            if command == "hint":
                self.terminal.notice(self._hint(question, hints))
                hints += 1
                continue
            if command == "undo":
                self._undo_last(question)
                return True
            break
        result = grade(answer, question)
        self.terminal.show_feedback(question, result)
        try:
            rating = self.terminal.read_rating(result.rating)
        except KeyboardInterrupt:
            self._record(question, answer, result, result.rating, self.clock() - started)
            raise  # the learner saw the grade: keep the answer with the suggested rating
        self._record(question, answer, result, rating, self.clock() - started)
        return True

    def _record(self, question: Question, answer: str, result: GradeResult, rating: Rating, seconds: float) -> None:
        now = self.now()
        review_id = self.store.record(question.id, question.content_hash, answer, result, result.rating, rating,
                                      seconds, now, mode=self.mode, scheduled=self.mode != "cram")
        outcome = Outcome(question, result, rating, review_id)
        self.summary.outcomes.append(outcome)
        self._undo.append(outcome)
        if self.on_record:
            self.on_record(outcome)
        if self.relearn and rating is Rating.AGAIN:
            card = self.store.card(question.id)
            if card is not None and card.state in (LEARNING, RELEARNING) and card.due <= now + LEARN_AHEAD:
                self._learning.append((card.due, question))

    def _undo_last(self, current: Question) -> None:
        if not self._undo:
            self.terminal.notice("Nothing to undo in this session.")
            self.queue.insert(0, current)
            return
        last = self._undo[-1]
        if not self.store.undo(last.review_id):
            self.terminal.notice("Cannot undo: that question was answered again elsewhere since.")
            self.queue.insert(0, current)
            return
        self._undo.pop()
        self.summary.outcomes.remove(last)
        self._learning = [(due, q) for due, q in self._learning if q.id != last.question.id]
        self.queue[:0] = [last.question, current]
        self.terminal.notice(f"Undone: your answer to {last.question.id} and its rating. Asking it again.")

    def _edited(self, question: Question) -> bool:
        last = self.store.last_hash(question.id)
        return last is not None and last != question.content_hash

    def _hint(self, question: Question, given: int) -> str:
        """Each `hint` names the next key idea, most important first."""
        ideas = sorted(question.concepts, key=lambda c: (not c.required, -c.weight))
        if given >= len(ideas):
            return "No more hints: that was every key idea."
        return f"Hint: a good answer mentions {ideas[given].name}."


def pick(questions: list[Question], topic: str | None = None, tag: str | None = None,
         difficulty: int | None = None) -> list[Question]:
    """The questions matching the filters, in learning order."""
    return [q for q in questions if (topic is None or q.topic == topic) and (tag is None or tag in q.tags)
            and (difficulty is None or q.difficulty == difficulty)]


def quiz_queue(questions: list[Question], count: int, seed: int | None) -> list[Question]:
    """`count` questions in a random order (the same order for the same seed)."""
    chosen = list(questions)
    random.Random(seed).shuffle(chosen)
    return chosen[:count]


def start_of_day(now: datetime) -> datetime:
    """Local midnight of `now`'s day, in UTC: daily limits reset at the learner's midnight."""
    local = now.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(timezone.utc)


def review_queue(questions: list[Question], store, now: datetime, new_limit: int, review_limit: int) -> list[Question]:
    """Due questions (most overdue first) within the day's review limit, then unseen ones within the new limit."""
    by_id = {q.id: q for q in questions}
    today = start_of_day(now)
    new_today = store.count_since(today, mode="review", new_only=True)
    reviews_today = store.count_since(today, mode="review") - new_today
    due = [by_id[qid] for qid, _ in store.due(now, max(0, review_limit - reviews_today) + len(by_id))
           if qid in by_id][:max(0, review_limit - reviews_today)]
    seen = store.seen()
    new = [q for q in questions if q.id not in seen][:max(0, new_limit - new_today)]
    return due + new
