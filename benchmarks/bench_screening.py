"""Screening benchmark: throughput against all lists, and precision/recall on a generated labelled set.

    python benchmarks/bench_screening.py [--names 40000] [--seed 7]

Positives are variants of every name of every covered entity (case, punctuation, legal forms of other
countries, one typo in a long word, word order, Latin transliteration of Cyrillic names); negatives are
hand-picked look-alikes plus generated company names. Targets: >= 10,000 names/s on 2 cores,
recall >= 0.98, precision >= 0.97 on >= 500 variants.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from concurrent.futures import ProcessPoolExecutor

from normality import ascii_text

from vendorscope.catalog.loader import load_catalogs
from vendorscope.orgs.screening.lists import Listed, covered_entities
from vendorscope.orgs.screening.screener import Screener

LEGAL_FORMS = ["Inc.", "LLC", "Ltd", "Limited", "Co., Ltd.", "Corp.", "Corporation", "GmbH", "S.A.", "AO", "ООО", "PLC"]
LOOK_ALIKES = [
    "Kasper Systems LLC",
    "Casper Sleep Inc.",
    "Sky Labs",
    "Doctor Web",
    "ООО «Доктор Веб»",
    "Kasper",
    "Kaspar Lab Supplies",
    "Lab Corp",
    "Kaspa Networks",
    "Kasperson Consulting",
    "Spersky Inc",
    "Huawen Foods Co",
    "Hua Yang Trading",
    "Zeta Corporation",
    "ZT Systems",
    "Hytech Communications",
    "Hyatt Corporation",
    "Hickory Vision LLC",
    "Dahl Technology",
    "Dahlia Technologies",
    "Daqua Technology",
    "China Airlines",
    "China Steel Corporation",
    "Pacific Gas and Electric Company",
    "Pacific Networks Group",
    "Comnetix Inc",
    "Futurewave Technologies",
    "Skyline Tech Co",
    "Hisense Co Ltd",
    "Hikari Vision",
    "Group-IB",
    "Positive Technologies",
    "ESET spol. s r.o.",
    "Avast Software s.r.o.",
    "Sophos Ltd",
    "McAfee LLC",
    "NortonLifeLock Inc.",
    "Trend Micro Incorporated",
]
WORDS = [
    "Acme",
    "Blue",
    "River",
    "Summit",
    "Pioneer",
    "Federal",
    "Systems",
    "Solutions",
    "Networks",
    "Data",
    "Cyber",
    "Secure",
    "Global",
    "Technologies",
    "Consulting",
    "Labs",
    "Group",
    "Partners",
    "Digital",
    "Cloud",
    "Vision",
    "Mobile",
    "Security",
    "Software",
    "Analytics",
    "Integrators",
    "Services",
    "Northwind",
    "Harbor",
    "Granite",
    "Keystone",
    "Liberty",
    "Patriot",
    "Capital",
    "Atlas",
    "Orion",
    "Beacon",
    "Vector",
    "Quantum",
    "Sterling",
]


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(("drop", "swap", "sub", "double"))
    if op == "drop":
        return word[:i] + word[i + 1 :]
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == "sub":
        return word[:i] + rng.choice("aeiouy") + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def variants(entity: Listed, rng: random.Random) -> list[str]:
    """Realistic ways a contracting record writes one of the entity's names."""
    out = []
    for name in entity.names:
        words = name.replace(",", "").split()
        out += [name.upper(), name.lower(), f"{name} {rng.choice(LEGAL_FORMS)}"]
        if not name.isascii():
            out.append(ascii_text(name).replace("<<", "").replace(">>", ""))
        long_words = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha() and w.isascii()]
        if long_words:
            i = rng.choice(long_words)
            out.append(" ".join([*words[:i], typo(words[i], rng), *words[i + 1 :]]))
        if len(words) == 2 and name.isascii():
            out.append(f"{words[1]} {words[0]}")
    return out


def labelled(entities: list[Listed], seed: int) -> list[tuple[str, str | None]]:
    rng = random.Random(seed)
    positives = [(v, e.id) for e in entities for v in variants(e, rng)]
    generated = {" ".join(rng.sample(WORDS, rng.choice((1, 2, 3)))) + f" {rng.choice(LEGAL_FORMS)}" for _ in range(400)}
    negatives = [(n, None) for n in [*LOOK_ALIKES, *sorted(generated)]]
    return positives + negatives


def accuracy(screener: Screener, cases: list[tuple[str, str | None]]) -> dict[str, object]:
    results = screener.screen_many([name for name, _ in cases])
    tp = sum(1 for (_, want), r in zip(cases, results, strict=True) if want and r.covered)
    fn = [(n, r.explanation) for (n, want), r in zip(cases, results, strict=True) if want and not r.covered]
    fp = [(n, r.explanation) for (n, want), r in zip(cases, results, strict=True) if not want and r.covered]
    right_entity = sum(1 for (_, want), r in zip(cases, results, strict=True) if want and r.entity_id == want)
    return {
        "variants": len(cases),
        "positives": tp + len(fn),
        "negatives": len(cases) - tp - len(fn),
        "recall": tp / (tp + len(fn)),
        "precision": tp / (tp + len(fp)) if tp + len(fp) else 1.0,
        "same entity": right_entity / (tp + len(fn)),
        "misses": fn[:5],
        "false alarms": fp[:5],
    }


_WORKER: Screener | None = None


def _init() -> None:
    global _WORKER
    _WORKER = Screener(covered_entities(load_catalogs()))


def _screen_chunk(names: list[str]) -> int:
    assert _WORKER is not None
    return sum(r.covered for r in _WORKER.screen_many(names))


def throughput(names: list[str], workers: int) -> float:
    """Names per wall-clock second (one process in this one, or a pool of ``workers``)."""
    if workers == 1:
        screener = Screener(covered_entities(load_catalogs()))
        start, cpu = time.perf_counter(), time.process_time()
        screener.screen_many(names)
        cpu = time.process_time() - cpu
        print(
            f"CPU time, 1 process: {cpu / len(names) * 1e6:.1f} µs per name, "
            f"{len(names) / cpu:,.0f} names per CPU-second"
        )
        return len(names) / (time.perf_counter() - start)
    chunks = [names[i : i + 2000] for i in range(0, len(names), 2000)]
    with ProcessPoolExecutor(workers, initializer=_init) as pool:
        list(pool.map(_screen_chunk, [names[:10]] * workers))  # warm up the workers
        start = time.perf_counter()
        list(pool.map(_screen_chunk, chunks))
        return len(names) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--names", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    entities = covered_entities(load_catalogs())
    screener = Screener(entities)
    cases = labelled(entities, args.seed)
    stats = accuracy(screener, cases)
    print(f"lists: {len(entities)} covered entities, {len(screener.keys)} names")
    for key, value in stats.items():
        print(f"{key}: {value:.4f}" if isinstance(value, float) else f"{key}: {value}")
    rng = random.Random(args.seed)
    names = [f"{' '.join(rng.sample(WORDS, 2))} {i} {rng.choice(LEGAL_FORMS)}" for i in range(args.names)]
    names[::10] = [rng.choice(cases)[0] + f" {i}" for i in range(0, args.names, 10)]
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    for workers in sorted({1, min(2, os.cpu_count() or 1)}):
        rate = throughput(names, workers)
        print(f"throughput, {workers} process(es): {rate:,.0f} names/s over {len(names):,} distinct names")


if __name__ == "__main__":
    main()
