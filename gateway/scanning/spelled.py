"""De-obfuscation views: number words as digits, "at"/"dot"/"slash" words as symbols.

Two views over a document's folded text (normalize.fold), each built lazily, cached on the
ScanDoc, and only when the text holds what it rewrites, so ordinary mail pays almost nothing:

* `number_runs(doc)`: runs of spelled digits ("five five five", "cinco", "fünf", "пять",
  "double seven", "plus vier neun", "девятьсот шестнадцать", mixed "555 one two three 4567",
  "48two", letters for digits "4l5") rewritten as a digit string, with the span of the
  original text they came from; looked for only around number words that ordinary prose rarely
  uses, and only where a second number item is right next to one;
* `address_view(doc)`: a View in which "(at)", "[at]", " at ", "at the rate", "arroba",
  "arobase", "собака", "%40", spaced "@" become "@", "(dot)", "[.]", " dot ", "punto", "ponto",
  "point", "punkt", "точка" become ".", " slash " becomes "/", "underscore" "_", spaced-out
  letters ("a n n @ g m a i l . c o m") are joined, so the e-mail and URL detectors match one
  plain form. Every replacement is recorded with its kind so a detector can weigh how an
  address was written (a bracketed "(at)" is deliberate; a bare " at " needs more evidence).

A View maps its positions back to the original text through both layers (view -> folded ->
original), so findings always point at what the author wrote. `tokens(doc)` is the shared
cheap gate: the set of the folded text's words, which detectors test for their trigger words.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache

from gateway.scanning.document import ScanDoc
from gateway.scanning.normalize import MappedText, Run, fold_chars


def folded_pattern(pattern: str) -> str:
    """A regex source whose non-ASCII letters are folded like the text it will run on."""
    return re.sub(r"[^\x00-\x7f]+", lambda m: fold_chars(m[0]), pattern)


@lru_cache(maxsize=4096)
def fw(word: str) -> str:
    """A word as it appears in folded text (cached: detectors fold brand words per match)."""
    return fold_chars(word)


@dataclass
class View:
    """A derived text over a doc's folded text; `span` maps back to the original."""

    text: str
    folded: MappedText
    inner: MappedText | None = None  # view -> folded; None when the view is the folded text
    replaced: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, kind)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of view [start, end)."""
        if self.inner is not None:
            start, end = self.inner.span(start, end)
        return self.folded.span(start, end)

    def kinds(self, start: int, end: int) -> set[str]:
        """Kinds of the replacements overlapping view [start, end)."""
        if not self.replaced:
            return set()
        bounds = self.__dict__.get("_bounds")
        if bounds is None:
            starts = [s for s, _e, _k in self.replaced]
            ends = [e for _s, e, _k in self.replaced]
            # Replacements are built in text order and never overlap: both lists are sorted.
            ordered = self.__dict__.get("_ordered") or (
                all(s <= e for s, e in zip(starts, ends, strict=True))
                and all(e <= s for e, s in zip(ends, starts[1:], strict=False))
            )
            bounds = self.__dict__["_bounds"] = (starts, ends) if ordered else ()
        if not bounds:
            return {
                k
                for s, e, k in self.replaced
                if (s < end and e > start) or (s == e and start < s < end)
            }
        # (s == e and start < s < end) implies (s < end and e > start): one test is enough.
        starts, ends = bounds
        lo = bisect.bisect_right(ends, start)  # the first with e > start
        hi = bisect.bisect_left(starts, end)  # past the last with s < end
        return {k for _s, _e, k in self.replaced[lo:hi]}


# ---------------------------------------------------------------------------------------------
# Number words
# ---------------------------------------------------------------------------------------------

_UNITS = {
    0: "zero oh o nought naught cero zéro null nulla ноль нуль shunya shoonya sunya शून्य",
    1: "one uno una um uma un une eins ein один одна одну ek एक",
    2: "two dos dois duas deux zwei zwo due два две do दो",
    3: "three tres três trois drei tre три teen तीन",
    4: "four cuatro quatro quatre vier quattro четыре char chaar चार",
    5: "five cinco cinq fünf fuenf funf cinque пять paanch panch pānch पांच पाँच",
    6: "six seis meia sechs sei шесть chhe chhah chah छह छः छे",
    7: "seven siete sete sept sieben sette семь saat सात",
    8: "eight ocho oito huit acht otto восемь aath आठ",
    9: "nine nueve nove neuf neun девять nau nao नौ",
}
_TEENS = {
    10: "ten diez dez dix zehn dieci десять",
    11: "eleven once onze elf undici одиннадцать",
    12: "twelve doce doze douze zwölf zwoelf dodici двенадцать",
    13: "thirteen trece treze treize dreizehn tredici тринадцать",
    14: "fourteen catorce catorze quatorze vierzehn quattordici четырнадцать",
    15: "fifteen quince quinze fünfzehn fuenfzehn quindici пятнадцать",
    16: "sixteen dieciséis dieciseis dezesseis seize sechzehn sedici шестнадцать",
    17: "seventeen diecisiete dezessete dix-sept siebzehn diciassette семнадцать",
    18: "eighteen dieciocho dezoito dix-huit achtzehn diciotto восемнадцать",
    19: "nineteen diecinueve dezenove dix-neuf neunzehn diciannove девятнадцать",
}
_TENS = {
    20: "twenty veinte vinte vingt zwanzig venti двадцать",
    30: "thirty treinta trinta trente dreißig dreissig trenta тридцать",
    40: "forty cuarenta quarenta quarante vierzig quaranta сорок",
    50: "fifty cincuenta cinquenta cinquante fünfzig fuenfzig cinquanta пятьдесят",
    60: "sixty sesenta sessenta soixante sechzig sessanta шестьдесят",
    70: "seventy setenta soixante-dix siebzig settanta семьдесят",
    80: "eighty ochenta oitenta quatre-vingt quatre-vingts achtzig ottanta восемьдесят",
    90: "ninety noventa quatre-vingt-dix neunzig novanta девяносто",
}
_HUNDREDS = {
    100: "сто",
    200: "двести",
    300: "триста",
    400: "четыреста",
    500: "пятьсот",
    600: "шестьсот",
    700: "семьсот",
    800: "восемьсот",
    900: "девятьсот",
}
_MULT = {2: "double doble dobro doppel doppio двойная", 3: "triple triplo dreifach тройная"}
_PLUS = "plus más mas mais плюс"
_HUNDRED_WORD = "hundred"
# Words that only count between other number items (too common on their own).
_WEAK = {fw(w) for w in "o oh un une ein do teen char sei nao nau um uma e y".split()}

_WORDS: dict[str, tuple[str, int]] = {}
for _value, _names in _UNITS.items():
    for _w in _names.split():
        _WORDS[fw(_w)] = ("unit", _value)
for _table, _kind in ((_TEENS, "teen"), (_TENS, "tens"), (_HUNDREDS, "hund"), (_MULT, "mult")):
    for _value, _names in _table.items():
        for _w in _names.split():
            _WORDS[fw(_w)] = (_kind, _value)
for _w in _PLUS.split():
    _WORDS[fw(_w)] = ("plus", 0)
_WORDS[_HUNDRED_WORD] = ("hundredword", 100)
# German compounds: dreiundzwanzig = 23.
for _u, _un in (
    (1, "ein"),
    (2, "zwei"),
    (3, "drei"),
    (4, "vier"),
    (5, "fünf"),
    (6, "sechs"),
    (7, "sieben"),
    (8, "acht"),
    (9, "neun"),
):
    for _t, _tn in (
        (20, "zwanzig"),
        (30, "dreißig"),
        (40, "vierzig"),
        (50, "fünfzig"),
        (60, "sechzig"),
        (70, "siebzig"),
        (80, "achtzig"),
        (90, "neunzig"),
    ):
        _WORDS[fw(f"{_un}und{_tn}")] = ("teen", _t + _u)  # a complete two-digit number
        if "ü" in _un or "ü" in _tn or "ß" in _tn:
            _WORDS[fw(f"{_un}und{_tn}".replace("ü", "ue").replace("ß", "ss"))] = ("teen", _t + _u)


def _trie_regex(words: list[str]) -> str:
    """An alternation of `words` shaped as a trie (shared prefixes once), longest first."""
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        alternatives = [re.escape(c) + build(sub) for c, sub in sorted(node.items()) if c]
        if not alternatives:
            return ""
        body = "(?:" + "|".join(alternatives) + ")" if len(alternatives) > 1 else alternatives[0]
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return build(root)


# Number words common in ordinary prose ("one of", "do", "plus", "sept."): a text holding only
# these is not searched for spelled runs (a spelled phone number has other digits too).
_COMMON_WORDS = {
    fw(w)
    for w in """one two ten o oh un une uno una um uma ein e y do sei null plus mas más mais
    double triple doble hundred char teen nau nao sept due tre i""".split()
}
_GATE_WORDS = frozenset(_WORDS) - _COMMON_WORDS


@dataclass(frozen=True)
class NumberRun:
    """Spelled digits: the digit string they stand for and where they were written."""

    digits: str  # "+4915..." or "5551234567"
    start: int  # original span
    end: int
    words: int  # how many tokens were words or letters-for-digits
    fstart: int = 0  # the same span in the folded text
    fend: int = 0


def _token_digits(tokens: list[tuple[str, int, str]]) -> tuple[str, int]:
    """Digits for a run's tokens (kind, value, text), and how many tokens were words."""
    out: list[str] = []
    words = 0
    repeat = 1
    i = 0
    n = len(tokens)

    def kind_at(j: int) -> str:
        return tokens[j][0] if j < n else ""

    while i < n:
        kind, value, text = tokens[i]
        i += 1
        if kind == "plus":
            if not out:
                out.append("+")
            words += text != "+"
            continue
        if kind == "mult":
            repeat, words = value, words + 1
            continue
        if kind == "digits":
            piece = text
        elif kind == "ld":
            piece = text.replace("o", "0").replace("i", "1").replace("l", "1")
            words += 1
        elif kind == "hundredword":
            piece, words = "00", words + 1
        else:
            words += 1
            total, width = value, {"unit": 1, "teen": 2, "tens": 2, "hund": 3}[kind]
            if kind == "unit" and kind_at(i) == "hundredword":
                total, width, i, words = value * 100, 3, i + 1, words + 1
            if width == 3 and kind_at(i) in {"tens", "teen", "unit"}:
                total, i, words = total + tokens[i][1], i + 1, words + 1
            if total % 10 == 0 and total % 100 >= 20 and kind_at(i) == "unit" and tokens[i][1]:
                total, i, words = total + tokens[i][1], i + 1, words + 1
            elif total % 100 in {60, 80} and kind_at(i) == "teen" and tokens[i][1] < 20:
                total, i, words = total + tokens[i][1], i + 1, words + 1  # soixante-douze
            piece = str(total).zfill(width)
        out.append(piece * repeat)
        repeat = 1
    return "".join(out), words


