"""The files Strawberry's GraphiQL page loads from a CDN, and the page pointed at local copies."""

from __future__ import annotations

from pathlib import Path

from graphql_api.web.graphiql_assets import (
    LOCAL_PREFIX,
    CdnAsset,
    cdn_assets,
    graphiql_page,
    local_graphiql_page,
    missing_assets,
)

# SHA-384 of b"abc", base64, as `openssl dgst -sha384 -binary | base64` prints it.
ABC_SHA384 = "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"

PAGE = """<html><head>
<link rel="icon" href="data:image/svg+xml,x" />
<script crossorigin src="https://cdn.example/react@18.2.0/umd/react.production.min.js"
  integrity="sha384-AAAA"></script>
<link crossorigin rel="stylesheet"
  href="https://cdn.example/@graphiql/plugin-explorer@1.0.2/dist/style.css" />
<script>const inline = "https://cdn.example/not-a-tag@1.0.0/x.js";</script>
</head></html>"""


def test_assets_are_read_from_the_tags_with_package_version_and_path() -> None:
    assert cdn_assets(PAGE) == (
        CdnAsset(
            url="https://cdn.example/react@18.2.0/umd/react.production.min.js",
            package="react",
            version="18.2.0",
            path="umd/react.production.min.js",
            integrity="sha384-AAAA",
        ),
        CdnAsset(
            url="https://cdn.example/@graphiql/plugin-explorer@1.0.2/dist/style.css",
            package="@graphiql/plugin-explorer",
            version="1.0.2",
            path="dist/style.css",
            integrity=None,
        ),
    )


def test_the_installed_strawberry_page_loads_react_and_graphiql_with_integrity_hashes() -> None:
    assets = cdn_assets()
    packages = {asset.package for asset in assets}
    assert {"react", "react-dom", "graphiql"} <= packages
    graphiql_files = {asset.path for asset in assets if asset.package == "graphiql"}
    assert any(path.endswith(".js") for path in graphiql_files)
    assert any(path.endswith(".css") for path in graphiql_files)
    assert all(asset.integrity and asset.integrity.startswith("sha") for asset in assets)
    assert all(asset.url in graphiql_page() for asset in assets)


def test_integrity_is_checked_against_the_pages_hash() -> None:
    asset = CdnAsset("https://x/a@1/b.js", "a", "1", "b.js", ABC_SHA384)
    assert asset.matches(b"abc")
    assert not asset.matches(b"abd")
    assert CdnAsset("https://x/a@1/b.js", "a", "1", "b.js", None).matches(b"anything")


def test_the_local_page_loads_every_asset_from_the_app_and_nothing_from_the_cdn() -> None:
    assets = cdn_assets()
    local = local_graphiql_page()
    assert cdn_assets(local) == ()
    for asset in assets:
        assert asset.url not in local
        assert f'"{LOCAL_PREFIX}{asset.relative_path}"' in local
        assert asset.integrity is None or asset.integrity in local


def test_missing_assets_lists_the_files_a_folder_lacks(tmp_path: Path) -> None:
    assets = cdn_assets()
    assert missing_assets(tmp_path) == [asset.relative_path for asset in assets]
    first = tmp_path / assets[0].relative_path
    first.parent.mkdir(parents=True)
    first.write_bytes(b"x")
    assert missing_assets(tmp_path) == [asset.relative_path for asset in assets[1:]]
