"""The learner's progress in SQLite: one card per question and one row per answer (the only SQL in tutor).

`tutor.db` lives in the data folder (`paths.data_home()`). Every answer is committed at once, so a
crash loses at most the answer being typed. Schema changes are numbered migrations, each applied in
its own transaction and recorded in the `migrations` table. A file that is not ours, or is from a
newer tutor, is inspected read-only and never written to.

Datetimes are stored as fixed-width ISO UTC text (`2024-05-01T08:30:00.000000Z`), so text order is
time order and the indexes on `due` and `reviewed_at` answer range queries directly.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from time import monotonic, sleep
from typing import Any

from tutor.dbfile import MIGRATIONS, SCHEMA_VERSION, StoreError, inspect, is_busy, locked_error
from tutor.model import GradeResult, Rating, Verdict
from tutor.scheduling import REVIEW, CardState, schedule, utc

DB_NAME = "tutor.db"
DEFAULT_TIMEOUT = 5.0  # seconds to wait for another tutor's write to finish
DAY = timedelta(days=1)
# ---------------------------------------------------------------------------------------------------
# Conversions


def _iso(moment: datetime) -> str:
    """Fixed-width UTC text: sorts as time does."""
    return utc(moment).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)


_CARD_COLUMNS = "state, step, stability, difficulty, due, last_review, reps, lapses"
_UPDATE_CARD = (
    "UPDATE cards SET state = ?, step = ?, stability = ?, difficulty = ?, due = ?, last_review = ?, reps = ?,"
    " lapses = ? WHERE question_id = ?"
)


def _card_from_row(row: tuple) -> CardState:
    state, step, stability, difficulty, due, last_review, reps, lapses = row
    return CardState(
        state=state,
        step=step,
        stability=stability,
        difficulty=difficulty,
        due=_time(due),
        last_review=_time(last_review) if last_review else None,
        reps=reps,
        lapses=lapses,
    )


def _card_values(card: CardState) -> tuple:
    last = _iso(card.last_review) if card.last_review else None
    return (card.state, card.step, card.stability, card.difficulty, _iso(card.due), last, card.reps, card.lapses)


class Store:
    """The learner's cards and answers. Open with `Store.open(home)`; use as a context manager."""

    def __init__(self, db: sqlite3.Connection, path: Path, timeout: float = DEFAULT_TIMEOUT):
        self._db = db
        self.path = path
        self.timeout = timeout

    @classmethod
    def open(cls, home: Path, timeout: float = DEFAULT_TIMEOUT) -> Store:
        """Open (creating on first use) `home/tutor.db`, applying any pending migrations."""
        home = Path(home)
        try:
            home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the data folder {home}: {exc.strerror or exc}; set TUTOR_HOME to a writable folder"
            ) from exc
        if not os.access(home, os.W_OK | os.X_OK):
            raise StoreError(f"the data folder {home} is not writable; fix its permissions or set TUTOR_HOME")
        path = home / DB_NAME
        inspect(path, timeout)
        try:
            db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write to {path}: {exc}; check its permissions or set TUTOR_HOME") from exc
        store = cls(db, path, timeout)
        try:
            with store._errors():
                db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
                store._use_wal()
            store._migrate()
        except BaseException:
            db.close()
            raise
        return store

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- plumbing --------------------------------------------------------------------------------

    def _error(self, exc: sqlite3.Error) -> StoreError:
        if is_busy(exc):
            return locked_error(self.path, self.timeout)
        if isinstance(exc, sqlite3.DatabaseError) and "malformed" in str(exc):
            return StoreError(f"{self.path} is damaged ({exc}); it was left as it is; move it away or set TUTOR_HOME")
        return StoreError(f"cannot use {self.path}: {exc}")

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so concurrent writers queue up."""
        with self._errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:  # SQLite may have rolled back already (disk full, I/O error)
                    self._db.execute("ROLLBACK")
                raise

    def _one(self, sql: str, params: tuple = ()) -> Any:
        with self._errors():
            row = self._db.execute(sql, params).fetchone()
        return row[0] if row else None

    def _all(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._errors():
            return self._db.execute(sql, params).fetchall()

    def _use_wal(self) -> None:
        """Switch to WAL (readers never wait for the writer). The switch needs an exclusive lock and
        SQLite does not wait for it (no busy handler), so two first runs at once retry here."""
        deadline = monotonic() + self.timeout
        while True:
            try:
                if self._db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self._db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or monotonic() > deadline:
                    raise
                sleep(0.01)

    def _migrate(self) -> None:
        if self._one("PRAGMA user_version") >= SCHEMA_VERSION:
            return
        for number, migration in enumerate(MIGRATIONS, start=1):
            with self._write() as db:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS migrations"
                    " (number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
                # Another process may have applied it between our check and our lock.
                if db.execute("SELECT 1 FROM migrations WHERE number = ?", (number,)).fetchone():
                    continue
                migration(db)
                now = _iso(datetime.now(timezone.utc))
                db.execute("INSERT INTO migrations VALUES (?, ?, ?)", (number, migration.__name__, now))
                db.execute(f"PRAGMA user_version = {number}")

    def migrations(self) -> list[tuple[int, str, str]]:
        """The applied migrations: (number, name, applied_at ISO UTC)."""
        return self._all("SELECT number, name, applied_at FROM migrations ORDER BY number")

    # --- answers ---------------------------------------------------------------------------------

    def record(
        self,
        question_id: str,
        content_hash: str,
        answer: str,
        grade: GradeResult,
        suggested: Rating,
        rating: Rating,
        seconds: float,
        now: datetime,
        mode: str = "quiz",
        scheduled: bool = True,
        fuzz: bool = True,
    ) -> int:
        """Store one answer and, unless `scheduled` is False (cram), reschedule its card; returns the review id.

        All in one transaction: the review row and the card change together or not at all.
        """
        now = utc(now)
        rating, suggested = Rating(rating), Rating(suggested)
        with self._write() as db:
            row = db.execute(
                f"SELECT card_id, {_CARD_COLUMNS} FROM cards WHERE question_id = ?", (question_id,)
            ).fetchone()
            before = _card_from_row(row[1:]) if row else None
            cursor = db.execute(
                "INSERT INTO reviews (question_id, content_hash, answer, grade_json, verdict, score, suggested,"
                " rating, overridden, seconds, reviewed_at, scheduled, card_before, state_before, mode)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    question_id,
                    content_hash,
                    answer,
                    json.dumps(grade.to_dict(), ensure_ascii=False),
                    grade.verdict.value,
                    grade.score,
                    int(suggested),
                    int(rating),
                    int(rating != suggested),
                    seconds,
                    _iso(now),
                    int(scheduled),
                    json.dumps(before.to_dict()) if before else None,
                    before.state if before else None,
                    mode,
                ),
            )
            if scheduled:
                if row:
                    after = schedule(before, rating, now, card_id=row[0], fuzz=fuzz)
                    db.execute(_UPDATE_CARD, (*_card_values(after), question_id))
                else:
                    card_id = db.execute("SELECT coalesce(max(card_id), 0) + 1 FROM cards").fetchone()[0]
                    after = schedule(None, rating, now, card_id=card_id, fuzz=fuzz)
                    db.execute(
                        f"INSERT INTO cards (question_id, card_id, {_CARD_COLUMNS})"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (question_id, card_id, *_card_values(after)),
                    )
            return int(cursor.lastrowid)

    def undo(self, review_id: int) -> bool:
        """Take back an answer: delete the review and put its card back as it was. Only the latest
        answer to a question can be taken back; returns False for any other (or an unknown id)."""
        with self._write() as db:
            row = db.execute(
                "SELECT question_id, scheduled, card_before FROM reviews WHERE id = ?", (review_id,)
            ).fetchone()
            if row is None:
                return False
            question_id, scheduled, card_before = row
            latest = db.execute("SELECT max(id) FROM reviews WHERE question_id = ?", (question_id,)).fetchone()[0]
            if latest != review_id:
                return False
            db.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
            if scheduled and card_before is None:
                db.execute("DELETE FROM cards WHERE question_id = ?", (question_id,))
            elif scheduled:
                before = CardState.from_dict(json.loads(card_before))
                db.execute(_UPDATE_CARD, (*_card_values(before), question_id))
            return True

    def last_hash(self, question_id: str) -> str | None:
        """The content hash of the question as it was at its latest answer (to notice edits)."""
        return self._one(
            "SELECT content_hash FROM reviews WHERE question_id = ? ORDER BY id DESC LIMIT 1", (question_id,)
        )

    # --- cards and the due queue -----------------------------------------------------------------

    def card(self, question_id: str) -> CardState | None:
        rows = self._all(f"SELECT {_CARD_COLUMNS} FROM cards WHERE question_id = ?", (question_id,))
        return _card_from_row(rows[0]) if rows else None

    def cards(self) -> dict[str, CardState]:
        return {row[0]: _card_from_row(row[1:]) for row in self._all(f"SELECT question_id, {_CARD_COLUMNS} FROM cards")}

    def seen(self) -> set[str]:
        """Questions answered at least once in a scheduled review (those with a card)."""
        return {qid for (qid,) in self._all("SELECT question_id FROM cards")}

    def question_ids(self) -> set[str]:
        """Every question id the store knows (a review or a card), to spot progress of deleted questions."""
        rows = self._all("SELECT DISTINCT question_id FROM reviews UNION SELECT question_id FROM cards")
        return {qid for (qid,) in rows}

    def due(self, now: datetime, limit: int) -> list[tuple[str, datetime]]:
        """Questions due at `now`, most overdue first: (question id, due)."""
        rows = self._all(
            "SELECT question_id, due FROM cards WHERE due <= ? ORDER BY due, question_id LIMIT ?", (_iso(now), limit)
        )
        return [(qid, _time(due)) for qid, due in rows]

    def next_due(self, after: datetime) -> datetime | None:
        """When the next card falls due strictly after `after`, if any."""
        due = self._one("SELECT min(due) FROM cards WHERE due > ?", (_iso(after),))
        return _time(due) if due else None

    def count_since(self, since: datetime, mode: str | None = None, new_only: bool = False) -> int:
        """Answers given since `since` (in `mode` if given); `new_only`: first-ever scheduled answers,
        i.e. new questions introduced (for the daily new-card limit)."""
        sql = "SELECT count(*) FROM reviews WHERE reviewed_at >= ?"
        params: tuple = (_iso(since),)
        if mode is not None:
            sql += " AND mode = ?"
            params += (mode,)
        if new_only:
            sql += " AND scheduled = 1 AND card_before IS NULL"
        return self._one(sql, params)

    # --- statistics ------------------------------------------------------------------------------

    def answers_per_day(self, since: datetime) -> dict[date, int]:
        """Answers per UTC day from `since` on (days without answers are absent)."""
        # One range count per day on the reviewed_at index: a GROUP BY on the day would sort every row.
        first = self._one("SELECT min(reviewed_at) FROM reviews WHERE reviewed_at >= ?", (_iso(since),))
        if first is None:
            return {}
        last = self._one("SELECT max(reviewed_at) FROM reviews")
        counts, low, day = {}, _iso(since), _time(first).date()
        while day <= _time(last).date():
            high = _iso(_midnight(day) + DAY)
            n = self._one("SELECT count(*) FROM reviews WHERE reviewed_at >= ? AND reviewed_at < ?", (low, high))
            if n:
                counts[day] = n
            low, day = high, day + DAY
        return counts

    def retention(self, since: datetime) -> tuple[int, int]:
        """True retention since `since`: (passed, total) over scheduled reviews of cards in Review
        state; anything but Again passes."""
        total, passed = self._all(
            "SELECT count(*), coalesce(sum(rating > ?), 0) FROM reviews"
            " WHERE reviewed_at >= ? AND scheduled = 1 AND state_before = ?",
            (int(Rating.AGAIN), _iso(since), REVIEW),
        )[0]
        return passed, total

    def due_forecast(self, now: datetime, days: int) -> list[int]:
        """Cards due on each of the next `days` UTC days; day 0 (today) includes the overdue ones."""
        start = _midnight(utc(now).date())
        counts = []
        for day in range(days):
            low = "" if day == 0 else _iso(start + day * DAY)
            high = _iso(start + (day + 1) * DAY)
            counts.append(self._one("SELECT count(*) FROM cards WHERE due >= ? AND due < ?", (low, high)))
        return counts

    def _answered_on(self, day: date) -> bool:
        low, high = _midnight(day), _midnight(day) + DAY
        sql = "SELECT EXISTS (SELECT 1 FROM reviews WHERE reviewed_at >= ? AND reviewed_at < ?)"
        return bool(self._one(sql, (_iso(low), _iso(high))))

    def streak(self, today: date) -> int:
        """Consecutive UTC days with at least one answer, ending today (or yesterday, if today has none yet)."""
        day = today if self._answered_on(today) else today - DAY
        count = 0
        while self._answered_on(day):
            count += 1
            day -= DAY
        return count

    def leeches(self, min_lapses: int = 8) -> list[str]:
        """Questions forgotten at least `min_lapses` times after being learnt, worst first."""
        rows = self._all(
            "SELECT question_id FROM cards WHERE lapses >= ? ORDER BY lapses DESC, question_id", (min_lapses,)
        )
        return [qid for (qid,) in rows]

    def totals(self) -> dict[str, int]:
        """Keys: reviews, seen (questions with a card), correct, partial, incorrect (answers by verdict)."""
        by_verdict = dict(self._all("SELECT verdict, count(*) FROM reviews GROUP BY verdict"))
        totals = {"reviews": sum(by_verdict.values()), "seen": self._one("SELECT count(*) FROM cards")}
        return totals | {v.value: by_verdict.get(v.value, 0) for v in Verdict}
