"""Copy GraphiQL's CDN files into a local folder, from the npm packages they come from.

An install-time step, never run by the server: it calls ``npm pack`` (npm's own
client and registry settings) for each package the GraphiQL page names, keeps
only the files the page loads, and checks each against the page's integrity hash.

    python -m graphql_api.web.fetch_graphiql_assets DIR
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

from graphql_api.web.graphiql_assets import CdnAsset, cdn_assets

NPM_TIMEOUT_SECONDS = 300


class AssetFetchError(RuntimeError):
    """npm is missing or failed, or a package's file is not what the page expects."""


def fetch_graphiql_assets(root: Path) -> list[Path]:
    """Write every file the GraphiQL page loads under ``root``; return their paths."""
    npm = shutil.which("npm")
    if npm is None:
        raise AssetFetchError("npm is not installed: install Node.js (it includes npm)")
    assets = cdn_assets()
    specs = sorted({asset.spec for asset in assets})
    with tempfile.TemporaryDirectory(prefix="graphiql-packages-") as scratch:
        tarballs = _pack(npm, specs, Path(scratch))
        return [_extract(asset, tarballs[asset.spec], root) for asset in assets]


def _pack(npm: str, specs: list[str], destination: Path) -> dict[str, Path]:
    """Download the packages' tarballs (no dependencies); map each spec to its file."""
    command = [npm, "pack", "--json", "--pack-destination", str(destination), *specs]
    try:
        done = subprocess.run(
            command,
            cwd=destination,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as timeout:
        raise AssetFetchError(f"npm pack timed out after {timeout.timeout}s") from timeout
    if done.returncode != 0:
        raise AssetFetchError(f"npm pack {' '.join(specs)} failed: {done.stderr.strip()}")
    packed = json.loads(done.stdout)
    return {f"{item['name']}@{item['version']}": destination / item["filename"] for item in packed}


def _extract(asset: CdnAsset, tarball: Path, root: Path) -> Path:
    """Copy one file out of an npm tarball (whose entries start with ``package/``)."""
    with tarfile.open(tarball, "r:gz") as archive:
        try:
            member = archive.extractfile(f"package/{asset.path}")
        except KeyError:
            member = None
        if member is None:
            raise AssetFetchError(f"{asset.spec} has no file {asset.path}")
        content = member.read()
    if not asset.matches(content):
        raise AssetFetchError(f"{asset.relative_path} does not match the page's integrity hash")
    target = root / asset.relative_path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("directory", type=Path, help="folder to write the files into")
    args = parser.parse_args(argv)
    try:
        written = fetch_graphiql_assets(args.directory)
    except AssetFetchError as error:
        parser.exit(1, f"error: {error}\n")
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
