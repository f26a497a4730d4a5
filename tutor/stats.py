"""What the learner knows: the figures behind `tutor stats`, gathered from the store (no rendering)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tutor.model import Question

MASTERED_DAYS = 21  # a question counts as mastered when its memory stability exceeds this
HEATMAP_WEEKS = 12


@dataclass
class Stats:
    totals: dict
    streak: int
    retention: tuple[int, int]  # (passed, total) of reviews of mature cards, last 30 days
    per_day: dict[str, int]  # ISO date -> answers, last 12 weeks
    forecast: list[int]  # questions due on each of the next 14 days (day 0 includes overdue)
    mastery: list[dict] = field(default_factory=list)  # per topic: questions, seen, mastered
    leeches: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    due_now: int = 0

    def to_dict(self) -> dict:
        passed, total = self.retention
        return {"totals": self.totals, "streak_days": self.streak,
                "retention_30d": {"passed": passed, "total": total,
                                  "rate": round(passed / total, 4) if total else None},
                "answers_per_day": self.per_day, "due_forecast_14d": self.forecast, "due_now": self.due_now,
                "mastery": self.mastery, "leeches": self.leeches, "orphans": self.orphans}


def gather(store, questions: list[Question], now: datetime) -> Stats:
    today = now.astimezone().date()
    since = now - timedelta(weeks=HEATMAP_WEEKS)
    cards = store.cards()
    known = {q.id for q in questions}
    mastery = []
    for topic in dict.fromkeys(q.topic for q in questions):
        ids = [q.id for q in questions if q.topic == topic]
        seen = [cards[i] for i in ids if i in cards]
        mastered = sum(1 for c in seen if (c.stability or 0) > MASTERED_DAYS)
        mastery.append({"topic": topic, "questions": len(ids), "seen": len(seen), "mastered": mastered})
    return Stats(
        totals=store.totals(),
        streak=store.streak(today),
        retention=store.retention(now - timedelta(days=30)),
        per_day={d.isoformat(): n for d, n in sorted(store.answers_per_day(since).items())},
        forecast=store.due_forecast(now, 14),
        mastery=mastery,
        leeches=sorted(store.leeches()),
        orphans=sorted(store.question_ids() - known),
        due_now=sum(1 for qid, c in cards.items() if qid in known and c.due <= now),
    )


def heatmap_days(per_day: dict[str, int], today: date, weeks: int = HEATMAP_WEEKS) -> list[list[tuple[date, int]]]:
    """Columns of weeks (Monday first), oldest first, each 7 (day, count) cells; future days count -1."""
    start = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    columns = []
    for week in range(weeks):
        column = []
        for weekday in range(7):
            day = start + timedelta(days=7 * week + weekday)
            column.append((day, -1 if day > today else per_day.get(day.isoformat(), 0)))
        columns.append(column)
    return columns
