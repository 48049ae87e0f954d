"""Detector for phone numbers, through Google's libphonenumber port (`phonenumbers`).

Guideline section 2, item 2. Why the library: it knows every country's numbering plan, so
"+44 20 7946 0000" and "(415) 555-2671" are found and most prices and dates are not, without our
own tables. It is slow on long text, so it only ever sees short candidates:

1. digit clusters of the folded text (fullwidth, Devanagari, keycap digits and zero-width
   characters are already folded; "O"/"l"/"I" inside a cluster read as 0/1) with at least
   seven digits, that are not glued to a word, a URL path or a price, and are not a date, an
   IP address, a version or a thousands-grouped amount;
2. runs of spelled digits (spelled.number_runs: "five five five ...", "plus vier neun ...",
   "double seven", "восемь девятьсот ...");
3. a number given in two pieces ("+44 7700" ... "900123"): two neighbouring clusters that are
   valid together, when a "+" or a phone word announces them (up to 60 characters apart, or up
   to 400 - "the rest in the P.S." - when announced by a phone word and starting with + or 0).

Each candidate goes through PhoneNumberMatcher (leniency VALID) for the context's regions (one
region for "+" numbers); when none of them validates it and a phone word is in the same
sentence ("il mio numero è 338 472 1956"), some forty other common regions are tried too.

A number is dropped when the words just before it say what else it is (invoice, order, ticket,
milestone, ref, #, id, no., VAT, SIRET, CNPJ, INN, GSTIN, ISBN, ZIP, tracking, version, build,
account, ...), unless a phone word is in the same clause; an unformatted digit string (no "+",
no separators: order IDs look like that) also needs a phone word in the same sentence or a line
of its own. Also dropped: clusters continuing a code that mixes letters and digits ("NL13 RABO
9979 8084 46", "UPS 1Z 9X4 27E 03 9184 6372"), a match glued by "." "/" "-" to more digits of
its cluster ("24.508.943/0001-98"), CNPJ/CPF/CEP shapes, cards in 4x4 groups, numbers in URL
paths.

Fictional ranges (decision, guideline 5): US 555-0100..0199 and UK 020 7946 0xxx (named by the
guideline) are sample data unless the author presents them as their own number ("call me", "my
number"); the other Ofcom drama ranges (07700 900xxx - which the library calls invalid - 0113
496 0xxx, ...) and Australia's are sample data only next to sample-data words (example, test,
fixture, placeholder, quotes and "=" of code), because they are also what people write as a
realistic UK number.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from functools import lru_cache

import phonenumbers

from gateway.context import Finding
from gateway.scanning import banking
from gateway.scanning.document import ScanDoc, make_finding
from gateway.scanning.gate import digit_count
from gateway.scanning.spelled import folded_pattern, fw, number_runs, tokens

NAME = "phones/2"

# Digit clusters: a simple character class keeps this scan cheap (ASCII classes only; "\d" and
# repeated groups are several times slower in `re`); the clusters are cut and joined below.
_CLUSTER = re.compile(r"[+(0-9][0-9oil \t.()/-]{2,}")
_TRAIL = " \t.(/-oil"
# Inside a cluster: separators too long to be one number, and letters that are not a digit's
# look-alike (O/l/I count only right next to a digit: "55O 2671", "4l5").
_CUT = re.compile(r"[ \t.()/-]{4,}|(?<![0-9])[oil]+(?![0-9])")
_GLUED_BEFORE = set("/=@#$€£¥₹%_&?~\\") | {"\u2212"}
_CURRENCY_AFTER = re.compile(
    folded_pattern(
        r"[ \t]?(?:€|\$|£|¥|₹|₽|%|eur|euro|usd|gbp|inr|rub|brl|chf|cad|aud|mxn|dollar|"
        r"pesos|reais|rupees|руб|k\b|m\b|mb|gb|kb|px|ms|km|kg|pcs|units|words|palabras|mots|"
        r"wörter|слов|views|users|clicks|impressions|visits|followers|downloads|rows|lines)"
    )
)
_CURRENCY_BEFORE = re.compile(r"(?:[$€£¥₹₽]|r\$|us\$|rs\.?|inr|usd|eur|gbp)[ \t]*$")
# Not phone numbers whatever the library says (masked inside a candidate).
_NOT_PHONE = re.compile(
    r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![.\d])"  # IPv4
    r"|(?<!\d)(?:19|20)\d\d[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])(?![\d])"
    r"|(?<![\d.])(?:0?[1-9]|[12]\d|3[01])[-./](?:0?[1-9]|1[0-2])[-./](?:19|20)\d\d(?![\d])"
    r"|(?<![\d.])(?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])[-./](?:19|20)\d\d(?![\d])"
    r"|(?<![\d.])(?:0?[1-9]|[12]\d|3[01])[./](?:0?[1-9]|1[0-2])[./]\d\d(?![./]?\d)"
    r"|(?<!\d)(?:19|20)\d\d[ \t]?[-–—/][ \t]?(?:19|20)?\d\d(?!\d)"  # year ranges
    r"|(?<!\d)\d{1,2}[.:]\d\d[ \t]?[-–—][ \t]?\d{1,2}[.:]\d\d(?!\d)"  # time ranges
    r"|(?<![\d.])\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}(?!\d)"  # CNPJ
    r"|(?<![\d.])\d{3}\.\d{3}\.\d{3}-\d{2}(?!\d)"  # CPF
    r"|(?<![\d.])\d{5}-\d{3}(?![\d-])"  # CEP
)
_ZIP4 = re.compile(r"\d{5}-\d{4}")
# US state codes before a ZIP+4 (the ones that are also common words - me, in, or, ok, hi, oh,
# wa - are left out: "call me 98765-4321" is a phone number).
_US_STATE_BEFORE = re.compile(
    r"(?<![a-z])(?:al|ak|az|ar|ca|co|ct|dc|de|fl|ga|ia|id|il|ks|ky|la|ma|md|mi|mn|mo|ms|mt|nc"
    r"|nd|ne|nh|nj|nm|nv|ny|pa|ri|sc|sd|tn|tx|ut|va|vt|wi|wv|wy)\.?,?[ \t]+$"
)
_THOUSANDS = re.compile(r"\d{1,3}(?:[.,']\d{3})+(?:[.,]\d{1,2})?")
_DECIMAL_ROW = re.compile(r"(?:\d+[.,]\d{2}[ \t]+)+\d+[.,]\d{2}")
_CARD_GROUPS = re.compile(r"\d{4}(?:[ \t-]\d{4}){3}(?:[ \t-]\d{1,4})?")

_NEG_WORDS = (
    r"invoice|inv|order|orders|ordine|pedido|commande|bestellung|auftrag|заказ|заказа|ticket|"
    r"bestellnummer|rechnungsnummer|auftragsnummer|artikelnummer|vorgangsnummer|"
    r"belegnummer|lieferscheinnummer|sendungsnummer|"
    r"tickets|case|milestone|ref|reference|référence|referencia|referência|rechnung|factura|"
    r"fatura|facture|счет|счёт|счета|id|ids|no\.?|nr\.?|n°|nº|#|vat|tva|ust|mwst|siret|siren|"
    r"cnpj|cpf|inn|инн|огрн|ogrn|kpp|кпп|gstin|gst|pan|isbn|issn|ean|upc|gtin|zip|postal|"
    r"postcode|plz|cep|tracking|track|awb|shipment|parcel|consignment|version|ver|v|build|"
    r"release|account|acct|acc|konto|cuenta|conta|iban|customer|client|cliente|kunden|"
    r"kundennummer|po|sku|serial|s/n|sn|license|licence|lizenz|key|token|pin|otp|"
    r"(?<!area )code|código|"
    r"codigo|код|booking|reservation|confirmation|transaction|txn|receipt|recibo|boleto|nota|"
    r"nf|nfe|batch|lot|model|part|item|article|artikel|claim|policy|apólice|contract|"
    r"contrato|vertrag|договор|passport|ssn|rut|dni|nie|nif|cif|rfc|curp|ein|tin|ifsc|swift|"
    r"bic|sort code|routing|aba|card|karte|tarjeta|cartão|cartao|карта|карты|amount|total|sum|"
    r"price|preço|precio|prix|preis|цена|сумма|budget|page|pages|chapter|doi|arxiv|pmid|"
    r"patent|room|suite|apt|ad|ads|campaign|pixel|property|ga|gtm|tag|tax|steuernummer|"
    r"ust-idnr|idnr|registration|reg|registro|registre|handelsregister|hrb|cnae|ogrnip|kvk|"
    r"abn|acn|nip|regon|krs|pesel|bsn|uid|file|doc|document|report|job|task|issue|pr|"
    r"pull request|commit|build number|run|pipeline|deployment|container|process|pid|port|"
    r"step|row|index|seed|hash|checksum|sha|md5|crc|serial number|imei|meid|mac|"
    # found by probe2: Indonesian account numbers ("transfer ke BCA 8720 4415 91")
    r"rekening|norek|rek|bca|bni|bri"
)
_NEG_CONTEXT = re.compile(
    folded_pattern(
        rf"(?<![^\W\d_])(?:{_NEG_WORDS})(?![^\W\d_])[^a-z0-9\n]{{0,4}}"
        r"(?:[a-z]{2}[^a-z0-9\n]{0,3})?"  # a country prefix: "TVA FR 12 345678901"
        r"(?:(?:number|numbers|num|no|nr|n°|nº|id|code|is|are|es|est|ist|был|номер|número|"
        r"numero|numéro|nummer|of|de|do|da|des|du|der|des|for|para|pour|für|#)[^a-z0-9\n]{0,4}){0,3}$"
    )
)
_PHONE_WORDS = (
    r"phone|phones|tel|tel\.|tél|tele|telephone|téléphone|telefone|teléfono|telefono|telefon|"
    r"telefonnummer|handynummer|телефон|тел|mobile|mobil|móvil|movil|cell|cellphone|cel|"
    r"celular|portable|handy|mob|whatsapp|whats|wa|wsp|wpp|zap|zapzap|viber|signal|telegram|"
    r"sms|text|texts|call|calls|ring|dial|llámame|llamame|llamar|llama|ligue|liga|ligar|"
    r"appelle|appelez|appeler|anruf|anrufen|ruf|звони|звоните|позвони|позвоните|номер|"
    r"number|número|numero|numéro|nummer|contact|contacto|contato|kontakt|reach|fone|ph|"
    r"mob|landline|fax|hotline|helpline|ватсап|вотсап|вацап|вайбер|телеграм|телега|"
    r"area code|vorwahl|ddd|indicativo|"
    # Arabic: my number, phone number, phone, mobile, call (me), WhatsApp (a bare "رقم",
    # "number", also heads "رقم الطلب", the order number)
    r"رقمي|رقم الهاتف|رقم الجوال|هاتف|هاتفي|جوال|جوالي|موبايل|اتصل|اتصلي|اتصلوا|واتساب|واتس|"
    r"mobile no|phone no|contact no|cell no|whatsapp no|mobile number|नंबर|फोन|mera|mobile|"
    # payment apps that pay to a phone number (guideline 3: "Zelle/Bizum/СБП/MB WAY/Paytm/Pix
    # to a phone")
    r"paytm|gpay|phonepe|zelle|bizum|mbway|mb way|сбп|gcash|m-pesa|mpesa|bkash|easypaisa|jazzcash"
)
# found by probe2, in a regex of their own (searched only when the words above are absent, so
# that ordinary text does not pay for them): more wallets paid to a phone number, Arabic
# "contact me" / "call me", Chinese and Japanese phone words (written without spaces).
_MORE_PHONE_WORDS = re.compile(
    folded_pattern(r"(?<![^\W\d_])(?:blik|blikiem|swish|swisha|vodafone cash|instapay)(?![^\W\d_])")
)
_MORE_PHONE_WORDS_NON_ASCII = re.compile(
    folded_pattern(
        r"(?<![^\W\d_])(?:فودافون كاش|التواصل|للتواصل|تواصل|تواصلوا|كلمني|راسلني)(?![^\W\d_])"
        r"|手机|手機|电话|電話|携帯|けいたい|联系|聯繫|聯絡|連絡"
        # Korean: contact details, phone, number, mobile, KakaoTalk
        r"|연락처|연락|전화|핸드폰|휴대폰|카톡|카카오톡"
    )
)
_PHONE_CONTEXT = re.compile(folded_pattern(rf"(?<![^\W\d_])(?:{_PHONE_WORDS})(?![^\W\d_])|☎|📞|📱"))


def _phone_context(text: str) -> bool:
    """A phone word (or a wallet paid to a phone number) in `text`."""
    return bool(
        _PHONE_CONTEXT.search(text)
        or _MORE_PHONE_WORDS.search(text)
        or (not text.isascii() and _MORE_PHONE_WORDS_NON_ASCII.search(text))
    )


_PHONE_TOKENS = frozenset(
    fw(w)
    for w in """phone tel telephone téléphone telefone teléfono telefono telefon телефон тел mobile
    mobil móvil movil cell cellphone cel celular portable handy mob whatsapp whats wa wsp wpp zap
    viber signal telegram sms text call ring dial llámame llamame ligue liga appelle appelez ruf
    звони позвони номер number número numero numéro nummer contact contacto contato kontakt
    reach fone ph landline fax ватсап вотсап телеграм телега area vorwahl ddd رقمي هاتف
    هاتفي جوال جوالي موبايل اتصل واتساب""".split()
)
_OWN_NUMBER = re.compile(
    folded_pattern(
        r"(?<![^\W\d_])(?:call me|text me|ring me|reach me|message me|whatsapp me|ping me|"
        r"contact me|hit me up|dm me|"
        r"my (?:cell|phone|number|mobile|whatsapp|telegram|signal|viber)|"
        r"mi (?:número|numero|celular|móvil|movil|teléfono|telefono|whatsapp)|"
        r"meu (?:número|numero|celular|telefone|whats|zap)|mon (?:numéro|numero|portable)|"
        r"meine (?:nummer|handynummer|telefonnummer)|мой (?:номер|телефон)|"
        r"llámame|llamame|me liga|appelle-moi|appelez-moi|ruf mich|звони|позвони)(?![^\W\d_])"
    )
)
_SAMPLE_CONTEXT = re.compile(
    r"example|sample|test|fixture|dummy|fake|mock|placeholder|e\.g\.|format|seed|lorem|"
    r"fiction|validat|regex|demo|stub|assert|expect|schema|\bfield\b|\binput\b|value=|"
    r"[=\"{}]|<input|phone_|_phone|phonenumber|ejemplo|exemplo|exemple|beispiel|пример"
)

# Sample-data words as whole words ("latest" holds no "test"), for numbers the plan calls
# unassigned (_possible_international): in a spec or a form's rules they are sample data.
_SAMPLE_WORDS = re.compile(
    r"(?<![^\W\d_])(?:example|sample|test|tests|testing|fixture|fixtures|dummy|fake|mock|"
    r"placeholder|validation|validate|regex|demo|stub|assert|schema|field|input|format)"
    r"(?![^\W\d_])",
    re.I,
)

_FICTIONAL_UK = re.compile(
    r"^(?:7700900|1134960|1144960|1154960|1164960|1174960|1184960|1214960|1314960|1414960|"
    r"1514960|1614960|1632960|2896496|2920180|8081570|9098790|3069990)\d{3}$"
)
_FICTIONAL_AU = re.compile(
    r"^(?:491570\d{3}|491571\d{3}|491572\d{3}|491573\d{3}|491574\d{3}|"
    r"491575\d{3}|491576\d{3}|491577\d{3}|491578\d{3}|491579\d{3}|"
    r"255500\d{3}|[2378]5550\d{4}|37010\d{4})$"
)


def relevant(doc: ScanDoc) -> bool:
    """A necessary condition (scanning.gate): `_detect` reads digit clusters (so a digit of any
    script, folded to ASCII), spelled number runs and runs of Chinese/Japanese numerals."""
    if digit_count(doc) > 0 or number_runs(doc):
        return True
    text = doc.folded.text
    return not text.isascii() and _CJK_DIGIT_RUN.search(text) is not None


def detect(doc: ScanDoc) -> Iterator[Finding]:
    """Valid phone numbers in `doc` (written, spelled or in two pieces)."""
    try:
        found = _detect(doc)
    except Exception:  # a detector never raises on any input
        return
    yield from found


@lru_cache(maxsize=8192)
def _matches(candidate: str, regions: tuple[str, ...]) -> tuple[tuple[int, int, int, str], ...]:
    """(start, end, country code, national number) of valid numbers in a short candidate."""
    stripped = candidate.lstrip(" (")
    international = stripped.startswith("+")
    for region in regions[:1] if international else regions:
        try:
            found = tuple(
                (m.start, m.end, m.number.country_code, str(m.number.national_number))
                for m in phonenumbers.PhoneNumberMatcher(
                    candidate, region, leniency=phonenumbers.Leniency.VALID
                )
            )
        except Exception:  # the library on odd input
            found = ()
        if found:
            return found
    return _drama_fallback(candidate)


_DRAMA_DIGITS = re.compile(r"(?:\+44|0044)?\(?0?\)?(7700900\d{3}|1632960\d{3})")


def _drama_fallback(candidate: str) -> tuple[tuple[int, int, int, str], ...]:
    """UK drama numbers the library calls invalid (07700 900xxx, 01632 960xxx): still numbers.

    They are what people (and test corpora) write as a realistic UK number, so they get the
    same treatment as the other fictional ranges (see _fictional) instead of silently failing.
    """
    compact = re.sub(r"[\s.\-–—/()]", "", candidate)
    m = _DRAMA_DIGITS.fullmatch(compact)
    if m is None or not (compact.startswith(("+44", "0044", "0"))):
        return ()
    first = next(i for i, c in enumerate(candidate) if c.isdigit() or c == "+")
    last = max(i for i, c in enumerate(candidate) if c.isdigit()) + 1
    return ((first, last, 44, m[1]),)


@lru_cache(maxsize=1024)
def _possible_international(candidate: str) -> tuple[tuple[int, int, int, str], ...]:
    """found by probe2: "call +44 7911 402 386". A "+" number of a real country code with a
    possible length, announced by a phone word, is a phone number even where the numbering
    plan (which changes, and which the library lags) calls the block unassigned."""
    stripped = candidate.strip()
    if not stripped.startswith("+") or sum(c.isdigit() for c in stripped) < 9:
        return ()
    try:
        number = phonenumbers.parse(stripped, None)
    except Exception:  # the library on odd input
        return ()
    if not phonenumbers.is_possible_number(number):
        return ()
    if phonenumbers.region_code_for_country_code(number.country_code) in {"ZZ", "001"}:
        return ()
    first = candidate.index("+")
    last = max(i for i, c in enumerate(candidate) if c.isdigit()) + 1
    return ((first, last, number.country_code, str(number.national_number)),)


def _fictional(country_code: int, national: str) -> str:
    """ "listed" (guideline: US 555-01xx, UK 020 7946 0xxx), "drama" (other ranges), or ""."""
    if country_code == 1 and len(national) == 10 and national[3:8] == "55501":
        return "listed"
    if country_code == 44 and national.startswith("2079460") and len(national) == 10:
        return "listed"
    if country_code == 44 and _FICTIONAL_UK.match(national):
        return "drama"
    if country_code == 61 and _FICTIONAL_AU.match(national):
        return "drama"
    return ""


class _State:
    """Per-document working data for the phone detector."""

    def __init__(self, doc: ScanDoc) -> None:
        self.doc = doc
        self.text = doc.folded.text
        self.regions = tuple(doc.context.phone_regions) or ("US",)
        # Original spans already reported (never overlapping), as sorted starts and ends.
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.findings: list[Finding] = []
        self.decided: dict[tuple[str, str, int], list[tuple[int, int, float]]] = {}
        self.ibans: list[tuple[int, int]] | None = None

    def context(self, start: int, end: int, before: int = 60, after: int = 30) -> str:
        return self.text[max(0, start - before) : min(len(self.text), end + after)]

    def in_iban(self, start: int, end: int) -> bool:
        """The digits are (part of) an IBAN the banking detector reports: "... the rest of
        the IBAN is 0612 3456 73" is not a phone number. Computed once, only when needed."""
        if self.ibans is None:
            self.ibans = [(f.start, f.end) for f in banking.iban_findings(self.doc)]
        return any(s < end and start < e for s, e in self.ibans)

    def emit(self, fstart: int, fend: int, confidence: float, *, folded: bool = True) -> None:
        if folded:
            start, end = self.doc.folded.span(fstart, fend)
        else:
            start, end = fstart, fend
        if end <= start or self.in_iban(start, end):
            return
        i = bisect.bisect_left(self.starts, end)  # spans before i start before `end`
        if i and self.ends[i - 1] > start:
            return
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        self.findings.append(
            make_finding(
                "contact",
                "phone",
                self.doc.text[start:end],
                start,
                end,
                self.doc.part,
                confidence,
                NAME,
            )
        )


