"""The parse's numbers read without their patterns where a cast can tell, checked against
the patterns alone (the rule the fast paths must keep) over hostile and random text."""

from __future__ import annotations

import random
import struct

from pyspark.sql import Column, SparkSession
from pyspark.sql import functions as F

from etl.transforms import validation

HOSTILE = [
    "",
    " ",
    ".",
    "..",
    "0",
    "00",
    "000",
    "0.",
    ".0",
    "5.",
    ".5",
    "5.5.5",
    "e5",
    "E5",
    ".e5",
    "5e",
    "5e+",
    "5e-3",
    "5E+03",
    "5.e3",
    "1e400",
    "1e-400",
    "1e-324",
    "4.9e-324",
    "1.7976931348623157e308",
    "1.7976931348623159e308",
    "+5",
    "-5",
    "+0",
    "-0",
    "-0.0",
    "5d",
    "5D",
    "5f",
    "5F",
    "5dd",
    "0x1p3",
    "0X10",
    "00x1",
    "Infinity",
    "-Infinity",
    "NaN",
    "inf",
    "nan",
    "5\n",
    "5\r\n",
    "5\u2028",
    "5\u0085",
    "\n5",
    "5\t",
    "\t5",
    "5 ",
    " 5",
    "5 5",
    "5_000",
    "5,5",
    "\u0665",
    "5\u0665",
    "\uff15",
    "1" * 400,
    "1" * 400 + ".5e-400",
    "0" * 40 + "1",
    "9" * 18,
    "9" * 19,
    "1" + "0" * 17,
    "1" + "0" * 18,
    "999999999999999999.0",
    "12.000",
    "12.0001",
    "+12",
    "0012",
    "12e0",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "1.0e2",
    "123.456",
    "0.1",
    "0.30000000000000004",
]
ALPHABET = "0123456789.eE+-dDfFxXp \t\n\u2028IinNa_,\u0665"


def _random_texts(count: int, seed: int) -> list[str]:
    chosen = random.Random(seed)
    texts = []
    for _ in range(count):
        kind = chosen.random()
        if kind < 0.4:
            texts.append("".join(chosen.choices(ALPHABET, k=chosen.randint(0, 8))))
        elif kind < 0.8:
            digits = "".join(chosen.choices("0123456789", k=chosen.randint(1, 30)))
            cut = chosen.randint(0, len(digits))
            text = digits[:cut] + ("." if chosen.random() < 0.7 else "") + digits[cut:]
            if chosen.random() < 0.3:
                text += chosen.choice("eE") + chosen.choice(["", "+", "-"])
                text += str(chosen.randint(0, 400))
            texts.append(text)
        else:
            texts.append(str(chosen.randint(0, 10**20)) + chosen.choice(["", ".0", ".00", ".5"]))
    return texts


def _pattern_decimal(value: Column) -> Column:
    return F.when(value.rlike(validation.DECIMAL_PATTERN), value.cast("double"))


def _pattern_whole_number(value: Column) -> Column:
    digits = F.regexp_extract(value, validation.WHOLE_NUMBER_PATTERN, 1)
    return F.when(digits != "", digits.cast("bigint"))


def _bits(number: float | None) -> bytes | None:
    return None if number is None else struct.pack(">d", number)


def test_numbers_are_read_as_their_patterns_read_them(spark: SparkSession) -> None:
    texts = HOSTILE + _random_texts(20_000, seed=11) + [None]
    frame = spark.createDataFrame([(text,) for text in texts], "v string")
    value = F.col("v")
    rows = frame.select(
        "v",
        validation._decimal("v").alias("decimal"),
        _pattern_decimal(value).alias("decimal_by_pattern"),
        validation._whole_number("v").alias("whole"),
        _pattern_whole_number(value).alias("whole_by_pattern"),
    ).collect()
    assert len(rows) == len(texts)
    decimals = [r["v"] for r in rows if _bits(r["decimal"]) != _bits(r["decimal_by_pattern"])]
    wholes = [r["v"] for r in rows if r["whole"] != r["whole_by_pattern"]]
    assert (decimals, wholes) == ([], [])
    # The corpus reaches both paths and both answers of each.
    read = [r for r in rows if r["decimal"] is not None]
    assert 5_000 < len(read) < len(rows) - 3_000
    assert sum(r["whole"] is not None for r in rows) > 1_500
