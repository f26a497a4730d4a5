"""The alias syntax authors write for concepts and misconceptions, expanded into plain phrases.

    gradient clipping              the words in this order (other words may stand between them)
    (clip|rescale|cap) gradient    one of the alternatives; an alternative may be several words
    clip [the] gradient [norm]     optional words
    (vanish|shrink) [to zero]      groups combine: 2 x 2 = 4 phrases
    unroll|unfold                  alternatives at the top level need no brackets

Case, hyphens and word endings never need spelling out: words are compared by stem.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

MAX_PHRASES = 256  # per alias: more is a sign of a pattern that should be split

_TOKEN = re.compile(r"\(|\)|\[|\]|\||[^\s()\[\]|]+")


class AliasSyntaxError(ValueError):
    """An alias that cannot be parsed; the message says what to fix."""


class Kept(str):
    """A filler word that is one of a group's alternatives ("(only|just) x"): it must be matched, not
    dropped like other filler words, or the group would silently become optional."""


def expand(alias: str, filler: Callable[[str], bool] | None = None) -> list[tuple[str, ...]]:
    """All the word sequences an alias stands for, e.g. "(a|b) [c] d" -> a d, a c d, b d, b c d.

    With `filler` (words the grader ignores), filler words that are alternatives in a group with other
    words come back as `Kept`, so that "(only|just) x" still needs "only" or "just"."""
    tokens = _TOKEN.findall(alias)
    if not tokens:
        raise AliasSyntaxError("empty alias")
    glued = re.search(r"(\w+)\[(\w+)\]", alias)
    if glued:  # "backprop[agation]" reads as two words, not an optional ending
        word, ending = glued.groups()
        raise AliasSyntaxError(f"'{glued.group()}' makes '{ending}' an optional word, not an ending; "
                               f"write '({word}|{word}{ending})'")
    options, pos = _sequence(tokens, 0, closer=None, filler=filler)
    while pos < len(tokens) and tokens[pos] == "|":  # top-level alternatives need no brackets
        more, pos = _sequence(tokens, pos + 1, closer=None, filler=filler)
        options += more
    phrases = list(dict.fromkeys(options))
    if () in phrases:
        raise AliasSyntaxError(f"alias {alias!r} would match any answer: every word in it is optional")
    return phrases


def _sequence(tokens: list[str], pos: int, closer: str | None,
              filler: Callable[[str], bool] | None = None) -> tuple[list[tuple[str, ...]], int]:
    """Parse items until `closer` or '|' (inside a group) or the end; return the expanded phrases."""
    parts: list[list[tuple[str, ...]]] = []
    while pos < len(tokens) and tokens[pos] not in ("|", ")", "]"):
        token = tokens[pos]
        if token in "([":
            end = ")" if token == "(" else "]"
            alternatives, pos = _group(tokens, pos + 1, end, filler)
            empty = [o for o in alternatives if all(filler(w.lower()) for w in o)] if filler and token == "(" else []
            if empty and len(empty) < len(alternatives):  # a group of connectors only ("(over|across)") may go
                alternatives = [tuple(Kept(w) for w in o) if o in empty else o for o in alternatives]
            parts.append(alternatives + [()] if token == "[" else alternatives)
        else:
            parts.append([(token,)])
            pos += 1
    if closer is None and pos < len(tokens) and tokens[pos] != "|":
        raise AliasSyntaxError(f"'{tokens[pos]}' without a matching opening bracket")
    phrases: list[tuple[str, ...]] = [()]
    for choices in parts:
        phrases = [a + b for a, b in itertools.product(phrases, choices)]
        if len(phrases) > MAX_PHRASES:
            raise AliasSyntaxError(f"alias expands to more than {MAX_PHRASES} phrases; split it")
    return phrases, pos


def _group(tokens: list[str], pos: int, end: str,
           filler: Callable[[str], bool] | None = None) -> tuple[list[tuple[str, ...]], int]:
    """Parse `a|b c|d` up to `end`; return the alternatives and the position after `end`."""
    alternatives: list[tuple[str, ...]] = []
    while True:
        options, pos = _sequence(tokens, pos, closer=end, filler=filler)
        alternatives += options
        if pos >= len(tokens):
            raise AliasSyntaxError(f"missing '{end}'")
        if tokens[pos] == "|":
            pos += 1
            continue
        if tokens[pos] != end:
            raise AliasSyntaxError(f"'{tokens[pos]}' closes a group opened with '{'(' if end == ')' else '['}'")
        return alternatives, pos + 1