def _detect(doc: ScanDoc) -> list[Finding]:
    state = _State(doc)
    text = state.text
    if any(digit in text for digit in "0123456789"):
        _clusters(state)
    for run in number_runs(doc):
        _spelled(state, run)
    if not text.isascii() and _CJK_DIGIT_RUN.search(text):
        _cjk_digits(state)
    return state.findings


# found by probe2: a number written in Chinese/Japanese numerals ("〇九〇-四四一二-八八七三"),
# digit by digit: at least nine numerals with only separators between them.
_CJK_DIGITS = "〇零一二三四五六七八九"
_CJK_DIGIT_RUN = re.compile(rf"[{_CJK_DIGITS}](?:[ \t\-ー－]?[{_CJK_DIGITS}]){{8,14}}")
_CJK_TO_ASCII = str.maketrans({c: str(i) for i, c in enumerate(_CJK_DIGITS[1:])} | {"〇": "0"})


def _cjk_digits(state: _State) -> None:
    for m in _CJK_DIGIT_RUN.finditer(state.text):
        if not _phone_context(_sentence(state.text, m.start(), m.end())) and not any(
            c in m[0] for c in " \t-ー－"
        ):
            continue  # "第一二三四五六七八九章": counting, not a number someone can call
        digits = m[0].translate(_CJK_TO_ASCII).replace("ー", "-").replace("－", "-")
        matches = _matches(digits, state.regions) or _matches(digits, ("JP", "CN", "TW", "KR"))
        for m_start, m_end, country_code, national in matches:
            if m_end - m_start < len(digits) - 2:
                continue  # the library found only part of it
            if _fictional_ok(state, m.start(), m.end(), country_code, national):
                state.emit(m.start(), m.end(), 0.8)
                break


