"""The words a finding's status can take, and which of them close it: the one vocabulary.

Every module that reads or writes ``findings.status`` or ``org_findings.status`` uses these names, never
string literals, so "open", "closed" and "overdue" mean the same thing in every output.

- ``open``: found, nothing decided yet (a new finding, or one seen again after it was closed by evidence);
- ``removal planned`` / ``removed``: set by people; "removed" is a claim until a collection verifies it;
- ``removed (verified)``: a later collection no longer shows the product (set only from evidence);
- ``exception``: kept on purpose, with a written justification;
- ``withdrawn``: the evidence no longer supports the finding (a re-match, a corrected catalog); kept, never
  deleted, and not counted anywhere.
"""

from __future__ import annotations

OPEN = "open"
PLANNED = "removal planned"
REMOVED = "removed"
VERIFIED = "removed (verified)"
EXCEPTION = "exception"
WITHDRAWN = "withdrawn"

STATUSES = (OPEN, PLANNED, REMOVED, VERIFIED, EXCEPTION, WITHDRAWN)
SETTABLE = (OPEN, PLANNED, REMOVED, EXCEPTION)  # by hand; VERIFIED only from evidence, WITHDRAWN only from refresh
CLOSED = (VERIFIED, EXCEPTION, WITHDRAWN)  # no work left: a closed finding is never overdue

BRANDED = "branded"  # the vendor's own product, installed
EMBEDDED = "embedded"  # the vendor's technology inside another maker's product, installed
NETWORK = "network"  # the host talked to the vendor's servers: seen only on the network
SOFTWARE_KINDS = (BRANDED, EMBEDDED)  # findings from installed software
DEVICE = "device"  # covered equipment: a device whose evidence, graded together, names the maker (devices.py)
DEVICE_CANDIDATE = "device-candidate"  # one weak clue only (a MAC prefix): named, never counted
DEVICE_KINDS = (DEVICE, DEVICE_CANDIDATE)


def is_closed(status: str) -> bool:
    return status in CLOSED


def is_counted(status: str) -> bool:
    """Whether a finding counts at all in an answer (open or closed): every status but withdrawn."""
    return status != WITHDRAWN
