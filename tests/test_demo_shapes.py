"""The shapes demo: the documented shape rules hold for nn.RNN, nn.LSTM and nn.GRU, and L sets no parameter."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tutor.demos import shapes


@pytest.fixture(scope="module")
def result():
    return shapes.run(shapes.Config(**shapes.QUICK))


def dims(text: str) -> tuple[int, ...]:
    """'(2, 4, 16)' -> (2, 4, 16)"""
    return tuple(int(d) for d in text.strip("()").split(",") if d.strip())


@pytest.mark.parametrize(("name", "output", "h_n", "c_n"), [
    # The reference figures: x is (4, 7, 8), hidden size 16.
    ("LSTM, batch_first, 2 layers", "(4, 7, 16)", "(2, 4, 16)", "(2, 4, 16)"),
    ("LSTM, batch_first, bidirectional", "(4, 7, 32)", "(2, 4, 16)", "(2, 4, 16)"),
    ("LSTM, seq-first", "(7, 4, 16)", "(1, 4, 16)", "(1, 4, 16)"),
    ("GRU, batch_first", "(4, 7, 16)", "(1, 4, 16)", ""),
    ("RNN, batch_first, bidirectional", "(4, 7, 32)", "(2, 4, 16)", ""),
    ("LSTM, unbatched", "(7, 16)", "(1, 16)", "(1, 16)"),
])
def test_reference_shapes(result, name, output, h_n, c_n):
    row = {row["name"]: row for row in result.rows}[name]
    assert (row["output"], row["h_n"], row["c_n"]) == (output, h_n, c_n)


def test_every_cell_and_layout_is_covered(result):
    names = {row["name"] for row in result.rows}
    for cell in ("RNN", "LSTM", "GRU"):
        for variant in ("seq-first", "batch_first", "batch_first, 2 layers", "batch_first, bidirectional"):
            assert f"{cell}, {variant}" in names


def test_batched_input_has_three_dims_with_batch_where_batch_first_says(result):
    for row in result.rows:
        if not row["batched"]:
            assert len(dims(row["input"])) == 2
            continue
        N_axis = 0 if row["batch_first"] else 1
        assert len(dims(row["input"])) == 3
        assert dims(row["input"])[N_axis] == result.batch
        assert dims(row["output"])[N_axis] == result.batch
        assert dims(row["output"])[-1] == row["D"] * result.hidden_size


def test_h_n_is_never_batch_first(result):
    for row in result.rows:
        if row["batched"]:
            assert dims(row["h_n"]) == (row["D"] * row["num_layers"], result.batch, result.hidden_size), row["name"]
    assert result.h_n_never_batch_first


def test_c_n_only_for_lstm_and_shaped_like_h_n(result):
    for row in result.rows:
        assert (row["c_n"] == row["h_n"]) if row["cell"] == "LSTM" else (row["c_n"] == "")
    assert result.c_n_same_as_h_n


def test_all_rules_and_checks_hold(result):
    assert result.all_follow_rule
    assert result.last_output_is_top_h_n


def test_parameter_count_does_not_depend_on_sequence_length(result):
    assert result.param_lengths[0] != result.param_lengths[1]
    assert result.param_counts[0] == result.param_counts[1] == 3840  # 2-layer LSTM(8, 16)
    assert result.params_independent_of_length


def test_lesson_cites_the_computed_figures(result):
    lesson = shapes.report(result).lesson
    assert str(result.param_counts[0]) in lesson
    assert "(2, 4, 16)" in lesson and "(4, 7, 32)" in lesson


def test_report_has_a_row_per_configuration(result):
    first = shapes.report(result).tables[0]
    assert len(first.rows) == len(result.rows)


def test_result_is_plain_json(result):
    json.dumps(dataclasses.asdict(result))