def number_runs(doc: ScanDoc) -> list[NumberRun]:
    """Runs of spelled-out digits in the doc (cached); empty for ordinary text."""
    cached = doc.__dict__.get("_number_runs")
    if cached is not None:
        return cached
    runs: list[NumberRun] = []
    try:
        runs = _number_runs(doc)
    except Exception:  # a detector never raises; no view is no finding
        runs = []
    doc.__dict__["_number_runs"] = runs
    return runs


# Tokens of a window: digit strings, words (hyphenated ones whole: "soixante-dix-huit"), "+".
_NUM_TOKEN = re.compile(r"\d+|[^\W\d_]+(?:-[^\W\d_]+)*|\+")
_GAP = re.compile(r"[ \t\-–—.,/()·:]{0,4}|[ \t,]*\n[ \t]*")
_JOINERS = frozenset(fw(w) for w in "y e et und и i".split())


def _parts(word: str) -> list[tuple[str, int, str]] | None:
    """A token as number items, None when it is not one ("écris-moi", "hello")."""
    if word == "+":
        return [("plus", 0, word)]
    if word.isdigit():
        return [("digits", 0, word)]
    entry = _WORDS.get(word)
    if entry is not None:
        return [(entry[0], entry[1], word)]
    if word in ("l", "i"):
        return [("ld", 0, word)]
    if "-" in word:
        items: list[tuple[str, int, str]] = []
        pieces = word.split("-")
        i = 0
        while i < len(pieces):
            for j in range(len(pieces), i, -1):  # the longest known prefix ("quatre-vingt")
                key = "-".join(pieces[i:j])
                if key in _WORDS:
                    items.append((*_WORDS[key], key))
                    i = j
                    break
            else:
                return None
        return items
    return None


