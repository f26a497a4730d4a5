"""The five input/output patterns of sequence models, each a few-line nn.Module run on a tiny batch.

One-to-one needs no recurrence at all (it is a plain MLP), and "many-to-many" means two different
things: aligned tagging (one output per input step) and encoder-decoder (output length set by the decoder).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from tutor.demos.report import Progress, Report, Table

# Names used in the shape comments:
#   B batch size, T_in input steps, T_out output steps (chosen by the decoder), F input features,
#   H hidden size, C classes (or tags), V output vocabulary (one score per token at each output step).


@dataclass
class Config:
    seed: int = 0
    batch: int = 2  # B
    in_steps: int = 6  # T_in, e.g. words in a source sentence
    out_steps: int = 4  # T_out, e.g. words in a caption or translation; differs from T_in on purpose
    features: int = 5  # F
    hidden: int = 8  # H
    classes: int = 3  # C, e.g. negative/neutral/positive, or part-of-speech tags
    vocab: int = 10  # V


QUICK: dict = {"hidden": 4}


@dataclass
class Result:
    in_steps: int
    out_steps: int
    rows: list[dict]  # one per type: type, input, output, recurrent, parameters, use
    one_to_one_recurrent: bool  # does the one-to-one model contain any recurrent module?
    aligned_keeps_length: bool  # aligned many-to-many: as many outputs as input steps
    seq2seq_lengths_differ: bool  # encoder-decoder: T_out != T_in
    seq2seq_out_steps_by_in_steps: dict[str, int]  # input length -> output length; the decoder sets it


class OneToOne(nn.Module):
    """Image or tabular row -> class: a feed-forward net; there is no sequence, so no state to carry."""

    def __init__(self, F: int, H: int, C: int):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(F, H), nn.Tanh(), nn.Linear(H, C))

    def forward(self, x):  # x: (B, F)
        return self.net(x)  # (B, C)


class Decoder(nn.Module):
    """Unrolls a state into `steps` outputs, feeding each output back in as the next input."""

    def __init__(self, H: int, V: int):
        super().__init__()
        self.cell = nn.GRUCell(V, H)
        self.head = nn.Linear(H, V)

    def forward(self, h, steps: int):  # h: (B, H)
        y = h.new_zeros(h.shape[0], self.head.out_features)  # (B, V) a "start" token of zeros
        outputs = []
        for _ in range(steps):
            h = self.cell(y, h)  # (B, H)
            y = self.head(h)  # (B, V) scores for this step, fed back as the next input
            outputs.append(y)
        return torch.stack(outputs, dim=1)  # (B, steps, V)


class OneToMany(nn.Module):
    """Image feature vector -> caption-like sequence: the vector sets the first state, the decoder runs on."""

    def __init__(self, F: int, H: int, V: int):
        super().__init__()
        self.init = nn.Linear(F, H)
        self.decoder = Decoder(H, V)

    def forward(self, x, steps: int):  # x: (B, F)
        return self.decoder(torch.tanh(self.init(x)), steps)  # (B, steps, V)


class ManyToOne(nn.Module):
    """Sentence -> sentiment: read every step, classify from the last hidden state only."""

    def __init__(self, F: int, H: int, C: int):
        super().__init__()
        self.rnn = nn.RNN(F, H, batch_first=True)
        self.head = nn.Linear(H, C)

    def forward(self, x):  # x: (B, T_in, F)
        _, h_n = self.rnn(x)  # h_n: (1, B, H), the state after the last step
        return self.head(h_n[-1])  # (B, C)


class ManyToManyAligned(nn.Module):
    """Sentence -> one tag per word (part-of-speech, named entities): a head on every step's output."""

    def __init__(self, F: int, H: int, C: int):
        super().__init__()
        self.rnn = nn.RNN(F, H, batch_first=True)
        self.head = nn.Linear(H, C)

    def forward(self, x):  # x: (B, T_in, F)
        output, _ = self.rnn(x)  # (B, T_in, H)
        return self.head(output)  # (B, T_in, C)


