"""Progress returns for synthetic plans, written as `cspkg returns import` writes them.

A share of the delivery plans is reported on for one to four quarters of its first year, each
quarter a file data/returns/<plan>/<period>.ttl made by returns/model.py (so the build loads it
as its own graph). Every action gets an update each quarter. Statuses move through the year as a
delivery plan's do: many "not started" in Q1, more "complete" by Q4, a few at risk, off track or
stopped, and an action once complete stays complete. Some updates give a percent complete, most
a commentary (the real plans' progress texts), and now and then a measured value.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from ..returns.model import Observation, Return, Update, turtle
from ..returns.periods import period

SHARE = 0.3  # of delivery plans with returns
# status -> weight in quarter 1..4
WEIGHTS = {"not started": (30, 12, 6, 3), "on track": (50, 55, 50, 40), "at risk": (8, 12, 12, 10), "off track": (3, 6, 8, 8),
           "complete": (2, 8, 16, 30), "stopped": (1, 2, 3, 4), "not stated": (6, 5, 5, 5)}
UNITS = ["people reached", "referrals", "sessions delivered", "visits", "incidents"]


def returns_for(plan: str, year: int, actions: list[tuple[str, str]], reporter: str, texts: list[str],
                rng: random.Random) -> list[tuple[str, bytes]]:
    """(period key, Turtle) for each quarter reported on; actions are (key, IRI)."""
    out, done = [], set()
    words = sorted(WEIGHTS)
    for q in range(1, rng.randint(1, 4) + 1):
        p = period(f"{year}-{(year + 1) % 100:02d}-q{q}")
        updates = []
        for key, iri in actions:
            status = "complete" if key in done else rng.choices(words, weights=[WEIGHTS[w][q - 1] for w in words])[0]
            if status == "complete":
                done.add(key)
            percent = None
            if rng.random() < 0.5:
                percent = {"complete": Decimal(100), "not started": Decimal(0)}.get(status, Decimal(min(95, 5 * rng.randint(q, 5 * q))))
            observations = []
            if rng.random() < 0.02:
                observations.append(Observation(Decimal(rng.randint(1, 500)), rng.choice(UNITS)))
            commentary = rng.choice(texts) if texts and rng.random() < 0.7 else ""
            updates.append(Update(key, iri, status, percent=percent, commentary=commentary, observations=observations))
        received = datetime.combine(p.end + timedelta(days=rng.randint(7, 40)), datetime.min.time()) + timedelta(hours=9)
        r = Return(plan, p, p.end, reporter, received, updates)
        out.append((p.key, turtle(r)))
    return out

