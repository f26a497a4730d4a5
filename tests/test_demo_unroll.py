"""The unroll demo: a hand loop reproduces nn.RNN, and tied weights keep the parameter count fixed."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tutor.demos import unroll


@pytest.fixture(scope="module")
def result():
    return unroll.run(unroll.Config(**unroll.QUICK))


def test_hand_written_loop_matches_nn_rnn(result):
    assert result.max_abs_diff < 1e-6
    assert result.matches


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_match_does_not_depend_on_the_seed(seed):
    assert unroll.run(unroll.Config(**unroll.QUICK, seed=seed)).max_abs_diff < 1e-6


def test_rnn_parameter_count_is_constant_across_lengths(result):
    assert result.rnn_params_constant
    I, H = result.input_size, result.hidden
    assert result.rnn_params == [H * I + H * H + 2 * H] * len(result.window_lengths)


def test_window_mlp_grows_with_length(result):
    assert result.mlp_params_grow
    assert all(a < b for a, b in zip(result.mlp_params, result.mlp_params[1:]))
    I, H = result.input_size, result.hidden
    assert result.mlp_params == [T * I * H + H for T in result.window_lengths]


def test_untying_the_weights_multiplies_them_by_t(result):
    assert result.untied_params == [T * result.rnn_params[0] for T in result.window_lengths]


def test_window_mlp_cannot_read_another_length(result):
    assert result.mlp_rejects_other_length


def test_lesson_cites_the_computed_figures(result):
    lesson = unroll.report(result).lesson
    assert f"{result.max_abs_diff:.1e}" in lesson
    assert str(result.rnn_params[0]) in lesson
    assert str(result.mlp_params[-1]) in lesson


def test_result_is_plain_json(result):
    json.dumps(dataclasses.asdict(result))
