"""Bank coordinates: IBANs, account numbers with their routing codes, SWIFT/BIC codes.

Guideline section 3, item 2. Kinds:

* ``iban``: country code + check digits + the country's BBAN length, in any formatting (spaces,
  dashes, dots, lower case, split across lines even inside a quoted reply, zero-width characters
  and fullwidth digits, which the folded view has already undone), verified by mod-97 and the
  country's BBAN format (schwifty).
* ``bank_account``: a US routing number (ABA checksum), UK sort code, Australian BSB, Indian
  IFSC, Mexican CLABE (checksum), Russian BIK, Brazilian agência, each next to its label, and the
  account numbers labelled as such near one of them or near a bank word.
* ``swift``: a BIC (8 or 11 characters, valid country code) written next to "SWIFT"/"BIC", or a
  BIC known to schwifty's bank registry written in capitals near a bank word ("bank", "IBAN",
  "transfer", "Überweisung", "банк", ...). Plain capitalised words are never BICs by themselves.

Not payment (decided here, with tests): the textbook example IBANs of banks' and standards'
documentation (`EXAMPLE_IBANS`, e.g. GB82 WEST 1234 5698 7654 32, DE89 3704 0044 0532 0130 00)
when the text around them says test/example/sample/validation/placeholder; anywhere else they
are reported like any IBAN (copying one as "my IBAN" is still offering bank coordinates).
Account-like numbers without a bank code or bank word near them (order, customer, ad-account
numbers) are not reported.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from functools import lru_cache

from gateway.context import Finding
from gateway.scanning.document import ScanDoc, make_finding
from gateway.scanning.gate import digit_count
from gateway.scanning.normalize import fold, fold_chars
from gateway.scanning.payments import keyword_names, token_view

try:  # schwifty checks each country's BBAN format and knows real BICs
    from schwifty import BIC, IBAN
except ImportError:  # pragma: no cover - schwifty is a dependency; mod-97 still works
    BIC = IBAN = None  # type: ignore[assignment,misc]

NAME = "banking/1"
MAX_CANDIDATES = 256  # per text and kind: bounds the cost of adversarial input
log = logging.getLogger(__name__)


def _fp(pattern: str) -> str:
    """A pattern with its non-ASCII letters folded like the text it runs on."""
    return re.sub(r"[^\x00-\x7f]+", lambda m: fold_chars(m[0]), pattern)


# Total IBAN length per country (SWIFT IBAN registry, as shipped by schwifty).
IBAN_LENGTHS = {
    "AD": 24,
    "AE": 23,
    "AL": 28,
    "AO": 25,
    "AT": 20,
    "AX": 18,
    "AZ": 28,
    "BA": 20,
    "BE": 16,
    "BF": 28,
    "BG": 22,
    "BH": 22,
    "BI": 27,
    "BJ": 28,
    "BL": 27,
    "BR": 29,
    "BY": 28,
    "CF": 27,
    "CG": 27,
    "CH": 21,
    "CI": 28,
    "CM": 27,
    "CR": 22,
    "CV": 25,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DJ": 27,
    "DK": 18,
    "DO": 28,
    "DZ": 26,
    "EE": 20,
    "EG": 29,
    "ES": 24,
    "FI": 18,
    "FK": 18,
    "FO": 18,
    "FR": 27,
    "GA": 27,
    "GB": 22,
    "GE": 22,
    "GF": 27,
    "GG": 22,
    "GI": 23,
    "GL": 18,
    "GP": 27,
    "GQ": 27,
    "GR": 27,
    "GT": 28,
    "GW": 25,
    "HN": 28,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IL": 23,
    "IM": 22,
    "IQ": 23,
    "IR": 26,
    "IS": 26,
    "IT": 27,
    "JE": 22,
    "JO": 30,
    "KM": 27,
    "KW": 30,
    "KZ": 20,
    "LB": 28,
    "LC": 32,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "LY": 25,
    "MA": 28,
    "MC": 27,
    "MD": 24,
    "ME": 22,
    "MF": 27,
    "MG": 27,
    "MK": 19,
    "ML": 28,
    "MN": 20,
    "MQ": 27,
    "MR": 27,
    "MT": 31,
    "MU": 30,
    "MZ": 25,
    "NC": 27,
    "NE": 28,
    "NI": 28,
    "NL": 18,
    "NO": 15,
    "OM": 23,
    "PF": 27,
    "PK": 24,
    "PL": 28,
    "PM": 27,
    "PS": 29,
    "PT": 25,
    "QA": 29,
    "RE": 27,
    "RO": 24,
    "RS": 22,
    "RU": 33,
    "SA": 24,
    "SC": 31,
    "SD": 18,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "SN": 28,
    "SO": 23,
    "ST": 25,
    "SV": 28,
    "TD": 27,
    "TF": 27,
    "TG": 28,
    "TL": 23,
    "TN": 24,
    "TR": 26,
    "UA": 29,
    "VA": 22,
    "VG": 24,
    "WF": 27,
    "XK": 20,
    "YE": 30,
    "YT": 27,
}

# Example IBANs printed in banks', ECBS/SWIFT and Wikipedia documentation.
EXAMPLE_IBANS = frozenset(
    {
        "GB82WEST12345698765432",
        "GB29NWBK60161331926819",
        "GB33BUKB20201555555555",
        "GB94BARC10201530093459",
        "DE89370400440532013000",
        "DE44500105175407324931",
        "DE75512108001245126199",
        "DE02120300000000202051",
        "FR1420041010050500013M02606",
        "FR7630006000011234567890189",
        "FR7630001007941234567890185",
        "NL91ABNA0417164300",
        "NL02ABNA0123456789",
        "ES9121000418450200051332",
        "ES7921000813610123456789",
        "IT60X0542811101000000123456",
        "BE68539007547034",
        "BE71096123456769",
        "CH9300762011623852957",
        "CH5604835012345678009",
        "AT611904300234573201",
        "PL61109010140000071219812874",
        "SE4550000000058398257466",
        "NO9386011117947",
        "DK5000400440116243",
        "FI2112345600000785",
        "PT50000201231234567890154",
        "IE29AIBK93115212345678",
        "LU280019400644750000",
        "SA0380000000608010167519",
        "AE070331234567890123456",
        "BR1800360305000010009795493C1",
        "BR9700360305000010009795493P1",
        "MT84MALT011000012345MTLCAST001S",
        "GR1601101250000000012300695",
        "CZ6508000000192000145399",
        "HU42117730161111101800000000",
        "RO49AAAA1B31007593840000",
        "SK3112000000198742637541",
        "SI56263300012039086",
        "HR1210010051863000160",
        "LT121000011101001000",
        "LV80BANK0000435195001",
        "EE382200221020145685",
        "TR330006100519786457841326",
        "IL620108000000099999999",
        "RU0204452560040702810412345678901",
        "UA213223130000026007233566001",
        "CY17002001280000001200527600",
        "BG80BNBG96611020345678",
        "IS140159260076545510730339",
        "LI21088100002324013AA",
        "MC5811222000010123456789030",
        "SM86U0322509800000000270100",
        "AD1200012030200359100100",
    }
)
_EXAMPLE_CONTEXT = re.compile(
    _fp(
        r"\b(?:test\w*|e\.?g\.?|example|examples|sample|samples|dummy|placeholder|fake|mock\w*"
        r"|fixtures?|validat\w*|validator|regex|qa|staging|sandbox|form field|ejemplo|prueba"
        r"|exemplo|teste|exemple|beispiel|muster|пример\w*|тест\w*|esempio)\b"
    )
)

# --- IBAN --------------------------------------------------------------------------------------

# A token starting with two letters and two digits (on the token view: " de89", " de-89",
# " d e 8 9" spelled out).
_IBAN_START = re.compile(r" [a-z][a-z][0-9][0-9]")
_IBAN_START_SPACED = re.compile(r" [a-z] ?[a-z] {1,2}[0-9] ?[0-9]| [a-z] [a-z][0-9] ?[0-9]")
# Alphanumeric groups separated by blanks, dashes, dots or a line break (quote marks allowed).
_GROUPS = re.compile(r"[a-z0-9]+(?:(?:[ \t\-.]{1,3}|[ \t]*\r?\n[ \t>]*)[a-z0-9]+)*")


def _iban_findings(doc: ScanDoc) -> Iterator[Finding]:
    folded = doc.folded.text
    view = token_view(doc)
    starts = [
        m.start()
        for m in _IBAN_START.finditer(view)
        if view[m.start() + 1 : m.start() + 3].upper() in IBAN_LENGTHS
    ]
    names = keyword_names(doc)
    if names & {"x:bank", "b:bank:1", "b:bankword:1", "x:label"}:
        # "DE 89 ...", "d e 8 9 ...": spaced-out country codes, only looked for near bank words
        starts += (m.start() for m in _IBAN_START_SPACED.finditer(view))
    for start in starts[:MAX_CANDIDATES]:  # the view's leading space: these are folded positions
        groups = _GROUPS.match(folded, start, start + 160)  # an IBAN with separators fits
        if groups is None:
            continue
        country = "".join(c for c in groups[0][:6] if c.isalnum())[:2].upper()
        length = IBAN_LENGTHS.get(country)
        if length is None:
            continue
        chars: list[str] = []
        end = start
        text = groups[0]
        for offset, char in enumerate(text):
            if char.isalnum():
                chars.append(char)
                if len(chars) == length:
                    end = start + offset + 1
                    break
        pieces = [(start, end)]
        if len(chars) != length:
            rest = _continuation(folded, groups.end(), length - len(chars))
            if rest is None:
                continue
            end = groups.end()
            while end > start and not folded[end - 1].isalnum():
                end -= 1
            pieces = [(start, end), (rest[0], rest[1])]
            chars.extend(rest[2])
            end = rest[1]
        elif end < groups.end() and folded[end].isalnum():
            continue  # a longer token, not an IBAN ending here
        compact = "".join(chars).upper()
        if not iban_valid(compact):
            continue
        if compact in EXAMPLE_IBANS and _EXAMPLE_CONTEXT.search(
            folded[max(0, start - 200) : end + 200]
        ):
            continue
        for piece_start, piece_end in pieces:
            s, e = doc.folded.span(piece_start, piece_end)
            yield make_finding("payment", "iban", doc.text[s:e], s, e, doc.part, 0.98, NAME)


# The rest of an IBAN given in two pieces ("first part DE12 2004 1155, the rest is 0612 3456
# 73"): the next run of digit groups within 80 characters, with no other digits in between.
_REST_GROUPS = re.compile(r"(?<![a-z0-9])[0-9][a-z0-9]*(?:[ \t\-.]{1,3}[a-z0-9]+)*")


def _continuation(folded: str, after: int, missing: int) -> tuple[int, int, list[str]] | None:
    """(start, end, characters) completing an IBAN that stopped `missing` characters short."""
    found = _REST_GROUPS.search(folded, after, after + 80)
    if found is None or any(c.isdigit() for c in folded[after : found.start()]):
        return None
    chars: list[str] = []
    for offset, char in enumerate(found[0]):
        if char.isalnum():
            chars.append(char)
            if len(chars) == missing:
                end = found.start() + offset + 1
                if end < len(folded) and folded[end].isalnum():
                    return None  # a longer token: not the IBAN's last group
                return found.start(), end, chars
    return None


_IBAN_KEY = "_payment_iban_findings"


def iban_findings(doc: ScanDoc) -> list[Finding]:
    """The IBAN findings of `doc`, computed once (the card detector skips their digits)."""
    cache = getattr(doc, "__dict__", None)
    found = cache.get(_IBAN_KEY) if cache is not None else None
    if found is None:
        found = list(_iban_findings(doc))
        if cache is not None:
            cache[_IBAN_KEY] = found
    return found


@lru_cache(maxsize=4096)  # a pure function of the string; hit-dense texts repeat an IBAN
def iban_valid(compact: str) -> bool:
    """Mod-97 checksum, the registry length and (with schwifty) the country's BBAN format."""
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact[2:4].isdigit():
        return False
    if IBAN is not None:
        try:
            IBAN(compact)
        except ValueError:
            return False
        return True
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


