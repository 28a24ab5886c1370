"""Dataset.rejections and Dataset.anomalies on warehouses built by the real ETL, against
the raw input files read in plain Python and pandas: every page walked to the end, each
retained version read from its own tables, and every bad argument a BAD_USER_INPUT."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pandas as pd
import pytest

from etl.tables import ANOMALY_KINDS, REJECT_REASONS
from graphql_api.main import create_app
from graphql_api.pagination import MAX_FIRST, encode_cursor
from tests.graphql_api.sample_truth import load_sample_truth, truth_of
from tests.graphql_api.support import app_client, settings_for
from tests.messy_input import MESSY_REJECTIONS, write_messy_input

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

EXTRA_FILE = "c.csv"
EXTRA_ROWS = [
    "date,ticker,open,high,low,close,volume",
    "2024-01-08,CCC,5,6,4,5,100",
    "2024-01-09,CCC,5,9.5,4,9,100",  # +80%: large_move
    "2024-01-10,CCC,9,9.5,x,9,100",  # bad_price
    "2024-01-11,CCC,9,8.5,8,9,0",  # high below the close, no volume
]
EXTRA_REJECTIONS = {(EXTRA_FILE, 4): "bad_price"}
HEADER_NAMES = {"symbol": "ticker"}

REJECTIONS = """
query($reason: String, $first: Int, $after: String) {
  dataset { version rejections(reason: $reason, first: $first, after: $after) {
    totalCount
    edges { cursor node {
      sourceFile line reason explanation
      raw { date open high low close volume ticker } } }
    pageInfo { hasNextPage endCursor } } }
}
"""
ANOMALIES = """
query($kind: String, $ticker: String, $first: Int, $after: String) {
  dataset { version anomalies(kind: $kind, ticker: $ticker, first: $first, after: $after) {
    totalCount
    edges { cursor node { ticker date kind explanation detail } }
    pageInfo { hasNextPage endCursor } } }
}
"""


@pytest.fixture(scope="module")
def messy_inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The messy input, then the same with a third file."""
    root = tmp_path_factory.mktemp("messy")
    first = write_messy_input(root / "first")
    second = write_messy_input(root / "second")
    (second / EXTRA_FILE).write_text("\n".join(EXTRA_ROWS) + "\n")
    return first, second


