"""The article of an HTML page (the only trafilatura and lxml imports).

trafilatura keeps the page's main text and drops navigation, scripts and comments. It reads one
container of the page, so an article whose body the page splits into several containers of the
same kind, with advertising between them (``<div class="article__body">`` twice or three times),
would lose its later parts: ``continuation`` adds them. A container continues the article when
it has the tag and the class of the one holding most of the extracted paragraphs, comes after
it, is one of at most ``MAX_TWINS`` such containers (a class repeated more is layout: rows,
widgets, comments) and holds at least ``MIN_CONTINUATION_PARAGRAPHS`` paragraphs of prose that
were not extracted. Measured on the extraction benchmark (``bench/extraction.py``): it restores
two pages whose bodies were split, and touches no other page.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.cleaning import ends_like_sentence
from index.errors import ArticleError

MAX_TWINS = 3
MIN_CONTINUATION_PARAGRAPHS = 3
PROSE_MIN_WORDS = 8


@dataclass(frozen=True)
class Extracted:
    """What a page states of its article."""

    lines: list[str]
    title: str | None
    date: str | None  # as the page states it
    url: str | None


def extract(page: str, stated_dates_only: bool = False) -> Extracted:
    """The article of ``page``; ``stated_dates_only`` leaves out dates guessed from its words.
    ``ArticleError`` when the page cannot be parsed or holds no article text."""
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    stated_only = {"extensive_search": False, "original_date": True} if stated_dates_only else None
    try:
        document = trafilatura.bare_extraction(
            page, with_metadata=True, include_comments=False, include_images=False, date_extraction_params=stated_only
        )
    except Exception as error:  # lxml and trafilatura raise many kinds on broken pages
        raise ArticleError(f"HTML could not be parsed ({type(error).__name__})") from error
    if document is None or not (document.text or "").strip():
        raise ArticleError("no article text found in the HTML")
    lines = document.text.splitlines()
    return Extracted(lines + continuation(page, lines), document.title, document.date, document.url)


def continuation(page: str, lines: list[str]) -> list[str]:
    """The paragraphs of the containers that continue the extracted article, in page order."""
    tree = _parse(page)
    if tree is None:
        return []
    extracted = {_squeeze(line) for line in lines}
    container = _main_container(tree, extracted)
    if container is None:
        return []
    added: list[str] = []
    for twin in _twins(tree, container):
        prose = [text for text in _paragraphs(twin) if text not in extracted and _is_prose(text)]
        if len(prose) >= MIN_CONTINUATION_PARAGRAPHS:
            added.extend(prose)
            extracted.update(prose)
    return added


def _parse(page: str):
    import lxml.html

    try:
        return lxml.html.fromstring(page.encode("utf-8", errors="replace"), parser=_parser())
    except Exception:  # a page lxml cannot parse has nothing to continue
        return None


def _parser():
    import lxml.html

    return lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)


def _main_container(tree, extracted: set[str]):
    """The element whose own paragraphs were extracted most, if it has a class to recognise it by."""
    counts: dict[object, int] = {}
    for paragraph in tree.iter("p"):
        if _squeeze(paragraph.text_content()) in extracted:
            parent = paragraph.getparent()
            counts[parent] = counts.get(parent, 0) + 1
    if not counts:
        return None
    container = max(counts, key=counts.__getitem__)
    return container if container.get("class") else None


def _twins(tree, container) -> list:
    """The other elements of the container's tag and class after it, none inside another; none
    when the class is common on the page."""
    same = [e for e in tree.iter(container.tag) if e.get("class") == container.get("class") and e is not container]
    if len(same) > MAX_TWINS:
        return []
    position = {element: number for number, element in enumerate(tree.iter())}
    related = set(container.iterancestors()) | set(container.iterdescendants())
    return [e for e in same if position[e] > position[container] and e not in related]


def _paragraphs(element) -> list[str]:
    return [text for paragraph in element.iter("p") if (text := _squeeze(paragraph.text_content()))]


def _is_prose(text: str) -> bool:
    return len(text.split()) >= PROSE_MIN_WORDS and ends_like_sentence(text)


def _squeeze(text: str) -> str:
    return " ".join(text.split())
