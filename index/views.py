"""Articles as the archive holds them, or as it would read them: what ``newsdesk show`` prints.

A target is a file or an article id. A path that exists is a file; otherwise an id the live
index holds; otherwise a file under the articles folder. A file is read as the build reads
it (one outside the articles folder relative to its own folder, and never as indexed); each
of its articles that the live index holds unchanged (same content hash) is shown as the
store holds it, the others as the build would split them. A target that cannot be shown
gives a view with its ``error``, and the others are still shown.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from index import readers
from index.embedder import Embedder
from index.errors import ArticleError
from index.passages import split_for_model
from index.records import Article, ArticleView
from index.store import Store

NO_ARTICLE = "no such file, and the archive holds no article with this id"
NO_INDEX = "no such file, and the archive holds no such article (there is no index yet)"


def show(targets: Iterable[str], articles_dir: Path, store: Store | None, embedder: Embedder) -> list[ArticleView]:
    """Every target's articles, in order; ``store`` is the live index's (None when there is none)."""
    return [view for target in targets for view in show_target(target, articles_dir, store, embedder)]


def show_target(target: str, articles_dir: Path, store: Store | None, embedder: Embedder) -> list[ArticleView]:
    """The articles of one file or the article of one id."""
    if Path(target).exists():
        return show_file(target, Path(target), articles_dir, store, embedder)
    held = store.stored_article(target) if store else None
    if held is not None:
        article, passages = held
        return [_view(str(articles_dir / article.path), article, passages, indexed=True)]
    if (articles_dir / target).exists():
        return show_file(target, articles_dir / target, articles_dir, store, embedder)
    return [ArticleView(file=target, error=NO_ARTICLE if store else NO_INDEX)]


def show_file(target: str, path: Path, articles_dir: Path, store: Store | None, embedder: Embedder) -> list[ArticleView]:
    """Each article of a file: as the store holds it when unchanged, else as the build would read it."""
    path, root = Path(os.path.abspath(path)), Path(os.path.abspath(articles_dir))
    inside = path.is_relative_to(root)
    try:
        articles = read_articles(path, root if inside else path.parent)
    except ArticleError as error:
        return [ArticleView(file=target, error=str(error))]
    except OSError as error:
        return [ArticleView(file=target, error=error.strerror or str(error))]
    return [show_article(target, article, store if inside else None, embedder) for article in articles]


def read_articles(path: Path, root: Path) -> list[Article]:
    """The file's articles as the build reads them, with ids relative to ``root``."""
    if not path.is_file():  # a folder; a named pipe would block, a device never end
        raise ArticleError("not a regular file")
    return readers.read_file(path, root)


def show_article(target: str, article: Article, store: Store | None, embedder: Embedder) -> ArticleView:
    """One article of a file: the store's copy when it holds it unchanged, else split as the build would."""
    held = store.stored_article(article.id) if store else None
    if held is not None and held[0].content_hash == article.content_hash:
        return _view(target, *held, indexed=True)
    passages = tuple(passage.text for passage in split_for_model(article, embedder))
    return _view(target, article, passages, indexed=False)


def _view(file: str, article: Article, passages: tuple[str, ...], indexed: bool) -> ArticleView:
    return ArticleView(
        file=file, article_id=article.id, title=article.title, date=article.date, date_origin=article.date_origin,
        language=article.language, source=article.source, text=article.text, passages=passages, indexed=indexed,
    )