class EncoderDecoder(nn.Module):
    """Source sentence -> target sentence (translation): encode to one state, decode a new length."""

    def __init__(self, F: int, H: int, V: int):
        super().__init__()
        self.encoder = nn.GRU(F, H, batch_first=True)
        self.decoder = Decoder(H, V)  # the one-to-many decoder, now started from the encoder's state

    def forward(self, x, steps: int):  # x: (B, T_in, F)
        _, h_n = self.encoder(x)  # (1, B, H): the whole source squeezed into one vector per sequence
        return self.decoder(h_n[-1], steps)  # (B, steps, V)


def is_recurrent(model: nn.Module) -> bool:
    return any(isinstance(m, (nn.RNNBase, nn.RNNCellBase)) for m in model.modules())


def run(cfg: Config, progress: Progress | None = None) -> Result:
    torch.manual_seed(cfg.seed)
    B, T_in, T_out, F, H, C, V = (cfg.batch, cfg.in_steps, cfg.out_steps, cfg.features, cfg.hidden,
                                  cfg.classes, cfg.vocab)
    vector = torch.randn(B, F)  # (B, F) one input per example: an image embedding, a row of a table
    sequence = torch.randn(B, T_in, F)  # (B, T_in, F) one feature vector per step: word embeddings

    one_to_one, one_to_many = OneToOne(F, H, C), OneToMany(F, H, V)
    many_to_one, aligned, seq2seq = ManyToOne(F, H, C), ManyToManyAligned(F, H, C), EncoderDecoder(F, H, V)
    cases = [
        ("one-to-one", one_to_one, vector, lambda m, x: m(x), "image classification (no sequence: an MLP)"),
        ("one-to-many", one_to_many, vector, lambda m, x: m(x, T_out), "image captioning, music from a seed"),
        ("many-to-one", many_to_one, sequence, lambda m, x: m(x), "sentiment of a review"),
        ("many-to-many, aligned", aligned, sequence, lambda m, x: m(x), "part-of-speech or entity tagging"),
        ("many-to-many, encoder-decoder", seq2seq, sequence, lambda m, x: m(x, T_out), "translation, summarising"),
    ]
    rows, out_shapes = [], {}
    with torch.no_grad():
        for name, model, x, call, use in cases:
            y = call(model, x)
            out_shapes[name] = tuple(y.shape)
            rows.append({
                "type": name, "input": str(tuple(x.shape)), "output": str(tuple(y.shape)),
                "recurrent": is_recurrent(model), "parameters": sum(p.numel() for p in model.parameters()),
                "use": use,
            })
        # The encoder-decoder's output length is whatever the decoder is asked for, whatever the input length.
        by_in_steps = {str(t): seq2seq(torch.randn(B, t, F), T_out).shape[1] for t in (T_in, 2 * T_in)}

    return Result(
        in_steps=T_in, out_steps=T_out, rows=rows,
        one_to_one_recurrent=is_recurrent(one_to_one),
        aligned_keeps_length=out_shapes["many-to-many, aligned"][1] == T_in,
        seq2seq_lengths_differ=out_shapes["many-to-many, encoder-decoder"][1] != T_in,
        seq2seq_out_steps_by_in_steps=by_in_steps,
    )


def report(result: Result) -> Report:
    r = result
    by_type = {row["type"]: row for row in r.rows}
    table = Table(
        title="Five input/output patterns (B batch, T steps, F features, C classes, V vocabulary)",
        columns=["type", "input", "output", "recurrent", "parameters", "a real use"],
        rows=[[row["type"], row["input"], row["output"], "yes" if row["recurrent"] else "no", row["parameters"],
               row["use"]] for row in r.rows],
    )
    lengths = Table(
        title="Encoder-decoder lengths",
        columns=["input steps", "output steps"],
        rows=[[int(t_in), t_out] for t_in, t_out in r.seq2seq_out_steps_by_in_steps.items()],
    )
    one, aligned = by_type["one-to-one"], by_type["many-to-many, aligned"]
    s2s = by_type["many-to-many, encoder-decoder"]
    lesson = (
        f"One-to-one maps {one['input']} to {one['output']} with a plain MLP of {one['parameters']} parameters "
        f"and no recurrence, so it is not really an RNN pattern. Many-to-many is two things: aligned tagging "
        f"keeps the length ({aligned['input']} -> {aligned['output']}), while an encoder-decoder squeezes "
        f"{r.in_steps} steps into one state and decodes {r.out_steps} ({s2s['input']} -> {s2s['output']})."
    )
    return Report(lesson=lesson, tables=[table, lengths])
