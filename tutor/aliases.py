"""The alias syntax authors write for concepts and misconceptions, parsed into slots.

    gradient clipping              the words in this order (other words may stand between them)
    (clip|rescale|cap) gradient    one of the alternatives; an alternative may be several words
    clip [the] gradient [norm]     optional words
    (vanish|shrink) [to zero]      groups combine: 2 x 2 = 4 phrases
    unroll|unfold                  alternatives at the top level need no brackets

Case, hyphens and word endings never need spelling out: words are compared by stem.

An alias parses into sequences (its top-level alternatives) of slots; a slot is the list of word
sequences that may fill it, with `()` when it may stay empty. The grader matches slots one after
another, so an alias of many groups costs no more than its length: it is never expanded.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

MAX_GROUP_PHRASES = 256  # per group: more is a sign of a pattern that should be split

_TOKEN = re.compile(r"\(|\)|\[|\]|\||[^\s()\[\]|]+")
_SYNTAX = frozenset("()[]|")

Slot = list[tuple[str, ...]]
Sequence = list[Slot]


class AliasSyntaxError(ValueError):
    """An alias that cannot be parsed; the message says what to fix."""


class Kept(str):
    """A filler word that is one of a group's alternatives ("(only|just) x"): it must be matched, not
    dropped like other filler words, or the group would silently become optional."""


def parse(alias: str, filler: Callable[[str], bool] | None = None) -> list[Sequence]:
    """The alias's top-level alternatives, each a list of slots: "(a|b) [c] d" -> [[a, b], [c, ()], [d]].

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
    sequence, pos = _sequence(tokens, 0, closer=None, filler=filler)
    sequences = [sequence]
    while pos < len(tokens) and tokens[pos] == "|":  # top-level alternatives need no brackets
        sequence, pos = _sequence(tokens, pos + 1, closer=None, filler=filler)
        sequences.append(sequence)
    if any(all(() in slot for slot in s) for s in sequences):
        raise AliasSyntaxError(f"alias {alias!r} would match any answer: every word in it is optional")
    return sequences


def _product(slots: Sequence) -> list[tuple[str, ...]]:
    phrases: list[tuple[str, ...]] = [()]
    for choices in slots:
        phrases = [a + b for a, b in itertools.product(phrases, choices)]
    return phrases


def _sequence(tokens: list[str], pos: int, closer: str | None,
              filler: Callable[[str], bool] | None = None) -> tuple[Sequence, int]:
    """Parse items until `closer` or '|' (inside a group) or the end; return the slots."""
    slots: Sequence = []
    while pos < len(tokens) and tokens[pos] not in ("|", ")", "]"):
        token = tokens[pos]
        if token in "([":
            end = ")" if token == "(" else "]"
            alternatives, pos = _group(tokens, pos + 1, end, filler)
            empty = [o for o in alternatives if all(filler(w.lower()) for w in o)] if filler and token == "(" else []
            if empty and len(empty) < len(alternatives):  # a group of connectors only ("(over|across)") may go
                alternatives = [tuple(Kept(w) for w in o) if o in empty else o for o in alternatives]
            slots.append(list(dict.fromkeys(alternatives + [()] if token == "[" else alternatives)))
        else:
            slots.append([(token,)])
            pos += 1
    if closer is None and pos < len(tokens) and tokens[pos] != "|":
        raise AliasSyntaxError(f"'{tokens[pos]}' without a matching opening bracket")
    return slots, pos


def _group(tokens: list[str], pos: int, end: str,
           filler: Callable[[str], bool] | None = None) -> tuple[list[tuple[str, ...]], int]:
    """Parse `a|b c|d` up to `end`; return the alternatives (a nested group is expanded in place)
    and the position after `end`."""
    alternatives: list[tuple[str, ...]] = []
    while True:
        start = pos
        while pos < len(tokens) and tokens[pos] not in _SYNTAX:
            pos += 1
        if pos < len(tokens) and tokens[pos] in ("(", "["):  # a nested group: parse it properly
            slots, pos = _sequence(tokens, start, closer=end, filler=filler)
            alternatives += _product(slots)
        else:  # plain words: the common case
            alternatives.append(tuple(tokens[start:pos]))
        if len(alternatives) > MAX_GROUP_PHRASES:
            raise AliasSyntaxError(f"a group expands to more than {MAX_GROUP_PHRASES} phrases; split it")
        if pos >= len(tokens):
            raise AliasSyntaxError(f"missing '{end}'")
        if tokens[pos] == "|":
            pos += 1
            continue
        if tokens[pos] != end:
            raise AliasSyntaxError(f"'{tokens[pos]}' closes a group opened with '{'(' if end == ')' else '['}'")
        return alternatives, pos + 1
