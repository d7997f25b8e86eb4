"""The request file: who asks, about which vendor, for what, by when (see docs/requests.md).

Validation errors are one line naming the file, the line and the field
(``request.yaml:7: items[2].documents.since: not a date``).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from vendorscope import safe_yaml
from vendorscope.errors import InputError

ITEM_NAMES = ("systems", "contractors", "documents")
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
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
    """A request about one vendor of concern (``vendor``), or several (``vendors``: Section 889 names five)."""

    id: str = Field(min_length=1, max_length=128, pattern=ID_PATTERN)
    requester: str = Field(min_length=1, max_length=500)
    received: date
    due: date | None = None
    vendor: str = Field(default="", max_length=64)
    vendors: tuple[str, ...] = ()
    items: tuple[str, ...]
    documents: DocumentsItem | None = None  # filled from the `documents:` item

    @model_validator(mode="before")
    @classmethod
    def _split_items(cls, data: Any, info: ValidationInfo) -> Any:
        """`items` mixes bare names and one-key mappings; keep the names, lift the options."""
        if not isinstance(data, dict) or "items" not in data or (info.context or {}).get("lifted"):
            return data
        lifted, problems = lift_items(data)
        if problems:
            raise ValueError(f"{problems[0].field}: {problems[0].message}")
        return lifted

    @field_validator("vendor")
    @classmethod
    def _vendor_id(cls, vendor: str) -> str:
        """Catalog ids are lower case; 'Kaspersky' means kaspersky."""
        return vendor.strip().lower()

    @field_validator("items")
    @classmethod
    def _no_repeats(cls, items: tuple[str, ...]) -> tuple[str, ...]:
        repeated = sorted({i for i in items if items.count(i) > 1})
        if repeated:
            raise ValueError(f"asked more than once: {', '.join(repeated)}")
        return items

    @model_validator(mode="after")
    def _one_way_to_name_vendors(self) -> Request:
        if bool(self.vendor) == bool(self.vendors):
            raise ValueError("vendor: name one vendor (vendor: kaspersky) or several (vendors: [huawei, zte])")
        repeated = sorted({v for v in self.vendors if self.vendors.count(v) > 1})
        if repeated or any(not v.strip() for v in self.vendors):
            raise ValueError(f"vendors: each vendor once and not empty ({', '.join(repeated) or 'empty name'})")
        return self

    @property
    def vendor_ids(self) -> tuple[str, ...]:
        """The vendors asked about, in the request's order."""
        return self.vendors or (self.vendor,)

    def for_vendor(self, vendor: str) -> Request:
        """The same request about one of its vendors: each vendor's package answers it."""
        return self.model_copy(update={"vendor": vendor, "vendors": ()})

    @model_validator(mode="after")
    def _dates_in_order(self) -> Request:
        if self.due and self.due < self.received:
            raise ValueError(f"due: {self.due} is before received ({self.received})")
        return self

    def asks(self, item: str) -> bool:
        return item in self.items


@dataclass(frozen=True)
class Problem:
    """One mistake in a request file: the field path and what is wrong, in words."""

    field: str
    message: str
    line: int = 0


