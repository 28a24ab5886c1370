"""JSON logs, one object per line, on the root logger; configured when the app starts.

Every record becomes {"time", "level", "logger", "message"} plus the fields a
caller passes as `extra={"fields": {...}}` (the request log line uses them),
plus "exception" with the traceback when there is one.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Any

FIELDS_ATTRIBUTE = "fields"
_ENCODER = json.JSONEncoder(default=str)


class JsonFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__()
        self._second = -1.0
        self._second_text = ""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": self.time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, FIELDS_ATTRIBUTE, None)
        if isinstance(fields, dict):
            document.update(fields)
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return _ENCODER.encode(document)

    def time(self, created: float) -> str:
        """`datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")`, with
        the text up to the second made once per second (it is most of the cost)."""
        # As datetime rounds a timestamp: to the microsecond, half to even.
        fraction, second = math.modf(created)
        microsecond = round(fraction * 1e6)
        if microsecond >= 1_000_000:
            second, microsecond = second + 1, microsecond - 1_000_000
        if second != self._second:
            moment = datetime.fromtimestamp(second, UTC)
            self._second, self._second_text = second, moment.strftime("%Y-%m-%dT%H:%M:%S")
        return f"{self._second_text}.{microsecond // 1000:03d}+00:00"


class _JsonHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler this module installed, so it is installed once and removed again."""


@contextmanager
def json_logging(level: str, *, stream: IO[str] | None = None) -> Iterator[None]:
    """Log JSON lines to `stream` (stderr) at `level` on the root logger for the block.

    Handlers others installed (pytest's, a host application's) are left alone; if
    a JSON handler is installed already (an app inside an app), only the level is set.
    """
    root = logging.getLogger()
    numeric_level = logging.getLevelName(level.upper())
    if not isinstance(numeric_level, int):
        raise ValueError(f"unknown log level {level!r}: use debug, info, warning or error")
    previous_level = root.level
    installed = None
    if not any(isinstance(handler, _JsonHandler) for handler in root.handlers):
        installed = _JsonHandler(stream)
        installed.setFormatter(JsonFormatter())
        root.addHandler(installed)
    root.setLevel(numeric_level)
    try:
        yield
    finally:
        root.setLevel(previous_level)
        if installed is not None:
            root.removeHandler(installed)
