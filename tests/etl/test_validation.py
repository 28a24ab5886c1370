"""parse_rows and resolve_duplicates on small in-memory frames."""

from __future__ import annotations

from datetime import date

import pytest
from pyspark.sql import DataFrame, SparkSession

from etl.transforms import validation
from etl.transforms.validation import (
    BROADCAST_CONFLICTS,
    count_outcomes,
    parse_rows,
    resolve_duplicates,
    select_accepted_rows,
    select_rejected_rows,
)
from tests.etl.frames import by_key, raw_rows

A_CSV, B_CSV = 0, 1
GOOD = ("2024-01-02", "10", "12", "9", "11", "1000", "AAA")


def _as_lines(located: DataFrame) -> DataFrame:
    """These rows' locations are their lines."""
    return located.withColumnRenamed("location", "line")


def _row(line: int, **changes: str | None) -> tuple[object, ...]:
    names = ("date", "open", "high", "low", "close", "volume", "ticker")
    values = dict(zip(names, GOOD, strict=True)) | changes
    return (0, line, *(values[name] for name in names))


def _reasons(spark: SparkSession, rows: list[tuple[object, ...]]) -> dict[int, str | None]:
    parsed = parse_rows(raw_rows(spark, rows))
    return {row["location"]: row["reason"] for row in parsed.collect()}


def test_a_good_row_is_typed_and_trimmed(spark: SparkSession) -> None:
    rows = [_row(2, date=" 2024-01-02 ", ticker=" AAA ", volume="3000000000")]
    [parsed] = parse_rows(raw_rows(spark, rows)).collect()
    assert parsed["reason"] is None
    assert (parsed["ticker"], parsed["date"]) == ("AAA", date(2024, 1, 2))
    assert (parsed["open"], parsed["high"], parsed["low"], parsed["close"]) == (10, 12, 9, 11)
    assert parsed["volume"] == 3_000_000_000
    # Only a rejected row keeps its raw strings.
    assert parsed["raw"] is None


def test_bad_dates_are_rejected(spark: SparkSession) -> None:
    bad = ["2024-13-45", "2023-02-30", "02/01/2024", "2024-1-05", "2024-01-02T00:00", "", None]
    # A line terminator after the date: a pattern ending in `$` would let it through to CAST.
    bad += ["2024-01-02\u2028", "2024-01-02\u0085"]
    rows = [_row(line, date=value) for line, value in enumerate(bad, start=2)]
    rows.append(_row(99, date="2024-02-29"))
    reasons = _reasons(spark, rows)
    assert {line: reasons[line] for line in range(2, 2 + len(bad))} == dict.fromkeys(
        range(2, 2 + len(bad)), "bad_date"
    )
    assert reasons[99] is None


def test_each_bad_field_gets_its_reason(spark: SparkSession) -> None:
    cases = {
        2: ({"ticker": "  "}, "missing_ticker"),
        3: ({"ticker": None}, "missing_ticker"),
        4: ({"close": "abc"}, "bad_close"),
        5: ({"close": "0"}, "bad_close"),
        6: ({"close": "-1"}, "bad_close"),
        7: ({"close": "NaN"}, "bad_close"),
        8: ({"close": "Infinity"}, "bad_close"),
        9: ({"close": "1e999"}, "bad_close"),
        10: ({"close": ""}, "bad_close"),
        11: ({"close": "11d"}, "bad_close"),
        12: ({"open": "x"}, "bad_price"),
        13: ({"low": "0"}, "bad_price"),
        14: ({"high": None}, "bad_price"),
        15: ({"volume": "1.5"}, "bad_volume"),
        16: ({"volume": "-3"}, "bad_volume"),
        17: ({"volume": ""}, "bad_volume"),
        18: ({"volume": "12abc"}, "bad_volume"),
        19: ({"volume": "99999999999999999999"}, "bad_volume"),
        20: ({"volume": "1200.0"}, None),
        21: ({"close": "1.5E2", "open": ".5"}, None),
        # Judged in a fixed order: the first failing check names the reason.
        22: ({"date": "2024-13-45", "close": "0", "volume": "-1"}, "bad_date"),
        23: ({"close": "0", "volume": "-1"}, "bad_close"),
    }
    rows = [_row(line, **changes) for line, (changes, _) in cases.items()]
    assert _reasons(spark, rows) == {line: reason for line, (_, reason) in cases.items()}


def test_hostile_values_get_their_reasons(spark: SparkSession) -> None:
    cases = {
        2: ({"date": "1969-12-31"}, "bad_date"),
        3: ({"date": "2101-01-01"}, "bad_date"),
        4: ({"date": "0000-01-01"}, "bad_date"),
        5: ({"date": "1970-01-01", "close": "1e-6", "volume": "1000000000000000"}, None),
        6: ({"date": "2100-12-31", "close": "1e12", "low": "1E-6"}, None),
        7: ({"close": "1e-300"}, "bad_close"),
        8: ({"close": "1.000001e12"}, "bad_close"),
        9: ({"high": "1e300"}, "bad_price"),
        10: ({"volume": "1000000000000001"}, "bad_volume"),
        11: ({"ticker": "A\tB"}, "bad_ticker"),
        12: ({"ticker": "A\u200bB"}, "bad_ticker"),
        13: ({"ticker": "X" * 33}, "bad_ticker"),
        14: ({"ticker": " " + "X" * 32 + " "}, None),
        # Quadratic backtracking would take hours on this; a possessive pattern, milliseconds.
        15: ({"close": "1" * 200_000 + "x"}, "bad_close"),
    }
    rows = [_row(line, **changes) for line, (changes, _) in cases.items()]
    # A line that is not a well-formed record is rejected for that before anything else.
    rows.append((*_row(16, date="bad"), "bad_field_count"))
    reasons = _reasons(spark, rows)
    assert reasons == {line: reason for line, (_, reason) in cases.items()} | {
        16: "bad_field_count"
    }


