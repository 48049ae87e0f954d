"""Payment handles: UPI IDs, Pix keys, PayPal.me and other pay links, Cash App cashtags.

Guideline section 3, item 2 (and section 2: "UPI IDs and cashtags are payment handles, not
contact"). Kinds:

* ``upi``: ``name@psp`` where the part after ``@`` is a UPI app/bank handle (``okhdfcbank``,
  ``ybl``, ``paytm``, ``upi``, ...) and is not followed by a domain (``name@icici.com`` is an
  e-mail address, left to the contact detectors); also ``name (at) ybl`` / ``[at]``.
* ``pix``: a Pix key (CPF or CNPJ with valid check digits, random UUID key, e-mail, Brazilian
  mobile number) written next to the word "pix" used as the payment (chave pix, meu pix, pix:,
  via pix...). English "pix" meaning pictures ("send me the pix of the site") only counts when a
  CPF/CNPJ/UUID key, which pictures never have, is right there.
* ``paypal_me``: ``paypal.me/<handle>`` (also ``paypal.com/paypalme/<handle>``, ``p@ypal.me``,
  ``paypal dot me slash <handle>``, ``paypal . me / <handle>``).
* ``cashtag``: ``$Cashtag`` with Cash App named nearby, in a ``cash.app/$tag`` link, or right
  after "send/pay ... to" / "my cashtag". Shell/PHP variables (``$HOME``, ``$user =``), prices
  (``$50``) and currency codes (``$USD``) are not cashtags.
* ``payment_service``: other personal pay links with their handle (revolut.me, monzo.me,
  venmo.com/u, wise.com/pay/me, buymeacoffee, ko-fi, razorpay.me, tinkoff.ru/rm, ...).
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterator

from gateway.context import Finding
from gateway.scanning.document import ScanDoc, make_finding
from gateway.scanning.normalize import fold_chars
from gateway.scanning.payments import keyword_names

try:
    from stdnum.br import cnpj, cpf
except ImportError:  # pragma: no cover - python-stdnum is a dependency
    cnpj = cpf = None  # type: ignore[assignment]

NAME = "handles/1"
MAX_ITEMS = 128  # candidates per text and kind: bounds the cost of adversarial input
log = logging.getLogger(__name__)


def _fp(pattern: str) -> str:
    """A pattern with its non-ASCII letters folded like the text it runs on."""
    return re.sub(r"[^\x00-\x7f]+", lambda m: fold_chars(m[0]), pattern)


def _finding(doc: ScanDoc, kind: str, start: int, end: int, confidence: float) -> Finding:
    s, e = doc.folded.span(start, end)
    return make_finding("payment", kind, doc.text[s:e], s, e, doc.part, confidence, NAME)


# --- UPI ---------------------------------------------------------------------------------------

# UPI handles of the apps (Google Pay ok*, PhonePe ybl/ibl/axl, Paytm, BHIM upi, Amazon apl...).
UPI_APPS = frozenset(
    [
        "okhdfcbank",
        "okicici",
        "oksbi",
        "okaxis",
        "ybl",
        "ibl",
        "axl",
        "paytm",
        "ptyes",
        "ptaxis",
        "pthdfc",
        "ptsbi",
        "upi",
        "apl",
        "yapl",
        "rapl",
        "waaxis",
        "wahdfcbank",
        "wasbi",
        "waicici",
        "jupiteraxis",
        "freecharge",
        "ikwik",
        "naviaxis",
        "superyes",
        "fam",
        "slice",
        "mobikwik",
        "kaypay",
        "timecosmos",
        "pingpay",
        "abfspay",
        "axisb",
    ]
)
# Bank handles: the same shape as an intranet alias, so reported with a bit less confidence.
UPI_BANKS = frozenset(
    [
        "axisbank",
        "icici",
        "hdfcbank",
        "sbi",
        "kotak",
        "kmbl",
        "yesbank",
        "yesbankltd",
        "pnb",
        "barodampay",
        "idfcbank",
        "idfcfirst",
        "indus",
        "federal",
        "fbl",
        "rbl",
        "aubank",
        "airtel",
        "airtelpaymentsbank",
        "postbank",
        "ratn",
        "boi",
        "cnrb",
        "csbpay",
        "dbs",
        "dlb",
        "ezeepay",
        "idbi",
        "indianbank",
        "kbl",
        "kvb",
        "mahb",
        "pockets",
        "psb",
        "scb",
        "sib",
        "tjsb",
        "uco",
        "unionbank",
        "unionbankofindia",
        "united",
        "vijb",
        "equitas",
        "nsdl",
        "allbank",
        "andb",
        "citi",
        "citigold",
        "dcb",
        "denabank",
        "imobile",
        "lime",
        "obc",
        "uboi",
        "utbi",
        "yesg",
        "zoicici",
        "jio",
        "hsbc",
    ]
)
_UPI = re.compile(r"@\s?([a-z]{2,24})(?![a-z0-9\-_@])(?!\.[a-z0-9])")
_UPI_AT = re.compile(
    r"\s*(?P<form>[(\[{]\s*at\s*[)\]}]|\sat\s)\s*([a-z]{2,24})(?![a-z0-9\-_@])(?!\.[a-z0-9])"
)
# After a bare " at " only handles that are no English word ("look at upi" is not an ID).
UPI_AT_SAFE = frozenset({"okhdfcbank", "okicici", "oksbi", "okaxis", "ybl", "ibl", "axl"})
_UPI_USER = re.compile(r"(?<![a-z0-9.\-_])[a-z0-9][a-z0-9.\-_]{1,255}$")


def _upi(doc: ScanDoc) -> Iterator[Finding]:
    folded = doc.folded.text
    matches: list[re.Match[str]] = []
    matches.extend(_UPI.finditer(folded))
    names = keyword_names(doc)
    if "x:upi" in names or "b:upi:0" in names:
        matches.extend(
            m
            for m in _UPI_AT.finditer(folded)
            if m[2] in (UPI_APPS if m["form"].strip()[:1] in "([{" else UPI_AT_SAFE)
        )
    for match in matches[:MAX_ITEMS]:
        psp = match[match.re.groups]
        if psp not in UPI_APPS and psp not in UPI_BANKS:
            continue
        user = _UPI_USER.search(folded, max(0, match.start() - 64), match.start())
        if user is None or user[0].endswith("."):
            continue
        confidence = 0.95 if psp in UPI_APPS else 0.85
        yield _finding(doc, "upi", user.start(), match.end(), confidence)


# --- Pix ---------------------------------------------------------------------------------------

_PIX = re.compile(r"(?<![a-z0-9])pix(?![a-z0-9])")
_PIX_PICTURES = re.compile(
    r"\b(?:send|sent|sending|post|posted|share|shared|upload\w*|attach\w*|some|more|few|the"
    r"|these|those|nice|great|cool|new|any|see|saw|check)\s+(?:me\s+|you\s+|us\s+)?(?:the\s+)?$"
)
_PIX_KEYS = re.compile(
    r"(?P<uuid>(?<![0-9a-z])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-z]))"
    r"|(?P<cnpj>(?<![0-9])[0-9]{2}\.?[0-9]{3}\.?[0-9]{3}/?[0-9]{4}-?[0-9]{2}(?![0-9]))"
    r"|(?P<cpf>(?<![0-9])[0-9]{3}\.?[0-9]{3}\.?[0-9]{3}-?[0-9]{2}(?![0-9]))"
    r"|(?P<email>(?<![a-z0-9._%+\-])[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+)"
    r"|(?P<phone>(?<![0-9])(?:\+?\s?55[\s\-.]?)?\(?[1-9][0-9]\)?[\s\-.]?9[\s\-.]?[0-9]{4}[\s\-.]?[0-9]{4}(?![0-9]))"
)


def _pix(doc: ScanDoc) -> Iterator[Finding]:
    folded = doc.folded.text
    if "b:pix:1" not in keyword_names(doc):
        return
    reported: set[int] = set()
    # The nearest key of a mention depends only on the text around it (80 characters before, one
    # more for the look-behinds, 100 after): a text repeating the offer is searched once.
    decided: dict[tuple[str, int, int], tuple[int, int, str] | None] = {}
    for count, mention in enumerate(_PIX.finditer(folded)):
        if count >= MAX_ITEMS:
            break
        start, end = mention.start(), mention.end()
        lo = max(0, start - 81)
        around = (folded[lo : end + 100], start - lo, end - start)
        if around in decided:
            relative = decided[around]
        else:
            relative = decided[around] = _nearest_key(folded, start, end)
        if relative is None:
            continue
        key_start, key_end, kind = start + relative[0], start + relative[1], relative[2]
        if key_start in reported:
            continue
        reported.add(key_start)
        confidence = 0.95 if kind in {"uuid", "cpf", "cnpj"} else 0.9
        yield _finding(doc, "pix", key_start, key_end, confidence)


def _nearest_key(folded: str, start: int, end: int) -> tuple[int, int, str] | None:
    """The Pix key nearest the mention at [start, end): its span relative to `start`, kind."""
    pictures = bool(_PIX_PICTURES.search(folded, max(0, start - 30), start))
    best: tuple[int, re.Match[str]] | None = None
    for key in _PIX_KEYS.finditer(folded, max(0, start - 80), end + 100):
        kind = key.lastgroup or ""
        if kind in {"cpf", "cnpj"} and not _checksum_ok(kind, key[0]):
            continue
        if pictures and kind in {"email", "phone"}:
            continue
        distance = key.start() - end if key.start() >= end else (start - key.end()) * 2
        if best is None or distance < best[0]:
            best = (distance, key)
    if best is None:
        return None
    key = best[1]
    return key.start() - start, key.end() - start, key.lastgroup or ""


def _checksum_ok(kind: str, number: str) -> bool:
    """CPF / CNPJ check digits (python-stdnum)."""
    module = cpf if kind == "cpf" else cnpj
    return module is None or bool(module.is_valid(number))


# --- PayPal.me and other pay links -------------------------------------------------------------

_PAYPAL_ME = re.compile(
    r"p[a@4]y[\s.\-_]{0,2}p[a@4][l1i|]"
    r"(?:\s*(?:\.|\(\s*dot\s*\)|\[\s*dot\s*\]|\{\s*dot\s*\}|\bdot\b)\s*me"
    r"|\s*\.\s*com\s*/\s*(?:[a-z]{2}/)?paypalme)"
    r"\s*(?:/|\\|\bslash\b|\(\s*slash\s*\)|\[\s*slash\s*\])\s*"
    r"([a-z0-9][a-z0-9_\-]*(?:\.[a-z0-9_\-]+)*)"
)
_PAY_LINK = re.compile(r"\.(?:me|com|app|io|ru|link)/")
_PAY_LINK_HOSTS = {  # host -> path prefix before the handle
    "revolut.me": "",
    "monzo.me": "",
    "bunq.me": "",
    "venmo.com": "",
    "account.venmo.com": "u/",
    "wise.com": "pay/",
    "buymeacoffee.com": "",
    "ko-fi.com": "",
    "razorpay.me": "",
    "rzp.io": "l/",
    "paystack.com": "pay/",
    "tinkoff.ru": "rm/",
    "qiwi.com": "n/",
    "yoomoney.ru": "to/",
    "lydia-app.com": "collect/",
    "cash.app": "",
    "skrill.me": "",
    "payoneer.com": "",
}
_HOST_BEFORE = re.compile(r"(?<![a-z0-9\-.])[a-z0-9\-]+(?:\.[a-z0-9\-]+)*$")
_LINK_PATH = re.compile(r"\$?[a-z0-9_\-]+(?:[./][a-z0-9_\-]+)*")
_VENMO_NOT_USER = frozenset({"about", "legal", "business", "help", "pay", "signup", "login"})


def _pay_links(doc: ScanDoc) -> Iterator[Finding]:
    folded = doc.folded.text
    if "/" not in folded and "\\" not in folded and "slash" not in folded:
        return  # both patterns need a slash (written, or as the word)
    for match in _PAYPAL_ME.finditer(folded):
        handle = match[1]
        if handle in {"com", "me"} or len(handle) < 2:
            continue
        yield _finding(doc, "paypal_me", match.start(), match.end(), 0.97)
    for match in _PAY_LINK.finditer(folded):
        host_match = _HOST_BEFORE.search(folded, max(0, match.start() - 40), match.start())
        if host_match is None:
            continue
        host = host_match[0] + match[0][:-1]
        host = host.removeprefix("www.")
        prefix = _PAY_LINK_HOSTS.get(host)
        if prefix is None or not folded.startswith(prefix, match.end()):
            continue
        path = _LINK_PATH.match(folded, match.end() + len(prefix))
        if path is None:
            continue
        handle = path[0]
        if host == "wise.com" and not handle.startswith(("me/", "r/")):
            continue
        if host == "payoneer.com" and "request" not in handle:
            continue
        if host == "venmo.com" and handle.split("/")[0] in _VENMO_NOT_USER:
            continue
        kind = "cashtag" if host == "cash.app" else "payment_service"
        yield _finding(doc, kind, host_match.start(), path.end(), 0.95)


# --- cashtags ----------------------------------------------------------------------------------

_CASHTAG = re.compile(r"\$(?<![a-z0-9_$\\]\$)([a-z][a-z0-9_]{1,19})(?![a-z0-9_({\[])")
_CASH_APP = re.compile(
    r"\b(?:cash[\s\-]?app|ca\$h[\s\-]?app|cash[\s\-]?tag|square cash|cash\.app)\b"
)
_CASHTAG_BEFORE = re.compile(
    r"(?:\b(?:send|sent|pay|paid|tip|transfer|zelle|venmo)\b[^\n.!?]{0,25}\b(?:to|at)\b"
    r"|\bmy\s+(?:tag|cashtag|handle|cash\s?app)\b(?:\s+is)?)\s*:?\s*$"
)
_CODE_AFTER = re.compile(r"\s*(?:=[^=]|->|::|\+\+|--|\[|\.[a-z_])")
CURRENCIES = frozenset(
    [
        "usd",
        "cad",
        "aud",
        "nzd",
        "hkd",
        "sgd",
        "mxn",
        "ars",
        "clp",
        "cop",
        "brl",
        "twd",
        "eur",
        "gbp",
        "us",
        "ca",
        "au",
        "nz",
        "hk",
        "sg",
        "mx",
        "r",
    ]
)


def _cashtags(doc: ScanDoc) -> Iterator[Finding]:
    folded = doc.folded.text
    if "$" not in folded:
        return
    apps: list[int] | None = None  # where Cash App is named, found on the first candidate
    for count, match in enumerate(_CASHTAG.finditer(folded)):
        if count >= MAX_ITEMS:
            break
        tag = match[1]
        if tag in CURRENCIES:
            continue
        start, end = match.start(), match.end()
        s, e = doc.folded.span(start, end)
        original = doc.text[s + 1 : e]
        if original.isupper() and len(original) > 1:
            continue  # $HOME, $PATH: environment variables
        if _CODE_AFTER.match(folded, end):
            continue
        if apps is None:
            apps = [m.start() for m in _CASH_APP.finditer(folded)]
        index = bisect.bisect_left(apps, start - 160)
        if index < len(apps) and apps[index] <= end + 150:
            confidence = 0.9
        elif _CASHTAG_BEFORE.search(folded, max(0, start - 40), start):
            confidence = 0.75
        else:
            continue
        yield _finding(doc, "cashtag", start, end, confidence)


# --- the detector ------------------------------------------------------------------------------


_GATE_NAMES = frozenset({"x:upi", "b:upi:0", "b:pix:1"})


def relevant(doc: ScanDoc) -> bool:
    """A necessary condition (scanning.gate), one per part of `detect`: UPI IDs need an "@" or a
    UPI anchor, Pix keys the Pix anchor, pay links a slash (written or as the word), cashtags a
    "$"."""
    text = doc.folded.text
    if "@" in text or "$" in text or "/" in text or "\\" in text or "slash" in text:
        return True
    try:
        return not _GATE_NAMES.isdisjoint(keyword_names(doc))
    except Exception:  # a gate never breaks a scan: let `detect` decide
        return True


def detect(doc: ScanDoc) -> Iterator[Finding]:
    """UPI IDs, Pix keys, PayPal.me/pay links and cashtags in `doc` (never raises)."""
    try:
        yield from _upi(doc)
        yield from _pix(doc)
        links = list(_pay_links(doc))
        yield from links
        cash_links = [(f.start, f.end) for f in links if f.kind == "cashtag"]
        for found in _cashtags(doc):
            if not any(s <= found.start < e for s, e in cash_links):
                yield found
    except Exception:  # the contract: a detector never breaks a scan
        log.exception("handles detector failed on part %s", doc.part)