def _cluster_spans(text: str) -> list[tuple[int, int]]:
    """Spans of digit clusters of three characters or more (digits with short separators)."""
    spans: list[tuple[int, int]] = []
    for m in _CLUSTER.finditer(text):
        raw = m[0].rstrip(_TRAIL)
        if len(raw) < 3:
            continue
        start = m.start()
        if (
            start > 0
            and text[start - 1] in "oil"
            and (start == 1 or not (text[start - 2].isalnum() or text[start - 2] == "_"))
        ):
            start -= 1  # "O7893 215674": a letter O for the first 0
            raw = text[start] + raw
        if "o" in raw or "i" in raw or "l" in raw or "    " in raw or "\t" in raw:
            position = start
            for cut in _CUT.finditer(raw):
                spans.append((position, start + cut.start()))
                position = start + cut.end()
            spans.append((position, start + len(raw)))
            continue
        spans.append((start, start + len(raw)))
    return spans


def _digit_count(raw: str) -> int:
    count = sum(map(str.isdigit, raw))
    if "o" in raw or "i" in raw or "l" in raw:
        count += raw.count("o") + raw.count("i") + raw.count("l")
    return count


def _clusters(state: _State) -> None:
    text = state.text
    split_ok = "+" in text or not _PHONE_TOKENS.isdisjoint(tokens(state.doc))
    pieces: list[tuple[int, int, str, int]] = []  # (start, end, candidate, digits if usable)
    for start, end in _cluster_spans(text):
        raw = text[start:end].rstrip(_TRAIL)
        stripped = raw.lstrip(" \t.-/")
        start += len(raw) - len(stripped)
        raw = stripped
        end = start + len(raw)
        if len(raw) < 3 or not raw[-1].isdigit():
            continue  # "1.", "2)", "42": list numbers and small counts
        if len(raw) < 7:
            if split_ok and _not_glued(text, start, end):
                pieces.append((start, end, raw, _digit_count(raw)))
            else:
                pieces.append((start, end, raw, 0))
            continue
        usable = _not_glued(text, start, end)
        digits = _digit_count(raw)
        if not usable or digits < 7:
            pieces.append((start, end, raw, digits if usable and split_ok else 0))
            continue
        if digits > 15 or _CARD_GROUPS.fullmatch(raw) or _is_amount(text, start, end, raw):
            pieces.append((start, end, raw, 0))
            continue
        reported = _check(state, start, raw)
        pieces.append((start, end, raw, digits if not reported and digits <= 12 else 0))
    if split_ok and len(pieces) > 1:
        _split_numbers(state, pieces)


