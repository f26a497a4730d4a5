"""Finding alias phrases in an answer: by stem, in order within a window, with typos and negation.

`compile_matchers` turns concepts' aliases into phrases of interned words; `AnswerIndex` indexes one
answer against a compiled set and answers `find(matcher)` with the learner's own words. Everything
that can be computed once per question is (the phrase lists, each word's typo neighbours).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter

from rapidfuzz.distance import OSA

from tutor.aliases import Kept, expand
from tutor.model import ConceptHit
from tutor.text import NEGATIONS, STOPWORDS, stem, tokenise, words

WINDOW = 3  # content words allowed between two words of a phrase (stopwords do not count)
TIGHT_WINDOW = 2  # ... for misconceptions: a false alarm costs the learner, so their phrases must be close
MAX_GAP = 8  # ... and words of any kind


def allowed_edits(word: str) -> int:
    """Typo budget of an alias word: none for short words, acronyms and words with digits."""
    if len(word) <= 4 or not word.replace("_", "").isalpha():  # identifiers like pack_padded_sequence count
        return 0
    return 1 if len(word) <= 8 else 2


class Word:
    """An alias word as matched. Interned (one object per spelling), so it hashes by identity: fast."""

    __slots__ = ("raw", "stem", "edits", "stem_edits", "order")
    _created = itertools.count()

    def __init__(self, raw: str, stem_: str, edits: int, stem_edits: int):
        self.raw, self.stem = raw, stem_
        self.order = next(Word._created)  # identity hashes vary between runs; this order does not
        self.edits = edits  # typo budget of the word as written
        self.stem_edits = stem_edits  # ... and of its stem, which may be shorter ("blows" -> "blow": none)


@lru_cache(maxsize=None)
def word(raw: str) -> Word:
    """The one Word for `raw`."""
    stem_ = stem(raw)
    return Word(raw, stem_, allowed_edits(raw), allowed_edits(stem_))


Phrase = tuple[Word, ...]
_ORDER = attrgetter("order")


@dataclass(frozen=True, eq=False)
class Matcher:
    """A concept or misconception compiled into phrases, grouped by their first word."""

    name: str
    weight: float
    required: bool
    # first word -> second word (None for one-word phrases) -> [(phrase, its words)]: an answer's words
    # select the few phrases worth scanning by two set intersections
    groups: dict[Word, dict[Word | None, tuple[tuple[Phrase, frozenset], ...]]]
    firsts: frozenset
    window: int = WINDOW


@lru_cache(maxsize=None)
def _alias_words(part: str) -> tuple[str, ...]:
    return tuple(words(part))


def _phrase(raw_words: list[str]) -> Phrase:
    """Alias words as matched: filler words dropped (unless `Kept`, or nothing else is left)."""
    kept = [w for w in raw_words if w not in STOPWORDS or isinstance(w, Kept)]
    return tuple(word(str(w)) for w in kept or raw_words)


def matcher(name: str, weight: float, required: bool, aliases: tuple[str, ...], window: int = WINDOW) -> Matcher:
    """Compile aliases (the syntax of `tutor.aliases`) into a Matcher."""
    phrases: dict[Phrase, None] = {}
    for alias in aliases:
        for expansion in expand(alias, filler=STOPWORDS.__contains__):
            raw = [Kept(w) if isinstance(part, Kept) else w for part in expansion for w in _alias_words(part)]
            if raw:
                phrases[_phrase(raw)] = None
    return literal_matcher(name, weight, required, list(phrases), window)


def literal_matcher(name: str, weight: float, required: bool, phrases: list[Phrase], window: int = WINDOW) -> Matcher:
    groups: dict[Word, dict[Word | None, list]] = {}
    for phrase in phrases:
        second = phrase[1] if len(phrase) > 1 else None
        groups.setdefault(phrase[0], {}).setdefault(second, []).append((phrase, frozenset(phrase)))
    frozen = {first: {second: tuple(g) for second, g in by_second.items()} for first, by_second in groups.items()}
    return Matcher(name, weight, required, frozen, frozenset(groups), window)


@dataclass(eq=False)
class MatcherSet:
    """The matchers of one question, with what every answer to it can share."""

    concepts: tuple[Matcher, ...]
    misconceptions: tuple[Matcher, ...] = ()
    vocabulary: tuple[Word, ...] = ()
    by_stem: dict[str, tuple[Word, ...]] = field(default_factory=dict)  # stem -> alias words with it
    fuzzy: dict[str, tuple[Word, ...]] = field(default_factory=dict)  # first letter -> words with a typo budget
    _near: dict[str, tuple[Word, ...]] = field(default_factory=dict)  # answer word -> alias words it is a typo of

    def __post_init__(self):
        vocabulary = {w: None for m in self.concepts + self.misconceptions for by_second in m.groups.values()
                      for g in by_second.values() for _, needed in g for w in needed}
        self.vocabulary = tuple(vocabulary)
        for w in self.vocabulary:
            self.by_stem[w.stem] = self.by_stem.get(w.stem, ()) + (w,)
            if w.edits:
                self.fuzzy.setdefault(w.raw[0], ())
                self.fuzzy[w.raw[0]] += (w,)

    def near(self, answer_word: str, answer_stem: str) -> tuple[Word, ...]:
        """Alias words that `answer_word` is a typo of (cached: answers share most words)."""
        found = self._near.get(answer_word)
        if found is None:
            found = tuple(w for w in self.fuzzy.get(answer_word[0], ()) if _close(w, answer_word, answer_stem))
            self._near[answer_word] = found
        return found


def _close(w: Word, answer_word: str, answer_stem: str) -> bool:
    """A typo of `w`: same first letter, within its edit budget (a swap counts as one edit)."""
    if abs(len(answer_word) - len(w.raw)) > w.edits or answer_word.count("_") != w.raw.count("_"):
        return False  # an identifier's typo keeps its shape: softmax_j is not "softmax"
    if OSA.distance(w.raw, answer_word, score_cutoff=w.edits) <= w.edits:
        return True
    return w.stem_edits > 0 and OSA.distance(w.stem, answer_stem, score_cutoff=w.stem_edits) <= w.stem_edits


class AnswerIndex:
    """One answer indexed against a MatcherSet: which alias words occur, and where."""

    def __init__(self, text: str, matchers: MatcherSet):
        self.text, self.tokens = tokenise(text)
        tokens, by_stem, near = self.tokens, matchers.by_stem, matchers._near
        at: dict[str, list[tuple[int, int]]] = {}  # stem of an alias word -> [(position, width in tokens)]
        fuzzy: list[tuple[Word, int]] = []
        count, content_before = 0, [0]  # number of non-stopword tokens before each position
        for i, token in enumerate(tokens):
            word_ = token.word
            if token.stem in by_stem:
                at.setdefault(token.stem, []).append((i, 1))
            if i + 1 < len(tokens) and self.text[token.end:tokens[i + 1].start] == "-":  # "3-D" is also "3d"
                joined = stem(word_ + tokens[i + 1].word)
                if joined in by_stem:
                    at.setdefault(joined, []).append((i, 2))
            if len(word_) > 4:
                close = near.get(word_)
                if close is None:
                    close = matchers.near(word_, token.stem) if word_.replace("_", "").isalpha() else ()
                fuzzy += [(w, i) for w in close]
            count += word_ not in STOPWORDS
            content_before.append(count)
        self.content_before = content_before
        self.positions: dict[Word, list[tuple[int, int]]] = {}  # alias word -> where it occurs
        for s, where in at.items():
            for w in by_stem[s]:
                self.positions[w] = where
        for w, i in fuzzy:
            self.positions[w] = sorted(set(self.positions.get(w, [])) | {(i, 1)})
        self.present = frozenset(self.positions)

    def find(self, m: Matcher) -> tuple[ConceptHit | None, ConceptHit | None]:
        """(a plain match, a negated match) of the concept or misconception; a plain one wins."""
        present, negated = self.present, None
        for first in sorted(m.firsts & present, key=_ORDER):
            by_second = m.groups[first]
            seconds = sorted(by_second.keys() & present, key=_ORDER)
            if None in by_second:
                seconds.insert(0, None)
            for phrase, needed in (p for s in seconds for p in by_second[s]):
                if not needed <= present:
                    continue
                for used in self._occurrences(phrase, m.window):
                    start, end = self.tokens[used[0]].start, self.tokens[used[-1]].end
                    hit = ConceptHit(m.name, self.text[start:end], start, end)
                    if not self._negated(used):
                        return hit, None
                    negated = negated or hit
        return None, negated

    def _occurrences(self, phrase: Phrase, window: int):
        """The token positions of each occurrence of the phrase, scanning left to right."""
        for first, width in self.positions[phrase[0]]:
            used, end = list(range(first, first + width)), first + width
            sentence = self.tokens[first].sentence
            for w in phrase[1:]:
                nxt = next(((p, n) for p, n in self.positions[w]
                            if end <= p <= end + MAX_GAP and self.content_before[p] - self.content_before[end] <= window
                            and self.tokens[p].sentence == sentence), None)
                if nxt is None:
                    break
                used += range(nxt[0], nxt[0] + nxt[1])
                end = nxt[0] + nxt[1]
            else:
                if self._negation_holds(used):
                    yield used

    def _negation_holds(self, used: list[int]) -> bool:
        """An alias that states a negation ("no loops") matches only where that negation reaches."""
        for k, i in enumerate(used):
            if self.tokens[i].word in NEGATIONS:
                return all(self.tokens[j].negated_by == i for j in used[k + 1:])
        return True

    def _negated(self, used: list[int]) -> bool:
        """Whether a negation not itself part of the match covers any of its words."""
        return any(self.tokens[i].negated_by >= 0 and self.tokens[i].negated_by not in used for i in used)
