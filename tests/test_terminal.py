"""A real pseudo-terminal (pexpect): typing answers, one-key ratings, and Ctrl-C in the middle of typing."""

import os
import re
import sqlite3
import sys
import time

import pexpect
import pytest

from helpers import ROOT


def spawn(*args: str, env_extra: dict | None = None) -> pexpect.spawn:
    env = {**os.environ, "COLUMNS": "80", "LINES": "40", "TERM": "xterm", **(env_extra or {})}
    return pexpect.spawn(sys.executable, ["-m", "tutor", *args], cwd=str(ROOT), env=env, encoding="utf-8",
                         timeout=30, dimensions=(40, 80))


def test_interactive_quiz_then_ctrl_c_while_typing_keeps_only_finished_answers(tutor_home):
    child = spawn("quiz", "--count", "3", "--seed", "1")
    child.expect("Question 1/3")
    child.expect("> ")
    child.sendline("the gradient is multiplied by the recurrent weight matrix at every step")
    child.expect("… ")
    child.sendline("so it shrinks exponentially when its largest singular value is below one")
    child.expect("… ")
    child.sendline("")  # an empty line submits the answer
    child.expect("Rate it: 1 Again  2 Hard  3 Good  4 Easy")
    child.send("4")  # one key, no Enter
    child.expect(r"\(Enter = \w+\) Easy")
    child.expect("Question 2/3")
    child.expect("> ")
    time.sleep(0.5)  # a person types after the prompt is drawn (readline is still setting up the line)
    child.send("half an answer, never submitted")
    time.sleep(0.3)
    child.sendintr()
    child.expect("Session summary")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    with sqlite3.connect(tutor_home / "tutor.db") as db:
        rows = db.execute("SELECT answer, rating, overridden FROM reviews").fetchall()
    assert len(rows) == 1
    answer, rating, overridden = rows[0]
    assert answer.startswith("the gradient is multiplied") and answer.count("\n") == 1
    assert rating == 4


def test_enter_accepts_the_suggested_rating_and_quit_ends_with_a_summary(tutor_home):
    child = spawn("quiz", "--count", "2", "--seed", "2")
    child.expect("> ")
    child.sendline("no idea")
    child.sendline("")
    child.expect(r"Enter = (\w+)")
    suggested = child.match.group(1)
    child.send("\r")
    child.expect(suggested)
    child.expect("> ")
    child.sendline("quit")
    child.expect("Session summary")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@pytest.mark.parametrize("no_color", [True, False])
def test_colour_follows_no_color(tutor_home, no_color):
    env = {"NO_COLOR": "1"} if no_color else {"NO_COLOR": "", "FORCE_COLOR": "1"}
    if not no_color:
        os.environ.pop("NO_COLOR", None)
    child = spawn("list", env_extra=env)
    child.expect(pexpect.EOF)
    colour = re.compile(r"\x1b\[(?:\d+;)*(?:3[0-7]|9[0-7]|38)[;m]")  # NO_COLOR keeps bold, drops colour
    assert bool(colour.search(child.before)) is not no_color