def _not_glued(text: str, start: int, end: int) -> bool:
    """The cluster is not part of a word, a URL path, an address or a decimal number."""
    if start > 0:
        before = text[start - 1]
        if before.isalnum() or before in _GLUED_BEFORE:
            return False
        if before in ".,-" and start > 1 and text[start - 2].isdigit() and text[start] != "+":
            return False  # "1,234 567", "3.14 15926"; not "400,+61 412 ..." (a CSV row)
        if before == ":" and start > 1 and text[start - 2].isdigit():
            return False
    if end < len(text):
        after = text[end]
        if after.isalnum() or after in "@_%/":
            return False
        if after in ".,:" and end + 1 < len(text) and text[end + 1].isdigit():
            return False
    return True


def _is_amount(text: str, start: int, end: int, raw: str) -> bool:
    """A price or a thousands-grouped quantity ("$1,250,000", "1.250.000 €", "2 500 000 руб")."""
    if _CURRENCY_BEFORE.search(text, max(0, start - 6), start):
        return True
    if _CURRENCY_AFTER.match(text, end):
        return True
    if _DECIMAL_ROW.fullmatch(raw):
        return True  # found by probe2: an invoice row "850.00   850.00"
    return bool(_THOUSANDS.fullmatch(raw.lstrip("+(")) and not raw.startswith("+"))


