"""Rich renderables for every screen; functions build and return, the CLI prints."""

from __future__ import annotations

import re

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tutor.demos.report import Report
from tutor.model import GradeResult, Question, Verdict
from tutor.plot import MARKERS, draw

VERDICT_STYLE = {Verdict.CORRECT: "bold green", Verdict.PARTIAL: "bold yellow", Verdict.INCORRECT: "bold red"}
SERIES_STYLES = ("cyan", "magenta", "green", "yellow", "blue", "red", "bright_cyan", "bright_magenta")


def question_table(questions: list[Question], due: dict[str, int] | None = None) -> Table:
    """`tutor list`: one row per question, in learning order."""
    table = Table(title=f"{len(questions)} questions", title_justify="left", expand=False)
    table.add_column("topic", style="cyan", no_wrap=True)
    table.add_column("id", no_wrap=True, overflow="fold")
    table.add_column("question", ratio=1)
    table.add_column("lvl", justify="right")
    table.add_column("demo", no_wrap=True)
    for q in questions:
        table.add_row(q.topic, q.id, q.title, str(q.difficulty), q.demo)
    return table


def question_view(q: Question) -> RenderableType:
    """`tutor show`: the question, model answer, the seed's answer and its correction."""
    from rich.markdown import Markdown  # markdown-it costs ~70 ms: only `show` and the quiz pay it

    meta = f"{q.topic} · difficulty {q.difficulty} · {q.source}" + (f" · tags: {', '.join(q.tags)}" if q.tags else "")
    parts: list[RenderableType] = [Panel(Markdown(q.text), title=q.id, subtitle=meta, title_align="left")]
    parts.append(_section("Model answer", q.answer, "green"))
    if q.seed_answer:
        parts.append(_section("The seed's answer", q.seed_answer, "yellow"))
    if q.correction:
        parts.append(_section("Correction", q.correction, "red"))
    if q.notes:
        parts.append(_section("Notes", q.notes, "blue"))
    parts.append(Text("Key ideas: " + "; ".join(c.name for c in q.concepts), style="dim"))
    if q.references:
        parts.append(Text("References:\n" + "\n".join(f"  - {r}" for r in q.references), style="dim"))
    parts.append(demo_hint(q))
    return Group(*parts)


def demo_hint(q: Question) -> Text:
    if q.demo == "none":
        return Text("No demo backs this question.", style="dim")
    return Text.assemble("See it run: ", (f"tutor demo {q.demo}", "bold"))


def _section(title: str, body: str, colour: str) -> Panel:
    from rich.markdown import Markdown

    return Panel(Markdown(body), title=title, title_align="left", border_style=colour)


def score_bar(score: float, width: int = 20) -> str:
    filled = round(score * width)
    return "█" * filled + "░" * (width - filled)


def grade_view(result: GradeResult) -> RenderableType:
    """The explanation of a grade: verdict, score bar, ideas found, missed, negated, misconceptions."""
    head = Text.assemble((result.verdict.value.upper(), VERDICT_STYLE[result.verdict]),
                         f"  {score_bar(result.score)} {result.score:.0%}   suggested rating: {result.rating.label}")
    lines: list[RenderableType] = [head]
    for hit in result.matched:
        lines.append(Text.assemble(("  ✓ ", "green"), hit.concept, (f'  "{hit.words}"', "dim")))
    negated = {h.concept: h for h in result.negated}
    for name in result.missed:
        if name in negated:
            lines.append(Text.assemble(("  ¬ ", "yellow"), name, (f'  negated: "{negated[name].words}"', "yellow")))
        else:
            required = " (required)" if name in result.required_missing else ""
            lines.append(Text.assemble(("  ✗ ", "red"), name + required))
    for wrong in result.misconceptions:
        lines.append(Text.assemble(("  ! ", "bold red"), wrong.feedback, (f'  "{wrong.words}"', "dim")))
    if result.reason == "empty answer":
        lines.append(Text("  The answer was empty.", style="red"))
    return Group(*lines)


def demo_report(report: Report, width: int) -> RenderableType:
    """A demo's tables, plots (markers coloured per series) and lesson."""
    parts: list[RenderableType] = []
    for spec in report.tables:
        table = Table(title=spec.title, title_justify="left")
        for column in spec.columns:
            table.add_column(column, overflow="fold")
        for row in spec.rows:
            table.add_row(*(_cell(v) for v in row))
        parts.append(table)
    for spec in report.plots:
        text = Text("\n".join(draw(spec, width=min(width, 100) - 2)))
        for marker, style in zip(MARKERS, SERIES_STYLES):
            text.highlight_regex(re.escape(marker), style)
        parts.append(text)
    parts.append(Panel(report.lesson, title="The lesson", title_align="left", border_style="green"))
    return Group(*parts)


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1e4 and (abs(value) >= 1e-3 or value == 0) else f"{value:.2e}"
    return str(value)