# Tokens _parts can read as a number item, besides digit strings and hyphenated words.
_ITEM_WORDS = frozenset(_WORDS) | {"+", "l", "i"}


def _runs_in(text: str, lo: int, hi: int):
    """(start, end, items) of each run of number tokens between lo and hi."""
    run: list[tuple[str, int, str]] = []
    run_start = run_end = -1
    pending_joiner = False
    for m in _NUM_TOKEN.finditer(text, lo, hi):
        word = m[0]
        if not run and not (word in _ITEM_WORDS or word.isdigit() or "-" in word):
            continue  # no run going and no number item: nothing to do (most words of a text)
        parts = _parts(word)
        if run and word in _JOINERS and _GAP.fullmatch(text, run_end, m.start()):
            pending_joiner = True  # "treinta y dos"
            continue
        gap_ok = run and (pending_joiner or _GAP.fullmatch(text, run_end, m.start()))
        pending_joiner = False
        if (
            parts is not None
            and parts[0][0] == "ld"
            and not (
                (run and run[-1][0] == "digits" and run_end == m.start())
                or (m.end() < len(text) and text[m.end()].isdigit())
            )
        ):
            parts = None  # "l"/"i" only right next to a digit: "4l5", "2l5674"
        if parts is None:
            if run:
                yield run_start, run_end, run
            run = []
            continue
        if run and not gap_ok:
            yield run_start, run_end, run
            run = []
        if not run:
            run_start = m.start()
        run.extend(parts)
        run_end = m.end()
    if run:
        yield run_start, run_end, run


