"""Time to the first question of `tutor quiz` in a real pseudo-terminal, whole process, median of runs.

    python bench/quiz_start.py [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent


def first_question_seconds(home: str) -> float:
    env = {**os.environ, "TUTOR_HOME": home, "COLUMNS": "80", "TERM": "xterm"}
    start = time.perf_counter()
    child = pexpect.spawn(sys.executable, ["-m", "tutor", "quiz", "--count", "1"], cwd=str(ROOT), env=env,
                          encoding="utf-8", timeout=30, dimensions=(40, 80))
    child.expect("> ")
    elapsed = time.perf_counter() - start
    child.sendline("quit")
    child.expect(pexpect.EOF)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        first_question_seconds(home)  # creates the database and warms the file cache
        times = [first_question_seconds(home) for _ in range(args.runs)]
    print(f"{platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()}")
    print(f"tutor quiz, first question on screen: {statistics.median(times) * 1000:.0f} ms "
          f"(median of {args.runs}; min {min(times) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
