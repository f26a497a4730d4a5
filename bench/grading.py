"""Grading speed: microseconds per answer over the graded set, and `tutor grade --batch` on 10,000 lines.

    python bench/grading.py
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor.content import load  # noqa: E402
from tutor.grading import grade  # noqa: E402
from tutor.paths import bundled_content  # noqa: E402


def per_answer_microseconds(rows, questions, repeats: int = 20) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        for row in rows:
            grade(row["answer"], questions[row["id"]])
        timings.append((time.perf_counter() - start) / len(rows) * 1e6)
    return statistics.median(timings)


def batch_seconds(rows, lines: int = 10_000, runs: int = 5) -> float:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for i in range(lines):
                row = rows[i % len(rows)]
                out.write(json.dumps({"id": row["id"], "answer": row["answer"], "n": i}) + "\n")
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "tutor", "grade", "--batch", str(path)], cwd=ROOT,
                           stdout=subprocess.DEVNULL, check=True, env={**os.environ, "TUTOR_HOME": folder})
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    questions = {q.id: q for q in load([bundled_content()])}
    rows = [json.loads(line) for path in sorted((ROOT / "tests" / "data" / "graded_answers").glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    print(f"{platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()}")
    print(f"grade() over the graded set ({len(rows)} answers, warm): {per_answer_microseconds(rows, questions):.0f} µs per answer (median of 20 passes)")
    print(f"tutor grade --batch, 10,000 lines, whole process: {batch_seconds(rows):.2f} s (median of 5 runs)")


if __name__ == "__main__":
    main()
