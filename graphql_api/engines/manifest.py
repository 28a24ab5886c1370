"""The ETL's _dataset.json, parsed: its run_id is the dataset version every cache keys on."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DatasetManifest:
    run_id: str
    finished_at: str
    first_date: date | None
    last_date: date | None
    tickers: int
    rows: int
    rows_rejected: int

    @classmethod
    def from_json(cls, text: str | bytes) -> DatasetManifest:
        """Parse the manifest; raise ValueError naming what is missing or malformed."""
        try:
            document = json.loads(text)
            return cls(
                run_id=str(document["run_id"]),
                finished_at=str(document["finished_at"]),
                first_date=_optional_date(document.get("first_date")),
                last_date=_optional_date(document.get("last_date")),
                tickers=int(document["tickers"]),
                rows=int(document["rows"]),
                rows_rejected=int(document.get("rows_rejected", 0)),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"malformed dataset manifest: {error!r}") from error


def _optional_date(value: object) -> date | None:
    return None if value is None else date.fromisoformat(str(value))
