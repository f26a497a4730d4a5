"""The grader's hot modules compiled to C with mypyc where a C compiler is at hand: grading runs about
1.7x faster (`bench/grading.py`). Without a compiler, or with TUTOR_PURE_PYTHON=1, tutor installs as
plain Python and behaves the same (a test compares the two). Everything else is in pyproject.toml."""

import os

from setuptools import setup

COMPILED = ["tutor/text.py", "tutor/matching.py", "tutor/grading.py"]  # tutor.native.MODULES names them too


def compiled_modules() -> list:
    if os.environ.get("TUTOR_PURE_PYTHON"):
        return []
    try:
        from mypyc.build import mypycify

        extensions = mypycify(["--ignore-missing-imports", *COMPILED], opt_level="3", group_name="tutor._grader")
    except Exception as exc:  # noqa: BLE001  mypyc missing, or the modules do not type-check: plain Python works
        print(f"tutor: not compiling the grader ({exc}); installing it as plain Python")
        return []
    for extension in extensions:
        extension.optional = True  # no C compiler: skipped, and the .py modules are used
    return extensions


setup(ext_modules=compiled_modules())
