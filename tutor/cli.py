"""The `tutor` command line: parse arguments, call the library, render, choose the exit code.

Heavy modules (yaml, the grader, the store, torch) are imported inside the commands that need them,
so `tutor --help` costs little more than Typer and Rich themselves.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from tutor.errors import TutorError, UsageError

app = typer.Typer(
    help="A terminal tutor for deep-learning interview topics: RNNs, LSTMs, CNNs and their gradients.\n\n"
         "Example: tutor quiz --topic gradients",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ContentDirs = Annotated[Optional[list[Path]], typer.Option(
    "--content", help="Extra folder of questions (repeatable); $TUTOR_CONTENT adds more.",
    file_okay=False)]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
Home = Annotated[Optional[Path], typer.Option("--home", help="Folder of tutor.db (default: $TUTOR_HOME, else "
                                                            "the user data dir).", file_okay=False)]


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, emoji=False)


def load_questions(content: list[Path] | None):
    """The bundled bank plus the extra content folders (cached while no file changes); raises ContentError."""
    from tutor.content_cache import cached
    from tutor.demos import DEMOS
    from tutor.paths import bundled_content, data_home, extra_content

    folders = [bundled_content(), *extra_content(content)]

    def load():
        from tutor import content as bank

        return bank.load(folders, known_demos=set(DEMOS))

    return cached(folders, data_home() / "cache", load)


def open_store(home: Path | None):
    from tutor.paths import data_home
    from tutor.store import Store

    return Store.open(data_home(home))


def due_by_topic(questions, home: Path | None) -> dict[str, int]:
    """Questions due now, per topic; empty (and nothing created) when there is no progress yet."""
    from datetime import datetime, timezone

    from tutor.paths import data_home

    if not (data_home(home) / "tutor.db").exists():
        return {}
    now = datetime.now(timezone.utc)
    with open_store(home) as store:
        due = {qid for qid, _ in store.due(now, len(questions) + 1)} if questions else set()
    counts: dict[str, int] = {}
    for q in questions:
        counts[q.topic] = counts.get(q.topic, 0) + (q.id in due)
    return counts


def print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command("list")
def list_questions(
    topic: Annotated[Optional[str], typer.Option(help="Only this topic.")] = None,
    tag: Annotated[Optional[str], typer.Option(help="Only questions with this tag.")] = None,
    content: ContentDirs = None,
    home: Home = None,
    as_json: AsJson = False,
) -> None:
    """List the questions in learning order, with how many are due in each topic.

    Example: tutor list --topic gradients
    """
    questions = [q for q in load_questions(content)
                 if (topic is None or q.topic == topic) and (tag is None or tag in q.tags)]
    if as_json:
        print_json([{"id": q.id, "topic": q.topic, "question": q.title, "source": q.source, "demo": q.demo,
                     "tags": list(q.tags), "difficulty": q.difficulty} for q in questions])
        return
    from tutor.ui import question_table

    out = console()
    out.print(question_table(questions, due_by_topic(questions, home), out.width))


@app.command()
def show(
    question_id: Annotated[str, typer.Argument(metavar="ID", help="The question's id (see `tutor list`).")],
    content: ContentDirs = None,
    as_json: AsJson = False,
) -> None:
    """Show a question with its model answer, the seed's answer and the correction.

    Example: tutor show vanishing-gradient-intuition
    """
    from tutor.content import find

    q = find(load_questions(content), question_id)
    if as_json:
        import dataclasses

        print_json(dataclasses.asdict(q))
        return
    from tutor.ui import question_view

    console().print(question_view(q))


@app.command()
def check(
    path: Annotated[Optional[Path], typer.Argument(help="Content folder to check (default: the bundled bank).",
                                                   exists=True, file_okay=False)] = None,
    content: ContentDirs = None,
) -> None:
    """Validate question files: every problem as path:line: message (hint). Exit 1 on errors.

    Example: tutor check ./my-questions
    """
    from tutor import content as bank
    from tutor.demos import DEMOS
    from tutor.paths import bundled_content, extra_content

    report = bank.check([path or bundled_content(), *extra_content(content)], known_demos=set(DEMOS))
    out = console()
    for problem in report.problems:
        out.print(str(problem), markup=False, style="red", soft_wrap=True)
    errors = len(report.problems)
    out.print(f"{len(report.questions)} questions checked: {errors} error{'s' * (errors != 1)}", style="bold")
    if errors:
        raise typer.Exit(1)


@app.command()
def grade(
    args: Annotated[Optional[list[str]], typer.Argument(metavar="[ID] ANSWER",
                                                        help="A question id and the answer to grade.")] = None,
    reference: Annotated[Optional[str], typer.Option(help="Grade against this reference answer instead of a question.")] = None,
    batch: Annotated[Optional[Path], typer.Option(help="JSONL or CSV file: one answer per row (see README).",
                                                  dir_okay=False)] = None,
    out: Annotated[Optional[Path], typer.Option(help="With --batch: write results here instead of stdout.")] = None,
    content: ContentDirs = None,
    as_json: AsJson = False,
) -> None:
    """Grade answers without a session: one answer, or a whole file with --batch.

    Example: tutor grade backpropagation-through-time "unroll the RNN and backprop; weights shared"
    """
    args = args or []
    if batch is not None:
        raise typer.Exit(_grade_batch(batch, out, content))
    from tutor.grading import grade as grade_question, grade_reference

    if reference is not None:
        if len(args) != 1:
            raise UsageError('with --reference give exactly one answer: tutor grade --reference "..." "answer"')
        result = grade_reference(args[0], reference)
    else:
        if len(args) != 2:
            raise UsageError('give a question id and an answer: tutor grade ID "answer"')
        from tutor.content import find

        result = grade_question(args[1], find(load_questions(content), args[0]))
    if as_json:
        print_json(result.to_dict())
        return
    from tutor.ui import grade_view

    console().print(grade_view(result))


def _grade_batch(path: Path, out: Path | None, content: list[Path] | None) -> int:
    from tutor.batch import grade_lines, read_rows

    questions: list | None = None
    by_id: dict = {}

    def bank() -> list:
        nonlocal questions
        if questions is None:
            questions = load_questions(content)
            by_id.update((q.id, q) for q in questions)
        return questions

    def warm() -> None:  # before the workers start: every question's aliases compiled, or read from the cache
        from tutor.compiled_cache import prepare_all
        from tutor.paths import data_home

        prepare_all(bank(), data_home() / "cache")

    def lookup(qid: str):
        bank()
        if qid in by_id:
            return by_id[qid]
        from tutor.content import find  # its error names the closest ids (the import costs yaml: not for every file)

        return find(questions, qid)

    failed = 0
    try:
        sink = out.open("w", encoding="utf-8") if out else sys.stdout
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror}") from exc
    with sink if out else contextlib.nullcontext():
        for row_failed, line in grade_lines(read_rows(path), lookup, warm=warm):
            failed += row_failed
            sink.write(line + "\n")
    if failed:
        console(stderr=True).print(f"{failed} row{'s' * (failed != 1)} could not be graded", markup=False)
    return 1 if failed else 0



from tutor import cli_demo, cli_learn  # noqa: E402,F401  (they register their commands on `app`)


def main() -> None:
    """Entry point: library errors become one-line messages and exit codes, never tracebacks."""
    try:
        app()
    except TutorError as exc:
        console(stderr=True).print(f"error: {exc}", markup=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.stderr.close()  # `tutor list | head`: the reader left; nothing to report
        sys.exit(141)
