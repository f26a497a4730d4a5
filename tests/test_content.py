"""Loading and validating question files: every problem reported, with its file, line and a hint."""

from pathlib import Path

import pytest

from tutor.content import TOPIC_ORDER, check, load
from tutor.errors import ContentError
from tutor.paths import bundled_content

VALID = """\
---
id: sample
topic: gradients
tags: [clipping]
difficulty: 2
demo: vanishing
source: original
concepts:
  - name: clip the norm
    aliases: ["clip [the] gradient norm"]
    required: true
  - name: keep the direction
    aliases: ["(keep|same) direction"]
    weight: 0.5
misconceptions:
  - pattern: "clipping fixes vanishing"
    feedback: "It does not."
---

## Question

What is gradient clipping?

## Answer

Rescaling the gradient when its norm is too large.
"""

KNOWN_DEMOS = {"vanishing"}


def write(root: Path, text: str, name: str = "sample", topic: str = "gradients") -> Path:
    path = root / topic / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    return [str(p).replace(str(path), "F") for p in check([tmp_path], KNOWN_DEMOS).problems]


def test_a_valid_file_loads_every_field(tmp_path):
    write(tmp_path, VALID)
    [q] = load([tmp_path], KNOWN_DEMOS)
    assert (q.id, q.topic, q.tags, q.difficulty, q.demo, q.source) == (
        "sample", "gradients", ("clipping",), 2, "vanishing", "original")
    assert q.text == "What is gradient clipping?"
    assert q.answer == "Rescaling the gradient when its norm is too large."
    assert [(c.name, c.weight, c.required) for c in q.concepts] == [
        ("clip the norm", 1.0, True), ("keep the direction", 0.5, False)]
    assert q.misconceptions[0].patterns == ("clipping fixes vanishing",)


@pytest.mark.parametrize("old, new, expected", [
    ("tags: [clipping]", "tgas: [clipping]", "F:4: unknown key 'tgas' (did you mean 'tags'?)"),
    ("demo: vanishing\n", "", "F:1: missing key 'demo' (add 'demo:' to the front matter)"),
    ("difficulty: 2", "difficulty: hard", "F:5: 'difficulty' must be a whole number, not text"),
    ("difficulty: 2", "difficulty: 5", "F:5: difficulty must be 1, 2 or 3, not 5 (1 easy, 2 medium, 3 hard)"),
    ("id: sample", "id: other", "F:2: id 'other' does not match the file name 'sample.md' (rename the file to other.md)"),
    ("id: sample", "id: Sample_1", "F:2: id 'Sample_1' is not lower-case words joined by hyphens (e.g. 'lstm-forget-gate')"),
    ("topic: gradients", "topic: convolution",
     "F:3: topic 'convolution' does not match the folder 'gradients' (move the file to {root}/convolution/ or change the topic)"),
    ("tags: [clipping]", "tags: clipping", "F:4: 'tags' must be a list, not text"),
    ("demo: vanishing", "demo: vanishin", "F:6: demo 'vanishin' does not exist (did you mean 'vanishing'?)"),
    ("demo: vanishing", "demo: lstm-magic",
     "F:6: demo 'lstm-magic' does not exist (run `tutor demo list` for the names, or write 'demo: none')"),
    ('    aliases: ["clip [the] gradient norm"]', '    aliases: ["clip [the gradient norm"]',
     "F:9: concept 'clip the norm': missing ']' (see 'Aliases' in content/README.md)"),
    ("    weight: 0.5", "    weight: heavy", "F:12: concept key 'weight' must be a whole number or a number, not text"),
    ("    required: true", "    requried: true", "F:9: unknown concept key 'requried' (known keys: name, aliases, weight, required)"),
    ('    feedback: "It does not."', "", "F:16: misconception without 'feedback' (add 'feedback:')"),
    ("## Question\n\nWhat is gradient clipping?\n", "",
     "F:1: missing '## Question' section (add a line '## Question' and the text under it)"),
    ("## Answer", "## Answers",
     "F:24: unknown section '## Answers' (sections: Question, Answer, Seed answer, Correction, Notes; use ### inside one)"),
    ("source: original", "source: seed Q3",
     "F:7: seed question without a '## Seed answer' section (seed questions keep the seed's answer verbatim and say what it gets wrong)"),
])
def test_each_kind_of_problem_has_an_exact_message(tmp_path, old, new, expected):
    assert old in VALID
    assert expected.format(root=tmp_path) in problems_of(tmp_path, VALID.replace(old, new))


