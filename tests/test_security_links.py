"""Symbolic links out of the named input folders are not followed (issue 11, failure 6).

``records ingest`` once made /etc/passwd, linked into the input folder, a producible document; ``ingest``
read a JSONL outside the folder the same way. Now: one line per skipped link, the rest goes in, and
``--follow-links`` reads them when asked.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from tests.server_support import KES
from vendorscope.records.ingest import walk as records_walk
from vendorscope.sources.reader import walk, walk_in_order


def _tree(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.jsonl").write_bytes(orjson.dumps({"host": "secret-ws", **KES}) + b"\n")
    (outside / "notes.txt").write_text("Kaspersky risk memo outside the custodian's folder\n", encoding="utf-8")
    inp = tmp_path / "in"
    (inp / "sub").mkdir(parents=True)
    (inp / "good.jsonl").write_bytes(orjson.dumps({"host": "ws-1", **KES}) + b"\n")
    (inp / "memo.txt").write_text("Assessment of Kaspersky products, 2017\n", encoding="utf-8")
    (inp / "secret.jsonl").symlink_to(outside / "secret.jsonl")
    (inp / "passwd.txt").symlink_to("/etc/passwd")
    (inp / "notes.txt").symlink_to(outside / "notes.txt")
    (inp / "escape").symlink_to(outside, target_is_directory=True)
    (inp / "sub" / "again.jsonl").symlink_to(inp / "good.jsonl")  # inside: read
    (inp / "loop").symlink_to(inp, target_is_directory=True)
    return inp


def test_walk_skips_links_out_of_the_roots_one_error_each(tmp_path: Path) -> None:
    inp = _tree(tmp_path)
    skipped: list = []
    files = list(walk([inp], skipped=skipped))
    assert [f.relative_to(inp).as_posix() for f in files] == ["good.jsonl", "memo.txt", "sub/again.jsonl"]
    assert sorted(Path(e.path).name for e in skipped) == ["escape", "notes.txt", "passwd.txt", "secret.jsonl"]
    assert all("outside the input folders" in str(e) and "\n" not in str(e) for e in skipped)
    followed = list(walk([inp], follow_links=True))
    assert {f.name for f in followed} >= {"secret.jsonl", "passwd.txt", "notes.txt"}
    # Naming the outside folder as a root too makes its links inside the roots.
    assert len(list(walk([inp, tmp_path / "outside"], skipped=(more := [])))) == 7 and len(more) == 1
    assert [Path(f) for f, _ in records_walk([inp])] == files


def test_records_walk_streams_the_same_files_in_sorted_order(tmp_path: Path) -> None:
    """``walk_in_order`` (folder by folder, as records ingest streams it) picks what ``walk`` picks, in the
    order ``sorted`` gives ``walk``'s paths: files beside folders of near names, hidden names, an ignore
    file, links in and out, a loop; with and without following links, from a relative path too."""
    inp = _tree(tmp_path)
    for name in ("a", "a0", "a.b", "b/c", "b/c0/d", "A", "a-z"):
        (inp / name).mkdir(parents=True, exist_ok=True)
        for leaf in ("a", "a0", "z.txt", ".hidden", "Thumbs.db", "skip.tmp"):
            (inp / name / leaf).write_text(f"{name}/{leaf}")
    (inp / "a" / ".vendorscopeignore").write_text("*.tmp\n")
    (inp / "a0.txt").write_text("beside the folder a0")
    (inp / ".git").mkdir()
    (inp / ".git" / "config").write_text("hidden folder")
    (inp / "b" / "up").symlink_to(inp / "a", target_is_directory=True)  # inside: walked only when following
    for follow in (False, True):
        expected: list = []
        listed = [str(p) for p in sorted(walk([inp], follow, expected))]
        streamed: list = []
        assert list(walk_in_order([inp], follow, streamed)) == listed
        assert sorted(map(str, streamed)) == sorted(map(str, expected)) and len(streamed) == len(expected)
        assert len(streamed) == (0 if follow else 4)  # the links out, one error each
    assert "a/skip.tmp" not in " ".join(listed) and "a0/skip.tmp" in " ".join(listed)
    import os

    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert list(walk_in_order([Path("in")])) == [str(p) for p in sorted(walk([Path("in")]))]
        os.chdir(inp)
        assert list(walk_in_order([Path(".")])) == [str(p) for p in sorted(walk([Path(".")]))]
    finally:
        os.chdir(here)


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vendorscope", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_ingest_and_records_ingest_do_not_follow_links_out(tmp_path: Path) -> None:
    inp = _tree(tmp_path)
    result = _run("--db", "s.db", "ingest", "in", "-q", cwd=tmp_path)
    assert result.returncode != 0
    links = [line for line in result.stderr.splitlines() if "symbolic link to" in line]
    assert len(links) == 4 and all(line.startswith("error: in/") for line in links), result.stderr
    assert "Traceback" not in result.stderr
    hosts = _run("--db", "s.db", "findings", "--format", "json", cwd=tmp_path)
    assert {f["host"] for f in orjson.loads(hosts.stdout)} == {"ws-1"}
    result = _run("--db", "s.db", "records", "ingest", "in", "--custodian", "alice", "--workers", "1", cwd=tmp_path)
    assert sum("symbolic link to" in line for line in result.stderr.splitlines()) == 4, result.stderr
    found = _run("--db", "s.db", "records", "search", "root", "--format", "json", cwd=tmp_path)
    assert "passwd" not in found.stdout
    stored = tmp_path / "s.db.records"
    assert not any(b"root:" in p.read_bytes() for p in stored.rglob("*") if p.is_file())
    assert inp.exists()


def test_follow_links_reads_them_when_asked(tmp_path: Path) -> None:
    _tree(tmp_path)
    result = _run("--db", "s.db", "ingest", "in", "-q", "--follow-links", cwd=tmp_path)
    assert "symbolic link" not in result.stderr
    hosts = _run("--db", "s.db", "findings", "--format", "json", cwd=tmp_path)
    assert {f["host"] for f in orjson.loads(hosts.stdout)} == {"ws-1", "secret-ws"}
