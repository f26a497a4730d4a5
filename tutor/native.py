"""Which of the grader's modules run compiled to native code (setup.py compiles them with mypyc where a
C compiler is at hand), and which compiled ones are older than their source: in an editable install,
a module edited since it was built would still run its old compiled code."""

from __future__ import annotations

from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

MODULES = ("text", "matching", "grading")  # the list setup.py compiles
_PACKAGE = Path(__file__).resolve().parent


def compiled_file(name: str) -> Path | None:
    """The compiled form of tutor.<name> in the package, if any (Python imports it before the .py)."""
    return next((path for suffix in EXTENSION_SUFFIXES if (path := _PACKAGE / f"{name}{suffix}").exists()), None)


def compiled_modules() -> list[str]:
    """The grader modules that have a compiled form."""
    return [name for name in MODULES if compiled_file(name)]


def stale_modules() -> list[str]:
    """The grader modules whose compiled form is older than their .py source."""
    return [name for name in MODULES if (path := compiled_file(name))
            and path.stat().st_mtime < (_PACKAGE / f"{name}.py").stat().st_mtime]
