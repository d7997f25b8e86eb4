"""A message's MIME structure split by hand where that is safe, the standard parser everywhere else.

Why: the standard library's ``email.feedparser`` reads a message line by line through several layers of
generators, which was a third of the records extraction (base64 attachments are hundreds of lines). Most
mail is plain: headers, a blank line, then either one body or one level of parts between boundary lines.
For exactly that shape :func:`parse` builds the same ``Message`` tree the standard parser builds (same
headers through the same ``policy.compat32.header_source_parse``, same payloads, preamble and epilogue),
with ``str.find`` instead of a generator per line. Anything else returns ``None`` and the caller uses the
full parser: a bare CR, a header line the parser would flag (continuation first, ``From `` lines, missing
name or separator), parts inside parts, ``message/*`` (forwarded mail, delivery reports), digests, a
multipart without a boundary or its closing line, doubled boundary lines, or a multipart declared with a
transfer encoding. So every defect the full parser would report is still reported by the full parser;
``tests/test_records_mime.py`` compares the two trees on generated and sample mail, odd cases included.
"""

from __future__ import annotations

import re
from email import policy
from email.message import Message
from itertools import pairwise

_POLICY = policy.compat32
_HEADER = re.compile(r"[\041-\071\073-\176]*:")  # the feedparser's header-line pattern, less ``From `` and WS
_BOUNDARY_END = re.compile(r"(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$")  # as the feedparser's
_SAFE_ENCODINGS = ("7bit", "8bit", "binary")


def parse(data: bytes) -> Message | None:
    """The message as ``BytesParser(policy=compat32).parsebytes`` would build it, or None when the hand split
    is not sure to match it."""
    text = data.decode("ascii", "surrogateescape")
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return None  # a bare CR ends a line for the parser: too odd to split by hand
    head = _headers(text, 0, len(text))
    if head is None:
        return None
    msg, start = head
    maintype = msg.get_content_maintype()
    if maintype == "message":
        return None
    if maintype != "multipart":
        msg.set_payload(text[start:])
        return msg
    if msg.get_content_subtype() == "digest":
        return None
    if str(msg.get("content-transfer-encoding", "8bit")).lower() not in _SAFE_ENCODINGS:
        return None
    boundary = msg.get_boundary()
    return _multipart(msg, text, start, "--" + boundary) if boundary is not None else None


def _multipart(msg: Message, text: str, start: int, separator: str) -> Message | None:
    """Split the body at the boundary lines; each part must be a leaf (no parts or messages inside)."""
    lines = _boundary_lines(text, start, separator)
    if len(lines) < 2 or lines[0][2] or not lines[-1][2] or any(end for _, _, end in lines[:-1]):
        return None  # no start or no close boundary, or parts after the close: the parser's defects
    if lines[0][0] > start:
        msg.preamble = _strip_eol(text[start : lines[0][0]])
    for (_, after, _), (begin, _, _) in pairwise(lines):
        if after == begin:
            return None  # two boundary lines in a row: the parser skips the second
        part = _headers(text, after, begin)
        if part is None:
            return None
        child, body = part
        if child.get_content_maintype() in ("multipart", "message"):
            return None
        child.set_payload(_strip_eol(text[body:begin]))
        msg.attach(child)
    msg.epilogue = text[lines[-1][1] :]
    return msg


def _boundary_lines(text: str, start: int, separator: str) -> list[tuple[int, int, bool]]:
    """(start, end, is-closing) of every line from ``start`` on that the parser takes for a boundary, up to
    and including the first closing one."""
    found: list[tuple[int, int, bool]] = []
    at = start
    while True:
        at = text.find(separator, at)
        if at < 0:
            return found
        if at == start or text[at - 1] == "\n":
            eol = text.find("\n", at)
            end = len(text) if eol < 0 else eol + 1
            match = _BOUNDARY_END.match(text[at:end], len(separator))
            if match:
                found.append((at, end, bool(match.group("end"))))
                if match.group("end"):
                    return found
            at = end
        else:
            at += len(separator)


def _headers(text: str, start: int, stop: int) -> tuple[Message, int] | None:
    """A message with the header block that starts at ``start`` (it must end at a blank line before
    ``stop``), and where its body starts; None for a block the parser would read with a defect or a
    different ending."""
    msg = Message(policy=_POLICY)
    if text.startswith(("\r\n", "\n"), start, stop):
        return msg, text.index("\n", start) + 1  # no headers: the blank line is the separator
    end = _blank_line(text, start, stop)
    if end < 0:
        return None
    current: list[str] = []
    for line in text[start:end].split("\n"):
        line += "\n"
        if line[0] in " \t":
            if not current:
                return None  # a continuation first: the parser's FirstHeaderLineIsContinuationDefect
            current.append(line)
            continue
        if line.startswith("From ") or line[0] == ":" or not _HEADER.match(line):
            return None  # envelope lines, nameless headers and body-like lines: the parser's defects
        if current:
            msg.set_raw(*_POLICY.header_source_parse(current))
        current = [line]
    if current:
        msg.set_raw(*_POLICY.header_source_parse(current))
    return msg, text.index("\n", end + 1) + 1


def _blank_line(text: str, start: int, stop: int) -> int:
    """Index of the newline that ends the last header line before the first blank line, or -1."""
    lf = text.find("\n\n", start, stop)
    crlf = text.find("\n\r\n", start, stop)
    if lf < 0:
        return crlf
    return lf if crlf < 0 else min(lf, crlf)


def _strip_eol(value: str) -> str:
    """The newline before a boundary belongs to the boundary (RFC 2046), as the parser has it."""
    if value.endswith("\r\n"):
        return value[:-2]
    return value[:-1] if value.endswith("\n") else value
