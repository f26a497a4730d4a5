"""Finding alias phrases in an answer: by stem, in order within a window, with typos and negation.

`matcher` compiles a concept's aliases into sequences of slots (one per top-level alternative; a slot
holds the word sequences that may fill it, see `tutor.aliases`). Words are compared by stem, so the
slots hold stems; the alias words as written are kept for typos (`Word`). `AnswerIndex` indexes one
answer against a question's compiled set and answers `find(matcher)` with the learner's own words,
filling the slots left to right. What can be computed once per question is: each answer word's alias
stems (its own, or those it is a typo of) are looked up once and remembered.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Final

from rapidfuzz import process
from rapidfuzz.distance import OSA

from tutor.aliases import Kept, parse
from tutor.model import ConceptHit
from tutor.text import NEGATIONS, SENTENCE_GAP, STOPWORDS, Tokens, stem, tokenise, words

WINDOW: Final = 3  # content words allowed between two words of a phrase (stopwords do not count)
TIGHT_WINDOW: Final = 2  # ... for misconceptions: a false alarm costs the learner, so their phrases must be close
MAX_GAP: Final = 8  # ... and words of any kind
MAX_REMEMBERED: Final = 50_000  # answer words remembered per question
MAX_STEPS: Final = 2000  # search steps per concept and answer: plenty for any real answer, a bound for a pathological one


def allowed_edits(word: str) -> int:
    """Typo budget of an alias word: none for short words, acronyms and words with digits."""
    if len(word) <= 4 or not word.replace("_", "").isalpha():  # identifiers like pack_padded_sequence count
        return 0
    return 1 if len(word) <= 8 else 2


class Word:
    """An alias word as written, with its stem and typo budgets. Interned: one object per spelling."""

    __slots__ = ("raw", "stem", "edits", "stem_edits")

    def __init__(self, raw: str, stem_: str, edits: int, stem_edits: int):
        self.raw, self.stem = raw, stem_
        self.edits = edits  # typo budget of the word as written
        self.stem_edits = stem_edits  # ... and of its stem, which may be shorter ("blows" -> "blow": none)

    def __reduce__(self):
        return word, (self.raw,)  # unpickled words are interned too


@lru_cache(maxsize=None)
def word(raw: str) -> Word:
    """The one Word for `raw`."""
    stem_ = stem(raw)
    return Word(raw, stem_, allowed_edits(raw), allowed_edits(stem_))


Phrase = tuple[str, ...]  # the stems of a phrase's words


# Slot and Matcher are never changed once built, yet not frozen: compiled by mypyc (setup.py), a class
# is unpickled by setting its attributes, which a frozen dataclass refuses.
@dataclass(eq=False)
class Slot:
    """One place in an alias: the phrases that may fill it, by first word, and whether it may stay empty."""

    by_first: dict[str, tuple[Phrase, ...]]  # first stem -> the rest of each phrase starting with it
    keys: frozenset[str]
    optional: bool
    singles: frozenset[str]  # the phrases of one word
    longer: tuple[tuple[str, Phrase], ...]  # the others: (first stem, the rest)
    vocabulary: tuple[Word, ...]  # its words as written

    @classmethod
    def of(cls, phrases: list[tuple[Word, ...]], optional: bool) -> Slot:
        by_first: dict[str, dict[Phrase, None]] = {}
        for phrase in phrases:
            by_first.setdefault(phrase[0].stem, {})[tuple(w.stem for w in phrase[1:])] = None
        rests = {first: tuple(r) for first, r in by_first.items()}
        singles = frozenset(first for first, r in rests.items() if () in r)
        longer = tuple((first, rest) for first, r in rests.items() for rest in r if rest)
        vocabulary = tuple(dict.fromkeys(w for phrase in phrases for w in phrase))
        return cls(rests, frozenset(rests), optional, singles, longer, vocabulary)


@dataclass(eq=False)
class Matcher:
    """A concept or misconception compiled: its aliases' sequences of slots."""

    name: str
    weight: float
    required: bool
    words: frozenset[str]  # aliases of one word: the common case, matched without a search
    sequences: tuple[tuple[Slot, ...], ...]  # the others
    needs: tuple[tuple[frozenset[str], ...], ...]  # per sequence: for each slot that must be filled, its first stems
    any_anchor: frozenset[str]  # an answer with none of these cannot match
    window: int
    vocabulary: tuple[Word, ...]  # every word of its aliases, as written


@lru_cache(maxsize=None)
def _alias_words(part: str) -> tuple[str, ...]:
    return tuple(words(part))


