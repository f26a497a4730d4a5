"""The demo registry: name -> module, title and topic. Modules (and torch) load only when a demo runs.

Each demo module `tutor/demos/<module>.py` provides:
    Config            a dataclass with commented defaults, including `seed: int`
    QUICK             a dict of Config overrides for `--quick` (small sizes, for tests)
    Result            a dataclass of plain numbers, text and lists (it is printed as JSON by `--json`)
    run(cfg, progress=None) -> Result     computes; prints nothing
    report(result) -> tutor.demos.report.Report     tables, plots and the lesson, citing the numbers

Demos that train call `progress(step, total, metrics)` now and then (the CLI draws a progress bar on
stderr from it), and stop cleanly on Ctrl-C: they catch KeyboardInterrupt inside their training loop
and return the Result so far with `stopped_early=True`. The CLI fixes torch's thread count before a
run, so the same seed gives the same numbers.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class DemoInfo:
    name: str
    module: str  # e.g. "tutor.demos.vanishing"
    title: str  # what it shows, in a line
    topic: str
    seconds: float  # typical whole-process time of the default run on a 2-core CPU


def _demo(name: str, module: str, title: str, topic: str, seconds: float) -> tuple[str, DemoInfo]:
    return name, DemoInfo(name, f"tutor.demos.{module}", title, topic, seconds)


DEMOS: dict[str, DemoInfo] = dict([
    _demo("shapes", "shapes", "Input, output and state shapes of nn.RNN, nn.LSTM and nn.GRU", "rnn-basics", 4.0),
    _demo("rnn-types", "rnn_types", "One-to-one, one-to-many, many-to-one and both many-to-many", "rnn-basics", 4.0),
    _demo("unroll", "unroll", "An RNN is a feed-forward net unrolled in time with tied weights", "rnn-basics", 4.0),
    _demo("bptt", "bptt", "Backpropagation through time by hand, checked against autograd", "gradients", 3.5),
    _demo("vanishing", "vanishing", "Gradient norm through time: tanh, sigmoid and LSTM cells", "gradients", 3.5),
    _demo("exploding", "exploding", "Exploding gradients over recurrent gains, and what clipping does", "gradients", 7.0),
    _demo("copy", "copy", "Remembering across a delay: tanh RNN vs LSTM on the copy task", "gated-cells", 25.0),
    _demo("charrnn", "charrnn", "A character-level LSTM learns (memorises) a paragraph, then writes", "sequence-models", 8.0),
    _demo("timeseries", "timeseries", "MLP on a window vs RNN on a series with old dependencies", "rnn-basics", 8.0),
    _demo("cnn-vs-rnn", "cnn_vs_rnn", "A 1-D CNN and an RNN on one sequence task: size, speed, any length", "convolution", 8.0),
])


def load_module(name: str) -> ModuleType:
    """Import a registered demo's module (this is where torch gets imported)."""
    return importlib.import_module(DEMOS[name].module)
