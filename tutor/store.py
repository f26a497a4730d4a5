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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from time import monotonic, sleep
from typing import Any

from tutor.errors import TutorError
from tutor.model import GradeResult, Rating, Verdict
from tutor.scheduling import REVIEW, CardState, schedule, utc

DB_NAME = "tutor.db"
SQLITE_MAGIC = b"SQLite format 3\x00"
DEFAULT_TIMEOUT = 5.0  # seconds to wait for another tutor's write to finish
DAY = timedelta(days=1)
MOVE_IT = "it was left untouched; move it away or set TUTOR_HOME"


class StoreError(TutorError):
    """The progress database cannot be used; the text is a one-line message saying what to do."""


# ---------------------------------------------------------------------------------------------------
# Migrations: append only. Each function runs inside its own transaction; its number is its position.


def _m001_cards_and_reviews(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE cards (
            question_id TEXT PRIMARY KEY,
            card_id INTEGER NOT NULL UNIQUE,
            state INTEGER NOT NULL,
            step INTEGER,
            stability REAL,
            difficulty REAL,
            due TEXT NOT NULL,
            last_review TEXT,
            reps INTEGER NOT NULL DEFAULT 0,
            lapses INTEGER NOT NULL DEFAULT 0
        )"""
    )
    db.execute("CREATE INDEX cards_due ON cards(due, question_id)")
    db.execute("CREATE INDEX cards_lapses ON cards(lapses)")
    db.execute(
        """CREATE TABLE reviews (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            question_id TEXT NOT NULL,
            content_hash TEXT,
            answer TEXT NOT NULL,
            grade_json TEXT,
            verdict TEXT,
            score REAL,
            suggested INTEGER,
            rating INTEGER NOT NULL,
            overridden INTEGER NOT NULL,
            seconds REAL,
            reviewed_at TEXT NOT NULL,
            scheduled INTEGER NOT NULL,
            card_before TEXT,
            state_before INTEGER,
            mode TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX reviews_reviewed_at ON reviews(reviewed_at)")
    db.execute("CREATE INDEX reviews_question_id ON reviews(question_id)")
    db.execute("CREATE INDEX reviews_verdict ON reviews(verdict)")  # totals() counts the index, not the table


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m001_cards_and_reviews]
SCHEMA_VERSION = len(MIGRATIONS)


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


# ---------------------------------------------------------------------------------------------------
# Opening safely: look before writing anything.


def _busy(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED") or "locked" in str(exc)


def _locked(path: Path, timeout: float) -> StoreError:
    return StoreError(
        f"{path} is locked by another program (waited {timeout:g} s); close other tutor sessions and try again"
    )


def _read_schema(uri: str, timeout: float) -> tuple[set[str], int, int]:
    """(table names, user_version, highest recorded migration) through a read-only connection."""
    db = sqlite3.connect(uri, uri=True, timeout=timeout)
    try:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = db.execute("PRAGMA user_version").fetchone()[0]
        applied = db.execute("SELECT max(number) FROM migrations").fetchone()[0] if "migrations" in tables else 0
        return tables, version, applied or 0
    finally:
        db.close()


def _inspect(path: Path, timeout: float) -> None:
    """Raise StoreError unless `path` is missing, empty or a tutor database this version can use.

    Reads the header with plain file I/O, then the schema through a read-only connection: a foreign
    or damaged file is never written, and no journal is created next to it.
    """
    try:
        with open(path, "rb") as f:
            header = f.read(100)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror or exc}; check its permissions or set TUTOR_HOME") from exc
    if not header:
        return  # an empty file is what SQLite itself treats as a new database
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise StoreError(f"{path} is not a tutor database (damaged or another program's file); {MOVE_IT}")
    # A WAL-mode file with no -wal beside it is read as immutable: a plain read-only connection would
    # leave empty -wal and -shm files next to it. Should a writer have appeared meanwhile (a -wal
    # now exists), read again with locking.
    uri = path.resolve().as_uri()
    wal_path = path.with_name(path.name + "-wal")
    immutable = header[18] == 2 and not wal_path.exists()
    attempts = [f"{uri}?immutable=1", f"{uri}?mode=ro"] if immutable else [f"{uri}?mode=ro"]
    for number, attempt in enumerate(attempts, start=1):
        try:
            tables, version, applied = _read_schema(attempt, timeout)
            break
        except sqlite3.Error as exc:
            if number < len(attempts) and wal_path.exists():
                continue
            if _busy(exc):
                raise _locked(path, timeout) from exc
            if isinstance(exc, sqlite3.OperationalError):
                raise StoreError(f"cannot read {path}: {exc}; check its permissions or set TUTOR_HOME") from exc
            raise StoreError(f"{path} is not a tutor database (damaged or another program's file); {MOVE_IT}") from exc
    own_tables = {t for t in tables if not t.startswith("sqlite_")}
    if "migrations" not in tables and own_tables:
        shown = ", ".join(sorted(own_tables)[:3]) + (", ..." if len(own_tables) > 3 else "")
        raise StoreError(f"{path} is not a tutor database (another program's SQLite file, tables: {shown}); {MOVE_IT}")
    schema = max(version, applied)
    if schema > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer version of tutor (schema {schema}, this one knows {SCHEMA_VERSION});"
            " upgrade tutor"
        )


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
        _inspect(path, timeout)
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
        if _busy(exc):
            return _locked(self.path, self.timeout)
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
                if not _busy(exc) or monotonic() > deadline:
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
