"""Extension hooks planned once (graphql_api/extension_hooks.py) run as Strawberry's own
runner runs them: every kind of hook, in the same order, with the same errors."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from graphql_api.config import Settings
from graphql_api.extension_hooks import PlannedExtensionsRunner, phase_plan, planned
from graphql_api.schema import AnalyticsSchema, build_schema

EVENTS: list[str] = []


class Generators(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        EVENTS.append("generator operation enter")
        yield
        EVENTS.append("generator operation exit")

    def on_execute(self) -> Iterator[None]:
        EVENTS.append(f"generator execute {self.execution_context.operation_name}")
        yield
        EVENTS.append("generator execute exit")


class AsyncGenerators(SchemaExtension):
    async def on_parse(self) -> AsyncIterator[None]:
        EVENTS.append("async generator parse enter")
        yield
        EVENTS.append("async generator parse exit")

    async def on_validate(self) -> AsyncIterator[None]:
        EVENTS.append("async generator validate")
        yield


class Callables(SchemaExtension):
    async def on_operation(self) -> None:  # type: ignore[override]
        EVENTS.append("coroutine operation")

    def on_validate(self) -> None:  # type: ignore[override]
        EVENTS.append("function validate")


class Results(SchemaExtension):
    def get_results(self) -> dict[str, Any]:
        return {"shared": "sync", "sync": self.execution_context.operation_name}


class AsyncResults(SchemaExtension):
    async def get_results(self) -> dict[str, Any]:  # type: ignore[override]
        return {"shared": "async", "async": 1}


class InstanceResults(SchemaExtension):
    def __init__(self) -> None:
        super().__init__()
        self.get_results = lambda: {"instance": True}  # type: ignore[method-assign]


class NotCallable(SchemaExtension):
    on_parse = "not a hook"  # type: ignore[assignment]


class Refusing(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        EVENTS.append("refusing")
        raise RuntimeError("refused")
        yield


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        EVENTS.append("resolved")
        return "hi"


class StrawberrysRunner(strawberry.Schema):
    pass


class Planned(strawberry.Schema):
    create_extensions_runner = AnalyticsSchema.create_extensions_runner  # type: ignore[assignment]


def test_the_projects_schema_plans_every_hook_of_its_extensions() -> None:
    schema = build_schema(Settings(_env_file=None))  # type: ignore[call-arg]
    context = ExecutionContext(
        query="{ health { status } }", schema=schema, allowed_operations={OperationType.QUERY}
    )
    assert isinstance(schema.create_extensions_runner(context, []), PlannedExtensionsRunner)
    hooks = [
        getattr(type(extension), phase)
        for extension in schema.get_extensions()
        for phase in ("on_operation", "on_parse", "on_validate", "on_execute")
        if getattr(type(extension), phase) is not getattr(SchemaExtension, phase)
    ]
    assert len(hooks) >= 5
    assert all(planned(hook) is not None for hook in hooks)


async def run(schema_class: type[strawberry.Schema], extensions: list[Any]) -> list[Any]:
    EVENTS.clear()
    schema = schema_class(query=Query, extensions=extensions)
    result = await schema.execute("query Named { hello }")
    errors = [re.sub(" at 0x[0-9a-f]+", "", error.message) for error in result.errors or ()]
    return [*EVENTS, result.data, errors, result.extensions]


@pytest.mark.parametrize(
    "extensions",
    [
        [Generators, AsyncGenerators, Callables],
        [Callables, Generators, AsyncGenerators, Generators],
        [AsyncGenerators, Refusing, Generators],
        [Generators, NotCallable, Callables],
        [Results, Generators, AsyncResults, InstanceResults],
        [AsyncResults, Results, Callables],
    ],
)
async def test_hooks_run_as_strawberry_runs_them(extensions: list[Any]) -> None:
    expected = await run(StrawberrysRunner, extensions)
    assert await run(Planned, extensions) == expected
    assert "resolved" in expected or expected[-2]  # executed, or refused with an error


def test_each_hook_is_wrapped_once() -> None:
    first = planned(Generators.on_execute)
    assert first is not None
    assert planned(Generators.on_execute) is first
    assert planned(AsyncGenerators.on_parse) == (planned(AsyncGenerators.on_parse) or ())
    assert planned("not a hook") is None


def hooks(phase: str, *classes: type[SchemaExtension]) -> tuple[Any, ...]:
    return tuple(getattr(extension_class, phase) for extension_class in classes)


def test_each_phase_is_planned_once_per_list_of_hooks() -> None:
    operation = hooks("on_operation", Callables, Generators, AsyncGenerators)
    plan = phase_plan("on_operation", operation)
    assert plan is not None
    assert phase_plan("on_operation", operation) is plan
    assert [(index, is_async) for index, _, is_async in plan] == [(0, True), (1, False)]
    assert phase_plan("on_parse", hooks("on_parse", Generators, NotCallable)) is None
    assert phase_plan("on_execute", hooks("on_execute", Generators, NotCallable)) is not None


async def test_a_hook_changed_on_its_class_is_the_one_that_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert "generator execute Named" in await run(Planned, [Generators])

    def replaced(self: SchemaExtension) -> Iterator[None]:
        EVENTS.append("replaced")
        yield

    monkeypatch.setattr(Generators, "on_execute", replaced)
    events = await run(Planned, [Generators])
    assert "replaced" in events
    assert "generator execute Named" not in events
