"""Coverage-guided fuzzing of every input format with atheris (``make fuzz``; the Hypothesis tests run first).

The first input byte picks a format (``sources.FORMATS``), the rest is the file; the seeds of
``tests/data/fuzz-corpus/seeds`` start the corpus. A parser may yield problems, never raise: any exception is a
crasher, which atheris writes to ``crash-<sha1>``; keep it under ``tests/data/fuzz-corpus/crashers/<format>/``.

    .venv/bin/python benchmarks/fuzz_atheris.py -atheris_runs=20000
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from vendorscope import sources
    from vendorscope.sources.base import Hints
    from vendorscope.sources.limits import Limits
    from vendorscope.sources.read_ahead import read_records

FORMATS = sorted(f.name for f in sources.FORMATS if f.name != "mapped-csv")
HINTS = Hints(host="fuzz-host", limits=Limits(4 * 1024 * 1024, 100_000))
SEEDS = Path(__file__).resolve().parent.parent / "tests" / "data" / "fuzz-corpus" / "seeds"


def one_input(data: bytes) -> None:
    if not data:
        return
    name = FORMATS[data[0] % len(FORMATS)]
    body = data[1:]
    for _record in read_records(name, f"fuzz.{name}", HINTS, opener=lambda: io.BytesIO(body)):
        pass


def main() -> None:
    corpus = Path(tempfile.mkdtemp(prefix="vendorscope-fuzz-"))
    for seed in sorted(SEEDS.glob("*.seed")):
        if seed.stem in FORMATS:
            (corpus / seed.stem).write_bytes(bytes([FORMATS.index(seed.stem)]) + seed.read_bytes())
    atheris.Setup([*sys.argv, str(corpus)], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
