"""Grading free-text answers by the key ideas they state: pure, fast and explainable.

An answer is tokenised and stemmed (`tutor.text`); each concept matches when one of its alias phrases
appears: words in order with at most WINDOW other words between neighbours, each word by stem or
within a typo budget. A match inside a negation's scope counts as negated, not found. The score is the
weighted share of concepts found; the verdict comes from the score through thresholds that mirror how
generous people are (see `verdict_for`). With no curated concepts, the reference answer's own content
words are the concepts (`grade_reference`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from tutor.aliases import expand
from tutor.model import (SUGGESTED_RATING, Concept, ConceptHit, GradeResult, Misconception,
                         MisconceptionHit, Question, Verdict)
from tutor.text import NEGATIONS, STOPWORDS, WEAK_WORDS, Token, stem, tokenise, words

WINDOW = 3  # content words allowed between two words of a phrase (stopwords do not count)
MAX_GAP = 8  # ... and words of any kind
# Verdict thresholds on the score. People give full credit to answers that state the main ideas
# without every detail (at 50% coverage of a reference the average human mark is already 4.6/5),
# so "correct" starts well below full coverage.
CORRECT_AT = 0.5
PARTIAL_AT = 0.1


def allowed_edits(word: str) -> int:
    """Typo budget of an alias word: none for short words, acronyms and words with digits."""
    if len(word) <= 4 or not word.isalpha():
        return 0
    return 1 if len(word) <= 8 else 2


@dataclass(frozen=True, slots=True)
class _Word:
    raw: str
    stem: str
    edits: int  # typo budget of the word as written
    stem_edits: int  # ... and of its stem, which may be shorter ("blows" -> "blow": none)


def _word(raw: str, stem_: str) -> _Word:
    return _Word(raw, stem_, allowed_edits(raw), allowed_edits(stem_))


@dataclass(frozen=True)
class _Matcher:
    """A concept or misconception compiled into phrases of words."""

    name: str
    weight: float
    required: bool
    phrases: tuple[tuple[_Word, ...], ...]


def _phrase(raw_words: list[str], joined: int = -1) -> tuple[_Word, ...]:
    """Alias words as matched: stopwords dropped; a compound made by joining two words is never fuzzy."""
    kept = [(i, w) for i, w in enumerate(raw_words) if w not in STOPWORDS] or list(enumerate(raw_words))
    return tuple(_Word(w, stem(w), 0, 0) if i == joined else _word(w, stem(w)) for i, w in kept)


def _compile_aliases(aliases: tuple[str, ...]) -> tuple[tuple[_Word, ...], ...]:
    phrases: dict[tuple[_Word, ...], None] = {}
    for alias in aliases:
        for expansion in expand(alias):
            raw = words(" ".join(expansion))
            if not raw:
                continue
            phrases[_phrase(raw)] = None
            for i in range(len(raw) - 1):  # "back propagation" also matches "backpropagation"
                phrases[_phrase(raw[:i] + [raw[i] + raw[i + 1]] + raw[i + 2:], joined=i)] = None
    return tuple(phrases)


@lru_cache(maxsize=4096)
def _compile(concepts: tuple[Concept, ...], misconceptions: tuple[Misconception, ...]):
    return (tuple(_Matcher(c.name, c.weight, c.required, _compile_aliases(c.aliases)) for c in concepts),
            tuple(_Matcher(m.feedback, 1.0, False, _compile_aliases(m.patterns)) for m in misconceptions))


class _Answer:
    """An answer indexed for matching: where each stem occurs, with typo look-ups cached."""

    def __init__(self, text: str):
        self.text, self.tokens = tokenise(text)
        self.at: dict[str, list[tuple[int, int]]] = {}  # stem -> [(position, width in tokens)]
        for i, token in enumerate(self.tokens):
            self.at.setdefault(token.stem, []).append((i, 1))
            if i + 1 < len(self.tokens):  # "back propagation" as one word too
                joined = stem(token.word + self.tokens[i + 1].word)
                self.at.setdefault(joined, []).append((i, 2))
        self._fuzzy: dict[_Word, list[tuple[int, int]]] = {}
        self.content_before = [0]  # number of non-stopword tokens before each position
        for token in self.tokens:
            self.content_before.append(self.content_before[-1] + (token.word not in STOPWORDS))

    def positions(self, word: _Word) -> list[tuple[int, int]]:
        found = self.at.get(word.stem)
        if word.edits == 0:
            return found or []
        if word not in self._fuzzy:
            near = [(i, 1) for i, t in enumerate(self.tokens) if _close(word, t)]
            self._fuzzy[word] = sorted(set((found or []) + near))
        return self._fuzzy[word]

    def occurrences(self, phrase: tuple[_Word, ...]):
        """The token positions of each occurrence of the phrase, scanning left to right.

        Between two words of the phrase stand at most WINDOW content words (stopwords are free)."""
        for first, width in self.positions(phrase[0]):
            used, end = [first + k for k in range(width)], first + width
            sentence = self.tokens[first].sentence
            for word in phrase[1:]:
                nxt = next(((p, w) for p, w in self.positions(word)
                            if end <= p <= end + MAX_GAP and self.content_before[p] - self.content_before[end] <= WINDOW
                            and self.tokens[p].sentence == sentence), None)
                if nxt is None:
                    break
                used += [nxt[0] + k for k in range(nxt[1])]
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

    def negated(self, used: list[int]) -> bool:
        """Whether a negation not itself part of the match covers any of its words."""
        return any(self.tokens[i].negated_by >= 0 and self.tokens[i].negated_by not in used for i in used)

    def find(self, matcher: _Matcher) -> tuple[ConceptHit | None, ConceptHit | None]:
        """(a plain match, a negated match) of the concept; a plain one wins."""
        negated = None
        for phrase in matcher.phrases:
            for used in self.occurrences(phrase):
                first, last = self.tokens[used[0]], self.tokens[used[-1]]
                hit = ConceptHit(matcher.name, self.text[first.start:last.end], first.start, last.end)
                if not self.negated(used):
                    return hit, None
                negated = negated or hit
        return None, negated


def _close(word: _Word, token: Token) -> bool:
    """A typo of `word`: same first letter, within its edit budget (a swap counts as one edit)."""
    if token.word[0] != word.raw[0] or abs(len(token.word) - len(word.raw)) > word.edits:
        return False
    if token.word.isalpha() is False or len(token.word) <= 4:
        return False
    if OSA.distance(word.raw, token.word, score_cutoff=word.edits) <= word.edits:
        return True
    return word.stem_edits > 0 and OSA.distance(word.stem, token.stem, score_cutoff=word.stem_edits) <= word.stem_edits


def verdict_for(score: float) -> Verdict:
    if score >= CORRECT_AT:
        return Verdict.CORRECT
    return Verdict.PARTIAL if score >= PARTIAL_AT else Verdict.INCORRECT


def _at_most_partial(verdict: Verdict) -> Verdict:
    return Verdict.PARTIAL if verdict is Verdict.CORRECT else verdict


def grade(answer: str, question: Question) -> GradeResult:
    """Grade `answer` against a bank question's concepts (or its model answer when it has none)."""
    if not question.concepts:
        return grade_reference(answer, question.answer, question.text)
    concepts, misconceptions = _compile(question.concepts, question.misconceptions)
    return _grade(answer, concepts, misconceptions)


