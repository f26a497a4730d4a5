"""Grading free-text answers by the key ideas they state: pure, fast and explainable.

An answer is tokenised and stemmed (`tutor.text`); each concept matches when one of its alias phrases
appears: words in order with at most WINDOW other words between neighbours, each word by stem or
within a typo budget. A match inside a negation's scope counts as negated, not found. The score is the
weighted share of concepts found; the verdict comes from the score through thresholds that mirror how
generous people are (see `verdict_for`). With no curated concepts, the reference answer's own content
words are the concepts (`grade_reference`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Final

from tutor.matching import TIGHT_WINDOW, AnswerIndex, MatcherSet, matcher, word_matcher
from tutor.model import SUGGESTED_RATING, Concept, GradeResult, Misconception, MisconceptionHit, Question, Verdict
from tutor.text import NEGATIONS, WEAK_WORDS, stem, words

# Verdict thresholds on the score. People give full credit to answers that state the main ideas
# without every detail (at 50% coverage of a reference the average human mark is already 4.6/5),
# so "correct" starts well below full coverage.
CORRECT_AT: Final = 0.5
PARTIAL_AT: Final = 0.1


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
    return _grade(answer, prepare(question))


def prepare(question: Question) -> MatcherSet:
    """The question's concepts compiled for matching (once per process; `grade` calls it)."""
    entry = _by_question.get(id(question))
    if entry is None or entry[0] is not question:  # hashing every concept per call would cost more than grading
        entry = _by_question[id(question)] = (question, compile_question(question))
    compiled = entry[1]
    if not isinstance(compiled, MatcherSet):  # remembered as a way to load it: load it now
        compiled = compiled()
        _by_question[id(question)] = (question, compiled)
    return compiled


def compile_question(question: Question) -> MatcherSet:
    """The question's concepts compiled, whether or not `prepare` remembered them for this question."""
    return _compile(question.concepts, question.misconceptions)


_by_question: dict[int, tuple[Question, MatcherSet | Callable[[], MatcherSet]]] = {}


def remember(question: Question, compiled: MatcherSet | Callable[[], MatcherSet]) -> None:
    """Use `compiled` (compiled earlier, e.g. by another process) as `prepare(question)`; given a
    function instead, call it the first time the question is prepared."""
    _by_question[id(question)] = (question, compiled)


def grade_reference(answer: str, reference: str, question: str = "") -> GradeResult:
    """Grade `answer` against a bare reference answer: its content words are the concepts.

    Words the question itself uses are left out when other words remain: repeating the question
    earns nothing (the "question demoting" of short-answer grading research).
    """
    return _grade(answer, _derived_concepts(reference, question))


@lru_cache(maxsize=4096)
def _compile(concepts: tuple[Concept, ...], misconceptions: tuple[Misconception, ...]) -> MatcherSet:
    return MatcherSet(tuple(matcher(c.name, c.weight, c.required, c.aliases) for c in concepts),
                      tuple(matcher(m.feedback, 1.0, False, m.patterns, TIGHT_WINDOW) for m in misconceptions))


@lru_cache(maxsize=1024)
def _derived_concepts(reference: str, question: str) -> MatcherSet:
    by_stem: dict[str, str] = {}  # each content word's stem -> its first spelling, in reference order
    for w in words(reference):
        if len(w) > 1 and w not in WEAK_WORDS and w not in NEGATIONS:
            by_stem.setdefault(stem(w), w)
    asked = {stem(w) for w in words(question)}
    if any(s not in asked for s in by_stem):
        by_stem = {s: w for s, w in by_stem.items() if s not in asked}
    return MatcherSet(tuple(word_matcher(w) for w in by_stem.values()))


def _grade(answer: str, matchers: MatcherSet) -> GradeResult:
    concepts = matchers.concepts
    if not answer or not answer.strip():
        return _result(0.0, Verdict.INCORRECT, missed=tuple(c.name for c in concepts), reason="empty answer")
    if not concepts:
        return _result(0.0, Verdict.INCORRECT, reason="the reference has no content words to compare with")
    text = AnswerIndex(answer, matchers)
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
    wrong = [MisconceptionHit(m.name, hit.words) for m in matchers.misconceptions if (hit := text.find(m)[0])]
    score = found_weight / matchers.total_weight
    verdict = verdict_for(score)
    reasons = [f"{len(matched)} of {len(concepts)} key ideas stated ({score:.0%} by weight)"]
    if wrong:  # right ideas mixed with a wrong one: at best partial; several wrong ones: incorrect
        verdict = _at_most_partial(verdict) if len(wrong) == 1 else Verdict.INCORRECT
        reasons.append(f"{len(wrong)} misconception{'s' * (len(wrong) > 1)} detected")
    if required_missing:  # a missing main idea caps the verdict the same way ...
        # ... and with a wrong idea besides (a misconception, or a main idea denied), incorrect.
        denied = any(hit.concept in required_missing for hit in negated)
        verdict = Verdict.INCORRECT if wrong or denied else _at_most_partial(verdict)
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
