"""Telegram's HTML subset, parsed as Telegram parses it: plain text and entities, or the reason
Telegram refuses the text (the part of its error after "can't parse entities: ")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.fakes.telegram.entities import WHITESPACE, normalize_entities, normalize_url


class EntityParseError(ValueError):
    """Why Telegram refuses some HTML (the part after "can't parse entities: ")."""


_SPACES = frozenset(WHITESPACE.encode())
_NAME_TOKEN = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_NAMED_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_SIMPLE_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "span": "spoiler", "tg-spoiler": "spoiler",
}
_TAGS = frozenset(_SIMPLE_TAGS) | {"a", "code", "pre", "blockquote", "tg-emoji"}


@dataclass
class _OpenTag:
    name: str
    argument: str
    u16_start: int
    byte_start: int
    expandable: bool = False


class _HtmlParser:
    """Telegram's HTML subset, walked byte by byte as Telegram does (offsets in errors
    are UTF-8 byte offsets of the input; entity offsets are UTF-16 units of the output)."""

    def __init__(self, text: str, strict_ampersand: bool) -> None:
        self.src = text.encode("utf-8", "surrogatepass")
        self.strict_ampersand = strict_ampersand
        self.pos = 0
        self.out = bytearray()
        self.u16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict] = []

    def _at(self, i: int) -> int:
        return self.src[i] if i < len(self.src) else 0

    def parse(self) -> tuple[str, list[dict]]:
        while self.pos < len(self.src):
            byte = self.src[self.pos]
            if byte == ord("&"):
                self._ampersand()
            elif byte == ord("<"):
                self._tag()
            else:
                self._emit_byte(byte)
                self.pos += 1
        if self.stack:
            name = self.stack[-1].name
            raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        try:
            plain = self.out.decode("utf-8")
        except UnicodeDecodeError:
            raise EntityParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            ) from None
        return plain, normalize_entities(self.entities)

    def _emit_byte(self, byte: int) -> None:
        self.out.append(byte)
        if byte & 0xC0 != 0x80:  # first byte of a character
            self.u16 += 2 if byte >= 0xF0 else 1

    def _emit_char(self, code_point: int) -> None:
        self.out += chr(code_point).encode("utf-8", "surrogatepass")
        self.u16 += 2 if code_point > 0xFFFF else 1

    def _decode_entity(self, i: int) -> tuple[int, int] | None:
        """(code point, next position) for an HTML entity at ``i``, or None if it is none."""
        j = i + 1
        if self._at(j) == ord("#"):
            j += 1
            base, digits = 10, "0123456789"
            if self._at(j) == ord("x"):
                base, digits, j = 16, "0123456789abcdefABCDEF", j + 1
            start = j
            while self._at(j) and chr(self._at(j)) in digits:
                j += 1
            value = int(self.src[start:j], base) if j > start else 0
            if value == 0 or value >= 0x10FFFF or j - i >= 10:
                return None
        else:
            start = j
            while chr(self._at(j)).isascii() and chr(self._at(j)).isalpha():
                j += 1
            if self.src[start:j] not in _NAMED_ENTITIES:
                return None
            value = ord(_NAMED_ENTITIES[self.src[start:j]])
        return value, j + (self._at(j) == ord(";"))

    def _ampersand(self) -> None:
        decoded = self._decode_entity(self.pos)
        if decoded:
            self._emit_char(decoded[0])
            self.pos = decoded[1]
            return
        if self.strict_ampersand:  # stricter than Telegram, which keeps such "&" as text
            named = re.match(rb"&#?([A-Za-z0-9]+);", self.src[self.pos:])
            if named:
                name = named.group(1).decode()
                raise EntityParseError(f'Unsupported entity "{name}" at byte offset {self.pos}')
            raise EntityParseError(f'Unescaped "&" at byte offset {self.pos}')
        self._emit_byte(self.src[self.pos])
        self.pos += 1

    def _tag(self) -> None:
        if self._at(self.pos + 1) == ord("/"):
            self._end_tag(self.pos)
        else:
            self._start_tag(self.pos)

    def _start_tag(self, begin: int) -> None:
        i = begin + 1
        while i < len(self.src) and self.src[i] not in _SPACES and self.src[i] != ord(">"):
            i += 1
        if i >= len(self.src):
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        name = self.src[begin + 1:i].decode("utf-8", "replace").lower()
        if name not in _TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {begin}')
        argument, expandable, i = self._attributes(name, begin, i)
        if name == "span" and argument != "spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
            )
        if name == "tg-emoji" and not (argument.isdigit() and int(argument) > 0):
            raise EntityParseError("Invalid custom emoji identifier specified")
        self.stack.append(_OpenTag(name, argument, self.u16, len(self.out), expandable))
        self.pos = i + 1

    def _attributes(self, tag: str, begin: int, i: int) -> tuple[str, bool, int]:
        argument, expandable, src = "", False, self.src
        while True:
            while i < len(src) and src[i] in _SPACES:
                i += 1
            if i >= len(src):
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            if src[i] == ord(">"):
                return argument, expandable, i
            start = i
            while i < len(src) and src[i] not in _SPACES and src[i] not in b"=>":
                i += 1
            attribute = src[start:i].decode("utf-8", "replace").lower()
            if not attribute:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                )
            while i < len(src) and src[i] in _SPACES:
                i += 1
            if self._at(i) != ord("="):
                if tag == "blockquote" and attribute == "expandable":
                    expandable = True
                    continue
                raise EntityParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {begin}'
                )
            i += 1
            while i < len(src) and src[i] in _SPACES:
                i += 1
            if i >= len(src):
                raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            value, i = self._attribute_value(i, begin)
            argument = _tag_argument(tag, attribute, value, argument)

    def _attribute_value(self, i: int, begin: int) -> tuple[str, int]:
        src = self.src
        if src[i] in b"'\"":
            quote, i, value = src[i], i + 1, bytearray()
            while i < len(src) and src[i] != quote:
                decoded = self._decode_entity(i) if src[i] == ord("&") else None
                if decoded:
                    value += chr(decoded[0]).encode("utf-8", "surrogatepass")
                    i = decoded[1]
                else:
                    value.append(src[i])
                    i += 1
            if i >= len(src):
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            return value.decode("utf-8", "replace"), i + 1
        start = i
        while i < len(src) and (src[i] in _NAME_TOKEN):
            i += 1
        if i >= len(src):
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        if src[i] not in _SPACES and src[i] != ord(">"):
            raise EntityParseError(f"Unexpected end of name token at byte offset {start}")
        return src[start:i].decode().lower(), i

    def _end_tag(self, begin: int) -> None:
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        i = begin + 2
        while i < len(self.src) and self.src[i] not in _SPACES and self.src[i] != ord(">"):
            i += 1
        end_name = self.src[begin + 2:i].decode("utf-8", "replace").lower()
        while i < len(self.src) and self.src[i] in _SPACES:
            i += 1
        if self._at(i) != ord(">"):
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        top = self.stack.pop()
        if end_name and end_name != top.name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{top.name}>", '
                f'found "</{end_name}>"'
            )
        self.pos = i + 1
        if self.u16 > top.u16_start:
            self._close(top)

    def _close(self, tag: _OpenTag) -> None:
        span = {"offset": tag.u16_start, "length": self.u16 - tag.u16_start}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and all(last[k] == span[k] for k in span)
        if tag.name in _SIMPLE_TAGS:
            self.entities.append({"type": _SIMPLE_TAGS[tag.name], **span})
        elif tag.name == "blockquote":
            kind = "expandable_blockquote" if tag.expandable else "blockquote"
            self.entities.append({"type": kind, **span})
        elif tag.name == "tg-emoji":
            self.entities.append({"type": "custom_emoji", **span, "custom_emoji_id": tag.argument})
        elif tag.name == "a":
            inner = self.out[tag.byte_start:].decode("utf-8", "replace")
            url = normalize_url(tag.argument or inner)
            if url:  # Telegram silently drops links it can't use
                self.entities.append({"type": "text_link", **span, "url": url})
        elif tag.name == "pre" and same_span and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
        elif tag.name == "code" and same_span and last["type"] == "pre" and tag.argument:
            last["language"] = tag.argument
        else:
            entity = {"type": tag.name, **span}
            if tag.name == "code" and tag.argument:
                entity["language"] = tag.argument
            self.entities.append(entity)


def _tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value[len("language-"):]
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value[len("tg-"):]
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    return current


def parse_telegram_html(text: str, *, strict_ampersand: bool = False) -> tuple[str, list[dict]]:
    """Parse Telegram's HTML subset into (plain text, entities), as Telegram does.

    Raises EntityParseError with Telegram's reason. Like Telegram, an ``&`` that does not
    start &lt; &gt; &amp; &quot; or &#NNN; / &#xHH; is kept as text; ``strict_ampersand``
    refuses it instead (a fake-only check, to catch unescaped text early).
    """
    return _HtmlParser(text, strict_ampersand).parse()
