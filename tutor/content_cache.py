"""A cache of the loaded question bank, so that commands start fast: checking every file (YAML and
every alias) costs more than starting Python. The key is every file's path, size and modification
time plus tutor's version, so an edited, added or removed file means a fresh load. The cache is an
optimisation only: any problem reading or writing it means loading from the files.
"""

from __future__ import annotations

import hashlib
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
    path = cache_dir / f"content-{key}.pickle"
    try:
        with path.open("rb") as f:
            return pickle.load(f)
    except Exception:  # missing, unreadable or from another version: load afresh
        pass
    questions = load()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for old in cache_dir.glob("content-*.pickle"):
            old.unlink(missing_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(questions))
        tmp.replace(path)  # atomic: a reader sees the whole file or none
    except OSError:
        pass
    return questions


def _key(folders: list[Path]) -> str:
    digest = hashlib.sha256(__version__.encode())
    for folder in folders:
        digest.update(str(folder.resolve()).encode())
        for path in sorted(folder.rglob("*.md")) if folder.is_dir() else ():
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:24]
