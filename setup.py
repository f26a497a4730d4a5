"""The grader's hot modules compiled to C with mypyc where a C compiler is at hand: grading runs about
1.7x faster (`bench/grading.py`). Without a compiler, or with TUTOR_PURE_PYTHON=1, tutor installs as
plain Python and behaves the same (a test compares the two). Everything else is in pyproject.toml."""

import os

from setuptools import setup
from setuptools.command.build_ext import build_ext

COMPILED = ["tutor/text.py", "tutor/matching.py", "tutor/grading.py"]  # tutor.native.MODULES names them too


def compiled_modules() -> list:
    if os.environ.get("TUTOR_PURE_PYTHON"):
        return []
    try:
        from mypyc.build import mypycify

        return mypycify(["--ignore-missing-imports", *COMPILED], opt_level="3", group_name="tutor._grader")
    except Exception as exc:  # noqa: BLE001  mypyc missing, or the modules do not type-check
        print(f"tutor: not compiling the grader ({exc}); installing it as plain Python")
        return []


class AllOrNone(build_ext):
    """Builds the compiled modules, or none of them when one fails (no C compiler, no Python headers):
    the library they share is built first, and a module without it would not import."""

    def run(self):
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001  the .py modules are used instead
            print(f"tutor: not compiling the grader ({str(exc)[:100]}...); installing it as plain Python")
            for extension in self.extensions:
                path = self.get_ext_fullpath(extension.name)
                if os.path.exists(path):
                    os.remove(path)


setup(ext_modules=compiled_modules(), cmdclass={"build_ext": AllOrNone})
