"""The data every part of tutor shares: questions, concepts and grades (stdlib only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, IntEnum
from typing import NamedTuple


class Verdict(str, Enum):
    """How a fair teacher would mark an answer."""

    CORRECT = "correct"
    PARTIAL = "partial"
    INCORRECT = "incorrect"


class Rating(IntEnum):
    """The learner's review rating; the numbers are the keys they press (and FSRS's ratings)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


SUGGESTED_RATING = {Verdict.INCORRECT: Rating.AGAIN, Verdict.PARTIAL: Rating.HARD, Verdict.CORRECT: Rating.GOOD}


@dataclass(frozen=True)
class Concept:
    """A key idea a good answer states, recognised by any of its aliases (see content/README.md)."""

    name: str
    aliases: tuple[str, ...]
    weight: float = 1.0
    required: bool = False


@dataclass(frozen=True)
class Misconception:
    """A known wrong idea: patterns (alias syntax) that detect it, and what to tell the learner."""

    patterns: tuple[str, ...]
    feedback: str


@dataclass(frozen=True)
class Question:
    """One question of the bank, as loaded from `content/<topic>/<id>.md`."""

    id: str
    topic: str
    text: str
    answer: str
    concepts: tuple[Concept, ...]
    tags: tuple[str, ...] = ()
    difficulty: int = 1
    demo: str = "none"
    source: str = "original"
    references: tuple[str, ...] = ()
    misconceptions: tuple[Misconception, ...] = ()
    seed_answer: str = ""
    correction: str = ""
    notes: str = ""
    path: str = ""
    content_hash: str = ""

    @property
    def is_seed(self) -> bool:
        return self.source.lower().startswith("seed")

    @property
    def title(self) -> str:
        """The question's first line, for tables."""
        return self.text.strip().splitlines()[0] if self.text.strip() else self.id


class ConceptHit(NamedTuple):
    """Where an answer stated (or negated) a concept: the answer's own words."""

    concept: str
    words: str
    start: int = 0  # character offsets into the answer (into its normalised form when it is not ASCII)
    end: int = 0


class MisconceptionHit(NamedTuple):
    feedback: str
    words: str


@dataclass(frozen=True)
class GradeResult:
    """A grade that explains itself."""

    score: float  # weighted coverage of the concepts, in [0, 1]
    verdict: Verdict
    rating: Rating  # the suggested review rating
    matched: tuple[ConceptHit, ...] = ()
    missed: tuple[str, ...] = ()
    negated: tuple[ConceptHit, ...] = ()
    misconceptions: tuple[MisconceptionHit, ...] = ()
    reason: str = ""
    required_missing: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        """The JSON form printed by `tutor grade --json` and stored with each review."""
        return {
            "score": round(self.score, 4),
            "verdict": self.verdict.value,
            "rating": self.rating.name.lower(),
            "matched": [{"concept": h.concept, "words": h.words} for h in self.matched],
            "missed": list(self.missed),
            "negated": [{"concept": h.concept, "words": h.words} for h in self.negated],
            "misconceptions": [{"feedback": m.feedback, "words": m.words} for m in self.misconceptions],
            "required_missing": list(self.required_missing),
            "reason": self.reason,
        }
