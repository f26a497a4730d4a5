"""How far back the gradient reaches: ||dL/dh_t|| over 100 steps for tanh, sigmoid and LSTM cells.

Backprop multiplies by the recurrent Jacobian diag(f'(a_t)) W_hh once per step, so whether the gradient
vanishes or explodes depends on W_hh, not on "sigma' <= 0.25" alone; an LSTM helps once its forget gate is open.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from tutor.demos.report import Plot, Progress, Report, Series, Table

# Names used in the shape comments:
#   T time steps, B sequences, D input features, H hidden units; float64 throughout (in float32 the
#   smallest of these gradients underflow to 0).
# The loss reads the last step only, L = sum over the batch of v . h_T, so dL/dh_t for t < T is the gradient
# that has travelled T - t steps back in time: dL/dh_{t-1} = W_hh^T diag(f'(a_t)) dL/dh_t for an RNN.


@dataclass
class Config:
    seed: int = 0
    steps: int = 100  # T
    hidden: int = 64  # H
    inputs: int = 1  # D: scalar sequences
    batch: int = 16  # B; norms are taken over the whole batch, which steadies the ratios from seed to seed
    sigmoid_small: float = 2.0  # sigma_max of the sigmoid RNN's W_hh, below 1/gamma = 4: vanishing guaranteed
    sigmoid_large: float = 32.0  # far above 4, so exploding becomes possible (and happens)
    forget_biases: tuple[float, ...] = (1.0, 5.0)  # LSTM forget-gate biases shown beside PyTorch's default (none)
    powers: tuple[int, ...] = (1, 10, 50, 100)  # n in the seed's bound 0.25^n


# H stays 64: with fewer units the sigmoid RNN's explosion depends on the seed.
QUICK: dict = {"steps": 50, "forget_biases": (5.0,), "powers": (10, 50)}


@dataclass
class Result:
    steps: int
    hidden: int
    batch: int
    powers: list[int]
    sigmoid_products: list[float]  # 0.25^n: the largest possible product of n sigmoid derivatives
    # one per cell: key, name, gamma and sigma_max (RNNs), forget_bias and mean_forget (LSTMs; bias None =
    # PyTorch's init), ratio = ||dL/dh_1|| / ||dL/dh_T||, per_step = ratio^(1/(T-1)), norms (t = 1..T)
    cells: list[dict]


def clamp(value: float) -> float:
    """Keep a ratio finite and positive for JSON and a log plot (float64 reaches neither end here)."""
    return min(max(value, 1e-300), 1e300) if math.isfinite(value) else 1e300


def grad_norms(hs: list[torch.Tensor], v: torch.Tensor) -> list[float]:
    """||dL/dh_t|| / ||dL/dh_T|| for t = 1..T, with L = v . h_T summed over the batch."""
    grads = torch.stack(torch.autograd.grad((hs[-1] @ v).sum(), hs))  # (T, B, H) dL/dh_t; the last is v per row
    norms = grads.flatten(1).norm(dim=1)  # (T,)
    return [clamp(n) for n in (norms / norms[-1]).tolist()]


def rnn_states(W_xh: torch.Tensor, W_hh: torch.Tensor, b: torch.Tensor, f, x: torch.Tensor) -> list[torch.Tensor]:
    """h_t = f(W_xh x_t + W_hh h_{t-1} + b) for t = 1..T, from h_0 = 0."""
    h = torch.zeros(x.shape[1], W_hh.shape[0], dtype=x.dtype)  # (B, H)
    hs = []
    for x_t in x:  # x_t: (B, D)
        h = f(x_t @ W_xh.T + h @ W_hh.T + b)  # (B, H)
        hs.append(h)
    return hs


def lstm_cell(D: int, H: int, seed: int, forget_bias: float | None) -> nn.LSTMCell:
    """PyTorch's default init (which adds no forget-gate bias), optionally with the forget gate opened."""
    torch.manual_seed(seed)
    cell = nn.LSTMCell(D, H).double()
    if forget_bias is not None:
        with torch.no_grad():
            cell.bias_ih[H:2 * H] = forget_bias  # rows H:2H belong to the forget gate
            cell.bias_hh[H:2 * H] = 0.0
    return cell


