"""The same inputs give byte-identical answers whatever the hash seed (issue 11, failure 8).

Two clean ingests of one fleet once explained the same finding with ``klif.sys`` in one run and ``klif`` in
the other: a set decided which value was shown. Here one generated agency is ingested twice, in processes with
different PYTHONHASHSEED, and the findings (JSON) and the response package are compared byte for byte.

The package names the head of the store's custody chain, whose entries carry the time each file was taken
in: two stores filled at different moments rightly have different heads. So the package built again from
the first store, in a third process with another seed, must equal the first byte for byte (the PDF
included); across the two stores every file must be equal once the chain head's hash, and the hashes of
the files that print it, are replaced by a placeholder.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from vendorscope.demo.fleet import generate_fleet
from vendorscope.demo.organization import generate_organization

RUN = """
import sys
from pathlib import Path
from vendorscope.demo.run import SAMPLE_REQUEST, evidence_paths
from vendorscope.service import Service

inputs, out = Path(sys.argv[1]), Path(sys.argv[2])
service = Service(str(out / "store.db"))
service.ingest(evidence_paths(inputs / "fleet", inputs / "organization"))
service.records_ingest([inputs / "organization" / "mail"], custodian="Sam Ortega (CIO)", workers=1)
service.respond(SAMPLE_REQUEST, out / "response")
service.close()
"""

RESPOND_AGAIN = """
import sys
from pathlib import Path
from vendorscope.demo.run import SAMPLE_REQUEST
from vendorscope.service import Service

out = Path(sys.argv[1])
service = Service(str(out / "store.db"))
service.respond(SAMPLE_REQUEST, out / "again")
service.close()
"""
CHAIN_PRINTED_IN = ("report.html", "report.pdf", "certification.txt", "manifest.json")


def _answer(inputs: Path, out: Path, seed: str) -> tuple[bytes, dict[str, bytes]]:
    out.mkdir()
    env = os.environ | {"PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1501545600"}
    subprocess.run([sys.executable, "-c", RUN, str(inputs), str(out)], check=True, env=env, timeout=600)
    findings = subprocess.run(
        [sys.executable, "-m", "vendorscope", "--db", str(out / "store.db"), "findings", "--format", "json"],
        check=True,
        env=env,
        capture_output=True,
        timeout=300,
    ).stdout
    return findings, _files(out / "response")


def _files(package: Path) -> dict[str, bytes]:
    return {p.relative_to(package).as_posix(): p.read_bytes() for p in sorted(package.rglob("*")) if p.is_file()}


def _masked(files: dict[str, bytes]) -> dict[str, bytes]:
    """The package with its chain head's hash, and the hashes of the files printing it, as placeholders."""
    head = json.loads(files["manifest.json"])["custody_chain_head"]["hash"].encode()
    masked = {name: data.replace(head, b"<chain-head>") for name, data in files.items()}
    for name in CHAIN_PRINTED_IN:
        digest = hashlib.sha256(files[name]).hexdigest().encode()
        masked = {other: data.replace(digest, f"<sha256 {name}>".encode()) for other, data in masked.items()}
    masked.pop("report.pdf")  # its text is compressed; the same-store rebuild compares it whole
    manifest = json.loads(masked["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == "report.pdf":  # compressed: another head can compress to another size
            entry["size"] = "<size report.pdf>"
    masked["manifest.json"] = json.dumps(manifest, sort_keys=True).encode()
    return masked


def test_two_ingests_with_different_hash_seeds_give_identical_answers(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    generate_fleet(inputs / "fleet", hosts=40, seed=2017)
    hosts = (inputs / "fleet" / "hosts.txt").read_text(encoding="utf-8").split()
    generate_organization(inputs / "organization", hosts, 2017)
    first_findings, first = _answer(inputs, tmp_path / "one", "1")
    second_findings, second = _answer(inputs, tmp_path / "two", "2")
    assert b'"vendor": "kaspersky"' in first_findings
    assert first_findings == second_findings
    assert sorted(first) == sorted(second)
    subprocess.run(
        [sys.executable, "-c", RESPOND_AGAIN, str(tmp_path / "one")],
        check=True,
        env=os.environ | {"PYTHONHASHSEED": "3", "SOURCE_DATE_EPOCH": "1501545600"},
        timeout=600,
    )
    again = _files(tmp_path / "one" / "again")
    assert sorted(again) == sorted(first)
    assert sorted(name for name in first if first[name] != again[name]) == []
    first_masked, second_masked = _masked(first), _masked(second)
    differing = sorted(name for name in first_masked if first_masked[name] != second_masked[name])
    assert differing == [], differing


MATCH = """
from vendorscope.catalog.loader import load_catalogs
from vendorscope.match.matcher import Matcher
from vendorscope.sources.base import Item

path = "C:/Windows/System32/drivers/klif.sys"
item = Item("klif", publisher="AO Kaspersky Lab", source="drivers", path=path)
for attribution in Matcher(load_catalogs()).match(item):
    print(attribution.vendor, attribution.explanation)
"""


def test_a_drivers_evidence_does_not_depend_on_the_hash_seed() -> None:
    outputs = set()
    for seed in ("0", "1", "2", "3", "4", "5"):
        env = os.environ | {"PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", MATCH], env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        outputs.add(run.stdout)
    [output] = outputs
    assert 'path "klif.sys": driver is' in output