def _paragraph_runs(text: str, lo: int, hi: int, cache: dict):
    """`_runs_in(text, lo, hi)`, read paragraph by paragraph, each distinct paragraph once.

    No run goes on across a blank line ("\n\n" is no gap), so the runs of a window are those
    of its paragraphs, except after a joiner ("treinta y" carries on past any gap): a paragraph
    ending in a word of three letters or less is read together with the next. A paragraph's
    runs depend only on its text and the character after it (`cache` is keyed by both), so a
    text repeating a paragraph (quoted replies, signatures) reads it once.
    """
    position = lo
    while position < hi:
        cut = text.find("\n\n", position + 1, hi)  # a paragraph is never empty
        while cut >= 0 and _short_word_before(text, position, cut):
            cut = text.find("\n\n", cut + 2, hi)
        end = hi if cut < 0 else cut
        key = (end - position, text[position : end + 1])
        relative = cache.get(key)
        if relative is None:
            relative = cache[key] = [
                (start - position, stop - position, items)
                for start, stop, items in _runs_in(text, position, end)
            ]
        for start, stop, items in relative:
            yield start + position, stop + position, items
        position = end


def _short_word_before(text: str, lo: int, end: int) -> bool:
    """The last token of text[lo:end] is a word of at most three letters (a joiner may be)."""
    j = end - 1
    while j >= lo and not (text[j].isalnum() or text[j] == "+"):
        j -= 1
    if j < lo or text[j].isdecimal() or text[j] == "+":
        return False
    start = j  # back over letters (a token's letters: alphanumeric, not a regex digit)
    while start > lo and j - start < 3 and _is_letter(text[start - 1]):
        start -= 1
    return j - start < 3 and not (start > lo and _is_letter(text[start - 1]))


def _is_letter(char: str) -> bool:
    return char.isalnum() and not char.isdecimal()


_NEXT_TOKEN = re.compile(r"[ \t\-–—.,/()·:\n]{0,4}(\d|[^\W\d_]+)")
_PREV_TOKEN = re.compile(r"(\d|[^\W\d_]+)[ \t\-–—.,/()·:\n]{0,4}$")


def _is_number_token(word: str) -> bool:
    return word.isdigit() or word in _WORDS


def _number_neighbour(text: str, start: int, end: int) -> bool:
    """The word at [start, end) has a number word or a digit right before or after it."""
    after = _NEXT_TOKEN.match(text, end)
    if after is not None and _is_number_token(after[1]):
        return True
    before = _PREV_TOKEN.search(text, max(0, start - 30), start)
    return before is not None and _is_number_token(before[1])


_COMMON_RX = _trie_regex(sorted(w for w in _COMMON_WORDS if len(w) >= 3 and w.isalpha()))
_GLUED = re.compile(rf"[0-9](?:{_COMMON_RX})(?![^\W\d_])|(?<![^\W\d_])(?:{_COMMON_RX})[0-9]")


_PHONE_CUES = frozenset(
    fw(w)
    for w in """phone tel cell mobile mob number num no nr call ring text sms whatsapp wa zap
    telefon telefone teléfono telefono téléphone portable handy celular móvil movil número
    numero numéro nummer номер телефон тел звони""".split()
)


def _glued_token(words: frozenset[str]) -> bool:
    """Some word mixes digits and a common number word ("4one5"): a glued form lies inside one
    word (words split at blanks and punctuation only), so the text search can be skipped."""
    return any(
        _GLUED.search(w) for w in words if not w.isalpha() and not w.isdigit() and len(w) > 3
    )


def _number_runs(doc: ScanDoc) -> list[NumberRun]:
    """Runs of number words, looked for only around number words ordinary prose rarely has."""
    folded = doc.folded
    text = folded.text
    present = _GATE_WORDS & tokens(doc)
    # Common number words glued to digits ("4one5 88two 9o17 is my cell"): looked for (a costly
    # search) only next to a phone word, and only when no other number word opened the gate.
    glued = []
    if not present and not _PHONE_CUES.isdisjoint(tokens(doc)) and _glued_token(tokens(doc)):
        glued = [(m.start(), m.end()) for m in _GLUED.finditer(text)]
    if not present and not glued:
        return []
    hits = [
        (p, p + len(w))
        for w in present
        for p in find_words(text, w)
        if _number_neighbour(text, p, p + len(w))
    ]
    hits.extend(glued)
    runs = []
    last_end = -1
    # Digits of a run's items, by the items: a text repeating a number reads it once.
    spelled: dict[tuple[tuple[str, int, str], ...], tuple[str, int]] = {}
    paragraphs: dict[tuple[int, str], list[tuple[int, int, list]]] = {}
    for lo, hi in windows(text, hits, 110):
        for start, end, items in _paragraph_runs(text, lo, hi, paragraphs):
            if start < last_end:
                continue
            words = [t for t in items if t[0] not in {"digits", "plus"}]
            if not words:
                continue
            # Weak words ("o", "do", "un") alone do not make a run of words.
            if all(t[2] in _WEAK for t in words) and not any(t[0] == "ld" for t in words):
                continue
            if items[-1][0] == "plus":
                items = items[:-1]
            key = tuple(items)
            found = spelled.get(key)
            if found is None:
                found = spelled[key] = _token_digits(items)
            digits, nwords = found
            count = len(digits.lstrip("+"))
            if count < 7 or count > 16:
                continue
            last_end = end
            o_start, o_end = folded.span(start, end)
            runs.append(NumberRun(digits, o_start, o_end, nwords, start, end))
    return runs


