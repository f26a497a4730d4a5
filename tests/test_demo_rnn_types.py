"""The rnn-types demo: five input/output patterns, one-to-one without recurrence, two kinds of many-to-many."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tutor.demos import rnn_types


@pytest.fixture(scope="module")
def result():
    return rnn_types.run(rnn_types.Config(**rnn_types.QUICK))


@pytest.mark.parametrize(("kind", "input", "output", "recurrent"), [
    # Config: B=2, T_in=6, T_out=4, F=5, C=3, V=10.
    ("one-to-one", "(2, 5)", "(2, 3)", False),
    ("one-to-many", "(2, 5)", "(2, 4, 10)", True),
    ("many-to-one", "(2, 6, 5)", "(2, 3)", True),
    ("many-to-many, aligned", "(2, 6, 5)", "(2, 6, 3)", True),
    ("many-to-many, encoder-decoder", "(2, 6, 5)", "(2, 4, 10)", True),
])
def test_shapes_and_recurrence_per_type(result, kind, input, output, recurrent):
    row = {row["type"]: row for row in result.rows}[kind]
    assert (row["input"], row["output"], row["recurrent"]) == (input, output, recurrent)
    assert row["use"]


def test_one_to_one_needs_no_recurrence(result):
    assert result.one_to_one_recurrent is False


def test_the_two_kinds_of_many_to_many(result):
    assert result.aligned_keeps_length
    assert result.seq2seq_lengths_differ
    assert result.out_steps != result.in_steps


def test_encoder_decoder_output_length_is_set_by_the_decoder(result):
    assert len(result.seq2seq_out_steps_by_in_steps) == 2
    assert set(result.seq2seq_out_steps_by_in_steps.values()) == {result.out_steps}


def test_lesson_cites_the_computed_figures(result):
    lesson = rnn_types.report(result).lesson
    one = result.rows[0]
    assert str(one["parameters"]) in lesson
    assert f"decodes {result.out_steps}" in lesson
    assert "no recurrence" in lesson


def test_result_is_plain_json(result):
    json.dumps(dataclasses.asdict(result))
