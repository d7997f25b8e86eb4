"""Exports agencies hand over, read with each item's custodian and original path kept:

* **Google Vault** (Gmail, mbox): ``*.mbox`` beside ``*-metadata.xml``. Vault's metadata is EDRM-style XML —
  ``Document`` elements with ``Tags/Tag`` (``TagName``, ``TagValue``) — linked to the mbox's messages by
  Message-ID, as Google documents. The custodian is the ``Account`` (or ``Custodian``/``Owner``) tag, the
  original path the Gmail ``Labels``; each message is one item ``export.mbox#N``.
* **Microsoft Purview eDiscovery**: messages and files with a CSV load file. Columns are found by name,
  case-insensitively: the file (``Native path``, ``File path``, ``Export path``, ``Path``…), the custodian
  (``Custodian``, ``Custodian name``, ``Location``, ``Mailbox``) and the original path (``Original path``,
  ``Location path``, ``Folder path``…). A PST in the export is read through readpst like any PST.
* **Relativity / Concordance DAT with natives** (re-ingesting a production): ``*.dat`` (þ-quoted, any
  encoding with a byte-order mark); each row's native (``NATIVELINK``, ``NATIVEPATH``…), else its text
  (``TEXTLINK``) for a redacted or image-only row; custodian ``CUSTODIAN``, original path ``FILEPATH`` or
  ``ORIGINALPATH``, else ``BEGBATES FILENAME``.
* **Plain folder trees** (Office files and anything else): every file; the custodian is ``--custodian``, or
  the first folder level with ``custodian_from_folder``; the original path is the path inside the tree.

Every path an export names must stay inside the export folder (no ``..``, no absolute paths, no symlinks
out): anything else is refused and reported, and the rest goes in.
"""

from __future__ import annotations

import csv
import io
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from vendorscope.records.loadfile import check_dat, decode_load_file, iter_dat, open_load_file

KINDS = ("auto", "vault", "purview", "dat", "folder")
_ID = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class ExportItem:
    """One file (or one message) of an export: where it is, what it is called, whose it is."""

    shown: str  # the original path (or a name that says where it came from)
    custodian: str
    path: Path | None = None  # read from disk…
    data: bytes | None = None  # …or already in memory (an mbox message)


def detect(root: Path) -> str:
    """The kind of export in a folder: Vault metadata, a DAT, a CSV load file, else a plain tree. One pass
    that keeps flags, not the export's file names (a million-file tree listed costs hundreds of MB)."""
    metadata = mbox = dat = load_file = False
    for path in root.rglob("*"):
        name = path.name.lower()
        if not name.endswith((".xml", ".mbox", ".dat", ".csv")) or path.is_symlink() or not path.is_file():
            continue
        metadata = metadata or name.endswith("-metadata.xml")
        mbox = mbox or name.endswith(".mbox")
        dat = dat or name.endswith(".dat")
        if metadata and mbox:
            return "vault"
        if not load_file and name.endswith(".csv"):
            load_file = _load_file_columns(path) is not None
    return "dat" if dat else "purview" if load_file else "folder"


