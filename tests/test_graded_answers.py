"""The grader against answers labelled by a fair teacher (tests/data/graded_answers/*.jsonl).

The answers were written without looking at the questions' concepts, as learners would write them.
"""

import json
from collections import defaultdict
from pathlib import Path

from tutor.content import load
from tutor.grading import grade
from tutor.paths import bundled_content

DATA = Path(__file__).parent / "data" / "graded_answers"
MIN_AGREEMENT = 0.90


def graded_rows() -> list[dict]:
    """The labelled answers, every file's rows in order."""
    return [json.loads(line) for path in sorted(DATA.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_agreement_with_human_verdicts_is_at_least_90_percent(capsys):
    questions = {q.id: q for q in load([bundled_content()])}
    rows = graded_rows()
    per_topic = defaultdict(lambda: [0, 0])
    disagreements = []
    for row in rows:
        question = questions[row["id"]]
        verdict = grade(row["answer"], question).verdict.value
        per_topic[question.topic][0] += verdict == row["verdict"]
        per_topic[question.topic][1] += 1
        if verdict != row["verdict"]:
            disagreements.append(f"  {row['id']} [{row['kind']}] human={row['verdict']} grader={verdict}")
    agree = sum(a for a, _ in per_topic.values())
    with capsys.disabled():
        print(f"\ngrader agreement with human verdicts: {agree}/{len(rows)} = {agree / len(rows):.1%}")
        for topic, (a, n) in sorted(per_topic.items()):
            print(f"  {topic:<16} {a}/{n} = {a / n:.0%}")
        print("\n".join(disagreements))
    assert len(rows) >= 80
    assert agree / len(rows) >= MIN_AGREEMENT