# ---------------------------------------------------------------------------------------------
# Address words
# ---------------------------------------------------------------------------------------------

_AT_WORDS = [
    "arroba", "arobase", "chiocciola", fw("собака"), fw("собачка"), "ät", "klammeraffe",
    fw("małpa"), "malpa", "apenstaartje", "apestaart", "zavinac", fw("zavináč"), "kukac",
    "snabela", "alfakrulle", "miukumauku", fw("あっと"), fw("アット"),
]  # fmt: skip
_DOT_WORDS = [
    "dot", "punto", "ponto", "point", "punkt", fw("точка"), "dit", "nokta", "kropka", "punt",
    fw("tečka"), "tecka",
]  # fmt: skip
_DOT_RX = "|".join(map(re.escape, _DOT_WORDS))
_AT_RX = "|".join(map(re.escape, _AT_WORDS))
_OPEN, _CLOSE = r"[\(\[\{<]", r"[\)\]\}>]"
# What follows an "@"-word when it really is one: a domain label and a dot (word or symbol).
_DOT_FORM = rf"(?:\s*{_OPEN}\s*(?:\.|{_DOT_RX})\s*{_CLOSE}\s*|\s+(?:{_DOT_RX})\s+|\.)"
_DOMAIN_AHEAD = rf"(?=[\w-]+{_DOT_FORM}\w)"
# After a bare " at ": a domain that is not followed by a path ("book at calendly.com/anna" is
# a link, not an address).
_WEAK_AHEAD = rf"(?=[\w-]+(?:{_DOT_FORM}[\w-]+)+(?![\w.-]*/))"

_BRACKETED = re.compile(
    rf"{_OPEN}\s*(?:(?P<at>at|@|{_AT_RX})|(?P<dot>\.|{_DOT_RX})|(?P<slash>/|slash)|(?P<colon>:))"
    rf"\s*{_CLOSE}"
)
_BRACKET_WORDS = ("at", "dot", "slash", *_AT_WORDS, *_DOT_WORDS)
_SYMBOL_FORMS = (
    (".", ("[.]", "(.)", "{.}")),
    ("@", ("[@]", "(@)", "{@}")),
    (":", ("[:]",)),
    ("/", ("[/]",)),
)
# "at)", "dot ]" ...: a literal first, so the search runs at memchr speed.
_CLOSING = {w: re.compile(re.escape(w) + r"[ \t]?[\)\]\}>]") for w in (*_BRACKET_WORDS, *".@:/")}
_AT_WEAK = re.compile(rf"\s+(?:at(?:\s+the\s+rate(?:\s+of)?)?|at\s*-?\s*sign)\s+{_WEAK_AHEAD}")
_AT_WORD = re.compile(
    rf"\s+(?:at(?:\s+the\s+rate(?:\s+of)?)?|at\s*-?\s*sign|{_AT_RX})\s+{_DOMAIN_AHEAD}"
)
_RATE_AT = re.compile(rf"\s*(?:at\s*the\s*rate(?:\s*of)?|atrate)\s*{_DOMAIN_AHEAD}")
_DOT_WORD = re.compile(rf"\s+(?:{_DOT_RX})\s+(?=\w)")
_SLASH_WORD = re.compile(r"\s+(?:slash|barra|schrägstrich|/)\s+(?=\w)")
_UNDER_WORD = re.compile(
    r"\s+(?:underscore|under\s+score|guion\s+bajo|tiret\s+bas|unterstrich)\s+(?=\w)"
)
_DASH_WORD = re.compile(r"\s+(?:dash|hyphen|guion|tiret|bindestrich)\s+(?=\w)")
# Letters written one by one with single spaces ("a n n @ g m a i l . c o m").
_SPACED_LETTERS = re.compile(r"(?<![^\s(\[<:])(?:[\w@.\-_] ){2,}[\w@.\-_](?![^\s)\]>,;:!?])")