def lstm_states(cell: nn.LSTMCell, x: torch.Tensor) -> tuple[list[torch.Tensor], float]:
    """The LSTM recurrence with nn.LSTMCell's weights, written out; also the mean forget gate."""
    H = cell.hidden_size
    h = torch.zeros(x.shape[1], H, dtype=x.dtype)  # (B, H) hidden state, the output
    c = torch.zeros(x.shape[1], H, dtype=x.dtype)  # (B, H) cell state, the memory
    hs, forget = [], []
    for x_t in x:  # x_t: (B, D)
        gates = x_t @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh  # (B, 4H)
        i, f, g, o = gates.chunk(4, dim=1)  # (B, H) each, in PyTorch's order: input, forget, candidate, output
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c = f * c + i * g  # (B, H) the additive path: dc_t/dc_{t-1} = diag(f_t), no W in it
        h = o * torch.tanh(c)  # (B, H)
        hs.append(h)
        forget.append(f)
    return hs, torch.stack(forget).mean().item()


def summary(key: str, name: str, norms: list[float], **details) -> dict:
    """One cell's row: its curve, the end-to-end ratio and the geometric-mean factor per step."""
    ratio = norms[0]  # ||dL/dh_1|| / ||dL/dh_T||
    row = {"gamma": None, "sigma_max": None, "forget_bias": None, "mean_forget": None} | details
    return {"key": key, "name": name, **row, "ratio": ratio, "per_step": ratio ** (1 / (len(norms) - 1)),
            "norms": norms}


def run(cfg: Config, progress: Progress | None = None) -> Result:
    torch.manual_seed(cfg.seed)
    T, B, D, H = cfg.steps, cfg.batch, cfg.inputs, cfg.hidden
    x = torch.randn(T, B, D, dtype=torch.float64)  # (T, B, D) inputs
    v = torch.randn(H, dtype=torch.float64)  # (H,) the loss's read-out of h_T

    rnn = nn.RNNCell(D, H).double()  # PyTorch's default init: every weight U(-1/sqrt(H), 1/sqrt(H))
    W_xh, W_hh = rnn.weight_ih, rnn.weight_hh  # (H, D), (H, H)
    b = rnn.bias_ih + rnn.bias_hh  # (H,)
    Q = nn.init.orthogonal_(torch.empty(H, H, dtype=torch.float64))  # (H, H) every singular value is 1

    # (key, name, gamma = max f', W_hh, f) for RNNs; gamma * sigma_max(W_hh) < 1 guarantees vanishing [PMB13].
    # Q is orthogonal, so the sigmoid RNNs' W_hh = g Q has every singular value equal to g.
    rnns = [
        ("tanh", "tanh, default", 1.0, W_hh, torch.tanh),
        ("tanh-orthogonal", "tanh, orthogonal", 1.0, Q, torch.tanh),
        ("sigmoid-small", f"sigmoid, {cfg.sigmoid_small:g} x orth.", 0.25, cfg.sigmoid_small * Q, torch.sigmoid),
        ("sigmoid-large", f"sigmoid, {cfg.sigmoid_large:g} x orth.", 0.25, cfg.sigmoid_large * Q, torch.sigmoid),
    ]
    lstms = [("lstm", "LSTM, default", None)]
    lstms += [(f"lstm-forget-{fb:g}", f"LSTM, forget bias {fb:g}", fb) for fb in cfg.forget_biases]

    cells = []
    total = len(rnns) + len(lstms)
    for key, name, gamma, W, f in rnns:
        norms = grad_norms(rnn_states(W_xh, W, b, f, x), v)
        sigma_max = torch.linalg.matrix_norm(W.detach(), ord=2).item()  # largest singular value
        cells.append(summary(key, name, norms, gamma=gamma, sigma_max=sigma_max))
        if progress:
            progress(len(cells), total, {"ratio": norms[0]})
    for key, name, forget_bias in lstms:
        cell = lstm_cell(D, H, cfg.seed + 1, forget_bias)  # the same weights each time: only the bias differs
        hs, mean_forget = lstm_states(cell, x)
        norms = grad_norms(hs, v)
        cells.append(summary(key, name, norms, forget_bias=forget_bias, mean_forget=mean_forget))
        if progress:
            progress(len(cells), total, {"ratio": norms[0]})

    return Result(
        steps=T, hidden=H, batch=B, powers=list(cfg.powers),
        sigmoid_products=[0.25**n for n in cfg.powers], cells=cells,
    )


