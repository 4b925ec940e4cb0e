"""The languages Newsdesk reads, and which language an article or a question is in.

A text's language is told by counting stopwords found only in one of the two
lists; on a tie, Italian content words nearly always end in a vowel. Measured on
SQuAD-it: 0.9999 of the Italian questions and 0.9997 of their English originals
are told right (``bench/quality.py`` prints it).

A question may also come in another language (French, Spanish, German…): the
language identifier ``py3langid`` (restricted to ``IDENTIFIED``) names it when it is
sure (``OTHER_LANGUAGE_CONFIDENCE``), so that the reply is not given in Italian to a
French question. At that bar none of SQuAD's 7,609 Italian and 10,570 English questions
is taken for another language (at 0.9, two are).

An article's language is told the same way (``article_language``), by the identifier over all its
97 languages: Spanish, French, Portuguese, German… when it is sure (``ARTICLE_CONFIDENCE``),
else Italian or English by the stopwords, as before (so no Italian or English article changes
label: none of SQuAD-it's 2,010 Italian paragraphs is taken for another language).
"""

from __future__ import annotations

import functools
import re
import unicodedata

ENGLISH = "en"
ITALIAN = "it"
UNDETERMINED = "und"
MIN_TIE_WORDS = 3  # the vowel rule needs a few content words to go on

IDENTIFIED = ("it", "en", "fr", "es", "pt", "de", "nl", "ro", "ca")
OTHER_LANGUAGE_CONFIDENCE = 0.95
ARTICLE_CONFIDENCE = 0.95
ARTICLE_SAMPLE_CHARS = 5000  # the identifier reads this much of an article

_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its diacritics ("Perché" → "perche"), as FTS5 does."""
    if text.isascii():  # most words: nothing to decompose
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of ``text``; apostrophes and underscores split ("dell'incontro" → "dell", "incontro")."""
    return _WORD.findall(fold(text).replace("_", " "))


ITALIAN_STOPWORDS = frozenset(words("""
a ad al allo ai agli all agl alla alle con col coi da dal dallo dai dagli dall dagl dalla dalle
di del dello dei degli dell degl della delle in nel nello nei negli nell negl nella nelle su sul
sullo sui sugli sull sugl sulla sulle per tra fra contro io tu lui lei noi voi loro mio mia miei
mie tuo tua tuoi tue suo sua suoi sue nostro nostra nostri nostre vostro vostra vostri vostre mi
ti ci vi lo la li le gli ne il un uno una ma ed se perché perche anche come dov dove che chi cui
non più piu quale quali qual quanto quanti quanta quante quello quelli quella quelle questo questi
questa queste si tutto tutti c e i l o ho hai ha abbiamo avete hanno abbia abbiate abbiano avrò
avrai avrà avremo avrete avranno avrei avresti avrebbe avremmo avreste avrebbero avevo avevi aveva
avevamo avevate avevano ebbi avesti ebbe avemmo aveste ebbero avessi avesse avessimo avessero
avendo avuto avuta avuti avute sono sei è siamo siete sia siate siano sarò sarai sarà saremo
sarete saranno sarei saresti sarebbe saremmo sareste sarebbero ero eri era eravamo eravate erano
fui fosti fu fummo foste furono fossi fosse fossimo fossero essendo stato stata stati state
essere avere fare faccio fai fa facciamo fanno faceva facevano fece fecero fatto fatta fatti
sto stai sta stiamo stanno stava stavano quando cosa cos quanto dopo prima molto poi
ancora già gia oltre circa secondo sempre mai ogni altro altra altri altre nessun nessuno
"""))

ENGLISH_STOPWORDS = frozenset(words("""
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
her hers herself it its itself they them their theirs themselves what which who whom this that
these those am is are was were be been being have has had having do does did doing a an the and
but if or because as until while of at by for with about against between into through during
before after above below to from up down in out on off over under again further then once here
there when where why how all any both each few more most other some such no nor not only own same
so than too very s t can will just don should now d ll m o re ve y also would could did many much
"""))

