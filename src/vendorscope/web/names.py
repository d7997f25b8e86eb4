"""Names for ids on the pages: org ids become registry names, ``kaspersky:kes-mac`` becomes the product's name.

Pages show the name and keep the id in a ``title`` (on hover) and in links, so nobody reads codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from vendorscope.errors import NotFoundError
from vendorscope.service import Service

ROOT_ORG = "(whole agency)"
NO_OWNER = "(no owner)"


@dataclass(frozen=True)
class Names:
    orgs: dict[str, str]
    service: Service

    @classmethod
    def of(cls, service: Service) -> Names:
        return cls(service.org_names(), service)

    def org(self, org_id: str | None) -> str:
        if not org_id:
            return ROOT_ORG
        if org_id == "unassigned":
            return NO_OWNER
        return self.orgs.get(org_id, org_id)

    def product(self, vendor: str, product: str) -> str:
        try:
            return self.service.product_name(vendor, product)
        except NotFoundError:
            return f"{vendor}:{product}"

    def finding(self, key: str) -> str:
        """``vendor:product`` (as host rows list them) → the product's name."""
        vendor, _, product = key.partition(":")
        return self.product(vendor, product)

    def vendor(self, vendor: str) -> str:
        try:
            return self.service.vendor(vendor).vendor.name
        except NotFoundError:
            return vendor
