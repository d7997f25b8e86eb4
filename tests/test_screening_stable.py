"""Screening names the same closest entity with the same score in every process: the CLI and the web server
are two processes with different string hashing, and once disagreed on names like these."""

from __future__ import annotations

import json
import os
import subprocess
import sys

NAMES = ["Lab Comm", "Hik Net", "Data ZT", "Kasper Labs", "Acme Federal Systems LLC"]
SCRIPT = """
import json, sys
from vendorscope.catalog.loader import load_catalogs
from vendorscope.orgs.screening.lists import covered_entities
from vendorscope.orgs.screening.screener import Screener
screener = Screener(covered_entities(load_catalogs([])))
print(json.dumps([screener.screen(name).as_dict() for name in sys.argv[1:]], sort_keys=True))
"""


def screen_in_a_process(hash_seed: str) -> list[dict[str, object]]:
    env = os.environ | {"PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-c", SCRIPT, *NAMES], capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_the_same_name_gets_the_same_answer_in_every_process() -> None:
    first = screen_in_a_process("1")
    assert all(first == screen_in_a_process(seed) for seed in ("2", "3"))
    assert {r["name"] for r in first} == set(NAMES)