def grade_reference(answer: str, reference: str, question: str = "") -> GradeResult:
    """Grade `answer` against a bare reference answer: its content words are the concepts.

    Words the question itself uses are left out when other words remain: repeating the question
    earns nothing (the "question demoting" of short-answer grading research).
    """
    return _grade(answer, _derived_concepts(reference, question), ())


@lru_cache(maxsize=1024)
def _derived_concepts(reference: str, question: str) -> tuple[_Matcher, ...]:
    by_stem: dict[str, str] = {}  # each content word's stem -> its first spelling, in reference order
    for w in words(reference):
        if len(w) > 1 and w not in WEAK_WORDS and w not in NEGATIONS:
            by_stem.setdefault(stem(w), w)
    asked = {stem(w) for w in words(question)}
    if any(s not in asked for s in by_stem):
        by_stem = {s: w for s, w in by_stem.items() if s not in asked}
    return tuple(_Matcher(w, 1.0, False, ((_word(w, s),),)) for s, w in by_stem.items())


def _grade(answer: str, concepts: tuple[_Matcher, ...], misconceptions: tuple[_Matcher, ...]) -> GradeResult:
    if not answer or not answer.strip():
        return _result(0.0, Verdict.INCORRECT, missed=tuple(c.name for c in concepts), reason="empty answer")
    if not concepts:
        return _result(0.0, Verdict.INCORRECT, reason="the reference has no content words to compare with")
    text = _Answer(answer)
    matched, negated, missed, required_missing = [], [], [], []
    found_weight = 0.0
    for concept in concepts:
        hit, negated_hit = text.find(concept)
        if hit:
            matched.append(hit)
            found_weight += concept.weight
            continue
        missed.append(concept.name)
        if negated_hit:
            negated.append(negated_hit)
        if concept.required:
            required_missing.append(concept.name)
    wrong = [MisconceptionHit(m.name, hit.words) for m in misconceptions if (hit := text.find(m)[0])]
    score = found_weight / sum(c.weight for c in concepts)
    verdict = verdict_for(score)
    reasons = [f"{len(matched)} of {len(concepts)} key ideas stated ({score:.0%} by weight)"]
    if wrong:  # right ideas mixed with a wrong one: at best partial; several wrong ones: incorrect
        verdict = _at_most_partial(verdict) if len(wrong) == 1 else Verdict.INCORRECT
        reasons.append(f"{len(wrong)} misconception{'s' * (len(wrong) > 1)} detected")
    if required_missing:  # a missing main idea caps the verdict the same way; the two do not add up
        verdict = _at_most_partial(verdict)
        reasons.append("missing a required idea: " + "; ".join(required_missing))
    if negated:
        reasons.append("negated: " + "; ".join(h.concept for h in negated))
    return _result(score, verdict, tuple(matched), tuple(missed), tuple(negated), tuple(wrong),
                   "; ".join(reasons), tuple(required_missing))


def _result(score: float, verdict: Verdict, matched=(), missed=(), negated=(), wrong=(), reason="",
            required_missing=()) -> GradeResult:
    return GradeResult(score=score, verdict=verdict, rating=SUGGESTED_RATING[verdict], matched=matched,
                       missed=missed, negated=negated, misconceptions=wrong, reason=reason,
                       required_missing=required_missing)
