"""What a check finds in a parsed document, remembered per document: the parser cache hands
the same DocumentNode for the same text, so a walk of it need not run on every request."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from graphql import DocumentNode

T = TypeVar("T")
# As many as the parser cache holds (graph/schema.py), and some.
MAX_DOCUMENTS = 512


def per_document(check: Callable[[DocumentNode], T]) -> Callable[[DocumentNode], T]:
    # Keyed by identity, the document kept with its answer so that its id is not reused.
    known: dict[int, tuple[DocumentNode, T]] = {}

    def remembered(document: DocumentNode) -> T:
        found = known.get(id(document))
        if found is not None and found[0] is document:
            return found[1]
        answer = check(document)
        if len(known) >= MAX_DOCUMENTS:
            known.clear()
        known[id(document)] = (document, answer)
        return answer

    return remembered
