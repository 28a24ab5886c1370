"""The short path for objects of plain leaves answers exactly what graphql-core's own
execution answers: the same schema executed with Strawberry's execution context is the
independent computation, on documents that stay on the short path and on every way off
it (an error, a null in a non-null field, arguments, a resolver, aliases, fragments,
directives, __typename)."""

from __future__ import annotations

import datetime as dt
import enum
import math

import pytest
import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql_api.config import Settings
from graphql_api.leaf_execution import LeafObjectExecutionContext
from graphql_api.resolvers.stock_fields import WHOLE_HISTORY_FIELDS
from graphql_api.schema import build_schema
from graphql_api.types.scalars import SCALAR_MAP


@strawberry.enum
class Side(enum.Enum):
    UP = "up"
    DOWN = "down"


@strawberry.type
class Item:
    day: dt.date
    value: float
    maybe: float | None
    count: int
    side: Side
    name: str

    @strawberry.field
    def doubled(self, times: int = 2) -> float:
        return self.value * times


def items() -> list[Item]:
    rows = [
        (dt.date(2020, 1, 1), 1.5, None, 3, Side.UP, "a"),
        (dt.date(2020, 1, 2), -0.25, 2.0, 4, Side.DOWN, "b"),
        (dt.date(2020, 1, 3), math.nan, math.inf, 5, Side.UP, "c"),
        (dt.date(2020, 1, 4), 2.0, 1.0, 2**40, Side.DOWN, "d"),
        (dt.date(2020, 1, 5), 0.5, 1.0, 6, Side.UP, None),
    ]
    return [
        Item(day=day, value=value, maybe=maybe, count=count, side=side, name=name)  # type: ignore[arg-type]
        for day, value, maybe, count, side, name in rows
    ]


class RaisingItem:
    """An Item whose `value` cannot be read: graphql-core reports the error at that field."""

    day = dt.date(2020, 1, 1)

    @property
    def value(self) -> float:
        raise ValueError("no value here")


@strawberry.type
class Query:
    @strawberry.field
    def items(self, first: int = 2) -> list[Item]:
        return items()[:first]

    @strawberry.field
    def nullable_items(self, first: int = 2) -> list[Item | None] | None:
        return [*items()[:first], None]

    @strawberry.field
    def raising_items(self) -> list[Item | None]:
        return [*items()[:1], RaisingItem()]  # type: ignore[list-item]


DOCUMENTS = [  # (document, whether graphql-core answers errors)
    ("{ items { day value maybe side name } }", False),
    ("{ items(first: 2) { day value maybe count side name } }", False),
    ("{ items(first: 3) { day value } }", True),  # NaN in a non-null Float
    ("{ items(first: 3) { day maybe } }", True),  # inf in a nullable Float
    ("{ items(first: 4) { count } }", True),  # beyond Int
    ("{ items(first: 5) { day name } }", True),  # null in a non-null String
    ("{ nullableItems(first: 5) { day name } }", True),
    ("{ nullableItems(first: 3) { day value } }", True),
    ("{ nullableItems(first: 2) { day value } }", False),
    ("{ items { d: day v: value day } }", False),
    ("{ items { __typename day } }", False),
    ("{ items { day doubled } }", False),
    ("{ items { doubled(times: 3) day } }", False),
    ("{ items { ...F } } fragment F on Item { day value }", False),
    ("{ items { day ... on Item { side } } }", False),
    ("{ items { day value @include(if: false) name @skip(if: false) } }", False),
    ("{ raisingItems { day value } }", True),  # reading the attribute raises
    # plain leaves beside fields that are not: each field in its turn, on its own path
    ("{ items(first: 3) { doubled value day } }", True),
    ("{ nullableItems(first: 3) { day doubled value maybe } }", True),
    ("{ items(first: 2) { day doubled(times: 3) __typename count } }", False),
    ("{ raisingItems { day value name } }", True),
]


@pytest.mark.parametrize(("document", "errors"), DOCUMENTS)
async def test_the_short_path_answers_what_graphql_core_answers(
    document: str, errors: bool
) -> None:
    answers = []
    for context_class in (StrawberryGraphQLCoreExecutionContext, LeafObjectExecutionContext):
        schema = strawberry.Schema(
            query=Query,
            config=StrawberryConfig(scalar_map=SCALAR_MAP),
            execution_context_class=context_class,
        )
        result = await schema.execute(document)
        answers.append(
            (result.data, [(e.message, e.path, e.locations) for e in result.errors or ()])
        )
    assert answers[0] == answers[1]
    assert bool(answers[0][1]) is errors, answers[0][1]


def test_the_app_schema_executes_on_the_short_path() -> None:
    schema = build_schema(Settings())
    assert schema.execution_context_class is LeafObjectExecutionContext
    stock = schema._schema.type_map["Stock"]
    for name in WHOLE_HISTORY_FIELDS:
        assert getattr(stock.fields[name].resolve, "plain_reader", None) is not None  # type: ignore[attr-defined]


async def test_plain_leaves_are_read_without_a_resolve_info_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    infos: list[str] = []
    build = LeafObjectExecutionContext.build_resolve_info

    def counted(self: LeafObjectExecutionContext, field_def, field_nodes, parent_type, path):  # type: ignore[no-untyped-def]
        infos.append(field_nodes[0].name.value)
        return build(self, field_def, field_nodes, parent_type, path)

    monkeypatch.setattr(LeafObjectExecutionContext, "build_resolve_info", counted)
    schema = strawberry.Schema(
        query=Query,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        execution_context_class=LeafObjectExecutionContext,
    )
    result = await schema.execute("{ items(first: 2) { day value maybe side name } }")
    assert result.errors is None
    assert result.data is not None
    assert len(result.data["items"]) == 2
    assert infos == ["items"]
    infos.clear()
    await schema.execute("{ items { day doubled } }")
    assert infos == ["items", "doubled", "doubled"]