# Words that frame a question rather than name its topic ("cosa è successo", "what happened"): left
# out of the question's search terms (they stay indexed: "successo" is also "success").
QUESTION_FRAMING = {
    ITALIAN: frozenset(words("successo succede succedera accaduto accade avvenuto avviene capitato")),
    ENGLISH: frozenset(words("happen happens happened happening occur occurred going")),
}

# "How big was the loan?" asks for a size: the adjective after "how" names no topic ("big" would
# search "grande" and find the largest army of another article).
MAGNITUDE = {ENGLISH: re.compile(r"\bhow\s+(?:big|large|long|old|far|tall|high|wide|deep|heavy|huge|often)\b", re.IGNORECASE)}

_ITALIAN_ONLY = ITALIAN_STOPWORDS - ENGLISH_STOPWORDS
_ENGLISH_ONLY = ENGLISH_STOPWORDS - ITALIAN_STOPWORDS


def stopwords(language: str) -> frozenset[str]:
    """The words a query in ``language`` drops (an English query drops Italian ones too: noise either way)."""
    return ITALIAN_STOPWORDS if language == ITALIAN else ENGLISH_STOPWORDS | ITALIAN_STOPWORDS


def detect_language(text: str, default: str = UNDETERMINED) -> str:
    """"it" or "en" by stopword counts, then by word endings; ``default`` when nothing tells."""
    found = words(text)
    italian = sum(word in _ITALIAN_ONLY for word in found)
    english = sum(word in _ENGLISH_ONLY for word in found)
    if italian != english:
        return ITALIAN if italian > english else ENGLISH
    content = [word for word in found if word.isalpha() and len(word) >= 3]
    if len(content) < MIN_TIE_WORDS and not (content and italian):
        return default
    vowel_endings = sum(word[-1] in "aeiou" for word in content)
    return ITALIAN if vowel_endings * 2 >= len(content) else ENGLISH


def question_language(text: str, detected: str | None = None) -> str:
    """The language a question is written in: "it" or "en" as ``detect_language`` tells them (its
    verdict ``detected``, when the caller has it already), another language's code when the
    identifier is sure of it, ``UNDETERMINED`` when nothing tells."""
    label, confidence = _identifier().classify(text)
    if label not in (ITALIAN, ENGLISH) and confidence >= OTHER_LANGUAGE_CONFIDENCE:
        return label
    return detected if detected is not None else detect_language(text, UNDETERMINED)


def article_language(title: str, text: str) -> str:
    """The language an article is written in: another language's code ("es", "fr", "de", "zh"…)
    when the identifier is sure of it, else "it" or "en" by ``detect_language``, else ``UNDETERMINED``."""
    sample = f"{title}\n{text[:ARTICLE_SAMPLE_CHARS]}"
    label, confidence = _identifier(every_language=True).classify(sample)
    if label not in (ITALIAN, ENGLISH) and confidence >= ARTICLE_CONFIDENCE:
        return label
    return detect_language(sample, UNDETERMINED)


@functools.cache
def _identifier(every_language: bool = False):
    """py3langid's identifier: over ``IDENTIFIED`` (questions), or over all its languages (articles)."""
    from py3langid.langid import LanguageIdentifier

    ptc, pc, classes, nextmove, row, output = _model()
    identifier = LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row)
    if not every_language:
        identifier.set_languages(list(IDENTIFIED))
    return identifier


@functools.cache
def _model() -> tuple:
    """py3langid's model, read in memory once for both identifiers: its own loader stages the 68 MB
    model in a temporary file, and reading articles must not fail where files cannot grow (a full
    disk, a file-size limit). The layout is py3langid 0.4.0's (the version is pinned)."""
    import io
    import lzma

    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import _to_array

    with np.load(io.BytesIO(lzma.decompress((MODEL_DIR / MODEL_FILE).read_bytes())), allow_pickle=False) as data:
        return (
            np.asarray(data["ptc"]), np.asarray(data["pc"]), data["classes"].tolist(),
            _to_array(data["nextmove"]), _to_array(data["nextmove_row"]), data["out_feat"].tolist(),
        )
