"""Normalised views of a text whose every character still knows where it came from.

Detectors match on a normalised view (`fold`: NFKC, invisible characters removed, look-alike
letters folded to Latin, every script's digits (and the circled dingbat digits) as ASCII
digits, lower case) and report spans in
the original text through `MappedText.span`, so a finding always points at what the author wrote.

The mapping is a list of runs, not one integer per character: ASCII text (most mail) is an
identity mapping with no per-character work at all, which is what keeps the scanner fast.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

# Characters that render as nothing (or nearly) and are used to split words invisibly.
INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\u206a\u206b\u206c\u206d\u206e\u206f\u3164\ufeff\uffa0\u20e3"
) | frozenset(chr(c) for c in range(0xFE00, 0xFE10))  # variation selectors (keycap emoji)

# Look-alike letters from other scripts, folded to the Latin letter they imitate.
# fmt: off
CONFUSABLES = {
    # Cyrillic
    "а": "a", "в": "b", "с": "c", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j",
    "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "ѕ": "s", "т": "t", "у": "y",
    "х": "x", "ԝ": "w", "ӏ": "l", "ɡ": "g",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c",
    # Latin look-alikes and symbols
    "ı": "i", "ſ": "s", "ℓ": "l", "＠": "@", "﹫": "@", "․": ".", "。": ".", "｡": ".",
    "ⓐ": "@", "Ⓐ": "@",  # circled "a" written for "@" ("anna ⓐ gmail.com")
}
# fmt: on


def _unicode_confusables() -> dict[str, str]:
    """Letters of other scripts that Unicode's confusables table says look like a Latin letter.

    Taken from the `confusable_homoglyphs` package's copy of confusables.txt: only letters
    (never digits or symbols as targets, so Cyrillic "З" does not become a "3" inside Russian
    words), only characters NFKC leaves alone (NFKC already folds fullwidth and mathematical
    letters), and an upper-case letter takes its lower-case twin's target when it has one.
    """
    try:
        from confusable_homoglyphs.utils import load
    except ImportError:  # pragma: no cover - a declared dependency
        return {}
    try:
        table = load("confusables.json")
    except (OSError, ValueError):  # pragma: no cover
        return {}
    found: dict[str, str] = {}
    for char, glyphs in table.items():
        if len(char) != 1 or char.isascii() or not unicodedata.category(char).startswith("L"):
            continue
        if unicodedata.normalize("NFKC", char) != char:
            continue
        targets = {
            g["c"].lower() for g in glyphs if len(g["c"]) == 1 and "a" <= g["c"].lower() <= "z"
        }
        if len(targets) == 1:
            found[char] = targets.pop()
    for char in list(found):
        lower = char.lower()
        if lower != char and lower in found:
            found[char] = found[lower]
    return found


for _char, _latin in _unicode_confusables().items():
    CONFUSABLES.setdefault(_char, _latin)


class Run(NamedTuple):
    """`length` characters of the derived text starting at `start`, from original [src, src_end).

    `copied` runs map one to one; replaced runs map every character to the whole source range.
    A named tuple, not a frozen dataclass: views of hit-dense text build thousands of runs and
    a frozen dataclass's __init__ costs several times a tuple's.
    """

    start: int
    length: int
    src: int
    src_end: int
    copied: bool


@dataclass
class MappedText:
    """A derived text and the map from its positions back to the original's."""

    text: str
    runs: list[Run] = field(default_factory=list)
    identity: bool = False

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span covering derived [start, end)."""
        if self.identity:
            return start, end
        if end <= start:
            point = self._map(min(start, len(self.text) - 1), first=True) if self.text else 0
            return point, point
        return self._map(start, first=True), self._map(end - 1, first=False)

    def _map(self, index: int, *, first: bool) -> int:
        """Original start (first=True) or end (first=False) of derived character `index`."""
        if not self.runs:
            return 0
        pos = bisect.bisect_right(self._starts, index) - 1
        # Indexed, not by field name: views build runs as plain tuples in Run's field order.
        start, _length, src, src_end, copied = self.runs[max(pos, 0)]
        if copied:
            offset = index - start
            return src + offset if first else src + offset + 1
        return src if first else src_end

    @property
    def _starts(self) -> list[int]:
        cached = self.__dict__.get("_starts_cache")
        if cached is None:
            cached = [r[0] for r in self.runs]
            self.__dict__["_starts_cache"] = cached
        return cached


class Builder:
    """Builds a MappedText piece by piece: copies of original ranges and replacements."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._runs: list[Run] = []
        self._length = 0

    def copy(self, text: str, src: int) -> None:
        """Append `text`, which is original[src:src+len(text)] (possibly case-changed)."""
        if text:
            self._runs.append(Run(self._length, len(text), src, src + len(text), True))
            self._parts.append(text)
            self._length += len(text)

    def replace(self, text: str, src: int, src_end: int) -> None:
        """Append `text` standing for original[src:src_end] (empty text drops that range)."""
        if text:
            self._runs.append(Run(self._length, len(text), src, src_end, False))
            self._parts.append(text)
            self._length += len(text)

    def build(self) -> MappedText:
        return MappedText("".join(self._parts), self._runs)


