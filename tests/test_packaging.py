"""The wheel carries the question bank and the demos' data, so an installed tutor works from any folder,
and the grader both compiled (setup.py) and as its Python source."""

import os
import subprocess
import sys
import zipfile

from helpers import ROOT

from tutor import native


def test_the_wheel_ships_the_question_bank_and_demo_data(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, cwd=tmp_path)
    [wheel] = tmp_path.glob("rnn_tutor-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    bank = {p.relative_to(ROOT).as_posix() for p in (ROOT / "content").rglob("*.md")}
    assert {"tutor/" + name for name in bank} <= names
    assert any(name.startswith("tutor/demos/data/") and name.endswith(".txt") for name in names)
    assert "tutor/cli.py" in names and "tutor/demos/vanishing.py" in names
    for module in native.MODULES:
        assert f"tutor/{module}.py" in names
        if not os.environ.get("TUTOR_PURE_PYTHON"):
            assert any(name.startswith(f"tutor/{module}.") and name.endswith((".so", ".pyd")) for name in names)
