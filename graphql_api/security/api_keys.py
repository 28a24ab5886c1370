"""API keys: where a client puts one, and how it is checked (in constant time)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping

from graphql_api.http_contract import API_KEY_HEADER, AUTHORIZATION_HEADER

BEARER = b"bearer "


class ApiKeys:
    """The accepted keys. The offered key's SHA-256 is compared with every key's, by
    hmac.compare_digest, whatever matches: equal lengths, and no early exit, so the time
    taken says nothing about which key, how much of one, or how long one is."""

    def __init__(self, keys: Iterable[str]) -> None:
        self._digests = [hashlib.sha256(key.encode()).digest() for key in keys if key]
        if not self._digests:
            raise ValueError("API keys are required, but none is configured")

    def accepts(self, offered: bytes) -> bool:
        offered_digest = hashlib.sha256(offered).digest()
        matched = False
        for digest in self._digests:
            matched |= hmac.compare_digest(offered_digest, digest)
        return matched


def offered_key(headers: Mapping[bytes, bytes]) -> bytes | None:
    """The key in `X-API-Key`, else in `Authorization: Bearer <key>`; None without one."""
    key = headers.get(API_KEY_HEADER)
    if key is None:
        authorization = headers.get(AUTHORIZATION_HEADER, b"")
        if authorization[: len(BEARER)].lower() == BEARER:
            key = authorization[len(BEARER) :]
    key = None if key is None else key.strip()
    return key or None


def fingerprint(key: bytes) -> str:
    """A short, one-way name for a key, for logs and rate-limit buckets (never the key)."""
    return hashlib.sha256(key).hexdigest()[:12]
