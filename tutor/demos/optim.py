"""Adam for the training demos, written out: `torch.optim`'s first optimizer imports torch._dynamo,
which costs more (1-2 s) than a demo's whole training run. tests/test_demo_optim.py checks it against
torch.optim.Adam.
"""

from __future__ import annotations

import math

import torch


class Adam:
    """torch.optim.Adam's update (Kingma & Ba 2015), with its defaults."""

    def __init__(self, params, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        self.params, self.lr, self.betas, self.eps, self.t = list(params), lr, betas, eps, 0
        self.m = [torch.zeros_like(p) for p in self.params]  # running mean of the gradients
        self.v = [torch.zeros_like(p) for p in self.params]  # running mean of their squares

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        for p, m, v in zip(self.params, self.m, self.v):
            if p.grad is None:
                continue
            m.lerp_(p.grad, 1 - b1)  # m = b1 m + (1 - b1) g
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)  # v = b2 v + (1 - b2) g^2
            denom = (v.sqrt() / math.sqrt(1 - b2**self.t)).add_(self.eps)  # sqrt(v / (1 - b2^t)) + eps
            p.addcdiv_(m, denom, value=-self.lr / (1 - b1**self.t))  # p -= lr m / (1 - b1^t) / denom