_CACHE_FROM = 1500  # characters: shorter texts rarely repeat a number, the key would cost more


def _check(state: _State, start: int, raw: str) -> bool:
    """Run one cluster through the library; True when a number was reported.

    The verdict depends only on the cluster and its surroundings (90 characters either side,
    and its whole line for _own_line), so a text repeating the same number in the same words
    (quoted replies, signatures) runs the library and the context tests once per surroundings.
    """
    text = state.text
    if len(text) <= _CACHE_FROM:
        spans = _check_spans(state, start, raw)
        for s, e, c in spans:
            state.emit(s, e, c)
        return bool(spans)
    end = start + len(raw)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    lo = max(0, min(start - 90, line_start))
    key = (raw, text[lo : max(end + 90, line_end)], start - lo)
    found = state.decided.get(key)
    if found is None:
        found = state.decided[key] = [
            (s - start, e - start, c) for s, e, c in _check_spans(state, start, raw)
        ]
    for s, e, c in found:
        state.emit(start + s, start + e, c)
    return bool(found)


def _check_spans(state: _State, start: int, raw: str) -> list[tuple[int, int, float]]:
    """The numbers (folded spans, confidence) the library and the context accept in a cluster."""
    text = state.text
    spans: list[tuple[int, int, float]] = []
    masked = _NOT_PHONE.sub(lambda m: " " * len(m[0]), raw)
    if not masked.strip():
        return spans
    candidate = masked.replace("o", "0").replace("i", "1").replace("l", "1")
    if _NEG_CONTEXT.search(text, max(0, start - 40), start) and not _phone_word_near(
        text, start, 30
    ):
        return spans
    if _code_before(text, start):
        return spans
    if _ZIP4.fullmatch(raw) and _US_STATE_BEFORE.search(text, max(0, start - 8), start):
        return spans  # "Chicago, IL 60606-6306": a ZIP+4 code, not a Brazilian mobile
    matches = _matches(candidate, state.regions)
    if not matches and _phone_context(_sentence(text, start, start + len(raw))):
        matches = _matches(candidate, _EXTRA_REGIONS)
        if not matches and not _SAMPLE_WORDS.search(state.context(start, start + len(raw), 80, 40)):
            # a number the plan calls unassigned, next to sample-data words ("phone field
            # validation should accept +44 7911 402 386 as input"), is sample data
            matches = _possible_international(candidate)
    if not matches:
        local = _local_number(state, start, candidate)
        if local:
            return local
    for m_start, m_end, country_code, national in matches:
        fstart, fend = start + m_start, start + m_end
        written = raw[m_start:m_end]
        if _attached(raw, m_start, m_end):
            continue  # part of a longer identifier: "24.508.943/0001-98"
        international = written.startswith("+") or text[max(0, fstart - 1) : fstart] == "+"
        unformatted = written.isdigit()
        around = _sentence(text, fstart, fend)
        phone_word = _phone_context(around) or bool(_STRONG_PHONE.search(around))
        if (
            unformatted
            and not international
            and not phone_word
            and not _own_line(text, fstart, fend)
        ):
            continue
        if not _fictional_ok(state, fstart, fend, country_code, national):
            continue
        if any(c in written for c in "oil"):
            confidence = 0.8
        elif international:
            confidence = 0.95
        elif unformatted:
            confidence = 0.75
        else:
            confidence = 0.9
        spans.append((fstart, fend, confidence))
    return spans


