"""Each article format is read into Articles with title, date, source and language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.errors import ArticleError
from index.readers import read_file

ITALIAN_BODY = (
    "Il presidente russo Vladimir Putin è arrivato a Minsk per colloqui con Alexander Lukashenko. "
    "I due hanno firmato accordi sulla difesa comune e sull'energia."
)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def read_one(tmp_path: Path, name: str, content: str | bytes):
    articles = read_file(write(tmp_path, name, content), tmp_path)
    assert len(articles) == 1
    return articles[0]


def test_txt_with_header_date_and_heading(tmp_path):
    article = read_one(tmp_path, "a.txt", f" date 2022-12 Putin a Minsk\n\n{ITALIAN_BODY}\n")
    assert (article.title, article.date, article.language) == ("Putin a Minsk", "2022-12", "it")
    assert article.text == ITALIAN_BODY
    assert (article.id, article.source) == ("a.txt", "a.txt")


def test_txt_without_heading_takes_first_sentence_as_title_and_keeps_it(tmp_path):
    article = read_one(tmp_path, "b.txt", ITALIAN_BODY)
    assert article.title == ITALIAN_BODY.split(". ")[0] + "."
    assert article.text == ITALIAN_BODY
    assert article.date is None


def test_txt_dated_line_gives_day_precision(tmp_path):
    text = f"Putin e Lukashenko: difesa comune\n20 Dicembre 2022 Di Mario Rossi\n{ITALIAN_BODY}"
    article = read_one(tmp_path, "c.txt", text)
    assert article.date == "2022-12-20"
    assert article.title == "Putin e Lukashenko: difesa comune"
    assert "Mario Rossi" not in article.text  # the byline is not article text


def test_subfolders_give_relative_ids(tmp_path):
    articles = read_file(write(tmp_path, "2022/dic/d.txt", ITALIAN_BODY), tmp_path)
    assert articles[0].id == "2022/dic/d.txt"


def test_markdown_front_matter_and_markup(tmp_path):
    text = (
        "---\ntitle: Vertice a Minsk\ndate: 2022-12-19\nurl: https://example.org/minsk\n---\n"
        "# Vertice a Minsk\n\nIl **presidente** russo è arrivato a [Minsk](https://x.org). "
        "![foto](a.jpg)I due hanno firmato accordi.\n"
    )
    article = read_one(tmp_path, "e.md", text)
    assert (article.title, article.date, article.source) == ("Vertice a Minsk", "2022-12-19", "https://example.org/minsk")
    assert article.text == "Il presidente russo è arrivato a Minsk. I due hanno firmato accordi."


def test_html_main_text_without_navigation_or_scripts(tmp_path):
    html = (
        "<html><head><title>Putin a Minsk | Giornale</title>"
        '<link rel="canonical" href="https://example.org/putin-minsk">'
        '<meta property="article:published_time" content="2022-12-19T10:00:00Z"></head><body>'
        "<nav><a href='/'>Home</a> | <a href='/esteri'>Esteri</a></nav>"
        f"<article><h1>Putin a Minsk</h1><p>{ITALIAN_BODY}</p><p>Il Cremlino ha confermato l'incontro.</p></article>"
        "<script>var tracking = 1;</script><footer>Cookie policy</footer></body></html>"
    )
    article = read_one(tmp_path, "f.html", html)
    assert article.title.startswith("Putin a Minsk")
    assert article.date == "2022-12-19"
    assert article.source == "https://example.org/putin-minsk"
    assert "Il Cremlino ha confermato l'incontro." in article.text
    assert "tracking" not in article.text and "Esteri" not in article.text


def test_json_object_and_list(tmp_path):
    one = {"title": "Minsk", "text": ITALIAN_BODY, "date": "2022-12-20", "url": "https://example.org/1"}
    article = read_one(tmp_path, "g.json", json.dumps(one))
    assert (article.title, article.date, article.source, article.id) == ("Minsk", "2022-12-20", "https://example.org/1", "g.json#1")
    many = [{"title": "Uno", "text": ITALIAN_BODY}, {"id": "x7", "title": "Due", "text": ITALIAN_BODY, "source": "ANSA"}]
    articles = read_file(write(tmp_path, "h.json", json.dumps(many)), tmp_path)
    assert [a.id for a in articles] == ["h.json#1", "h.json#x7"]
    assert articles[1].source == "h.json"  # a source that is not a URL leaves the file name


def test_jsonl_skips_bad_lines_and_reads_the_rest(tmp_path, caplog):
    lines = [json.dumps({"title": "Uno", "text": ITALIAN_BODY}), "{not json", json.dumps({"title": "No text"}),
             json.dumps({"title": "Tre", "text": ITALIAN_BODY, "date": "2020"})]
    articles = read_file(write(tmp_path, "i.jsonl", "\n".join(lines)), tmp_path)
    assert [(a.id, a.date) for a in articles] == [("i.jsonl#1", None), ("i.jsonl#4", "2020")]
    assert "line 2" in caplog.text and "line 3" in caplog.text


def test_english_article_language(tmp_path):
    article = read_one(tmp_path, "j.txt", "Putin visits Minsk\n\nThe Russian president arrived in Minsk on Monday for talks with his ally.")
    assert article.language == "en"


def test_latin1_file_is_read(tmp_path):
    article = read_one(tmp_path, "k.txt", "Perché Minsk è importante\n\nLa città è la capitale della Bielorussia.".encode("cp1252"))
    assert article.title == "Perché Minsk è importante"


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("bin.txt", bytes(range(256)) * 10, "binary"),
        ("empty.txt", b"", "no article text"),
        ("blank.txt", b"   \n\n  \n", "no article text"),
        ("chrome.txt", b"video suggerito\n97 CONDIVISIONI\n", "no article text"),
        ("bad.json", b'{"title": "x", "text": ', "malformed JSON"),
        ("notext.json", b'{"title": "x"}', "no article text"),
        ("x.pdf", b"%PDF-1.4", "unsupported"),
    ],
)
def test_bad_files_raise_article_error(tmp_path, name, content, reason):
    with pytest.raises(ArticleError, match=reason):
        read_file(write(tmp_path, name, content), tmp_path)


def test_huge_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("index.readers.MAX_FILE_BYTES", 1000)
    with pytest.raises(ArticleError, match="too large"):
        read_file(write(tmp_path, "big.txt", "parola " * 1000), tmp_path)


def test_content_hash_changes_with_content_only(tmp_path):
    first = read_one(tmp_path, "l.txt", ITALIAN_BODY)
    again = read_one(tmp_path, "l.txt", ITALIAN_BODY)
    changed = read_one(tmp_path, "l.txt", ITALIAN_BODY + " Altro.")
    assert first.content_hash == again.content_hash != changed.content_hash


def feed_page(date: str | None) -> str:
    """A page saved from a feed that gave it the date 2026-10-01; ``date`` is the page's own."""
    from index.webpages import PageRecord, with_record
    from tests.web import article_page

    page = article_page("Putin a Minsk per i colloqui", date, [ITALIAN_BODY, "Il Cremlino ha confermato l'incontro."])
    return with_record(page, PageRecord(source="https://example.org/minsk", published="2026-10-01"))


@pytest.mark.parametrize(
    "name, content, date, origin",
    [
        ("header.txt", f" date 2022-12 Putin a Minsk\n\n{ITALIAN_BODY}\n", "2022-12", "metadata"),
        ("line.txt", f"Putin e Lukashenko: difesa comune\n20 Dicembre 2022 Di Mario Rossi\n{ITALIAN_BODY}", "2022-12-20", "text"),
        ("none.txt", ITALIAN_BODY, None, ""),
        ("front.md", f"---\ntitle: Vertice\ndate: 2022-12-19\n---\n{ITALIAN_BODY}\n", "2022-12-19", "metadata"),
        ("field.json", json.dumps({"title": "Minsk", "text": ITALIAN_BODY, "date": "2022-12-20"}), "2022-12-20", "metadata"),
        ("own.html", feed_page("2022-12-20"), "2022-12-20", "metadata"),
        ("feed.html", feed_page(None), "2026-10-01", "feed"),
    ],
)
def test_where_the_date_came_from(tmp_path, name, content, date, origin):
    article = read_one(tmp_path, name, content)
    assert (article.date, article.date_origin) == (date, origin)