_SPACED_DOT_NEXT = re.compile(r" \. [\w-]{2,24}\b")
_AT_QUICK = re.compile(rf" at +[\w-]+ *(?:\.\w|[\(\[\{{<]| (?:{_DOT_RX}) | at )")
# Each anchored pattern is tried only where its literal anchor occurs (str.find is fast), and
# only when one of its trigger words is among the document's words at all.
_WORD_RULES: list[tuple[frozenset[str], tuple[str, ...], re.Pattern[str], str, str]] = [
    (frozenset({"at"}), (" at ", "\tat ", "\nat "), _AT_WEAK, "@", "at_weak"),
    (frozenset(_AT_WORDS), tuple(f" {w} " for w in _AT_WORDS), _AT_WORD, "@", "at_word"),
    (frozenset({"rate", "atrate"}), (" at the rate", " atrate"), _RATE_AT, "@", "at_word"),
    (frozenset(_DOT_WORDS), tuple(f" {w} " for w in _DOT_WORDS), _DOT_WORD, ".", "dot_word"),
    (
        frozenset({"slash", "barra", "schrägstrich"}),
        (" slash ", " barra ", " schrägstrich "),
        _SLASH_WORD,
        "/",
        "slash_word",
    ),
    (
        frozenset({"underscore", "under", "guion", "tiret", "unterstrich"}),
        (" underscore ", " under score ", " guion bajo ", " tiret bas ", " unterstrich "),
        _UNDER_WORD,
        "_",
        "under_word",
    ),
    (
        frozenset({"dash", "hyphen", "guion", "tiret", "bindestrich"}),
        (" dash ", " hyphen ", " guion ", " tiret ", " bindestrich "),
        _DASH_WORD,
        "-",
        "dash_word",
    ),
]


_ENTITIES = (
    ("&#64;", "@", "at_entity"),
    ("&#x40;", "@", "at_entity"),
    ("&commat;", "@", "at_entity"),
    ("&#46;", ".", "dot_entity"),
    ("&#x2e;", ".", "dot_entity"),
    ("&period;", ".", "dot_entity"),
)


def _find_all(text: str, needle: str):
    position = text.find(needle)
    while position >= 0:
        yield position
        position = text.find(needle, position + 1)


# Gates for the address view, each a NECESSARY condition read off _address_view below (every
# edit it makes starts at one of these anchors); tests/test_scan_gate.py checks them.
_RULE_ANCHORS = tuple(
    (triggers, tuple(a for a in anchors if a != " at "), " at " in anchors)
    for triggers, anchors, _pattern, _symbol, _kind in _WORD_RULES
)
_AT_RULES = tuple(
    (triggers, tuple(a for a in anchors if a != " at "), " at " in anchors)
    for triggers, anchors, _pattern, symbol, _kind in _WORD_RULES
    if symbol == "@"
)


_RULE_TRIGGERS = frozenset().union(*(triggers for triggers, _a, _q in _RULE_ANCHORS))
_BRACKET_SET = frozenset(_BRACKET_WORDS)
_SYMBOL_FORMS_FLAT = tuple(f for _symbol, forms in _SYMBOL_FORMS for f in forms)


def _rule_anchor(text: str, words: frozenset[str], rules) -> bool:
    if _RULE_TRIGGERS.isdisjoint(words):
        return False
    for triggers, anchors, quick in rules:
        if triggers.isdisjoint(words):
            continue
        if quick and _AT_QUICK.search(text):
            return True
        if any(a in text for a in anchors):
            return True
    return False


def _at_edit(text: str) -> bool:
    """A written "@" makes an edit only with a blank next to it (" @ ") or a character written
    alone before it ("a n n@"): what the "@" part of _address_view looks for."""
    for position in _find_all(text, "@"):
        if text[position + 1 : position + 2] in (" ", "\t"):
            return True
        if position >= 1 and text[position - 1] in " \t":
            return True
        if position >= 2 and text[position - 2] in " \t":
            return True
    return False


def _bracket_edit(text: str, words: frozenset[str]) -> bool:
    """A bracketed form ("(at)", "[dot]", "[.]") can start: an inner word _address_view tries
    followed by its closing bracket, or a bracketed symbol written out."""
    if "(" not in text and "[" not in text and "{" not in text and "<" not in text:
        return False
    for word in _BRACKET_SET.intersection(words):
        if _CLOSING[word].search(text):
            return True
    return any(f in text for f in _SYMBOL_FORMS_FLAT)


def address_edits_possible(doc: ScanDoc) -> bool:
    """False when the address view is certainly the folded text itself (no edit can start)."""
    text = doc.folded.text
    if "%40" in text or "&" in text or " . " in text or " / " in text:
        return True
    if "@" in text and _at_edit(text):
        return True
    words = tokens(doc)
    return _bracket_edit(text, words) or _rule_anchor(text, words, _RULE_ANCHORS)


