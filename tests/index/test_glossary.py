"""The English→Italian glossary: any inflection of an English word finds its Italian words, in order, once each."""

from __future__ import annotations

import pytest

from index import glossary
from index.languages import fold


@pytest.mark.parametrize("english, italian", [
    (["agreed"], ["accordo", "concordare", "intesa"]),  # an inflection, through its stem
    (["Agreement"], ["accordo", "intesa", "trattato"]),  # any case
    (["agreements"], ["accordo", "intesa", "trattato"]),
    (["signing", "ministers"], ["firmare", "firma", "ministro"]),  # in the order of the question
    (["wars", "peace"], ["guerra", "conflitto", "pace"]),
    (["meeting"], ["incontrare", "incontro", "vertice", "riunione"]),  # "meet" and "meeting" share a stem
    (["deal", "agree"], ["accordo", "intesa", "concordare"]),  # each Italian word once
    (["Britain"], ["gran", "bretagna", "regno", "unito"]),  # several words: each is searched
    (["xyzzy"], []),
    ([], []),
])
def test_italian_words(english, italian):
    assert glossary.italian_words(english) == italian


def test_every_entry_is_lower_case_and_gives_italian_words():
    for english, italian in glossary.GLOSSARY.items():
        assert english == fold(english) and english.isalpha(), english
        assert italian and all(word == word.lower() for word in italian), english
        found = set(glossary.italian_words([english]))
        assert {part for word in italian for part in word.split()} <= found, english
