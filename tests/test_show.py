"""``newsdesk show``: articles as the archive holds them, or as it would read a file, for people and as JSON."""

from __future__ import annotations

import json

import pytest

from index.views import NO_ARTICLE, NO_INDEX
from index.webpages import PageRecord, with_record
from tests.test_cli import env, indexed, run  # noqa: F401 -- env and indexed: fixtures (without and with an index)
from tests.web import article_page

SEED = "002_236b9d47b589822e.txt"  # " date 2022-12" in its header
PARAGRAPHS = [
    "Il presidente russo Vladimir Putin è arrivato a Minsk per colloqui con Alexander Lukashenko. "
    "I due hanno firmato accordi sulla difesa comune e sull'energia.",
    "Il Cremlino ha confermato l'incontro e ha detto che i colloqui sono durati tre ore.",
]
KEYS = {"file", "article_id", "title", "date", "date_origin", "language", "source", "text", "passages", "indexed"}
FEED_PAGE = with_record(
    article_page("Putin a Minsk per i colloqui", None, PARAGRAPHS), PageRecord("https://example.org/minsk", published="2026-10-01")
)


def show_json(capsys, *targets: str) -> tuple[int, list[dict], str]:
    code, out, err = run(capsys, "show", *targets, "--json")
    return code, [json.loads(line) for line in out.splitlines()], err


def write(folder, name: str, content: str | bytes) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


def test_an_indexed_article_by_id_and_by_file(indexed, capsys):
    code, (by_id,), _ = show_json(capsys, SEED)
    assert code == 0 and set(by_id) == KEYS
    assert (by_id["article_id"], by_id["date"], by_id["date_origin"], by_id["indexed"]) == (SEED, "2022-12", "metadata", True)
    assert by_id["file"] == str(indexed.articles_dir / SEED) and by_id["language"] == "it"
    assert len(by_id["passages"]) > 1 and by_id["text"] == "\n\n".join(by_id["passages"])
    code, (by_file,), _ = show_json(capsys, by_id["file"])
    assert code == 0 and by_file == by_id


def test_a_file_changed_since_it_was_indexed(indexed, capsys):
    path = indexed.articles_dir / SEED
    path.write_text(path.read_text() + "\nAggiunta: il vertice si è chiuso in serata.\n")
    code, (as_read, as_held), _ = show_json(capsys, str(path), SEED)
    assert code == 0 and (as_read["indexed"], as_held["indexed"]) == (False, True)
    assert "si è chiuso in serata" in as_read["text"] and "si è chiuso in serata" not in as_held["text"]


@pytest.mark.parametrize(
    "name, content, date, origin",
    [
        ("nuovi/minsk.txt", "Putin e Lukashenko: difesa comune\n20 Dicembre 2022 Di Mario Rossi\n" + "\n".join(PARAGRAPHS),
         "2022-12-20", "text"),
        ("nuovi/minsk.html", article_page("Putin a Minsk per i colloqui", "2022-12-19", PARAGRAPHS), "2022-12-19", "metadata"),
        ("web/example.org/minsk.html", FEED_PAGE, "2026-10-01", "feed"),
        ("nuovi/undated.txt", "\n\n".join(PARAGRAPHS), None, ""),
    ],
)
def test_a_file_not_indexed_yet_as_the_archive_would_read_it(indexed, capsys, name, content, date, origin):
    path = write(indexed.articles_dir, name, content)
    code, (view,), _ = show_json(capsys, path)
    assert code == 0 and set(view) == KEYS
    assert (view["file"], view["article_id"], view["indexed"]) == (path, name, False)
    assert (view["date"], view["date_origin"], view["language"]) == (date, origin, "it")
    assert "Il Cremlino ha confermato l'incontro" in view["text"] and view["passages"]
    assert all(passage in view["text"] for passage in view["passages"])


def test_a_page_saved_from_a_feed_has_its_url_as_source(indexed, capsys):
    code, (view,), _ = show_json(capsys, write(indexed.articles_dir, "web/example.org/minsk.html", FEED_PAGE))
    assert (view["source"], view["date"], view["date_origin"]) == ("https://example.org/minsk", "2026-10-01", "feed")


