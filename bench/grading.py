"""Grading speed: microseconds per answer over the graded set, and `tutor grade --batch` on 10,000 lines.

    python bench/grading.py

The 10,000 answers are all different: each is a graded answer re-cut (its sentences shuffled, one
dropped or one from another answer to the same question added, a typo or two), so no cache of
repeated answers can flatter the figure.
"""

from __future__ import annotations

import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor.content import load  # noqa: E402
from tutor.grading import grade, grade_reference  # noqa: E402
from tutor.native import compiled_modules  # noqa: E402
from tutor.paths import bundled_content  # noqa: E402


def graded_rows() -> list[dict]:
    return [json.loads(line) for path in sorted((ROOT / "tests" / "data" / "graded_answers").glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def per_answer_microseconds(rows, questions, repeats: int = 20) -> tuple[float, float]:
    """(median, fastest) of `repeats` passes over the rows, in microseconds per answer."""
    for row in rows:  # warm: each question compiled once, as in any session
        grade(row["answer"], questions[row["id"]])
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        for row in rows:
            grade(row["answer"], questions[row["id"]])
        timings.append((time.perf_counter() - start) / len(rows) * 1e6)
    return statistics.median(timings), min(timings)


def variants(rows: list[dict], count: int, seed: int = 0) -> list[dict]:
    """`count` distinct answers made from the graded ones."""
    rng = random.Random(seed)
    by_question: dict[str, list[list[str]]] = {}
    for row in rows:
        by_question.setdefault(row["id"], []).append(re.split(r"(?<=[.!?])\s+", row["answer"].strip()))
    made: dict[tuple[str, str], None] = {}
    ids = sorted(by_question)
    openers = ["", "", "I think ", "Basically, ", "In short: ", "So ", "Well, ", "From memory, "]
    while len(made) < count:
        qid = rng.choice(ids)
        sentences = list(rng.choice(by_question[qid]))
        rng.shuffle(sentences)
        if len(sentences) > 1 and rng.random() < 0.5:
            sentences.pop(rng.randrange(len(sentences)))
        else:
            sentences.append(rng.choice(rng.choice(by_question[qid])))
        words = " ".join(sentences).split(" ")
        for _ in range(rng.randint(0, 2)):  # a typo: two neighbouring letters swapped
            k = rng.randrange(len(words))
            w = words[k]
            if len(w) > 5:
                i = rng.randrange(1, len(w) - 2)
                words[k] = w[:i] + w[i + 1] + w[i] + w[i + 2:]
        made.setdefault((qid, rng.choice(openers) + " ".join(words)), None)
    return [{"id": qid, "answer": answer, "n": n} for n, (qid, answer) in enumerate(made)]


def batch_seconds(lines: list[dict], runs: int = 5) -> tuple[float, float]:
    """(median, fastest) whole-process seconds of `tutor grade --batch` on `lines`."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.jsonl"
        path.write_text("".join(json.dumps(row) + "\n" for row in lines), encoding="utf-8")
        env = {**os.environ, "TUTOR_HOME": folder}
        subprocess.run([sys.executable, "-m", "tutor", "list"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # the content cache is written once, as after any first run
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "tutor", "grade", "--batch", str(path)], cwd=ROOT,
                           stdout=subprocess.DEVNULL, check=True, env=env)
            times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def reference_correlation(rows, questions) -> float:
    """Pearson r between reference-only scores (each question's model answer as the reference, no
    concepts) and the human verdicts (incorrect 0, partial 0.5, correct 1)."""
    human = {"incorrect": 0.0, "partial": 0.5, "correct": 1.0}
    scores = [grade_reference(r["answer"], questions[r["id"]].answer, questions[r["id"]].text).score for r in rows]
    return statistics.correlation(scores, [human[r["verdict"]] for r in rows])


def machine_speed() -> float:
    """Seconds for a fixed pure-Python loop: this machine's speed at the time, since it varies."""
    start = time.perf_counter()
    total = 0
    for i in range(5_000_000):
        total += i
    return time.perf_counter() - start


def main() -> None:
    questions = {q.id: q for q in load([bundled_content()])}
    rows = graded_rows()
    print(f"{platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"reference loop {machine_speed():.2f} s (lower is faster)")
    compiled = compiled_modules()
    print(f"grader: {'compiled by mypyc (' + ', '.join(compiled) + ')' if compiled else 'plain Python'}")
    median, fastest = per_answer_microseconds(rows, questions)
    length = statistics.mean(len(row["answer"]) for row in rows)
    print(f"grade() over the graded set ({len(rows)} answers, {length:.0f} characters on average, warm): "
          f"{median:.0f} µs per answer (median of 20 passes; fastest {fastest:.0f} µs)")
    lines = variants(rows, 10_000)
    for count in (2_000, 10_000):
        median, fastest = batch_seconds(lines[:count])
        print(f"tutor grade --batch, {count:,} distinct answers, whole process: "
              f"{median:.2f} s (median of 5 runs; fastest {fastest:.2f} s)")
    print(f"reference-only mode on the graded set (model answer as the reference): "
          f"Pearson r = {reference_correlation(rows, questions):.2f} with the human verdicts")
    print(f"reference loop after the runs: {machine_speed():.2f} s")


if __name__ == "__main__":
    main()
