"""`stock-analytics`: one entry point for the ETL, the API server and the demo.

Each subcommand imports its side lazily, so `serve` never loads pyspark and
`etl` never loads the web stack.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

SAMPLE_INPUT = Path(__file__).resolve().parent.parent / "data" / "sample"
DEFAULT_WAREHOUSE = Path("warehouse")
JAVA_MISSING = (
    "Java 17+ is required by Spark and was not found: "
    "install it with 'apt-get install -y openjdk-17-jre-headless' (or set JAVA_HOME)."
)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        command: int = args.handler(args)
    except BrokenPipeError:
        # The reader stopped early (`stock-analytics versions --json | head`): stop quietly,
        # and let nothing flush into the closed pipe at exit either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return command


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stock-analytics", description="Stock market analytics: ETL and GraphQL API."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    etl = commands.add_parser("etl", help="run the Spark ETL locally and print the run summary")
    etl.add_argument("--input", required=True, help="a CSV file, or a folder of .csv/.csv.gz")
    etl.add_argument("--warehouse", default=str(DEFAULT_WAREHOUSE), help="output folder")
    etl.add_argument("--retained-versions", type=int, help="versions the pointer keeps (default 5)")
    etl.add_argument(
        "--grace-seconds", type=float, help="how long dropped versions' files stay (default 600)"
    )
    etl.set_defaults(handler=_run_etl)

    versions = commands.add_parser(
        "versions", help="list the warehouse's retained dataset versions, the current one marked"
    )
    versions.add_argument("--warehouse", default=str(DEFAULT_WAREHOUSE), help="folder or s3://")
    versions.add_argument("--json", action="store_true", help="a JSON list instead of a table")
    versions.add_argument("--endpoint-url", help="S3 endpoint (default: AWS_ENDPOINT_URL)")
    versions.set_defaults(handler=_versions)

    rollback = commands.add_parser("rollback", help="make a retained dataset version current again")
    rollback.add_argument("--warehouse", default=str(DEFAULT_WAREHOUSE), help="folder or s3://")
    rollback.add_argument("--to", required=True, metavar="VERSION", help="a retained version")
    rollback.add_argument(
        "--grace-seconds", type=float, help="how long dropped versions' files stay (default 600)"
    )
    rollback.add_argument("--endpoint-url", help="S3 endpoint (default: AWS_ENDPOINT_URL)")
    rollback.set_defaults(handler=_rollback)

    verify = commands.add_parser(
        "verify",
        help="ask a deployed API the headline questions and compare with the ETL's answers",
    )
    verify.add_argument("--url", required=True, help="the API's URL (its /graphql endpoint)")
    verify.add_argument(
        "--warehouse", required=True, help="the warehouse the API serves: folder or s3://"
    )
    verify.add_argument("--api-key", help="sent in X-API-Key where the API requires a key")
    verify.add_argument(
        "--version", metavar="VERSION", help="a retained version (default: the current one)"
    )
    verify.add_argument("--endpoint-url", help="S3 endpoint (default: AWS_ENDPOINT_URL)")
    verify.set_defaults(handler=_verify)

    serve = commands.add_parser("serve", help="serve the GraphQL API")
    serve.add_argument("--warehouse", help="warehouse folder (duckdb engine)")
    serve.add_argument("--engine", choices=("duckdb", "athena"), help="query engine")
    serve.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    serve.set_defaults(handler=_serve)

    demo = commands.add_parser(
        "demo", help="build the warehouse from the bundled sample if needed, then serve it"
    )
    demo.add_argument("--warehouse", default=str(DEFAULT_WAREHOUSE), help="warehouse folder")
    demo.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    demo.set_defaults(handler=_demo)

    generate = commands.add_parser(
        "generate", help="write a deterministic synthetic OHLCV data set (tests, benchmarks)"
    )
    generate.add_argument("--tickers", type=int, required=True, help="number of tickers")
    generate.add_argument("--years", type=int, required=True, help="calendar years up to 2024")
    generate.add_argument("--seed", type=int, default=0, help="same seed, same bytes")
    generate.add_argument("--out", required=True, help="a .csv file, or a folder with --files")
    generate.add_argument(
        "--bad-rows", type=float, default=0.0, help="fraction of rows followed by a bad row"
    )
    generate.add_argument("--gzip", action="store_true", help="gzip the output (.csv.gz)")
    generate.add_argument("--files", type=int, help="write a folder of this many files")
    generate.set_defaults(handler=_generate)
    return parser


def _require_java() -> None:
    if shutil.which("java") is None and not _java_home_has_java():
        raise SystemExit(JAVA_MISSING)


def _java_home_has_java() -> bool:
    home = os.environ.get("JAVA_HOME")
    return home is not None and (Path(home) / "bin" / "java").exists()


def _run_etl(args: argparse.Namespace) -> int:
    _require_java()
    from etl.jobs.build_warehouse import main as etl_main

    options = ["--input", args.input, "--warehouse", args.warehouse]
    if args.retained_versions is not None:
        options += ["--retained-versions", str(args.retained_versions)]
    if args.grace_seconds is not None:
        options += ["--grace-seconds", str(args.grace_seconds)]
    return etl_main(options)


def _versions(args: argparse.Namespace) -> int:
    from stock_analytics.dataset_commands import list_versions

    return list_versions(args.warehouse, as_json=args.json, endpoint_url=args.endpoint_url)


def _rollback(args: argparse.Namespace) -> int:
    from etl.dataset_pointer import DEFAULT_GRACE_SECONDS
    from stock_analytics.dataset_commands import rollback

    grace = DEFAULT_GRACE_SECONDS if args.grace_seconds is None else args.grace_seconds
    return rollback(args.warehouse, args.to, grace_seconds=grace, endpoint_url=args.endpoint_url)


def _verify(args: argparse.Namespace) -> int:
    from stock_analytics.verify import verify

    return verify(
        args.url,
        args.warehouse,
        api_key=args.api_key,
        version=args.version,
        endpoint_url=args.endpoint_url,
    )


def _serve(args: argparse.Namespace) -> int:
    from graphql_api.server import serve

    overrides = {
        "engine": args.engine,
        "warehouse": args.warehouse,
        "host": args.host,
        "port": args.port,
    }
    return serve(**{key: value for key, value in overrides.items() if value is not None})


def _demo(args: argparse.Namespace) -> int:
    warehouse = Path(args.warehouse)
    if _warehouse_is_stale(warehouse, SAMPLE_INPUT):
        print(f"Building {warehouse} from the bundled sample data ({SAMPLE_INPUT}) ...")
        _require_java()
        from etl.jobs.build_warehouse import main as etl_main

        status = etl_main(["--input", str(SAMPLE_INPUT), "--warehouse", str(warehouse)])
        if status != 0:
            return status
    else:
        print(f"{warehouse} is up to date with the sample data.")
    try:
        from graphql_api.server import serve
    except ImportError:
        print("The API is not built yet: the warehouse is ready at", warehouse, file=sys.stderr)
        return 0
    return serve(warehouse=str(warehouse), engine="duckdb", host="127.0.0.1", port=args.port)


def _warehouse_is_stale(warehouse: Path, data: Path) -> bool:
    """True when the warehouse has no versioned pointer (none, or the unversioned ETL's) or
    its pointer is older than the newest sample file."""
    from etl.dataset_pointer import DatasetPointer, PointerError
    from etl.tables import DATASET_MANIFEST

    manifest = warehouse / DATASET_MANIFEST
    try:
        DatasetPointer.from_json(manifest.read_bytes())
    except (OSError, PointerError):
        return True
    newest_input = max(
        (path.stat().st_mtime for path in data.rglob("*") if path.is_file()), default=0.0
    )
    return manifest.stat().st_mtime < newest_input


def _generate(args: argparse.Namespace) -> int:
    from stock_analytics.generate import GenerateOptions, generate

    try:
        options = GenerateOptions(
            tickers=args.tickers,
            years=args.years,
            seed=args.seed,
            out=Path(args.out),
            bad_row_fraction=args.bad_rows,
            compress=args.gzip,
            files=args.files,
        )
        summary = generate(options)
    except ValueError as error:
        raise SystemExit(f"stock-analytics generate: {error}") from None
    print(summary.report())
    return 0
