"""setup.py compiles the grader's hot modules with mypyc: the install does it, and the compiled grader
grades exactly as its plain Python source does."""

import json
import os
import subprocess
import sys

import pytest
from helpers import ROOT
from test_graded_answers import graded_rows

import tutor.grading
import tutor.matching
import tutor.text
from tutor import native

ODD_ANSWERS = ["", "   \n", "RNNs don't vanish, never!", "ＬＳＴＭ gates ａｎｄ the cell state",
               "back-propogation through time is not truncated; it unrolls the net <eos>.", "no", "🙂" * 50,
               "the the the the gradient " * 40,
               "The gradient vanishes. Clip it! " * 30]  # bit masks far wider than a machine word

# Run in a child process before tutor is imported: the three modules come from their .py files, though
# their compiled forms sit beside them (Python would take those first).
PLAIN_PYTHON = """
import importlib.util, sys
from tutor import native

class PlainPython:
    def find_spec(self, name, path=None, target=None):
        short = name.removeprefix("tutor.")
        if name.startswith("tutor.") and short in native.MODULES:
            return importlib.util.spec_from_file_location(name, native._PACKAGE / f"{short}.py")

sys.meta_path.insert(0, PlainPython())
import json, tutor.matching, test_native
assert hasattr(tutor.matching.tokenise, "__code__"), "still compiled"
print(json.dumps(test_native.grades()))
"""


def grades() -> list[dict]:
    """Every graded answer graded against its question and against its model answer alone, and some
    odd answers."""
    from tutor.content import load
    from tutor.grading import grade, grade_reference
    from tutor.paths import bundled_content

    questions = {q.id: q for q in load([bundled_content()])}
    found = []
    for row in graded_rows():
        question = questions[row["id"]]
        found.append(grade(row["answer"], question).to_dict())
        found.append(grade_reference(row["answer"], question.answer, question.text).to_dict())
    for answer in ODD_ANSWERS:
        found += [grade(answer, q).to_dict() for q in questions.values()]
    return found


def is_compiled(function) -> bool:
    return not hasattr(function, "__code__")


@pytest.mark.skipif(bool(os.environ.get("TUTOR_PURE_PYTHON")), reason="installed as plain Python on purpose")
def test_the_install_compiles_the_grader():
    assert native.compiled_modules() == list(native.MODULES), (
        "the grader was installed as plain Python: no C compiler or Python headers? (see setup.py; "
        "TUTOR_PURE_PYTHON=1 installs and tests plain Python on purpose)")
    assert all(map(is_compiled, (tutor.text.tokenise, tutor.matching.AnswerIndex.find, tutor.grading.grade)))


@pytest.mark.skipif(not native.compiled_modules(), reason="the grader is not compiled: nothing to compare")
def test_the_compiled_grader_grades_as_its_python_source_does():
    child = subprocess.run([sys.executable, "-c", PLAIN_PYTHON], capture_output=True, text=True, check=False, cwd=ROOT,
                           env={**os.environ, "PYTHONPATH": str(ROOT / "tests")}, timeout=120)
    assert child.returncode == 0, child.stderr
    plain = json.loads(child.stdout)
    compiled = grades()
    assert len(plain) == len(compiled) > 1000
    assert plain == compiled
