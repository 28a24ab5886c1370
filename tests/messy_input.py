"""The messy input: two files in two layouts (one gzipped) with a row rejected for each
common reason, an exact duplicate, a conflicting one and a non-data file; and which
rows the ETL must reject, and why."""

from __future__ import annotations

import gzip
from pathlib import Path

HEADER_A = " Date , TICKER ,Open,High,Low,Close,Volume,adjusted"
ROWS_A = [  # newest first, as real files often are
    "2024-02-05,AAA,16,17,15,16.5,1000,0",
    "2024-01-03,AAA,10,12,9,11,1000,0",
    "2024-01-02,AAA,10,12,9,10,1000,0",
    "2024-13-45,AAA,10,12,9,10,1000,0",
    "2024-01-04,  ,10,12,9,10,1000,0",
    "2024-01-04,AAA,10,12,9,NaN,1000,0",
    "2024-01-04,AAA,abc,12,9,10,1000,0",
    "2024-01-04,AAA,10,12,9,10,1.5,0",
    "2024-01-05,AAA,10,12,9,12,1000,0",
]
HEADER_B = "symbol,date,open,high,low,close,volume"
ROWS_B = [
    "AAA,2024-01-02,10.0,12,9,10,1000",  # the same row as in a.csv: collapsed
    "AAA,2024-01-05,10,12,9,13,1000",  # same day as a.csv, another close: both rejected
    "BBB,2024-01-02,20,21,19,20,0",
    "BBB,2024-01-03,20,31,19,30,500",
    "BBB,2024-01-03,20,31,19,30,500",  # collapsed
]


def write_messy_input(folder: Path) -> Path:
    folder.mkdir()
    (folder / "prices a.csv").write_text("\n".join([HEADER_A, *ROWS_A]) + "\n")
    with gzip.open(folder / "b.csv.gz", "wt") as out:
        out.write("\n".join([HEADER_B, *ROWS_B]) + "\n")
    (folder / "README.md").write_text("# not data\n")
    return folder


MESSY_REJECTIONS = {
    ("prices a.csv", 5): "bad_date",
    ("prices a.csv", 6): "missing_ticker",
    ("prices a.csv", 7): "bad_close",
    ("prices a.csv", 8): "bad_price",
    ("prices a.csv", 9): "bad_volume",
    ("prices a.csv", 10): "conflicting_duplicate",
    ("b.csv.gz", 3): "conflicting_duplicate",
}
"""(file name, line) -> reason, for every row of write_messy_input() the ETL rejects."""
