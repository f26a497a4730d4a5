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


def seconds(command: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, env=env, check=True)
    return time.perf_counter() - start


def medians(commands: dict[str, list[str]], runs: int, env: dict) -> dict[str, float]:
    """Median time of each command, run in turns (one of each per round) so that a slow spell of the
    machine weighs on all of them alike."""
    for command in commands.values():
        seconds(command, env)  # warm the file cache (and tutor's question-bank cache)
    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, command in commands.items():
            times[label].append(seconds(command, env))
    return {label: statistics.median(t) for label, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = {**os.environ, "TUTOR_HOME": tempfile.mkdtemp(prefix="tutor-bench-"), "COLUMNS": "80"}
    with tempfile.TemporaryDirectory() as folder:
        floor_app = Path(folder) / "minimal_typer_app.py"
        floor_app.write_text(MINIMAL_APP)
        commands = {"minimal Typer app --help": [sys.executable, str(floor_app), "--help"],
                    "tutor --help": [sys.executable, "-m", "tutor", "--help"],
                    "tutor list": [sys.executable, "-m", "tutor", "list"]}
        results = medians(commands, args.runs, env)
    floor = results["minimal Typer app --help"]
    print(f"{platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"median of {args.runs} rounds, whole process, commands taking turns")
    for label, value in results.items():
        print(f"{label:<28} {value * 1000:7.0f} ms   {value / floor:.2f}x")

if __name__ == "__main__":
    main()
