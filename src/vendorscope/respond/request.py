"""The request file: who asks, about which vendor, for what, by when (see docs/requests.md).

Validation errors are one line naming the file, the line and the field
(``request.yaml:7: items[2].documents.since: not a date``).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from vendorscope import safe_yaml
from vendorscope.errors import InputError

ITEM_NAMES = ("systems", "contractors", "documents")
DOCUMENTS_SINCE = date(2013, 1, 1)  # the committee's date: documents "since 1 January 2013"
MAX_REQUEST_BYTES = 1 << 20


class _TextDates(safe_yaml.SafeLoader):
    """Safe YAML with dates left as text, so a bad date is a field error and not a parser crash."""


_TextDates.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DocumentsItem(_Model):
    since: date | None = None


class Request(_Model):
    """A request about one vendor of concern."""

    id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    requester: str = Field(min_length=1, max_length=500)
    received: date
    due: date | None = None
    vendor: str = Field(min_length=1, max_length=64)
    items: tuple[str, ...]
    documents: DocumentsItem | None = None  # filled from the `documents:` item

    @model_validator(mode="before")
    @classmethod
    def _split_items(cls, data: Any) -> Any:
        """`items` mixes bare names and one-key mappings; keep the names, lift the options."""
        if not isinstance(data, dict) or "items" not in data:
            return data
        raw = data["items"]
        if not isinstance(raw, list) or not raw:
            raise ValueError("items: a list of at least one of " + ", ".join(ITEM_NAMES))
        names, extra = [], {}
        for number, entry in enumerate(raw):
            name, options = _item(entry, number)
            names.append(name)
            if name == "documents":
                extra["documents"] = options or {}
        return {k: v for k, v in data.items() if k != "documents"} | {"items": names} | extra

    @field_validator("items")
    @classmethod
    def _no_repeats(cls, items: tuple[str, ...]) -> tuple[str, ...]:
        repeated = sorted({i for i in items if items.count(i) > 1})
        if repeated:
            raise ValueError(f"asked more than once: {', '.join(repeated)}")
        return items

    @model_validator(mode="after")
    def _dates_in_order(self) -> Request:
        if self.due and self.due < self.received:
            raise ValueError(f"due: {self.due} is before received ({self.received})")
        return self

    def asks(self, item: str) -> bool:
        return item in self.items


def _item(entry: Any, number: int) -> tuple[str, dict[str, Any] | None]:
    where = f"items[{number}]"
    if isinstance(entry, str):
        name, options = entry, None
    elif isinstance(entry, dict) and len(entry) == 1:
        name, options = next(iter(entry.items()))
        if options is not None and not isinstance(options, dict):
            raise ValueError(f"{where}.{name}: options must be a mapping (e.g. since: 2013-01-01)")
    else:
        raise ValueError(f"{where}: an item name or a one-key mapping")
    if name not in ITEM_NAMES:
        raise ValueError(f"{where}: unknown item {name!r} (known: {', '.join(ITEM_NAMES)})")
    if options and name != "documents":
        raise ValueError(f"{where}.{name}: takes no options")
    return name, options


def load_request(path: Path) -> Request:
    """Read and validate a request file; any mistake is an InputError naming the field."""
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror}") from exc
    if len(raw_bytes) > MAX_REQUEST_BYTES:
        raise InputError(str(path), f"larger than {MAX_REQUEST_BYTES} bytes: not a request file")
    text = raw_bytes.decode("utf-8", errors="replace")
    try:
        data = yaml.load(text, Loader=_TextDates)
        root = safe_yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(str(path), f"not valid YAML: {getattr(exc, 'problem', exc)}", _line(mark)) from exc
    if not isinstance(data, dict):
        raise InputError(str(path), "a request is a mapping (id, requester, received, vendor, items)")
    try:
        return Request.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        field = _field_name(loc)
        if not field and ":" in message.split(" ", 1)[0]:
            field, message = message.split(": ", 1)
        if loc and loc[0] == "documents":
            field = f"items[{_documents_index(data['items'])}]." + field
        raise InputError(str(path), f"{field}: {message}" if field else message, _line_of(root, field)) from None


def _field_name(loc: tuple[Any, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(loc))


def _documents_index(items: list[Any]) -> int:
    return next(i for i, entry in enumerate(items) if isinstance(entry, dict) and "documents" in entry)


def _line_of(node: Any, field: str) -> int:
    """The line of a field like ``items[2].documents`` in the composed YAML; the nearest known line otherwise."""
    best = _line(getattr(node, "start_mark", None))
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", field):
        if part.startswith("[") and isinstance(node, yaml.SequenceNode):
            index = int(part[1:-1])
            node = node.value[index] if index < len(node.value) else None
        elif isinstance(node, yaml.MappingNode):
            node = next((value for key, value in node.value if key.value == part), None)
        else:
            node = None
        if node is None:
            break
        best = _line(node.start_mark)
    return best


def field_line(path: Path, field: str) -> int:
    """The line of a field in a request file already loaded (for errors found later, e.g. unknown vendor)."""
    try:
        return _line_of(safe_yaml.compose(path.read_text(encoding="utf-8", errors="replace")), field)
    except (OSError, yaml.YAMLError):
        return 0


def _line(mark: Any) -> int:
    return mark.line + 1 if mark is not None else 0
