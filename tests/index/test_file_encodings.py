"""Article files in any encoding read right: a byte-order mark, an HTML file's own declaration,
else the encoding charset-normalizer finds (windows-1250, ISO-8859-2, GB2312…); no file a browser
would show is dropped."""

from __future__ import annotations

import json

import pytest

from index.readers import read_file
from tests.web import CHINESE, CZECH, POLISH, article_page

TEXTS = {"pl": POLISH, "cs": CZECH, "zh": CHINESE}
CASES = [("pl", "cp1250"), ("pl", "iso-8859-2"), ("cs", "cp1250"), ("cs", "iso-8859-2"), ("zh", "gb2312")]


def read_one(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    (article,) = read_file(path, tmp_path)
    return article


def plain(language: str) -> str:
    title, paragraphs = TEXTS[language]
    return "\n\n".join([title, *paragraphs]) + "\n"


@pytest.mark.parametrize("language, encoding", CASES)
def test_undeclared_text_file(tmp_path, language, encoding):
    title, paragraphs = TEXTS[language]
    article = read_one(tmp_path, "a.txt", plain(language).encode(encoding))
    assert article.title == title and article.text.endswith("\n\n".join(paragraphs))  # a one-"word" Chinese title stays in the text


@pytest.mark.parametrize("language, encoding", CASES)
@pytest.mark.parametrize("declared", [True, False])
def test_html_file_declared_or_not(tmp_path, language, encoding, declared):
    title, paragraphs = TEXTS[language]
    page = article_page(title, None, paragraphs, charset=encoding if declared else None, lang=language)
    article = read_one(tmp_path, "a.html", page.encode(encoding))
    assert article.title.startswith(title) and article.text == "\n\n".join(paragraphs)


@pytest.mark.parametrize("meta", ['<meta charset="windows-1250">', '<meta http-equiv="Content-Type" content="text/html; charset=windows-1250">'])
def test_the_declaration_decides_what_detection_cannot(tmp_path, meta):
    """A short Polish text without ś or ź reads as well in ISO-8859-2: its declaration tells."""
    text = "Rząd przyjął projekt budżetu. Minister finansów powiedział, że wydatki wzrosną."
    page = f"<html><head>{meta}<title>Budżet</title></head><body><article><p>{text}</p></article></body></html>"
    assert read_one(tmp_path, "a.html", page.encode("cp1250")).text == text


def test_a_byte_order_mark_wins_over_the_declaration(tmp_path):
    title, paragraphs = POLISH
    page = article_page(title, None, paragraphs, charset="windows-1250", lang="pl")
    article = read_one(tmp_path, "a.html", b"\xef\xbb\xbf" + page.encode("utf-8"))
    assert article.text == "\n\n".join(paragraphs)


def test_a_page_that_does_not_fit_its_declaration_is_kept(tmp_path):
    """Declared UTF-8, written in windows-1250: shown with replacement characters, as a browser shows it."""
    title, paragraphs = POLISH
    page = article_page(title, None, paragraphs, charset="utf-8", lang="pl")
    article = read_one(tmp_path, "a.html", page.encode("cp1250"))
    assert "Minister finans\ufffdw powiedzia\ufffd" in article.text


@pytest.mark.parametrize("suffix", [".md", ".json", ".jsonl"])
def test_other_formats_in_windows_1250(tmp_path, suffix):
    title, paragraphs = CZECH
    body = "\n\n".join(paragraphs)
    data = {
        ".md": f"# {title}\n\n{body}\n",
        ".json": json.dumps({"title": title, "text": body}, ensure_ascii=False),
        ".jsonl": json.dumps({"title": title, "text": body}, ensure_ascii=False) + "\n",
    }[suffix]
    article = read_one(tmp_path, f"a{suffix}", data.encode("cp1250"))
    assert (article.title, article.text) == (title, body)


def test_japanese_in_shift_jis_is_read(tmp_path):
    text = "東京都の知事が記者会見で新しい政策について説明した。" * 20
    assert read_one(tmp_path, "a.txt", text.encode("shift_jis")).text == text
