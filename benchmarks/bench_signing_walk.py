"""The code-signing walk over a generated tree of 20,000 files (5 % PE), side by side with `yara -r`
running a rule on the same signer name over the same tree (target: faster than yara).

Run: .venv/bin/python benchmarks/bench_signing_walk.py [--files 20000] [--pe-share 0.05]
Needs openssl and osslsigncode (signed PE templates are made once, then copied) and yara.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.collect_support import KASPERSKY_SUBJECT, LOOKALIKE_SUBJECT, make_cert, minimal_pe, sign_pe

from vendorscope.collect.model import Collection
from vendorscope.collect.signing import scan

RULE = """import "pe"
rule signed_by_vendor {
  condition:
    for any i in (0 .. pe.number_of_signatures - 1) : (pe.signatures[i].subject contains "AO Kaspersky Lab")
}
"""
EXTENSIONS = (".txt", ".json", ".png", ".log", ".xml", ".dat", ".html", ".so")


def templates(folder: Path) -> list[bytes]:
    """Vendor-signed, look-alike-signed and unsigned PE images (PE files in the tree are copies)."""
    unsigned = folder / "plain.exe"
    unsigned.write_bytes(minimal_pe(b"\x90" * 300 + b"\xc3"))
    vendor = sign_pe(unsigned, folder / "vendor.exe", *make_cert(folder, KASPERSKY_SUBJECT))
    other = sign_pe(unsigned, folder / "other.exe", *make_cert(folder, LOOKALIKE_SUBJECT))
    return [vendor.read_bytes(), other.read_bytes(), unsigned.read_bytes()]


def build_tree(root: Path, files: int, pe_share: float, pes: list[bytes], rng: random.Random) -> int:
    """Files in nested folders; sizes 1-64 KiB for data files. Returns how many are vendor-signed."""
    vendor_signed = 0
    for index in range(files):
        folder = root / f"d{index % 50:02d}" / f"s{index % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        if rng.random() < pe_share:
            kind = rng.randrange(3)
            vendor_signed += kind == 0
            (folder / f"f{index}.{rng.choice(['exe', 'dll', 'bin'])}").write_bytes(pes[kind])
        else:
            size = rng.randint(1024, 64 * 1024)
            (folder / f"f{index}{rng.choice(EXTENSIONS)}").write_bytes(rng.randbytes(size))
    return vendor_signed


def drop_caches_note() -> str:
    return "warm page cache for both tools (the tree was just written; each tool is run once before timing)"


def time_vendorscope(root: Path) -> tuple[float, int]:
    start = time.perf_counter()
    found = [item for item, _ in scan(Collection(), [root]) if "AO Kaspersky Lab" in item.signer]
    return time.perf_counter() - start, len(found)


def time_yara(root: Path, rule: Path, threads: int) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(["yara", "-r", "-p", str(threads), str(rule), str(root)], capture_output=True, text=True)
    return time.perf_counter() - start, len(done.stdout.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--pe-share", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    for tool in ("yara", "openssl", "osslsigncode"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed (apt-get install {tool})")
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "tree"
        vendor = build_tree(root, args.files, args.pe_share, templates(Path(work)), random.Random(args.seed))
        rule = Path(work) / "rule.yar"
        rule.write_text(RULE)
        time_vendorscope(root), time_yara(root, rule, 1)  # warm the page cache for both
        ours, ours_found = time_vendorscope(root)
        yara1, yara1_found = time_yara(root, rule, 1)
        yara_n, _ = time_yara(root, rule, 2)
    print(f"tree: {args.files:,} files, {args.pe_share:.0%} PE, {vendor} signed by the vendor; {drop_caches_note()}")
    print(f"vendorscope signing walk: {ours:.2f} s, {ours_found} vendor-signed files found (1 process)")
    print(f"yara -r -p 1:             {yara1:.2f} s, {yara1_found} matches")
    print(f"yara -r -p 2:             {yara_n:.2f} s")
    print(f"vendorscope / yara(-p 1) = {ours / yara1:.2f}; target < 1: {'met' if ours < yara1 else 'MISSED'}")


if __name__ == "__main__":
    main()
