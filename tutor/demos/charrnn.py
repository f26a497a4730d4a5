"""A character-level LSTM trained for a few seconds on one paragraph: the loss per character falls and
its samples turn from noise into the paragraph, which is memorisation, not language understanding.

The built-in text (data/two_cities.txt) is the opening paragraph of Charles Dickens, A Tale of Two Cities
(1859), in the public domain. `--text FILE` trains on your own UTF-8 text instead.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from tutor.demos.optim import Adam
from tutor.demos.report import Plot, Progress, Report, Series, Table
from tutor.errors import UsageError

# Names used in the shape comments:
#   B chunks per step, T characters per chunk, V distinct characters (the vocabulary),
#   E the size of a character's learned vector, H LSTM units.
# Encoding: the vocabulary is the text's characters, sorted. For the built-in paragraph it is
#   ' ,-.DHILabcdefghiklmnoprstuvwy' (V = 30), so "It was" becomes [6, 25, 0, 28, 8, 24].
# The model reads characters 0..t-1 and predicts character t; its loss is the cross-entropy in bits
# (log base 2): log2(V) = 4.91 bits for a uniform guess, 0 for certainty.


@dataclass
class Config:
    seed: int = 0
    text: str = ""  # path of a UTF-8 text file to learn; empty = the built-in Dickens paragraph
    hidden: int = 128  # H
    embed: int = 32  # E
    seq_len: int = 48  # T: backprop reaches this many characters back (truncated BPTT)
    batch: int = 16  # B: chunks drawn at random positions each step
    steps: int = 200  # Adam updates: a few seconds on one CPU thread
    lr: float = 0.01
    holdout: float = 0.1  # the last 10% of the text is never trained on: its loss tests generalisation
    temperature: float = 0.8  # divides the logits before sampling: < 1 picks likelier characters, > 1 wilder ones
    sample_chars: int = 200  # length of each sample
    eval_every: int = 10  # steps between loss measurements (and progress updates)


QUICK: dict = {"hidden": 64, "steps": 80, "sample_chars": 80}


@dataclass
class Result:
    source: str  # what was learned: the built-in paragraph or the file's path
    chars: int  # characters in the text, whitespace runs made single spaces
    vocab: int  # V
    train_chars: int
    heldout_chars: int
    hidden: int
    parameters: int
    steps: int  # steps done (fewer than asked when stopped early)
    seconds: float  # training time: the one number here that differs from run to run
    uniform_bits: float  # log2(V): the loss of a uniform guess
    eval_steps: list[int]
    train_bits: list[float]  # bits per character on the training part, at each of eval_steps
    heldout_bits: list[float]  # the same on the held-out end (empty when holdout is 0)
    temperature: float
    sample_before: str  # sampled from the untrained model
    sample_after: str  # sampled after training, with the same random draws
    copied_before: float  # share of the sample's COPY_N-character pieces found verbatim in the text
    copied_after: float
    longest_copy_after: int  # the longest stretch of the after-training sample found verbatim in the text
    stopped_early: bool


BUILT_IN = Path(__file__).parent / "data" / "two_cities.txt"
BUILT_IN_NAME = "Dickens, A Tale of Two Cities (1859), opening paragraph"
MIN_CHARS = 100  # shorter texts leave nothing to hold out or to chunk
EVAL_CHARS = 2000  # the loss is measured on at most this many characters of each part (long texts stay fast)
COPY_N = 10  # piece length for `copied_*`: a 10-character run is rarely shared by chance


def load_text(path: str) -> tuple[str, str]:
    """The text to learn, each run of whitespace made one space, and a name for where it came from."""
    if not path:
        return " ".join(BUILT_IN.read_text(encoding="utf-8").split()), BUILT_IN_NAME
    try:
        raw = Path(path).expanduser().read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"--text: no such file: {path}") from None
    except UnicodeDecodeError:
        raise UsageError(f"--text: {path} is not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"--text: cannot read {path}: {exc.strerror or exc}") from None
    text = " ".join(raw.split())
    if len(text) < MIN_CHARS:
        raise UsageError(f"--text: {path} has {len(text)} characters; give at least {MIN_CHARS}")
    return text, path


class CharLSTM(nn.Module):
    """Embedding -> one LSTM layer -> a linear read-out of the next character's logits."""

    def __init__(self, vocab: int, embed: int, hidden: int):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, idx: torch.Tensor, state=None):
        h, state = self.lstm(self.embed(idx), state)  # idx (B, T) -> embed (B, T, E) -> h (B, T, H)
        return self.head(h), state  # (B, T, V) logits, and (h_n, c_n) to continue from