def at_possible(doc: ScanDoc) -> bool:
    """False when the address view certainly holds no "@" (written or from an "at" form)."""
    text = doc.folded.text
    if "@" in text or "%40" in text or "&" in text:
        return True
    words = tokens(doc)
    return _bracket_edit(text, words) or _rule_anchor(text, words, _AT_RULES)


def address_view(doc: ScanDoc) -> View:
    """The folded text with obfuscated "@", ".", "/" written plainly (cached)."""
    cached = doc.__dict__.get("_address_view")
    if cached is not None:
        return cached
    if not address_edits_possible(doc):
        view = doc.__dict__["_address_view"] = View(doc.folded.text, doc.folded)
        return view
    try:
        view = _address_view(doc.folded, tokens(doc))
    except Exception:  # a detector never raises: fall back to the folded text
        view = View(doc.folded.text, doc.folded)
    doc.__dict__["_address_view"] = view
    return view


def _address_view(folded: MappedText, words: frozenset[str]) -> View:
    text = folded.text
    edits: list[tuple[int, int, str, str]] = []  # (start, end, replacement, kind)
    symbols = {"at": "@", "dot": ".", "slash": "/", "colon": ":"}
    # Bracketed forms are found from their inside word ("at", "dot", "." ...), which a fast
    # literal search finds, and confirmed with the brackets around it.
    inner = [w for w in _BRACKET_WORDS if w in words]
    if "(" in text or "[" in text or "{" in text:
        inner.extend(c for c, forms in _SYMBOL_FORMS if any(f in text for f in forms))
    for word in inner:
        for closing in _CLOSING[word].finditer(text):
            hit = closing.start()
            opener = text.rfind(" ", max(0, hit - 2), hit)
            position = hit - 1 if hit > 0 and text[hit - 1] in "([{<" else opener - 1
            if position < 0 or text[position] not in "([{<":
                continue
            m = _BRACKETED.match(text, position)
            if m is None:
                continue
            group = m.lastgroup or ""
            start, end = position, m.end()
            while start > 0 and text[start - 1] in " \t":
                start -= 1
            while end < len(text) and text[end] in " \t":
                end += 1
            edits.append((start, end, symbols[group], f"{group}_bracket"))
    for triggers, anchors, pattern, symbol, kind in _WORD_RULES:
        if triggers.isdisjoint(words):
            continue
        for anchor in anchors:
            if kind == "at_weak" and anchor == " at ":
                # " at " is in every English text: only where a domain-like word follows.
                found = (m.start() for m in _AT_QUICK.finditer(text))
            else:
                found = _find_all(text, anchor)
            for position in found:
                m = pattern.match(text, position)
                if m is not None and position > 0 and text[position - 1] not in " \t\n":
                    strong = kind == "at_weak" and ("rate" in m[0] or "sign" in m[0])
                    edits.append((m.start(), m.end(), symbol, "at_word" if strong else kind))
    for position in _find_all(text, "%40"):
        edits.append((position, position + 3, "@", "at_pct"))
    if "&" in text:  # character references left as text: "ann&#64;gmail&#46;com"
        for entity, symbol, kind in _ENTITIES:
            for position in _find_all(text, entity):
                edits.append((position, position + len(entity), symbol, kind))
    for position in _find_all(text, " . "):  # "calendly . com", "anna . lee @ gmail . com"
        if position > 0 and text[position - 1].isalnum() and _SPACED_DOT_NEXT.match(text, position):
            edits.append((position, position + 3, ".", "dot_spaced"))
    if " / " in text:
        for position in _find_all(text, " / "):
            m = _SLASH_WORD.match(text, position)
            if m is not None and position > 0 and text[position - 1] not in " \t\n":
                edits.append((m.start(), m.end(), "/", "slash_word"))
    if "@" in text and (" @" in text or "@ " in text or "\t@" in text or "@\t" in text):
        for position in _find_all(text, "@"):
            start, end = position, position + 1
            while start > 0 and position - start < 3 and text[start - 1] in " \t":
                start -= 1
            while end < len(text) and end - position < 4 and text[end] in " \t":
                end += 1
            if end - start > 1:
                edits.append((start, end, "@", "at_spaced"))
    at_positions = [s for s, _, sym, _k in edits if sym == "@"]
    at_positions.extend(_find_all(text, "@"))
    spaced: set[int] = set()  # the windows of neighbouring "@"s find the same spaces again
    for position in sorted(set(at_positions)):
        j = position - 1
        while j > 0 and text[j] in " \t":
            j -= 1
        if j < 1 or text[j - 1] not in " \t":
            continue  # not "a n n @": the letter before the "@" is not written alone
        lo, hi = max(0, position - 80), min(len(text), position + 80)
        for m in _SPACED_LETTERS.finditer(text, lo, hi):
            spaced.update(range(m.start() + 1, m.end(), 2))  # "x " units: every other char
    edits.extend((p, p + 1, "", "spaced") for p in spaced)
    if not edits:
        return View(text, folded)
    edits.sort()
    # Builder.copy/replace inlined: spaced-out letters make one edit per space, and a text that
    # repeats "a n n @ g m a i l . c o m" makes thousands of them.
    parts: list[str] = []
    runs: list[Run] = []  # plain tuples in Run's field order (a NamedTuple's __new__ is slow)
    starts: list[int] = []
    replaced: list[tuple[int, int, str]] = []
    add_part, add_run, add_start, add_replaced = (
        parts.append,
        runs.append,
        starts.append,
        replaced.append,
    )
    position = 0
    length = 0
    for start, end, symbol, kind in edits:
        if start < position:
            continue  # overlaps an earlier edit
        if start > position:
            add_part(text[position:start])
            add_run((length, start - position, position, start, True))
            add_start(length)
            length += start - position
        if symbol:
            add_part(symbol)
            add_run((length, len(symbol), start, end, False))
            add_start(length)
            add_replaced((length, length + len(symbol), kind))
            length += len(symbol)
        else:
            add_replaced((length, length, kind))
        position = end
    if position < len(text):
        add_part(text[position:])
        add_run((length, len(text) - position, position, len(text), True))
        add_start(length)
    inner = MappedText("".join(parts), runs)
    inner.__dict__["_starts_cache"] = starts
    # Built in text order, never overlapping: View.kinds may bisect them as they are.
    view = View(inner.text, folded, inner, replaced)
    view.__dict__["_ordered"] = True
    return view


