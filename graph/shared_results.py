"""One execution per distinct selection for the listeners of one event.

Every listener of an event would otherwise run the whole GraphQL execution of its
subscription for itself: with a thousand listeners, a thousand identical executions of the
same selection on the same invoice. A payload that carries `shared_results` (the
subscription hands every listener of a batch the same one) is executed once per operation
and set of variables; the others take that result. Variables used only as arguments of the
subscription field itself (a cursor, a customer filter) chose the stream, not what is
resolved on each event, so they do not split the cache.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    VariableNode,
    visit,
)
from graphql.language import Visitor
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# A payload's `shared_results`: per operation and variables, the one execution's result.
Results = dict[tuple[int, str], tuple[OperationDefinitionNode, asyncio.Future[Any]]]


def shared_results() -> Results:
    return {}


class SharedEventExecutor(StrawberryGraphQLCoreExecutionContext):
    def execute_operation(self, serially: bool | None = None) -> Any:
        results = getattr(self.root_value, "shared_results", None)
        if not isinstance(results, dict):
            return super().execute_operation(serially)
        fragments = (details.definition for details in self.fragments.values())
        used = _variables_of_each_event(self.operation, fragments)
        values = self.variable_values.coerced
        key = (id(self.operation), repr(sorted((name, repr(values.get(name))) for name in used)))
        found = results.get(key)
        if found is None:
            result = super().execute_operation(serially)
            future: asyncio.Future[Any] = (
                asyncio.ensure_future(result) if self.is_awaitable(result) else _done(result)
            )
            # The operation is kept with its future so that its id cannot be reused meanwhile.
            found = results[key] = (self.operation, future)
        return _await(found[1])


def _done(result: Any) -> asyncio.Future[Any]:
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    future.set_result(result)
    return future


async def _await(future: Awaitable[ExecutionResult]) -> ExecutionResult:
    # Shielded: one listener leaving must not cancel the result the others wait for.
    return await asyncio.shield(future)


_USED: dict[int, tuple[OperationDefinitionNode, frozenset[str]]] = {}


def _variables_of_each_event(
    operation: OperationDefinitionNode, fragments: Iterable[FragmentDefinitionNode]
) -> frozenset[str]:
    """The variables that may change what an event resolves to: all but those used only as
    arguments of the subscription field (every fragment counts, used or not)."""
    known = _USED.get(id(operation))
    if known is not None and known[0] is operation:
        return known[1]
    collector = _Collector()
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode):
            for part in (*(selection.directives or ()), selection.selection_set):
                if part is not None:
                    visit(part, collector)
        else:
            visit(selection, collector)
    for fragment in fragments:
        visit(fragment, collector)
    names = frozenset(collector.names)
    if len(_USED) > 1024:
        _USED.clear()
    _USED[id(operation)] = (operation, names)
    return names


class _Collector(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_variable(self, node: VariableNode, *_args: Any) -> None:
        self.names.add(node.name.value)
