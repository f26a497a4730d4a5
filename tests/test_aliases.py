"""The alias syntax: alternatives, optional words, and clear errors for malformed aliases."""

import pytest

from tutor.aliases import AliasSyntaxError, _product, parse


def expand(alias: str) -> list[tuple[str, ...]]:
    """Every word sequence the alias stands for."""
    return list(dict.fromkeys(p for sequence in parse(alias) for p in _product(sequence)))


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
    ("((a|b|c|d) (a|b|c|d) (a|b|c|d) (a|b|c|d) (a|b|c|d))", "a group expands to more than 256 phrases; split it"),
])
def test_malformed_aliases_say_what_is_wrong(alias, message):
    with pytest.raises(AliasSyntaxError) as info:
        expand(alias)
    assert str(info.value) == message


def test_an_alias_is_parsed_into_slots_not_expanded():
    assert parse("(clip|rescale) [the] gradient|cap it") == [
        [[("clip",), ("rescale",)], [("the",), ()], [("gradient",)]], [[("cap",)], [("it",)]]]
    many = " ".join(["(a|b|c|d)"] * 12)  # 4^12 phrases: fine, since they are never listed
    assert len(parse(many)[0]) == 12
