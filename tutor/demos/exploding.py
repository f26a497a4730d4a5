"""Exploding gradients in a tanh RNN, and what gradient-norm clipping does about them.

(a) the gradient reaching back T steps shrinks or grows geometrically with the gain of W_hh;
(b) `clip_grad_norm_` rescales a huge gradient to the threshold and keeps its direction;
(c) from an exploding init, SGD without clipping stays at chance on a delayed-recall task, with clipping it learns.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import torch
from torch import nn

from tutor.demos.report import Plot, Progress, Report, Series, Table

# Names used in the shape comments:
#   T time steps, B sequences, D input features, H hidden units, A symbols, V = A + 2 input tokens.
# (a) runs in float64 (float32 underflows to 0 within a few steps at small gains): h_t = tanh(W_xh x_t +
#   W_hh h_{t-1} + b) with W_hh = gain * Q, Q orthogonal, so every singular value of W_hh is the gain; the loss reads
#   the last step only, L = sum over the batch of v . h_T, and ratio = ||dL/dh_1|| / ||dL/dh_T||.
# (c) the delayed-recall task, A=8, delay 3 (blank '_' = 8, marker '!' = 9):
#   input   5 _ _ _ !        tokens 5 8 8 8 9
#   target          5        cross-entropy at the marker only; a guess scores ln A


@dataclass
class Config:
    seed: int = 0
    gains: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0, 3.0)  # W_hh = gain * orthogonal, in (a)
    length: int = 100  # T for the gradient norms in (a)
    hidden: int = 64  # H, in (a) and (c)
    batch: int = 16  # B in (a); norms are taken over the whole batch
    threshold: float = 1.0  # clip_grad_norm_'s max_norm, in (b) and (c)
    gain: float = 2.0  # the exploding init of (c)
    delay: int = 20  # blank steps between the symbol and the recall marker in (c)
    symbols: int = 8  # A in (c): chance is ln A
    steps: int = 300  # SGD updates in (c), for each of the two runs
    lr: float = 0.1  # SGD, no momentum
    train_batch: int = 64  # sequences per update in (c)


QUICK: dict = {"gains": (0.5, 1.0, 2.0, 3.0), "length": 50, "steps": 200}


@dataclass
class Result:
    length: int
    hidden: int
    gains: list[float]
    ratios: list[float]  # ||dL/dh_1|| / ||dL/dh_T||, one per gain
    per_step: list[float]  # ratio^(1/(T-1)): the geometric-mean growth per step
    norms: list[list[float]]  # ||dL/dh_t|| / ||dL/dh_T|| for t = 1..T, one list per gain
    threshold: float
    clip_before: float  # the norm of the largest gain's parameter gradient, before clip_grad_norm_
    clip_after: float  # ... and after
    clip_cosine: float  # cosine between the gradient before and after clipping
    gain: float
    delay: int
    symbols: int
    lr: float
    chance: float  # ln A: the cross-entropy of a guess
    # two: name, clipped, losses and grad_norms (||g|| before clipping) per update, final_loss (mean of the
    # last 20 updates), max_norm (the largest ||g|| seen)
    runs: list[dict]
    stopped_early: bool  # Ctrl-C during (c)


def finite(value: float) -> float:
    """Keep a number finite for JSON and a log plot: inf and nan become 1e300."""
    return min(max(value, -1e300), 1e300) if math.isfinite(value) else 1e300


def orthogonal(H: int, dtype: torch.dtype) -> torch.Tensor:
    return nn.init.orthogonal_(torch.empty(H, H, dtype=dtype))  # (H, H) every singular value is 1


def norms_through_time(gain: float, x: torch.Tensor, W_xh: torch.Tensor, b: torch.Tensor, v: torch.Tensor
                       ) -> tuple[list[float], list[torch.Tensor]]:
    """||dL/dh_t|| / ||dL/dh_T|| for t = 1..T with W_hh = gain * Q; also [W_xh, W_hh, b], holding their .grad."""
    H = W_xh.shape[0]
    W_hh = (gain * orthogonal(H, x.dtype)).requires_grad_()  # (H, H)
    params = [W_xh.detach().clone().requires_grad_(), W_hh, b.detach().clone().requires_grad_()]
    h = torch.zeros(x.shape[1], H, dtype=x.dtype)  # (B, H) h_0
    hs = []
    for x_t in x:  # x_t: (B, D)
        h = torch.tanh(x_t @ params[0].T + h @ W_hh.T + params[2])  # (B, H)
        h.retain_grad()
        hs.append(h)
    (hs[-1] @ v).sum().backward()
    norms = torch.stack([h.grad.norm() for h in hs])  # (T,)
    return [finite(n) for n in (norms / norms[-1]).tolist()], params


def clip_demo(params: list[torch.Tensor], threshold: float) -> tuple[float, float, float]:
    """clip_grad_norm_ on real gradients: the norm before and after, and the cosine between the two."""
    before = torch.cat([p.grad.flatten() for p in params])  # (P,) every parameter's gradient in one vector
    norm = nn.utils.clip_grad_norm_(params, threshold)  # if ||g|| > threshold: g <- g * threshold / ||g||
    after = torch.cat([p.grad.flatten() for p in params])  # (P,)
    cosine = torch.dot(before, after) / (before.norm() * after.norm())
    return norm.item(), after.norm().item(), cosine.item()


def make_batch(B: int, T: int, A: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids (B, T + 2) and the symbol to recall (B,)."""
    symbol = torch.randint(0, A, (B,), generator=gen)  # (B,)
    tokens = torch.full((B, T + 2), A)  # (B, T + 2) blanks
    tokens[:, 0] = symbol
    tokens[:, -1] = A + 1  # the recall marker
    return tokens, symbol


