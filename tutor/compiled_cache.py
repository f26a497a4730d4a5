"""The bank's compiled aliases kept on disk, so that `tutor grade --batch` starts grading at once:
compiling every question's aliases costs more than grading a thousand answers. An entry is keyed by
the question file's content hash and read when the question is first graded (in the worker that
grades it), the whole file by tutor's version and the grader's files, source or compiled (their size
and modification time): an edited question or grader means a fresh compile. The cache is an
optimisation only: any problem reading or writing it means compiling.
"""

from __future__ import annotations

import os
import pickle
from functools import partial
from pathlib import Path

from tutor import __version__, matching
from tutor.grading import compile_question, prepare, remember
from tutor.model import Question


def prepare_all(questions: list[Question], cache_dir: Path | None) -> None:
    """Make `grading.prepare` instant for every question, from the cache where it can."""
    path = cache_dir / "matchers.pickle" if cache_dir else None
    stored: dict = {}
    if path is not None:
        try:
            with path.open("rb") as f:
                stamp, stored = pickle.load(f)
            if stamp != _stamp():
                stored = {}
        except Exception:  # missing, unreadable or from another version: compile afresh
            stored = {}
    missing = False
    for question in questions:
        blob = stored.get(question.content_hash)
        if blob is None:
            missing = True
        else:
            remember(question, partial(_load, blob, question))
    if not missing or path is None:
        return
    fresh = {q.content_hash: stored.get(q.content_hash) or pickle.dumps(prepare(q), protocol=pickle.HIGHEST_PROTOCOL)
             for q in questions}
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps((_stamp(), fresh), protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(path)  # atomic: a reader sees the whole file or none
    except OSError:
        pass


def _load(blob: bytes, question: Question) -> matching.MatcherSet:
    """One question's compiled aliases, read when first graded (a batch of one question reads one)."""
    try:
        return pickle.loads(blob)
    except Exception:  # damaged: compile instead
        return compile_question(question)


# The modules that shape compiled aliases, by file name before the first dot: their .py files and, where
# setup.py compiled them, their compiled forms and the library those share.
_SHAPING = frozenset(("aliases", "matching", "text", "_grader__mypyc"))


def _stamp() -> str:
    """Tutor's version and the size and modification time of the files of the modules that shape
    compiled aliases (found by name: a compiled module's __file__ can be wrong)."""
    parts = [__version__]
    with os.scandir(os.path.dirname(os.path.abspath(__file__))) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.split(".")[0] in _SHAPING:
                stat = entry.stat()
                parts.append(f"{entry.name}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return "\n".join(parts)
