"""selected_prices (graphql_api/resolvers/stock_fields.py) finds the `prices` a stock field
selects, with their arguments, as the prefetch found them before through Strawberry's
`info.selected_fields`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from graphql import FieldNode, FragmentDefinitionNode, OperationDefinitionNode, parse
from strawberry.types.nodes import SelectedField, convert_selections

from graphql_api.resolvers.stock_fields import selected_prices


@dataclass
class Info:
    """What selected_prices and Strawberry's conversion read of a resolve info."""

    field_nodes: list[FieldNode]
    fragments: dict[str, FragmentDefinitionNode]
    variable_values: dict[str, Any] = field(default_factory=dict)


def strawberrys(info: Info) -> list[dict[str, Any]]:
    """The prefetch's former reading, through info.selected_fields."""
    found = []
    for stock in convert_selections(info, info.field_nodes):  # type: ignore[arg-type]
        for selected in stock.selections if isinstance(stock, SelectedField) else ():
            named = isinstance(selected, SelectedField) and selected.name == "prices"
            if named and not selected.directives:  # type: ignore[union-attr]
                found.append(selected.arguments)  # type: ignore[union-attr]
    return found


PRICES = "{ date close }"
DOCUMENTS = [
    f'{{ stock(ticker: "A") {{ ticker prices(from: "2020-01-01", to: "2020-01-31") {PRICES} }} }}',
    f'{{ stock(ticker: "A") {{ prices(from: $from, to: "2020-01-31") {PRICES} }} }}',
    f"{{ stock(ticker: $t) {{ prices(from: $from, to: $to) {PRICES} tradingDays }} }}",
    f"{{ stock(ticker: $t) {{ prices(from: $missing, to: $to) {PRICES} }} }}",
    f'{{ stock(ticker: "A") {{ a: prices(from: "2020-01-01", to: "2020-01-02") {PRICES} '
    f'b: prices(from: "2021-01-01", to: "2021-01-02") {PRICES} }} }}',
    f"{{ stock(ticker: $t) {{ prices(from: $from, to: $to) @include(if: true) {PRICES} }} }}",
    f"{{ stock(ticker: $t) {{ ... on Stock {{ prices(from: $from, to: $to) {PRICES} }} }} }}",
    f"{{ stock(ticker: $t) {{ ...P }} }} "
    f"fragment P on Stock {{ prices(from: $from, to: $to) {PRICES} }}",
    '{ stock(ticker: "A") { ticker tradingDays } }',
    '{ stock(ticker: "A") { candles(from: "2020-01-01", to: "2020-02-01", interval: WEEK) '
    "{ close } } }",
    '{ stock(ticker: "A") { prices(from: 20200101, to: ["x"]) { close } } }',
]
VARIABLES = {"t": "A", "from": "2020-02-01", "to": "2020-02-28"}


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_prices_found_are_those_strawberrys_selection_gives(document: str) -> None:
    parsed = parse(document)
    [operation] = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {
        d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)
    }
    stock = operation.selection_set.selections[0]
    assert isinstance(stock, FieldNode)
    info = Info([stock, stock], fragments, VARIABLES)  # a field can be selected twice
    expected = strawberrys(info)
    assert selected_prices(info) == expected  # type: ignore[arg-type]
    if "prices(" in document and "@" not in document and "..." not in document:
        assert expected