def report(result: Result) -> Report:
    r = result
    by_key = {cell["key"]: cell for cell in r.cells}

    def number(value: float | None, spec: str) -> str:
        return "-" if value is None else format(value, spec)

    cells = Table(
        title=(f"ratio = ||dL/dh_1|| / ||dL/dh_T||, loss on step T={r.steps} only (B={r.batch}, H={r.hidden}, "
               f"float64); sigma_max = largest singular value of W_hh, gamma = max f' (1 tanh, 1/4 sigmoid), "
               f"gamma*sigma < 1 guarantees vanishing; forget = mean forget gate"),
        columns=["cell", "sigma_max", "gamma*sigma", "forget", "ratio", "per step"],
        rows=[[
            cell["name"], number(cell["sigma_max"], ".2f"),
            number(None if cell["sigma_max"] is None else cell["gamma"] * cell["sigma_max"], ".2f"),
            number(cell["mean_forget"], ".3f"), f"{cell['ratio']:.1e}", f"{cell['per_step']:.3f}",
        ] for cell in r.cells],
    )
    bound = Table(
        title="The seed's bound",
        columns=["n", "0.25^n = the largest product of n sigmoid derivatives"],
        rows=[[n, f"{p:.1e}"] for n, p in zip(r.powers, r.sigmoid_products)],
    )
    steps = [float(t) for t in range(1, r.steps + 1)]
    curves = Plot(
        title="Gradient norm reaching step t, relative to the last step",
        series=[Series(cell["name"], steps, cell["norms"]) for cell in r.cells],
        x_label="time step t", y_label="||dL/dh_t|| / ||dL/dh_T||", log_y=True,
    )
    tanh, small, large, lstm = by_key["tanh"], by_key["sigmoid-small"], by_key["sigmoid-large"], by_key["lstm"]
    opened = max((cell for cell in r.cells if cell["forget_bias"] is not None),
                 key=lambda cell: cell["forget_bias"], default=None)  # the widest-open forget gate
    lesson = (
        f"The seed blames sigma' <= 0.25, but each step multiplies by the Jacobian diag(f'(a_t)) W_hh, so W "
        f"decides: over {r.steps - 1} steps a sigmoid RNN's gradient falls to {small['ratio']:.1e} with "
        f"sigma_max(W_hh) = {small['sigma_max']:.0f} yet grows to {large['ratio']:.1e} with sigma_max = "
        f"{large['sigma_max']:.0f}, and a default tanh RNN's falls to {tanh['ratio']:.1e} "
        f"({tanh['per_step']:.2f} per step)."
    )
    if opened is not None:
        lesson += (
            f" An LSTM's ratio is {opened['ratio']:.2f} once its forget gate is opened (bias "
            f"{opened['forget_bias']:g}, mean gate {opened['mean_forget']:.3f}) but {lstm['ratio']:.1e} with "
            f"PyTorch's default init (mean gate {lstm['mean_forget']:.2f})."
        )
    return Report(lesson=lesson, tables=[cells, bound], plots=[curves])
