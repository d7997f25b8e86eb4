"""The offline dependency audit (tools/audit_dependencies.py) runs in ``make test``: no installed distribution is
in a known-vulnerable range of the vendored advisory snapshot, and the check does find what it should."""

from __future__ import annotations

import importlib.util
from pathlib import Path

TOOL = Path(__file__).resolve().parent.parent / "tools" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", TOOL)
assert spec is not None and spec.loader is not None
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def test_the_snapshot_flags_versions_known_vulnerable() -> None:
    known, stamp = audit.advisories()
    assert len(known) > 1000 and stamp > 0
    found = audit.findings([("jinja2", "2.10"), ("urllib3", "1.24.1"), ("jinja2", "3.1.4")], known)
    assert any(line.startswith("jinja2 2.10:") for line in found)
    assert any(line.startswith("urllib3 1.24.1:") for line in found)
    assert not any(line.startswith("jinja2 3.1.4") for line in found)


def test_no_installed_distribution_is_known_vulnerable() -> None:
    known, _stamp = audit.advisories()
    assert audit.findings(audit.installed(), known) == []


def test_reviewed_advisories_are_shown_apart_not_hidden() -> None:
    known, _stamp = audit.advisories()
    assert audit.findings([("reportlab", "4.0.0")], known) == []
    assert audit.findings([("reportlab", "4.0.0")], known, reviewed=True)