def test_duplicates_collapse_or_conflict(spark: SparkSession) -> None:
    rows = [
        # Three identical copies (one written differently) across two files.
        (B_CSV, 5, "2024-01-02", "10", "12", "9", "11", "1000", "AAA"),
        (A_CSV, 7, "2024-01-02", "10.0", "12", "9", "11", "1000", "AAA"),
        (A_CSV, 3, "2024-01-02", "10", "12", "9", "11", "1000", "AAA"),
        # Same ticker and date, different close: every copy is rejected.
        (A_CSV, 4, "2024-01-03", "10", "12", "9", "11", "1000", "AAA"),
        (A_CSV, 5, "2024-01-03", "10", "12", "9", "11.5", "1000", "AAA"),
        (A_CSV, 6, "2024-01-03", "10", "12", "9", "11", "1000", "AAA"),
        # A rejected row never makes a duplicate of a good one.
        (A_CSV, 8, "2024-01-04", "10", "12", "9", "11", "1000", "AAA"),
        (A_CSV, 9, "2024-01-04", "10", "12", "9", "0", "1000", "AAA"),
        (A_CSV, 10, "2024-01-02", "10", "12", "9", "11", "1000", "BBB"),
    ]
    judged = resolve_duplicates(parse_rows(raw_rows(spark, rows)))
    outcome = {
        (row["file_id"], row["location"]): (row["reason"], row["collapsed"])
        for row in judged.collect()
    }
    assert outcome == {
        (A_CSV, 3): (None, False),
        (A_CSV, 7): (None, True),
        (B_CSV, 5): (None, True),
        (A_CSV, 4): ("conflicting_duplicate", False),
        (A_CSV, 5): ("conflicting_duplicate", False),
        (A_CSV, 6): ("conflicting_duplicate", False),
        (A_CSV, 8): (None, False),
        (A_CSV, 9): ("bad_close", False),
        (A_CSV, 10): (None, False),
    }
    accepted = by_key(select_accepted_rows(judged), "ticker", "date")
    assert sorted(accepted) == [
        ("AAA", date(2024, 1, 2)),
        ("AAA", date(2024, 1, 4)),
        ("BBB", date(2024, 1, 2)),
    ]
    counts = {
        (row["file_id"], row["reason"], row["collapsed"]): row["rows"]
        for row in count_outcomes(judged).collect()
    }
    assert counts == {
        (A_CSV, None, False): 3,
        (A_CSV, None, True): 1,
        (B_CSV, None, True): 1,
        (A_CSV, "conflicting_duplicate", False): 3,
        (A_CSV, "bad_close", False): 1,
    }


def test_rejected_rows_keep_the_raw_strings(spark: SparkSession) -> None:
    rows = [_row(2, close=" 1e999 ", volume="12abc"), _row(3)]
    raw = raw_rows(spark, rows)
    judged = resolve_duplicates(parse_rows(raw))
    [rejected] = select_rejected_rows(judged, ["in.csv"], "run-1", raw, 0, _as_lines).collect()
    assert rejected.asDict() == {
        "run_id": "run-1",
        "source_file": "in.csv",
        "line": 2,
        "date": "2024-01-02",
        "open": "10",
        "high": "12",
        "low": "9",
        "close": " 1e999 ",
        "volume": "12abc",
        "ticker": "AAA",
        "reason": "bad_close",
    }


@pytest.mark.parametrize("broadcast_conflicts", [BROADCAST_CONFLICTS, 0])
def test_conflicting_duplicates_raw_strings_are_read_again(
    spark: SparkSession, monkeypatch: pytest.MonkeyPatch, broadcast_conflicts: int
) -> None:
    """They passed the parse, which keeps no raw strings of a row that passed: their keys
    are broadcast to the input's second read, or (past BROADCAST_CONFLICTS) joined with it."""
    monkeypatch.setattr(validation, "BROADCAST_CONFLICTS", broadcast_conflicts)
    rows = [
        (A_CSV, 2, " 2024-01-02", "10", "12", "9", "11 ", "1000", "AAA"),
        (A_CSV, 3, "2024-01-02", "10.0", "12", "9", "11.5", "1000", " AAA"),
        (B_CSV, 2, "2024-01-02 ", "10", "12", "9", "11", "1000", "AAA"),
        (B_CSV, 3, "2024-01-03", "10", "12", "9", "11", "1000", "AAA"),
        (B_CSV, 4, "2024-01-03", "10", "12", "9", "x", "1000", "AAA"),
    ]
    raw = raw_rows(spark, rows)
    judged = resolve_duplicates(parse_rows(raw))
    counts = {
        (row["file_id"], row["reason"]): row["rows"] for row in count_outcomes(judged).collect()
    }
    conflicting = (
        counts[(A_CSV, "conflicting_duplicate")] + counts[(B_CSV, "conflicting_duplicate")]
    )
    assert (conflicting, counts[(B_CSV, "bad_close")], counts[(B_CSV, None)]) == (3, 1, 1)

    names = ["a.csv", "b.csv"]
    fields = ("date", "open", "high", "low", "close", "volume", "ticker")
    rejected = select_rejected_rows(judged, names, "run-1", raw, conflicting, _as_lines)
    assert {
        (row["source_file"], row["line"]): ({name: row[name] for name in fields}, row["reason"])
        for row in rejected.collect()
    } == {
        (names[row[0]], row[1]): (
            dict(zip(fields, row[2:], strict=True)),
            "bad_close" if row[6] == "x" else "conflicting_duplicate",
        )
        for row in rows
        if row[1:3] != (3, "2024-01-03")
    }
