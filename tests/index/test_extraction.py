"""The article of an HTML page: a body that advertising splits into containers of one kind is read whole."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from index.extraction import continuation
from index.readers import read_file

FIRST = [f"Paragraph {n} of the article tells what the minister said about the budget on Monday." for n in range(1, 4)]
LATER = [f"Paragraph {n} of the article, after the advertising, tells what the opposition answered." for n in range(4, 8)]


def body(paragraphs: list[str], css: str = "article__body") -> str:
    return f'<div class="{css}">' + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div>"


def page(*blocks: str) -> str:
    return "<html><body><main>" + "".join(blocks) + "</main></body></html>"


AD = '<div class="ad"><span>Advertisement</span></div>'


def test_the_containers_after_an_advertisement_continue_the_article():
    assert continuation(page(body(FIRST), AD, body(LATER[:2]), AD, body(LATER[2:])), FIRST) == []  # two each: too few
    assert continuation(page(body(FIRST), AD, body(LATER)), FIRST) == LATER


@pytest.mark.parametrize("html", [
    page(body(FIRST), *[body(LATER, "comment") for _ in range(5)]),  # a class repeated on the page is layout
    page(body(FIRST), body(LATER, "related")),  # another class
    page(body(LATER), AD, body(FIRST)),  # before the article: not its continuation
    page(body(FIRST), body(["Share", "Subscribe to our newsletter", "More stories", "Comments"])),  # no prose
])
def test_other_blocks_are_not_added(html):
    assert continuation(html, FIRST) == []


BENCH = Path(__file__).resolve().parents[3] / "shared" / "bench" / "extraction"  # ../shared beside the repository


@pytest.mark.skipif(not BENCH.is_dir(), reason="the extraction benchmark is not in the repository")
def test_a_real_split_page_is_read_whole(tmp_path):
    import json

    page_id = next(p.name.split(".")[0] for p in (BENCH / "html").iterdir() if p.name.startswith("d48aeb9cf2f2"))
    truth = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))[page_id]["articleBody"]
    (tmp_path / "a.html").write_bytes(gzip.decompress((BENCH / "html" / f"{page_id}.html.gz").read_bytes()))
    (article,) = read_file(tmp_path / "a.html", tmp_path)
    last = truth.strip().splitlines()[-1]
    assert "I learned that over a dozen people tapped on the profile" in article.text and last[:60] in article.text
