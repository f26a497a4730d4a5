"""The CNN-vs-RNN demo's claims: a 1-D CNN with global pooling takes sequences of any length (only a flatten +
dense head fixes it), and a CNN and a GRU both learn the same sequence task, far above chance."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
import torch

from tutor.demos import cnn_vs_rnn as demo
from tutor.errors import UsageError


@pytest.fixture(scope="module")
def result() -> demo.Result:
    return demo.run(demo.Config(**demo.QUICK))


@pytest.fixture(scope="module")
def models(result) -> dict[str, dict]:
    return {m["key"]: m for m in result.models}


def numbers(result: demo.Result) -> dict:
    """Everything but the timings, which differ from run to run."""
    data = dataclasses.asdict(result)
    for m in data["models"]:
        del m["ms"]
    return data


@pytest.mark.parametrize("key", ["cnn", "gru"])
def test_both_models_beat_chance_clearly_on_the_test_set(models, key):
    assert models[key]["accuracy"][0] >= 0.85  # trained length; chance is 50%
    assert models[key]["steps_done"] == demo.QUICK["steps"]


def test_cnn_with_global_pooling_takes_any_length():
    torch.manual_seed(0)
    cnn = demo.MotifCNN(kernel=5, channels=4)
    for length in (7, 300):
        x = torch.randint(0, 4, (3, length))  # (B, L)
        assert cnn(x).shape == (3,)  # one prediction per sequence, whatever L is


def test_every_trained_model_answers_at_every_length_and_the_cnn_stays_accurate(result, models):
    batch = min(demo.QUICK["test_seqs"], result.batch_for_timing)
    assert len(result.lengths) >= 3 and len(set(result.lengths)) == len(result.lengths)
    for key in ("cnn", "gru"):
        assert models[key]["outputs"] == [f"({batch},)"] * len(result.lengths)
    assert all(a >= 0.85 for a in models["cnn"]["accuracy"])


def test_only_a_flatten_head_fixes_the_length(models):
    outputs = models["flatten"]["outputs"]
    assert outputs[0].startswith("(")  # the length it was built for
    assert all(o.startswith("error: mat1 and mat2 shapes cannot be multiplied") for o in outputs[1:])


def test_parameter_counts_do_not_depend_on_the_length(models):
    C, k, H, A = 16, 5, 32, 4
    assert models["cnn"]["parameters"] == C * A * k + C + C + 1  # filters, their biases, the dense head
    assert models["gru"]["parameters"] == 3 * (H * A + H * H + 2 * H) + H + 1  # three gates' weights, head


@pytest.mark.parametrize("motif, length", [("GATA", 24), ("GATA", 200), ("AAAA", 30), ("CG", 12)])
def test_labels_say_whether_the_motif_occurs_and_are_balanced(motif, length):
    torch.manual_seed(0)
    ids = torch.tensor([demo.ALPHABET.index(c) for c in motif])
    x, y = demo.make_data(2000, length, ids)  # (N, L), (N,)
    assert torch.equal(demo.contains(x, ids), y.bool())
    assert y.mean().item() == pytest.approx(0.5, abs=0.05)


def test_timings_are_measured_for_both(result, models):
    for key in ("cnn", "gru"):  # how they compare depends on the machine: no claim is tested here
        assert len(models[key]["ms"]) == len(result.time_lengths)
        assert all(0 < ms < math.inf for ms in models[key]["ms"])


def test_report_cites_the_numbers(result, models):
    rep = demo.report(result)
    for key in ("cnn", "gru"):
        assert f"{models[key]['accuracy'][0]:.1%}" in rep.lesson
        assert f"{models[key]['parameters']:,}" in rep.lesson
    assert "fixed-size" in rep.lesson and "more potent" in rep.lesson
    assert all(y > 0 for plot in rep.plots for series in plot.series for y in series.y)


def test_result_is_json_and_reproducible(result):
    json.dumps(dataclasses.asdict(result), allow_nan=False)
    assert numbers(demo.run(demo.Config(**demo.QUICK))) == numbers(result)


def test_ctrl_c_returns_the_results_so_far():
    def progress(done, total, metrics):
        if done >= 50:  # in the CNN, before the GRU starts
            raise KeyboardInterrupt

    stopped = demo.run(demo.Config(**demo.QUICK), progress=progress)
    assert stopped.stopped_early
    assert [m["steps_done"] for m in stopped.models] == [50, 0, 0]
    assert all(len(m["accuracy"]) == len(stopped.lengths) for m in stopped.models[:2])  # evaluated as they stand
    json.dumps(dataclasses.asdict(stopped), allow_nan=False)
    assert demo.report(stopped).lesson.startswith("Stopped early")


@pytest.mark.parametrize("options, message", [
    ({"motif": "GAXA"}, "--motif takes letters of ACGT"),
    ({"other_lengths": (3,)}, "at least 5"),
])
def test_impossible_settings_are_usage_errors(options, message):
    with pytest.raises(UsageError, match=message):
        demo.run(demo.Config(**options))