def bits_per_char(model: CharLSTM, ids: torch.Tensor) -> float:
    """Mean cross-entropy in bits of predicting ids[1:] from what precedes them, reading from a zero state."""
    ids = ids[:EVAL_CHARS + 1]
    with torch.no_grad():
        logits, _ = model(ids[:-1].unsqueeze(0))  # (1, N, V)
        nats = nn.functional.cross_entropy(logits[0], ids[1:])  # targets (N,)
    return nats.item() / math.log(2)


def sample(model: CharLSTM, first: int, n: int, temperature: float, seed: int) -> list[int]:
    """n character ids, starting from `first`, each drawn from softmax(logits / temperature)."""
    gen = torch.Generator().manual_seed(seed)  # its own generator: before and after use the same draws
    ids, state = [first], None
    with torch.no_grad():
        for _ in range(n - 1):
            logits, state = model(torch.tensor([[ids[-1]]]), state)  # (1, 1, V): one step, state carried
            probs = torch.softmax(logits[0, -1] / temperature, dim=-1)  # (V,)
            ids.append(torch.multinomial(probs, 1, generator=gen).item())
    return ids


def copied(sample_text: str, text: str) -> float:
    """The share of the sample's COPY_N-character pieces that occur verbatim in the text."""
    pieces = [sample_text[i:i + COPY_N] for i in range(len(sample_text) - COPY_N + 1)]
    return sum(piece in text for piece in pieces) / len(pieces) if pieces else 0.0


def longest_copy(sample_text: str, text: str) -> int:
    """The length of the longest stretch of the sample found verbatim in the text."""
    best, j = 0, 0
    for i in range(len(sample_text)):
        j = max(j, i)  # sample[i:j] is in the text whenever sample[i-1:j] was
        while j < len(sample_text) and sample_text[i:j + 1] in text:
            j += 1
        best = max(best, j - i)
    return best