class Recaller(nn.Module):
    """One-hot tokens -> tanh RNN with W_hh = gain * orthogonal -> logits over the alphabet at the last step."""

    def __init__(self, A: int, H: int, gain: float):
        super().__init__()
        self.V = A + 2
        self.rnn = nn.RNN(self.V, H, batch_first=True)
        self.head = nn.Linear(H, A)
        with torch.no_grad():
            self.rnn.weight_hh_l0.copy_(gain * orthogonal(H, torch.float32))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = nn.functional.one_hot(tokens, self.V).float()  # (B, T + 2, V)
        out, _ = self.rnn(x)  # (B, T + 2, H)
        return self.head(out[:, -1])  # (B, A)


def train(cfg: Config, progress: Progress | None) -> tuple[list[dict], bool]:
    """Two SGD runs from the same exploding init on the same batches: without and with clipping."""
    model = Recaller(cfg.symbols, cfg.hidden, cfg.gain)
    runs = [
        {"name": "SGD, no clipping", "clipped": False, "model": model},
        {"name": f"SGD, clipped at {cfg.threshold:g}", "clipped": True, "model": copy.deepcopy(model)},
    ]
    for r in runs:
        r["params"] = list(r["model"].parameters())
        r["losses"], r["grad_norms"] = [], []
    gen = torch.Generator().manual_seed(cfg.seed)
    stopped_early = False
    try:
        for step in range(1, cfg.steps + 1):
            tokens, symbol = make_batch(cfg.train_batch, cfg.delay, cfg.symbols, gen)  # (B, T + 2), (B,)
            for r in runs:
                loss = nn.functional.cross_entropy(r["model"](tokens), symbol)
                for p in r["params"]:
                    p.grad = None
                loss.backward()
                limit = cfg.threshold if r["clipped"] else math.inf  # inf: measure the norm, change nothing
                norm = nn.utils.clip_grad_norm_(r["params"], limit)
                with torch.no_grad():
                    for p in r["params"]:
                        p -= cfg.lr * p.grad  # plain SGD (torch.optim would import torch._dynamo: ~2 s)
                r["losses"].append(finite(loss.item()))
                r["grad_norms"].append(finite(norm.item()))
            if progress and step % 10 == 0:
                progress(step, cfg.steps, {"loss": runs[0]["losses"][-1], "clipped loss": runs[1]["losses"][-1]})
    except KeyboardInterrupt:
        stopped_early = True
    return [{
        "name": r["name"], "clipped": r["clipped"], "losses": r["losses"], "grad_norms": r["grad_norms"],
        "final_loss": sum(r["losses"][-20:]) / max(1, len(r["losses"][-20:])),
        "max_norm": max(r["grad_norms"], default=0.0),
    } for r in runs], stopped_early


