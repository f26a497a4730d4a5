"""`tutor grade`: one answer, a reference answer, and whole files of answers."""

import json

from helpers import tutor

QID = "backpropagation-through-time"
GOOD = ("Unroll the RNN over the time steps and run ordinary backprop; the shared weights get "
        "the sum of the gradients from every step. Long sequences cost memory, so it is often truncated.")


def test_grade_one_answer_explains_itself():
    result = tutor("grade", QID, GOOD)
    assert result.returncode == 0
    assert result.stdout.startswith("CORRECT")
    assert "✓" in result.stdout and "suggested rating: Good" in result.stdout


def test_grade_json_has_the_documented_fields():
    data = json.loads(tutor("grade", QID, "it unrolls the network", "--json").stdout)
    assert {"score", "verdict", "rating", "matched", "missed", "negated", "misconceptions"} <= set(data)
    assert data["verdict"] in ("partial", "incorrect") and data["matched"]


def test_grade_against_a_reference():
    data = json.loads(tutor("grade", "--reference", "Clipping rescales large gradients", "gradients are rescaled",
                            "--json").stdout)
    assert 0 < data["score"] < 1


def test_grade_usage_errors_are_one_line():
    result = tutor("grade", QID)
    assert result.returncode == 2 and result.stderr.strip().startswith("error: give a question id and an answer")


def test_batch_jsonl_grades_in_order_echoes_fields_and_reports_bad_lines(tmp_path):
    lines = [
        json.dumps({"id": QID, "answer": GOOD, "student": "ada"}),
        "{not json",
        json.dumps({"id": "no-such-question", "answer": "x"}),
        json.dumps({"reference": "Gates control the cell state", "answer": "the gates control it", "n": 4}),
        json.dumps({"answer": "no id or reference"}),
        json.dumps({"id": QID}),
    ]
    source = tmp_path / "answers.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = tutor("grade", "--batch", str(source))
    assert result.returncode == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[0]["verdict"] == "correct" and rows[0]["student"] == "ada" and "answer" not in rows[0]
    assert rows[1]["error"].startswith("invalid JSON")
    assert rows[2]["error"].startswith("no question with id 'no-such-question'")
    assert rows[3]["n"] == 4 and rows[3]["score"] > 0
    assert rows[4]["error"] == "needs 'id' (a bank question) or 'reference' (a reference answer)"
    assert rows[5]["error"] == "missing 'answer' (text)"
    assert result.stderr.strip() == "4 rows could not be graded"


def test_batch_csv_and_out_file(tmp_path):
    source = tmp_path / "answers.csv"
    source.write_text(f'id,answer,student\n{QID},"{GOOD}",bob\n{QID},,eve\n', encoding="utf-8")
    out = tmp_path / "graded.jsonl"
    result = tutor("grade", "--batch", str(source), "--out", str(out))
    assert result.returncode == 0 and result.stdout == ""
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["student"], r["verdict"]) for r in rows] == [("bob", "correct"), ("eve", "incorrect")]


def test_batch_csv_from_excel_with_a_byte_order_mark_and_an_error_column(tmp_path):
    source = tmp_path / "answers.csv"
    source.write_bytes(f'id,answer,error\n{QID},"{GOOD}",none\n'.encode("utf-8-sig"))
    result = tutor("grade", "--batch", str(source))
    row = json.loads(result.stdout)
    assert result.returncode == 0  # the learner's own "error" column is echoed, not taken for a failure
    assert (row["id"], row["verdict"], row["error"]) == (QID, "correct", "none")


def test_batch_line_not_in_utf8_is_an_error_line_and_the_others_are_graded(tmp_path):
    source = tmp_path / "answers.jsonl"
    good = json.dumps({"id": QID, "answer": GOOD}).encode()
    source.write_bytes(good + b"\n" + '{"id": "x", "answer": "caf\u00e9"}'.encode("latin-1") + b"\n" + good + b"\n")
    result = tutor("grade", "--batch", str(source))
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert [(r["line"], r.get("verdict"), r.get("error")) for r in rows] == [
        (1, "correct", None), (2, None, "not UTF-8 text"), (3, "correct", None)]


def test_batch_csv_not_in_utf8_is_a_one_line_usage_error(tmp_path):
    source = tmp_path / "answers.csv"
    source.write_bytes(f"id,answer\n{QID},caf\u00e9 gates\n".encode("latin-1"))
    result = tutor("grade", "--batch", str(source))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == f"error: cannot read {source}: not UTF-8 text (save it as UTF-8 CSV)"


def test_batch_missing_file_is_a_usage_error(tmp_path):
    result = tutor("grade", "--batch", str(tmp_path / "none.jsonl"))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_a_large_batch_graded_by_several_workers_matches_one_by_one():
    from tutor.batch import grade_lines
    from tutor.content import find, load
    from tutor.paths import bundled_content

    questions = load([bundled_content()])
    ids = [q.id for q in questions]
    rows = [(n, json.dumps({"id": ids[n % len(ids)], "answer": f"{GOOD} ({n})", "n": n})) for n in range(1, 300)]
    rows += [(300, "{not json"), (301, {"id": "nope", "answer": "x"}),
             (302, {"reference": "gates control the cell", "answer": "the gates control it"})]
    lookup = lambda qid: find(questions, qid)  # noqa: E731
    alone = list(grade_lines(iter(rows), lookup, workers=1))
    shared = list(grade_lines(iter(rows), lookup, workers=2, parallel_from=10))
    assert shared == alone
    assert [json.loads(line)["line"] for _, line in shared] == list(range(1, 303))
    assert [failed for failed, _ in shared].count(True) == 2


def test_grading_a_batch_makes_no_reference_cycles():
    """Workers grade with the garbage collector off: that is safe only while grading frees all it makes."""
    import gc

    from tutor import batch
    from tutor.content import find, load
    from tutor.paths import bundled_content

    questions = load([bundled_content()])
    rows = [json.dumps({"id": q.id, "answer": f"{GOOD} (not {q.id})"}) for q in questions]
    rows += ["{not json", "[1]", json.dumps({"id": "nope", "answer": "x"}), json.dumps({"answer": 3}),
             json.dumps({"reference": "gates control the cell", "answer": "the gates do not control it"})]
    batch._lookup = lambda qid: find(questions, qid)
    gc.collect()
    gc.disable()
    try:
        lines = [batch._line((n, row)) for n, row in enumerate(rows, 1)]
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert [failed for failed, _ in lines].count(True) == 4