# A local number without its area code, as people give it: "555-0199", "867 5309", "555.0199".
_LOCAL_SHAPE = re.compile(r"[2-9]\d{2}[-. ]\d{4}")


def _local_number(state: _State, start: int, candidate: str) -> list[tuple[int, int, float]]:
    """A seven-digit local number the author offers as their own ("call me at 867-5309",
    "my cell is 555 0199"): no numbering plan validates it without its area code, so only
    that first-person phrase, close before it in the same sentence, makes it a number; never
    right after a word naming what else it is (ticket, invoice, ...) and never next to
    sample-data words (guideline: fictional ranges as sample data are not contact)."""
    if not _LOCAL_SHAPE.fullmatch(candidate):
        return []
    end = start + len(candidate)
    return [(start, end, 0.7)] if _offered_as_own(state, start, end) else []


def _offered_as_own(state: _State, start: int, end: int) -> bool:
    """_local_number's context test (also for spelled local numbers)."""
    lo = _sentence_start(state.text, start, 40)
    if not _OWN_NUMBER.search(state.text, lo, start):
        return False
    if _NEG_CONTEXT.search(state.text, max(0, start - 40), start):
        return False  # "call me when ticket 555-0199 is closed": what else the number is
    return not _SAMPLE_CONTEXT.search(state.context(start, end, 80, 40))


