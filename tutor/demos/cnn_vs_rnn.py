"""One sequence task, two models: a 1-D CNN with global max pooling and a GRU both learn to spot a motif
anywhere in a random DNA-like sequence, both take sequences of any length, and they differ in parameters
and in speed (the convolution covers all positions at once, the GRU steps through them one by one).

It corrects two lines of the seed: a CNN does not need fixed-size inputs (only a flatten + dense head does),
and neither architecture is "more potent" than the other.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
from torch import nn

from tutor.demos.optim import Adam
from tutor.demos.report import Plot, Progress, Report, Series, Table
from tutor.errors import UsageError

# Names used in the shape comments:
#   B sequences, L letters per sequence, A = 4 letters, C CNN filters, k filter width, H GRU units.
# Encoding: the letters A, C, G, T are the ids 0, 1, 2, 3, so "GATA" is [2, 0, 3, 0]; the models see each
# letter as a one-hot vector of length A. The label is 1 when the motif occurs somewhere in the sequence:
# positives get it pasted at a random place, negatives are random letters with every occurrence broken up,
# half of each, so guessing scores 50%.
ALPHABET = "ACGT"


@dataclass
class Config:
    seed: int = 0
    motif: str = "GATA"  # the pattern to find, in letters of ACGT
    length: int = 24  # L of the training and test sequences
    other_lengths: tuple[int, ...] = (12, 200)  # lengths never trained on, fed to both models
    kernel: int = 5  # k: the CNN's filter width, at least the motif's length (not told the motif's length)
    channels: int = 16  # C
    hidden: int = 32  # H
    steps: int = 300  # Adam updates per model
    batch: int = 32  # B
    lr: float = 0.01
    train_seqs: int = 4096
    test_seqs: int = 1000  # per length
    time_batch: int = 128  # B when timing one forward pass (and showing output shapes)
    time_lengths: tuple[int, ...] = (25, 100, 400)


QUICK: dict = {"length": 16, "steps": 150, "train_seqs": 2048, "test_seqs": 500, "time_lengths": (25, 100)}


@dataclass
class Result:
    motif: str
    length: int
    lengths: list[int]  # the trained length, then the others
    steps: int  # steps asked per model
    batch_for_timing: int
    # one per model: key, name, parameters, steps_done, accuracy and outputs (a batch's output shape, or the
    # error) per entry of lengths, ms per forward pass per entry of time_lengths (empty for the flatten CNN,
    # which is not trained), losses at loss_steps
    models: list[dict]
    time_lengths: list[int]
    loss_steps: list[int]
    stopped_early: bool


def contains(x: torch.Tensor, motif: torch.Tensor) -> torch.Tensor:
    """Whether each sequence has the motif somewhere: x (B, L) -> (B,) bool."""
    return occurrences(x, motif).any(dim=1)


def occurrences(x: torch.Tensor, motif: torch.Tensor) -> torch.Tensor:
    """(B, L-m+1) bool: True where the motif (m letters) starts."""
    return (x.unfold(1, len(motif), 1) == motif).all(dim=2)  # unfold: (B, L-m+1, m) windows


def make_data(n: int, length: int, motif: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """n random sequences, half with the motif pasted in at a random place and half without it anywhere."""
    x = torch.randint(0, len(ALPHABET), (n, length))  # (B, L)
    y = torch.rand(n) < 0.5  # (B,) which sequences get the motif
    while (found := occurrences(x, motif) & ~y[:, None]).any():  # (B, L-m+1): occurrences in negatives
        rows, starts = found.nonzero(as_tuple=True)
        x[rows, starts] = torch.randint(0, len(ALPHABET), (len(rows),))  # redraw each one's first letter
    starts = torch.randint(0, length - len(motif) + 1, (n,))  # (B,)
    places = starts[:, None] + torch.arange(len(motif))  # (B, m)
    x[y] = x[y].scatter(1, places[y], motif.expand(int(y.sum()), -1))
    return x, y.float()


def one_hot(x: torch.Tensor) -> torch.Tensor:
    return nn.functional.one_hot(x, len(ALPHABET)).float()  # (B, L) -> (B, L, A)


class MotifCNN(nn.Module):
    """Filters slid along the sequence, then the max over positions: any length in, one logit out."""

    def __init__(self, kernel: int, channels: int):
        super().__init__()
        self.conv = nn.Conv1d(len(ALPHABET), channels, kernel)
        self.head = nn.Linear(channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.conv(one_hot(x).transpose(1, 2)))  # (B, A, L) -> (B, C, L-k+1): a response per place
        return self.head(h.amax(dim=2)).squeeze(-1)  # global max pooling: (B, C) whatever L was -> (B,)


class FlattenCNN(MotifCNN):
    """The same filters with a flatten + dense head instead of pooling: only this fixes the input length."""

    def __init__(self, kernel: int, channels: int, length: int):
        super().__init__(kernel, channels)
        self.head = nn.Linear(channels * (length - kernel + 1), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.conv(one_hot(x).transpose(1, 2)))  # (B, C, L-k+1)
        return self.head(h.flatten(1)).squeeze(-1)  # (B, C*(L-k+1)): the dense layer expects one L only


class MotifGRU(nn.Module):
    """Reads the letters one by one; the state after the last letter gives the logit."""

    def __init__(self, hidden: int):
        super().__init__()
        self.gru = nn.GRU(len(ALPHABET), hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.gru(one_hot(x))  # (B, L, H): L sequential steps
        return self.head(h[:, -1]).squeeze(-1)  # (B,)


def output_of(model: nn.Module, x: torch.Tensor) -> str:
    """The shape of the model's output for the batch x, or the first line of the error it raises."""
    try:
        with torch.no_grad():
            return f"{tuple(model(x).shape)}"
    except RuntimeError as exc:
        return "error: " + str(exc).splitlines()[0]


