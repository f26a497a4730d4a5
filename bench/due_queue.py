"""How fast the store answers the questions every session asks, on a heavy learner's database.

Fills a store in a temporary folder with 100,000 cards and 1,000,000 answers over a year (straight
SQL, in big transactions: it is a benchmark, not a use of the API), then prints the median time of
the queries `tutor quiz` and `tutor stats` make. Target: each of the first four under 50 ms.

    python bench/due_queue.py [--cards 100000] [--reviews 1000000] [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tutor.model import GradeResult, Rating, Verdict  # noqa: E402
from tutor.scheduling import CardState  # noqa: E402
from tutor.store import DB_NAME, Store  # noqa: E402

DAY = timedelta(days=1)
CHUNK = 100_000  # rows per transaction while filling


def iso(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"  # the store's format


def fill(home: Path, n_cards: int, n_reviews: int, now: datetime, rng: random.Random) -> None:
    """Cards due from 30 days ago to a year ahead; answers spread over the past year, oldest first."""
    Store.open(home).close()  # the real schema, through the migrations
    db = sqlite3.connect(home / DB_NAME, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    ids = [f"question-{i:06d}" for i in range(n_cards)]
    cards = []
    for card_id, qid in enumerate(ids, start=1):
        due = now + timedelta(seconds=rng.uniform(-30, 365) * 86400)
        last = due - timedelta(days=rng.uniform(1, 60))
        cards.append((qid, card_id, 2, None, rng.uniform(1, 100), rng.uniform(1, 10), iso(due), iso(last),
                      rng.randint(1, 30), rng.choice((0, 0, 0, 1, 2, 9))))
    db.execute("BEGIN")
    db.executemany("INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", cards)
    db.execute("COMMIT")

    grade = json.dumps(GradeResult(score=1.0, verdict=Verdict.CORRECT, rating=Rating.GOOD, missed=("gates",),
                                   reason="covers 3 of 4 concepts").to_dict())
    before = json.dumps(CardState(2, None, 12.5, 5.2, now, now - 10 * DAY, 7, 1).to_dict())
    start = now - 365 * DAY
    step = 365 * 86400 / n_reviews
    verdicts = ("correct", "correct", "partial", "incorrect")
    for low in range(0, n_reviews, CHUNK):
        rows = []
        for i in range(low, min(low + CHUNK, n_reviews)):
            qid = ids[rng.randrange(n_cards)]
            rating = rng.randint(1, 4)
            scheduled = int(i % 20 != 0)
            rows.append((qid, "c0ffee", "the forget gate decides what to drop", grade, verdicts[rating - 1],
                         0.75, 3, rating, int(rating != 3), 8.5, iso(start + timedelta(seconds=i * step)),
                         scheduled, before, 2, "quiz" if scheduled else "cram"))
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO reviews (question_id, content_hash, answer, grade_json, verdict, score, suggested, rating,"
            " overridden, seconds, reviewed_at, scheduled, card_before, state_before, mode)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("ANALYZE")
    db.close()


def median_ms(call: Callable[[], object], runs: int) -> float:
    call()  # warm the page cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    now = datetime.now(timezone.utc)
    today = now.date()
    midnight = datetime.combine(today, datetime.min.time(), tzinfo=timezone.utc)
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as folder:
        home = Path(folder)
        started = time.perf_counter()
        fill(home, args.cards, args.reviews, now, random.Random(0))
        size = (home / DB_NAME).stat().st_size / 2**20
        print(f"{platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
              f"SQLite {sqlite3.sqlite_version}")
        print(f"filled {args.cards:,} cards and {args.reviews:,} answers in {time.perf_counter() - started:.1f} s "
              f"({size:.0f} MiB); median of {args.runs} runs:")
        with Store.open(home) as store:
            queue = store.due(now, 100)
            targets = {
                "due(now, 100)": lambda: store.due(now, 100),
                "next_due(now)": lambda: store.next_due(now),
                "due_forecast(now, 14)": lambda: store.due_forecast(now, 14),
                "count_since(today)": lambda: store.count_since(midnight),
            }
            others = {
                "count_since(today, new_only)": lambda: store.count_since(midnight, new_only=True),
                "card(id)": lambda: store.card(queue[0][0]),
                "last_hash(id)": lambda: store.last_hash(queue[0][0]),
                "streak(today)": lambda: store.streak(today),
                "answers_per_day(30 days)": lambda: store.answers_per_day(now - 30 * DAY),
                "retention(30 days)": lambda: store.retention(now - 30 * DAY),
                "leeches()": lambda: store.leeches(),
            }
            for label, call in targets.items():
                ms = median_ms(call, args.runs)
                print(f"  {label:<30} {ms:9.3f} ms  {'ok' if ms < 50 else 'OVER 50 ms TARGET'}")
            print("not targeted (stats, lookups):")
            for label, call in others.items():
                print(f"  {label:<30} {median_ms(call, args.runs):9.3f} ms")
            grade = GradeResult(score=1.0, verdict=Verdict.CORRECT, rating=Rating.GOOD)
            qids = iter([qid for qid, _ in store.due(now, 1000)])
            record = lambda: store.record(next(qids), "c0ffee", "answer", grade, Rating.GOOD, Rating.GOOD,  # noqa: E731
                                          5.0, now, fuzz=False)
            print(f"  {'record() (commit + fsync)':<30} {median_ms(record, args.runs):9.3f} ms")
            print(f"  {'totals() (verdict index)':<30} {median_ms(store.totals, 3):9.3f} ms  (median of 3)")
            print(f"due now: {len(queue)} shown of {store.count_since(now - 365 * DAY):,} answers in a year; "
                  f"streak {store.streak(today)} days")


if __name__ == "__main__":
    main()