def test_empty_concept_list(tmp_path):
    text = VALID[:VALID.index("concepts:")] + "concepts: []\n" + VALID[VALID.index("misconceptions:"):]
    assert "F:8: empty concept list (list the key ideas a good answer states, each with aliases)" in problems_of(tmp_path, text)


def test_broken_yaml_names_its_line(tmp_path):
    [problem] = problems_of(tmp_path, VALID.replace("tags: [clipping]", "tags: [clipping"))
    assert problem.startswith("F:") and "broken YAML" in problem
    assert "(check indentation, colons and quotes)" in problem


def test_python_tags_are_an_error_not_code(tmp_path):
    text = VALID.replace("source: original", "source: !!python/object/apply:os.system ['touch pwned']")
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith("F:7: broken YAML: ")
    assert not Path("pwned").exists()


@pytest.mark.parametrize("text, expected", [
    ("no front matter\n", "F:1: missing front matter (start the file with a line '---', the YAML keys, then '---')"),
    ("---\nid: x\n", "F:1: front matter is not closed (add a line '---' after the YAML keys)"),
    ("---\n- a\n- b\n---\n", "F:2: front matter must be YAML keys and values (e.g. 'id: my-question')"),
])
def test_malformed_files(tmp_path, text, expected):
    assert problems_of(tmp_path, text) == [expected]


def test_all_problems_in_all_files_are_reported_in_one_run(tmp_path):
    write(tmp_path, VALID.replace("tags: [clipping]", "tgas: x").replace("difficulty: 2", "difficulty: 9"))
    write(tmp_path, VALID.replace("id: sample", "id: second"), name="second")
    write(tmp_path, "broken", name="third")
    report = check([tmp_path], KNOWN_DEMOS)
    assert len(report.problems) == 3
    assert [q.id for q in report.questions] == ["second"]


def test_duplicate_ids_across_folders_name_both_places(tmp_path):
    first = write(tmp_path / "a", VALID)
    second = write(tmp_path / "b", VALID)
    report = check([tmp_path / "a", tmp_path / "b"], KNOWN_DEMOS)
    assert [str(p) for p in report.problems] == [
        f"{second}:2: duplicate id 'sample' (also used at {first}:2; ids must be unique)"]


def test_load_raises_with_every_error(tmp_path):
    write(tmp_path, VALID.replace("difficulty: 2", "difficulty: 7").replace("tags: [clipping]", "tgas: []"))
    with pytest.raises(ContentError) as info:
        load([tmp_path], KNOWN_DEMOS)
    assert len(info.value.problems) == 2
    assert "(and 1 more; run `tutor check`)" in str(info.value)


def test_the_bundled_bank_is_clean_and_holds_the_ten_seed_questions():
    from tutor.demos import DEMOS

    report = check([bundled_content()], set(DEMOS))
    assert report.problems == []
    seeds = sorted(q.source for q in report.questions if q.is_seed)
    assert seeds == sorted(f"seed Q{n}" for n in range(1, 11))
    for q in report.questions:
        if q.is_seed:
            assert q.seed_answer and q.correction and q.references, q.id
            assert 3 <= len(q.concepts) <= 8, q.id
            assert "^{" not in q.text, q.id


def test_questions_come_in_learning_order():
    topics = [q.topic for q in load([bundled_content()])]
    ranks = [TOPIC_ORDER.index(t) if t in TOPIC_ORDER else len(TOPIC_ORDER) for t in topics]
    assert ranks == sorted(ranks)
