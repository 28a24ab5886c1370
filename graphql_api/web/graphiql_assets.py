"""The files Strawberry's GraphiQL page loads from a CDN, and their local copies.

Strawberry's ``graphiql.html`` pulls React, GraphiQL and its explorer plugin from
a public CDN, each URL pinned to ``<package>@<version>/<path>`` with a
Subresource Integrity hash. The list is read from the installed Strawberry's
page, not written down here, so it follows Strawberry upgrades. A local copy
keeps the CDN's layout: ``<root>/<package>@<version>/<path>``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from strawberry.http.ides import get_graphql_ide_html

LOCAL_PREFIX = "/static/graphiql/"
"""Where the app serves a local copy, when one is configured."""

_TAG = re.compile(r"<(?:script|link)\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'\b(src|href|integrity)="([^"]*)"', re.IGNORECASE)
_PACKAGE_URL = re.compile(
    r"^https://[^/]+/(?P<package>(?:@[^/@]+/)?[^/@]+)@(?P<version>[^/]+)/(?P<path>[^?#]+)$"
)


@dataclass(frozen=True)
class CdnAsset:
    """One file the GraphiQL page loads: where from, and what it must hash to."""

    url: str
    package: str
    version: str
    path: str
    integrity: str | None

    @property
    def spec(self) -> str:
        """The npm package spec that contains the file, e.g. ``react@18.2.0``."""
        return f"{self.package}@{self.version}"

    @property
    def relative_path(self) -> str:
        """Where the file sits in a local copy (the CDN's own path)."""
        return f"{self.spec}/{self.path}"

    def matches(self, content: bytes) -> bool:
        """Whether ``content`` has the page's integrity hash (true when it names none)."""
        if self.integrity is None:
            return True
        algorithm, _, expected = self.integrity.partition("-")
        digest = hashlib.new(algorithm, content).digest()
        return base64.b64encode(digest).decode("ascii") == expected


def graphiql_page() -> str:
    """The GraphiQL page as the installed Strawberry serves it."""
    return get_graphql_ide_html("graphiql")


def cdn_assets(page: str | None = None) -> tuple[CdnAsset, ...]:
    """Every package file the page loads from a CDN, in page order."""
    assets = []
    for tag in _TAG.findall(graphiql_page() if page is None else page):
        attributes = {name.lower(): value for name, value in _ATTRIBUTE.findall(tag)}
        url = attributes.get("src") or attributes.get("href")
        match = _PACKAGE_URL.match(url or "")
        if url is None or match is None:
            continue
        assets.append(
            CdnAsset(
                url=url,
                package=match["package"],
                version=match["version"],
                path=match["path"],
                integrity=attributes.get("integrity"),
            )
        )
    return tuple(assets)


def local_graphiql_page(page: str | None = None) -> str:
    """The page with every CDN URL pointed at the app's local copy."""
    html = graphiql_page() if page is None else page
    for asset in cdn_assets(html):
        html = html.replace(asset.url, LOCAL_PREFIX + asset.relative_path)
    return html


def missing_assets(root: Path) -> list[str]:
    """The relative paths of the page's files that ``root`` does not hold."""
    return [
        asset.relative_path for asset in cdn_assets() if not (root / asset.relative_path).is_file()
    ]
