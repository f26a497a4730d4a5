"""Whole-process time of each demo's default run (`tutor demo NAME`, torch import included).

    python bench/demos.py [--runs 3] [NAME ...]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor.demos import DEMOS  # noqa: E402


def seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("names", nargs="*", default=list(DEMOS))
    args = parser.parse_args()
    print(f"{platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"median of {args.runs} runs, whole process")
    torch_import = statistics.median(seconds([sys.executable, "-c", "import torch"]) for _ in range(args.runs))
    print(f"{'import torch alone':<14} {torch_import:6.1f} s")
    for name in args.names:
        runs = [seconds([sys.executable, "-m", "tutor", "demo", name]) for _ in range(args.runs)]
        print(f"{name:<14} {statistics.median(runs):6.1f} s   (typical in `tutor demo list`: {DEMOS[name].seconds:g} s)")


if __name__ == "__main__":
    main()