# --- account numbers and national bank codes ---------------------------------------------------

_NUMBER = re.compile(r" [0-9](?: ?[0-9]){3,33}(?![0-9])")
_ANY_LABEL = re.compile(
    _fp(
        r"rout|aba|rtn|ach|transit|wire|sort|bsb|clabe|бик|ag|acc|a/c|konto|kto|cuenta|conta|blz"
        r"|c/c|cc|compte|conto|khata|сч|р/с|л/с|konta|rachun|hesab|hesap|rekening|norek"
    )
)
_ROUTING_LABEL = re.compile(r"\b(?:routing|aba|rtn|ach|transit|wire)\b[^\n]{0,25}$")
_SORT_LABEL = re.compile(r"\bsort\s*-?\s*code\b[^\n]{0,15}$|\bsort\b\s*[:#]?\s*$")
_BSB_LABEL = re.compile(r"\bbsb\b[^\n]{0,15}$")
_BLZ_LABEL = re.compile(r"\b(?:blz|bankleitzahl)\b[^\n]{0,15}$")  # German bank code
_CLABE_LABEL = re.compile(r"\bclabe\b[^\n]{0,25}$")
_BIK_LABEL = re.compile(_fp(r"\bбик\b[^\n]{0,10}$"))
_AGENCIA_LABEL = re.compile(_fp(r"\bag(?:[eê]ncia|\.)?\s*(?:n[º°o.]*)?\s*[:#]?\s*$"))
_ACCOUNT_LABEL = re.compile(
    _fp(
        r"(?:\bacc(?:oun)?t\b|\bacc\b|\ba/c\b|kontonummer|\bkonto\b|\bkto\b|\bcuenta\b|\bconta\b"
        r"|\bc/c\b|\bcompte\b|\bconto\b|\bkhata\b|\bсч[её]т\w*|\bр/с\b|\bл/с\b|\biban\b"
        # found by probe2: Polish, Turkish, Indonesian account words
        r"|\bkonta\b|\brachunk\w*|\bhesab\w*|\bhesap\b|\brekening\b|\bnorek\b)"
        r"(?:\s*(?:no\.?|nr\.?|number|num\.?|#|n[º°o]\.?|nummer|n[uú]mero|номер|corrente"
        r"|poupan[cç]a|courant|clabe|bancaria|banc[aá]ria|bancaire))*"
        r"\s*(?:is|es|é|est|ist|:|-|=|#)?\s*$"
    )
)
_BANK_WORDS = re.compile(
    _fp(
        r"\b(?:bank\w*|banco|banca|banque|bancaire|banc[aá]ri[oa]|bancari[oa]|банк\w*"
        r"|iban|swift|bic|ifsc|routing|sort\s*code|bsb|blz|clabe|spei|wire|beneficiary|[uü]berweis\w*"
        r"|beneficiari[oa]|bénéficiaire|empfänger|получател\w*|chase|wells fargo|citi\w*"
        r"|barclays|hsbc|lloyds|natwest|santander|monzo|revolut|sber\w*|сбер\w*|тиньк\w*"
        r"|tinkoff|hdfc|icici|sbi|axis|kotak|itaú|itau|bradesco|nubank|caixa|bbva"
        # found by probe2: transfer words of Polish, Turkish, Indonesian
        r"|przelew\w*|przel[eaó]\w*|havale\w*|eft|transfer\w*|bca|bni|bri|mandiri)\b"
    )
)
_IFSC = re.compile(r"0(?<=(?<![0-9a-z])[a-z]{4}0)[a-z0-9]{6}(?![0-9a-z])")
_IFSC_LABEL = re.compile(r"\bifsc\b[^\n]{0,25}$")
IFSC_BANKS = frozenset(  # the most common Indian bank prefixes, for IFSCs written without label
    [
        "sbin",
        "hdfc",
        "icic",
        "utib",
        "punb",
        "barb",
        "cnrb",
        "kkbk",
        "ubin",
        "idib",
        "ioba",
        "bkid",
        "yesb",
        "indb",
        "fdrl",
        "idfb",
        "mahb",
        "cbin",
        "ucba",
        "psib",
        "kvbl",
        "sibl",
        "karb",
        "ciub",
        "ratn",
        "aubl",
        "esfb",
        "utks",
        "jaka",
        "dbss",
        "hsbc",
        "scbl",
        "citi",
        "pytm",
        "airp",
        "fino",
        "ipos",
        "dlxb",
        "tmbl",
        "csbk",
        "nkgs",
    ]
)


