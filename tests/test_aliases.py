"""The alias syntax: alternatives, optional words, and clear errors for malformed aliases."""

import pytest

from tutor.aliases import AliasSyntaxError, expand


@pytest.mark.parametrize("alias, phrases", [
    ("gradient clipping", [("gradient", "clipping")]),
    ("(clip|rescale) gradient", [("clip", "gradient"), ("rescale", "gradient")]),
    ("clip [the] gradient", [("clip", "the", "gradient"), ("clip", "gradient")]),
    ("(vanish|shrink to zero)", [("vanish",), ("shrink", "to", "zero")]),
    ("unroll|unfold", [("unroll",), ("unfold",)]),
    ("a b|c (d|e)", [("a", "b"), ("c", "d"), ("c", "e")]),
    ("(a|a) b", [("a", "b")]),
])
def test_expansions(alias, phrases):
    assert expand(alias) == phrases


@pytest.mark.parametrize("alias, message", [
    ("(a|b", "missing ')'"),
    ("a]", "']' without a matching opening bracket"),
    ("(a|b]", "']' closes a group opened with '('"),
    ("[a]", "alias '[a]' would match any answer: every word in it is optional"),
    ("", "empty alias"),
    ("backprop[agation]", "'backprop[agation]' makes 'agation' an optional word, not an ending; "
                          "write '(backprop|backpropagation)'"),
    ("(a|b|c|d) (a|b|c|d) (a|b|c|d) (a|b|c|d) (a|b|c|d)", "alias expands to more than 256 phrases; split it"),
])
def test_malformed_aliases_say_what_is_wrong(alias, message):
    with pytest.raises(AliasSyntaxError) as info:
        expand(alias)
    assert str(info.value) == message
