"""json_logging: JSON lines on the root logger for a block, then as it was before."""

from __future__ import annotations

import io
import json
import logging
import random
from datetime import UTC, datetime

import pytest

from graphql_api.observability.json_logging import JsonFormatter, json_logging


def test_records_become_json_lines_with_fields_and_tracebacks() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("tests.json_logging")
    with json_logging("debug", stream=stream):
        logger.debug("plain %s", "text", extra={"fields": {"answer": 42}})
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logger.exception("failed")
    plain, failed = (json.loads(line) for line in stream.getvalue().splitlines())
    assert plain["message"] == "plain text"
    assert (plain["level"], plain["logger"], plain["answer"]) == ("DEBUG", "tests.json_logging", 42)
    assert plain["time"].endswith("+00:00")
    assert failed["level"] == "ERROR"
    assert "RuntimeError: boom" in failed["exception"]


def test_the_root_logger_is_restored_and_installed_once() -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    outer, inner = io.StringIO(), io.StringIO()
    with json_logging("warning", stream=outer):
        with json_logging("info", stream=inner):
            assert root.level == logging.INFO
            logging.getLogger("tests.json_logging").info("once")
        assert root.level == logging.WARNING
    assert (root.handlers, root.level) == (handlers, level)
    assert inner.getvalue() == ""
    assert json.loads(outer.getvalue())["message"] == "once"


def test_an_unknown_level_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown log level 'loud'"), json_logging("loud"):
        pass


def test_the_time_is_the_isoformat_of_the_moment_to_the_millisecond() -> None:
    formatter = JsonFormatter()
    generator = random.Random(11)
    moments = [generator.uniform(0, 4e9) for _ in range(20_000)]
    # the edges of rounding to the microsecond, and of a second
    moments += [1e9 + 0.9999995, 1e9 + 0.9999994, 1e9 + 0.0000005, 1e9 + 0.0009995, 1e9, 1.5]
    for moment in sorted(moments):  # in order, so the text of a second is reused too
        expected = datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds")
        assert formatter.time(moment) == expected, moment
