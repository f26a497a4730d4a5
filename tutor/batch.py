"""Grading a whole file of answers: JSONL or CSV in, one JSON result per input row out, in order."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
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


def grade_rows(rows: Iterator[tuple[int, dict | str]], lookup: Callable[[str], Question]) -> Iterator[dict]:
    """One output object per row: the row's extra fields plus the grade, or an `error`."""
    for number, row in rows:
        if isinstance(row, str):
            yield {"line": number, "error": row}
            continue
        echo = {k: v for k, v in row.items() if k not in TEXT_FIELDS}
        try:
            result = _grade_row(row, lookup)
        except (UsageError, ValueError) as exc:
            yield {"line": number, **echo, "error": str(exc)}
            continue
        yield {"line": number, **echo, **result.to_dict()}


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
