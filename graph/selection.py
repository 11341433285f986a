"""What a query asks for below a field: read once, so a page can load it all up front."""

from __future__ import annotations

from collections.abc import Iterable

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from graph.context import Info


def requested_names(info: Info) -> frozenset[str]:
    """The name of every field selected anywhere below the field being resolved, through
    fragments and whatever their directives say: a superset of what will be resolved, so
    that loading by it never misses anything."""
    names: set[str] = set()
    _collect(info.selected_fields, names)
    return frozenset(names)


def _collect(selections: Iterable[Selection], names: set[str]) -> None:
    for selection in selections:
        if isinstance(selection, SelectedField):
            names.add(selection.name)
        elif not isinstance(selection, FragmentSpread | InlineFragment):
            continue
        _collect(selection.selections, names)
