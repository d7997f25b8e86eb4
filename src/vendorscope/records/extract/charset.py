"""Bytes to text by the declared charset, then by detection (charset-normalizer), saying what was done.

Mail in the wild declares charsets Python knows under another name (``gb2312`` text that uses GBK
characters, ``ks_c_5601-1987``, ``windows-874``), declares the wrong one, or declares none and sends raw
8-bit. Each decode returns the text and, when it was not a plain decode by the declared charset, a note
that goes into the document's problems: the reader of the production sees how the text was obtained.
"""

from __future__ import annotations

import codecs

# Names mail uses for a charset that Python spells differently, or whose superset is the right decoder.
ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "windows-874": "cp874",
    "iso-8859-8-i": "iso-8859-8",
    "x-mac-cyrillic": "mac-cyrillic",
    "shift-jis": "cp932",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "unicode-1-1-utf-7": "utf-7",
    "us-ascii": "utf-8",  # a superset; raw 8-bit in "ASCII" mail is usually UTF-8
    "ascii": "utf-8",
    "ansi_x3.4-1968": "utf-8",
    "unknown-8bit": "",
    "x-unknown": "",
    "unknown": "",
    "default": "",
}


def codec(declared: str | None) -> str | None:
    """The Python codec for a declared charset, or None when unknown (or a placeholder like unknown-8bit)."""
    if not declared:
        return None
    name = declared.strip().strip('"').lower()
    name = ALIASES.get(name, name)
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(data: bytes, declared: str | None = None, what: str = "text") -> tuple[str, str | None]:
    """``data`` as text: the declared charset if it decodes cleanly, else UTF-8, else detection; a note
    (``None`` for a plain decode by the declared charset or UTF-8) says what was done."""
    name = codec(declared)
    if name:
        try:
            return data.decode(name), None
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if declared and not name:
            return text, f"{what}: unknown charset {declared!r}, read as UTF-8"
        return text, (f"{what}: declared {declared!r} but is UTF-8" if declared else None)
    guess = detect(data)
    said = (
        f"declared {declared!r} does not fit"
        if declared and name
        else (f"unknown charset {declared!r}" if declared else "no charset declared and not UTF-8")
    )
    if guess:
        return data.decode(guess, errors="replace"), f"{what}: {said}; detected {guess} (charset-normalizer)"
    return data.decode("cp1252", errors="replace"), f"{what}: {said}; nothing detected, read as Windows-1252"


# Among detections that fit equally well, the charsets mail most often comes in: short samples fit many
# single-byte code pages equally (cp1250 reads "déjà" as "déjŕ"), and the common one is the likely one.
PREFERRED = ("utf_8", "cp1252", "cp1251", "koi8_r", "gb18030", "big5", "cp932", "cp949", "iso8859_2", "cp1250")


def detect(data: bytes) -> str | None:
    """The most likely charset of ``data`` (charset-normalizer; ties go to the common mail charsets), or None."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[:65536]))
    if not matches:
        return None
    best = min(m.chaos for m in matches)
    group = [m for m in matches if m.chaos <= best + 0.01]
    for name in PREFERRED:
        for match in group:
            if name in match.could_be_from_charset:
                return name
    return group[0].encoding
