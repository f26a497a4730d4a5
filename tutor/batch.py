"""Grading a whole file of answers: JSONL or CSV in, one JSON result per input row out, in order."""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tutor.errors import UsageError
from tutor.grading import grade, grade_reference, prepare
from tutor.model import Question

TEXT_FIELDS = ("answer", "reference", "question")  # read, not echoed


def read_rows(path: Path) -> Iterator[tuple[int, dict | str]]:
    """(line number, row) for each row; a row that cannot be read is the error text instead."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
    with handle:
        if path.suffix.lower() == ".csv":
            reader = csv.DictReader(handle)
            for row in reader:
                yield reader.line_num, row
            return
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, f"invalid JSON: {exc.msg} at column {exc.colno}"
                continue
            yield number, row if isinstance(row, dict) else "a line must be a JSON object"


PARALLEL_FROM = 2000  # rows; below this, starting worker processes costs more than it saves
_lookup: Callable[[str], Question] | None = None  # set before the workers fork, so they share it


def grade_rows(rows: Iterator[tuple[int, dict | str]], lookup: Callable[[str], Question],
               workers: int | None = None) -> Iterator[dict]:
    """One output object per row, in order: the row's extra fields plus the grade, or an `error`.

    Large files are graded by one process per core (grading is pure, so the work splits freely)."""
    global _lookup
    _lookup = lookup
    rows = list(rows)
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(rows) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(_grade_one, rows)
        return
    for qid in {r["id"] for _, r in rows if isinstance(r, dict) and isinstance(r.get("id"), str)}:
        try:  # compiled once here, shared by the forked workers
            prepare(lookup(qid))
        except UsageError:
            pass  # an unknown id: its rows report it
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        yield from pool.map(_grade_one, rows, chunksize=max(1, len(rows) // (workers * 4)))


def _grade_one(numbered: tuple[int, dict | str]) -> dict:
    number, row = numbered
    if isinstance(row, str):
        return {"line": number, "error": row}
    echo = {k: v for k, v in row.items() if k not in TEXT_FIELDS}
    try:
        result = _grade_row(row, _lookup)
    except (UsageError, ValueError) as exc:
        return {"line": number, **echo, "error": str(exc)}
    return {"line": number, **echo, **result.to_dict()}


def _grade_row(row: dict, lookup: Callable[[str], Question]):
    answer = row.get("answer")
    if not isinstance(answer, str):
        raise ValueError("missing 'answer' (text)")
    reference, qid = row.get("reference"), row.get("id")
    if isinstance(reference, str) and reference.strip():
        question = row.get("question")
        return grade_reference(answer, reference, question if isinstance(question, str) else "")
    if isinstance(qid, str) and qid:
        return grade(answer, lookup(qid))
    raise ValueError("needs 'id' (a bank question) or 'reference' (a reference answer)")
