"""The one interface every input format implements.

A source module exposes a :class:`SourceFormat`: ``identify`` looks at the first
bytes of a file and says whether the format is this one; ``parse`` turns a text
stream into records plus problems. Parsers never raise for bad content: they
yield a :class:`Problem` naming the line and carry on, so one bad line costs one
line, not the batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, NamedTuple, Protocol

from vendorscope.sources.limits import Limits, file_limits

# Software sources an item may come from; free text is allowed, these are the usual ones.
KNOWN_SOURCES = (
    "programs",
    "deb_packages",
    "rpm_packages",
    "snap_packages",
    "flatpak_packages",
    "apps",
    "android_packages",
    "ios_apps",
    "services",
    "drivers",
    "processes",
    "kernel_modules",
    "files",
    "certificates",
    "chrome_extensions",
    "firefox_addons",
    "package_receipts",
    "launchd",
    "system_extensions",
    "systemd_units",
    "homebrew_packages",
    "chocolatey_packages",
    "python_packages",
    "npm_packages",
    "vscode_extensions",
    "authenticode",
    "signature",
)


class Item(NamedTuple):
    """One piece of software (or a trace of it) seen on one host.

    The tuple itself is the identity of the distinct *title*: the same item on ten
    thousand hosts is stored and matched once. A tuple keeps the ingest hot path cheap.
    """

    name: str
    version: str = ""
    publisher: str = ""
    source: str = ""
    path: str = ""
    identifier: str = ""
    signer: str = ""
    team_id: str = ""
    sha256: str = ""


TITLE_FIELDS: tuple[str, ...] = Item._fields
# Parsers that gather consecutive rows of a host into one observation start a new one past this many items,
# so a file of one host's rows (or a decompression bomb of one line repeated) streams in bounded memory.
MAX_OBSERVATION_ITEMS = 10_000


@dataclass(slots=True)
class Observation:
    """Items seen on a host at a time.

    ``complete`` means the items are the host's whole list for ``source``
    (an osquery snapshot, a collector bundle): anything of that source not in it
    is gone from the host. ``removed`` lists items whose removal was observed
    (an osquery "removed" event).
    """

    host: str
    items: list[Item] = field(default_factory=list)
    removed: list[Item] = field(default_factory=list)
    seen_at: datetime | None = None
    complete_sources: tuple[str, ...] = ()
    method: str = ""  # how the host was examined, e.g. "osquery", "inventory-jsonl"
    line: int = 0  # where in the file it came from, for errors and evidence
    host_facts: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True, frozen=True)
class Problem:
    """A part of a file that could not be read; ``line`` 0 means the whole file.

    ``fatal``: the whole input is refused (past a size bound): nothing of it is written.
    """

    line: int
    message: str
    fatal: bool = False


@dataclass(slots=True)
class NetworkContact:
    """A client that resolved a name or contacted an address, aggregated over a log.

    Network evidence is not software: it says "talks to the vendor". One record
    stands for ``count`` lines between ``first_seen`` and ``last_seen``, so a
    20-million-line log becomes as many records as distinct (client, target, port).
    """

    client: str  # address or host name of the machine that asked or connected
    target: str  # the DNS name asked for, or the destination address
    port: str = ""  # "13000/tcp" when the log says it; "" otherwise
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    count: int = 1
    client_name: str = ""  # the client's host name when the log gives one besides its address
    line: int = 0  # first line it came from


class ContactFilter(Protocol):
    """What network parsers keep: only lines that may name the vendors' infrastructure.

    The needles are searched in the raw bytes, lower-cased (a superset: no false
    negatives), so lines that cannot match never become Python objects: names for
    logs of DNS names, ports and address prefixes for connection logs (None: cannot
    be narrowed, every line is read). ``wants`` decides on the parsed values.
    """

    @property
    def name_needles(self) -> tuple[bytes, ...]: ...

    @property
    def address_needles(self) -> tuple[bytes, ...] | None: ...

    def wants(self, target: str, port: str) -> bool: ...


@dataclass(slots=True, frozen=True)
class OrgRecord:
    """One organization of the registry: an agency, office, contractor or subcontractor.

    ``parent`` is an office's agency, a contractor's customer, a subcontractor's prime.
    """

    key: str
    name: str
    kind: str
    parent: str = ""
    contracts: tuple[str, ...] = ()
    uei: str = ""
    cage: str = ""
    country: str = ""
    line: int = 0


@dataclass(slots=True, frozen=True)
class HostAssignment:
    """A host named as belonging to an organization (hosts.csv)."""

    host: str
    org: str
    role: str = ""
    sensitivity: str = ""  # low | moderate | high
    location: str = ""
    line: int = 0


@dataclass(slots=True, frozen=True)
class OwnershipRule:
    """Hosts an organization owns by name pattern (glob) or address range (CIDR)."""

    org: str
    hostname: str = ""
    network: str = ""
    line: int = 0


@dataclass(slots=True, frozen=True)
class ProcurementLine:
    """One purchase or contract line item, as bought by ``org`` from ``supplier``."""

    org: str
    supplier: str
    description: str
    date: str = ""
    part: str = ""
    amount: str = ""
    contract: str = ""
    order: str = ""
    line: int = 0


# Host facts that hold the host's network addresses, as importers name them (a collector bundle's
# ``ip_addresses``, an asset CSV's ``addresses``, a device's ``ip``): one list for every reader of them
# (ownership's network rules, tying devices to hosts, network logs' clients). Values may list several.
ADDRESS_FACTS = ("ip", "ip_address", "ip_addresses", "address", "addresses", "primary_ip", "ipv4", "ipv6")


# Records that are not software evidence: they go to the organizations' writer (orgs/writer.py).
OrgsRecord = OrgRecord | HostAssignment | OwnershipRule | ProcurementLine
Record = Observation | Problem | NetworkContact | OrgsRecord


@dataclass(slots=True, frozen=True)
class Hints:
    """What the user told ``ingest`` about files that cannot say it themselves."""

    host: str = ""  # the host a host-less file describes (osqueryi output, an SBOM)
    org: str = ""  # the organization a file belongs to
    mapping: tuple[tuple[str, str], ...] = ()  # column mapping for generic CSV: (field, column)
    contacts: ContactFilter | None = None  # set by ingest from the catalogs; None keeps every contact
    limits: Limits = field(default_factory=file_limits)  # decompressed bytes and items one input may hold
    follow_links: bool = False  # read symbolic links that lead out of the folders given (off: one line each)


class SourceFormat(Protocol):
    """What one input-format module provides."""

    name: str  # stable id, recorded on every artifact (e.g. "osquery-log")
    description: str

    def identify(self, filename: str, head: bytes) -> bool:
        """Whether this (decompressed) head of the file is in this format."""
        ...

    # Optional: ``may_claim(head) -> bool``, a cheap test that ``identify`` needs to pass (substrings its
    # expressions require), so that detection skips the expressions on most heads (``sources.detect``).

    def parse(self, stream: IO[bytes], filename: str, hints: Hints) -> Iterator[Record]:
        """Read the stream; yield observations and problems, never raise for bad content."""
        ...


def artifact_context(fmt: SourceFormat, filename: str, hints: Hints) -> str:
    """What an ingest depends on besides the file's bytes: the hints, and anything the format reads
    from the file name (optional hook ``context(filename, hints) -> str``). Identical bytes with a
    different context are a different artifact: two hosts can export byte-identical tables."""
    parts = [f"{name}={value}" for name, value in (("host", hints.host), ("org", hints.org)) if value]
    if hints.mapping:
        parts.append("map=" + ",".join(f"{f}={c}" for f, c in hints.mapping))
    hook = getattr(fmt, "context", None)
    if hook is not None:
        extra = hook(filename, hints)
        if extra:
            parts.append(extra)
    return ";".join(parts)
