"""Whole-process start-up time of `tutor --help` and `tutor list`, against the framework's own floor.

The floor is a minimal Typer app with two commands printing its `--help`: tutor cannot start faster
than the libraries it is built on, and should not start much slower. Prints medians and ratios.

    python bench/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MINIMAL_APP = '''
import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    print(f"hello {name}")


@app.command()
def bye() -> None:
    """Say bye."""
    print("bye")


app()
'''


def median_seconds(command: list[str], runs: int, env: dict) -> float:
    subprocess.run(command, capture_output=True, env=env, check=True)  # warm the file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, env=env, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = {**os.environ, "TUTOR_HOME": tempfile.mkdtemp(prefix="tutor-bench-"), "COLUMNS": "80"}
    with tempfile.TemporaryDirectory() as folder:
        floor_app = Path(folder) / "minimal_typer_app.py"
        floor_app.write_text(MINIMAL_APP)
        floor = median_seconds([sys.executable, str(floor_app), "--help"], args.runs, env)
        cases = {"tutor --help": ["--help"], "tutor list": ["list"]}
        print(f"{platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
              f"median of {args.runs} runs, whole process")
        print(f"{'minimal Typer app --help':<28} {floor * 1000:7.0f} ms   1.00x")
        for label, argv in cases.items():
            seconds = median_seconds([sys.executable, "-m", "tutor", *argv], args.runs, env)
            print(f"{label:<28} {seconds * 1000:7.0f} ms   {seconds / floor:.2f}x")


if __name__ == "__main__":
    main()