def matcher(name: str, weight: float, required: bool, aliases: tuple[str, ...], window: int = WINDOW) -> Matcher:
    """Compile aliases (the syntax of `tutor.aliases`) into a Matcher."""
    sequences: dict = {}
    single: list[Slot] = []  # one-slot sequences, merged into one slot: same meaning, one look
    for alias in aliases:
        for sequence in parse(alias, filler=STOPWORDS.__contains__):
            slots = _slots(sequence, drop_filler=True) or _slots(sequence, drop_filler=False)
            if len(slots) == 1:
                single.append(slots[0])
            else:
                sequences[tuple((tuple(s.by_first.items()), s.optional) for s in slots)] = slots
    words_ = frozenset().union(*(s.singles for s in single))
    longer = [phrase for s in single for phrase in _phrases(s) if len(phrase) > 1]
    merged = [(Slot.of(longer, False),)] if longer else []
    vocabulary = tuple(dict.fromkeys(w for s in single for w in s.vocabulary))
    return _matcher(name, weight, required, words_, merged + list(sequences.values()), window, vocabulary)


def _phrases(slot: Slot) -> list[tuple[Word, ...]]:
    """A slot's phrases again as words (a merged slot is built from them)."""
    by_stem = {w.stem: w for w in slot.vocabulary}
    return [(by_stem[first], *(by_stem[s] for s in rest)) for first, rest in slot.longer]


def _slots(sequence: list[list[tuple[str, ...]]], drop_filler: bool) -> tuple[Slot, ...]:
    """A parsed sequence as Slots; with `drop_filler`, filler words left out unless `Kept` (and empty
    when only filler would be left to match)."""
    slots = []
    for alternatives in sequence:
        slot = _slot(tuple(tuple(KEPT_MARK + w if isinstance(w, Kept) else w for w in alternative)
                           for alternative in alternatives), drop_filler)
        if slot is not None:
            slots.append(slot)
    return tuple(slots) if any(not s.optional for s in slots) else ()


KEPT_MARK = "\0"  # marks a Kept filler word in the cache keys below


@lru_cache(maxsize=None)
def _slot(alternatives: tuple[tuple[str, ...], ...], drop_filler: bool) -> Slot | None:
    """One slot compiled (shared: the bank repeats most of its groups); None when only filler is in it."""
    phrases: dict[tuple[Word, ...], None] = {}
    optional = False
    for alternative in alternatives:
        phrase = _phrase(alternative, drop_filler)
        if phrase:
            phrases[phrase] = None
        else:
            optional = True
    return Slot.of(list(phrases), optional) if phrases else None


@lru_cache(maxsize=None)
def _phrase(alternative: tuple[str, ...], drop_filler: bool) -> tuple[Word, ...]:
    """An alternative's words as matched: split like answers, filler left out unless kept."""
    kept = []
    for part in alternative:
        forced = part.startswith(KEPT_MARK)
        for w in _alias_words(part.lstrip(KEPT_MARK)):
            if forced or not drop_filler or w not in STOPWORDS:
                kept.append(word(w))
    return tuple(kept)


def _matcher(name: str, weight: float, required: bool, words_: frozenset[str], sequences: list[tuple[Slot, ...]],
             window: int, vocabulary: tuple[Word, ...]) -> Matcher:
    needs = tuple(tuple(s.keys for s in slots if not s.optional) for slots in sequences)
    anchors = words_.union(*(keys[0] for keys in needs))
    vocabulary = tuple(dict.fromkeys(vocabulary + tuple(w for slots in sequences for s in slots for w in s.vocabulary)))
    return Matcher(name, weight, required, words_, tuple(sequences), needs, anchors, window, vocabulary)


def word_matcher(text: str) -> Matcher:
    """A matcher for one word (the concepts derived from a reference answer)."""
    w = word(text)
    return _matcher(text, 1.0, False, frozenset((w.stem,)), [], WINDOW, (w,))


