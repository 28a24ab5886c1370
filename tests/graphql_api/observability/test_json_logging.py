"""json_logging: JSON lines on the root logger for a block, then as it was before."""

from __future__ import annotations

import io
import json
import logging
import random
from datetime import UTC, datetime

import pytest

from graphql_api.observability import json_logging as json_logging_module
from graphql_api.observability.json_logging import (
    JsonFormatter,
    _JsonHandler,
    info_with_fields,
    json_logging,
)


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


def _logger_tree(stream: io.StringIO) -> tuple[logging.Logger, logging.Logger]:
    """A parent with the JSON handler and a child, outside the logging registry (pytest's
    capture handlers sit on the registry's root)."""
    with json_logging("info", stream=stream):
        (handler,) = [h for h in logging.getLogger().handlers if type(h) is _JsonHandler]
    parent = logging.Logger("tests.fast")
    parent.addHandler(handler)
    child = logging.Logger("tests.fast.child")
    child.parent = parent
    return parent, child


def _line_through_logging(logger: logging.Logger, created: float, fields: dict[str, object]) -> str:
    record = logger.makeRecord(logger.name, logging.INFO, "", 0, "request", (), None)
    record.created, record.fields = created, fields
    return JsonFormatter().format(record) + "\n"


FIELDS: dict[str, object] = {
    "request_id": "abc",
    "path": '/graphql?x="\u00e9"\n',
    "status": 200,
    "ms": 0.25,
    "ok": True,
    "none": None,
    "codes": ["A", "B"],
}


def test_info_with_fields_writes_the_line_logging_would_write(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = io.StringIO()
    _, child = _logger_tree(stream)
    moment = 1_700_000_000.123456
    monkeypatch.setattr(json_logging_module.time, "time", lambda: moment)

    def no_record(*args: object, **kwargs: object) -> logging.LogRecord:
        raise AssertionError("the sole JSON handler's line needs no LogRecord")

    monkeypatch.setattr(child, "makeRecord", no_record)
    info_with_fields(child, "request", FIELDS)
    expected = _line_through_logging(logging.Logger(child.name), moment, FIELDS)
    assert stream.getvalue() == expected


def test_info_with_fields_goes_through_logging_when_another_handler_or_a_filter_is_on_the_way() -> (
    None
):
    stream = io.StringIO()
    parent, child = _logger_tree(stream)
    seen: list[logging.LogRecord] = []
    collector = logging.Handler()
    collector.emit = seen.append  # type: ignore[method-assign]
    child.addHandler(collector)
    info_with_fields(child, "request", FIELDS)
    assert [record.fields for record in seen] == [FIELDS]  # type: ignore[attr-defined]
    assert json.loads(stream.getvalue()) == json.loads(
        _line_through_logging(child, seen[0].created, FIELDS)
    )

    child.removeHandler(collector)
    parent.addFilter(lambda record: False)  # a parent's filter applies to its own records only
    info_with_fields(child, "again", FIELDS)
    assert json.loads(stream.getvalue().splitlines()[-1])["message"] == "again"
    child.addFilter(lambda record: False)
    info_with_fields(child, "dropped", FIELDS)
    assert "dropped" not in stream.getvalue()

    quiet = logging.Logger("tests.fast.quiet", logging.WARNING)
    quiet.parent = parent
    info_with_fields(quiet, "below the level", FIELDS)
    assert "below the level" not in stream.getvalue()