@pytest.fixture(scope="module")
def messy_warehouse(
    spark: SparkSession, messy_inputs: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Two versions built by the ETL: the messy input (older), then it with c.csv (current)."""
    from etl.jobs.build_warehouse import run
    from etl.options import JobOptions

    warehouse = tmp_path_factory.mktemp("messy_warehouse")
    for source in messy_inputs:
        run(spark, JobOptions(str(source), str(warehouse)), report=lambda _message: None)
    return warehouse


@pytest.fixture(scope="module")
async def messy_client(messy_warehouse: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(settings_for(messy_warehouse))) as client:
        yield client


@pytest.fixture(scope="module")
async def sample_client(sample_warehouse: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(settings_for(sample_warehouse))) as client:
        yield client


async def post(
    client: httpx.AsyncClient,
    query: str,
    headers: dict[str, str] | None = None,
    **variables: Any,
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers or {}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def data(
    client: httpx.AsyncClient, query: str, pinned: str | None = None, **variables: Any
) -> dict[str, Any]:
    headers = {} if pinned is None else {"X-Dataset-Version": pinned}
    body = await post(client, query, headers, **variables)
    assert "errors" not in body, body
    return dict(body["data"])


def bad_input(body: dict[str, Any]) -> str:
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    return str(error["message"])


def raw_lines(folder: Path) -> dict[tuple[str, int], dict[str, str]]:
    """Every data line of the input files, by (file name, line), as header name -> field:
    plain csv parsing, header names trimmed and lower-cased."""
    found = {}
    for path in sorted(folder.glob("*.csv*")):
        text = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        records = list(csv.reader(io.StringIO(text.decode())))
        names = [
            HEADER_NAMES.get(name.strip().lower(), name.strip().lower()) for name in records[0]
        ]
        for number, record in enumerate(records[1:], start=2):
            found[(path.name, number)] = dict(zip(names, record, strict=True))
    return found


def accepted_frame(folder: Path, rejected: dict[tuple[str, int], str]) -> pd.DataFrame:
    """The lines not rejected, typed, exact duplicates collapsed."""
    kept = [values for key, values in raw_lines(folder).items() if key not in rejected]
    frame = pd.DataFrame(kept)[["ticker", "date", "open", "high", "low", "close", "volume"]]
    frame = frame.assign(ticker=frame["ticker"].str.strip(), date=frame["date"].str.strip())
    for column in ("open", "high", "low", "close"):
        frame[column] = frame[column].astype(float)
    frame["volume"] = frame["volume"].astype("int64")
    return frame.drop_duplicates().reset_index(drop=True)


async def walk(
    client: httpx.AsyncClient,
    query: str,
    field: str,
    first: int,
    pinned: str | None = None,
    after: str | None = None,
    **variables: Any,
) -> tuple[list[dict[str, Any]], list[int], int]:
    """Every node of `dataset { <field> }` from `after` on, page by page (at the `pinned`
    version): the nodes, each page's size, and totalCount."""
    nodes: list[dict[str, Any]] = []
    sizes: list[int] = []
    while True:
        answer = await data(client, query, pinned, first=first, after=after, **variables)
        assert pinned in (None, answer["dataset"]["version"])
        connection = answer["dataset"][field]
        nodes.extend(edge["node"] for edge in connection["edges"])
        sizes.append(len(connection["edges"]))
        if connection["edges"]:
            assert connection["pageInfo"]["endCursor"] == connection["edges"][-1]["cursor"]
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes, sizes, connection["totalCount"]
        after = connection["pageInfo"]["endCursor"]


async def versions(client: httpx.AsyncClient) -> tuple[str, str]:
    """The older and the current version of the messy warehouse."""
    answer = await data(client, "{ datasets { version current } }")
    [current, older] = answer["datasets"]
    assert current["current"]
    assert not older["current"]
    return older["version"], current["version"]


async def test_each_versions_rejections_are_its_inputs_rejected_lines(
    messy_client: httpx.AsyncClient, messy_inputs: tuple[Path, Path]
) -> None:
    expected_by_input = [MESSY_REJECTIONS, {**MESSY_REJECTIONS, **EXTRA_REJECTIONS}]
    for version, source, expected in zip(
        await versions(messy_client), messy_inputs, expected_by_input, strict=True
    ):
        nodes, sizes, total = await walk(
            messy_client, REJECTIONS, "rejections", first=2, pinned=version
        )
        found = {(Path(node["sourceFile"]).name, node["line"]): node["reason"] for node in nodes}
        assert found == expected
        assert total == len(nodes) == len(found)
        assert sizes == [2] * (len(nodes) // 2) + ([len(nodes) % 2] if len(nodes) % 2 else [])
        assert [(node["sourceFile"], node["line"]) for node in nodes] == sorted(
            (str(source / name), line) for name, line in expected
        )
        lines = raw_lines(source)
        for node in nodes:
            assert Path(node["sourceFile"]).parent == source
            raw = lines[(Path(node["sourceFile"]).name, node["line"])]
            assert node["raw"] == {name: raw.get(name) for name in node["raw"]}
            assert node["explanation"] == REJECT_REASONS[node["reason"]]


async def test_rejections_of_one_reason(
    messy_client: httpx.AsyncClient, messy_inputs: tuple[Path, Path]
) -> None:
    older, current = await versions(messy_client)
    for version in (older, current):
        nodes, _, total = await walk(
            messy_client,
            REJECTIONS,
            "rejections",
            first=1,
            pinned=version,
            reason="conflicting_duplicate",
        )
        found = {(Path(node["sourceFile"]).name, node["line"]) for node in nodes}
        wanted = {
            key for key, reason in MESSY_REJECTIONS.items() if reason == "conflicting_duplicate"
        }
        assert found == wanted
        assert total == len(wanted)


async def test_anomalies_match_the_accepted_rows_of_the_input(
    messy_client: httpx.AsyncClient, messy_inputs: tuple[Path, Path]
) -> None:
    source = messy_inputs[1]
    truth = truth_of(accepted_frame(source, {**MESSY_REJECTIONS, **EXTRA_REJECTIONS}))
    expected = truth.anomalies()
    assert {kind for _, _, kind, _ in expected} == set(ANOMALY_KINDS)  # each kind is tested

    nodes, _, total = await walk(messy_client, ANOMALIES, "anomalies", first=2)
    assert [(n["ticker"], n["date"], n["kind"]) for n in nodes] == [
        (ticker, day.isoformat(), kind) for ticker, day, kind, _ in expected
    ]
    assert total == len(expected)
    for node, (_, _, kind, detail) in zip(nodes, expected, strict=True):
        assert node["explanation"] == ANOMALY_KINDS[kind]
        if detail:
            assert node["detail"] == detail


@pytest.mark.parametrize(
    ("kind", "ticker"), [("large_move", None), (None, "CCC"), ("zero_volume", "BBB")]
)
async def test_anomalies_filtered(
    messy_client: httpx.AsyncClient,
    messy_inputs: tuple[Path, Path],
    kind: str | None,
    ticker: str | None,
) -> None:
    truth = truth_of(accepted_frame(messy_inputs[1], {**MESSY_REJECTIONS, **EXTRA_REJECTIONS}))
    expected = [
        (t, day.isoformat(), k)
        for t, day, k, _ in truth.anomalies()
        if kind in (None, k) and ticker in (None, t)
    ]
    nodes, _, total = await walk(
        messy_client,
        ANOMALIES,
        "anomalies",
        first=1,
        kind=kind,
        ticker=ticker,
    )
    assert [(n["ticker"], n["date"], n["kind"]) for n in nodes] == expected
    assert total == len(expected) > 0


async def test_the_sample_has_no_rejections(sample_client: httpx.AsyncClient) -> None:
    answer = await data(
        sample_client,
        "{ dataset { rejectedRows rejections { totalCount edges { cursor }"
        " pageInfo { hasNextPage endCursor } } } }",
    )
    assert answer["dataset"] == {
        "rejectedRows": 0,
        "rejections": {
            "totalCount": 0,
            "edges": [],
            "pageInfo": {"hasNextPage": False, "endCursor": None},
        },
    }


@pytest.mark.parametrize("first", [1, 7, MAX_FIRST])
async def test_the_samples_anomalies_walked_to_the_end(
    sample_client: httpx.AsyncClient, first: int
) -> None:
    expected = load_sample_truth().anomalies()
    nodes, sizes, total = await walk(sample_client, ANOMALIES, "anomalies", first=first)
    assert [(n["ticker"], n["date"], n["kind"]) for n in nodes] == [
        (ticker, day.isoformat(), kind) for ticker, day, kind, _ in expected
    ]
    for node, (_, _, _, detail) in zip(nodes, expected, strict=True):
        if detail:
            assert node["detail"] == detail
    assert total == len(expected) > 0
    assert all(size == first for size in sizes[:-1])
    assert 0 < sizes[-1] <= first


async def test_datasets_list_each_versions_own_rejections(
    messy_client: httpx.AsyncClient, messy_inputs: tuple[Path, Path]
) -> None:
    answer = await data(
        messy_client,
        "{ datasets { version rejections { totalCount edges { node { sourceFile line reason } } }"
        ' anomalies(ticker: "CCC") { totalCount } } }',
    )
    older, current = await versions(messy_client)
    expected = {older: MESSY_REJECTIONS, current: {**MESSY_REJECTIONS, **EXTRA_REJECTIONS}}
    extra_anomalies = {
        version: sum(
            ticker == "CCC"
            for ticker, _, _, _ in truth_of(accepted_frame(source, expected[version])).anomalies()
        )
        for version, source in zip((older, current), messy_inputs, strict=True)
    }
    assert extra_anomalies[older] == 0
    assert [found["version"] for found in answer["datasets"]] == [current, older]
    for found in answer["datasets"]:
        rejections = found["rejections"]
        listed = {
            (Path(edge["node"]["sourceFile"]).name, edge["node"]["line"]): edge["node"]["reason"]
            for edge in rejections["edges"]
        }
        assert listed == expected[found["version"]]
        assert rejections["totalCount"] == len(listed)
        assert found["anomalies"]["totalCount"] == extra_anomalies[found["version"]]


async def test_a_cursor_holds_in_its_version_only(messy_client: httpx.AsyncClient) -> None:
    older, current = await versions(messy_client)
    first_page = (await data(messy_client, REJECTIONS, older, first=3))["dataset"]["rejections"]
    cursor = first_page["pageInfo"]["endCursor"]

    # In the current version's list: refused, naming both versions.
    message = bad_input(await post(messy_client, REJECTIONS, None, after=cursor))
    assert older in message
    assert current in message
    assert "X-Dataset-Version" in message

    # With the older version pinned, the list goes on where the first page ended.
    nodes, _, _ = await walk(messy_client, REJECTIONS, "rejections", 100, older, after=cursor)
    rest = [(node["sourceFile"], node["line"]) for node in nodes]
    first_three = [
        (edge["node"]["sourceFile"], edge["node"]["line"]) for edge in first_page["edges"]
    ]
    assert len(first_three) == 3
    assert len(first_three) + len(rest) == len(MESSY_REJECTIONS)
    assert sorted(first_three + rest) == first_three + rest


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ("first: 501", "between 0 and 500"),
        ("first: -1", "between 0 and 500"),
        ('after: "not a cursor"', "not a cursor of this API"),
        ('after: "WzEsInN0b2NrcyJd"', "not a cursor of this API"),  # [1,"stocks"]
        ('reason: "bad"', "bad_date"),
    ],
)
async def test_bad_arguments_are_bad_user_input(
    messy_client: httpx.AsyncClient, arguments: str, complaint: str
) -> None:
    query = f"{{ dataset {{ rejections({arguments}) {{ totalCount }} }} }}"
    assert complaint in bad_input(await post(messy_client, query))


async def test_a_cursor_of_another_list_is_refused(messy_client: httpx.AsyncClient) -> None:
    _, current = await versions(messy_client)
    foreign = encode_cursor("anomalies", current, ("AAA", "2024-01-02", "large_move"))
    body = await post(
        messy_client,
        "query($after: String) { dataset { rejections(after: $after) { totalCount } } }",
        after=foreign,
    )
    assert "`anomalies`, not of `rejections`" in bad_input(body)
    body = await post(messy_client, '{ dataset { anomalies(kind: "odd") { totalCount } } }')
    assert "large_move" in bad_input(body)