def fold_char(char: str) -> str:
    """One non-ASCII character in its folded form ("" for invisible ones)."""
    if char in INVISIBLE or unicodedata.category(char) == "Cf":
        return ""
    if char in CONFUSABLES:
        return CONFUSABLES[char]
    digit = unicodedata.digit(char, None)
    if digit is not None and unicodedata.category(char) == "Nd":
        return str(digit)
    folded = unicodedata.normalize("NFKC", char)
    if folded != char:
        return "".join(fold_char(c) if not c.isascii() else c for c in folded).lower()
    if digit is not None:  # digits NFKC keeps: dingbat circled "➊❶➀", double circled "⓵"
        return str(digit)
    lowered = char.lower()
    return CONFUSABLES.get(lowered, lowered)


_FOLD_CACHE: dict[str, str] = {}
_ASCII_LOWER = {ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def _fold_cached(char: str) -> str:
    folded = _FOLD_CACHE.get(char)
    if folded is None:
        folded = fold_char(char)
        if len(_FOLD_CACHE) < 65536:
            _FOLD_CACHE[char] = folded
    return folded


def fold(text: str) -> MappedText:
    """NFKC, invisibles removed, look-alikes and digits folded, lower case; spans map back."""
    if text.isascii():
        return MappedText(text.lower(), identity=True)
    # One table translate (built once, about 40 ms) is cheaper than a per-character loop even
    # for a few non-ASCII characters. Only text with much non-ASCII is marked `identity`.
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if non_ascii * 8 < len(text):  # mostly ASCII (Western European mail): fold only the rest
        few = _fold_few(text, identity=non_ascii > 64)
        if few is not None:
            return few
    return _fold_translated(text, identity=non_ascii > 64)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_LOWER_BYTES = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")


def _fold_few(text: str, *, identity: bool) -> MappedText | None:
    """_fold_translated's result for text with few non-ASCII characters, or None.

    ASCII is lowered by one bytes.translate and each distinct non-ASCII character whose fold
    differs is replaced in one str.replace, instead of a table lookup per character. Only
    where every such character folds to one BMP character (a code point in the table) that
    folds to itself (so the replacements cannot chain): then positions are kept and the text
    equals the translate.
    """
    table, _special = _bmp_table()
    folded = (
        text.encode("utf-8", "surrogatepass")
        .translate(_LOWER_BYTES)
        .decode("utf-8", "surrogatepass")
    )
    for char in set(_NON_ASCII.findall(text)):
        code = ord(char)
        if code >= 0x10000:
            return None
        target = table[code]  # a code point, or the string a character vanishes or expands to
        if target == code:
            continue
        if (
            target.__class__ is not int
            or target > 0xFFFF
            or (target > 0x7F and table[target] != target)
        ):
            return None
        folded = folded.replace(char, chr(target))
    if identity:
        return MappedText(folded, identity=True)
    return MappedText(folded, [Run(0, len(text), 0, len(text), True)])


def fold_chars(text: str) -> str:
    """fold(text).text one character at a time, without the BMP table.

    For the scanner's own short patterns at import (gateway.scanning.payments): building the
    table there put it (2.6 MB, more while it is built) into every process, even one that only
    ever sees ASCII mail. The table now comes with the first text that needs it.
    """
    return "".join(c.lower() if c.isascii() else _fold_cached(c) for c in text)


_BMP: list[int | str] = []  # fold of every BMP character, built on first use (about 40 ms)
_BMP_SPECIAL: list[re.Pattern[str]] = []  # characters that vanish or expand, and astral ones


def _bmp_table() -> tuple[list[int | str], re.Pattern[str]]:
    """The str.translate table: a one-character fold as its code point, others as strings.

    Code points, not one-character strings: str.translate gives the same text for either, at
    the same speed, and an int costs 32 bytes against a non-Latin-1 string's 76 (2.6 MB for
    the table instead of 5.5 MB, in every process: the payment patterns build it at import).
    """
    if not _BMP:
        table: list[int | str] = []
        special = []
        for code in range(0x10000):
            char = chr(code)
            if code < 0x80 or 0xD800 <= code < 0xE000:
                folded = char.lower()
            else:
                folded = fold_char(char)
            if len(folded) != 1:
                special.append(char)
                table.append(folded)
            else:
                table.append(ord(folded))
        _BMP_SPECIAL.append(
            re.compile("[" + "".join(re.escape(c) for c in special) + "\U00010000-\U0010ffff]")
        )
        _BMP.extend(table)
    return _BMP, _BMP_SPECIAL[0]


def _fold_translated(text: str, *, identity: bool = True) -> MappedText:
    """fold() for text with much non-ASCII (Cyrillic, Devanagari, ...): one str.translate.

    A table of every BMP character's fold makes this one C-level pass; characters that fold to
    exactly one character keep their position, so only the rare ones that vanish or expand
    (zero-width, ligatures) and astral ones need runs in the map. Same result as the
    character-by-character path.
    """
    table, special = _bmp_table()
    first = special.search(text)
    if first is None:
        if identity:
            return MappedText(text.translate(table), identity=True)
        # Same positions, but mapped through one copied run as the per-character path maps
        # them (callers may treat `identity` as "ASCII text").
        return MappedText(text.translate(table), [Run(0, len(text), 0, len(text), True)])
    builder = Builder()
    position = 0
    for match in special.finditer(text, first.start()):
        builder.copy(text[position : match.start()].translate(table), position)
        builder.replace(_fold_cached(match[0]), match.start(), match.end())
        position = match.end()
    builder.copy(text[position:].translate(table), position)
    return builder.build()