@dataclass(eq=False)
class MatcherSet:
    """The matchers of one question, with what every answer to it can share."""

    concepts: tuple[Matcher, ...]
    misconceptions: tuple[Matcher, ...] = ()
    stems: frozenset[str] = frozenset()  # every alias word's stem
    total_weight: float = 0.0  # of the concepts
    fuzzy: dict[tuple[str, int], list[Word]] = field(default_factory=dict)  # (first letter, length) -> words with a typo budget
    known: dict[str, tuple[str, ...]] = field(default_factory=dict)  # answer word -> the alias stems it stands for
    _near: dict[tuple[str, int], tuple] = field(default_factory=dict)  # (first letter, length) -> typo candidates

    def __post_init__(self):
        self.total_weight = sum(c.weight for c in self.concepts)
        vocabulary = dict.fromkeys(w for m in self.concepts + self.misconceptions for w in m.vocabulary)
        self.stems = frozenset(w.stem for w in vocabulary)
        for w in vocabulary:
            if w.edits:
                self.fuzzy.setdefault((w.raw[0], len(w.raw)), []).append(w)

    def __getstate__(self) -> dict:
        state = {f.name: getattr(self, f.name) for f in fields(self)}  # compiled, it has no __dict__
        return {**state, "known": {}, "_near": {}}  # what one batch learnt stays with it

    def __setstate__(self, state: dict) -> None:
        for name, value in state.items():
            setattr(self, name, value)

    def lookup(self, answer_word: str) -> tuple[str, ...]:
        """The alias stems `answer_word` stands for: its own, or those of words it is a typo of (remembered)."""
        answer_stem = stem(answer_word)
        found: tuple[str, ...] = (answer_stem,) if answer_stem in self.stems else ()
        if len(answer_word) > 4 and answer_word.replace("_", "").isalpha():
            found += tuple(dict.fromkeys(w.stem for w in self._typos(answer_word, answer_stem) if w.stem not in found))
        self.known[answer_word] = found
        return found

    def _typos(self, answer_word: str, answer_stem: str) -> list[Word]:
        """Alias words `answer_word` is a typo of: same first letter, within the word's edit budget (a
        swap counts as one edit), or its stem within the stem's; an identifier's typo keeps its shape."""
        key = (answer_word[0], len(answer_word))
        near = self._near.get(key)
        if near is None:  # every word whose budget allows this length
            candidates = [w for n in range(key[1] - 2, key[1] + 3) for w in self.fuzzy.get((key[0], n), ())
                          if abs(len(w.raw) - key[1]) <= w.edits]
            near = self._near[key] = (candidates, [w.raw for w in candidates], [w.stem for w in candidates])
        candidates, raws, stems = near
        if not candidates:
            return []
        close = {k for _, d, k in process.extract(answer_word, raws, scorer=OSA.distance, score_cutoff=2, limit=None)
                 if d <= candidates[k].edits}
        close.update(k for _, d, k in process.extract(answer_stem, stems, scorer=OSA.distance, score_cutoff=2, limit=None)
                     if d <= candidates[k].stem_edits)
        underscores = answer_word.count("_")
        return [candidates[k] for k in sorted(close) if candidates[k].raw.count("_") == underscores]


Used = tuple[int, ...]  # the answer's word positions a match took


def _within(bits: int, window: int) -> int:
    """Every bit position 0 to window + 2 above a set bit of `bits`, for windows up to 5: a word may
    follow another with `window` content words between, two more for a stopword or a joined pair."""
    bits |= bits << 1  # 0-1
    bits |= bits << 2  # 0-3
    return bits | bits << (window - 1)  # 0-5 for a window of 3, 0-4 for 2


