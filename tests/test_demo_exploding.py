"""The exploding-gradient demo's claims: the gradient through time grows geometrically with the recurrent
gain, clip_grad_norm_ rescales a huge gradient to the threshold without turning it, and clipping lets SGD
train from an exploding init where plain SGD stays at chance."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
import torch

from tutor.demos import exploding as demo


@pytest.fixture(scope="module")
def result() -> demo.Result:  # on one thread: see conftest.py
    return demo.run(demo.Config(**demo.QUICK))


@pytest.fixture(scope="module")
def runs(result) -> dict[bool, dict]:
    return {run["clipped"]: run for run in result.runs}


def test_gradient_ratio_grows_with_the_gain_and_spans_orders_of_magnitude(result):
    assert result.gains == [0.5, 1.0, 2.0, 3.0] and result.length == 50
    assert all(a < b for a, b in zip(result.ratios, result.ratios[1:]))
    assert result.ratios[0] < 1e-10 and result.ratios[-1] > 1e5  # gain 0.5 vanishes, gain 3 explodes
    assert result.ratios[-1] / result.ratios[0] > 1e20


def test_curves_are_normalised_and_plottable_on_a_log_axis(result):
    for norms, ratio, per_step in zip(result.norms, result.ratios, result.per_step):
        assert len(norms) == result.length
        assert norms[-1] == pytest.approx(1.0) and norms[0] == ratio
        assert per_step == pytest.approx(ratio ** (1 / (result.length - 1)))
    plot = demo.report(result).plots[0]
    assert plot.log_y
    assert all(0 < y < math.inf for series in plot.series for y in series.y)


def test_clip_grad_norm_rescales_to_the_threshold_and_keeps_the_direction(result):
    assert result.clip_before > 1e6 * result.threshold
    assert result.clip_after == pytest.approx(result.threshold, rel=1e-9)
    assert result.clip_cosine == pytest.approx(1.0, abs=1e-9)


def test_clipping_leaves_a_small_gradient_as_small_so_it_cannot_cure_vanishing():
    p = torch.nn.Parameter(torch.zeros(3))
    p.grad = torch.tensor([0.3, 0.0, 0.4])  # norm 0.5
    assert torch.nn.utils.clip_grad_norm_([p], 1.0).item() == pytest.approx(0.5)
    assert torch.equal(p.grad, torch.tensor([0.3, 0.0, 0.4]))


def test_clipping_lets_sgd_learn_from_an_exploding_init(result, runs):
    clipped, unclipped = runs[True], runs[False]
    assert clipped["final_loss"] < unclipped["final_loss"]
    assert clipped["final_loss"] < 0.5 * result.chance
    assert unclipped["final_loss"] > 0.9 * result.chance  # stuck at a guess
    assert unclipped["max_norm"] > 10 * result.threshold


def test_lesson_cites_the_computed_numbers(result, runs):
    lesson = demo.report(result).lesson
    assert f"{result.ratios[-1]:.0e}" in lesson
    assert f"{runs[True]['final_loss']:.3f}" in lesson
    assert f"{runs[False]['final_loss']:.2f}" in lesson
    assert "threshold/||g||" in lesson
    assert f"vanished to {result.ratios[0]:.0e}" in lesson


def test_result_is_json_and_reproducible(result):
    json.dumps(dataclasses.asdict(result), allow_nan=False)
    assert not result.stopped_early
    assert demo.run(demo.Config(**demo.QUICK)) == result


def test_ctrl_c_during_training_returns_the_results_so_far():
    seen = []

    def progress(step: int, total: int, metrics: dict) -> None:
        seen.append(step)
        if len(seen) == 3:
            raise KeyboardInterrupt

    result = demo.run(demo.Config(**demo.QUICK), progress=progress)
    assert result.stopped_early
    assert all(len(run["losses"]) == seen[-1] for run in result.runs)
    assert seen[-1] < demo.Config(**demo.QUICK).steps
    json.dumps(dataclasses.asdict(result), allow_nan=False)
    demo.report(result)
