"""A cache of the loaded question bank, so that commands start fast: checking every file (YAML and
every alias) costs more than starting Python. The key is every file's path, size and modification
time plus tutor's version, so an edited, added or removed file means a fresh load. The cache is an
optimisation only: any problem reading or writing it means loading from the files.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path

from tutor import __version__
from tutor.model import Question


def cached(folders: list[Path], cache_dir: Path | None, load: Callable[[], list[Question]]) -> list[Question]:
    """`load()`'s questions, from the cache when no file under `folders` changed since it was written."""
    if cache_dir is None:
        return load()
    key = _key(folders)
    path = cache_dir / "content.pickle"
    try:
        with path.open("rb") as f:
            stored_key, questions = pickle.load(f)
        if stored_key == key:
            return questions
    except Exception:  # missing, unreadable or from another version: load afresh
        pass
    questions = load()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps((key, questions)))
        tmp.replace(path)  # atomic: a reader sees the whole file or none
    except OSError:
        pass
    return questions


def _key(folders: list[Path]) -> str:
    """Every file's path, size and modification time, and tutor's version: compared whole, not hashed."""
    parts = [__version__]
    for folder in folders:
        parts.append(str(folder.resolve()))
        for path in sorted(folder.rglob("*.md")) if folder.is_dir() else ():
            stat = path.stat()
            parts.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return "\n".join(parts)