def run(cfg: Config, progress: Progress | None = None) -> Result:
    torch.manual_seed(cfg.seed)
    T, B, D, H = cfg.length, cfg.batch, 1, cfg.hidden
    x = torch.randn(T, B, D, dtype=torch.float64)  # (T, B, D) scalar inputs
    v = torch.randn(H, dtype=torch.float64)  # (H,) the loss's read-out of h_T
    cell = nn.RNNCell(D, H).double()  # W_xh and b from PyTorch's default init; W_hh is replaced per gain
    W_xh, b = cell.weight_ih.detach(), (cell.bias_ih + cell.bias_hh).detach()  # (H, D), (H,)

    gains = sorted(cfg.gains)
    curves, params = [], []
    for g in gains:
        norms, params = norms_through_time(g, x, W_xh, b, v)
        curves.append(norms)
    clip_before, clip_after, clip_cosine = clip_demo(params, cfg.threshold)  # the largest gain's gradient

    runs, stopped_early = train(cfg, progress)
    return Result(
        length=T, hidden=H, gains=gains, ratios=[n[0] for n in curves],
        per_step=[n[0] ** (1 / (T - 1)) for n in curves], norms=curves, threshold=cfg.threshold,
        clip_before=clip_before, clip_after=clip_after, clip_cosine=clip_cosine, gain=cfg.gain,
        delay=cfg.delay, symbols=cfg.symbols, lr=cfg.lr, chance=math.log(cfg.symbols), runs=runs,
        stopped_early=stopped_early,
    )


def report(result: Result) -> Report:
    r = result
    gains = Table(
        title=f"(a) tanh RNN, W_hh = gain * orthogonal, H={r.hidden}, loss on step T={r.length} only, float64",
        columns=["gain", "||dL/dh_1|| / ||dL/dh_T||", "per step"],
        rows=[[f"{g:g}", f"{ratio:.1e}", f"{per:.3f}"] for g, ratio, per in zip(r.gains, r.ratios, r.per_step)],
    )
    clip = Table(
        title=f"(b) clip_grad_norm_(params, max_norm={r.threshold:g}) on the gain-{r.gains[-1]:g} RNN's gradient",
        columns=["norm before", "norm after", "cosine(before, after)"],
        rows=[[f"{r.clip_before:.2e}", f"{r.clip_after:.6f}", f"{r.clip_cosine:.6f}"]],
    )
    training = Table(
        title=(f"(c) recall 1 of {r.symbols} symbols after {r.delay} blank steps: tanh RNN from gain {r.gain:g}, "
               f"SGD lr {r.lr:g}, chance ln {r.symbols} = {r.chance:.3f}"),
        columns=["run", "updates", "loss (last 20)", "largest ||g||", f"||g|| > {r.threshold:g}"],
        rows=[[run["name"], len(run["losses"]), f"{run['final_loss']:.3f}", f"{run['max_norm']:.1f}",
               f"{sum(n > r.threshold for n in run['grad_norms'])} updates"] for run in r.runs],
    )
    steps = [float(t) for t in range(1, r.length + 1)]
    through_time = Plot(
        title="(a) Gradient norm reaching step t, relative to the last step",
        series=[Series(f"gain {g:g}", steps, norms) for g, norms in zip(r.gains, r.norms)],
        x_label="time step t", y_label="||dL/dh_t|| / ||dL/dh_T||", log_y=True,
    )
    losses = Plot(
        title="(c) Training loss, same init and batches",
        series=[Series(run["name"], [float(i) for i in range(1, len(run["losses"]) + 1)], run["losses"])
                for run in r.runs],
        x_label="SGD update", y_label="cross-entropy", log_y=True,
    )
    unclipped, clipped = r.runs
    lesson = (
        f"Through {r.length - 1} steps of a tanh RNN the gradient is scaled by {r.ratios[0]:.0e} at gain "
        f"{r.gains[0]:g} and by {r.ratios[-1]:.0e} at gain {r.gains[-1]:g}; clipping rescales g <- g * "
        f"threshold/||g|| when ||g|| > threshold (here {r.clip_before:.1e} to {r.clip_after:g}, cosine "
        f"{r.clip_cosine:.3f}), and with it SGD from gain {r.gain:g} reached loss {clipped['final_loss']:.3f}, while "
        f"unclipped steps with ||g|| up to {unclipped['max_norm']:.0f} kept the loss at "
        f"{unclipped['final_loss']:.2f} (chance {r.chance:.2f}). Clipping only ever shrinks a gradient, so it "
        f"cannot bring back one that has vanished to {r.ratios[0]:.0e}."
    )
    return Report(lesson=lesson, tables=[gains, clip, training], plots=[through_time, losses])
