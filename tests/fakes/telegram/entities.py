"""Telegram's message entities: lengths in UTF-16, the order and nesting Telegram keeps, the
entities it detects by itself (commands, @mentions, URLs) and how trimming moves them."""

from __future__ import annotations

import re

WHITESPACE = " \t\r\n\v\f"
FORMATTING = frozenset({"bold", "italic", "underline", "strikethrough", "spoiler"})
_QUOTES = frozenset({"blockquote", "expandable_blockquote"})
_PRIORITY = {
    "blockquote": 0, "expandable_blockquote": 0, "pre": 1, "code": 2, "text_link": 3,
    "text_mention": 3, "custom_emoji": 3, "bold": 5, "italic": 6, "underline": 7,
    "strikethrough": 8, "spoiler": 9,
}
_URL_SCHEMES = frozenset({"http", "https", "tg", "ton", "tonsite", "ftp"})
COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")
MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z][A-Za-z0-9_]{3,31}(?!\w)")
_URL_RE = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram's limits and offsets."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def normalize_url(url: str) -> str | None:
    """The URL Telegram would link to, or None if Telegram would drop the link."""
    url = url.strip()
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", url)
    if scheme:
        ok = scheme.group(1).lower() in _URL_SCHEMES and url[scheme.end():].startswith("//")
        return url if ok and len(url) > scheme.end() + 2 else None
    host = url.split("/", 1)[0]
    if re.fullmatch(r"[\w-]+(\.[\w-]+)+(:\d+)?", host):
        return "http://" + url
    return None


def normalize_entities(entities: list[dict]) -> list[dict]:
    """Sort entities as Telegram does and drop nestings Telegram does not allow."""
    ordered = sorted(
        entities, key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 4))
    )
    kept: list[dict] = []
    for entity in ordered:
        end = entity["offset"] + entity["length"]
        outer = [k for k in kept
                 if k["offset"] <= entity["offset"] and end <= k["offset"] + k["length"]]
        if not _may_nest(entity, outer):
            continue
        if entity["type"] == "code":
            entity.pop("language", None)
        kept.append(entity)
    return kept


def _may_nest(entity: dict, outer: list[dict]) -> bool:
    kinds = {k["type"] for k in outer}
    if kinds & {"pre", "code"}:
        return False
    if entity["type"] in _QUOTES:
        return not kinds & _QUOTES
    if entity["type"] in FORMATTING:
        return entity["type"] not in kinds
    return not kinds - FORMATTING - _QUOTES


def detect_entities(text: str) -> list[dict]:
    """Entities Telegram finds by itself: bot commands, @mentions and http(s) URLs."""
    found = []
    kinds = (("bot_command", COMMAND_RE), ("mention", MENTION_RE), ("url", _URL_RE))
    for kind, pattern in kinds:
        for match in pattern.finditer(text):
            offset = utf16_len(text[:match.start()])
            found.append({"type": kind, "offset": offset, "length": utf16_len(match.group())})
    return found


def with_detected(text: str, entities: list[dict]) -> list[dict]:
    """Add auto-detected entities that do not clash with non-formatting ones."""
    def clashes(d: dict) -> bool:
        return any(
            e["type"] not in FORMATTING and e["offset"] < d["offset"] + d["length"]
            and d["offset"] < e["offset"] + e["length"] for e in entities
        )
    return normalize_entities(entities + [d for d in detect_entities(text) if not clashes(d)])


def trim(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Telegram strips leading and trailing whitespace, moving entities with the text."""
    stripped = text.strip(WHITESPACE)
    if stripped == text:
        return text, entities
    leading = text[:len(text) - len(text.lstrip(WHITESPACE))]
    shift, size = utf16_len(leading), utf16_len(stripped)
    moved = []
    for entity in entities:
        start = max(0, entity["offset"] - shift)
        end = min(size, entity["offset"] + entity["length"] - shift)
        if end > start:
            moved.append({**entity, "offset": start, "length": end - start})
    return stripped, moved
