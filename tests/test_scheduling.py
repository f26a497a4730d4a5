"""The scheduler wrapper: exact FSRS histories on a fixed clock with fuzz off, like py-fsrs's own tests."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tutor.model import Rating
from tutor.scheduling import LEARNING, RELEARNING, REVIEW, CardState, retrievability, schedule

T0 = datetime(2024, 1, 1, 9, 0, tzinfo=timezone.utc)
MIN = timedelta(minutes=1)
DAY = timedelta(days=1)


def replay(ratings: list[Rating], start: datetime = T0) -> list[CardState]:
    """Answer each rating exactly when the card falls due; the card after each answer."""
    card, now, history = None, start, []
    for rating in ratings:
        card = schedule(card, rating, now, card_id=1, fuzz=False)
        history.append(card)
        now = card.due
    return history


def test_new_card_good_is_due_after_the_second_learning_step():
    card = schedule(None, Rating.GOOD, T0, card_id=1, fuzz=False)
    assert (card.state, card.step, card.due, card.last_review) == (LEARNING, 1, T0 + 10 * MIN, T0)
    assert (card.reps, card.lapses) == (1, 0)


def test_new_card_again_is_due_after_one_minute():
    card = schedule(None, Rating.AGAIN, T0, card_id=1, fuzz=False)
    assert (card.state, card.step, card.due) == (LEARNING, 0, T0 + MIN)


def test_exact_history_good_good_good_again_good():
    good, again = Rating.GOOD, Rating.AGAIN
    history = replay([good, good, good, again, good])
    learnt = T0 + 10 * MIN
    assert [c.due for c in history] == [
        learnt,  # learning step 2
        learnt + 2 * DAY,  # graduates to Review
        learnt + 13 * DAY,  # +11 days
        learnt + 13 * DAY + 10 * MIN,  # lapse: relearning, same day
        learnt + 15 * DAY + 10 * MIN,  # back to Review, +2 days
    ]
    assert [c.state for c in history] == [LEARNING, REVIEW, REVIEW, RELEARNING, REVIEW]
    assert [c.reps for c in history] == [1, 2, 3, 4, 5]
    assert [c.lapses for c in history] == [0, 0, 0, 1, 1]
    assert history[3].step == 0
    assert history[2].stability == pytest.approx(10.971048263078135)


def test_again_outside_review_state_is_not_a_lapse():
    history = replay([Rating.AGAIN, Rating.AGAIN, Rating.GOOD, Rating.GOOD, Rating.AGAIN, Rating.AGAIN])
    assert [c.lapses for c in history] == [0, 0, 0, 0, 1, 1]  # the second Again is in Relearning


def test_easy_graduates_a_new_card_at_once():
    card = schedule(None, Rating.EASY, T0, card_id=1, fuzz=False)
    assert card.state == REVIEW and card.step is None and card.due - T0 >= DAY


def test_fuzz_only_moves_review_intervals_a_little():
    card = replay([Rating.GOOD, Rating.GOOD, Rating.GOOD])[1]
    exact = schedule(card, Rating.GOOD, card.due, card_id=1, fuzz=False).due
    for _ in range(20):
        fuzzed = schedule(card, Rating.GOOD, card.due, card_id=1, fuzz=True).due
        assert abs(fuzzed - exact) <= 3 * DAY


@pytest.mark.parametrize("call", [
    lambda naive: schedule(None, Rating.GOOD, naive, card_id=1),
    lambda naive: retrievability(schedule(None, Rating.GOOD, T0, card_id=1), naive),
])
def test_naive_datetimes_are_rejected(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call(datetime(2024, 1, 1, 9, 0))


def test_other_time_zones_are_converted_to_utc():
    paris = T0.astimezone(ZoneInfo("Europe/Paris"))
    card = schedule(None, Rating.GOOD, paris, card_id=1, fuzz=False)
    assert card.due == T0 + 10 * MIN and card.due.tzinfo == timezone.utc


def test_to_dict_from_dict_round_trip():
    for card in replay([Rating.GOOD, Rating.GOOD, Rating.AGAIN, Rating.HARD]):
        assert CardState.from_dict(card.to_dict()) == card
    data = replay([Rating.GOOD])[0].to_dict()
    assert data["due"] == "2024-01-01T09:10:00+00:00" and data["last_review"] == "2024-01-01T09:00:00+00:00"


@given(
    state=st.sampled_from([LEARNING, REVIEW, RELEARNING]),
    step=st.none() | st.integers(0, 3),
    stability=st.none() | st.floats(0, 36500, allow_nan=False),
    difficulty=st.none() | st.floats(1, 10),
    due=st.datetimes(timezones=st.just(timezone.utc)),
    last_review=st.none() | st.datetimes(timezones=st.just(timezone.utc)),
    reps=st.integers(0, 10_000),
    lapses=st.integers(0, 100),
)
def test_round_trip_any_card(state, step, stability, difficulty, due, last_review, reps, lapses):
    card = CardState(state, step, stability, difficulty, due, last_review, reps, lapses)
    assert CardState.from_dict(card.to_dict()) == card


def test_retrievability_is_one_right_after_review_and_then_decays():
    card = replay([Rating.GOOD, Rating.GOOD])[1]
    values = [retrievability(card, card.last_review + n * DAY) for n in (0, 1, 2, 10, 100)]
    assert values[0] == 1.0
    assert all(0 < v <= 1 for v in values)
    assert values == sorted(values, reverse=True) and values[-1] < values[1]
    assert retrievability(card, card.due) == pytest.approx(0.9, abs=0.05)  # due = desired retention


def test_importing_scheduling_does_not_import_fsrs():
    code = "import sys, tutor.scheduling, tutor.store; print('fsrs' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
