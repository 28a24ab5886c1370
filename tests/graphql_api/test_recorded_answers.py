"""Whole-history answers read from the ETL's recorded answers (graphql_api/services/
recorded.py): byte for byte the answers the statements give, over the real sample
warehouse; and on a hand-made one, used exactly where they cover the request and are
finite, the statements' answers everywhere else. Real `stock-analytics serve`, real HTTP."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from etl.tables import DATASET_MANIFEST
from tests.graphql_api.tiny_warehouse import tiny_days, write_warehouse
from testsupport.servers import Served, serving

COVERED = [
    "{ mostValuableDay { date averageTradedValue } }",
    *(
        f"{{ {field}(limit: {limit}) {{ {selection} }} }}"
        for field, selection in (
            ("highestWorthStocks", "ticker averageTradedValue"),
            ("mostVolatile", "ticker annualizedVolatility returns"),
            ("topThirtyDayReturns", "ticker date return30d close priorDate priorClose"),
        )
        for limit in (1, 2, 3)
    ),
    "{ topThirtyDayReturns { ticker date return30d close priorDate priorClose } }",
]


def answer(server: Served, query: str) -> str:
    response = httpx.post(f"{server.url}/graphql", json={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text
    return response.text


def change_headline(warehouse: Path, change: Any) -> None:
    """Apply `change` to the current version's recorded answers in the pointer."""
    pointer = warehouse / DATASET_MANIFEST
    document = json.loads(pointer.read_text())
    [current] = [v for v in document["versions"] if v["version"] == document["current"]]
    current["headline"] = change(current.get("headline"))
    pointer.write_text(json.dumps(document))


@pytest.fixture(scope="module")
def sample_servers(
    sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Served, Served]]:
    """The sample warehouse served as the ETL wrote it, and a copy whose pointer records
    no answers (every field then runs its statement)."""
    unrecorded = tmp_path_factory.mktemp("unrecorded") / "warehouse"
    shutil.copytree(sample_warehouse, unrecorded)
    change_headline(unrecorded, lambda _headline: None)
    with serving(sample_warehouse) as recorded, serving(unrecorded) as computed:
        yield recorded, computed


@pytest.mark.parametrize("query", COVERED)
def test_the_recorded_answers_of_the_sample_are_the_statements_answers(
    sample_servers: tuple[Served, Served], query: str
) -> None:
    recorded, computed = sample_servers
    assert answer(recorded, query) == answer(computed, query)


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    """A hand-made warehouse; its pointer records no answers until one is planted."""
    return write_warehouse(tmp_path / "warehouse", tiny_days())


def plant(warehouse: Path, worth: list[Any], valuable: dict[str, Any]) -> None:
    """Record answers that differ from the tables' (only the two fields)."""

    def planted_headline(_headline: object) -> dict[str, Any]:
        return {
            "mostValuableDay": {"query": "", "expected": valuable},
            "highestWorthStocks": {"query": "", "expected": worth},
        }

    change_headline(warehouse, planted_headline)


def test_a_recorded_answer_answers_only_the_requests_it_covers(
    planted: Path, tmp_path: Path
) -> None:
    computed = tmp_path / "computed"
    shutil.copytree(planted, computed)
    worth = [
        {"ticker": "ZZZ", "averageTradedValue": 1.5},
        {"ticker": "YYY", "averageTradedValue": 1.25},
    ]
    plant(planted, worth, {"date": "1999-01-04", "averageTradedValue": 2.5})
    valuable = "{ mostValuableDay { date averageTradedValue } }"
    with serving(planted) as server, serving(computed) as reference:
        assert json.loads(answer(server, valuable))["data"]["mostValuableDay"] == {
            "date": "1999-01-04",
            "averageTradedValue": 2.5,
        }
        covered = json.loads(
            answer(server, "{ highestWorthStocks(limit: 2) { ticker averageTradedValue } }")
        )
        assert covered["data"]["highestWorthStocks"] == worth
        for query in [
            "{ highestWorthStocks(limit: 3) { ticker averageTradedValue } }",  # more than recorded
            '{ highestWorthStocks(from: "2024-01-01") { ticker averageTradedValue } }',
            '{ highestWorthStocks(tickers: ["AAA"]) { ticker averageTradedValue } }',
            '{ mostValuableDay(to: "2030-01-01") { date averageTradedValue } }',
            "{ mostVolatile(limit: 2) { ticker annualizedVolatility returns } }",  # none recorded
        ]:
            assert answer(server, query) == answer(reference, query), query


@pytest.mark.parametrize(
    "bad",
    [
        {"ticker": "ZZZ", "averageTradedValue": float("nan")},
        {"ticker": "ZZZ", "averageTradedValue": float("inf")},
        {"ticker": "ZZZ", "averageTradedValue": "1.5"},
        {"ticker": "ZZZ"},
        None,
    ],
)
def test_a_recorded_ranking_with_a_value_not_finite_or_malformed_is_not_used(
    planted: Path, tmp_path: Path, bad: Any
) -> None:
    computed = tmp_path / "computed"
    shutil.copytree(planted, computed)
    # The bad entry is last: one not kept by limit 1 is enough to distrust the ranking.
    worth = [{"ticker": "ZZZ", "averageTradedValue": 1.5}, bad]
    plant(
        planted,
        worth,
        {"date": "1999-01-04", "averageTradedValue": bad and bad.get("averageTradedValue")},
    )
    queries = [
        "{ highestWorthStocks(limit: 1) { ticker averageTradedValue } }",
        "{ mostValuableDay { date averageTradedValue } }",
    ]
    with serving(planted) as server, serving(computed) as reference:
        for query in queries:
            assert answer(server, query) == answer(reference, query), query