class Problems:
    """What could not be read in an export: every one counted, the first ``keep`` kept for the report (an
    export of millions of rows naming missing files would otherwise hold all of them)."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.count = 0
        self.kept: list[tuple[str, str]] = []

    def append(self, problem: tuple[str, str]) -> None:
        self.count += 1
        if len(self.kept) < self.keep:
            self.kept.append(problem)


def items(
    root: Path, kind: str, custodian: str, problems: Problems, custodian_from_folder: bool = False
) -> Iterator[ExportItem]:
    """The items of the export at ``root``, one at a time (a mailbox's messages are never all in memory);
    ``custodian`` where the export names none; what cannot be read is added to ``problems``."""
    kind = detect(root) if kind == "auto" else kind
    readers = {"vault": _vault, "purview": _purview, "dat": _dat, "folder": _folder}
    yield from readers[kind](root.resolve(), custodian, custodian_from_folder, problems)


def _inside(root: Path, relative: str, problems: Problems, where: str) -> Path | None:
    """The file an export names, if it lies inside the export folder and exists."""
    clean = relative.replace("\\", "/").strip()
    if not clean:
        return None
    target = (root / clean).resolve()
    if not target.is_relative_to(root) or Path(clean).is_absolute():
        problems.append((where, f"refused: {relative!r} points outside the export folder"))
        return None
    if not target.is_file():
        problems.append((where, f"{relative!r} is not in the export"))
        return None
    return target


def _folder(root: Path, custodian: str, per_folder: bool, problems: Problems) -> Iterator[ExportItem]:
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            problems.append((str(relative), "refused: a symbolic link out of the export folder"))
            continue
        owner = relative.parts[0] if per_folder and len(relative.parts) > 1 else custodian
        yield ExportItem(relative.as_posix(), owner, path=path)


def _vault(root: Path, custodian: str, _per: bool, problems: Problems) -> Iterator[ExportItem]:
    metadata: dict[str, dict[str, str]] = {}
    for xml in sorted(root.rglob("*-metadata.xml")):
        try:
            metadata.update(_vault_metadata(xml.read_bytes()))
        except Exception as exc:  # hostile or broken XML: say so, read the mbox without it
            problems.append((str(xml.relative_to(root)), f"unreadable Vault metadata: {type(exc).__name__}: {exc}"))
    for box_path in sorted(root.rglob("*.mbox")):
        relative = box_path.relative_to(root).as_posix()
        box = mailbox.mbox(str(box_path), create=False)
        try:
            for number, key in enumerate(box.keys(), 1):
                data = box.get_bytes(key)
                tags = metadata.get(_message_id(data), {})
                owner = _first(tags, ("account", "custodian", "owner")) or custodian
                labels = _first(tags, ("labels",))
                shown = f"{relative}#{number}" + (f" [labels: {labels}]" if labels else "")
                yield ExportItem(shown, owner, data=data)
        finally:
            box.close()


def _vault_metadata(xml: bytes) -> dict[str, dict[str, str]]:
    """Message-ID → {tag name (lower case): value} from Vault's metadata XML (defusedxml: no entities)."""
    from defusedxml.ElementTree import fromstring

    out: dict[str, dict[str, str]] = {}
    for document in fromstring(xml).iter():
        if not document.tag.endswith("Document"):
            continue
        tags = {
            (tag.get("TagName") or "").lstrip("#").lower(): tag.get("TagValue") or ""
            for tag in document.iter()
            if tag.tag.endswith("Tag")
        }
        for name, value in tags.items():
            if "messageid" in name.replace("-", "").replace("_", "") and _ID.search(value or ""):
                out[_ID.search(value).group()] = tags  # type: ignore[union-attr]
            elif "messageid" in name.replace("-", "").replace("_", "") and value:
                out[f"<{value.strip('<>')}>"] = tags
    return out


def _message_id(data: bytes) -> str:
    head = data[:65536].split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    found = re.search(rb"(?im)^message-id:\s*(<[^<>\s]+>)", head)
    return found.group(1).decode("ascii", errors="replace") if found else ""


def _first(tags: dict[str, str], names: tuple[str, ...]) -> str:
    return next((tags[n].strip() for n in names if tags.get(n, "").strip()), "")


_FILE_COLUMNS = ("native path", "native file path", "export path", "file path", "exported path", "path", "file name")
_CUSTODIAN_COLUMNS = ("custodian", "custodian name", "custodians", "location", "mailbox", "owner")
_ORIGINAL_COLUMNS = ("original path", "original file path", "location path", "folder path", "item path", "source path")


def _load_file_columns(path: Path) -> tuple[str, str | None, str | None] | None:
    """(file column, custodian column, original-path column) of a CSV load file, or None if it is not one."""
    try:
        with path.open("rb") as raw:
            head = raw.read(65536)  # the header line, not the file (a load file can be gigabytes)
        header = next(csv.reader(io.StringIO(decode_load_file(head))), [])
    except (OSError, csv.Error, UnicodeDecodeError):  # UTF-16 cut inside a surrogate pair
        return None
    lowered = {h.strip().lower(): h for h in header}

    def pick(candidates: tuple[str, ...]) -> str | None:
        return next((lowered[c] for c in candidates if c in lowered), None)

    column = pick(_FILE_COLUMNS)
    return (column, pick(_CUSTODIAN_COLUMNS), pick(_ORIGINAL_COLUMNS)) if column else None


def _purview(root: Path, custodian: str, _per: bool, problems: Problems) -> Iterator[ExportItem]:
    listed: set[Path] = set()  # the files load files name: one path each, for the messages none names
    for load_file in sorted(p for p in root.rglob("*.csv") if _load_file_columns(p)):
        try:  # read once to check (an oversized or broken field refuses the file whole), then row by row
            with open_load_file(load_file) as text:
                for _ in csv.reader(text):
                    pass
        except (csv.Error, OSError) as exc:  # say where, read the rest of the export
            problems.append((str(load_file.relative_to(root)), f"unreadable load file: {exc}"))
            continue
        with open_load_file(load_file) as text:
            yield from _purview_rows(root, load_file, csv.DictReader(text), custodian, problems, listed)
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in (".pst", ".msg", ".eml")):
        if path.resolve() not in listed:  # messages the load file does not list: still evidence
            yield ExportItem(path.relative_to(root).as_posix(), custodian, path=path)


