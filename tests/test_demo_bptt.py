"""The BPTT demo's claims: the hand-written backward loop is backprop, W_hh's gradient is a sum over steps,
and truncation changes the gradient unless the window covers the whole sequence."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

from tutor.demos import bptt as demo


@pytest.fixture(scope="module")
def result() -> demo.Result:
    return demo.run(demo.Config(**demo.QUICK))


def test_hand_written_bptt_matches_autograd(result):
    assert result.max_abs_diff < 1e-10
    assert set(result.diffs) == {"W_xh", "W_hh", "b", "W_hy"}
    assert all(diff < 1e-10 for diff in result.diffs.values())


@pytest.mark.parametrize("steps, hidden, k", [(1, 3, None), (7, 5, None), (7, 5, 3), (12, 4, 1), (6, 2, 6)])
def test_bptt_by_hand_matches_autograd_for_any_size_and_window(steps, hidden, k):
    torch.manual_seed(1)
    params = demo.init_params(2, hidden, 3)
    x = torch.randn(steps, 2, dtype=torch.float64)  # (T, D)
    z = torch.randn(steps, 3, dtype=torch.float64)  # (T, O)
    hand, _ = demo.bptt_by_hand(params, x, z, k)
    _, auto = demo.autograd_grads(params, x, z, k)
    assert demo.max_diff(hand, auto) < 1e-10


def test_shared_weight_gradient_is_the_sum_of_per_step_contributions(result):
    assert len(result.step_norms) == result.steps
    assert result.sum_of_steps_diff < 1e-10
    # The contributions point in different directions, so their norms add up to more than the total's.
    assert result.sum_of_step_norms >= result.total_norm


def test_truncation_changes_the_gradient_unless_the_window_covers_the_sequence(result):
    shorter = [row for row in result.truncated if row["k"] < result.steps]
    covering = [row for row in result.truncated if row["k"] >= result.steps]
    assert shorter and covering
    for row in shorter:
        assert row["rel_diff"] > 1e-3 and row["cosine"] < 1 - 1e-6
    for row in covering:
        assert row["rel_diff"] < 1e-12 and row["cosine"] == pytest.approx(1.0, abs=1e-12)
    for row in result.truncated:  # the hand loop and autograd-with-detach truncate the same way
        assert row["max_abs_diff"] < 1e-10
    assert result.trunc_rel_diff > 1e-3


def test_lesson_cites_the_computed_numbers(result):
    lesson = demo.report(result).lesson
    assert f"{result.max_abs_diff:.1e}" in lesson
    assert f"{100 * result.trunc_rel_diff:.0f}%" in lesson
    assert f"k={result.k}" in lesson


def test_report_has_the_step_contributions_plot(result):
    plot = demo.report(result).plots[0]
    (series,) = plot.series
    assert series.x == [float(t) for t in range(1, result.steps + 1)]
    assert series.y == result.step_norms


def test_result_is_json_and_reproducible(result):
    json.dumps(dataclasses.asdict(result), allow_nan=False)
    assert demo.run(demo.Config(**demo.QUICK)) == result
