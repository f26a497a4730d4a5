"""Input, output and state shapes of nn.RNN, nn.LSTM and nn.GRU, measured rather than recalled.

A batched input has 3 dims, (L, N, H_in) or (N, L, H_in) with batch_first (an unbatched (L, H_in) also
works); h_n and c_n are (D*num_layers, N, H_out) even with batch_first, and no parameter depends on L.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from tutor.demos.report import Progress, Report, Table

# Names used in the shape comments, as in the PyTorch docs:
#   N batch size, L sequence length (steps), H_in input features, H_out hidden size,
#   D = 2 if bidirectional else 1, num_layers stacked layers.


@dataclass
class Config:
    seed: int = 0
    batch: int = 4  # N; keep it different from seq_len so a swapped axis shows
    seq_len: int = 7  # L
    input_size: int = 8  # H_in
    hidden_size: int = 16  # H_out
    long_seq_len: int = 50  # a second length fed to the same module to count its parameters


QUICK: dict = {"long_seq_len": 20}  # the default sizes are already tiny and are the reference figures


@dataclass
class Result:
    batch: int
    seq_len: int
    input_size: int
    hidden_size: int
    rows: list[dict]  # one per configuration: name, cell, batch_first, num_layers, D, input, output, h_n, c_n
    all_follow_rule: bool  # every measured shape equals the rule's prediction
    h_n_never_batch_first: bool  # batched h_n is (D*num_layers, N, H_out) in every configuration
    c_n_same_as_h_n: bool  # for every LSTM
    last_output_is_top_h_n: bool  # unidirectional: output at the last step == top layer's h_n
    param_lengths: list[int]  # sequence lengths fed to one and the same LSTM
    param_counts: list[int]  # its parameter count at each of those lengths
    params_independent_of_length: bool


CELLS = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}

# (name, batch_first, num_layers, bidirectional, batched)
VARIANTS = [
    ("seq-first", False, 1, False, True),
    ("batch_first", True, 1, False, True),
    ("batch_first, 2 layers", True, 2, False, True),
    ("batch_first, bidirectional", True, 1, True, True),
]
UNBATCHED = ("unbatched", False, 1, False, False)  # shown once, for the LSTM


def shape(t: torch.Tensor) -> str:
    return str(tuple(t.shape))


def rule(cfg: Config, batch_first: bool, num_layers: int, bidirectional: bool, batched: bool) -> dict:
    """The documented shapes, written out as strings to compare with the measured ones."""
    N, L, H_in, H_out = cfg.batch, cfg.seq_len, cfg.input_size, cfg.hidden_size
    D = 2 if bidirectional else 1
    if not batched:
        return {"input": str((L, H_in)), "output": str((L, D * H_out)), "h_n": str((D * num_layers, H_out))}
    lead = (N, L) if batch_first else (L, N)  # batch_first swaps the first two axes of input and output only
    return {
        "input": str(lead + (H_in,)),
        "output": str(lead + (D * H_out,)),
        "h_n": str((D * num_layers, N, H_out)),  # never batch-first
    }


def run(cfg: Config, progress: Progress | None = None) -> Result:
    torch.manual_seed(cfg.seed)
    N, L, H_in, H_out = cfg.batch, cfg.seq_len, cfg.input_size, cfg.hidden_size

    rows: list[dict] = []
    follows, never_bf, c_same, last_is_top = [], [], [], []
    configs = [(c, v) for c in CELLS for v in VARIANTS] + [("LSTM", UNBATCHED)]
    for cell, (variant, batch_first, num_layers, bidirectional, batched) in configs:
        module = CELLS[cell](H_in, H_out, num_layers=num_layers, batch_first=batch_first,
                             bidirectional=bidirectional)
        if not batched:
            x = torch.randn(L, H_in)  # (L, H_in)
        elif batch_first:
            x = torch.randn(N, L, H_in)  # (N, L, H_in)
        else:
            x = torch.randn(L, N, H_in)  # (L, N, H_in)
        with torch.no_grad():
            output, state = module(x)  # output: every step of the top layer; state: the last step of every layer
        h_n, c_n = state if cell == "LSTM" else (state, None)  # h_n, c_n: (D*num_layers, N, H_out)

        expected = rule(cfg, batch_first, num_layers, bidirectional, batched)
        row = {
            "name": f"{cell}, {variant}", "cell": cell, "batch_first": batch_first, "num_layers": num_layers,
            "D": 2 if bidirectional else 1, "batched": batched,
            "input": shape(x), "output": shape(output), "h_n": shape(h_n), "c_n": shape(c_n) if c_n is not None else "",
        }
        rows.append(row)
        follows.append(all(row[k] == expected[k] for k in ("input", "output", "h_n")))
        if batched:
            never_bf.append(tuple(h_n.shape) == (row["D"] * num_layers, N, H_out))
        if c_n is not None:
            c_same.append(c_n.shape == h_n.shape)
        if batched and not bidirectional:
            last_step = output[:, -1] if batch_first else output[-1]  # (N, H_out)
            last_is_top.append(torch.equal(last_step, h_n[-1]))

    # One module, two lengths: the weights are shared over time, so the count cannot depend on L.
    lstm = nn.LSTM(H_in, H_out, num_layers=2, batch_first=True)
    lengths, counts = [L, cfg.long_seq_len], []
    for length in lengths:
        with torch.no_grad():
            lstm(torch.randn(N, length, H_in))  # (N, length, H_in) -> runs without any change to the module
        counts.append(sum(p.numel() for p in lstm.parameters()))

    return Result(
        batch=N, seq_len=L, input_size=H_in, hidden_size=H_out, rows=rows,
        all_follow_rule=all(follows), h_n_never_batch_first=all(never_bf), c_n_same_as_h_n=all(c_same),
        last_output_is_top_h_n=all(last_is_top), param_lengths=lengths, param_counts=counts,
        params_independent_of_length=len(set(counts)) == 1,
    )


def report(result: Result) -> Report:
    r = result
    shapes_table = Table(
        title=f"Measured shapes: N={r.batch}, L={r.seq_len}, H_in={r.input_size}, H_out={r.hidden_size}",
        columns=["module", "input", "output", "h_n", "c_n"],
        rows=[[row["name"], row["input"], row["output"], row["h_n"], row["c_n"] or "-"] for row in r.rows],
    )
    rules_table = Table(
        title="The rules (D = 2 if bidirectional else 1)",
        columns=["tensor", "batch_first=False", "batch_first=True", "unbatched"],
        rows=[
            ["input", "(L, N, H_in)", "(N, L, H_in)", "(L, H_in)"],
            ["output", "(L, N, D*H_out)", "(N, L, D*H_out)", "(L, D*H_out)"],
            ["h_n", "(D*num_layers, N, H_out)", "(D*num_layers, N, H_out)", "(D*num_layers, H_out)"],
            ["c_n (LSTM)", "same as h_n", "same as h_n", "same as h_n"],
        ],
    )
    checks_table = Table(
        title="Checks",
        columns=["claim", "holds"],
        rows=[
            ["every shape follows the rule", str(r.all_follow_rule)],
            ["h_n is never batch-first", str(r.h_n_never_batch_first)],
            ["c_n has the shape of h_n", str(r.c_n_same_as_h_n)],
            ["output's last step == h_n[-1] (one direction)", str(r.last_output_is_top_h_n)],
        ],
    )
    params_table = Table(
        title="One 2-layer LSTM, two lengths",
        columns=["L", "parameters"],
        rows=[[length, count] for length, count in zip(r.param_lengths, r.param_counts)],
    )
    by_name = {row["name"]: row for row in r.rows}
    two_layer, bi = by_name["LSTM, batch_first, 2 layers"], by_name["LSTM, batch_first, bidirectional"]
    lesson = (
        f"A batched input has 3 dims, {by_name['LSTM, seq-first']['input']} by default or {two_layer['input']} "
        f"with batch_first, but h_n is never batch-first: {two_layer['h_n']} for 2 layers and {bi['h_n']} for "
        f"one bidirectional layer, whose output widens to {bi['output']}. "
        f"The same LSTM has {r.param_counts[0]} parameters at L={r.param_lengths[0]} and {r.param_counts[-1]} "
        f"at L={r.param_lengths[-1]}: nothing in it depends on the sequence length."
    )
    return Report(lesson=lesson, tables=[shapes_table, rules_table, checks_table, params_table])