def _purview_rows(
    root: Path, load_file: Path, rows: Iterator[dict[str, str]], custodian: str, problems: Problems, listed: set[Path]
) -> Iterator[ExportItem]:
    column, owner_column, original_column = _load_file_columns(load_file)  # type: ignore[misc]
    for number, row in enumerate(rows, 2):
        where = f"{load_file.relative_to(root)}:{number}"
        target = _inside(load_file.parent, row.get(column) or "", problems, where)
        target = target or _inside(root, row.get(column) or "", Problems(0), where)
        if target is None:
            continue
        listed.add(target)
        owner = (row.get(owner_column) or "").strip() if owner_column else ""
        original = (row.get(original_column) or "").strip() if original_column else ""
        yield ExportItem(original or target.relative_to(root).as_posix(), owner or custodian, path=target)


_NATIVE_FIELDS = ("NATIVELINK", "NATIVEPATH", "NATIVE", "NATIVEFILE", "NATIVE_FILE", "FILE_PATH_NATIVE")
_TEXT_FIELDS = ("TEXTLINK", "TEXTPATH", "TEXT", "EXTRACTEDTEXT", "TEXT_PATH")
_CUSTODIAN_FIELDS = ("CUSTODIAN", "CUSTODIANS", "ALLCUSTODIANS", "ALL_CUSTODIANS")
_ORIGINAL_FIELDS = ("FILEPATH", "ORIGINALPATH", "ORIGINAL_PATH", "SOURCEPATH", "FOLDERPATH")


def _dat(root: Path, custodian: str, _per: bool, problems: Problems) -> Iterator[ExportItem]:
    for dat in sorted(root.rglob("*.dat")):
        try:
            check_dat(dat)  # a bad line refuses the DAT whole, before any of its rows is used
        except (ValueError, OSError) as exc:
            problems.append((str(dat.relative_to(root)), f"unreadable DAT: {exc}"))
            continue
        base = dat.parent.parent if dat.parent.name.upper() == "DATA" else dat.parent
        for number, row in enumerate(iter_dat(dat), 2):
            upper = {k.strip().upper(): v for k, v in row.items()}
            where = f"{dat.relative_to(root)}:{number}"
            native = _field(upper, _NATIVE_FIELDS)
            link = native or _field(upper, _TEXT_FIELDS)
            target = _inside(base, link, problems, where) if link else None
            if target is None:
                if not link:
                    problems.append((where, "row names no native or text file"))
                continue
            owner = _field(upper, _CUSTODIAN_FIELDS).split(";")[0].strip() or custodian
            original = _field(upper, _ORIGINAL_FIELDS) or f"{upper.get('BEGBATES', '')} {upper.get('FILENAME', '')}"
            shown = (original.strip() or target.name) + ("" if native else " [produced text]")
            yield ExportItem(shown, owner, path=target)  # produced text is read as text, not as its native


def _field(row: dict[str, str], names: tuple[str, ...]) -> str:
    return next((row[n].strip() for n in names if row.get(n, "").strip()), "")
