"""Backpropagation through time written by hand for a small tanh RNN and checked against autograd.

BPTT is ordinary backprop on the unrolled graph: the shared W_hh's gradient is the sum of one
contribution per time step, and truncated BPTT (detach the state every k steps) drops part of that sum.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from tutor.demos.report import Plot, Progress, Report, Series, Table

# Names used in the shape comments:
#   T time steps, D input features, H hidden units, O outputs. One sequence, no batch.
# The model, with h_0 = 0 and t = 1..T:
#   a_t = W_xh x_t + W_hh h_{t-1} + b      pre-activation
#   h_t = tanh(a_t)                         hidden state
#   y_t = W_hy h_t                          output
#   L   = sum_t ||y_t - z_t||^2 / (2T)      loss on every step's output, z_t the targets


@dataclass
class Config:
    seed: int = 0
    steps: int = 20  # T
    inputs: int = 3  # D
    hidden: int = 8  # H
    outputs: int = 2  # O
    k: int = 5  # truncation window the lesson quotes
    truncations: tuple[int, ...] = (1, 2, 5, 10, 20)  # windows compared with full BPTT; k >= T is full BPTT


QUICK: dict = {"steps": 10, "hidden": 4, "k": 3, "truncations": (1, 3, 10, 15)}


@dataclass
class Result:
    steps: int
    hidden: int
    k: int
    loss: float
    max_abs_diff: float  # hand-written BPTT vs autograd, over every parameter
    diffs: dict[str, float]  # the same, per parameter
    step_norms: list[float]  # ||contribution of step t to dL/dW_hh||, t = 1..T (0 at t = 1: h_0 = 0)
    sum_of_steps_diff: float  # max |sum over t of the contributions - autograd's dL/dW_hh|
    total_norm: float  # ||dL/dW_hh||
    sum_of_step_norms: float  # >= total_norm: contributions from different steps partly cancel
    trunc_rel_diff: float  # ||g_k - g|| / ||g|| for dL/dW_hh, window k
    trunc_cosine: float  # cos(g_k, g)
    truncated: list[dict]  # per window: k, rel_diff, cosine, max_abs_diff (hand vs autograd, both truncated)


def init_params(D: int, H: int, O: int) -> dict[str, torch.Tensor]:
    """Random weights scaled by 1/sqrt(fan_in), float64 so that rounding errors stay near 1e-16."""
    def w(rows: int, cols: int) -> torch.Tensor:
        return torch.randn(rows, cols, dtype=torch.float64) / cols**0.5

    return {
        "W_xh": w(H, D),  # (H, D)
        "W_hh": w(H, H),  # (H, H) shared by every step
        "b": torch.zeros(H, dtype=torch.float64),  # (H,)
        "W_hy": w(O, H),  # (O, H)
    }


def forward(p: dict[str, torch.Tensor], x: torch.Tensor, z: torch.Tensor, k: int | None = None):
    """Loss and hidden states; with a window k, the state is detached every k steps (truncated BPTT)."""
    T, H = x.shape[0], p["W_hh"].shape[0]
    h = torch.zeros(H, dtype=x.dtype)  # (H,) h_0
    hs, loss = [], 0.0
    for t in range(T):
        if k is not None and t > 0 and t % k == 0:
            h = h.detach()  # the gradient stops here; the value carries on
        h = torch.tanh(p["W_xh"] @ x[t] + p["W_hh"] @ h + p["b"])  # (H,)
        y = p["W_hy"] @ h  # (O,)
        loss = loss + ((y - z[t]) ** 2).sum() / (2 * T)
        hs.append(h)
    return loss, torch.stack(hs)  # (), (T, H)


def bptt_by_hand(p: dict[str, torch.Tensor], x: torch.Tensor, z: torch.Tensor, k: int | None = None):
    """Gradients of the loss by a backward loop over time; also each step's share of dL/dW_hh."""
    T, H = x.shape[0], p["W_hh"].shape[0]
    with torch.no_grad():
        _, hs = forward(p, x, z)  # (T, H)
        h_prev = torch.cat([torch.zeros(1, H, dtype=x.dtype), hs[:-1]])  # (T, H) h_{t-1}, with h_0 = 0
        grads = {name: torch.zeros_like(value) for name, value in p.items()}
        steps = torch.zeros(T, H, H, dtype=x.dtype)  # (T, H, H) step t's contribution to dL/dW_hh
        dh_next = torch.zeros(H, dtype=x.dtype)  # (H,) dL/dh_t arriving from step t+1
        for t in reversed(range(T)):
            dy = (p["W_hy"] @ hs[t] - z[t]) / T  # (O,) dL/dy_t
            grads["W_hy"] += torch.outer(dy, hs[t])  # (O, H)
            dh = p["W_hy"].T @ dy + dh_next  # (H,) dL/dh_t: from this step's output and from the future
            da = dh * (1 - hs[t] ** 2)  # (H,) dL/da_t, since tanh' = 1 - tanh^2
            steps[t] = torch.outer(da, h_prev[t])  # (H, H) the copy of W_hh used at step t
            grads["W_xh"] += torch.outer(da, x[t])  # (H, D)
            grads["b"] += da  # (H,)
            cut = k is not None and t > 0 and t % k == 0  # forward() detached h_{t-1} here
            dh_next = torch.zeros_like(da) if cut else p["W_hh"].T @ da  # (H,) dL/dh_{t-1}
        grads["W_hh"] = steps.sum(0)  # (H, H) the shared weight's gradient is the sum over steps
    return grads, steps


