"""Grading a whole file of answers: JSONL or CSV in, one JSON result per input row out, in order."""

from __future__ import annotations

import csv
import gc
import itertools
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tutor.errors import UsageError
from tutor.grading import grade, grade_reference
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
BLOCK = 50_000  # rows read, graded and written at a time: memory stays bounded on any file
PARTS_PER_WORKER = 8  # a block is cut in more parts than workers: each takes the next part when done
_lookup: Callable[[str], Question] | None = None  # set before the workers fork, so they share it


def grade_lines(rows: Iterable[tuple[int, dict | str]], lookup: Callable[[str], Question],
                workers: int | None = None, parallel_from: int = PARALLEL_FROM,
                warm: Callable[[], None] | None = None) -> Iterator[tuple[bool, str]]:
    """(failed, JSON line) per row, in order: the row's extra fields plus the grade, or an `error`.

    Large files are graded by one process per core, each given whole questions where it can, so that
    each warms up only its own questions (grading is pure, so the work splits freely); `warm` runs
    before they start, to prepare what they all share."""
    global _lookup
    _lookup = lookup
    workers = workers or os.cpu_count() or 1
    rows = iter(rows)
    first = list(itertools.islice(rows, BLOCK))
    if workers == 1 or len(first) < parallel_from or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(_line, first)
        yield from map(_line, rows)
        return
    if warm is not None:
        warm()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        block = first
        while block:
            lines: list[tuple[bool, str]] = [(False, "")] * len(block)
            for part in pool.map(_grade_part, _split(block, workers * PARTS_PER_WORKER)):
                for index, line in part:
                    lines[index] = line
            yield from lines
            block = list(itertools.islice(rows, BLOCK))


def _split(block: list[tuple[int, dict | str]], parts: int) -> list[list[tuple[int, tuple[int, dict | str]]]]:
    """The block's rows in `parts` shares of about equal work (see `_work`), the largest first; a
    question's rows stay together unless they alone are more than a share."""
    groups: dict[str, list[tuple[int, tuple[int, dict | str]]]] = {}
    for index, numbered in enumerate(block):
        row = numbered[1]
        key = str(row.get("id") or row.get("reference")) if isinstance(row, dict) else ""
        groups.setdefault(key, []).append((index, numbered))
    share = sum(map(_work, block)) / parts
    pieces: list[tuple[float, list]] = []
    for group in groups.values():
        piece, work = [], 0.0
        for item in group:
            piece.append(item)
            work += _work(item[1])
            if work >= share:
                pieces.append((work, piece))
                piece, work = [], 0.0
        if piece:
            pieces.append((work, piece))
    shares: list[tuple[float, list]] = [(0.0, []) for _ in range(parts)]
    for work, piece in sorted(pieces, key=lambda p: p[0], reverse=True):  # largest first, each to the lightest
        lightest = min(range(parts), key=lambda k: shares[k][0])
        shares[lightest] = (shares[lightest][0] + work, shares[lightest][1] + piece)
    return [rows for _, rows in sorted(shares, key=lambda s: s[0], reverse=True) if rows]  # the largest first


def _work(numbered: tuple[int, dict | str]) -> float:
    """A guess at the cost of grading a row, in characters of answer."""
    row = numbered[1]
    answer = row.get("answer") if isinstance(row, dict) else None
    return 200 + (len(answer) if isinstance(answer, str) else 0)


def _grade_part(part: list[tuple[int, tuple[int, dict | str]]]) -> list[tuple[int, tuple[bool, str]]]:
    """In a worker: (index in the block, line) for each row of the part."""
    gc.freeze()  # the questions and compiled aliases live as long as the worker: no need to scan them
    return [(index, _line(numbered)) for index, numbered in part]


def _line(numbered: tuple[int, dict | str]) -> tuple[bool, str]:
    result = _grade_one(numbered)
    return "error" in result, _encode(result)


_encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder: json.dumps with options builds one per call


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