# ---------------------------------------------------------------------------------------------
# Words present (a cheap gate shared by the detectors)
# ---------------------------------------------------------------------------------------------

_PUNCT = "!\"$%&'()*+,-./:;<=>?[\\]^`{|}~«»“”„‘’‚—–…¿¡·•、。，：；！？（）"
_UNICODE_PUNCT = [c for c in _PUNCT if not c.isascii()]
_ASCII_PUNCT = bytes(c for c in range(128) if chr(c) in _PUNCT)
_BYTES_TO_SPACE = bytes.maketrans(_ASCII_PUNCT, b" " * len(_ASCII_PUNCT))


def tokens(doc: ScanDoc) -> frozenset[str]:
    """The set of words of the folded text (split on spaces and punctuation, "@" kept), cached.

    Detectors test it for their trigger words (a set lookup each) instead of searching the
    whole text once per word, which is what keeps ordinary mail cheap to scan.
    """
    cached = doc.__dict__.get("_tokens")
    if cached is None:
        text = doc.folded.text
        # bytes.translate is a table lookup in C: far cheaper than str.translate's dict.
        spaced = text.encode("utf-8", "surrogatepass").translate(_BYTES_TO_SPACE)
        text = spaced.decode("utf-8", "surrogatepass")
        if not text.isascii():
            for char in _UNICODE_PUNCT:
                if char in text:
                    text = text.replace(char, " ")
        cached = frozenset(text.split())
        doc.__dict__["_tokens"] = cached
    return cached


_WORD_CHARS = re.compile(r"\w+")


@lru_cache(maxsize=4096)
def _word_end(word: str) -> re.Pattern[str] | None:
    """`word` not followed by a word character, for a word made of word characters only (its
    literal start lets the regex engine search at memchr speed); None for other words."""
    if not _WORD_CHARS.fullmatch(word):
        return None
    return re.compile(re.escape(word) + r"(?!\w)")


def find_words(text: str, word: str):
    r"""Start positions of `word` in `text` where it is not part of a longer word.

    "Word character" is `str.isalnum()` or "_", which is exactly the regex `\w` on str.
    """
    pattern = _word_end(word) if word else None
    if pattern is not None:
        # Occurrences of a word of word characters cannot overlap and both stand alone, so
        # the regex's non-overlapping matches lose none of them.
        for m in pattern.finditer(text):
            position = m.start()
            if position:
                before = text[position - 1]
                if before.isalnum() or before == "_":
                    continue
            yield position
        return
    position = text.find(word)
    size = len(word)
    while position >= 0:
        before = text[position - 1] if position else " "
        after = text[position + size] if position + size < len(text) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            yield position
        position = text.find(word, position + 1)


def windows(text: str, positions: list[tuple[int, int]], radius: int) -> list[tuple[int, int]]:
    """Merged [start, end) windows of `radius` characters around each (start, end) hit."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(positions):
        lo, hi = max(0, start - radius), min(len(text), end + radius)
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged
