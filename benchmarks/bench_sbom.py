"""Ingest 1,000 generated CycloneDX SBOMs of 500 components each into a fresh SQLite store.

    python benchmarks/bench_sbom.py [--files 1000] [--components 500] [--dir /tmp/vs-bench-sbom]

Each file describes one appliance; components are drawn from a pool of 20,000
distinct packages (so titles repeat across files, as in a real estate), and one
file in fifty embeds a vendor component. Prints files/s, components/s, peak RSS,
and checks that exactly the embedding files gave findings.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import time
from pathlib import Path

import orjson


def generate(folder: Path, files: int, components: int, seed: int = 11) -> int:
    rng = random.Random(seed)
    pool = [
        {
            "type": "library",
            "name": f"lib{n}",
            "version": f"{n % 7}.{n % 13}",
            "purl": f"pkg:maven/org.example{n % 300}/lib{n}@{n % 7}.{n % 13}",
            "supplier": {"name": f"Example Org {n % 300}"},
        }
        for n in range(20_000)
    ]
    engine = {"type": "library", "name": "antivirus-engine", "supplier": {"name": "AO Kaspersky Lab"}}
    embedding = 0
    for i in range(files):
        parts = rng.sample(pool, components)
        if i % 50 == 0:
            parts[-1] = engine
            embedding += 1
        bom = {
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "metadata": {"component": {"type": "device", "name": f"appliance-{i}", "version": "1"}},
            "components": parts,
        }
        (folder / f"appliance-{i}.cdx.json").write_bytes(orjson.dumps(bom))
    return embedding


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--components", type=int, default=500)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/vs-bench-sbom"))
    opts = parser.parse_args()
    shutil.rmtree(opts.dir, ignore_errors=True)
    boms = opts.dir / "boms"
    boms.mkdir(parents=True)
    expected = generate(boms, opts.files, opts.components)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from vendorscope.service import Service

    service = Service(str(opts.dir / "store.db"))
    service.store  # noqa: B018  (open and migrate before timing)
    start, cpu = time.perf_counter(), time.process_time()
    report = service.ingest([boms])
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    hosts = service.hosts_with("kaspersky")
    kinds = {f["kind"] for f in service.findings("kaspersky")}
    service.close()
    assert report.ok and report.count("ingested") == opts.files, report.files[:3]
    assert len(hosts) == expected and kinds == {"embedded"}, (len(hosts), expected, kinds)
    items = report.items
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{opts.files:,} CycloneDX files x {opts.components} components: {elapsed:.1f} s wall, {cpu:.1f} s CPU; "
        f"{opts.files / elapsed:,.1f} files/s, {items / elapsed:,.0f} components/s "
        f"({items / cpu:,.0f} per CPU-s), peak RSS {rss:.0f} MB, "
        f"{len(hosts)} embedded findings as expected"
    )
    shutil.rmtree(opts.dir)
    os.sync()


if __name__ == "__main__":
    main()
