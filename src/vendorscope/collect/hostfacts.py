"""Host facts for the bundle: name, OS and version, machine id, addresses (live only)."""

from __future__ import annotations

import platform
import socket
from pathlib import Path
from typing import Any

from vendorscope.collect.fs import inside, read_text


def os_release(root: Path) -> dict[str, str]:
    for candidate in ("etc/os-release", "usr/lib/os-release"):
        path = inside(root, candidate)
        if path.is_file():
            fields = {}
            for line in read_text(path, 1024 * 1024).splitlines():
                key, sep, value = line.partition("=")
                if sep:
                    fields[key.strip()] = value.strip().strip('"')
            return fields
    return {}


def linux_facts(root: Path) -> dict[str, Any]:
    live = str(root) == "/"
    release = os_release(root)
    facts: dict[str, Any] = {
        "hostname": _first_line(inside(root, "etc/hostname")) or (socket.gethostname() if live else ""),
        "os": release.get("NAME", "Linux"),
        "os_version": release.get("VERSION_ID", "") or release.get("VERSION", ""),
        "machine_id": _first_line(inside(root, "etc/machine-id")),
    }
    if live:
        facts.update(live_network())
        facts["kernel"] = platform.release()
    return facts


def live_network() -> dict[str, Any]:
    """IP and MAC addresses of this machine's interfaces (loopback left out)."""
    import psutil

    ips, macs = set(), set()
    for name, addresses in psutil.net_if_addrs().items():
        if name == "lo":
            continue
        for address in addresses:
            if address.family in (socket.AF_INET, socket.AF_INET6):
                ips.add(address.address.split("%", 1)[0])
            elif address.family == psutil.AF_LINK and address.address not in ("", "00:00:00:00:00:00"):
                macs.add(address.address.lower())
    return {"ip_addresses": sorted(ips), "mac_addresses": sorted(macs)}


def _first_line(path: Path) -> str:
    try:
        return read_text(path, 64 * 1024).strip().splitlines()[0].strip() if path.is_file() else ""
    except (OSError, IndexError):
        return ""
