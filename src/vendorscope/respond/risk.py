"""Risk per finding and per product: what the software can do, where it runs, and whether it talks home.

A score from 0 to 100 with its reasons in words. Points come from the catalog's capabilities of the
product, the host's role, and network evidence of live contact with the vendor (findings of kind
``network`` on the same host); the host's sensitivity scales the sum. The weights are judgement, written
down here so that a reader can disagree with a number rather than with a mystery.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vendorscope.catalog.schema import Capability, Product
from vendorscope.respond.providers import UNKNOWN, HostProfile

CAPABILITY_POINTS: dict[Capability, tuple[int, str]] = {
    Capability.KERNEL_DRIVER: (25, "runs a kernel driver (full control of the host)"),
    Capability.CLOUD_TELEMETRY: (20, "sends telemetry to the vendor's cloud"),
    Capability.FILE_UPLOAD: (20, "can upload files from the host to the vendor"),
    Capability.REMOTE_ADMINISTRATION: (20, "accepts remote administration"),
    Capability.TLS_INTERCEPTION: (15, "intercepts encrypted (TLS) traffic"),
    Capability.AUTO_UPDATE: (10, "updates itself (the vendor can change its code at any time)"),
}
ROLE_POINTS = {"domain-controller": 15, "server": 10, "management": 10}
SENSITIVITY_FACTOR = {"high": 1.5, "moderate": 1.0, "low": 0.7}
LIVE_CONTACT_POINTS = 20
LEVELS = ((60, "high"), (30, "medium"), (0, "low"))


@dataclass(frozen=True)
class Risk:
    score: int
    level: str
    reasons: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"{self.level} ({self.score})"

    @property
    def because(self) -> str:
        return "; ".join(self.reasons)


def level_of(score: int) -> str:
    return next(name for floor, name in LEVELS if score >= floor)


def assess(product: Product | None, profile: HostProfile, live_contacts: int = 0) -> Risk:
    """One finding's risk: the product's capabilities, the host's role and sensitivity, live contact."""
    points, reasons = 0, []
    if product is None:
        reasons.append("product not identified: its capabilities are unknown")
    else:
        for capability in product.capabilities:
            value, why = CAPABILITY_POINTS[capability]
            points += value
            reasons.append(why)
        if not product.capabilities:
            reasons.append("no risky capability recorded in the catalog")
    role = ROLE_POINTS.get(profile.role, 0)
    if role:
        points += role
        reasons.append(f"host role is {profile.role}")
    if live_contacts:
        points += LIVE_CONTACT_POINTS
        reasons.append(f"network evidence of live contact with the vendor ({live_contacts} finding(s))")
    factor = SENSITIVITY_FACTOR.get(profile.sensitivity, 1.0)
    if profile.sensitivity == UNKNOWN:
        reasons.append("host sensitivity unknown (counted as moderate)")
    elif factor != 1.0:
        reasons.append(f"host sensitivity is {profile.sensitivity} (×{factor:g})")
    score = min(100, round(points * factor))
    return Risk(score, level_of(score), tuple(reasons))


@dataclass(frozen=True)
class ProductRisk:
    product: str
    hosts: int
    risk: Risk
    levels: dict[str, int]  # findings per level


def by_product(pairs: Iterable[tuple[str, str, Risk]]) -> list[ProductRisk]:
    """Per product (name): the worst finding's risk, how many hosts, findings per level; worst first."""
    grouped: dict[str, list[tuple[str, Risk]]] = {}
    for product, host, risk in pairs:
        grouped.setdefault(product, []).append((host, risk))
    out = []
    for product, items in grouped.items():
        worst = max((r for _, r in items), key=lambda r: (r.score, r.reasons))
        levels = {name: sum(1 for _, r in items if r.level == name) for _, name in LEVELS}
        out.append(ProductRisk(product, len({h for h, _ in items if h}), worst, levels))
    return sorted(out, key=lambda p: (-p.risk.score, -p.hosts, p.product))
