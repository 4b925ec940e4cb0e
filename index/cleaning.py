"""Strips page chrome from an article's lines, keeping every sentence of the article.

Chrome is what a scraped page carries around the article: suggested videos,
advertising labels, share counters, embedded tweets, notification prompts,
banners, photo credits, trailing promos. It goes by general rules (counters,
embedded posts, short unpunctuated trailers) plus ``CHROME_PATTERNS``, a list
meant to grow: add a regular expression there when a new site's chrome shows up.

Lists are article text, however short their lines: a counter is a number followed by a word
that counts something (``COUNTER_WORDS``: "97 condivisioni", "1,2k shares"), not any number
and a few words ("1. Choose the Right Pot", "30 minutes before bed"); and the trailer stops at
a list item (numbered, bulleted, or opening with a day: "100. Ray Gillen", "12 March – Milan,
Alcatraz"), so a list that ends the page is kept, with everything above it.
"""

from __future__ import annotations

import re
import unicodedata

from index import dates

# Whole lines that are page chrome (matched case-insensitively against a stripped line).
CHROME_PATTERNS: list[str] = [
    r"video suggerit[oi]|suggested videos?|guarda il video|watch the video",
    r"contenuto pubblicitario|pubblicit[aà]|advertisement|sponsored( content)?|annuncio|ad",
    r"(attiva|abilita) le notifiche.*|(turn on|enable|allow) (push )?notifications.*",
    r"(iscriviti|subscribe|sign up)( (a|alla|to))?( (la )?(nostra )?(our )?newsletter)?.{0,60}",
    r"(seguici|segui) su .{0,60}|follow us( on)? .{0,60}|condividi( su)? .{0,40}|share( on)? .{0,40}",
    r"(leggi|read) (anche|also|more)\b.{0,120}|potrebbe interessarti.{0,80}|related( articles)?:?",
    r"immagine|image|foto|photo|video|gallery|galleria|autopromo.*|apri la gallery.*",
    r"banner\b.*|.*\b\d{2,4}x\d{2,4}\b.*",
    r"(autore foto|foto|photo|credits?|ph\.?|fonte foto)\s*:.*",
    r"a cura di [^.!?]{1,60}|(by|di) (?-i:[A-Z][\w.'-]+( [A-Z][\w.'-]+){0,3})",
    r"(tutti i )?diritti riservati.*|all rights reserved.*|riproduzione riservata.*|©.*",
    r"(questo sito|this (web)?site) (utilizza|usa|uses) (i )?cookies?.*|.*\bcookie (policy|settings)\b.*",
    r"accetta( tutti)?|accept( all)?|rifiuta( tutti)?|reject( all)?",
    r"(torna|back) (su|to top|all'inizio).*|scroll (down|to continue).*|continua a leggere.*|continue reading.*",
    r"(pubblicato|aggiornato|published|updated)( il| on)?\s*:?\s*$",
]

# A whole paragraph that is an embedded social post.
EMBED_PATTERNS: list[str] = [
    r"pic\.twitter\.com/\w+",
    r"(twitter|x)\.com/\w+/status/\d+",
    r"[—–-]\s*[^()\n]{1,60}\(@\w{1,30}\)\s+\w+ \d{1,2}, \d{4}\s*$",
    r"visualizza questo post su instagram|view this post on instagram|a post shared by|un post condiviso da",
]

# What a page's counters count: "97 CONDIVISIONI", "4347 contenuti su questa storia", "1,2k shares".
COUNTER_WORDS: list[str] = [
    r"condivision[ei]|shares?|commenti|commento|comments?|risposte|replies|reazioni|reactions",
    r"visualizzazioni|views|letture|reads|visite|visits|likes?|mi piace|voti|votes|retweets?|tweets?",
    r"followers?|iscritti|subscribers|contenuti|articoli|articles|notizie|stories|storie|foto|photos|video|videos",
]
# A counter: a number (thousands and decimals, "1,2k") and a counted word, with at most three words after it.
_COUNTER = re.compile(
    r"^\d+(?:[.,]\d+)*\s*[km]?\s+(?:" + "|".join(COUNTER_WORDS) + r")\b(?:\s+\w+){0,3}$", re.IGNORECASE
)
# An item of a list: "1. …", "12) …", "(3) …", "- …", "• …", "#4 …".
_LIST_ITEM = re.compile(r"^(?:\(?\d{1,3}[.)]|#\d{1,3}|[-–—•·*▪●◦►✓✔])\s*\S")
_TERMINAL = re.compile(r"[.!?…:;。！？][\"”»’')\]」』）]*\s*$")  # Chinese and Japanese full stops too
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
TRAILER_MAX_WORDS = 12
CHROME_MAX_WORDS = 15  # chrome patterns only judge short lines: a long line is prose


def _compile(patterns: list[str], whole: bool) -> re.Pattern[str]:
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(f"^(?:{body})$" if whole else body, re.IGNORECASE)


_CHROME = _compile(CHROME_PATTERNS, whole=True)
_EMBED = _compile(EMBED_PATTERNS, whole=False)


def normalize_line(line: str) -> str:
    """Collapse white space, drop invisible and control characters."""
    line = line.translate(_INVISIBLE)
    line = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in line)
    return " ".join(line.split())


def is_chrome(line: str) -> bool:
    """True when a single line is page chrome rather than article text."""
    if not any(ch.isalnum() for ch in line):
        return True
    if re.fullmatch(r"(https?://|www\.)\S+", line):
        return True
    if _EMBED.search(line):
        return True
    if len(line.split()) > CHROME_MAX_WORDS:
        return False
    return bool(_CHROME.match(line) or _COUNTER.match(line))


def ends_like_sentence(line: str) -> bool:
    """True when a line ends with sentence punctuation (closing quotes allowed after it)."""
    return bool(_TERMINAL.search(line))


def is_sentence_like(line: str) -> bool:
    """True when a line reads as prose: it ends like a sentence or is long."""
    return ends_like_sentence(line) or len(line.split()) > TRAILER_MAX_WORDS


def is_list_item(line: str) -> bool:
    """True when a line is an item of a list: numbered, bulleted, or opening with a day of a month."""
    return bool(_LIST_ITEM.match(line)) or dates.opens_with_day(line)


def clean_lines(lines: list[str]) -> list[str]:
    """The article's own lines, in order, without chrome, repeats or trailing promos."""
    kept: list[str] = []
    for raw in lines:
        line = normalize_line(raw)
        if not line or is_chrome(line):
            continue
        if kept and line == kept[-1]:
            continue
        kept.append(line)
    return drop_trailer(kept)


def drop_trailer(lines: list[str]) -> list[str]:
    """Drop the short unpunctuated lines (tags, promos, widgets) that end a page, up to its last
    sentence or list item."""
    end = len(lines)
    while end > 0 and not (is_sentence_like(lines[end - 1]) or is_list_item(lines[end - 1])):
        end -= 1
    if end == 0:  # nothing reads as prose: keep it all rather than lose the article
        return lines
    return lines[:end]
