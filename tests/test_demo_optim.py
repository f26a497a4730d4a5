"""The demos' hand-written Adam takes exactly torch.optim.Adam's steps."""

import torch
from torch import nn

from tutor.demos.optim import Adam


def test_adam_matches_torch_optim():
    torch.manual_seed(0)
    ours = nn.GRU(3, 8, batch_first=True)
    theirs = nn.GRU(3, 8, batch_first=True)
    theirs.load_state_dict(ours.state_dict())
    optimisers = [Adam(ours.parameters(), lr=0.01), torch.optim.Adam(theirs.parameters(), lr=0.01)]
    for _ in range(5):
        x = torch.randn(4, 9, 3)  # (B, L, D)
        for model, optimiser in zip((ours, theirs), optimisers):
            optimiser.zero_grad()
            model(x)[0].pow(2).sum().backward()
            optimiser.step()
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert torch.allclose(p, q, atol=1e-6)
