"""The hand split of plain MIME (extract/mime.py) builds exactly the standard parser's tree, or declines.

Compared on the records benchmark's generated mail, on the labelled sample mail, on messages made with the
standard library, on odd cases each named, and on seeded random mutations of all of them; and the extracted
documents (text, metadata, attachments, hashes, errors) are compared with the fast path switched off.
"""

from __future__ import annotations

import importlib.util
import random
from email import policy
from email.message import Message
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

from tests.records_corpus import docx_bytes, email_bytes, pdf_bytes
from vendorscope.records.extract import extract, mime

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "tests" / "data" / "records").rglob("*.eml"))
FULL = BytesParser(policy=policy.compat32)


def _bench_mail(count: int) -> list[bytes]:
    """The records benchmark's own generator (benchmarks/bench_records.py), first ``count`` messages."""
    spec = importlib.util.spec_from_file_location("bench_records", ROOT / "benchmarks" / "bench_records.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rng = random.Random(2013)
    return [bench.email(rng, n) for n in range(count)]


GENERATED = _bench_mail(300)
MADE = [  # made with the standard library; all but the last take the fast path
    email_bytes("plain", "Kaspersky body\nsecond line"),
    email_bytes("alt", "text part", html="<p>html <b>part</b></p>"),
    email_bytes("att", "see", attachments=[("r.pdf", pdf_bytes("Kaspersky report"), "application/pdf")]),
    email_bytes("docx", "see", attachments=[("n.docx", docx_bytes("KES notes"), "application/octet-stream")]),
    email_bytes("utf8", "Лаборатория Касперского", sender="Иван <ivan@agency.example>"),
    email_bytes("fwd", "fwd", attachments=[("f.eml", email_bytes("inner", "Kaspersky inner"), "message/rfc822")]),
]
HEAD = b"From: a@agency.example\nTo: b@agency.example\nSubject: odd\nDate: Mon, 2 Jan 2017 10:00:00 +0000\n"
MULTI = b'Content-Type: multipart/mixed; boundary="b1"\n'
PART = b"--b1\nContent-Type: text/plain\n\nbody one\n"
ODD = {  # name: (message, whether the hand split may take it)
    "lf only": (HEAD + MULTI + b"\n" + PART + b"--b1--\n", True),
    "crlf": ((HEAD + MULTI + b"\n" + PART + b"--b1--\n").replace(b"\n", b"\r\n"), True),
    "preamble and epilogue": (HEAD + MULTI + b"\npreamble\n\n" + PART + b"--b1--\nepilogue\n\n", True),
    "close at end of file": (HEAD + MULTI + b"\n" + PART + b"--b1--", True),
    "boundary with trailing blanks": (HEAD + MULTI + b"\n--b1  \nContent-Type: text/plain\n\nx\n--b1-- \t\n", True),
    "boundary-like line inside a part": (HEAD + MULTI + b"\n" + PART + b"--b1x\n--b1 y\n--b1--\n", True),
    "part without headers": (HEAD + MULTI + b"\n--b1\n\nheaderless\n--b1--\n", True),
    "empty part body": (HEAD + MULTI + b"\n--b1\nContent-Type: text/plain\n\n--b1--\n", True),
    "no headers at all": (b"\njust a body\n", True),
    "continued header": (HEAD.replace(b"Subject: odd", b"Subject: odd\n\tcontinued") + b"\nbody\n", True),
    "raw 8-bit header": (HEAD.replace(b"odd", "Касперский".encode()) + b"\nbody\n", True),
    "missing close boundary": (HEAD + MULTI + b"\n" + PART, False),
    "missing start boundary": (HEAD + MULTI + b"\nno parts here\n", False),
    "close boundary first": (HEAD + MULTI + b"\n--b1--\n" + PART, False),
    "doubled boundary": (HEAD + MULTI + b"\n--b1\n" + PART + b"--b1--\n", False),
    "no boundary parameter": (HEAD + b"Content-Type: multipart/mixed\n\n" + PART + b"--b1--\n", False),
    "encoded multipart": (HEAD + MULTI + b"Content-Transfer-Encoding: base64\n\n" + PART + b"--b1--\n", False),
    "bare CR": (HEAD + b"\nline\rmore\n", False),
    "continuation first": (b" folded\n" + HEAD + b"\nbody\n", False),
    "envelope line": (b"From someone Mon Jan  2 10:00:00 2017\n" + HEAD + b"\nbody\n", False),
    "misplaced envelope": (HEAD + b"From someone else\nX-A: b\n\nbody\n", False),
    "nameless header": (HEAD + b": no name\n\nbody\n", False),
    "body without separator": (HEAD + b"this is body text\n\nmore\n", False),
    "headers only": (HEAD, False),
    "part headers run into the boundary": (HEAD + MULTI + b"\n--b1\nContent-Type: text/plain\n--b1--\n", False),
    "nested multipart": (
        HEAD + MULTI + b"\n--b1\nContent-Type: multipart/alternative; boundary=b2\n\n--b2\n\nx\n--b2--\n--b1--\n",
        False,
    ),
    "forwarded message": (HEAD + b"Content-Type: message/rfc822\n\n" + HEAD + b"\ninner\n", False),
    "digest": (HEAD + b'Content-Type: multipart/digest; boundary="b1"\n\n' + PART + b"--b1--\n", False),
}


def tree(msg: Message) -> dict[str, Any]:
    """Everything a Message holds (headers, payloads, preamble, epilogue, defects), parts included."""
    state = dict(vars(msg))
    payload = state.pop("_payload")
    state["defects"] = [(type(d).__name__, str(d)) for d in msg.defects]
    state["_payload"] = [tree(p) for p in payload] if isinstance(payload, list) else payload
    return state


def same_as_parser(data: bytes) -> bool:
    """Whether the hand split took the message; if it did, its tree must be the parser's."""
    fast = mime.parse(data)
    if fast is not None:
        assert tree(fast) == tree(FULL.parsebytes(data)), data[:300]
    return fast is not None


def test_generated_and_sample_mail_take_the_fast_path_with_the_parsers_tree() -> None:
    for data in GENERATED + MADE[:-1] + [p.read_bytes() for p in SAMPLES]:
        assert same_as_parser(data), data[:300]
    assert not same_as_parser(MADE[-1])  # a forwarded message (message/rfc822 inside) is the parser's


@pytest.mark.parametrize("name", sorted(ODD))
def test_odd_cases_match_the_parser_or_fall_back(name: str) -> None:
    data, fast = ODD[name]
    assert same_as_parser(data) is fast
    if not fast:  # what the parser reads with a defect is left to it, so the defect is still reported
        assert mime.parse(data) is None


ODD_LINES = [
    b"--b1",
    b"--b1--",
    b"--b1 ",
    b"--b2",
    b" continued",
    b"\tcontinued",
    b"From x",
    b": nameless",
    b"not a header",
    b"",
    b"Content-Type: multipart/mixed; boundary=b1",
    b"Content-Type: message/rfc822",
    b"Content-Transfer-Encoding: base64",
    b"X-Odd:\xff\xfe",
    b"line\rwith CR",
]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to three random edits by line: delete, duplicate, insert an odd line, cut, or change line ends."""
    for _ in range(rng.randint(1, 3)):
        lines = data.split(b"\n")
        at = rng.randrange(len(lines))
        roll = rng.random()
        if roll < 0.25:
            del lines[at]
        elif roll < 0.4:
            lines.insert(at, lines[at])
        elif roll < 0.85:
            lines.insert(at, rng.choice(ODD_LINES) + (b"\r" if rng.random() < 0.3 else b""))
        elif roll < 0.95:
            return b"\n".join(lines)[: rng.randrange(len(data) + 1)]
        else:
            return data.replace(b"\r\n", b"\n") if b"\r\n" in data else data.replace(b"\n", b"\r\n")
        data = b"\n".join(lines)
    return data


def test_random_mutations_match_the_parser_or_fall_back() -> None:
    rng = random.Random(13)
    bases = GENERATED[:40] + MADE + [data for data, _ in ODD.values()]
    taken = declined = 0
    for _ in range(3000):
        if same_as_parser(mutate(rng.choice(bases), rng)):
            taken += 1
        else:
            declined += 1
    assert taken > 500 and declined > 500  # both sides of the split were exercised


def test_documents_are_identical_with_and_without_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    mail = GENERATED + MADE + [p.read_bytes() for p in SAMPLES] + [data for data, _ in ODD.values()]
    fast = [extract(data, f"m{n}.eml") for n, data in enumerate(mail)]
    monkeypatch.setattr(mime, "parse", lambda data: None)
    full = [extract(data, f"m{n}.eml") for n, data in enumerate(mail)]
    assert fast == full
    assert sum(len(docs[0].children) for docs in fast) > 100  # attachments (PDF, DOCX, text) were compared too
