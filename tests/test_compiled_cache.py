"""The compiled-aliases cache used by `tutor grade --batch`: used when valid, rebuilt when not, never an error."""

import pytest

from tutor import compiled_cache, grading
from tutor.content import load
from tutor.paths import bundled_content

ANSWER = "Unroll the RNN over time and backprop through it; the shared weights sum their gradients."


@pytest.fixture()
def questions():
    grading._by_question.clear()
    yield load([bundled_content()])
    grading._by_question.clear()


def compiles(monkeypatch) -> list:
    """Record each compile from here on."""
    calls = []
    real = grading._compile.__wrapped__

    def counting(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(grading, "_compile", counting)
    return calls


def test_a_second_batch_reads_the_compiled_aliases_instead_of_compiling(tmp_path, questions, monkeypatch):
    q = next(q for q in questions if q.id == "backpropagation-through-time")
    compiled_cache.prepare_all(questions, tmp_path)
    expected = grading.grade(ANSWER, q)
    grading._by_question.clear()
    calls = compiles(monkeypatch)
    compiled_cache.prepare_all(questions, tmp_path)
    assert grading.grade(ANSWER, q) == expected
    assert calls == []


def test_a_changed_grader_or_a_damaged_file_means_compiling_again(tmp_path, questions, monkeypatch):
    compiled_cache.prepare_all(questions, tmp_path)
    grading._by_question.clear()
    calls = compiles(monkeypatch)
    monkeypatch.setattr(compiled_cache, "_stamp", lambda: "another grader")
    compiled_cache.prepare_all(questions, tmp_path)
    assert len(calls) == len(questions)
    (tmp_path / "matchers.pickle").write_bytes(b"not a pickle")
    grading._by_question.clear()
    compiled_cache.prepare_all(questions, tmp_path)  # no error: compiled, and the file rewritten
    assert len(calls) == 2 * len(questions)


def test_a_damaged_entry_means_compiling_that_question(tmp_path, questions, monkeypatch):
    import pickle

    q = next(q for q in questions if q.id == "backpropagation-through-time")
    compiled_cache.prepare_all(questions, tmp_path)
    expected = grading.grade(ANSWER, q)
    path = tmp_path / "matchers.pickle"
    stamp, stored = pickle.loads(path.read_bytes())
    stored[q.content_hash] = b"damaged"
    path.write_bytes(pickle.dumps((stamp, stored)))
    grading._by_question.clear()
    calls = compiles(monkeypatch)
    compiled_cache.prepare_all(questions, tmp_path)
    assert calls == []  # entries are read when their question is graded ...
    assert grading.grade(ANSWER, q) == expected
    assert len(calls) == 1  # ... and this one could not be