def run(cfg: Config, progress: Progress | None = None) -> Result:
    if cfg.temperature <= 0:
        raise UsageError("--temperature must be above 0")
    if not 0 <= cfg.holdout <= 0.5:
        raise UsageError("--holdout must be between 0 and 0.5")
    text, source = load_text(cfg.text)
    torch.manual_seed(cfg.seed)
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text])  # (N,) character ids
    n_held = round(len(data) * cfg.holdout)
    n_held = max(n_held, 2) if cfg.holdout > 0 else 0  # at least one prediction to score
    train, held = data[:len(data) - n_held], data[len(data) - n_held:]
    T = min(cfg.seq_len, len(train) - 1)

    model = CharLSTM(len(chars), cfg.embed, cfg.hidden)
    opt = Adam(model.parameters(), lr=cfg.lr)

    def write() -> str:
        """A sample from the model as it is now, starting from the text's first character."""
        ids = sample(model, data[0].item(), cfg.sample_chars, cfg.temperature, cfg.seed)
        return "".join(chars[i] for i in ids)

    before = write()
    eval_steps, train_bits, heldout_bits = [], [], []

    def measure(step: int) -> None:
        train_now = bits_per_char(model, train)
        held_now = bits_per_char(model, held) if n_held else None
        eval_steps.append(step)  # appended together, so a Ctrl-C never leaves the lists uneven
        train_bits.append(train_now)
        if held_now is not None:
            heldout_bits.append(held_now)

    offsets = torch.arange(T + 1)  # (T+1,)
    start, done, stopped = time.perf_counter(), 0, False
    try:
        measure(0)
        for step in range(1, cfg.steps + 1):
            starts = torch.randint(0, len(train) - T, (cfg.batch,))  # (B,)
            chunk = train[starts[:, None] + offsets]  # (B, T+1)
            logits, _ = model(chunk[:, :-1])  # (B, T, V): predict each next character
            loss = nn.functional.cross_entropy(logits.reshape(-1, len(chars)), chunk[:, 1:].reshape(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            done = step
            if step % max(cfg.eval_every, 1) == 0 or step == cfg.steps:
                measure(step)
                if progress:
                    progress(step, cfg.steps, {"bits/char": train_bits[-1]})
    except KeyboardInterrupt:
        stopped = True
        if not eval_steps or eval_steps[-1] != done:
            measure(done)
    seconds = time.perf_counter() - start

    after = write()
    return Result(
        source=source, chars=len(text), vocab=len(chars), train_chars=len(train), heldout_chars=n_held,
        hidden=cfg.hidden, parameters=sum(p.numel() for p in model.parameters()), steps=eval_steps[-1],
        seconds=round(seconds, 2), uniform_bits=math.log2(len(chars)), eval_steps=eval_steps,
        train_bits=train_bits, heldout_bits=heldout_bits, temperature=cfg.temperature,
        sample_before=before, sample_after=after, copied_before=copied(before, text),
        copied_after=copied(after, text), longest_copy_after=longest_copy(after, text), stopped_early=stopped,
    )


def report(result: Result) -> Report:
    r = result
    end = f"after {r.steps} steps"
    losses = Table(
        title=(f"Bits per character, learning {r.source} ({r.chars} characters, V={r.vocab}) with an "
               f"LSTM of H={r.hidden} ({r.parameters:,} parameters); uniform guessing: log2(V) = "
               f"{r.uniform_bits:.2f} bits"),
        columns=["part of the text", "untrained", end],
        rows=[[f"training text, {r.train_chars} characters", f"{r.train_bits[0]:.2f}", f"{r.train_bits[-1]:.2f}"]],
    )
    if r.heldout_bits:
        losses.rows.append([f"held-out end, {r.heldout_chars} characters (never trained on)",
                            f"{r.heldout_bits[0]:.2f}", f"{r.heldout_bits[-1]:.2f}"])
    samples = Table(
        title=(f"Samples at temperature {r.temperature:g}, same random draws; copied = share of "
               f"{COPY_N}-character pieces found verbatim in the text"),
        columns=["model", "sample", "copied"],
        rows=[["untrained", r.sample_before, f"{r.copied_before:.0%}"],
              [end, r.sample_after, f"{r.copied_after:.0%}"]],
    )
    steps = [float(s) for s in r.eval_steps]
    series = [Series("training text", steps, r.train_bits)]
    if r.heldout_bits:
        series.append(Series("held-out end", steps, r.heldout_bits))
    curve = Plot(title="Loss per character while training", series=series, x_label="step",
                 y_label="bits per character", log_y=True)

    lesson = (
        f"In {r.seconds:.1f} s the loss on the training text fell from {r.train_bits[0]:.2f} to "
        f"{r.train_bits[-1]:.2f} bits per character (uniform guessing: {r.uniform_bits:.2f}), and "
        f"{r.copied_after:.0%} of the new sample's {COPY_N}-character pieces, up to {r.longest_copy_after} "
        f"characters in a row, are copied from the text."
    )
    if r.heldout_bits:
        low = min(range(len(r.heldout_bits)), key=r.heldout_bits.__getitem__)  # where held-out loss was lowest
        first, last = r.heldout_bits[0], r.heldout_bits[-1]
        if 0 < low < len(r.heldout_bits) - 1:
            path = (f"reached {r.heldout_bits[low]:.2f} bits at step {r.eval_steps[low]} (what carries over, such "
                    f"as letter frequencies) and ended at {last:.2f}")
        else:
            path = f"{'fell' if low else 'went'} from {first:.2f} to {last:.2f}"
        worse = ", worse than guessing" if last > r.uniform_bits else ""
        if last > r.uniform_bits or last > 1.1 * r.heldout_bits[low]:
            span = "a few seconds" if r.seconds < 30 else f"{r.seconds:.0f} s"
            verdict = f"{span} on {r.train_chars} characters is memorisation, not language understanding"
        else:
            verdict = "some of it carries over to unseen text, but this is still a model of one text's characters"
        lesson += f" On the {r.heldout_chars} held-out characters it {path}{worse}: {verdict}."
    else:
        lesson += (" Nothing was held out, so nothing here tests generalisation; a few seconds on one short text "
                   "is memorisation, not language understanding.")
    return Report(lesson=lesson, tables=[losses, samples], plots=[curve])