def _account_findings(doc: ScanDoc, taken: list[tuple[int, int]]) -> Iterator[Finding]:
    folded = doc.folded.text
    codes: list[tuple[int, int, float]] = []  # national bank codes: routing, sort, IFSC, ...
    accounts: list[tuple[int, int]] = []
    branches: list[tuple[int, int]] = []  # Brazilian agência: only with an account number
    kinds: dict[tuple[str, str], float | str | None] = {}
    if "x:label" not in keyword_names(doc):
        return  # no account/routing/sort code/IFSC/... label anywhere: nothing to pair
    for count, match in enumerate(_NUMBER.finditer(token_view(doc))):
        if count >= 4 * MAX_CANDIDATES:
            break
        start, end = match.start(), match.end() - 1  # folded positions of the digits
        if any(t_start <= start < t_end for t_start, t_end in taken):
            continue
        before = folded[max(0, start - 40) : start]
        # What a number is depends only on its digits and the 40 characters before it: a text
        # repeating a labelled number (quoted replies, signatures) has it classified once.
        key = (match[0], before)
        kind = kinds.get(key, "")
        if kind == "":
            kind = kinds[key] = _number_kind(match[0], before)
        if kind is None:
            continue
        if kind == "branch":
            branches.append((start, end))
        elif kind == "account":
            accounts.append((start, end))
        else:
            codes.append((start, end, kind))
    if "ifsc" in folded or accounts:  # only reached when a label word is present
        for match in _IFSC.finditer(folded):
            start = match.start() - 4
            if _IFSC_LABEL.search(folded[max(0, start - 40) : start]):
                codes.append((start, match.end(), 0.95))
            elif accounts and folded[start : start + 4] in IFSC_BANKS:
                codes.append((start, match.end(), 0.85))
    if accounts:
        codes.extend((start, end, 0.85) for start, end in branches)
    if not codes and not accounts:
        return
    for start, end, confidence in codes:
        yield _finding(doc, "bank_account", start, end, confidence)
    for start, end in accounts:
        near_code = any(abs(start - c_start) < 250 for c_start, _, _ in codes)
        if near_code:
            confidence = 0.9
        elif _BANK_WORDS.search(folded[max(0, start - 120) : end + 120]):
            confidence = 0.75
        else:
            continue
        yield _finding(doc, "bank_account", start, end, confidence)


