"""`tutor demo` as a user meets it: the list, unknown names, options, JSON, and a missing torch."""

import json
import subprocess
import sys

from helpers import ROOT, tutor


def test_demo_list_shows_every_demo_and_the_questions_it_backs():
    rows = json.loads(tutor("demo", "list", "--json").stdout)
    assert [r["name"] for r in rows] == ["shapes", "rnn-types", "unroll", "bptt", "vanishing", "exploding", "copy",
                                         "charrnn", "timeseries", "cnn-vs-rnn"]
    backs = {r["name"]: r["questions"] for r in rows}
    assert "backpropagation-through-time" in backs["bptt"]
    table = tutor("demo", "list").stdout
    assert "vanishing" in table and max(len(line) for line in table.splitlines()) <= 80


def test_unknown_demo_names_close_matches():
    result = tutor("demo", "vanishng")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: no demo named 'vanishng'; did you mean vanishing?"


def test_config_options_are_checked_and_converted():
    bad = tutor("demo", "unroll", "--window-lengths", "5,x")
    assert (bad.returncode, bad.stderr.strip()) == (2, "error: option '--window-lengths' takes a list, not '5,x'")
    unknown = tutor("demo", "unroll", "--wat", "1")
    assert unknown.returncode == 2 and unknown.stderr.startswith("error: unknown option '--wat' for this demo; it takes")
    ok = tutor("demo", "unroll", "--quick", "--window-lengths", "5,10", "--json")
    assert ok.returncode == 0
    assert json.loads(ok.stdout)  # nothing but JSON on stdout


def test_a_demo_renders_tables_plot_and_lesson_at_80_columns():
    result = tutor("demo", "unroll", "--quick")
    assert result.returncode == 0
    assert "The lesson" in result.stdout and "└" in result.stdout  # a table and the plot's axis
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_a_missing_torch_is_a_one_line_hint():
    code = ("import sys; sys.modules['torch'] = None; sys.argv = ['tutor', 'demo', 'shapes']; "
            "from tutor.cli import main; main()")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 3
    assert result.stderr.strip().startswith("error: PyTorch is not installed or is broken; install it with")
    assert "Traceback" not in result.stderr
