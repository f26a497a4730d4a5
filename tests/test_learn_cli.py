"""`tutor quiz`, `review` and `stats` as scripts and people use them: pipes, answer files, JSON, errors."""

import json
import sqlite3

import pytest

from helpers import tutor

BPTT = "backpropagation-through-time"
GOOD_BPTT = ("Unroll the RNN over the time steps and run ordinary backprop on it; the shared weights get the sum "
             "of the gradients from every step.")


def db_rows(home, sql):
    with sqlite3.connect(home / "tutor.db") as db:
        return db.execute(sql).fetchall()


def test_piped_quiz_takes_one_answer_per_line_and_accepts_the_suggested_rating(tutor_home):
    result = tutor("quiz", "--count", "2", "--seed", "3", "--json", input="I am not sure\nskip\n")
    assert result.returncode == 0, result.stderr
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["verdict"] == "incorrect" and row["rating"] == row["suggested"] == "again"
    assert db_rows(tutor_home, "SELECT answer, rating, mode FROM reviews") == [("I am not sure", 1, "quiz")]
    assert "Session summary" in result.stderr and "1 skipped" in result.stderr


def test_quiz_renders_the_question_feedback_and_summary_at_80_columns_without_colour(tutor_home):
    result = tutor("quiz", "--count", "1", "--topic", "gradients", "--seed", "1", input="unrolling and backprop\n")
    assert result.returncode == 0
    out = result.stdout
    for text in ("Question 1/1", "Model answer", "suggested rating", "Session summary", "tutor demo"):
        assert text in out
    assert "\x1b[" not in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_answers_file_drives_the_session_with_ratings_and_multiline_answers(tutor_home, tmp_path):
    answers = tmp_path / "answers.jsonl"
    answers.write_text("\n".join(json.dumps(row) for row in [
        {"id": BPTT, "answer": GOOD_BPTT.replace("; ", ";\n"), "rating": 4},
        {"id": "cnn-vs-rnn", "answer": "no idea", "rating": "hard"},
    ]) + "\n")
    result = tutor("quiz", "--answers", str(answers), "--json")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["verdict"], r["rating"]) for r in rows] == [(BPTT, "correct", "easy"),
                                                                    ("cnn-vs-rnn", "incorrect", "hard")]
    stored = db_rows(tutor_home, "SELECT question_id, answer, suggested, rating, overridden FROM reviews ORDER BY id")
    assert stored == [(BPTT, GOOD_BPTT.replace("; ", ";\n"), 3, 4, 1), ("cnn-vs-rnn", "no idea", 1, 2, 1)]


def test_a_bad_answers_file_is_one_line(tmp_path):
    answers = tmp_path / "answers.jsonl"
    answers.write_text('{"id": "x"}\n')
    result = tutor("quiz", "--answers", str(answers))
    assert result.returncode == 2
    assert result.stderr.strip() == f'error: {answers}:1: expected {{"id": ..., "answer": ..., "rating": 1-4 (optional)}}'


def test_review_then_nothing_due_says_when_and_offers_cram(tutor_home, tmp_path):
    first = tutor("review", "--new", "1", "--json", input=GOOD_BPTT + "\n")
    assert first.returncode == 0, first.stderr
    assert len(first.stdout.splitlines()) == 1
    again = tutor("review", "--new", "0")
    assert again.returncode == 0
    assert "Nothing is due. The next question is due in" in again.stdout
    assert "tutor review --cram" in again.stdout
    cram = tutor("review", "--cram", "--count", "1", "--seed", "2", "--json", input="whatever\n")
    assert json.loads(cram.stdout)["mode"] == "cram"
    assert db_rows(tutor_home, "SELECT count(*) FROM cards") == [(1,)]


def test_stats_json_reports_totals_streak_forecast_mastery_and_orphans(tutor_home, tmp_path):
    answers = tmp_path / "a.jsonl"
    answers.write_text(json.dumps({"id": BPTT, "answer": GOOD_BPTT}) + "\n")
    tutor("quiz", "--answers", str(answers))
    with sqlite3.connect(tutor_home / "tutor.db") as db:  # a question whose file was deleted since
        db.execute("INSERT INTO reviews (question_id, content_hash, answer, grade_json, verdict, score, suggested,"
                   " rating, overridden, seconds, reviewed_at, scheduled, mode) SELECT 'deleted-question',"
                   " content_hash, answer, grade_json, verdict, score, suggested, rating, overridden, seconds,"
                   " reviewed_at, 0, 'cram' FROM reviews")
    data = json.loads(tutor("stats", "--json").stdout)
    assert data["totals"]["reviews"] == 2 and data["streak_days"] == 1
    assert sum(data["answers_per_day"].values()) == 2
    assert len(data["due_forecast_14d"]) == 14
    assert {m["topic"] for m in data["mastery"]} >= {"gradients", "rnn-basics"}
    assert data["orphans"] == ["deleted-question"]
    listed = tutor("stats", "--orphans")
    assert "deleted-question" in listed.stdout


def test_stats_screen_fits_80_columns(tutor_home):
    tutor("quiz", "--count", "1", "--seed", "1", input="something\n")
    result = tutor("stats")
    assert result.returncode == 0
    assert "Answers per day, last 12 weeks" in result.stdout and "Due in the next 14 days" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_list_shows_due_counts_per_topic(tutor_home, tmp_path):
    answers = tmp_path / "a.jsonl"
    answers.write_text(json.dumps({"id": BPTT, "answer": "no idea"}) + "\n")
    tutor("quiz", "--answers", str(answers))
    with sqlite3.connect(tutor_home / "tutor.db") as db:
        db.execute("UPDATE cards SET due = '2000-01-01T00:00:00.000000Z'")
    out = tutor("list").stdout
    assert "1 due)" in next(line for line in out.splitlines() if line.strip().startswith("gradients ("))
    assert "1 due now: tutor review" in out


@pytest.mark.parametrize("content, message", [
    (bytes(range(256)) * 8, "is not a tutor database (damaged or another program's file); it was left untouched"),
    (None, "was written by a newer version of tutor (schema 99"),
])
def test_a_damaged_or_newer_database_is_one_line_and_left_unchanged(tutor_home, content, message):
    tutor_home.mkdir(parents=True)
    path = tutor_home / "tutor.db"
    if content is None:
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE migrations (number INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
            db.execute("PRAGMA user_version = 99")
        db.close()
    else:
        path.write_bytes(content)
    before = path.read_bytes()
    for command in (["quiz"], ["review"], ["stats"]):
        result = tutor(*command, input="x\n")
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert path.read_bytes() == before


def test_a_home_that_cannot_be_created_is_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = tutor("quiz", "--home", str(blocker / "home"), input="x\n")
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: cannot create the data folder {blocker / 'home'}")
