"""The char-RNN demo's claims: a character-level LSTM's loss on its paragraph falls by at least half within
seconds, its samples turn into copies of the text, and the held-out end shows that this is memorisation."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tutor.demos import charrnn as demo
from tutor.errors import UsageError


@pytest.fixture(scope="module")
def result() -> demo.Result:
    return demo.run(demo.Config(**demo.QUICK))


def numbers(result: demo.Result) -> dict:
    """Everything but the wall-clock time."""
    return {k: v for k, v in dataclasses.asdict(result).items() if k != "seconds"}


def test_built_in_text_and_its_encoding():
    text, source = demo.load_text("")
    assert "Dickens" in source and text.startswith("It was the best of times")
    chars = sorted(set(text))
    assert "".join(chars) == " ,-.DHILabcdefghiklmnoprstuvwy"  # as the module's comment says
    assert [chars.index(c) for c in "It was"] == [6, 25, 0, 28, 8, 24]


def test_loss_per_character_falls_by_at_least_half(result):
    assert result.train_bits[0] == pytest.approx(result.uniform_bits, abs=0.3)  # untrained: a uniform guess
    assert result.train_bits[-1] <= 0.5 * result.train_bits[0]
    assert not result.stopped_early and result.steps == demo.QUICK["steps"]


def test_samples_turn_from_noise_into_copies_of_the_text(result):
    assert len(result.sample_before) == len(result.sample_after) == demo.QUICK["sample_chars"]
    assert result.sample_before[0] == result.sample_after[0] == "I"
    assert result.copied_before <= 0.05
    assert result.copied_after >= 0.2
    assert result.longest_copy_after >= demo.COPY_N


def test_held_out_loss_rises_again_memorisation(result):
    assert len(result.heldout_bits) == len(result.train_bits) == len(result.eval_steps)
    assert result.heldout_bits[-1] > min(result.heldout_bits) + 0.5
    assert result.heldout_bits[-1] > result.train_bits[-1] + 2


@pytest.mark.parametrize("sample, text, expected", [
    ("abcdefghij", "xxabcdefghijxx", 10),
    ("abcdeXfghij", "abcde fghij", 5),
    ("", "abc", 0),
])
def test_longest_copy(sample, text, expected):
    assert demo.longest_copy(sample, text) == expected


def test_report_cites_the_numbers_and_plots_on_a_log_axis(result):
    rep = demo.report(result)
    for value in (result.train_bits[0], result.train_bits[-1], result.heldout_bits[-1]):
        assert f"{value:.2f}" in rep.lesson
    assert "memorisation, not language understanding" in rep.lesson
    (plot,) = rep.plots
    assert plot.log_y and all(y > 0 for series in plot.series for y in series.y)


def test_result_is_json_and_reproducible(result):
    json.dumps(dataclasses.asdict(result), allow_nan=False)
    assert numbers(demo.run(demo.Config(**demo.QUICK))) == numbers(result)


def test_ctrl_c_returns_the_results_so_far():
    def progress(step, total, metrics):
        if step >= 20:
            raise KeyboardInterrupt

    cfg = demo.Config(**demo.QUICK)
    stopped = demo.run(cfg, progress=progress)
    assert stopped.stopped_early and stopped.steps == 20
    assert stopped.eval_steps[-1] == 20 and len(stopped.train_bits) == len(stopped.heldout_bits)
    json.dumps(dataclasses.asdict(stopped), allow_nan=False)
    assert "20 steps" in str(demo.report(stopped).tables[0].columns)


def test_learns_the_learners_own_text(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("To be, or not to be, that is the question:\n" * 5, encoding="utf-8")
    out = demo.run(demo.Config(text=str(path), hidden=16, steps=3, sample_chars=20))
    assert out.source == str(path) and out.vocab == len(set(" ".join(path.read_text().split())))


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    (b"\xff\xfe not utf-8 " * 20, "not UTF-8"),
    (b"too short", "at least 100"),
])
def test_unusable_text_file_is_a_usage_error(tmp_path, content, message):
    path = tmp_path / "text.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UsageError, match=message) as info:
        demo.run(demo.Config(text=str(path)))
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("option, value", [("temperature", 0.0), ("holdout", 0.9)])
def test_bad_settings_are_usage_errors(option, value):
    with pytest.raises(UsageError, match=option):
        demo.run(demo.Config(**{option: value}))
