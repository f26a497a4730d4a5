"""When each question is due again: a thin, pure layer over the FSRS scheduler (the `fsrs` package).

Time is always a parameter (`now`, a timezone-aware datetime), nothing here reads the clock or the
database, and `fsrs` is imported inside the functions: `import fsrs` costs ~60 ms that `tutor --help`
must not pay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from tutor.model import Rating

if TYPE_CHECKING:
    import fsrs

# fsrs.State values; FSRS has no "new" state: a question never answered simply has no card.
LEARNING, REVIEW, RELEARNING = 1, 2, 3


def utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is rejected (its time zone would be a guess)."""
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        raise ValueError(f"datetime must be timezone-aware (got naive {moment.isoformat()})")
    return moment.astimezone(timezone.utc)


@dataclass(frozen=True)
class CardState:
    """Where one question stands in the learner's memory, as FSRS sees it, plus two counters."""

    state: int  # LEARNING, REVIEW or RELEARNING
    step: int | None  # the (re)learning step, None in REVIEW
    stability: float | None  # days for recall probability to fall to 90%
    difficulty: float | None  # 1 (easy) .. 10 (hard)
    due: datetime  # aware UTC
    last_review: datetime | None
    reps: int = 0  # scheduled reviews so far
    lapses: int = 0  # times Again was given while the card was in REVIEW

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (datetimes as ISO strings); `from_dict` reads it back exactly."""
        return {
            "state": self.state,
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": self.due.isoformat(),
            "last_review": self.last_review.isoformat() if self.last_review else None,
            "reps": self.reps,
            "lapses": self.lapses,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CardState:
        # `is not None` rather than truthiness: py-fsrs's own from_dict turns a 0.0 into None.
        return cls(
            state=int(data["state"]),
            step=None if data.get("step") is None else int(data["step"]),
            stability=None if data.get("stability") is None else float(data["stability"]),
            difficulty=None if data.get("difficulty") is None else float(data["difficulty"]),
            due=utc(datetime.fromisoformat(data["due"])),
            last_review=utc(datetime.fromisoformat(data["last_review"])) if data.get("last_review") else None,
            reps=int(data.get("reps", 0)),
            lapses=int(data.get("lapses", 0)),
        )


@lru_cache(maxsize=2)
def _scheduler(fuzz: bool) -> fsrs.Scheduler:
    """One scheduler per fuzz setting, default FSRS-6 parameters: retention 0.9, learning steps 1 and
    10 min, relearning step 10 min (a failed card comes back the same day)."""
    import fsrs

    return fsrs.Scheduler(enable_fuzzing=fuzz)


def _to_fsrs(card: CardState, card_id: int) -> fsrs.Card:
    import fsrs

    return fsrs.Card(
        card_id=card_id,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def schedule(card: CardState | None, rating: Rating, now: datetime, card_id: int, fuzz: bool = True) -> CardState:
    """The card after a review rated `rating` at `now`; `card` None is a question never seen before.

    `card_id` is the store's id for the card (py-fsrs sleeps 1 ms to invent one if it is missing).
    Fuzz spreads review intervals a little so cards learnt together do not stay together; turn it
    off for exact, repeatable dates.
    """
    import fsrs

    now = utc(now)
    rating = Rating(rating)
    before = _to_fsrs(card, card_id) if card is not None else fsrs.Card(card_id=card_id, due=now)
    after, _log = _scheduler(fuzz).review_card(before, fsrs.Rating(int(rating)), now)
    lapsed = card is not None and card.state == REVIEW and rating == Rating.AGAIN
    return CardState(
        state=int(after.state),
        step=after.step,
        stability=after.stability,
        difficulty=after.difficulty,
        due=utc(after.due),
        last_review=utc(after.last_review) if after.last_review else None,
        reps=(card.reps if card else 0) + 1,
        lapses=(card.lapses if card else 0) + int(lapsed),
    )


def retrievability(card: CardState, now: datetime) -> float:
    """FSRS's estimate of the probability that the learner recalls the card at `now` (0 if never reviewed)."""
    return float(_scheduler(False).get_card_retrievability(_to_fsrs(card, 0), utc(now)))
