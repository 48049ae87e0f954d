"""Payment card numbers (guideline section 3, item 2: "card number, with or without expiry/CVV").

A candidate is a run of 13-19 digits, contiguous or grouped with spaces, dashes, dots or a line
break (folded view, so fullwidth/Devanagari digits and zero-width splits count). It is a card
when the Luhn check passes and the number has a real issuer prefix and length: Visa, Mastercard
(51-55, 2221-2720), Amex, Discover, JCB, UnionPay, Diners, Maestro, Mir (2200-2204), RuPay,
Elo/Hipercard/Verve (covered by their 4/5/6 ranges). Expiry, CVV or card words near the number
raise the confidence; a contiguous digit string with no card or payment words near it is not
reported (order ids, tracking numbers and timestamps pass Luhn one time in ten).

Not payment: the processors' publicly documented test cards (`TEST_CARDS`, Stripe, Adyen,
Braintree, Authorize.net, PayPal sandbox, ...). They cannot move money, so they are skipped in
any context, QA or not; the guideline names them as QA data.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from gateway.context import Finding
from gateway.scanning.banking import iban_findings
from gateway.scanning.document import ScanDoc, make_finding
from gateway.scanning.gate import digit_count
from gateway.scanning.normalize import fold_chars
from gateway.scanning.payments import token_view

NAME = "cards/1"
MAX_RUNS = 128  # digit runs per text, and groups per run: bounds adversarial input
MAX_GROUPS = 64
log = logging.getLogger(__name__)


def _fp(pattern: str) -> str:
    """A pattern with its non-ASCII letters folded like the text it runs on."""
    return re.sub(r"[^\x00-\x7f]+", lambda m: fold_chars(m[0]), pattern)


# On the token view (punctuation and line breaks are spaces): a number starting a token, with at
# most three separator characters between its digits ("4556-7375", "4556 - 7375", "4556\n7375").
_RUN = re.compile(r" [0-9](?: {0,3}[0-9]){12,}")
_IBAN_BEFORE = re.compile(r"(?<![a-z0-9])[a-z]{2}[0-9]{2}(?:[ \-.]?[a-z]{4})?[ \-.]?$")
_SEPARATOR = re.compile(r" {1,3}")

TEST_CARDS = frozenset(
    {
        # Stripe
        "4242424242424242",
        "4000056655665556",
        "5555555555554444",
        "2223003122003222",
        "5200828282828210",
        "5105105105105100",
        "378282246310005",
        "371449635398431",
        "6011111111111117",
        "6011000990139424",
        "6011981111111113",
        "3056930009020004",
        "36227206271667",
        "3566002020360505",
        "6200000000000005",
        "6205500000000000004",
        "4000000000000002",
        "4000000000009995",
        "4000000000009987",
        "4000000000009979",
        "4000000000000069",
        "4000000000000127",
        "4000000000000119",
        "4000000000000101",
        "4000000000000341",
        "4000000000000077",
        "4000000000003220",
        "4000002500003155",
        "4000002760003184",
        "4000000000003063",
        "4000008400001629",
        "4100000000000019",
        "4000000000000036",
        "4000000000000044",
        "4000000000000010",
        "4000000000000028",
        "4000000000000259",
        "4000000000001976",
        "4000000000005126",
        "4000000760000002",
        "4000001240000000",
        "4000004840008001",
        "4000000000003055",
        "4000000000003238",
        "4000000000003246",
        "4000000000003253",
        "4000003800000008",
        "4000000320000021",
        "4000000360000006",
        "4000002080000001",
        "4000007240000007",
        "4000008260000000",
        "4000058260000005",
        "6555900000604105",
        "3530111333300000",
        "4000000000004954",
        "4000000000000093",
        "4000620000000007",
        "4000003560000008",
        # Visa/Mastercard/Amex/Discover/JCB/Diners classics (PayPal, Braintree, Authorize.net...)
        "4111111111111111",
        "4012888888881881",
        "4222222222222",
        "4007000000027",
        "4012888818888",
        "4005519200000004",
        "4009348888881881",
        "4012000033330026",
        "4012000077777777",
        "4217651111111119",
        "4500600000000061",
        "5431111111111111",
        "5454545454545454",
        "5424000000000015",
        "2223000048400011",
        "2222400070000005",
        "378734493671000",
        "370000000000002",
        "6011000000000012",
        "6011601160116611",
        "3088000000000017",
        "38000000000006",
        "30569309025904",
        "38520000023237",
        "3566111111111113",
        "6304000000000000",
        "6759649826438453",
        "4444333322221111",
        "4035501000000008",
        "4988438843884305",
        "5101180000000007",
        "4917610000000000003",
        "4917610000000000",
        "4166676667666746",
        "4646464646464644",
        "5500000000000004",
        "4462030000000000",
        "4917300800000000",
        "6011000400000000",
        "3782822463100005",
        "6331101999990016",
        "5019717010103742",
        "6062828888666688",
        "5066991111111118",
        "4514160123456789",
        "2200000000000004",
        "2201382000000013",
        "5018000000000009",
        "6759000000000000",
        "4000000000000000",
        "5123456789012346",
        "4012001038443335",
        "4012001037141112",
        "4761739001010010",
        "4761739001010119",
    }
)

_CONTEXT = re.compile(
    _fp(
        r"\b(?:cards?|visa|master\s?card|mc|amex|american express|discover|maestro|mir|мир"
        r"|rupay|elo|jcb|unionpay|union pay|diners|cvv2?|cvc2?|csc|cid|exp|expiry|expires"
        r"|expiration|valid(?: thru| through| till)?|good thru|debit|credit|tarjeta|cart[aã]o"
        r"|carte|karte|kreditkarte|\w*karte|carta|карт\w*|сбер\w*|тиньк\w*|альфа|втб"
        r"|d[eé]bito|cr[eé]dito|cb|pan|número|numero|номер|srok|срок)\b"
        r"|\b[0-9]{2}\s?/\s?[0-9]{2}(?:[0-9]{2})?\b"
    )
)
_ID_CONTEXT = re.compile(
    _fp(
        r"\b(?:siret|siren|tva|vat|inn|инн|огрн|кпп|cnpj|cpf|gstin|nif|cif|ust-?id\w*|steuer\w*"
        r"|tax|ein|ssn|imei|isbn|ean|gtin|upc|order|invoice|ticket|tracking|factura|facture"
        r"|rechnung|pedido|заказ\w*|ref|reference|référence|referencia|id)\b"
    )
)
_PAY_CONTEXT = re.compile(
    _fp(
        r"\b(?:pay\w*|send|transfer\w*|deposit|wire|pag\w+|envi\w+|transf\w+|payer|virement"
        r"|zahl\w*|überweis\w*|оплат\w*|переве\w*|перевод\w*|скин\w*|кин\w*|bhej\w*)\b"
    )
)


def relevant(doc: ScanDoc) -> bool:
    """Whether a card can be found at all: every candidate is a run of 13 or more digits."""
    return digit_count(doc) >= 13


def detect(doc: ScanDoc) -> Iterator[Finding]:
    """Every plausible real card number in `doc` (never raises)."""
    try:
        yield from _detect(doc)
    except Exception:  # the contract: a detector never breaks a scan
        log.exception("cards detector failed on part %s", doc.part)


def _detect(doc: ScanDoc) -> Iterator[Finding]:
    folded = doc.folded.text
    for count, match in enumerate(_RUN.finditer(token_view(doc))):
        if count >= MAX_RUNS:
            break
        for start, end, digits in _candidates(match):
            if not is_card_number(digits) or digits in TEST_CARDS:
                continue
            if start and folded[start - 1] == "+":
                continue  # "+49 1577 3948216": an international phone number
            if _IBAN_BEFORE.search(folded, max(0, start - 16), start) or _in_iban(doc, start):
                continue  # the numeric part of an IBAN ("DE44 5001 0517 ...")
            window = folded[max(0, start - 60) : end + 60]
            grouped = end - start > len(digits)
            if _CONTEXT.search(window):
                confidence = 0.97
            elif len(digits) == 13 or _ID_CONTEXT.search(window):
                continue  # 13-digit Visa numbers are rare; SIRET, IMEI, order numbers pass Luhn
            elif grouped:
                confidence = 0.85
            elif _PAY_CONTEXT.search(window):
                confidence = 0.6
            else:
                continue
            s, e = doc.folded.span(start, end)
            yield make_finding("payment", "card", doc.text[s:e], s, e, doc.part, confidence, NAME)


def _in_iban(doc: ScanDoc, start: int) -> bool:
    """Whether folded position `start` lies inside an IBAN the banking detector reports."""
    s, _ = doc.folded.span(start, start + 1)
    return any(f.start <= s < f.end for f in iban_findings(doc))


def _candidates(match: re.Match[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, digits) of the run, or of its group sequences of 13-19 digits."""
    run = match[0][1:]
    base = match.start()  # the view's leading space: this is the folded position
    digits = "".join(c for c in run if c.isdigit())
    if 13 <= len(digits) <= 19:
        yield base, match.end() - 1, digits
        return
    if len(digits) < 13:
        return
    # A longer run: grouped numbers side by side ("4556 7375 8689 9855 12 27"). Try each
    # sequence of whole groups; the first valid one wins and the search goes on after it.
    groups = []
    position = 0
    for sep in _SEPARATOR.finditer(run):
        groups.append((position, sep.start()))
        position = sep.end()
    groups.append((position, len(run)))
    groups = groups[:MAX_GROUPS]
    if len(groups) < 2 or min(e - s for s, e in groups) < 2:
        return  # only whole groups of two or more digits ("4556 7375 ... 12 27")
    i = 0
    while i < len(groups):
        found = False
        total = ""
        for j in range(i, len(groups)):
            total += run[groups[j][0] : groups[j][1]]
            if len(total) > 19:
                break
            if len(total) >= 13 and is_card_number(total):
                yield base + groups[i][0], base + groups[j][1], total
                i = j + 1
                found = True
                break
        if not found:
            i += 1


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def issuer(digits: str) -> str | None:
    """The card scheme whose prefix and length fit `digits`, if any."""
    n = len(digits)
    two, four, six = int(digits[:2]), int(digits[:4]), int(digits[:6])
    if digits[0] == "4":
        return "visa" if n in {13, 16, 19} else None
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return "mastercard" if n == 16 else None
    if 2200 <= four <= 2204:
        return "mir" if 16 <= n <= 19 else None
    if two in {34, 37}:
        return "amex" if n == 15 else None
    if two == 36 or 300 <= int(digits[:3]) <= 305 or two in {38, 39}:
        return "diners" if 14 <= n <= 19 else None
    if 3528 <= four <= 3589:
        return "jcb" if 16 <= n <= 19 else None
    if four == 6011 or 644 <= int(digits[:3]) <= 649 or two == 65 or 622126 <= six <= 622925:
        return "discover" if 16 <= n <= 19 else None
    if two == 62:
        return "unionpay" if 16 <= n <= 19 else None
    if two in {50, 56, 57, 58, 60, 63, 67} or four in {6759, 6761, 6762, 6763}:
        return "maestro" if 12 <= n <= 19 else None
    return None


def is_card_number(digits: str) -> bool:
    """Luhn-valid, a known issuer's prefix and length, and not one repeated digit."""
    if not 13 <= len(digits) <= 19 or len(set(digits)) < 3:
        return False
    return issuer(digits) is not None and luhn_valid(digits)
