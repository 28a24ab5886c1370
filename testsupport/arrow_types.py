"""The Arrow type of each column type in etl/tables.py: what the ETL writes to Parquet."""

from __future__ import annotations

import pyarrow as pa  # type: ignore[import-untyped]

ARROW_TYPES = {
    "string": pa.string(),
    "date": pa.date32(),
    "double": pa.float64(),
    "bigint": pa.int64(),
    "int": pa.int32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}
