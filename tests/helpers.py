"""Running `tutor` as a user does: a separate process, its output and exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tutor(*args: str, input: str | None = None, env: dict | None = None, cwd: Path | None = None,
          timeout: float = 60) -> subprocess.CompletedProcess:
    """Run `python -m tutor ARGS` with the test's environment (TUTOR_HOME, NO_COLOR, COLUMNS=80)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "tutor", *args], input=input, capture_output=True,
                          text=True, env=full_env, cwd=cwd or ROOT, timeout=timeout)
