"""Rich renderables for every screen; functions build and return, the CLI prints."""

from __future__ import annotations

import re

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tutor.model import GradeResult, Question, Verdict

VERDICT_STYLE = {Verdict.CORRECT: "bold green", Verdict.PARTIAL: "bold yellow", Verdict.INCORRECT: "bold red"}
SERIES_STYLES = ("cyan", "magenta", "green", "yellow", "blue", "red", "bright_cyan", "bright_magenta")


def question_table(questions: list[Question], due: dict[str, int] | None = None, width: int = 80) -> Text:
    """`tutor list`: questions in learning order under their topic; the last line counts what is due.

    Plain aligned lines rather than a Rich Table: a table's layout pass would cost more than the rest."""
    id_width = max([len(q.id) for q in questions] + [2])
    demo_width = max([len(q.demo) for q in questions] + [4])
    question_width = width - 2 - id_width - 2 - 2 - 3 - 2 - demo_width - 1  # what the other columns leave
    shown = question_width >= 10  # on a very narrow terminal the title gives way (`tutor show` has it)
    head = f"  {'id':<{id_width}}  " + (f"{'question':<{question_width}}  " if shown else "")
    out = Text(f"{len(questions)} questions\n", style="bold")
    out.append(f"{head}lvl  {'demo':<{demo_width}}\n", style="dim")
    topic = None
    for q in questions:
        if q.topic != topic:
            topic = q.topic
            count = sum(1 for other in questions if other.topic == topic)
            waiting = f", {due[topic]} due" if due and due.get(topic) else ""
            out.append(f"{topic} ({count}{waiting})\n", style="bold cyan")
        title = q.title if len(q.title) <= question_width else q.title[:question_width - 1] + "…"
        column = f"{title:<{question_width}}  " if shown else ""
        out.append(f"  {q.id:<{id_width}}  {column}{q.difficulty:>3}  {q.demo}\n")
    if due and any(due.values()):
        out.append(f"{sum(due.values())} due now: tutor review\n", style="bold")
    out.rstrip()
    return out


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


def demo_report(report, width: int) -> RenderableType:
    """A demo's tables, plots (markers coloured per series) and lesson (a tutor.demos.report.Report)."""
    from tutor.plot import MARKERS, draw

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


def question_panel(q: Question, position: int, total: int, edited: bool) -> RenderableType:
    """A question as the quiz shows it."""
    from rich.markdown import Markdown

    subtitle = f"{q.topic} · difficulty {q.difficulty}" + (" · edited since your last review" if edited else "")
    return Panel(Markdown(q.text), title=f"Question {position}/{total} · {q.id}", title_align="left",
                 subtitle=subtitle, subtitle_align="left", border_style="cyan")


def feedback_view(q: Question, result: GradeResult) -> RenderableType:
    """After an answer: the model answer, the seed's answer and correction, the grade explained, the demo."""
    parts: list[RenderableType] = [_section("Model answer", q.answer, "green")]
    if q.seed_answer:
        parts.append(_section("The seed's answer", q.seed_answer, "yellow"))
    if q.correction:
        parts.append(_section("Correction", q.correction, "red"))
    parts += [grade_view(result), demo_hint(q)]  # the grade last: next to the rating prompt, on screen
    return Group(*parts)


def summary_table(outcomes, interrupted: bool) -> Table:
    """The end of a session: per question verdict and rating, then totals."""
    title = "Session summary" + (" (interrupted: answers so far are saved)" if interrupted else "")
    table = Table(title=title, title_justify="left")
    for column in ("#", "question", "verdict", "score", "rating"):
        table.add_column(column)
    counts = {v: 0 for v in Verdict}
    for n, o in enumerate(outcomes, 1):
        if o.result is None:
            table.add_row(str(n), o.question.id, "skipped", "", "")
            continue
        counts[o.result.verdict] += 1
        table.add_row(str(n), o.question.id, Text(o.result.verdict.value, VERDICT_STYLE[o.result.verdict]),
                      f"{o.result.score:.0%}", o.rating.label)
    answered = sum(counts.values())
    table.caption = (f"{answered} answered: {counts[Verdict.CORRECT]} correct, {counts[Verdict.PARTIAL]} partial, "
                     f"{counts[Verdict.INCORRECT]} incorrect; {len(outcomes) - answered} skipped")
    table.caption_justify = "left"
    return table


HEAT = "·░▒▓█"  # no answers, then more and more


def stats_view(stats, today, orphans_only: bool = False) -> RenderableType:
    """`tutor stats`: totals, streak, retention, a 12-week heatmap, the 14-day forecast, mastery, leeches."""
    from tutor.stats import heatmap_days

    if orphans_only:
        if not stats.orphans:
            return Text("No orphans: every question with progress still has its file.")
        return Text("Progress kept for questions whose files are gone:\n" + "\n".join(f"  {o}" for o in stats.orphans))
    t = stats.totals
    passed, total = stats.retention
    retention = f"{passed / total:.0%} ({passed}/{total})" if total else "no mature reviews yet"
    head = Text.assemble(
        ("Answers: ", "bold"), f"{t.get('reviews', 0)}   ", ("questions seen: ", "bold"), f"{t.get('seen', 0)}   ",
        ("streak: ", "bold"), f"{stats.streak} day{'s' * (stats.streak != 1)}   ", ("due now: ", "bold"), f"{stats.due_now}\n",
        ("True retention, last 30 days: ", "bold"), retention)
    columns = heatmap_days(stats.per_day, today)
    peak = max([n for col in columns for _, n in col] + [1])
    rows = []
    for weekday, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        cells = ""
        for col in columns:
            n = col[weekday][1]
            cells += "  " if n < 0 else " " + (HEAT[0] if n == 0 else HEAT[min(4, 1 + int(3 * n / peak))])
        rows.append(f"{name:>3} {cells}")
    heat = Text("Answers per day, last 12 weeks (· none, ░▒▓█ more)\n" + "\n".join(rows))
    forecast = forecast_view(stats.forecast, today)
    mastery = Table(title="Mastery (stability over 21 days)", title_justify="left")
    for column in ("topic", "questions", "seen", "mastered"):
        mastery.add_column(column)
    for m in stats.mastery:
        share = f"{m['mastered']} ({m['mastered'] / m['questions']:.0%})" if m["questions"] else "0"
        mastery.add_row(m["topic"], str(m["questions"]), str(m["seen"]), share)
    parts: list[RenderableType] = [head, Text(), heat, Text(), forecast, Text(), mastery]
    if stats.leeches:
        parts.append(Text("Leeches (8+ lapses; rewrite your notes on these): " + ", ".join(stats.leeches), style="red"))
    if stats.orphans:
        parts.append(Text(f"{len(stats.orphans)} question(s) with progress but no file: tutor stats --orphans", style="dim"))
    return Group(*parts)


BARS = " ▁▂▃▄▅▆▇█"


def forecast_view(forecast: list[int], today) -> Text:
    """Questions due per day as one row of bars, with the counts and weekdays under them."""
    from datetime import timedelta

    most = max(forecast + [1])
    bars = "".join(f" {(BARS[max(1, round(8 * n / most))] if n else '·') * 3}" for n in forecast)
    counts = "".join(f"{n:>4}" for n in forecast)
    days = "".join(f"{(today + timedelta(days=d)).strftime('%a'):>4}" for d in range(len(forecast)))
    return Text(f"Due in the next {len(forecast)} days: {sum(forecast)} in all (today includes overdue)\n"
                f"{bars}\n{counts}\n{days}")
