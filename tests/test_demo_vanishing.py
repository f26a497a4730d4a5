"""The vanishing-gradient demo's claims: a tanh RNN's gradient vanishes over 50 steps, an LSTM's survives
once its forget gate is open, and for a sigmoid RNN the recurrent weights, not sigma' <= 0.25, decide."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from tutor.demos import vanishing as demo


@pytest.fixture(scope="module")
def result() -> demo.Result:
    return demo.run(demo.Config(**demo.QUICK))


@pytest.fixture(scope="module")
def cells(result) -> dict[str, dict]:
    return {cell["key"]: cell for cell in result.cells}


def test_quick_run_measures_50_steps(result):
    assert result.steps == 50
    assert all(len(cell["norms"]) == 50 for cell in result.cells)


@pytest.mark.parametrize("n, expected", [(10, 9.5e-7), (50, 7.9e-31)])
def test_seed_bound_on_sigmoid_derivative_products(result, n, expected):
    assert result.sigmoid_products[result.powers.index(n)] == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize("key", [
    "tanh",
    "lstm",  # PyTorch's init: the forget gate sits near 0.5
    "sigmoid-small",  # gamma * sigma_max < 1: vanishing is guaranteed
])
def test_gradient_vanishes_within_50_steps(cells, key):
    assert cells[key]["ratio"] < 1e-6


def test_lstm_with_forget_bias_5_keeps_the_gradient(cells):
    assert cells["lstm-forget-5"]["ratio"] > 0.1


def test_sigmoid_rnn_with_large_weights_explodes_although_its_derivative_is_at_most_a_quarter(cells):
    assert cells["sigmoid-large"]["ratio"] > 1


def test_pascanu_condition_separates_the_two_sigmoid_rnns(cells):
    small, large = cells["sigmoid-small"], cells["sigmoid-large"]
    assert small["gamma"] * small["sigma_max"] < 1 < large["gamma"] * large["sigma_max"]
    assert cells["tanh-orthogonal"]["sigma_max"] == pytest.approx(1.0)


def test_opening_the_forget_gate_raises_the_mean_gate(cells):
    assert cells["lstm"]["mean_forget"] == pytest.approx(0.5, abs=0.05)
    assert cells["lstm-forget-5"]["mean_forget"] > 0.99


def test_curves_are_normalised_and_plottable_on_a_log_axis(result):
    for cell in result.cells:
        assert cell["norms"][-1] == pytest.approx(1.0)
        assert cell["norms"][0] == cell["ratio"]
        assert cell["per_step"] == pytest.approx(cell["ratio"] ** (1 / (result.steps - 1)))
    (plot,) = demo.report(result).plots
    assert plot.log_y
    assert all(0 < y < math.inf for series in plot.series for y in series.y)


def test_lesson_cites_the_computed_ratios(result, cells):
    lesson = demo.report(result).lesson
    for key in ("tanh", "sigmoid-small", "sigmoid-large", "lstm"):
        assert f"{cells[key]['ratio']:.1e}" in lesson
    assert f"{cells['lstm-forget-5']['ratio']:.2f}" in lesson


def test_result_is_json_and_reproducible(result):
    json.dumps(dataclasses.asdict(result), allow_nan=False)
    assert demo.run(demo.Config(**demo.QUICK)) == result
