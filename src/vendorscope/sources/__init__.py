"""Input formats. Each module defines one ``FORMAT``; adding a format = one module + one line below."""

from __future__ import annotations

from vendorscope.sources import (
    android_packages,
    bind_query,
    collector_bundle,
    cyclonedx,
    discovery_dumps,
    ftm_json,
    hosts_csv,
    intune,
    inventory_csv,
    inventory_jsonl,
    isc_dhcp,
    kea_dhcp,
    ksc_devices,
    lldp_neighbors,
    mapped_csv,
    mdm_apps,
    network_csv,
    nmap_xml,
    orgs_csv,
    osquery_json,
    osquery_log,
    ownership_rules,
    procurement_csv,
    reg_export,
    runzero,
    runzero_csv,
    sccm,
    snmpwalk,
    spdx,
    squid,
    switch_tables,
    windows_dhcp,
    windows_dns,
    windows_hive,
    zeek,
    zeek_devices,
)
from vendorscope.sources.base import Hints, SourceFormat

# Order matters only where two formats could both claim a file: the more specific first.
FORMATS: tuple[SourceFormat, ...] = (
    windows_hive.FORMAT,
    collector_bundle.FORMAT,
    reg_export.FORMAT,
    osquery_log.FORMAT,
    cyclonedx.FORMAT,
    spdx.FORMAT,
    nmap_xml.FORMAT,
    discovery_dumps.FORMAT,
    zeek_devices.FORMAT,
    zeek.FORMAT,
    windows_dhcp.FORMAT,
    isc_dhcp.FORMAT,
    kea_dhcp.FORMAT,
    snmpwalk.FORMAT,
    lldp_neighbors.FORMAT,
    switch_tables.FORMAT,
    ftm_json.FORMAT,
    runzero.FORMAT,
    runzero_csv.FORMAT,
    inventory_jsonl.FORMAT,
    ksc_devices.FORMAT,
    sccm.FORMAT,
    intune.FORMAT,
    mdm_apps.FORMAT,
    osquery_json.FORMAT,
    orgs_csv.FORMAT,
    hosts_csv.FORMAT,
    ownership_rules.FORMAT,
    procurement_csv.FORMAT,
    inventory_csv.FORMAT,
    android_packages.FORMAT,
    network_csv.FORMAT,
    bind_query.FORMAT,
    windows_dns.FORMAT,
    squid.FORMAT,
    mapped_csv.FORMAT,
)


# Formats that describe the organization (registry, host ownership, purchases), not what a host runs: only an
# operator's ``ingest`` reads them; an agent's push of one is refused (server/push.py).
REGISTRY_FORMATS: frozenset[str] = frozenset(
    fmt.name
    for fmt in (orgs_csv.FORMAT, ftm_json.FORMAT, hosts_csv.FORMAT, ownership_rules.FORMAT, procurement_csv.FORMAT)
)


def detect(filename: str, head: bytes, hints: Hints | None = None) -> SourceFormat | None:
    """The first format that recognizes this head, or None; with ``--map``, a CSV having its columns is mapped.

    A format's ``may_claim``, when it has one, is asked first: a cheap necessary condition of its ``identify``
    (tests/test_detection.py checks that it never turns down a head ``identify`` takes), so the answer is the
    same as asking every ``identify`` in turn.
    """
    if hints is not None and hints.mapping and mapped_csv.FORMAT.accepts(head, hints.mapping):
        return mapped_csv.FORMAT
    for fmt, may_claim in _GATED:
        if (may_claim is None or may_claim(head)) and fmt.identify(filename, head):
            return fmt
    return None


_GATED = tuple((fmt, getattr(fmt, "may_claim", None)) for fmt in FORMATS)


def by_name(name: str) -> SourceFormat | None:
    return next((fmt for fmt in FORMATS if fmt.name == name), None)
