"""`tutor demo`: list the demos, or run one and render its tables, plots and lesson."""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
from typing import Annotated, Optional

import typer

from tutor.cli import app, console, print_json
from tutor.demos import DEMOS
from tutor.errors import TutorError, UsageError


class TorchMissing(TutorError):
    exit_code = 3


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def demo(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A demo's name, or 'list' to see them all.")] = "list",
    seed: Annotated[Optional[int], typer.Option(help="Random seed (the run is the same for the same seed).")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="Smaller sizes: seconds become a fraction.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON, nothing else.")] = False,
) -> None:
    """Run a small PyTorch experiment that shows an answer is true. Any setting of the demo's
    Config can be given as an option, e.g. --steps 500.

    Example: tutor demo vanishing --seed 1
    """
    if name == "list":
        _list(as_json)
        return
    if name not in DEMOS:
        close = difflib.get_close_matches(name, list(DEMOS), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `tutor demo list` shows them"
        raise UsageError(f"no demo named '{name}'{hint}")
    module = _load(name)
    cfg = _config(module, ctx.args, seed, quick)
    import torch

    torch.set_num_threads(THREADS)  # the same seed gives the same numbers only with the same thread count
    out = console()
    if not as_json:
        out.print(f"[bold]{DEMOS[name].title}[/] (seed {cfg.seed}; rerun with --seed N for another draw)")
    with _progress_bar(enabled=not as_json) as progress:
        result = module.run(cfg, progress=progress)
    if as_json:
        print_json(dataclasses.asdict(result))
        return
    from tutor.ui import demo_report

    if getattr(result, "stopped_early", False):
        out.print("[yellow]Stopped early (Ctrl-C): the results so far.[/]")
    out.print(demo_report(module.report(result), out.width))


THREADS = 1  # demos are small: one thread is as fast as two here, and reproducible


@contextlib.contextmanager
def _progress_bar(enabled: bool):
    """A `progress(step, total, metrics)` callback drawing a Rich progress bar on stderr."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("training"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("{task.fields[metrics]}"), console=console(stderr=True), transient=True)
    task = None

    def update(step: int, total: int, metrics: dict) -> None:
        nonlocal task
        text = "  ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in metrics.items())
        if task is None:
            task = bar.add_task("train", total=total, metrics=text)
        bar.update(task, completed=step, total=total, metrics=text)

    with bar:
        yield update


def _list(as_json: bool) -> None:
    backs = _questions_per_demo()
    rows = [{**dataclasses.asdict(info), "questions": backs.get(info.name, [])} for info in DEMOS.values()]
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(title="Demos (run one with: tutor demo NAME)", title_justify="left")
    for column in ("name", "topic", "what it shows", "Qs", "time"):
        table.add_column(column, no_wrap=column in ("name", "time"))
    for info in DEMOS.values():
        table.add_row(info.name, info.topic, info.title, str(len(backs.get(info.name, []))), f"~{info.seconds:g} s")
    console().print(table)


def _questions_per_demo() -> dict[str, list[str]]:
    """Demo name -> ids of the questions it backs (a broken content file only drops its question)."""
    from tutor.content import check
    from tutor.paths import bundled_content, extra_content

    backs: dict[str, list[str]] = {}
    for q in check([bundled_content(), *extra_content(None)]).questions:
        backs.setdefault(q.demo, []).append(q.id)
    return backs


def _load(name: str):
    from tutor.demos import load_module

    try:
        return load_module(name)
    except ImportError as exc:
        if "torch" in str(exc):
            raise TorchMissing("PyTorch is not installed or is broken; install it with "
                               "`pip install 'torch>=2.2,<2.14'` (or `make quiz` in a checkout)") from exc
        raise


def _config(module, args: list[str], seed: int | None, quick: bool):
    """The demo's Config from its defaults, --quick, --seed and any `--field value` options."""
    values = dict(module.QUICK) if quick else {}
    if seed is not None:
        values["seed"] = seed
    fields = {f.name: f for f in dataclasses.fields(module.Config)}
    options = ", ".join("--" + n.replace("_", "-") for n in fields)
    it = iter(args)
    for arg in it:
        key = arg[2:].replace("-", "_") if arg.startswith("--") else None
        if key not in fields:
            raise UsageError(f"unknown option '{arg}' for this demo; it takes {options}")
        raw = next(it, None)
        if raw is None:
            raise UsageError(f"option '{arg}' needs a value")
        values[key] = _convert(raw, fields[key], arg)
    return module.Config(**values)


def _convert(raw: str, field: dataclasses.Field, arg: str):
    """A command-line string as the type of the Config field's default; lists are comma-separated."""
    default = field.default if field.default is not dataclasses.MISSING else field.default_factory()
    try:
        if isinstance(default, bool):
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError
            return raw.lower() in ("1", "true", "yes", "on")
        if isinstance(default, (tuple, list)):
            item = type(default[0]) if default else str
            return type(default)(item(part) for part in raw.split(",") if part.strip())
        return type(default)(raw) if isinstance(default, (int, float, str)) else raw
    except ValueError:
        kind = "list" if isinstance(default, (tuple, list)) else type(default).__name__
        raise UsageError(f"option '{arg}' takes a {kind}, not '{raw}'") from None
