"""YAML for files from outside (requests, catalogs, screening lists): safe tags, bounded nesting and aliases.

PyYAML composes nodes recursively: 50,000 nested ``[`` made a request upload fail with a RecursionError
(HTTP 500, connection reset). The loaders here refuse nesting deeper than ``MAX_DEPTH`` and more than
``MAX_ALIASES`` aliases (a "billion laughs" of shared references) with an ordinary ``yaml.YAMLError`` naming
the line, which every caller already reports as one line.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import AliasEvent

MAX_DEPTH = 100  # real request, catalog and list files nest fewer than 10 levels
MAX_ALIASES = 100


class BoundedComposer:
    """A composer mixin: counts the nesting depth and the aliases of the document being composed."""

    _depth = 0
    _aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[attr-defined]
        if self._depth >= MAX_DEPTH:
            raise ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels; refused", event.start_mark)
        if isinstance(event, AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise ComposerError(None, None, f"more than {MAX_ALIASES} aliases; refused", event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1


class SafeLoader(BoundedComposer, yaml.SafeLoader):
    """``yaml.SafeLoader`` with bounded nesting and aliases."""


def safe_load(text: str | bytes) -> Any:
    """``yaml.safe_load`` with bounded nesting and aliases (raises ``yaml.YAMLError``)."""
    return yaml.load(text, Loader=SafeLoader)


def compose(text: str | bytes) -> Any:
    """The node tree of a document (for line numbers), with the same bounds."""
    return yaml.compose(text, Loader=SafeLoader)
