"""A stock's resolvers fail as coroutine resolvers do: their errors come when they are
awaited, so a document's errors, and which of its fields still answer, stay the same
whether a resolver answers at once or from a coroutine (resolvers/query.py resolve_stock,
resolvers/stock_fields.py prices)."""

from __future__ import annotations

from typing import Any

import httpx

BACKWARDS = '(from: "2020-02-01", to: "2020-01-01")'
SWAP = "`from` (2020-02-01) is after `to` (2020-01-01): swap them"


def _errors(body: dict[str, Any]) -> list[tuple[list[object], str]]:
    return [(error["path"], error["message"]) for error in body["errors"]]


async def test_a_failing_prices_fails_after_the_stocks_plain_fields(
    tiny_client: httpx.AsyncClient,
) -> None:
    """averageTradedValue with a range fails as it is called; prices (non-null) fails when
    its awaitable is awaited, after every field of the stock was called, and nulls the
    stock. Failing at once, it would null the stock before averageTradedValue is called."""
    query = f'{{ stock(ticker: "AAA") {{ ticker p: prices{BACKWARDS} {{ date }} '
    query += f"a: averageTradedValue{BACKWARDS} }} }}"
    body = (await tiny_client.post("/graphql", json={"query": query})).json()
    assert body["data"] == {"stock": None}
    assert _errors(body) == [(["stock", "a"], SWAP), (["stock", "p"], SWAP)]


async def test_prices_of_two_ranges_one_failing(tiny_client: httpx.AsyncClient) -> None:
    query = '{ stock(ticker: "AAA") { a: prices(from: "2020-01-02", to: "2020-01-03") '
    query += f"{{ date }} b: prices{BACKWARDS} {{ date }} }} }}"
    body = (await tiny_client.post("/graphql", json={"query": query})).json()
    assert body["data"] == {"stock": None}
    assert _errors(body) == [(["stock", "b"], SWAP)]


async def test_a_stock_without_a_dataset_fails_when_awaited(
    tiny_client: httpx.AsyncClient,
) -> None:
    """With an unknown pinned version every field needing the dataset fails, each in its
    turn: the coroutine resolver first, then the stocks. Failing as it is called, a stock
    would come first."""
    query = '{ m: mostValuableDay { date } a: stock(ticker: "AAA") { ticker } '
    query += 'b: stock(ticker: "BBB") { ticker } }'
    answer = await tiny_client.post(
        "/graphql", json={"query": query}, headers={"x-dataset-version": "latest"}
    )
    body = answer.json()
    assert body["data"] == {"m": None, "a": None, "b": None}
    assert [error["path"] for error in body["errors"]] == [["m"], ["a"], ["b"]]
    assert len({error["message"] for error in body["errors"]}) == 1
