"""The copy-task demo's claims, on the quick config (2 symbols, a delay of 20): trained on the same batches,
an LSTM whose forget gate is opened learns to recall across the delay, a tanh RNN and an LSTM with PyTorch's
default init do not; the result is JSON, reproducible, and Ctrl-C returns what was learnt so far."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
import torch

from tutor.demos import copy as demo

SHORT = {**demo.QUICK, "steps": 30, "every": 10, "test": 100}  # for what needs no trained model


@pytest.fixture(scope="module")
def result() -> demo.Result:  # on one thread: see conftest.py
    return demo.run(demo.Config(**demo.QUICK))


@pytest.fixture(scope="module")
def models(result) -> dict[str, dict]:
    return {m["key"]: m for m in result.models}


def test_a_sequence_is_symbols_delay_marker_then_recall_steps():
    tokens, symbols = demo.make_batch(2, 3, 4, 8, torch.Generator().manual_seed(0))  # K=3, T=4, A=8
    blank, marker = 8, 9
    assert tokens.shape == (2, 3 + 4 + 3) and symbols.shape == (2, 3)
    assert torch.equal(tokens[:, :3], symbols)
    assert (tokens[:, 3:7] == blank).all() and (tokens[:, 7] == marker).all() and (tokens[:, 8:] == blank).all()


def test_the_two_lstms_differ_only_in_the_forget_gate_bias():
    cfg = demo.Config(hidden=4)
    H = cfg.hidden
    (_, _, _), (_, _, lstm), (_, _, opened) = demo.make_models(cfg)
    others = dict(opened.named_parameters())
    for name, p in lstm.named_parameters():
        if name.startswith("cell.bias"):  # [input, forget, cell, output] chunks of H
            assert torch.equal(p[:H], others[name][:H]) and torch.equal(p[2 * H:], others[name][2 * H:])
        else:
            assert torch.equal(p, others[name])
    forget = opened.cell.bias_ih_l0[H:2 * H] + opened.cell.bias_hh_l0[H:2 * H]
    assert torch.allclose(forget, torch.full((H,), cfg.forget_bias))


def test_opened_lstm_recalls_at_least_40_points_more_than_the_tanh_rnn(models):
    assert models["open"]["accuracy"] - models["rnn"]["accuracy"] >= 0.40


def test_default_lstm_stays_a_memoryless_guess(result, models):
    assert models["lstm"]["accuracy"] < 0.2  # chance 1/8
    assert models["lstm"]["cross_entropy"] > 0.95 * result.baseline
    assert models["open"]["cross_entropy"] < 0.25 * result.baseline


def test_baselines_are_chance_and_ln_of_the_alphabet(result):
    assert result.chance == pytest.approx(1 / 8)
    assert result.baseline == pytest.approx(math.log(8))


def test_every_model_gets_the_same_updates_and_a_whole_curve(result):
    steps = {m["steps"] for m in result.models}
    assert len(steps) == 1  # training stops for all once one model reaches the target
    [done] = steps
    reached = [m["reached"] for m in result.models if m["reached"] is not None]
    assert done == (min(reached) if reached else result.steps)
    for m in result.models:
        assert m["history_steps"][-1] == done
        assert len(m["history"]) == len(m["history_steps"])
        assert all(0 <= a <= 1 for a in m["history"])


def test_lesson_cites_the_computed_accuracies(result, models):
    lesson = demo.report(result).lesson
    for key in ("rnn", "lstm", "open"):
        assert f"{models[key]['accuracy']:.1%}" in lesson
    assert f"{result.baseline:.3f}" in lesson


def test_result_is_json(result):
    json.dumps(dataclasses.asdict(result), allow_nan=False)
    assert not result.stopped_early


def test_same_seed_same_result():
    assert demo.run(demo.Config(**SHORT)) == demo.run(demo.Config(**SHORT))


def test_ctrl_c_during_training_returns_the_results_so_far():
    seen = []

    def progress(step: int, total: int, metrics: dict) -> None:
        seen.append((step, metrics))
        raise KeyboardInterrupt  # as Ctrl-C would, at the first report

    result = demo.run(demo.Config(**SHORT), progress=progress)
    assert result.stopped_early
    stopped_at = seen[-1][0]
    assert 0 < stopped_at < result.steps
    assert set(seen[-1][1]) == {"rnn", "lstm", "open"}  # recall and loss per model
    assert all(m["steps"] == stopped_at == m["history_steps"][-1] for m in result.models)
    json.dumps(dataclasses.asdict(result), allow_nan=False)
    assert demo.report(result).lesson
