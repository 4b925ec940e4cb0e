"""The languages Newsdesk reads: English and Italian.

A text's language is told by counting the two languages' stopwords, which is
reliable on an article and good enough on a one-line question (measured in
``bench/quality.py``). Texts with too few stopwords of either are "und".
"""

from __future__ import annotations

import re
import unicodedata

ENGLISH = "en"
ITALIAN = "it"
UNDETERMINED = "und"

ITALIAN_STOPWORDS = frozenset(
    """
    a ad agli ai al alla alle allo anche ancora avere aveva avevano c ci che chi cio ciò col come con
    contro cosa cui d da dagli dai dal dalla dalle dallo degli dei del dell della delle dello di dopo
    dov dove e è ed era erano essere fa fra gli ha hanno ho i il in infatti io l la le lei lo loro lui
    ma mi mia mio molto ne negli nei nel nell nella nelle nello no noi non nostro o ogni per perche
    perché piu più poi quale quali qualcosa quando quanto quella quelle quelli quello questa queste
    questi questo qui se sei si sia siamo sono sta stata stati stato su sua sue sui sul sull sulla
    sulle sullo suo suoi tra tu tutti tutto un una uno vi voi quanti quante qual chi cosa
    """.split()
)

ENGLISH_STOPWORDS = frozenset(
    """
    a about after all also am an and any are as at be been before being between both but by can could
    did do does doing during each for from had has have having he her here hers him his how i if in
    into is it its itself just me more most my no nor not of off on once only or other our out over own
    same she should so some such than that the their them then there these they this those through to
    too under until up very was we were what when where which while who whom why will with would you
    your yours whose many much
    """.split()
)

# Words shared by both lists ("a", "in", "no"...) tell nothing about the language.
_ITALIAN_ONLY = ITALIAN_STOPWORDS - ENGLISH_STOPWORDS
_ENGLISH_ONLY = ENGLISH_STOPWORDS - ITALIAN_STOPWORDS

_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its diacritics ("Perché" → "perche")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of ``text``; apostrophes split ("dell'incontro" → "dell", "incontro")."""
    return _WORD.findall(fold(text))


def detect_language(text: str, default: str = UNDETERMINED) -> str:
    """"it" or "en" by stopword counts; ``default`` when neither language shows."""
    italian = english = 0
    for word in _WORD.findall(text.casefold()):
        italian += word in _ITALIAN_ONLY
        english += word in _ENGLISH_ONLY
    if italian == english:
        return _tie_break(text, default) if italian == 0 else default
    return ITALIAN if italian > english else ENGLISH


def _tie_break(text: str, default: str) -> str:
    """With no stopwords at all, accented vowels at word ends point to Italian."""
    if re.search(r"[àèéìòù]\b", text.casefold()):
        return ITALIAN
    return default
