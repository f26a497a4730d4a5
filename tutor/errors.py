"""Errors the library raises; only the CLI turns them into messages and exit codes."""

from __future__ import annotations

from dataclasses import dataclass


class TutorError(Exception):
    """A problem the user can fix; its text is a one-line message."""

    exit_code = 1


class UsageError(TutorError):
    """The command was asked for something that does not exist or does not make sense."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One problem in a content file, at a line, with a hint on how to fix it."""

    path: str
    line: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class ContentError(TutorError):
    """The question bank has problems; all of them are listed, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = str(problems[0]) if problems else "content error"
        more = f" (and {len(problems) - 1} more; run `tutor check`)" if len(problems) > 1 else ""
        super().__init__(first + more)
