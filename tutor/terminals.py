"""The three ways a session meets a person or a script: a real terminal, piped lines, an answers file.

Each implements `tutor.session.Terminal`. Rendering goes through `tutor.ui`; only these classes and
the CLI print.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict, deque
from pathlib import Path

from rich.console import Console

from tutor import ui
from tutor.errors import UsageError
from tutor.model import GradeResult, Question, Rating
from tutor.session import COMMANDS

RATING_PROMPT = "Rate it: 1 Again  2 Hard  3 Good  4 Easy  (Enter = {label}) "
ANSWER_HELP = "Type your answer; Enter on an empty line submits. Or: hint, skip, undo, quit."


class ScreenTerminal:
    """Shows everything on a console; the subclasses decide where answers and ratings come from."""

    def __init__(self, console: Console | None):
        self.console = console

    def print(self, renderable) -> None:
        if self.console is not None:
            self.console.print(renderable)

    def ask(self, question: Question, position: int, total: int, edited: bool) -> None:
        self.print(ui.question_panel(question, position, total, edited))

    def show_feedback(self, question: Question, result: GradeResult) -> None:
        self.print(ui.feedback_view(question, result))

    def notice(self, text: str) -> None:
        self.print(f"[yellow]{text}[/]")


class InteractiveTerminal(ScreenTerminal):
    """A person at a terminal: multi-line answers, one key for the rating."""

    def __init__(self, console: Console):
        super().__init__(console)
        self._helped = False
        try:
            import readline  # noqa: F401  (line editing and history for input())
        except ImportError:
            pass

    def read_answer(self) -> str | None:
        if not self._helped:
            self.print(f"[dim]{ANSWER_HELP}[/]")
            self._helped = True
        lines = []
        try:
            while True:
                line = input("> " if not lines else "… ")
                if not line.strip():
                    if lines:
                        return "\n".join(lines)
                    continue
                if not lines and line.strip().lower() in COMMANDS:
                    return line
                lines.append(line)
        except EOFError:
            return "\n".join(lines) if lines else None

    def read_rating(self, suggested: Rating) -> Rating:
        self.console.print(RATING_PROMPT.format(label=suggested.label), end="", markup=False)
        while True:
            key = _read_key()
            if key in ("\r", "\n", ""):
                rating = suggested
            elif key in "1234":
                rating = Rating(int(key))
            else:
                continue
            self.console.print(rating.label)
            return rating


def _read_key() -> str:
    """One key press without Enter (Ctrl-C still interrupts); a plain line read when that is impossible."""
    try:
        import termios
        import tty

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
    except (ImportError, OSError, ValueError):
        return sys.stdin.readline()[:1]
    try:
        tty.setcbreak(fd)
        return sys.stdin.read(1)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


class LineTerminal(ScreenTerminal):
    """Piped input: each line is one answer, and the suggested rating is accepted."""

    def __init__(self, console: Console | None, stream=None):
        super().__init__(console)
        self.stream = stream or sys.stdin

    def read_answer(self) -> str | None:
        line = self.stream.readline()
        return line.rstrip("\n") if line else None

    def read_rating(self, suggested: Rating) -> Rating:
        return suggested


class AnswersFileTerminal(ScreenTerminal):
    """`--answers FILE`: JSONL of {id, answer, optional rating}; questions without an answer are skipped."""

    def __init__(self, console: Console | None, path: Path):
        super().__init__(console)
        self.entries = read_answers(path)
        self.current: str | None = None
        self.pending: Rating | None = None

    @property
    def ids(self) -> list[str]:
        return list(self.entries)

    def ask(self, question: Question, position: int, total: int, edited: bool) -> None:
        self.current = question.id
        super().ask(question, position, total, edited)

    def read_answer(self) -> str | None:
        queue = self.entries.get(self.current)
        if not queue:
            return "skip"
        answer, self.pending = queue.popleft()
        return answer

    def read_rating(self, suggested: Rating) -> Rating:
        return self.pending or suggested


def read_answers(path: Path) -> dict[str, deque]:
    """id -> the answers given for it, in file order, each (text, rating or None)."""
    entries: dict[str, deque] = defaultdict(deque)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            qid, answer, rating = row["id"], row["answer"], row.get("rating")
            if not isinstance(qid, str) or not isinstance(answer, str):
                raise TypeError
            entries[qid].append((answer, _rating(rating)))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            raise UsageError(f"{path}:{number}: expected {{\"id\": ..., \"answer\": ..., \"rating\": 1-4 (optional)}}") from None
    return entries


def _rating(value) -> Rating | None:
    if value is None:
        return None
    if isinstance(value, str) and not value.isdigit():
        return Rating[value.upper()]
    return Rating(int(value))
