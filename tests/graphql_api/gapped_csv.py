"""A small generated CSV with the shapes the exploration fields must get right.

Weekdays from 2021-11-01 to 2022-04-29, but:
- nobody trades in the week of 2022-01-17 (CLOSED_WEEK): a range that holds no trading day;
- GAP has no row from 2022-02-07 to 2022-03-18 (a gap of six weeks in its calendar);
- LATE starts on 2022-02-15, mid-range;
- TIEB's prices are TIEA's doubled (exact in binary), so their returns tie;
- FLAT never moves (its returns do not vary: no correlation with it exists);
- ONE trades on one day only.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

FIRST_DAY = date(2021, 11, 1)
LAST_DAY = date(2022, 4, 29)
CLOSED_WEEK = (date(2022, 1, 17), date(2022, 1, 21))
GAP = (date(2022, 2, 7), date(2022, 3, 18))
LATE_START = date(2022, 2, 15)
ONE_DAY = date(2022, 3, 1)
TICKERS = ("FLAT", "GAP", "LATE", "ONE", "STEADY", "TIEA", "TIEB")


def _weekdays() -> Iterator[date]:
    day = FIRST_DAY
    while day <= LAST_DAY:
        if day.weekday() < 5 and not CLOSED_WEEK[0] <= day <= CLOSED_WEEK[1]:
            yield day
        day += timedelta(days=1)


def _walk(seed: int, days: list[date]) -> list[tuple[date, float, float, float, float, int]]:
    """(date, open, high, low, close, volume): a random walk in cents."""
    draw = random.Random(seed)
    close = draw.randint(2_000, 9_000)
    rows = []
    for day in days:
        open_ = max(100, close + draw.randint(-150, 150))
        close = max(100, open_ + draw.randint(-300, 300))
        high = max(open_, close) + draw.randint(0, 120)
        low = max(50, min(open_, close) - draw.randint(0, 120))
        volume = draw.randint(1, 9) * 1000
        rows.append((day, open_ / 100, high / 100, low / 100, close / 100, volume))
    return rows


def gapped_rows() -> list[str]:
    days = list(_weekdays())
    by_ticker = {
        "STEADY": _walk(1, days),
        "GAP": _walk(2, [d for d in days if not GAP[0] <= d <= GAP[1]]),
        "LATE": _walk(3, [d for d in days if d >= LATE_START]),
        "TIEA": _walk(4, days),
        "FLAT": [(d, 10.0, 10.0, 10.0, 10.0, 500) for d in days],
        "ONE": _walk(5, [ONE_DAY]),
    }
    by_ticker["TIEB"] = [
        (d, 2 * o, 2 * h, 2 * lo, 2 * c, v + 1) for d, o, h, lo, c, v in by_ticker["TIEA"]
    ]
    lines = []
    for ticker in TICKERS:
        for day, open_, high, low, close, volume in by_ticker[ticker]:
            lines.append(f"{day},{open_!r},{high!r},{low!r},{close!r},{volume},{ticker}")
    return lines


def write_gapped_csv(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "gapped.csv"
    path.write_text("date,open,high,low,close,volume,ticker\n" + "\n".join(gapped_rows()) + "\n")
    return path