class AnswerIndex:
    """One answer indexed against a MatcherSet: which alias words occur, and where."""

    def __init__(self, text: str, matchers: MatcherSet):
        self.tokens: Tokens = tokenise(text)
        # Quotes come from the answer as written where offsets into the normalised text fit it
        # (ASCII: normalising only lowers the case), else from the normalised text.
        self._quoted = text if text.isascii() else self.tokens.text
        answer_words, known = self.tokens.words, matchers.known
        if len(known) > MAX_REMEMBERED:
            known.clear()
        found_at = list(map(known.get, answer_words))  # each word's alias stems, or None: not looked up yet
        if None in found_at:
            for answer_word in set(answer_words).difference(known):
                matchers.lookup(answer_word)
            found_at = list(map(known.get, answer_words))
        positions: dict[str, list[tuple[int, int]]] = {}  # alias stem -> [(position, width in words)]
        # alias stem -> a bit per occurrence, at its reach (content words and sentence gaps before it):
        # what a window allows is then a few shifts of an int (see _reachable)
        masks: dict[str, int] = {}
        reach = self.tokens.reach
        for i in [i for i, found in enumerate(found_at) if found]:
            bit = 1 << reach[i]
            for w in found_at[i] or ():
                if w in positions:
                    positions[w].append((i, 1))
                    masks[w] |= bit
                else:
                    positions[w] = [(i, 1)]
                    masks[w] = bit
        for i, joined in self.tokens.joins:  # "3-d" is also "3d"
            w = stem(joined)
            if w in matchers.stems:
                positions[w] = sorted(positions.get(w, []) + [(i, 2)])
                masks[w] = masks.get(w, 0) | 1 << reach[i]
        self.positions, self.masks = positions, masks
        self.present = frozenset(positions)
        self._steps = 0  # what is left of the search budget of the concept being found

    def find(self, m: Matcher) -> tuple[ConceptHit | None, ConceptHit | None]:
        """(a plain match, a negated match) of the concept or misconception; a plain one wins."""
        present = self.present
        if m.any_anchor.isdisjoint(present):
            return None, None
        negated: list[Used] = []  # the first match found inside a negation, if any
        if not m.words.isdisjoint(present):  # aliases of one word: the leftmost occurrence no negation covers
            stems = present.intersection(m.words)
            positions = self.positions
            occurrences = positions[next(iter(stems))] if len(stems) == 1 else sorted(
                o for w in stems for o in positions[w])
            for p, width in occurrences:
                used = (p,) if width == 1 else (p, p + 1)
                if not self._negated(used):
                    return self._hit(m.name, used), None
                negated.append(used)
        if m.sequences:
            self._steps = MAX_STEPS
            for slots, needs in zip(m.sequences, m.needs):
                for keys in needs:
                    if keys.isdisjoint(present):
                        break
                else:
                    if self._reachable(slots, m.window):
                        filled = self._fill(slots, 0, (), (), m.window, negated)
                        if filled:
                            return self._hit(m.name, filled), None
        return None, self._hit(m.name, negated[0]) if negated else None

    def _reachable(self, slots: tuple[Slot, ...], window: int) -> bool:
        """Whether the slots can be filled at all, order and windows considered, ignoring negation and
        the gap in words of any kind: a quick test on bit masks before the search for where."""
        masks, present = self.masks, self.present
        reached = -1  # bits where the last slot filled can end; -1 (every bit): nothing placed yet
        for slot in slots:
            after = _within(reached, window)
            filled = 0
            for w in present.intersection(slot.singles):
                filled |= masks[w]
            filled &= after
            for first, rest in slot.longer:
                if first in present:
                    bits = masks[first] & after
                    for w in rest:
                        if not bits:
                            break
                        bits = _within(bits, window) & masks.get(w, 0)
                    filled |= bits
            if slot.optional:
                filled |= reached
            if not filled:
                return False
            reached = filled
        return True

    def _fill(self, slots: tuple[Slot, ...], k: int, pending: Phrase, used: Used, window: int,
              negated: list[Used]) -> Used | None:
        """The leftmost way to place the words `pending` and then fill slots[k:] after the words `used`,
        that no negation covers; matches a negation covers are added to `negated`."""
        self._steps -= 1
        if self._steps < 0:  # an answer that repeats one word hundreds of times: give up, stay fast
            return None
        if pending:
            for p, width, _ in self._candidates(pending[:1], used, window):
                found = self._fill(slots, k, pending[1:], used + ((p,) if width == 1 else (p, p + 1)), window, negated)
                if found:
                    return found
            return None
        if k == len(slots):
            if not self._negation_holds(used):
                return None
            if self._negated(used):
                negated.append(used)
                return None
            return used
        slot = slots[k]
        for p, width, w in self._candidates(slot.keys, used, window):
            taken = used + ((p,) if width == 1 else (p, p + 1))
            for rest in slot.by_first[w]:
                found = self._fill(slots, k + 1, rest, taken, window, negated)
                if found:
                    return found
        return self._fill(slots, k + 1, (), used, window, negated) if slot.optional else None

    def _candidates(self, wanted, used: Used, window: int) -> list[tuple[int, int, str]]:
        """(position, width, word) of each wanted word: anywhere for a phrase's first word, else within
        the window after `used` and in the same sentence; leftmost first."""
        hits = self.present.intersection(wanted)
        if not hits:
            return []
        if used:
            end, reach = used[-1] + 1, self.tokens.reach
            if reach[end] - reach[end - 1] >= SENTENCE_GAP:  # the sentence ended with the last word used
                return []
            limit, stop = reach[end] + window, end + MAX_GAP
            found = [(p, width, w) for w in hits for p, width in self.positions[w]
                     if end <= p <= stop and reach[p] <= limit]
        else:
            found = [(p, width, w) for w in hits for p, width in self.positions[w]]
        if len(found) > 1:
            found.sort()  # leftmost first; at one position, by stem: the same order in every run
        return found

    def _hit(self, name: str, used: Used) -> ConceptHit:
        start, end = self.tokens.span(used[0])[0], self.tokens.span(used[-1])[1]
        return ConceptHit(name, self._quoted[start:end], start, end)

    def _negation_holds(self, used: Used) -> bool:
        """An alias that states a negation ("no loops") matches only where that negation reaches."""
        words_, negated_by = self.tokens.words, self.tokens.negated_by
        for k, i in enumerate(used):
            if words_[i] in NEGATIONS:
                return all(negated_by[j] == i for j in used[k + 1:])
        return True

    def _negated(self, used: Used) -> bool:
        """Whether a negation not itself part of the match covers any of its words."""
        negated_by = self.tokens.negated_by
        for i in used:
            if negated_by[i] >= 0 and negated_by[i] not in used:
                return True
        return False
