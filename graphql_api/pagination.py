"""Keyset pages: `first` and `after` checked, opaque cursors, and the page a service fetched.

A connection's rows are ordered by a unique key (a tuple of its columns); a page
is the rows whose key follows the cursor's, in order. Every page statement ends
with a constant LIMIT, one row more than the largest page it serves, so the row
after the page tells whether another follows: `LIMIT SHORT_FETCHED` for a page of
at most DEFAULT_FIRST rows, `LIMIT FETCHED` for a longer one. Every `first` of
either kind shares one statement (and one cached result); the default page does
not read, nor convert, the 400 rows more that the largest page would.

A cursor is the base64url of a small JSON array: the format, the connection it
belongs to, the dataset version it was read from and the key of its row. It is
only good for that connection and that version: the key is a position in one
version's rows, so a cursor from another version is refused with a message
saying so, never silently applied to rows it did not come from.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, TypeVar

import strawberry

from graphql_api import unicode_json
from graphql_api.errors import BadUserInput
from graphql_api.types.connection import Connection, Edge, PageInfo

DEFAULT_FIRST = 100
MAX_FIRST = 500
FETCHED = MAX_FIRST + 1
"""The LIMIT of a page statement for a page of more than DEFAULT_FIRST rows."""
SHORT_FETCHED = DEFAULT_FIRST + 1
"""The LIMIT of a page statement for a page of at most DEFAULT_FIRST rows."""

CURSOR_FORMAT = 1
MAX_CURSOR_LENGTH = 4_096

BIGINT_RANGE = range(-(2**63), 2**63)
"""The integers a key may hold (its columns are BIGINT)."""

KeyPart = str | int | date
Key = tuple[KeyPart, ...]
KeyTypes = tuple[type[str] | type[int] | type[date], ...]

T = TypeVar("T")

First = Annotated[
    int | None,
    strawberry.argument(
        description=f"How many rows the page holds, 0 to {MAX_FIRST}; {DEFAULT_FIRST} when left "
        "out or null."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="Start after this cursor (a previous page's `endCursor`); from the first "
        "row when null."
    ),
]

_START_AGAIN = "omit `after` for the first page, or pass a page's `endCursor` unchanged"


@dataclass(frozen=True)
class PageRequest:
    """What one connection field asked for: up to `first` rows after the key `after`
    (None: from the start)."""

    first: int
    after: Key | None

    @property
    def kept(self) -> int:
        """How many of a page statement's rows to read: the page, and one more to tell
        whether another page follows."""
        return self.first + 1


def checked_first(first: int | None) -> int:
    """`first` as asked (DEFAULT_FIRST when null); BadUserInput outside 0..MAX_FIRST."""
    if first is None:
        return DEFAULT_FIRST
    if not 0 <= first <= MAX_FIRST:
        raise BadUserInput(
            f"`first` must be between 0 and {MAX_FIRST}, not {first}: "
            "walk longer lists page by page with `after`"
        )
    return first


def page_request(
    connection: str, version: str, key_types: KeyTypes, first: int | None, after: str | None
) -> PageRequest:
    """The page `first` and `after` ask for in `connection` read at `version`."""
    count = checked_first(first)
    if after is None:
        return PageRequest(count, None)
    return PageRequest(count, decode_cursor(after, connection, version, key_types))


def encode_cursor(connection: str, version: str, key: Key) -> str:
    return cursor_encoder(connection, version)(key)


def cursor_encoder(connection: str, version: str) -> Callable[[Key], str]:
    """encode_cursor for one connection and version, their JSON made once for a page."""
    prefix = json.dumps([CURSOR_FORMAT, connection, version], separators=(",", ":"))[:-1]

    def encode(key: Key) -> str:
        parts = ",".join(
            json.dumps(part.isoformat() if isinstance(part, date) else part) for part in key
        )
        payload = f"{prefix},{parts}]" if parts else f"{prefix}]"
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    return encode


def decode_cursor(cursor: str, connection: str, version: str, key_types: KeyTypes) -> Key:
    """The key `cursor` holds, once it is a cursor of `connection` at `version`."""
    payload = _payload(cursor)
    if (
        not isinstance(payload, list)
        or len(payload) < 3
        or payload[0] != CURSOR_FORMAT
        or not all(isinstance(part, str) for part in payload[1:3])
    ):
        raise BadUserInput(f"`after` is not a cursor of this API: {_START_AGAIN}")
    _, cursor_connection, cursor_version, *parts = payload
    if cursor_connection != connection:
        raise BadUserInput(
            f"`after` is a cursor of `{cursor_connection}`, not of `{connection}`: {_START_AGAIN}"
        )
    if cursor_version != version:
        raise BadUserInput(
            f"`after` is a cursor of dataset version {cursor_version}, and this list is read "
            f"from version {version}; a cursor holds only within its version: start again "
            "without `after`, or pin its version with the X-Dataset-Version header while it "
            "is retained"
        )
    if len(parts) != len(key_types):
        raise BadUserInput(f"`after` is not a cursor of this API: {_START_AGAIN}")
    return tuple(_key_part(part, kind) for part, kind in zip(parts, key_types, strict=True))


def paged(
    found: Sequence[T],
    request: PageRequest,
    cursor: Callable[[T], str],
    count: Callable[[], Awaitable[int]],
) -> Connection[T]:
    """The connection of the rows a page statement `found` (at least `request.kept`
    unless the list ends, in key order)."""
    edges = [Edge(cursor=cursor(node), node=node) for node in found[: request.first]]
    info = PageInfo(
        has_next_page=len(found) > request.first,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, page_info=info, count=count)


def _payload(cursor: str) -> object:
    malformed = BadUserInput(f"`after` is not a cursor of this API: {_START_AGAIN}")
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise malformed
    try:
        text = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        payload = text.decode()
        value = json.loads(payload)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise malformed from None
    if unicode_json.might_hold_surrogates(payload) and unicode_json.holds_surrogates(value):
        raise malformed  # a key no version's rows hold, nor any engine could look up
    return value


def _key_part(part: object, kind: type[str] | type[int] | type[date]) -> KeyPart:
    malformed = BadUserInput(f"`after` is not a cursor of this API: {_START_AGAIN}")
    if kind is date:
        if not isinstance(part, str):
            raise malformed
        try:
            return date.fromisoformat(part)
        except ValueError:
            raise malformed from None
    if kind is int:
        if isinstance(part, bool) or not isinstance(part, int) or part not in BIGINT_RANGE:
            raise malformed  # past BIGINT: no row's key, and past 128 bits, no parameter
        return part
    if not isinstance(part, str):
        raise malformed
    return part
