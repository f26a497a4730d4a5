"""The command line as a user meets it: output, JSON, exit codes and one-line errors."""

import json
import re

import pytest

from helpers import ROOT, tutor
from test_content import VALID, write

COMMANDS = ["quiz", "review", "stats", "list", "show", "check", "grade", "demo"]


def test_list_json_shows_the_ten_seed_questions():
    result = tutor("list", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    seeds = {r["source"]: r for r in rows if r["source"].startswith("seed")}
    assert sorted(seeds) == sorted(f"seed Q{n}" for n in range(1, 11))
    for row in rows:
        assert {"id", "topic", "source", "demo", "tags", "difficulty"} <= set(row)


def test_list_table_filters_by_topic():
    result = tutor("list", "--topic", "gradients")
    assert result.returncode == 0
    assert "backpropagation-through-time" in result.stdout
    assert "cnn-vs-rnn" not in result.stdout
    assert all(len(line) <= 80 for line in result.stdout.splitlines())


def test_show_renders_model_answer_seed_answer_and_correction():
    result = tutor("show", "backpropagation-through-time")
    assert result.returncode == 0
    for title in ("Model answer", "The seed's answer", "Correction", "tutor demo bptt"):
        assert title in result.stdout


def test_show_json():
    data = json.loads(tutor("show", "backpropagation-through-time", "--json").stdout)
    assert data["id"] == "backpropagation-through-time" and data["seed_answer"]


def test_unknown_id_is_one_line_with_close_matches():
    result = tutor("show", "backpropagation-thru-time")
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: no question with id 'backpropagation-thru-time'; "
                                     "did you mean backpropagation-through-time?")


def test_check_passes_on_the_bundled_bank():
    result = tutor("check")
    assert result.returncode == 0, result.stdout
    assert re.search(r"\d+ questions checked: 0 errors", result.stdout)


def test_check_lists_every_error_of_a_broken_folder_and_exits_1(tmp_path):
    write(tmp_path, VALID.replace("difficulty: 2", "difficulty: 9"))
    write(tmp_path, VALID.replace("id: sample", "id: two").replace("tags: [clipping]", "tags: [x"), name="two")
    result = tutor("check", str(tmp_path))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert f"{tmp_path}/gradients/sample.md:5: difficulty must be 1, 2 or 3, not 9 (1 easy, 2 medium, 3 hard)" in lines
    assert any(line.startswith(f"{tmp_path}/gradients/two.md:4: broken YAML") for line in lines)
    assert lines[-1] == "0 questions checked: 2 errors"


def test_check_of_a_missing_folder_is_a_usage_error(tmp_path):
    assert tutor("check", str(tmp_path / "nowhere")).returncode == 2


def test_extra_content_folders_from_option_and_environment(tmp_path):
    write(tmp_path, VALID.replace("id: sample", "id: my-own-question"), name="my-own-question")
    by_option = json.loads(tutor("list", "--json", "--content", str(tmp_path)).stdout)
    by_env = json.loads(tutor("list", "--json", env={"TUTOR_CONTENT": str(tmp_path)}).stdout)
    assert "my-own-question" in {r["id"] for r in by_option} == {r["id"] for r in by_env}


def test_a_broken_extra_folder_gives_one_line_and_exit_1(tmp_path):
    write(tmp_path, VALID.replace("difficulty: 2", "difficulty: 9"))
    result = tutor("list", "--content", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "difficulty must be 1, 2 or 3" in result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    result = tutor(command, "--help")
    assert result.returncode == 0
    assert "Example: tutor " + command in " ".join(result.stdout.split())


def test_the_readme_documents_every_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert f"tutor {command}" in readme, command


def test_import_of_the_cli_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, tutor.cli; sys.exit(3 if 'torch' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_the_bank_cache_follows_every_edit_and_survives_a_broken_cache(tmp_path, tutor_home):
    import os

    path = write(tmp_path, VALID.replace("What is gradient clipping?", "First wording?"))
    assert "First wording?" in tutor("show", "sample", "--content", str(tmp_path)).stdout
    path.write_text(VALID.replace("What is gradient clipping?", "Second wording?"), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert "Second wording?" in tutor("show", "sample", "--content", str(tmp_path)).stdout
    (tutor_home / "cache" / "content.pickle").write_bytes(b"not a pickle")
    assert "Second wording?" in tutor("show", "sample", "--content", str(tmp_path)).stdout
