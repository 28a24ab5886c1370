"""Strawberry's schema extension hooks, wrapped once per hook rather than per request.

For each phase of each request (operation, parsing, validation, execution) Strawberry
(strawberry/extensions/context.py) looks at every extension's hook with `inspect` and
wraps it in a fresh context manager factory (contextlib's decorators, functools.wraps):
32 look-ups and seven wrappings a request with this schema's eight extensions, 33 us.
The wrapping depends only on the hook function, and which extensions have a hook for
a phase only on those functions, so both are planned once (phase_plan) and a request only
binds the planned factories to its extensions: 15 us. What runs, in what order, and
what it raises are Strawberry's: a hook this does not know how to plan (one that is not
callable, which Strawberry refuses) is left to Strawberry's own code.
"""

from __future__ import annotations

import contextlib
import inspect
from asyncio import iscoroutinefunction
from collections.abc import AsyncIterator, Callable, Iterator
from functools import lru_cache, partial
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
    WrappedHook,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext
from strawberry.utils.await_maybe import await_maybe

_NO_RESULTS = SchemaExtension.get_results

HookFactory = Callable[..., Any]
"""Called with the extension, gives the hook's (async) context manager."""


@lru_cache(maxsize=256)
def planned(hook: Callable[..., Any]) -> tuple[HookFactory, bool] | None:
    """The factory for `hook`, and whether it is async, as Strawberry's get_hook and
    from_callable wrap it; None for what they refuse (not callable)."""
    if inspect.isgeneratorfunction(hook):
        return contextlib.contextmanager(hook), False
    if inspect.isasyncgenfunction(hook):
        return contextlib.asynccontextmanager(hook), True
    if not callable(hook):
        return None
    if iscoroutinefunction(hook):

        @contextlib.asynccontextmanager
        async def awaited(extension: SchemaExtension) -> AsyncIterator[None]:
            await hook(extension)
            yield

        return awaited, True

    @contextlib.contextmanager
    def called(extension: SchemaExtension) -> Iterator[None]:
        hook(extension)
        yield

    return called, False


Plan = tuple[tuple[int, HookFactory, bool], ...]
"""Of one phase: the index of each extension with a hook for it, the hook's factory and
whether it is async."""


@lru_cache(maxsize=256)
def phase_plan(hook_name: str, hooks: tuple[Any, ...]) -> Plan | None:
    """The plan for the extensions whose classes have `hooks` as their `hook_name`; None
    when one of them is not planned (Strawberry's code then wraps them all)."""
    default = getattr(SchemaExtension, hook_name)
    plan = []
    for index, hook in enumerate(hooks):
        if hook is default:
            continue
        factory = planned(hook)
        if factory is None:
            return None
        plan.append((index, *factory))
    return tuple(plan)


class _PlannedHooks(ExtensionContextManagerBase):
    def __init__(self, extensions: list[SchemaExtension]) -> None:
        # Keyed on the hooks themselves, as Strawberry finds them: on the class.
        hooks = tuple(getattr(type(extension), self.HOOK_NAME) for extension in extensions)
        try:
            plan = phase_plan(self.HOOK_NAME, hooks)
        except TypeError:  # an unhashable hook
            plan = None
        if plan is None:
            super().__init__(extensions)
            return
        self.default_hook = getattr(SchemaExtension, self.HOOK_NAME)
        self.hooks = [
            WrappedHook(extensions[index], partial(factory, extensions[index]), is_async)
            for index, factory, is_async in plan
        ]


class _Operation(_PlannedHooks, OperationContextManager):
    pass


class _Parsing(_PlannedHooks, ParsingContextManager):
    pass


class _Validation(_PlannedHooks, ValidationContextManager):
    pass


class _Executing(_PlannedHooks, ExecutingContextManager):
    pass


class PlannedExtensionsRunner(SchemaExtensionsRunner):
    """Strawberry's runner, with the hooks of the four phases of a query planned, and the
    results asked only of extensions that have some to give."""

    async def get_extensions_results(self, ctx: ExecutionContext) -> dict[str, Any]:
        """As Strawberry's, less the call (and an awaitable check and a coroutine) for
        each extension that keeps SchemaExtension.get_results, which answers {}."""
        data: dict[str, Any] = {}
        for extension in self.extensions:
            if type(extension).get_results is _NO_RESULTS and "get_results" not in vars(extension):
                continue
            data.update(await await_maybe(extension.get_results()))
        data.update(ctx.extensions_results)
        return data

    def operation(self) -> OperationContextManager:
        return _Operation(self.extensions)

    def parsing(self) -> ParsingContextManager:
        return _Parsing(self.extensions)

    def validation(self) -> ValidationContextManager:
        return _Validation(self.extensions)

    def executing(self) -> ExecutingContextManager:
        return _Executing(self.extensions)