def _number_kind(number: str, before: str) -> float | str | None:
    """A labelled number (a token view match) after `before`: a national bank code's
    confidence, "branch", "account", or None."""
    if not _ANY_LABEL.search(before):
        return None
    digits = number.replace(" ", "")
    if _is_national_code(digits, before):
        return 0.95
    if len(digits) == 18 and clabe_valid(digits) and _CLABE_LABEL.search(before):
        return 0.97
    if len(digits) == 9 and digits.startswith("04") and _BIK_LABEL.search(before):
        return 0.9
    if 4 <= len(digits) <= 6 and _AGENCIA_LABEL.search(before):
        return "branch"
    if 6 <= len(digits) <= 34 and _ACCOUNT_LABEL.search(before):
        return "account"
    return None


def _is_national_code(digits: str, before: str) -> bool:
    """A US routing number, a UK sort code, an Australian BSB or a German BLZ, after its label."""
    if len(digits) == 9:
        return bool(_ROUTING_LABEL.search(before)) and aba_valid(digits)
    if len(digits) == 8:
        return bool(_BLZ_LABEL.search(before))
    return len(digits) == 6 and bool(_SORT_LABEL.search(before) or _BSB_LABEL.search(before))


def aba_valid(digits: str) -> bool:
    """ABA routing number: a Federal Reserve prefix and the 3-7-1 checksum."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    prefix = int(digits[:2])
    if not (prefix <= 12 or 21 <= prefix <= 32 or 61 <= prefix <= 72 or prefix == 80):
        return False
    d = [int(c) for c in digits]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10 == 0


def clabe_valid(digits: str) -> bool:
    """Mexican CLABE: 18 digits, weights 3-7-1 modulo 10."""
    if len(digits) != 18 or not digits.isdigit():
        return False
    total = sum((int(c) * (3, 7, 1)[i % 3]) % 10 for i, c in enumerate(digits[:17]))
    return (10 - total % 10) % 10 == int(digits[17])


# --- SWIFT / BIC -------------------------------------------------------------------------------

_BIC_UPPER = re.compile(
    r"[A-Z](?<![0-9A-Za-z][A-Z])[A-Z]{5}[A-Z0-9]{2}(?:[A-Z0-9]{3})?(?![0-9A-Za-z])"
)
_BIC_LABELLED = re.compile(
    _fp(
        r"\b(?:swift|bic)(?:\s*/\s*(?:swift|bic))?(?:[\s-]*(?:code|kód|код|number|no\.?|nr\.?))?"
        r"\s*[:#=\-]?\s*([a-z]{6}[a-z0-9]{2}(?:[a-z0-9]{3})?)(?![0-9a-z])"
    )
)
_LABEL_BEFORE = re.compile(r"\b(?:swift|bic)\b[^\n]{0,25}$")
_BIC_CONTEXT = re.compile(
    _fp(
        r"\b(?:bank\w*|banco|banca|banque|bancaire|банк\w*|iban|swift|bic|transfer\w*|wire"
        r"|überweisung\w*|virement|transferencia|transferência|bonifico|beneficiary"
        r"|beneficiari[oa]|bénéficiaire|empfänger|account|konto|cuenta|conta|compte|счет|счёт"
        r"|routing|sort code|ifsc|реквизит\w*)\b"
    )
)


def _swift_findings(doc: ScanDoc) -> Iterator[Finding]:
    folded = doc.folded.text
    names = keyword_names(doc)
    if not names & {"x:bank", "b:bank:1", "b:bankword:1"}:
        return  # a BIC is only ever reported near a bank word
    seen: list[tuple[int, int]] = []
    if "swift" in folded or "bic" in folded:
        for match in _BIC_LABELLED.finditer(folded):
            code = match[1].upper()
            if _bic_format(code):
                found = _finding(doc, "swift", match.start(1), match.end(1), 0.9)
                if not _written_as_code(found.text, code):
                    continue  # "the SWIFT integration spec": a word, not a code
                seen.append((found.start, found.end))
                yield found
    text = doc.text
    for match in _BIC_UPPER.finditer(text):
        if not _bic_format(match[0]):
            continue
        start, end = match.start(), match.end()  # original positions: capitals are original
        window = fold(text[max(0, start - 80) : end + 80]).text
        if not _BIC_CONTEXT.search(window):
            continue
        if _LABEL_BEFORE.search(fold(text[max(0, start - 40) : start]).text):
            confidence = 0.9
        elif _bic_exists(match[0]):
            confidence = 0.85
        else:
            continue
        if any(s <= start < e for s, e in seen):
            continue
        yield make_finding("payment", "swift", match[0], start, end, doc.part, confidence, NAME)


@lru_cache(maxsize=4096)  # schwifty's check costs ~0.1 ms; texts repeat codes
def _written_as_code(written: str, code: str) -> bool:
    """A labelled BIC candidate written like a code: in capitals, with a digit, or a BIC the
    bank registry knows ("swift: deutdeff"). A lower-case word after "SWIFT" ("integration",
    "transfers") is English that happens to have a BIC's shape and a country code."""
    return written.isupper() or any(c.isdigit() for c in written) or _bic_exists(code)


