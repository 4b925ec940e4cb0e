"""Articles in Spanish, French, Portuguese and German: labelled with their language, stemmed in it,
found by a question in it, and counted under it in the stats."""

from __future__ import annotations

import shutil

import pytest

from index.build import build_index
from index.config import Settings
from index.opened import OpenedSnapshot
from tests.conftest import SEEDS
from tests.index.test_languages import ARTICLES

OTHERS = ("es", "fr", "pt", "de")
QUESTIONS = {  # each asks about its own article in its own words
    "es": ("¿A qué irá la mayor parte del gasto de los presupuestos?", "es"),
    "fr": ("Qu'a adopté le Conseil des ministres mercredi ?", "fr"),
    "de": ("Was hat das Bundeskabinett am Mittwoch beschlossen?", "de"),
    "pt": ("O que aprovou o Conselho de Ministros nesta terça-feira?", "pt"),
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory, embedder) -> OpenedSnapshot:
    data = tmp_path_factory.mktemp("languages") / "data"
    shutil.copytree(SEEDS, data / "articles")
    for language in OTHERS:
        title, text = ARTICLES[language]
        (data / "articles" / f"{language}.txt").write_text(f"{title}\n\n{text}\n", encoding="utf-8")
    settings = Settings.for_data_dir(data)
    build_index(settings, embedder)
    return OpenedSnapshot.open(settings, embedder)


def test_the_stats_count_each_language(archive):
    assert archive.stats().languages == {"it": len(list(SEEDS.iterdir())), "es": 1, "fr": 1, "pt": 1, "de": 1}


@pytest.mark.parametrize("language", QUESTIONS)
def test_a_question_finds_the_article_in_its_language_and_is_answered_in_it(archive, language):
    question, expected = QUESTIONS[language]
    response = archive.ask(question, k=3)
    assert response.language == expected
    assert response.answers and response.answers[0].article_id == f"{language}.txt"
