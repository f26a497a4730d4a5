"""`tutor quiz` and `tutor review`: the daily learning loop, interactive or scripted."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from tutor.cli import AsJson, ContentDirs, Home, app, console, load_questions, open_store, print_json

Topic = Annotated[Optional[str], typer.Option(help="Only this topic.")]
Tag = Annotated[Optional[str], typer.Option(help="Only questions with this tag.")]
Difficulty = Annotated[Optional[int], typer.Option(help="Only this difficulty (1-3).", min=1, max=3)]
Seed = Annotated[Optional[int], typer.Option(help="Random seed for a reproducible order.")]
Answers = Annotated[Optional[Path], typer.Option(
    help="JSONL of {id, answer, rating (optional)}: answers for a script; multi-line answers go here.",
    dir_okay=False, exists=True)]


@app.command()
def quiz(
    topic: Topic = None, tag: Tag = None, difficulty: Difficulty = None,
    count: Annotated[int, typer.Option(help="How many questions.", min=1)] = 5,
    seed: Seed = None, answers: Answers = None, home: Home = None, content: ContentDirs = None,
    as_json: AsJson = False,
) -> None:
    """Answer questions now, whatever the schedule; each answer is graded, explained and recorded.

    Example: tutor quiz --topic gradients --count 3
    """
    from tutor.content import find
    from tutor.session import pick, quiz_queue

    questions = load_questions(content)
    terminal = _terminal(answers, as_json)
    if answers is not None:  # the file says which questions, in its order
        queue = [find(questions, qid) for qid in terminal.ids]
    else:
        queue = quiz_queue(pick(questions, topic, tag, difficulty), count, seed)
    with open_store(home) as store:
        _run(queue, terminal, store, "quiz", as_json, relearn=False)


@app.command()
def review(
    topic: Topic = None, tag: Tag = None, difficulty: Difficulty = None,
    new: Annotated[int, typer.Option("--new", help="Most new questions a day.", min=0)] = 10,
    limit: Annotated[int, typer.Option(help="Most reviews a day.", min=0)] = 100,
    cram: Annotated[bool, typer.Option("--cram", help="Practise anything now without changing the schedule.")] = False,
    count: Annotated[int, typer.Option(help="With --cram: how many questions.", min=1)] = 10,
    seed: Seed = None, answers: Answers = None, home: Home = None, content: ContentDirs = None,
    as_json: AsJson = False,
) -> None:
    """Review what the scheduler (FSRS) says is due, then new questions up to the daily limit.

    Example: tutor review --new 5
    """
    from datetime import datetime, timezone

    from tutor.session import pick, quiz_queue, review_queue

    questions = pick(load_questions(content), topic, tag, difficulty)
    now = datetime.now(timezone.utc)
    with open_store(home) as store:
        queue = quiz_queue(questions, count, seed) if cram else review_queue(questions, store, now, new, limit)
        if not queue:
            _nothing_due(store.next_due(now), now)
            return
        _run(queue, _terminal(answers, as_json), store, "cram" if cram else "review", as_json, relearn=not cram)


def _nothing_due(next_due, now) -> None:
    out = console()
    if next_due is None:
        out.print("Nothing is due, and no new questions are left for today.")
    else:
        hours = (next_due - now).total_seconds() / 3600
        when = f"in {hours:.0f} h" if hours >= 1 else f"in {max(1, round(hours * 60))} min"
        out.print(f"Nothing is due. The next question is due {when} ({next_due.astimezone():%Y-%m-%d %H:%M}).")
    out.print("Practise anyway without changing the schedule: tutor review --cram")


def _terminal(answers: Path | None, as_json: bool):
    from tutor.terminals import AnswersFileTerminal, InteractiveTerminal, LineTerminal

    screen = None if as_json else console()
    if answers is not None:
        return AnswersFileTerminal(screen, answers)
    if sys.stdin.isatty() and not as_json:
        return InteractiveTerminal(screen)
    return LineTerminal(screen)


def _run(queue, terminal, store, mode: str, as_json: bool, relearn: bool) -> None:
    from tutor.session import Session
    from tutor.ui import summary_table

    def emit(outcome) -> None:
        row = {"id": outcome.question.id, "mode": mode, **outcome.result.to_dict(),
               "suggested": outcome.result.rating.name.lower(), "rating": outcome.rating.name.lower()}
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    if not queue:
        console().print("No questions match.")
        return
    session = Session(store, terminal, list(queue), mode=mode, relearn=relearn, on_record=emit if as_json else None)
    summary = session.run()
    out = console(stderr=as_json)
    if summary.interrupted:
        out.print()
    if summary.outcomes or summary.interrupted:
        out.print(summary_table(summary.outcomes, summary.interrupted))
    if summary.interrupted:
        raise typer.Exit(130)


@app.command()
def stats(
    orphans: Annotated[bool, typer.Option("--orphans", help="List questions with progress whose files are gone.")] = False,
    home: Home = None, content: ContentDirs = None, as_json: AsJson = False,
) -> None:
    """What you know: totals, streak, retention, a 12-week heatmap, the due forecast, mastery, leeches.

    Example: tutor stats --json
    """
    from datetime import datetime, timezone

    from tutor.stats import gather
    from tutor.ui import stats_view

    now = datetime.now(timezone.utc)
    with open_store(home) as store:
        figures = gather(store, load_questions(content), now)
    if as_json:
        print_json(figures.to_dict())
        return
    console().print(stats_view(figures, now.astimezone().date(), orphans_only=orphans))
