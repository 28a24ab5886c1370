"""Apollo's automatic persisted queries (APQ), and trusted documents for locked-down sites.

A client sends `extensions.persistedQuery = {"version": 1, "sha256Hash": H}`,
over GET or POST, at first without the query. A hash this process knows is
answered as if the query had been sent; an unknown one answers HTTP 200 with
one error, message `PersistedQueryNotFound`, code PERSISTED_QUERY_NOT_FOUND:
the client then sends the query with its hash, which is checked, remembered (a
bounded LRU per process: a task that never saw it asks again) and run.

With a trusted-documents manifest (Apollo's persisted query manifest format,
`{"format": "apollo-persisted-query-manifest", "version": 1, "operations":
[{"id", "name", "type", "body"}]}`), only the operations it lists run, by hash
or by text; anything else is refused with PERSISTED_QUERY_NOT_IN_LIST.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from typing import Any

from strawberry.http import GraphQLRequestData

from graphql_api.errors import BadUserInput

APQ_VERSION = 1
PERSISTED_QUERY_NOT_FOUND_MESSAGE = "PersistedQueryNotFound"
"""The exact message Apollo's persisted query link looks for before it retries."""
MANIFEST_FORMAT = "apollo-persisted-query-manifest"
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class PersistedQueryNotFound(Exception):
    """The hash is not known here: the client should send the query with it."""


class NotATrustedDocument(Exception):
    """Trusted documents are on, and this operation is not one of them."""

    @classmethod
    def of(cls, digest: str) -> NotATrustedDocument:
        return cls(
            f"This server runs only its trusted documents, and the operation with SHA-256 "
            f"{digest[:16]}… is not one of them."
        )


def sha256_hex(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


class PersistedQueries:
    """Known queries by SHA-256 hash: learned from clients (bounded), or fixed by a manifest."""

    def __init__(self, *, max_entries: int, trusted: dict[str, str] | None = None) -> None:
        self.max_entries = max_entries
        self._trusted = trusted
        self._learned: OrderedDict[str, str] = OrderedDict()

    @classmethod
    def from_settings(cls, *, max_entries: int, manifest: Path | None) -> PersistedQueries:
        return cls(max_entries=max_entries, trusted=load_manifest(manifest) if manifest else None)

    def resolve(self, request: GraphQLRequestData) -> GraphQLRequestData:
        """The request with its query filled in from its hash, checked against the hash and
        (when trusted documents are on) the manifest."""
        wanted = _persisted_hash(request.extensions)
        if wanted is None:
            if self._trusted is not None and request.query is not None:
                self._require_trusted(sha256_hex(request.query))
            return request
        if request.query is None:
            known = self._lookup(wanted)
            if known is None:
                if self._trusted is not None:
                    raise NotATrustedDocument.of(wanted)
                raise PersistedQueryNotFound(PERSISTED_QUERY_NOT_FOUND_MESSAGE)
            return replace(request, query=known)
        if sha256_hex(request.query) != wanted:
            raise BadUserInput(
                "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query: "
                "hash the query text exactly as sent (UTF-8, lowercase hex)"
            )
        if self._trusted is not None:
            self._require_trusted(wanted)
        else:
            self._remember(wanted, request.query)
        return request

    def _lookup(self, digest: str) -> str | None:
        if self._trusted is not None:
            return self._trusted.get(digest)
        query = self._learned.get(digest)
        if query is not None:
            self._learned.move_to_end(digest)
        return query

    def _remember(self, digest: str, query: str) -> None:
        self._learned[digest] = query
        self._learned.move_to_end(digest)
        while len(self._learned) > self.max_entries:
            self._learned.popitem(last=False)

    def _require_trusted(self, digest: str) -> None:
        assert self._trusted is not None
        if digest not in self._trusted:
            raise NotATrustedDocument.of(digest)


def _persisted_hash(extensions: dict[str, Any] | None) -> str | None:
    """extensions.persistedQuery's hash; BadUserInput when it is there but malformed."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != APQ_VERSION:
        raise BadUserInput(
            'extensions.persistedQuery must be {"version": 1, "sha256Hash": "<64 hex digits>"}'
        )
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _SHA256_HEX.fullmatch(digest):
        raise BadUserInput(
            "extensions.persistedQuery.sha256Hash must be 64 lowercase hex digits (SHA-256)"
        )
    return digest


def load_manifest(path: Path) -> dict[str, str]:
    """hash -> query text of an Apollo persisted query manifest; ValueError if malformed."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != MANIFEST_FORMAT or document.get("version") != 1:
            raise ValueError(f"not an {MANIFEST_FORMAT} version 1")
        operations = {}
        for operation in document["operations"]:
            body, digest = str(operation["body"]), str(operation["id"])
            if sha256_hex(body) != digest:
                raise ValueError(f"operation {operation.get('name')!r}: id is not its SHA-256")
            operations[digest] = body
        return operations
    except (OSError, KeyError, TypeError, AttributeError, ValueError) as error:
        raise ValueError(f"trusted documents manifest {path}: {error}") from error
