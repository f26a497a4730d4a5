"""The time-series demo's claims: when the next value depends on a value older than the MLP's window, the
LSTM's error is clearly lower; when the window covers every dependency, the MLP is at least as good."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

from tutor.demos import timeseries as demo
from tutor.errors import UsageError


@pytest.fixture(scope="module")
def result() -> demo.Result:
    return demo.run(demo.Config(**demo.QUICK))


@pytest.fixture(scope="module")
def mse(result) -> dict[str, dict[str, float]]:
    return {s["key"]: s["mse"] for s in result.series}


def test_lstm_error_is_clearly_lower_when_the_dependency_is_older_than_the_window(result, mse):
    lagged = mse["lagged"]
    assert lagged["lstm"] < 0.6 * lagged["mlp"]
    assert lagged["mlp"] > 0.9  # the 4-value window sees nothing useful: no better than predicting 0


def test_an_mlp_whose_window_covers_the_lag_reaches_the_noise_floor(result, mse):
    floor = result.series[0]["noise"]
    assert mse["lagged"]["wide"] < 1.2 * floor


def test_mlp_is_at_least_as_good_when_the_window_covers_the_dependency(result, mse):
    ar2, floor = mse["ar2"], result.series[1]["noise"]
    assert ar2["mlp"] <= 1.03 * ar2["lstm"]
    assert ar2["mlp"] < 1.1 * floor


@pytest.mark.parametrize("lags", [{7: 0.9}, {1: 1.2, 2: -0.5}])
def test_series_have_unit_variance_and_the_stated_noise(lags):
    torch.manual_seed(0)
    x, noise = demo.simulate(lags, 4096, 32)  # (N, L)
    assert x.var().item() == pytest.approx(1.0, abs=0.05)
    residual = x[:, 7:] - sum(a * x[:, 7 - k:32 - k] for k, a in lags.items())  # e_t
    assert residual.var().item() == pytest.approx(noise, rel=0.05)


def test_weekly_series_is_uncorrelated_with_the_window():
    torch.manual_seed(0)
    x, _ = demo.simulate({7: 0.9}, 4096, 32)
    corr = [(x[:, k:] * x[:, :32 - k]).mean().item() for k in range(1, 8)]  # autocorrelation at lags 1..7
    assert all(abs(c) < 0.05 for c in corr[:6]) and corr[6] == pytest.approx(0.9, abs=0.05)


def test_models_predict_each_value_from_earlier_values_only():
    torch.manual_seed(0)
    x = torch.randn(2, 12)  # (B, L)
    mlp = demo.WindowMLP(3, 8)
    mlp.net = torch.nn.Identity()  # so the forward pass returns the windows themselves
    windows = mlp(x, 5)  # (B, 7, 3): one window per target x_5..x_11
    assert torch.equal(windows[:, 0], x[:, 2:5])  # x_2, x_3, x_4 predict x_5
    assert torch.equal(windows[:, :, -1], x[:, 4:-1])  # the newest value in each window is x_t for x_(t+1)
    lstm, bumped = demo.StateLSTM(8), x.clone()
    bumped[:, 8] += 1.0  # changes predictions of x_9 onwards, never of x_5..x_8
    with torch.no_grad():
        before, after = lstm(x, 5), lstm(bumped, 5)  # (B, 7) predictions of x_5..x_11
    assert torch.equal(before[:, :4], after[:, :4]) and not torch.equal(before[:, 4:], after[:, 4:])


def test_report_cites_the_errors(result, mse):
    rep = demo.report(result)
    for value in (mse["lagged"]["lstm"], mse["lagged"]["mlp"], mse["ar2"]["mlp"], mse["ar2"]["lstm"]):
        assert f"{value:.3f}" in rep.lesson
    assert len(rep.plots) == 2
    assert all(len(s.x) == len(s.y) == result.length - result.start for p in rep.plots for s in p.series)


def test_result_is_json_and_reproducible(result):
    json.dumps(dataclasses.asdict(result), allow_nan=False)
    assert demo.run(demo.Config(**demo.QUICK)) == result


def test_ctrl_c_returns_the_results_so_far():
    def progress(done, total, metrics):
        if done >= 60:  # in the first series' first MLP
            raise KeyboardInterrupt

    stopped = demo.run(demo.Config(**demo.QUICK), progress=progress)
    assert stopped.stopped_early
    assert stopped.series[0]["steps_done"] == {"mlp": 60, "wide": 0, "lstm": 0}
    assert stopped.series[1]["steps_done"] == {"mlp": 0, "wide": 0, "lstm": 0}
    json.dumps(dataclasses.asdict(stopped), allow_nan=False)
    assert demo.report(stopped).lesson.startswith("Stopped early")


@pytest.mark.parametrize("options, message", [
    ({"length": 8}, "--length must be at least 9"),
    ({"window": 0}, "at least 1"),
])
def test_impossible_settings_are_usage_errors(options, message):
    with pytest.raises(UsageError, match=message):
        demo.run(demo.Config(**options))
