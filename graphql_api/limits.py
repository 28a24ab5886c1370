"""Depth and alias limits, measured in time linear in the document.

Strawberry's QueryDepthLimiter and MaxAliasesLimiter expand every fragment
spread afresh, so a 2 KB document whose fragments each spread the next one
twice takes time doubling with every fragment (N = 50 never finishes). Here
each fragment is measured once and its measure reused at every spread, so the
work is one visit per selection in the document, whatever the spreads multiply
to. The numbers are the same as Strawberry's: a leaf field is depth 0, a field
with a selection set one more than its deepest child; every alias counts each
time its fragment is spread.

Introspection fields (`__schema`, `__type`) are not exempt, as they were in
Strawberry: their subtrees count towards a separate, higher limit that the
standard introspection query (GraphiQL's) fits in, so `__type { ofType {
ofType ... } }` cannot nest without bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
)

INTROSPECTION_MAX_DEPTH = 16
"""Deep enough for the standard introspection query (depth 14, its TypeRef fragment
nests `ofType` nine times), and no deeper."""


@dataclass(frozen=True)
class Measure:
    depth: int
    """Depth of the deepest field outside introspection subtrees."""
    depth_with_introspection: int
    aliases: int

    def deeper(self, other: Measure) -> Measure:
        return Measure(
            max(self.depth, other.depth),
            max(self.depth_with_introspection, other.depth_with_introspection),
            self.aliases + other.aliases,
        )


NOTHING = Measure(0, 0, 0)


class DocumentMeasurer:
    """Measures selection sets, each named fragment once."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self._fragments = fragments
        self._measured: dict[str, Measure] = {}
        self._in_progress: set[str] = set()

    def selection_set(self, selection_set: SelectionSetNode | None) -> Measure:
        total = NOTHING
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total = total.deeper(self._field(selection))
            elif isinstance(selection, InlineFragmentNode):
                total = total.deeper(self.selection_set(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                total = total.deeper(self._fragment(selection.name.value))
        return total

    def _field(self, field: FieldNode) -> Measure:
        alias = 1 if field.alias else 0
        if not field.selection_set:
            return Measure(0, 0, alias)
        inner = self.selection_set(field.selection_set)
        introspection = field.name.value.startswith("__")
        return Measure(
            depth=0 if introspection else 1 + inner.depth,
            depth_with_introspection=1 + inner.depth_with_introspection,
            aliases=alias + inner.aliases,
        )

    def _fragment(self, name: str) -> Measure:
        measured = self._measured.get(name)
        if measured is not None:
            return measured
        fragment = self._fragments.get(name)
        if fragment is None or name in self._in_progress:
            return NOTHING  # unknown fragments and cycles are other rules' errors
        self._in_progress.add(name)
        try:
            measured = self.selection_set(fragment.selection_set)
        finally:
            self._in_progress.discard(name)
        self._measured[name] = measured
        return measured


def limit_rule(*, max_depth: int, max_aliases: int) -> type[ASTValidationRule]:
    """A validation rule class enforcing the limits (made once: the validation cache
    keys on the rule classes)."""
    introspection_depth = max(max_depth, INTROSPECTION_MAX_DEPTH)

    class OperationLimits(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            definitions = context.document.definitions
            measurer = DocumentMeasurer(
                {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
            )
            aliases = 0
            for operation in definitions:
                if not isinstance(operation, OperationDefinitionNode):
                    continue
                name = operation.name.value if operation.name else "anonymous"
                measure = measurer.selection_set(operation.selection_set)
                aliases += measure.aliases
                if measure.depth > max_depth:
                    self._refuse(
                        f"'{name}' exceeds maximum operation depth of {max_depth}", operation
                    )
                elif measure.depth_with_introspection > introspection_depth:
                    self._refuse(
                        f"'{name}' exceeds maximum introspection depth of {introspection_depth}",
                        operation,
                    )
            if aliases > max_aliases:
                self._refuse(f"{aliases} aliases found. Allowed: {max_aliases}", None)

        def _refuse(self, message: str, node: Any) -> None:
            self.report_error(GraphQLError(message, node))

    return OperationLimits
