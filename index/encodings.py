"""Text from bytes, decoded as a browser would: fetched pages and article files (the only charset_normalizer import).

In order: a byte-order mark; the charset of the HTTP ``Content-Type`` header (pages fetched from
the web); the page's own ``<meta charset>`` or ``<meta http-equiv="Content-Type">`` in its first
bytes (web pages and HTML files); UTF-8 when the bytes are valid UTF-8; else charset-normalizer's
best guess; else Windows-1252. Labels are read as the WHATWG Encoding standard reads them
(``iso-8859-1`` and ``ascii`` are Windows-1252, ``gb2312`` is GB18030). A declared encoding that
the bytes do not fit is still used, with replacement characters where they do not fit, as a
browser shows it: no page a browser would show is dropped.

charset-normalizer tries the encodings browsers guess among (``COMMON``), one at a time, and
often finds several that fit the bytes equally well (a short Italian text reads as well in
Windows-1250 as in Windows-1252): among those, the one more of the web is written in wins. A
short text whose letters two encodings write alike but for one (a Polish sentence without ś or ź
but with ą) can still be misread: its declaration, when it has one, decides.
"""

from __future__ import annotations

import codecs
import re

BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
FILE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), *BOMS)  # UTF-32's first: FF FE 00 00
META_SCAN_BYTES = 4096  # browsers look at the first 1024 bytes; pages with long heads get a little more room
FALLBACK = "cp1252"
WHATWG_ALIASES = {  # labels whose WHATWG meaning differs from Python's codec of the same name
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "l1": "cp1252",
    "ascii": "cp1252", "us-ascii": "cp1252", "iso-8859-9": "cp1254", "latin5": "cp1254",
    "tis-620": "cp874", "iso-8859-11": "cp874", "x-sjis": "shift_jis", "gb2312": "gb18030", "gbk": "gb18030",
    "utf-16": "utf-16-le", "unicode": "utf-16-le",
}
# The encodings browsers guess among, most used on the web first (Python's codec names): the only
# ones charset-normalizer tries (not EBCDIC or Mac code pages), and the tie-break between guesses
# that fit equally well. ISO-8859-2 precedes Windows-1250: a text in Windows-1250 with its letters
# š, ž, ś, ź (bytes 0x8A-0x9F) does not fit ISO-8859-2, so a tie means there are none.
COMMON = (
    "utf-8", "cp1252", "iso8859-2", "cp1250", "cp1251", "gb18030", "cp932", "euc_jp", "iso2022_jp", "cp949",
    "big5", "koi8-r", "koi8-u", "cp866", "iso8859-5", "iso8859-15", "cp1253", "iso8859-7", "cp1254", "cp1257",
    "iso8859-13", "cp1256", "iso8859-6", "cp1255", "iso8859-8", "cp874", "cp1258",
)
CHAOS_TIE = 0.001  # guesses this close to the best one's mess ratio fit as well…
COHERENCE_TIE = 0.05  # …and, of those, guesses this close to the most coherent one read as well
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
    return decode_undeclared(body)


def decode_file(data: bytes, markup: bool = False) -> tuple[str, str]:
    """A file's text and the name of the encoding it was read in: as ``decode_page`` without an
    HTTP header, a UTF-32 byte-order mark counting too; an HTML file's (``markup``) own
    declaration is honoured."""
    for bom, encoding in FILE_BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace"), encoding
    return decode_page(data) if markup else decode_undeclared(data)


def decode_undeclared(body: bytes) -> tuple[str, str]:
    """Bytes that declare nothing: UTF-8 if valid, else the best guess, else Windows-1252."""
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
    """charset-normalizer's best guess for bytes that declare nothing and are not UTF-8: of the
    encodings that fit them best (least mess, then the most coherent letters), the most common one."""
    from charset_normalizer import from_bytes  # imported here: only pages that declare nothing need it

    fits = []
    for codec in COMMON[1:]:  # one at a time: it skips an encoding "too similar" to one that failed
        match = from_bytes(body, cp_isolation=[codec]).best()
        if match is not None:
            fits.append((match.chaos, match.coherence, codec))
    if not fits:
        return None
    least = min(chaos for chaos, _, _ in fits)
    fits = [fit for fit in fits if fit[0] <= least + CHAOS_TIE]
    most = max(coherence for _, coherence, _ in fits)
    return next(codec for _, coherence, codec in fits if coherence >= most - COHERENCE_TIE)  # in COMMON's order