def forward_ms(model: nn.Module, x: torch.Tensor, repeats: int = 3) -> float:
    """The fastest of a few timed forward passes, in ms (the minimum is the least disturbed by other work)."""
    with torch.no_grad():
        model(x)  # warm-up
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - start)
    return 1000 * min(times)


def run(cfg: Config, progress: Progress | None = None) -> Result:
    if not cfg.motif or any(c not in ALPHABET for c in cfg.motif):
        raise UsageError(f"--motif takes letters of {ALPHABET}, not '{cfg.motif}'")
    lengths = [cfg.length, *cfg.other_lengths]
    shortest = max(len(cfg.motif), cfg.kernel)
    if min(lengths + list(cfg.time_lengths)) < shortest:
        raise UsageError(f"--length, --other-lengths and --time-lengths must be at least {shortest} "
                         f"(the motif's and the filter's width)")
    if not cfg.time_lengths:
        raise UsageError("--time-lengths needs at least one length")
    torch.manual_seed(cfg.seed)
    motif = torch.tensor([ALPHABET.index(c) for c in cfg.motif])  # e.g. GATA -> [2, 0, 3, 0]
    train_x, train_y = make_data(cfg.train_seqs, cfg.length, motif)  # (N, L), (N,)
    tests = [make_data(cfg.test_seqs, n, motif) for n in lengths]

    nets = [("cnn", f"1-D CNN, {cfg.channels} filters of {cfg.kernel} + max pool",
             MotifCNN(cfg.kernel, cfg.channels)),
            ("gru", f"GRU, H={cfg.hidden}", MotifGRU(cfg.hidden))]
    flat = FlattenCNN(cfg.kernel, cfg.channels, cfg.length)  # built for one length; never trained
    total, done, stopped = cfg.steps * len(nets), 0, False
    loss_every = max(cfg.steps // 50, 1)
    loss_steps = list(range(loss_every, cfg.steps + 1, loss_every))
    models = []
    for key, name, model in nets:
        opt = Adam(model.parameters(), lr=cfg.lr)
        losses, recent, steps_done = [], [], 0
        if not stopped:
            try:
                for step in range(1, cfg.steps + 1):
                    i = torch.randint(0, cfg.train_seqs, (cfg.batch,))  # (B,)
                    loss = nn.functional.binary_cross_entropy_with_logits(model(train_x[i]), train_y[i])
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                    steps_done, done = step, done + 1
                    recent.append(loss.item())
                    if step % loss_every == 0:
                        losses.append(sum(recent) / len(recent))  # the mean since the last point: less noisy
                        recent = []
                    if progress and (step % 10 == 0 or step == cfg.steps):
                        progress(done, total, {"model": key.upper(), "loss": loss.item()})
            except KeyboardInterrupt:
                stopped = True  # this model keeps what it learned; the one after it stays untrained
        with torch.no_grad():
            accuracy = [((model(x) > 0).float() == y).float().mean().item() for x, y in tests]
        models.append({
            "key": key, "name": name, "parameters": sum(p.numel() for p in model.parameters()),
            "steps_done": steps_done, "accuracy": accuracy, "losses": losses,
            "outputs": [output_of(model, x[:cfg.time_batch]) for x, _ in tests],
        })
    for row, (_, _, model) in zip(models, nets):  # timed last, after training, on random letters
        row["ms"] = [forward_ms(model, torch.randint(0, len(ALPHABET), (cfg.time_batch, n)))
                     for n in cfg.time_lengths]
    models.append({
        "key": "flatten", "name": f"1-D CNN + flatten + dense (built for L={cfg.length})",
        "parameters": sum(p.numel() for p in flat.parameters()), "steps_done": 0, "accuracy": [], "losses": [],
        "outputs": [output_of(flat, x[:cfg.time_batch]) for x, _ in tests], "ms": [],
    })
    return Result(motif=cfg.motif, length=cfg.length, lengths=lengths, steps=cfg.steps,
                  batch_for_timing=cfg.time_batch, models=models, time_lengths=list(cfg.time_lengths),
                  loss_steps=loss_steps, stopped_early=stopped)


def report(result: Result) -> Report:
    r = result
    cnn, gru, flat = r.models
    trained = [cnn, gru]
    accuracy = Table(
        title=(f"Test accuracy: does {r.motif} occur anywhere in a random A/C/G/T sequence? Trained on length "
               f"{r.length} only; half the sequences have it, so guessing scores 50%"),
        columns=["model", "parameters", f"L={r.length} (trained)", *(f"L={n}" for n in r.lengths[1:])],
        rows=[[m["name"], f"{m['parameters']:,}", *(f"{a:.1%}" for a in m["accuracy"])] for m in trained],
    )
    if r.stopped_early:
        accuracy.rows += [[f"{m['name']}: steps trained", "", str(m["steps_done"]), *[""] * (len(r.lengths) - 1)]
                          for m in trained]
    outputs = Table(
        title=f"Output for a batch of {r.batch_for_timing} sequences of each length",
        columns=["model", *(f"L={n}" for n in r.lengths)],
        rows=[[m["name"], *m["outputs"]] for m in r.models],
    )
    timing = Table(
        title=(f"Forward pass time for a batch of {r.batch_for_timing}, in ms (one CPU thread, fastest of 3; "
               f"it varies from machine to machine)"),
        columns=["model", *(f"L={n}" for n in r.time_lengths)],
        rows=[[m["name"], *(f"{ms:.1f}" for ms in m["ms"])] for m in trained],
    )
    plots = [Plot(title="Training loss (binary cross-entropy, mean over each stretch)", x_label="step",
                  y_label="loss", log_y=True,
                  series=[Series(m["name"], [float(s) for s in r.loss_steps[:len(m["losses"])]], m["losses"])
                          for m in trained if m["losses"]])]

    def scores(m: dict) -> str:
        *most, last = [f"{a:.1%}" for a in m["accuracy"]]
        return f"{', '.join(most)} and {last}" if most else last

    long, ratio = r.time_lengths[-1], gru["ms"][-1] / max(cnn["ms"][-1], 1e-9)
    speed = (f"took {ratio:.0f}x as long ({gru['ms'][-1]:.0f} vs {cnn['ms'][-1]:.1f} ms), since it makes {long} "
             f"steps one after another" if ratio >= 1.5 else
             f"took {gru['ms'][-1]:.1f} ms against the CNN's {cnn['ms'][-1]:.1f} ms")
    error = next((o for o in flat["outputs"] if o.startswith("error: ")), "")
    fails = f" ({error.removeprefix('error: ')})" if error else ""
    *most, last = [str(n) for n in r.lengths]
    at = f"{', '.join(most)} and {last}" if most else last
    lesson = (
        f"\"CNNs take fixed-size inputs\" is false: with global max pooling the CNN scored {scores(cnn)} at "
        f"L={at}; only a flatten + dense head, built for L={r.length}, fails elsewhere{fails}. Neither is \"more "
        f"potent\": the GRU scored {scores(gru)} with {gru['parameters']:,} parameters to the CNN's "
        f"{cnn['parameters']:,}, but its forward pass at L={long} {speed}."
    )
    if r.stopped_early:
        lesson = "Stopped early, so a model may be undertrained. " + lesson
    return Report(lesson=lesson, tables=[accuracy, outputs, timing], plots=plots)
