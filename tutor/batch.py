"""Grading a whole file of answers: JSONL or CSV in, one JSON result per input row out, in order."""

from __future__ import annotations

import csv
import gc
import itertools
import json
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tutor.errors import UsageError
from tutor.grading import grade, grade_reference
from tutor.model import Question

TEXT_FIELDS = ("answer", "reference", "question")  # read, not echoed


class Unreadable(str):
    """A row that could not be read, as the reason why (graded as an error line)."""


def read_rows(path: Path) -> Iterator[tuple[int, dict | str]]:
    """(line number, row) for each row: a dict from CSV, or a JSONL line's text, parsed where it is
    graded (in a worker, for a large file), or Unreadable."""
    try:
        if path.suffix.lower() == ".csv":
            yield from _csv_rows(path)
            return
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                try:
                    line = raw.decode("utf-8-sig" if number == 1 else "utf-8")  # skips a byte-order mark
                except UnicodeDecodeError:
                    yield number, Unreadable("not UTF-8 text")
                    continue
                if not line.isspace():
                    yield number, line
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc


def _csv_rows(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, row) for each CSV row; a file that is not UTF-8 CSV is a usage error."""
    with path.open(encoding="utf-8-sig", newline="") as handle:  # a byte-order mark (Excel's CSV) is skipped
        reader = csv.DictReader(handle)
        try:
            for row in reader:
                yield reader.line_num, row
        except UnicodeDecodeError:
            raise UsageError(f"cannot read {path}: not UTF-8 text (save it as UTF-8 CSV)") from None
        except csv.Error as exc:
            raise UsageError(f"cannot read {path}: line {reader.line_num}: {exc}") from None


# Rows; below this, grading here beats starting worker processes. The first rows of each question are
# the slow ones (its compiled aliases read, its answers' words learnt), so that a few dozen rows of
# many questions are already quicker on two workers (measured: 30 rows of the bank's questions).
PARALLEL_FROM = 50
BLOCK = 50_000  # rows read, graded and written at a time: memory stays bounded on any file
PARTS_PER_WORKER = 8  # a block is cut in more parts than workers: each takes the next part when done
# Set before the workers fork, so that they share them and are sent only where a part starts:
_lookup: Callable[[str], Question] | None = None
_block: list[tuple[int, dict | str]] = []  # the rows being graded
_order: list[int] = []  # ... in the order they are graded: by question


def grade_lines(rows: Iterable[tuple[int, dict | str]], lookup: Callable[[str], Question],
                workers: int | None = None, parallel_from: int = PARALLEL_FROM,
                warm: Callable[[], None] | None = None) -> Iterator[tuple[bool, str]]:
    """(failed, JSON line) per row, in order: the row's extra fields plus the grade, or an `error`.

    Rows are graded question by question, whatever their order in the file: one question's compiled
    aliases stay in the processor's caches (a quarter faster than in file order). Large files are
    graded by one process per core, each taking the next part when done (grading is pure, so the
    work splits freely); `warm` runs before the first row is graded (and before any process forks),
    to prepare what they all share."""
    global _lookup, _block, _order
    _lookup = lookup
    workers = workers or os.cpu_count() or 1
    rows = iter(rows)
    parallel = workers > 1 and "fork" in multiprocessing.get_all_start_methods()
    while block := list(itertools.islice(rows, BLOCK)):
        if warm is not None:
            warm()
            warm = None
        _block = block
        _order = sorted(range(len(block)), key=lambda k: _question_of(block[k][1]))
        if parallel and len(block) >= parallel_from:
            yield from _graded_by_workers(workers)
        else:
            lines: list[tuple[bool, str]] = [(False, "")] * len(block)
            for k in _order:
                lines[k] = _line(block[k])
            yield from lines
    _block, _order = [], []


def _graded_by_workers(workers: int) -> list[tuple[bool, str]]:
    """The lines of _block, graded in parts of _order by forked processes."""
    size = -(-len(_order) // (workers * PARTS_PER_WORKER))
    starts = range(0, len(_order), size)
    lines: list[tuple[bool, str]] = [(False, "")] * len(_order)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:  # forks now
        for start, part in zip(starts, pool.map(_grade_part, starts, itertools.repeat(size))):
            for k, line in zip(_order[start:start + size], part):
                lines[k] = line
    return lines


def _grade_part(start: int, size: int) -> list[tuple[bool, str]]:
    """In a worker: the lines of the rows _order[start:start + size]."""
    gc.disable()  # grading makes no reference cycles, so the collector would only scan what the worker learns
    return [_line(_block[k]) for k in _order[start:start + size]]


_QUESTION = re.compile(r'"(?:id|reference)"\s*:\s*"([^"\\]*)')  # in a JSONL line's text, up to any escape


def _question_of(row: dict | str) -> str:
    """What a row is graded against (a bank id or a reference), to grade rows of one question
    together; for a JSONL line still to parse, a guess from its text (a wrong guess costs only speed)."""
    if isinstance(row, dict):
        return str(row.get("id") or row.get("reference"))
    found = _QUESTION.search(row)
    return found[1] if found else ""


def _line(numbered: tuple[int, dict | str]) -> tuple[bool, str]:
    failed, result = _grade_one(numbered)
    return failed, _encode(result)


# One encoder (json.dumps with options builds one per call); a result is a tree, so no check for cycles.
_encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
_decode = json.JSONDecoder().decode


def _grade_one(numbered: tuple[int, dict | str]) -> tuple[bool, dict]:
    """(failed, the result or the error) for one row."""
    number, row = numbered
    if isinstance(row, Unreadable):
        return True, {"line": number, "error": str(row)}
    if isinstance(row, str):  # a JSONL line
        try:
            row = _decode(row)
        except json.JSONDecodeError as exc:
            return True, {"line": number, "error": f"invalid JSON: {exc.msg} at column {exc.colno}"}
        if not isinstance(row, dict):
            return True, {"line": number, "error": "a line must be a JSON object"}
    echo = {k: v for k, v in row.items() if k not in TEXT_FIELDS}
    try:
        result = _grade_row(row, _lookup)
    except (UsageError, ValueError) as exc:
        return True, {"line": number, **echo, "error": str(exc)}
    return False, {"line": number, **echo, **result.to_dict()}


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
