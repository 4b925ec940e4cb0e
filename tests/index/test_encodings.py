"""Pages decoded as a browser decodes them: the header's charset, the page's meta, UTF-8, then detection."""

from __future__ import annotations

import pytest

from index.encodings import decode_page
from tests.web import CHINESE, CZECH, POLISH, article_page

ITALIAN = "Perché la città è più bella: caffè, università e virtù."


@pytest.mark.parametrize(
    "body, content_type, encoding",
    [
        (ITALIAN.encode("utf-8"), "text/html; charset=utf-8", "utf-8"),
        (ITALIAN.encode("cp1252"), 'text/html; charset="ISO-8859-1"', "cp1252"),  # WHATWG: latin-1 is windows-1252
        (b'<meta charset="iso-8859-15">' + ITALIAN.encode("iso-8859-15"), "text/html", "iso8859-15"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">' + ITALIAN.encode("cp1252"), None, "cp1252"),
        (ITALIAN.encode("utf-8"), "text/html", "utf-8"),
        ("\ufeff".encode("utf-8") + ITALIAN.encode("utf-8"), "text/html; charset=cp1252", "utf-8"),  # the BOM wins
        (b'<meta charset="klingon">' + ITALIAN.encode("utf-8"), "text/html; charset=bogus", "utf-8"),  # unknown labels ignored
    ],
)
def test_declared_and_plain_encodings(body, content_type, encoding):
    text, used = decode_page(body, content_type)
    assert used == encoding and ITALIAN in text


def test_windows_1250_without_any_declaration_is_detected():
    body = article_page(CZECH[0], None, CZECH[1], charset=None, lang="cs").encode("cp1250")
    text, used = decode_page(body, "text/html")
    assert used == "cp1250"
    assert "Ministr financí řekl" in text and "schválila rozpočet na příští rok" in text


def test_a_page_that_does_not_fit_its_charset_is_kept():
    text, used = decode_page(b"<p>caff\xe8 \xff\xfe</p>", "text/html; charset=utf-8")
    assert used == "utf-8" and text.startswith("<p>caff\ufffd")


@pytest.mark.parametrize("text, encoding, codec", [
    (POLISH, "iso-8859-2", "iso8859-2"), (POLISH, "cp1250", "cp1250"), (CZECH, "iso-8859-2", "iso8859-2"),
    (CHINESE, "gb2312", "gb18030"),  # GB18030 reads GB2312 (and GBK), as browsers do
])
def test_undeclared_pages_are_detected(text, encoding, codec):
    title, paragraphs = text
    body = article_page(title, None, paragraphs, charset=None).encode(encoding)
    page, used = decode_page(body, "text/html")
    assert used == codec and all(p in page for p in paragraphs)


def test_the_http_header_wins_over_the_pages_declaration():
    title, paragraphs = POLISH
    body = article_page(title, None, paragraphs, charset="windows-1250").encode("iso-8859-2")
    page, used = decode_page(body, "text/html; charset=ISO-8859-2")
    assert used == "iso8859-2" and paragraphs[1] in page
