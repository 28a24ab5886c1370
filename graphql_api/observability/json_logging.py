"""JSON logs, one object per line, on the root logger; configured when the app starts.

Every record becomes {"time", "level", "logger", "message"} plus the fields a
caller passes as `extra={"fields": {...}}` (the request log line uses them),
plus "exception" with the traceback when there is one.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
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
        fields = getattr(record, FIELDS_ATTRIBUTE, None)
        document = self.document(
            record.created,
            record.levelname,
            record.name,
            record.getMessage(),
            fields if isinstance(fields, dict) else None,
        )
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return _ENCODER.encode(document)

    def document(
        self, created: float, level: str, logger: str, message: str, fields: dict[str, Any] | None
    ) -> dict[str, Any]:
        document: dict[str, Any] = {
            "time": self.time(created),
            "level": level,
            "logger": logger,
            "message": message,
        }
        if fields is not None:
            document.update(fields)
        return document

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


def info_with_fields(logger: logging.Logger, message: str, fields: dict[str, Any]) -> None:
    """`logger.info(message, extra={"fields": fields})`, the same line. When the JSON
    handler is the only handler the record would reach and nothing on its way filters
    records (the default configuration), the line goes straight to the handler's stream:
    a LogRecord and the way through the handler chain cost more than the line itself,
    and the request log writes one per request."""
    if not logger.isEnabledFor(logging.INFO):
        return
    handler = _sole_json_handler(logger)
    if handler is None:
        logger.handle(_record(logger, message, fields))
        return
    formatter = handler.formatter
    assert isinstance(formatter, JsonFormatter)
    created, level = time.time(), logging.getLevelName(logging.INFO)
    # Formatted under the lock, as Handler.handle does: the formatter keeps the second's text.
    with handler.lock or nullcontext():
        try:
            document = formatter.document(created, level, logger.name, message, fields)
            handler.stream.write(_ENCODER.encode(document) + handler.terminator)
            handler.flush()
        except RecursionError:
            raise
        except Exception:
            handler.handleError(_record(logger, message, fields))  # as StreamHandler.emit


def _record(logger: logging.Logger, message: str, fields: dict[str, Any]) -> logging.LogRecord:
    # As logger.info(message, extra=...) makes it, without finding the caller's file and
    # line in the stack (the JSON line does not show them).
    return logger.makeRecord(
        logger.name, logging.INFO, "", 0, message, (), None, extra={FIELDS_ATTRIBUTE: fields}
    )


def _sole_json_handler(logger: logging.Logger) -> _JsonHandler | None:
    """The JSON handler if an INFO record of `logger` would reach it and only it, through
    no filter, and it would format it with a JsonFormatter; else None."""
    found: _JsonHandler | None = None
    current: logging.Logger | None = logger
    while current is not None:
        if current.filters:
            return None
        for handler in current.handlers:
            if (
                found is not None
                or type(handler) is not _JsonHandler
                or type(handler.formatter) is not JsonFormatter
                or handler.filters
                or handler.level > logging.INFO
            ):
                return None
            found = handler
        current = current.parent if current.propagate else None
    return found


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