_STRONG_PHONE = re.compile(
    folded_pattern(
        # at a word start: "bes-tel-lnummer", "du-ring", "ex-cell-ent" hold no phone word
        r"(?<![^\W\d_])(?:phone|tel|mobile|cell|whats|call|ring|zap|sms|телефон|móvil|movil|celular|handy|"
        r"portable|viber|signal|telegram|(?:my|mi|mio|il mio|meu|mon|mein|мой)\s+"
        r"(?:no|nr|num|number|"
        r"número|numero|numéro|nummer|номер)\b)"
    )
)


_ABBREVIATIONS = frozenset(
    "no nr n tel ph mob cel cell tlf tfno telf fon num nro nos ext approx e.g i.e p.s ps".split()
)


def _sentence_start(text: str, position: int, reach: int) -> int:
    """Where the sentence holding `position` starts (no further back than `reach`).

    "Tel." "No." "Mob." are abbreviations, not the end of a sentence.
    """
    lo = max(0, position - reach)
    hi = position
    while True:
        cut = max(
            text.rfind(". ", lo, hi),
            text.rfind("\n\n", lo, hi),
            text.rfind("! ", lo, hi),
            text.rfind("? ", lo, hi),
            text.rfind(".\n", lo, hi),
        )
        if cut < 0:
            return lo
        if text[cut] == ".":
            word = text[max(lo, cut - 4) : cut].rsplit(None, 1)[-1:] or [""]
            if word[0].lower() in _ABBREVIATIONS:
                hi = cut
                continue
        return cut + 1


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around a number (at most 60 characters before, 30 after)."""
    lo = _sentence_start(text, start, 60)
    hi = min(len(text), end + 30)
    for stop in (". ", "\n\n", "! ", "? ", ".\n"):
        cut = text.find(stop, end, hi)
        if cut >= 0:
            hi = cut
    return text[lo:hi]


def _phone_word_near(text: str, position: int, before: int) -> bool:
    """A phone word earlier in the same sentence, at most `before` characters back."""
    lo = _sentence_start(text, position, before)
    return bool(_STRONG_PHONE.search(text, lo, position))


# Codes that continue into a digit cluster: "NL13 RABO 9979 8084 46" (IBAN), "UPS 1Z 9X4 27E
# 03 9184 6372" (tracking). A token mixing letters and digits just before the cluster.
_CODE_BEFORE = re.compile(
    r"(?:^|[\s:#])(?![0-9]{1,2}(?:am|pm|h|st|nd|rd|th|x)\b)(?=[a-z0-9]*[0-9])(?=[a-z0-9]*[a-z])"
    r"[a-z0-9]{2,}(?:[ \t\-][a-z0-9]{2,4}){0,4}[ \t\-]$"
)


def _code_before(text: str, start: int) -> bool:
    return bool(_CODE_BEFORE.search(text, max(0, start - 30), start))


def _attached(raw: str, m_start: int, m_end: int) -> bool:
    """The library's number is glued to more digits of the cluster by "." "/" "-"."""
    before = raw[:m_start].rstrip()
    after = raw[m_end:].lstrip()
    if before and before[-1] in "./-" and len(before) >= 2 and before[-2].isdigit():
        return True
    if before and before[-1].isdigit() and raw[m_start - 1 : m_start] in "./-":
        return True
    return bool(after) and after[0] in "./-" and len(after) >= 2 and after[1].isdigit()


