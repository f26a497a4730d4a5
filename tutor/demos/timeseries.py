"""An MLP over a fixed window of past values vs an LSTM, on two synthetic series: one whose next value
depends on a value older than the window, and one whose dependencies all lie inside it.

Neither model is better in general: the MLP can only use what its window shows, the LSTM carries a state
over the whole history (and takes histories of any length), so which one wins depends on the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from tutor.demos.optim import Adam
from tutor.demos.report import Plot, Progress, Report, Series, Table
from tutor.errors import UsageError

# Names used in the shape comments:
#   N sequences, B sequences per step, L steps per sequence, p the MLP's window, H LSTM units,
#   S = L - start: the targets scored in each sequence.
# Each series is an autoregressive process x_t = sum_k a_k x_{t-k} + e_t, scaled so Var(x_t) = 1 (then
# predicting 0 scores an MSE of about 1, and the best possible MSE is Var(e_t), the noise floor):
#   lagged: x_t = 0.9 x_{t-7} + e_t (lag 7 by default), e.g. daily sales with a weekly pattern; a 4-value
#           window sees none of it, since x_t is uncorrelated with x_{t-1}, ..., x_{t-6}.
#   AR(2):  x_t = 1.2 x_{t-1} - 0.5 x_{t-2} + e_t, damped oscillations; a 4-value window covers both lags.
# Every model predicts x_{t+1} from x_0..x_t, and all are scored on the same targets, x_start..x_{L-1}, where
# start = the widest MLP window, so each window fits inside the sequence.


@dataclass
class Config:
    seed: int = 0
    lag: int = 7  # d: the long series is x_t = 0.9 x_{t-d} + noise
    window: int = 4  # p: the MLP sees x_{t-p+1}, ..., x_t; shorter than the lag
    wide_window: int = 0  # a second MLP's window; 0 = as long as the lag, so that it covers it
    length: int = 32  # L
    hidden: int = 32  # H
    mlp_hidden: int = 32  # units in each of the MLP's two hidden layers
    steps: int = 250  # Adam updates per model (six models: three per series)
    batch: int = 32  # B
    lr: float = 0.02
    train_seqs: int = 2048  # N for training; fresh batches are drawn from these
    test_seqs: int = 512  # N for the test MSE


QUICK: dict = {"steps": 100, "train_seqs": 1024, "test_seqs": 256}


@dataclass
class Result:
    lag: int
    window: int
    wide_window: int
    length: int
    start: int  # the first scored target
    steps: int  # steps asked per model
    models: list[dict]  # key, name, sees (what it reads), parameters
    # one per series: key, name, formula, noise (the best possible MSE), variance (MSE of predicting 0),
    # mse and steps_done per model key, truth and predictions per model key for one test sequence's targets
    series: list[dict]
    stopped_early: bool


SEASONAL = 0.9  # the weekly series' coefficient on x_{t-lag}
AR2 = {1: 1.2, 2: -0.5}


def variance_per_unit_noise(lags: dict[int, float], terms: int = 4000) -> float:
    """Var(x_t) / Var(e_t) = the sum of the squared impulse response (the psi weights) of the process."""
    psi = [1.0]
    for j in range(1, terms):
        psi.append(sum(a * psi[j - k] for k, a in lags.items() if j >= k))
    return sum(w * w for w in psi)


def simulate(lags: dict[int, float], n: int, length: int) -> tuple[torch.Tensor, float]:
    """n sequences of x_t = sum_k a_k x_{t-k} + e_t with Var(x_t) = 1, after a burn-in; and Var(e_t)."""
    noise = 1 / variance_per_unit_noise(lags)
    burn = 40 * max(lags)  # long enough to forget the zero start: 0.9^40 ~ 0.015 for the weekly series
    e = torch.randn(n, burn + length) * math.sqrt(noise)  # (N, burn + L)
    x = torch.zeros(n, burn + length)  # (N, burn + L)
    for t in range(burn + length):
        x[:, t] = e[:, t] + sum(a * x[:, t - k] for k, a in lags.items() if t >= k)
    return x[:, burn:], noise  # (N, L)


class WindowMLP(nn.Module):
    """Predicts x_{t+1} from the last p values only: a time-delay network."""

    def __init__(self, window: int, hidden: int):
        super().__init__()
        self.window = window
        self.net = nn.Sequential(nn.Linear(window, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 1))

    def forward(self, x: torch.Tensor, start: int) -> torch.Tensor:
        windows = x[:, start - self.window:-1].unfold(1, self.window, 1)  # (B, S, p): x_{t-p+1..t} per target
        return self.net(windows).squeeze(-1)  # (B, S) predictions of x[:, start:]


class StateLSTM(nn.Module):
    """Reads x_0, x_1, ... one step at a time; its state after x_t predicts x_{t+1}."""

    def __init__(self, hidden: int):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor, start: int) -> torch.Tensor:
        h, _ = self.lstm(x[:, :-1, None])  # (B, L-1, H): h_t has read x_0..x_t
        return self.head(h[:, start - 1:]).squeeze(-1)  # (B, S) predictions of x[:, start:]


def run(cfg: Config, progress: Progress | None = None) -> Result:
    wide = cfg.wide_window or cfg.lag
    if min(cfg.lag, cfg.window, wide) < 1:
        raise UsageError("--lag, --window and --wide-window must be at least 1")
    start = max(cfg.window, wide)
    if cfg.length < start + 2:
        raise UsageError(f"--length must be at least {start + 2}: the widest window is {start}")
    torch.manual_seed(cfg.seed)
    specs = [("lagged", f"lag {cfg.lag}", {cfg.lag: SEASONAL}, f"x_t = {SEASONAL} x_(t-{cfg.lag}) + e_t"),
             ("ar2", "AR(2)", AR2, "x_t = 1.2 x_(t-1) - 0.5 x_(t-2) + e_t")]
    def reads(window: int) -> str:
        return f"x_(t-{window - 1})..x_t" if window > 1 else "x_t"

    model_specs = [("mlp", f"MLP, window {cfg.window}", reads(cfg.window)),
                   ("wide", f"MLP, window {wide}", reads(wide)),
                   ("lstm", f"LSTM, H={cfg.hidden}", "x_0..x_t via its state")]

    def build(key: str) -> nn.Module:
        if key == "lstm":
            return StateLSTM(cfg.hidden)
        return WindowMLP(cfg.window if key == "mlp" else wide, cfg.mlp_hidden)

    total = cfg.steps * len(specs) * len(model_specs)
    done, stopped, series, models = 0, False, [], []
    for skey, sname, lags, formula in specs:
        train, noise = simulate(lags, cfg.train_seqs, cfg.length)  # (N, L)
        test, _ = simulate(lags, cfg.test_seqs, cfg.length)  # (N, L)
        targets = test[:, start:]  # (N, S)
        row = {"key": skey, "name": sname, "formula": formula, "noise": noise,
               "variance": targets.pow(2).mean().item(), "mse": {}, "steps_done": {},
               "truth": targets[0].tolist(), "predictions": {}}
        for mkey, mname, sees in model_specs:
            model = build(mkey)
            if skey == specs[0][0]:
                models.append({"key": mkey, "name": mname, "sees": sees,
                               "parameters": sum(p.numel() for p in model.parameters())})
            opt = Adam(model.parameters(), lr=cfg.lr)
            steps_done = 0
            if not stopped:
                try:
                    for step in range(1, cfg.steps + 1):
                        x = train[torch.randint(0, len(train), (cfg.batch,))]  # (B, L)
                        loss = (model(x, start) - x[:, start:]).pow(2).mean()
                        opt.zero_grad()
                        loss.backward()
                        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                        opt.step()
                        steps_done, done = step, done + 1
                        if progress and (step % 10 == 0 or step == cfg.steps):
                            progress(done, total, {"series": sname, "model": mname, "mse": loss.item()})
                except KeyboardInterrupt:
                    stopped = True  # this model keeps what it learned; the ones after it stay untrained
            with torch.no_grad():
                predictions = model(test, start)  # (N, S)
            row["mse"][mkey] = (predictions - targets).pow(2).mean().item()
            row["steps_done"][mkey] = steps_done
            row["predictions"][mkey] = predictions[0].tolist()
        series.append(row)
    return Result(lag=cfg.lag, window=cfg.window, wide_window=wide, length=cfg.length, start=start,
                  steps=cfg.steps, models=models, series=series, stopped_early=stopped)


def compare(a: float, b: float) -> str:
    """How an MSE a stands against b, with 2% counted as a tie."""
    return "beats" if a < 0.98 * b else "ties with" if a <= 1.02 * b else "trails"


def report(result: Result) -> Report:
    r = result
    names = {m["key"]: m["name"] for m in r.models}
    keys = [m["key"] for m in r.models]
    models = Table(
        title="The models: each predicts x_(t+1)",
        columns=["model", "reads", "parameters"],
        rows=[[m["name"], m["sees"], f"{m['parameters']:,}"] for m in r.models],
    )
    errors = Table(
        title=(f"Test MSE on x_{r.start}..x_{r.length - 1} of each test sequence (series scaled to variance 1, "
               f"so predicting 0 scores ~1); floor = noise variance, the best possible"),
        columns=["series", "floor", *(names[k] for k in keys)],
        rows=[[s["name"], f"{s['noise']:.3f}", *(f"{s['mse'][k]:.3f}" for k in keys)] for s in r.series],
    )
    if r.stopped_early:
        errors.rows += [[f"{s['name']}: steps", "", *(str(s["steps_done"][k]) for k in keys)] for s in r.series]
    xs = [float(t) for t in range(r.start, r.length)]
    plots = [
        Plot(title=f"{s['name']} ({s['formula']}): one test sequence", x_label="t", y_label="x_t",
             series=[Series("truth", xs, s["truth"]),
                     *(Series(names[k], xs, s["predictions"][k]) for k in ("lstm", "mlp"))])
        for s in r.series
    ]

    long, short = r.series
    lesson = (
        f"On the lag-{r.lag} series the LSTM's test MSE is {long['mse']['lstm']:.3f} against "
        f"{long['mse']['mlp']:.3f} for an MLP that sees the last {r.window} values (noise floor "
        f"{long['noise']:.3f}), but an MLP whose window is {r.wide_window} gets {long['mse']['wide']:.3f}: "
        f"what counts is whether the model can see the dependency. On AR(2), which a {r.window}-value window "
        f"covers, the MLP {compare(short['mse']['mlp'], short['mse']['lstm'])} the LSTM "
        f"({short['mse']['mlp']:.3f} vs {short['mse']['lstm']:.3f}, floor {short['noise']:.3f}), with "
        f"{r.models[0]['parameters']:,} parameters to the LSTM's {r.models[2]['parameters']:,}."
    )
    if r.stopped_early:
        lesson = "Stopped early, so some models are undertrained. " + lesson
    return Report(lesson=lesson, tables=[models, errors], plots=plots)
