"""JSON from a client holds only Unicode text: a lone UTF-16 surrogate is refused.

JSON lets a string escape a surrogate alone (`"\\ud800"`), and Python's json module
decodes it (and bytes that encode one, read with `surrogatepass`) to a string no UTF-8
can hold: DuckDB refuses it, an index in Python answers it, a response holding it cannot
be encoded. Such a value is refused where it comes in, as BadUserInput. A pair of
escapes that makes one character (`"\\ud83d\\ude00"`) decodes to that character, and is
good input.
"""

from __future__ import annotations

import json
import re
from typing import Any

from graphql_api.errors import BadUserInput

LONE_SURROGATE_MESSAGE = (
    "The request holds a lone UTF-16 surrogate (such as \\ud800 unpaired): "
    "text must be valid Unicode"
)

_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""A surrogate's escape in JSON text."""
_UTF8_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_UTF8_SURROGATE = re.compile(rb"\xed[\xa0-\xbf]")
"""A surrogate encoded as UTF-8 (0xED 0xA0..0xBF), which json.loads decodes too."""
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def loads(raw: str | bytes) -> Any:
    """json.loads(raw); BadUserInput if a decoded string (a key too) holds a surrogate, or
    `raw` is not JSON."""
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as error:  # not JSON, not UTF-8, or nested too deep
        raise BadUserInput(f"Unable to parse the request as JSON: {error}") from error
    check(raw, value)
    return value


def check(raw: str | bytes, value: object) -> None:
    """BadUserInput if `value`, decoded from `raw`, holds a surrogate anywhere."""
    if might_hold_surrogates(raw) and holds_surrogates(value):
        raise BadUserInput(LONE_SURROGATE_MESSAGE)


def might_hold_surrogates(raw: str | bytes) -> bool:
    """False only when JSON decoded from `raw` cannot hold a surrogate (the look at 32 KiB
    of a query costs about a third of its json.loads; the first byte of a surrogate in
    UTF-8 is found by memchr)."""
    if isinstance(raw, str):
        if _ESCAPE.search(raw):
            return True
        return not raw.isascii() and _SURROGATE.search(raw) is not None
    if json.detect_encoding(raw) != "utf-8":
        return True  # UTF-16 or UTF-32, rare: look at every string
    if _UTF8_ESCAPE.search(raw):
        return True
    return b"\xed" in raw and _UTF8_SURROGATE.search(raw) is not None


def holds_surrogates(value: object) -> bool:
    """Whether a string in `value` (decoded JSON: its keys too) holds a surrogate."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False
