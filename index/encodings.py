"""The text of a fetched web page, decoded as a browser would (the only charset_normalizer import).

In order: a byte-order mark; the charset of the HTTP ``Content-Type`` header; the page's own
``<meta charset>`` or ``<meta http-equiv="Content-Type">`` in its first bytes; UTF-8 when the
bytes are valid UTF-8; else charset-normalizer's best guess; else Windows-1252. Labels are
read as the WHATWG Encoding standard reads them (``iso-8859-1`` and ``ascii`` are
Windows-1252). A declared encoding that the bytes do not fit is still used, with
replacement characters where they do not fit, as a browser shows it: no page a browser
would show is dropped.
"""

from __future__ import annotations

import codecs
import re

BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
META_SCAN_BYTES = 4096  # browsers look at the first 1024 bytes; pages with long heads get a little more room
FALLBACK = "cp1252"
WHATWG_ALIASES = {  # labels whose WHATWG meaning differs from Python's codec of the same name
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "l1": "cp1252",
    "ascii": "cp1252", "us-ascii": "cp1252", "iso-8859-9": "cp1254", "latin5": "cp1254",
    "tis-620": "cp874", "iso-8859-11": "cp874", "x-sjis": "shift_jis", "gb2312": "gb18030", "gbk": "gb18030",
    "utf-16": "utf-16-le", "unicode": "utf-16-le",
}
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def decode_page(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """The page's text and the name of the encoding it was read in."""
    for bom, encoding in BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(encoding, errors="replace"), encoding
    declared = header_charset(content_type) or meta_charset(body)
    if declared:
        return body.decode(declared, errors="replace"), declared
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    guessed = detected_charset(body) or FALLBACK
    return body.decode(guessed, errors="replace"), guessed


def header_charset(content_type: str | None) -> str | None:
    found = _HEADER_CHARSET.search(content_type or "")
    return codec_for(found.group(1)) if found else None


def meta_charset(body: bytes) -> str | None:
    found = _META_CHARSET.search(body[:META_SCAN_BYTES])
    if not found:
        return None
    codec = codec_for(found.group(1).decode("ascii", errors="ignore"))
    return "utf-8" if codec and codec.startswith("utf-16") else codec  # a page read as ASCII cannot be UTF-16


def codec_for(label: str) -> str | None:
    """Python's codec for an encoding label, as browsers read the label; None when unknown."""
    label = label.strip().lower()
    label = WHATWG_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def detected_charset(body: bytes) -> str | None:
    """charset-normalizer's best guess for bytes that declare nothing and are not UTF-8."""
    from charset_normalizer import from_bytes  # imported here: only pages that declare nothing need it

    best = from_bytes(body).best()
    return codec_for(best.encoding) if best is not None else None
