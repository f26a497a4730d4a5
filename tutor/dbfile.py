"""The progress database's file: its schema (numbered migrations) and the checks made before writing.

A file that is not ours, is damaged, or comes from a newer tutor is inspected read-only and refused
with a one-line message; nothing is ever written to it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from tutor.errors import TutorError

SQLITE_MAGIC = b"SQLite format 3\x00"
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
# Opening safely: look before writing anything.


def is_busy(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED") or "locked" in str(exc)


def locked_error(path: Path, timeout: float) -> StoreError:
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


def inspect(path: Path, timeout: float) -> None:
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
            if is_busy(exc):
                raise locked_error(path, timeout) from exc
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
