"""Detection asks a format's cheap ``may_claim`` before its ``identify``: the answer must stay the full scan's.

Every sample of every format (tests/data/formats/, ../shared/real-samples/, a generated fleet) and variants of
them (upper and lower case, UTF-16, inside a JSON array, cut short) are detected as asking every ``identify``
in turn detects them, and no ``may_claim`` turns down a head its ``identify`` takes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SHARED
from vendorscope import sources
from vendorscope.demo.fleet import generate_fleet
from vendorscope.sources.base import SourceFormat
from vendorscope.sources.reader import read_head

SAMPLES = (Path(__file__).parent / "data" / "formats", SHARED / "real-samples")
GATED = [fmt for fmt in sources.FORMATS if getattr(fmt, "may_claim", None) is not None]


def _full_scan(filename: str, head: bytes) -> SourceFormat | None:
    return next((fmt for fmt in sources.FORMATS if fmt.identify(filename, head)), None)


def _variants(head: bytes) -> Iterator[bytes]:
    yield head
    yield head.upper()
    yield head.lower()
    yield head[:200]
    yield head[: len(head) // 2]
    yield b"[\n" + head
    text = head.decode("utf-8", errors="replace")
    yield text.encode("utf-16")
    yield text.encode("utf-16-le")
    yield b"\xef\xbb\xbf  \r\n" + head


@pytest.fixture(scope="module")
def heads(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, bytes]]:
    fleet = tmp_path_factory.mktemp("fleet")
    generate_fleet(fleet, hosts=40, seed=3, items_per_host=30)
    files = [p for folder in (*SAMPLES, fleet) if folder.is_dir() for p in sorted(folder.rglob("*")) if p.is_file()]
    return [(p.name, variant) for p in files for variant in _variants(read_head(p))]


def test_every_format_has_a_sample_here(heads: list[tuple[str, bytes]]) -> None:
    found = {fmt.name for name, head in heads if (fmt := _full_scan(name, head)) is not None}
    assert {fmt.name for fmt in GATED} <= found  # each cheap test meets heads its format takes
    assert len(GATED) >= 7


def test_detection_is_the_full_scan(heads: list[tuple[str, bytes]]) -> None:
    for name, head in heads:
        assert sources.detect(name, head) is _full_scan(name, head), (name, head[:80])


def test_may_claim_never_turns_down_what_identify_takes(heads: list[tuple[str, bytes]]) -> None:
    taken = 0
    for fmt in GATED:
        for name, head in heads:
            if fmt.identify(name, head):
                taken += 1
                assert fmt.may_claim(head), (fmt.name, name, head[:80])  # type: ignore[attr-defined]
    assert taken >= len(GATED)


def test_may_claim_turns_down_the_common_heads(heads: list[tuple[str, bytes]]) -> None:
    """What makes detection cheap: an osquery table or log is not looked at by the expressions of the others."""
    table = next(head for name, head in heads if name.endswith("__programs.json"))
    assert [fmt.name for fmt in GATED if fmt.may_claim(table)] == []  # type: ignore[attr-defined]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "b c", " ", "\t", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e",
                                 "\x85", "\u2028", "\u2029", "\u00a0", "é", "\x00"]), max_size=30),
       st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))  # fmt: skip
def test_a_heads_first_text_line_is_that_of_splitting_it_whole(parts: list[str], encoding: str) -> None:
    """``asset_csv.first_text_line`` (the first non-blank line without splitting the whole head) answers what
    ``splitlines`` did, whatever line ends and blanks the head has; and so, for a byte head, ``first_line``."""
    from vendorscope.sources.asset_csv import _decode_head, first_text_line
    from vendorscope.sources.reader import _first_line, first_line

    head = "".join(parts).encode(encoding)
    assert first_text_line(head) == next((ln for ln in _decode_head(head).splitlines() if ln.strip()), "")
    assert first_line(head) == _first_line(head) == first_line(bytes(head))


def test_a_software_list_naming_a_release_is_not_looked_at_as_dhcp_leases() -> None:
    """isc-dhcp's cheap test asks for "lease" at a line's start (a lease block), not anywhere: a JSON table of
    programs with "release" in it no longer runs its expressions; a leases file still does."""
    from vendorscope.sources import isc_dhcp, kea_dhcp

    table = b'[\n  {"name":"Tool","version":"1.0 release 2","publisher":"Example","address":"x"}\n]\n'
    assert not isc_dhcp.FORMAT.may_claim(table) and not kea_dhcp.FORMAT.may_claim(table)
    leases = b"# comment\nlease 10.0.0.5 {\n  starts 4 2024/01/04 10:00:00;\n}\n"
    assert isc_dhcp.FORMAT.may_claim(leases) and isc_dhcp.FORMAT.identify("dhcpd.leases", leases)
    assert isc_dhcp.FORMAT.may_claim(leases[10:])  # "lease" at the head's very start