def test_each_article_of_a_jsonl_file(indexed, capsys, tmp_path):
    lines = [json.dumps({"title": "Uno a Minsk", "text": PARAGRAPHS[0], "date": "2022-12-20"}),
             json.dumps({"id": "x7", "title": "Due a Minsk", "text": PARAGRAPHS[1], "url": "https://example.org/2"})]
    path = write(tmp_path / "outside", "two.jsonl", "\n".join(lines))  # outside the articles folder
    code, views, _ = show_json(capsys, path)
    assert code == 0 and [(v["article_id"], v["title"], v["indexed"]) for v in views] == [
        ("two.jsonl#1", "Uno a Minsk", False), ("two.jsonl#x7", "Due a Minsk", False)]
    assert [(v["date"], v["date_origin"], v["source"]) for v in views] == [
        ("2022-12-20", "metadata", "two.jsonl"), (None, "", "https://example.org/2")]


def test_a_copy_outside_the_articles_folder_is_not_indexed(indexed, capsys, tmp_path):
    copy = write(tmp_path / "elsewhere", SEED, (indexed.articles_dir / SEED).read_bytes())
    code, (view,), _ = show_json(capsys, copy)
    assert code == 0 and (view["article_id"], view["indexed"]) == (SEED, False)


def test_files_that_cannot_be_read_and_unknown_ids_give_errors_and_the_rest_is_shown(indexed, capsys, tmp_path):
    garbage = write(tmp_path, "garbage.txt", bytes(range(256)) * 10)
    empty = write(tmp_path, "empty.html", b"")
    code, views, err = show_json(capsys, garbage, SEED, empty, "nope.txt", str(tmp_path))
    assert code == 1 and err == ""
    assert views[1]["article_id"] == SEED and views[1]["indexed"] is True
    assert [view for number, view in enumerate(views) if number != 1] == [
        {"file": garbage, "error": "binary file, not text"},
        {"file": empty, "error": "no article text found in the HTML"},
        {"file": "nope.txt", "error": NO_ARTICLE},
        {"file": str(tmp_path), "error": "not a regular file"},
    ]


def test_for_people(indexed, capsys, tmp_path):
    page = write(indexed.articles_dir, "nuovi/minsk.html", article_page("Putin a Minsk per i colloqui", "2022-12-20", PARAGRAPHS))
    garbage = write(tmp_path, "garbage.txt", bytes(range(256)) * 10)
    code, out, err = run(capsys, "show", SEED, garbage, page)
    assert code == 1 and err == f"newsdesk: {garbage}: binary file, not text\n"
    seed, new = out.split("\n== ")
    assert seed.startswith("== ") and "date:     2022-12 (from the file's metadata)" in seed and "index:    indexed" in seed
    assert "date:     2022-12-20 (from the page's metadata)" in new and "index:    not indexed yet" in new
    assert f"file:     {page}\nid:       nuovi/minsk.html\n" in new
    assert "\n-- 1 passage\n\n1. Il presidente russo" in new
    assert max(len(line) for line in out.splitlines() if not line.startswith(("== ", "source:", "file:"))) <= 88  # text filled


def test_without_an_index_files_are_shown_and_ids_are_unknown(env, capsys):
    code, views, _ = show_json(capsys, str(env.articles_dir / SEED), SEED.replace(".txt", ".md"))
    assert code == 1 and (views[0]["article_id"], views[0]["indexed"], views[0]["date"]) == (SEED, False, "2022-12")
    assert views[1] == {"file": SEED.replace(".txt", ".md"), "error": NO_INDEX}


def test_an_id_without_a_path_is_read_from_the_articles_folder(env, capsys):
    code, (view,), _ = show_json(capsys, SEED)  # no index: the file data/articles/SEED, as it would be read
    assert code == 0 and (view["file"], view["article_id"], view["indexed"]) == (SEED, SEED, False)
