"""Passages: no empty passage, no lost sentence, sizes within bounds."""

from __future__ import annotations

import random

import pytest

from index.passages import MAX_WORDS, reads_as_sentence, split_for_model, split_passages, split_sentences
from index.readers import read_file
from index.records import Article
from tests.conftest import SEEDS


def article_of(text: str) -> Article:
    return Article(id="a", path="a.txt", title="T", text=text, date=None, source="a.txt", language="it", content_hash="h")


def body_sentences(article: Article) -> list[str]:
    return [p[s:e] for p in article.text.split("\n\n") for s, e in split_sentences(p)]


def passage_sentences(article: Article, max_words: int = MAX_WORDS) -> list[str]:
    return [s for p in split_passages(article, max_size=max_words) for s in p.sentence_texts()]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Putin è arrivato. Lukashenko lo attendeva.", ["Putin è arrivato.", "Lukashenko lo attendeva."]),
        ("Il sig. Rossi è arrivato. Poi è ripartito.", ["Il sig. Rossi è arrivato.", "Poi è ripartito."]),
        ("J. K. Rowling wrote it. Then she left!", ["J. K. Rowling wrote it.", "Then she left!"]),
        ("Un prestito da 1,5 miliardi. Il 2.5% in più?", ["Un prestito da 1,5 miliardi.", "Il 2.5% in più?"]),
        ("«Non ci riuscirà». Ha detto il presidente.", ["«Non ci riuscirà».", "Ha detto il presidente."]),
        ("Una frase senza punto", ["Una frase senza punto"]),
    ],
)
def test_split_sentences(text, expected):
    assert [text[s:e] for s, e in split_sentences(text)] == expected


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name)
def test_seed_passages_keep_every_sentence(path):
    (article,) = read_file(path, SEEDS)
    passages = split_passages(article)
    assert passages and all(p.text.strip() for p in passages)
    assert passage_sentences(article) == body_sentences(article)
    assert [p.position for p in passages] == list(range(len(passages)))
    assert all(len(p.text.split()) <= MAX_WORDS for p in passages)


def test_article_that_fits_stays_whole():
    article = article_of("\n\n".join(f"Paragrafo breve numero {i}." for i in range(30)))  # 120 words
    assert len(split_passages(article)) == 1


def test_sizes_in_other_units():
    article = article_of("Una frase corta. " * 30)
    passages = split_passages(article, sizer=lambda ss: [len(s) for s in ss], max_size=100, min_size=20)
    assert all(sum(map(len, p.sentence_texts())) <= 100 for p in passages) and len(passages) == 5
    assert passage_sentences(article) == body_sentences(article)


def test_offsets_point_at_sentences():
    article = article_of("Prima frase qui. Seconda frase qui.\n\nTerza frase, in un altro paragrafo.")
    (passage,) = split_passages(article)
    assert passage.sentence_texts() == ["Prima frase qui.", "Seconda frase qui.", "Terza frase, in un altro paragrafo."]


def test_long_paragraph_is_cut_at_sentence_boundaries_in_balanced_pieces():
    sentence = "Questa è una frase di esattamente dieci parole in tutto."
    article = article_of(" ".join([sentence] * 40))  # 400 words
    passages = split_passages(article)
    sizes = [len(p.text.split()) for p in passages]
    assert len(passages) == 3 and max(sizes) <= MAX_WORDS and min(sizes) >= 120
    assert passage_sentences(article) == body_sentences(article)


def test_short_paragraphs_are_merged():
    article = article_of("\n\n".join(f"Paragrafo breve numero {i}." for i in range(60)))  # 4 words each
    passages = split_passages(article)
    assert [len(p.text.split()) for p in passages] == [40] * 6
    assert passage_sentences(article) == body_sentences(article)


def test_one_enormous_sentence_is_cut_without_losing_words():
    article = article_of(" ".join(f"parola{i}" for i in range(1000)))
    passages = split_passages(article)
    assert all(len(p.text.split()) <= MAX_WORDS for p in passages)
    assert " ".join(p.text for p in passages).split() == article.text.split()


def test_random_texts_keep_their_words():
    rng = random.Random(7)
    vocabulary = ["Minsk", "Putin", "accordo", "1,5", "sig.", "U.S.", "«sì»", "dice:", "fine.", "davvero?", "e"]
    for _ in range(200):
        paragraphs = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 300))) for _ in range(rng.randint(1, 6))]
        article = article_of("\n\n".join(paragraphs))
        passages = split_passages(article)
        assert all(p.text.strip() and p.sentences for p in passages)
        assert " ".join(s for p in passages for s in p.sentence_texts()).split() == article.text.split()


@pytest.mark.parametrize(
    "text, whole",
    [
        ("Putin è arrivato.", True),
        ("Davvero?", True),
        ("«Non ci riuscirà».", True),
        ("Lo ha detto “ieri”.", True),
        ("Siamo pronti“.", True),
        ("Vertice a Minsk tra Russia e Bielorussia", False),
        ("Autore foto: Pavel Bednyakov, RIA Novosti", False),
        ("Le clausole:", False),
    ],
)
def test_what_reads_as_a_sentence(text, whole):
    assert reads_as_sentence(text) is whole


def test_headings_join_the_text_after_them():
    long_paragraph = " ".join(f"Questa è la frase numero {i} del lungo paragrafo." for i in range(17))  # 153 words
    article = article_of(
        "Un paragrafo di apertura che dice qualcosa di utile. " * 12
        + "\n\nVertice a Minsk tra Russia e Bielorussia\n\nMinsk avvia la produzione di energia nucleare\n\n"
        + long_paragraph
    )
    passages = split_passages(article)
    assert passage_sentences(article) == body_sentences(article)
    for passage in passages:
        assert any(reads_as_sentence(s) for s in passage.sentence_texts()), passage.text
    (with_headings,) = [p for p in passages if "Vertice a Minsk" in p.text]
    assert "Minsk avvia" in with_headings.text and "frase numero 0 " in with_headings.text
    assert all(len(p.text.split()) <= MAX_WORDS for p in passages)


def test_an_article_of_headings_only_keeps_them_all():
    article = article_of("\n\n".join(f"Titolo numero {i} senza punto" for i in range(80)))
    passages = split_passages(article)
    assert passage_sentences(article) == body_sentences(article)
    assert all(len(p.text.split()) <= MAX_WORDS for p in passages)


@pytest.mark.parametrize("path", sorted(SEEDS.iterdir()), ids=lambda p: p.name)
def test_no_seed_passage_is_headings_alone(path, embedder):
    (article,) = read_file(path, SEEDS)
    for passage in split_for_model(article, embedder):
        assert any(reads_as_sentence(s) for s in passage.sentence_texts()), passage.text
