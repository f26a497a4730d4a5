"""An RNN is a feed-forward network unrolled in time with the same weights at every step.

A five-line loop with nn.RNN's own weights reproduces nn.RNN exactly; and because those weights are tied,
the RNN's parameter count stays fixed as the sequence grows, while an MLP reading the whole window grows.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from tutor.demos.report import Plot, Progress, Report, Series, Table

# Names used in the shape comments: B batch size, T steps, I input features, H hidden size.


@dataclass
class Config:
    seed: int = 0
    batch: int = 3  # B
    steps: int = 20  # T, for the hand loop against nn.RNN
    input_size: int = 8  # I
    hidden: int = 16  # H
    window_lengths: tuple[int, ...] = (5, 10, 50, 100)  # T for the parameter-count table


QUICK: dict = {"steps": 10}


@dataclass
class Result:
    steps: int
    input_size: int
    hidden: int
    max_abs_diff: float  # hand loop vs nn.RNN, over every step's output and h_n, float64
    matches: bool  # max_abs_diff < 1e-6
    window_lengths: list[int]
    rnn_params: list[int]  # nn.RNN(I, H) at each length: the same module serves every length
    untied_params: list[int]  # the unrolled net if each step had its own weights
    mlp_params: list[int]  # an MLP from the flattened (T*I) window to H
    rnn_params_constant: bool
    mlp_params_grow: bool  # strictly increasing with T
    mlp_rejects_other_length: bool  # an MLP built for one T cannot read another


def unrolled(rnn: nn.RNN, x: torch.Tensor) -> torch.Tensor:
    """h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), one step at a time: the same W at every t."""
    W_ih, W_hh = rnn.weight_ih_l0, rnn.weight_hh_l0  # (H, I), (H, H)
    b_ih, b_hh = rnn.bias_ih_l0, rnn.bias_hh_l0  # (H,), (H,)
    B, T, _ = x.shape
    h = x.new_zeros(B, rnn.hidden_size)  # (B, H) h_0 = 0, nn.RNN's default
    outputs = []
    for t in range(T):
        h = torch.tanh(x[:, t] @ W_ih.T + b_ih + h @ W_hh.T + b_hh)  # (B, H)
        outputs.append(h)
    return torch.stack(outputs, dim=1)  # (B, T, H)


def window_mlp(T: int, I: int, H: int) -> nn.Module:
    """The feed-forward alternative: flatten a window of T steps and map it to a state of size H."""
    return nn.Sequential(nn.Flatten(), nn.Linear(T * I, H), nn.Tanh())  # (B, T, I) -> (B, T*I) -> (B, H)


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def run(cfg: Config, progress: Progress | None = None) -> Result:
    torch.manual_seed(cfg.seed)
    B, T, I, H = cfg.batch, cfg.steps, cfg.input_size, cfg.hidden
    rnn = nn.RNN(I, H, batch_first=True).double()  # float64, so any difference is a real one
    x = torch.randn(B, T, I, dtype=torch.float64)  # (B, T, I)

    with torch.no_grad():
        output, h_n = rnn(x)  # (B, T, H), (1, B, H)
        by_hand = unrolled(rnn, x)  # (B, T, H)
    diff = max((output - by_hand).abs().max().item(), (h_n[-1] - by_hand[:, -1]).abs().max().item())

    lengths = list(cfg.window_lengths)
    rnn_params, untied, mlp_params = [], [], []
    for length in lengths:
        with torch.no_grad():
            rnn(torch.randn(B, length, I, dtype=torch.float64))  # (B, length, I): the same module reads it
        rnn_params.append(count(rnn))
        untied.append(length * count(rnn))  # one copy of (W_ih, W_hh, b_ih, b_hh) per step
        mlp_params.append(count(window_mlp(length, I, H)))

    mlp = window_mlp(lengths[0], I, H)
    try:
        mlp(torch.randn(B, lengths[1], I))  # (B, T', I) with T' != the T it was built for
        rejects = False
    except RuntimeError:  # a shape mismatch in the Linear layer
        rejects = True

    return Result(
        steps=T, input_size=I, hidden=H, max_abs_diff=diff, matches=diff < 1e-6,
        window_lengths=lengths, rnn_params=rnn_params, untied_params=untied, mlp_params=mlp_params,
        rnn_params_constant=len(set(rnn_params)) == 1,
        mlp_params_grow=all(a < b for a, b in zip(mlp_params, mlp_params[1:])),
        mlp_rejects_other_length=rejects,
    )


def report(result: Result) -> Report:
    r = result
    check = Table(
        title=f"Hand loop vs nn.RNN, T={r.steps}, float64",
        columns=["max |difference|", "below 1e-6"],
        rows=[[f"{r.max_abs_diff:.1e}", "yes" if r.matches else "no"]],
    )
    params = Table(
        title=f"Parameters as T grows (I={r.input_size}, H={r.hidden})",
        columns=["T", "RNN (tied weights)", "unrolled, untied", "MLP on flattened window"],
        rows=[[t, a, b, c] for t, a, b, c in zip(r.window_lengths, r.rnn_params, r.untied_params, r.mlp_params)],
    )
    xs = [float(t) for t in r.window_lengths]
    plot = Plot(
        title="Parameters vs window length",
        series=[Series("RNN", xs, [float(p) for p in r.rnn_params]),
                Series("MLP on window", xs, [float(p) for p in r.mlp_params])],
        x_label="T (steps)", y_label="parameters",
    )
    lesson = (
        f"A loop of h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh) with nn.RNN's own weights matches it to "
        f"{r.max_abs_diff:.1e} over {r.steps} steps: an RNN is a feed-forward net unrolled in time with tied "
        f"weights. So it keeps {r.rnn_params[0]} parameters from T={r.window_lengths[0]} to "
        f"T={r.window_lengths[-1]}, while an MLP reading the flattened window grows from {r.mlp_params[0]} to "
        f"{r.mlp_params[-1]} and cannot read any other length."
    )
    return Report(lesson=lesson, tables=[check, params], plots=[plot])