# Tried when the configured regions find nothing and a phone word is right there ("il mio
# numero è 338 472 1956"): national numbers of other common countries.
_EXTRA_REGIONS = (
    "IT",
    "PT",
    "MX",
    "AR",
    "CO",
    "CL",
    "PE",
    "NL",
    "BE",
    "CH",
    "AT",
    "PL",
    "UA",
    "TR",
    "AU",
    "CA",
    "IE",
    "ZA",
    "NG",
    "KE",
    "PH",
    "ID",
    "MY",
    "SG",
    "AE",
    "PK",
    "BD",
    "CN",
    "JP",
    "KR",
    "IL",
    "SE",
    "NO",
    "DK",
    "FI",
    "CZ",
    "RO",
    "GR",
    "HU",
    "VN",
    "TH",
    "EG",
    "MA",
)


def _own_line(text: str, start: int, end: int) -> bool:
    """The number stands on a line of its own (a signature), maybe with a short label."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    rest = (text[line_start:start] + text[end:line_end]).strip(" \t\r:-–—|()[]*>")
    return len(rest) <= 3


def _fictional_ok(state: _State, fstart: int, fend: int, country_code: int, national: str) -> bool:
    kind = _fictional(country_code, national)
    if not kind:
        return True
    window = state.context(fstart, fend, 80, 40)
    sample = bool(_SAMPLE_CONTEXT.search(window))
    if kind == "listed":
        return bool(_OWN_NUMBER.search(state.context(fstart, fend, 60, 0))) and not sample
    return not sample


def _spelled(state: _State, run) -> None:
    matches = _matches(run.digits, state.regions)
    if not matches and _phone_context(_sentence(state.text, run.fstart, run.fend)):
        matches = _matches(run.digits, _EXTRA_REGIONS)  # "tre tre otto ..." (Italy)
    for m_start, m_end, country_code, national in matches:
        if m_end - m_start < len(run.digits) - 2:
            continue  # the library found only part of it
        if not _fictional_ok(state, run.fstart, run.fend, country_code, national):
            continue
        state.emit(run.start, run.end, 0.8, folded=False)
        return
    if (
        not matches
        and len(run.digits) == 7
        and run.digits[0] in "23456789"
        and _offered_as_own(state, run.fstart, run.fend)
    ):  # "call me at eight six seven five three oh nine": a local number, spelled
        state.emit(run.start, run.end, 0.7, folded=False)


def _words_before(text: str, position: int, reach: int) -> set[str]:
    chunk = text[max(0, position - reach) : position]
    return {w.strip(".,;:!?()[]\"'") for w in chunk.split()}


def _split_numbers(state: _State, pieces: list[tuple[int, int, str, int]]) -> None:
    """A number given in two pieces: neighbouring clusters valid only together."""
    text = state.text
    for (s1, e1, raw1, n1), (s2, e2, raw2, n2) in itertools.pairwise(pieces):
        if not (n1 and n2) or s2 - e1 > 400 or s2 - e1 < 1 or not 8 <= n1 + n2 <= 15:
            continue
        gap = text[e1:s2]
        if any(c.isdigit() for c in gap) or "@" in gap:
            continue
        plus = raw1.startswith(("+", "00")) or text[max(0, s1 - 1) : s1] == "+"
        announced = not _PHONE_TOKENS.isdisjoint(_words_before(text, s1, 80))
        if not plus and not announced:
            continue
        # Far apart (the rest "in the P.S."): only a number that starts like one, announced.
        if s2 - e1 > 60 and not (announced and (plus or raw1.startswith("0"))):
            continue
        if _NEG_CONTEXT.search(text, max(0, s1 - 40), s1) or _NEG_CONTEXT.search(
            text, max(0, s2 - 40), s2
        ):
            continue
        candidate = raw1 + " " + raw2
        for m_start, m_end, country_code, national in _matches(candidate, state.regions):
            if m_start > 1 or m_end < len(candidate) - 1:
                continue
            if _fictional(country_code, national) == "listed":
                continue
            if s2 - e1 > 60:  # two findings, not one span over the text between
                state.emit(s1, e1, 0.7)
                state.emit(s2, e2, 0.7)
            else:
                state.emit(s1, e2, 0.7)
            break
