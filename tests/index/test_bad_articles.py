"""Article files that cannot be read (random bytes, UTF-16 without a byte-order mark, a 50 MB line, deep nesting,
malformed JSON, a named pipe…) are skipped with a warning naming them; the rest is indexed.

One build reads them all beside the seed articles and a good file; each row of the table
then checks its own file.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil

import pytest

from index.build import build_index
from index.config import Settings
from index.opened import OpenedSnapshot
from tests import figures
from tests.conftest import SEEDS

RANDOM = random.Random(20221220)
ITALIAN = "Il governo bielorusso ha annunciato a Minsk nuove misure economiche per il prossimo anno. " * 5
FIFO = object()  # made with mkfifo, not written

BAD_FILES = {
    "random.txt": RANDOM.randbytes(20_000),
    "random.md": RANDOM.randbytes(20_000),
    "random.html": RANDOM.randbytes(20_000),
    "random.json": RANDOM.randbytes(20_000),
    "random.jsonl": RANDOM.randbytes(20_000),
    "utf16_without_bom.txt": ITALIAN.encode("utf-16-le"),
    "nul_bytes.md": b"# Titolo\n\n" + b"\x00\x01\x02" * 1000,
    "one_line_50mb.txt": b"a" * 50_000_000,
    "one_line_50mb.jsonl": b'{"title": "t", "text": "' + b"a" * 50_000_000 + b'"}\n',
    "nested.html": b"<div>" * 200_000 + b"testo" + b"</div>" * 200_000,
    "nested.json": b"[" * 200_000 + b"]" * 200_000,
    "nested_object.json": b'{"title": "t", "text": "x", "more": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001,
    "malformed.json": b'{"title": "Minsk", "text": "Il governo',
    "a_number.json": b"42",
    "no_text.json": json.dumps([{"title": "senza testo"}, {"text": 5}, "a string"]).encode(),
    "bad_lines.jsonl": b"{\n[1, 2]\n\"text\"\n{\"text\": \"\"}\n",
    "empty.txt": b"",
    "blank.md": b"   \n\n\t\n",
    "only_scripts.html": b"<html><script>var a = 1;</script><style>p {}</style></html>",
    "pipe.txt": FIFO,
}
GOOD_FILES = {
    "utf32.txt": ITALIAN.encode("utf-32"),
    "latin1.txt": "Perché il governo di Minsk ha annunciato più misure economiche.".encode("latin-1"),
    "shift_jis.txt": ("東京都の知事が記者会見で新しい政策について説明した。" * 20).encode("shift_jis"),  # a browser shows it
    "surrogates.json": b'{"title": "Titolo \\ud800", "text": "Il governo bielorusso \\udfff ha annunciato misure."}',
    "one_bad_line.jsonl": b'{"title": "Buona", "text": "' + ITALIAN.encode() + b'"}\n{oops\n',
}


@pytest.fixture(scope="module")
def build_with_bad_files(tmp_path_factory, fake_embedder):
    """(report, warnings logged) of one build over the seeds, the bad files and the good ones."""
    data = tmp_path_factory.mktemp("bad") / "data"
    shutil.copytree(SEEDS, data / "articles")
    for name, content in {**BAD_FILES, **GOOD_FILES}.items():
        if content is FIFO:
            os.mkfifo(data / "articles" / name)
        else:
            (data / "articles" / name).write_bytes(content)
    handler = _Collect()
    logging.getLogger("index").addHandler(handler)
    try:
        report = build_index(Settings.for_data_dir(data), fake_embedder)
    finally:
        logging.getLogger("index").removeHandler(handler)
    return report, handler.warnings, Settings.for_data_dir(data)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.warnings.append(record.getMessage())


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_file_is_skipped_with_a_warning_naming_it(build_with_bad_files, name):
    report, warnings, _ = build_with_bad_files
    with figures.trial("bad article files skipped with a warning"):
        assert any(reason.startswith(f"{name}: ") for reason in report.skipped), report.skipped
        assert any(warning.startswith(f"skipped {name}: ") for warning in warnings)


def test_the_rest_is_indexed(build_with_bad_files, fake_embedder):
    report, _, settings = build_with_bad_files
    assert report.added == len(list(SEEDS.iterdir())) + len(GOOD_FILES)
    assert len(report.skipped) == len(BAD_FILES)
    indexed = OpenedSnapshot.open(settings, fake_embedder).store.article_ids_by_path()
    assert set(GOOD_FILES) <= set(indexed) and not set(BAD_FILES) & set(indexed)


def test_one_huge_paragraph_of_short_sentences_is_split_whole():
    """40,000 sentences in one paragraph: split in linear time (it once took half an hour), none lost."""
    from index.passages import split_passages
    from index.records import Article

    text = "Il governo ha deciso. " * 40_000
    article = Article("wall.txt", "wall.txt", "Muro", text.strip(), None, "wall.txt", "it", "h")
    passages = split_passages(article)
    assert sum(len(p.sentences) for p in passages) == 40_000