def autograd_grads(p: dict[str, torch.Tensor], x: torch.Tensor, z: torch.Tensor, k: int | None = None):
    leaves = {name: value.clone().requires_grad_() for name, value in p.items()}
    loss, _ = forward(leaves, x, z, k)
    grads = torch.autograd.grad(loss, list(leaves.values()))
    return loss.item(), dict(zip(leaves, grads))


def max_diff(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> float:
    return max((a[name] - b[name]).abs().max().item() for name in a)


def run(cfg: Config, progress: Progress | None = None) -> Result:
    torch.manual_seed(cfg.seed)
    T, D, H, O = cfg.steps, cfg.inputs, cfg.hidden, cfg.outputs
    p = init_params(D, H, O)
    x = torch.randn(T, D, dtype=torch.float64)  # (T, D) inputs
    z = torch.randn(T, O, dtype=torch.float64)  # (T, O) targets

    loss, auto = autograd_grads(p, x, z)
    hand, steps = bptt_by_hand(p, x, z)
    g = auto["W_hh"].flatten()  # (H*H,) the full gradient the truncated ones are compared with

    truncated = []
    for k in sorted(set(cfg.truncations) | {cfg.k}):
        hand_k, _ = bptt_by_hand(p, x, z, k)
        _, auto_k = autograd_grads(p, x, z, k)
        g_k = hand_k["W_hh"].flatten()  # (H*H,)
        truncated.append({
            "k": k,
            "rel_diff": ((g_k - g).norm() / g.norm()).item(),
            "cosine": torch.nn.functional.cosine_similarity(g_k, g, dim=0).item(),
            "max_abs_diff": max_diff(hand_k, auto_k),
        })
    at_k = next(row for row in truncated if row["k"] == cfg.k)

    diffs = {name: (hand[name] - auto[name]).abs().max().item() for name in p}
    return Result(
        steps=T, hidden=H, k=cfg.k, loss=loss,
        max_abs_diff=max(diffs.values()), diffs=diffs,
        step_norms=[s.norm().item() for s in steps],
        sum_of_steps_diff=(steps.sum(0) - auto["W_hh"]).abs().max().item(),
        total_norm=auto["W_hh"].norm().item(),
        sum_of_step_norms=sum(s.norm().item() for s in steps),
        trunc_rel_diff=at_k["rel_diff"], trunc_cosine=at_k["cosine"],
        truncated=truncated,
    )


def report(result: Result) -> Report:
    r = result
    checks = Table(
        title=f"Hand-written BPTT vs autograd (float64, T={r.steps}, H={r.hidden})",
        columns=["gradient", "max |hand - autograd|"],
        rows=[[f"dL/d{name}", f"{diff:.1e}"] for name, diff in r.diffs.items()]
        + [["sum over t of step contributions vs dL/dW_hh", f"{r.sum_of_steps_diff:.1e}"]],
    )
    windows = Table(
        title="Truncated BPTT (detach h every k steps) vs full BPTT, gradient of W_hh",
        columns=["k", "||g_k - g|| / ||g||", "cos(g_k, g)", "hand vs autograd"],
        rows=[[row["k"], f"{row['rel_diff']:.3f}", f"{row['cosine']:.3f}", f"{row['max_abs_diff']:.1e}"]
              for row in r.truncated],
    )
    steps = Plot(
        title=(f"Each step's share of dL/dW_hh: norms sum to {r.sum_of_step_norms:.3f}, "
               f"the total's norm is {r.total_norm:.3f}"),
        series=[Series("||dL/dW_hh at step t||", [float(t) for t in range(1, r.steps + 1)], r.step_norms)],
        x_label="time step t", y_label="norm",
    )
    lesson = (
        f"The backward loop over time matches autograd to {r.max_abs_diff:.1e}, and the shared W_hh's gradient "
        f"is the sum of {r.steps} per-step contributions (sum vs total: {r.sum_of_steps_diff:.1e}). "
        f"Truncating to k={r.k} steps changes that gradient by {100 * r.trunc_rel_diff:.0f}% "
        f"(cosine {r.trunc_cosine:.3f}): cheaper, but blind to dependencies longer than k."
    )
    return Report(lesson=lesson, tables=[checks, windows], plots=[steps])