class RequestError(InputError):
    """Every problem of a request file at once, one line each (``path:line: field: message``)."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0]
        super().__init__(path, f"{first.field}: {first.message}" if first.field else first.message, first.line)
        self.args = ("\n".join(_problem_line(path, p) for p in problems),)

    def __str__(self) -> str:
        return str(self.args[0])


def _problem_line(path: str, problem: Problem) -> str:
    where = f"{path}:{problem.line}" if problem.line else path
    return f"{where}: {problem.field}: {problem.message}" if problem.field else f"{where}: {problem.message}"


def lift_items(data: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """`items` as names, with the documents options lifted to `documents`; the problems found on the way."""
    raw = data["items"]
    rest = {k: v for k, v in data.items() if k not in ("documents", "items")}
    if not isinstance(raw, list) or not raw:
        return rest | {"items": ["systems"]}, [Problem("items", "a list of at least one of " + ", ".join(ITEM_NAMES))]
    names: list[str] = []
    extra: dict[str, Any] = {}
    problems: list[Problem] = []
    for number, entry in enumerate(raw):
        try:
            name, options = _item(entry, number)
        except _ItemProblem as exc:
            problems.append(Problem(exc.field, exc.message))
            continue
        names.append(name)
        if name == "documents":
            extra["documents"] = options or {}
    return rest | {"items": names or ["systems"]} | extra, problems


class _ItemProblem(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _item(entry: Any, number: int) -> tuple[str, dict[str, Any] | None]:
    where = f"items[{number}]"
    if isinstance(entry, str):
        name, options = entry, None
    elif isinstance(entry, dict) and len(entry) == 1:
        name, options = next(iter(entry.items()))
        if options is not None and not isinstance(options, dict):
            raise _ItemProblem(f"{where}.{name}", "options must be a mapping (e.g. since: 2013-01-01)")
    else:
        raise _ItemProblem(where, "an item name (systems, contractors, documents) or a one-key mapping")
    if name not in ITEM_NAMES:
        raise _ItemProblem(where, f"unknown item {name!r} (known: {', '.join(ITEM_NAMES)})")
    if options and name != "documents":
        raise _ItemProblem(f"{where}.{name}", "takes no options")
    return name, options


def load_request(path: Path, vendors: Collection[str] = ()) -> Request:
    """Read and validate a request file; every mistake at once, each naming its field and line.

    ``vendors``: the catalog ids known, so an unknown vendor is reported with the rest.
    """
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
    problems = check_request(data, vendors)
    if problems:
        located = [Problem(p.field, p.message, _line_of(root, p.field)) for p in problems]
        raise RequestError(str(path), sorted(located, key=lambda p: (p.line, p.field)))
    return Request.model_validate(data)


def check_request(data: dict[str, Any], vendors: Collection[str] = ()) -> list[Problem]:
    """Every problem of a request given as a mapping (a file's content or a web form), in words."""
    problems: list[Problem] = []
    lifted = data
    if "items" in data:
        lifted, problems = lift_items(data)
    try:
        Request.model_validate(lifted, context={"lifted": True})
    except ValidationError as exc:
        problems += [_problem(error, data) for error in exc.errors()]
    vendor = data.get("vendor")
    if vendors and isinstance(vendor, str) and vendor.strip() and vendor.strip().lower() not in vendors:
        problems.append(Problem("vendor", f"no catalog for vendor {vendor!r} (known: {', '.join(sorted(vendors))})"))
    listed = data.get("vendors")
    for index, name in enumerate(listed if vendors and isinstance(listed, list) else []):
        if isinstance(name, str) and name.strip().lower() not in vendors:
            known = ", ".join(sorted(vendors))
            problems.append(Problem(f"vendors[{index}]", f"no catalog for vendor {name!r} (known: {known})"))
    return problems


def _problem(error: Any, data: dict[str, Any]) -> Problem:
    loc = tuple(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    field = _field_name(loc)
    if not field and ":" in message.split(" ", 1)[0]:
        field, message = message.split(": ", 1)
    if loc and loc[0] == "documents":
        field = f"items[{_documents_index(data['items'])}]." + field
    return Problem(field, _in_words(error, field, message))


FIELDS = ("id", "requester", "received", "due", "vendor", "items")


def _in_words(error: Any, field: str, message: str) -> str:
    """Pydantic's messages, said the way a person filling in the form would say them."""
    kind = str(error.get("type", ""))
    words = {
        "missing": "missing: every request names it",
        "extra_forbidden": f"not a field of a request (the fields: {', '.join(FIELDS)})",
        "string_pattern_mismatch": "use letters, digits, '.', '_' and '-' only, starting with a letter or digit",
        "string_too_short": "empty: write something here",
        "string_too_long": f"too long (at most {error.get('ctx', {}).get('max_length', '')} characters)",
        "string_type": "should be text",
        "tuple_type": "should be a list",
    }
    if kind in words:
        return words[kind]
    if kind.startswith("date"):
        return f"not a date: {error.get('input')!r} (write it as YYYY-MM-DD, e.g. 2017-07-27)"
    return message


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


def _line(mark: Any) -> int:
    return mark.line + 1 if mark is not None else 0


def request_data(form: dict[str, str], items: list[str]) -> dict[str, Any]:
    """A request as a mapping, from a form's fields (empty fields left out, so they are reported missing)."""
    data: dict[str, Any] = {k: form[k].strip() for k in ("id", "requester", "received", "due", "vendor") if form.get(k)}
    entries: list[Any] = []
    for name in items:
        since = form.get("since", "").strip()
        entries.append({"documents": {"since": since}} if name == "documents" and since else name)
    data["items"] = entries
    return data


def request_yaml(request: Request) -> str:
    """A checked request as the YAML file ``vendorscope respond`` reads, fields in the documented order."""
    data: dict[str, Any] = {"id": request.id, "requester": request.requester, "received": request.received}
    if request.due:
        data["due"] = request.due
    data["vendor"] = request.vendor
    since = request.documents.since if request.documents else None
    data["items"] = [{"documents": {"since": since}} if i == "documents" and since else i for i in request.items]
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, indent=2)
    return "# A request for vendorscope (docs/requests.md): vendorscope respond THIS-FILE --out answer/\n" + body