def _bic_format(code: str) -> bool:
    """A syntactically valid BIC with a real country code."""
    if BIC is None:
        return bool(re.fullmatch(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?", code))
    try:
        BIC(code)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=4096)  # schwifty's check costs ~0.1 ms; texts repeat codes
def _bic_exists(code: str) -> bool:
    if BIC is None:
        return False
    try:
        bic = BIC(code)
        return bool(bic.exists or (len(code) == 8 and BIC(code + "XXX").exists))
    except ValueError:
        return False


# --- the detector ------------------------------------------------------------------------------


def _finding(doc: ScanDoc, kind: str, start: int, end: int, confidence: float) -> Finding:
    s, e = doc.folded.span(start, end)
    return make_finding("payment", kind, doc.text[s:e], s, e, doc.part, confidence, NAME)


def _folded_span(doc: ScanDoc, found: Finding) -> tuple[int, int]:
    """Approximate folded span of a finding (exact for ASCII text)."""
    if doc.folded.identity:
        return found.start, found.end
    return found.start - 8, found.end + 8


_GATE_NAMES = frozenset({"x:label", "x:bank", "b:bank:1", "b:bankword:1"})


def relevant(doc: ScanDoc) -> bool:
    """Whether anything can be found: an IBAN has two check digits; account numbers and BICs
    are only looked for near a label or bank word (_account_findings, _swift_findings)."""
    return digit_count(doc) >= 2 or not _GATE_NAMES.isdisjoint(keyword_names(doc))


def detect(doc: ScanDoc) -> Iterator[Finding]:
    """IBANs, bank account numbers with their codes, and SWIFT/BIC codes (never raises)."""
    try:
        ibans = iban_findings(doc)
        yield from ibans
        taken = [_folded_span(doc, f) for f in ibans]
        yield from _account_findings(doc, taken)
        yield from _swift_findings(doc)
    except Exception:  # the contract: a detector never breaks a scan
        log.exception("banking detector failed on part %s", doc.part)
