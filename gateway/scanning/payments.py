"""Off-platform payment channels and proposals (guideline section 3, items 1 and 3).

Kinds:

* ``payment_service``: a payment channel named *as the way to pay or be paid*: PayPal, Venmo,
  Zelle, Cash App, Wise, Revolut, Payoneer, Skrill, Western Union, MoneyGram, Pix, Bizum,
  MB WAY, Lydia, UPI/GPay/PhonePe/Paytm, СБП, Sber/Tinkoff, card-to-card and bank/wire
  transfers, crypto (USDT, BTC, ETH, Binance Pay), ... in any spelling the folded view reduces
  ("P@yPal", "Pay Pal", "PayPaI", "pay-pal", "U P I", "zellee", "the blue P app"). When a handle
  (e-mail, phone, @name, $tag) is written next to the channel, the span covers both.
* ``off_platform_payment``: a proposal to pay or be paid directly / outside the platform / so as
  to avoid the platform's fee, with or without a channel ("pay me directly", "off the platform",
  "skip the fee", "fuera de la plataforma", "por fora", "en dehors de la plateforme",
  "außerhalb der Plattform", "без комиссии", "напрямую", "platform ke bahar"), and cash in hand.
* ``gift_card``: gift cards / store codes asked or offered as payment.

How a channel mention is judged (one brand mention at a time, inside its sentence):

1. a work word attached to it ("PayPal checkout", "integrate Stripe and PayPal", "experience
   with PayPal") makes it the *subject of the work*: not a finding;
2. a handle next to it (e-mail, phone, @name, $tag) makes it a finding whatever else the
   sentence says; a payment verb aimed at a person ("pay me", "send you the money", "te pago",
   "переведу") makes it one even in a sentence about the work;
3. a refusal or warning ("I don't use PayPal", "never pay outside GigBridge", "scammers ask for
   Zelle") and platform-mediated payments ("fund the milestone with PayPal", "withdraw to
   Payoneer") are not proposals: not a finding (decision written down here, with tests);
4. otherwise a payment verb, a possessive ("my Venmo"), a question or preference ("do you have
   Bizum?", "is PayPal ok?", "I prefer Wise") makes it a finding unless the sentence is about the
   work (checkout, shop, API, plugin, site, article, ...); a bare intent word nearby is enough
   only for unambiguous brands: ambiguous names (Wise, Pix, Lydia, crypto tickers, "bank
   transfer", "card") need 2. or the stronger cues of 4.

Negation is read narrowly: a negative word in the same clause before the mention, not undone by
"but/instead" and not rhetorical ("why not pay me directly?", "can't we ...?" are proposals);
"no fees", "pas de frais", "keine Provision" deny the fee, not the proposal.

Speed: every anchor (brands, phrases, and the "x:" keywords the banking, crypto and handles
detectors use as cheap gates) is one prefix-factored alternation searched on the *token view*
(" " + the folded text with punctuation as spaces, same positions), so the regex engine only
starts at word starts, found with a fast literal scan. The hits are cached on the ScanDoc
(`keyword_hits`) and shared by the five payment detectors; the context tests only run around
hits, mostly on one sentence.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from functools import lru_cache

from gateway.context import Finding
from gateway.scanning.document import ScanDoc, make_finding
from gateway.scanning.normalize import fold_chars

NAME = "payments/1"
MAX_JUDGED = 400  # anchors judged per text: bounds the cost of adversarial word soup
log = logging.getLogger(__name__)


def _fp(pattern: str) -> str:
    """A pattern with its non-ASCII letters folded like the text it runs on."""
    return re.sub(r"[^\x00-\x7f]+", lambda m: fold_chars(m[0]), pattern)


def _rx(pattern: str) -> re.Pattern[str]:
    """Compile a folded pattern with its top-level alternation factored into a prefix trie.

    Python's regex engine tries alternatives one after the other at every position; the same
    words as a trie cost one or two character tests per position. The language is unchanged.
    """
    return re.compile(_optimize(_fp(pattern)))


# --- the anchors -------------------------------------------------------------------------------
# (name, pattern): the name says what was found ("b:" brand, "o:" off-platform phrase, "g:" gift
# card, "c:" card transfer, "k:" cash); patterns are written for the folded text and all start
# with a plain letter, so they can be grouped by that letter into one fast alternation.

_SEP = r"[\s.\-_*]?"
_BRANDS: list[tuple[str, str, bool]] = [  # canonical, pattern, strict (ambiguous word)
    ("paypal", rf"p{_SEP}[a@4]{_SEP}y[\s.\-_*]{{0,2}}p{_SEP}[a@4]{_SEP}[l1i|]", False),
    ("paypal", r"blue\s+p(?:\s+app)?", False),
    ("venmo", r"v[e3]nm[o0]", False),
    ("zelle", r"z[e3]ll[e3]+", False),
    ("cashapp", r"cash[\s\-]?app|ca\$h[\s\-]?app", False),
    ("cashapp", r"square\s+cash", False),
    ("wise", r"transfer[\s\-]?wise", False),
    ("wise", r"wise", True),
    ("revolut", r"r[e3]v[o0]lut", False),
    ("payoneer", r"pay[o0]n[e3][e3]r", False),
    ("skrill", r"skrill", False),
    ("neteller", r"neteller", False),
    ("webmoney", r"webmoney|вебмани", False),
    ("perfectmoney", r"perfect\s*money", False),
    ("payeer", r"payeer", False),
    ("qiwi", r"qiwi|киви", False),
    ("yoomoney", r"yoomoney|юmoney|юмани|яндекс[\s.]?деньг\w*|yandex[\s.]?money", False),
    ("alipay", r"alipay", False),
    ("wechatpay", r"wechat\s*pay|weixin\s*pay", False),
    ("interac", r"interac(?:\s+e-?transfer)?", False),
    ("interac", r"e\s?transfer", False),
    ("applecash", r"apple\s+cash", False),
    ("applepay", r"apple\s+pay", True),
    ("gpay", r"google\s+pay|g[\s\-]?pay", False),
    ("amazonpay", r"amazon\s+pay", True),
    ("phonepe", r"phone\s?pe", False),
    ("paytm", r"pay\s?tm", False),
    ("bhim", r"bhim", False),
    ("upi", r"upi|u\s{1,2}p\s{1,2}i", False),
    ("westernunion", r"western\s*union", False),
    ("moneygram", r"money\s*gram", False),
    ("remitly", r"remitly", False),
    ("xoom", r"xoom", False),
    ("worldremit", r"world\s*remit", False),
    ("ria", r"ria\s+money(?:\s+transfer)?", False),
    ("nequi", r"nequi", False),
    # mobile wallets paid to a phone number (Philippines, Kenya, Bangladesh, Pakistan, Indonesia)
    ("gcash", r"g[\s\-]?cash", False),
    ("paymaya", r"pay\s?maya", False),
    ("mpesa", r"m[\s\-]?pesa", False),
    ("bkash", r"bkash", False),
    ("easypaisa", r"easy\s?paisa", False),
    ("jazzcash", r"jazz\s?cash", False),
    ("gopay", r"gopay", False),
    # found by probe2: Turkish and Indonesian wallets, Japan's PayPay; DANA and OVO are also
    # words (Indonesian "dana" = funds), so strict
    ("papara", r"papara", False),
    ("paypay", r"paypay", False),
    ("ovo", r"ovo", True),
    ("dana", r"dana", True),
    # Arabic spellings of PayPal and Western Union
    ("paypal", r"باي\s?بال", False),
    ("westernunion", r"ويسترن\s+يونيون", False),
    # Egypt's wallets paid to a phone number
    ("vodafonecash", r"vodafone\s*cash|فودافون\s*كاش", False),
    ("instapay", r"instapay|انستا\s?باي", False),
    # Hindi (Devanagari) spellings of Indian channels
    ("paytm", r"पेटीएम", False),
    ("upi", r"यूपीआई", False),
    ("gpay", r"गूगल\s+पे", False),
    ("phonepe", r"फोन\s?पे", False),
    ("daviplata", r"daviplata", False),
    ("yape", r"yape", True),
    ("mercadopago", r"mercado\s*pago", True),
    ("satispay", r"satispay", False),
    ("postepay", r"postepay", False),
    ("twint", r"twint", False),
    ("swish", r"swish(?:a|at|ar)?", True),  # Swedish verb: "swisha till 070-..."
    ("vipps", r"vipps", False),
    ("mobilepay", r"mobile\s*pay", True),
    ("blik", r"blik(?:iem|a|u)?", True),  # Polish cases: "BLIKiem na telefon"
    ("paysera", r"paysera", False),
    ("monzo", r"monzo", False),
    ("chime", r"chime", True),
    ("bizum", r"bizum", False),
    ("mbway", r"mb\s?way", False),
    ("lydia", r"lydia", True),
    ("paylib", r"paylib", False),
    ("pix", r"pix", True),
    ("sbp", r"сбп|sbp", False),
    ("sber", r"сбер\w*|sber(?:bank)?", False),
    ("tinkoff", r"тинькофф|тиньков\w*|тинек|tinkoff|т\s?банк|t\s?bank", False),
    ("alfa", r"альфа[\s\-]?банк\w*|alfa[\s\-]?bank", False),
    ("binance", r"binance(?:\s+pay)?", True),
    ("crypto", r"usdt|usdc|tether|btc|eth|bitcoin\w*|ethereum|биткоин\w*|биткойн\w*", True),
    ("crypto", r"crypto\w*|крипт\w*|trc\s?20|erc\s?20|bep\s?20|litecoin|ltc|monero|xmr", True),
    ("crypto", r"dogecoin|solana|metamask|trust\s+wallet|coinbase|bybit|kucoin", True),
    ("stripe", r"stripe\s+(?:payment\s+)?(?:link|invoice)s?", True),
    ("bank", r"bank(?:ing)?\s+(?:transfer|wire|deposit|details|account|info)\w*", True),
    ("bank", r"wire\s+transfer\w*|wired?", True),
    ("bank", r"datos\s+bancarios|dados\s+banc[aá]rios", True),
    ("bankword", r"bank|banco|banque|банк", True),  # "pay me half now via bank"
    ("bank", r"transferencia(?:\s+bancaria)?|transfer[eê]ncia(?:\s+banc[aá]ria)?", True),
    ("bank", r"coordonn[ée]es\s+bancaires|virement(?:\s+bancaire)?|rib", True),
    ("bank", r"bank[uü]berweisung|[uü]berweis\w*|bankverbindung|bankdaten|kontodaten", True),
    ("bank", r"bonifico(?:\s+bancario)?|coordinate\s+bancarie", True),
    ("bank", r"банковск\w*\s+перевод\w*|реквизит\w*", True),
    ("bank", r"sepa\s+(?:transfer|[uü]berweisung|virement|payment|credit)", True),
    ("bank", r"ach\s+(?:transfer|payment|deposit)|neft|imps|rtgs|iban", True),
    ("bank", r"rekening(?:\s+bank)?|transfer\s+bank", True),  # Indonesian: bank account
]
_OFF: list[tuple[str, str]] = [
    ("outside", r"outside(?:\s+of)?\s+(?:the\s+|this\s+|your\s+|our\s+)?[\w.\-]+"),
    (
        "off",
        r"off[\s\-]+(?:the\s+|this\s+)?(?:platform|site|website|app|marketplace|escrow"
        r"|record|books|[\w\-]+)",
    ),
    ("bypass", r"bypass\w*|circumvent\w*"),
    # "skip GigBridge", "cut out the platform", "evitar la plataforma": checked in _outside
    ("skip", r"skip\w*|avoid\w*|cut\s+out|leave\s+out|dodg\w*|go\s+around|get\s+around"),
    ("skip", r"evitar|evitando|saltar\w*|pular|[ée]viter|contourner|umgeh\w*|обойти|обход\w*"),
    ("skip", r"evitare|saltare|aggirare"),
    ("between", r"between\s+(?:us|ourselves)|entre\s+(?:nosotros|n[oó]s|nous)|unter\s+uns"),
    ("between", r"между\s+нами|tra\s+(?:di\s+)?noi|apas\s+mein"),
    ("offline", r"offline|off-line"),
    ("around", r"around\s+(?:the\s+|this\s+|their\s+)?[\w.\-']+"),
    ("direct", r"direct(?:ly|amente|ement|o|a)?|diretamente|diret[oa]|direttamente|diretto"),
    ("direct", r"direkt\w*|напрямую|напрямк\w*|seedh[ae]|sidh[ae]"),
    ("direct", r"privately|separately"),
    # found by probe2: Indonesian, Turkish, Polish, Arabic "directly"
    ("direct", r"langsung|do[gğ]rudan|bezpo[sś]rednio|مباشرة|مباشره|सीध|डायरेक्ट"),
    # Hindi "outside the platform / the site"
    ("offside", r"प्लेटफ़?ॉर्म\s+के\s+बाहर|साइट\s+के\s+बाहर"),
    ("fee", r"fees?|commissions?|comisi(?:ón|on|ones)|comiss(?:ão|ao|ões|oes)|taxas?|frais"),
    ("fee", r"geb[uü]hr\w*|provision\w*|комисси\w*|commission[ei]|middle\s*m[ae]n|cut"),
    ("fee", r"service\s+(?:fee|charge)s?|процент\w*|plattformgeb[uü]hr\w*|servicegeb[uü]hr\w*"),
    ("fee", r"vermittlungsgeb[uü]hr\w*|plattformprovision\w*"),
    # found by probe2: Polish, Turkish, Indonesian, Arabic fee words
    ("fee", r"prowizj\w*|komisyon\w*|potongan|عمولة|العمولة|العموله"),
    ("outside", r"fuera\s+de\s+(?:la\s+|el\s+)?[\w.\-]+"),
    ("offside", r"por\s+fuera(?:\s+de\s+(?:la\s+|el\s+)?[\w.\-]+)?|por\s+fora"),
    (
        "offside",
        r"nicht\s+(?:[uü]ber|via|durch)\s+(?:die\s+)?plattform|not\s+(?:through|via)"
        r"\s+(?:the\s+)?(?:platform|site)|pas\s+par\s+la\s+plate\s?forme",
    ),
    ("outside", r"fora\s+d[aoe]\s+[\w.\-]+"),
    (
        "outside",
        r"dehors\s+d(?:e\s|\s)\s*(?:la\s+|le\s+)?[\w.\-]+|hors\s+(?:de\s+la\s+)?plate\s?forme",
    ),
    ("outside", r"au(?:ß|ss)erhalb\s+(?:der|von|des|dieser)\s+[\w.\-]+"),
    ("outside", r"an\s+der\s+plattform\s+vorbei"),
    ("outside", r"вне\s+[\w.\-]+|мимо\s+[\w.\-]+|в\s+обход\s+[\w.\-]+"),
    ("outside", r"fuori\s+(?:dalla\s+|dal\s+)?[\w.\-]+"),
    ("outside", r"bahar|baahar"),
    # found by probe2: Polish "poza platformą", Indonesian "di luar aplikasi"
    ("outside", r"poza\s+[\w.\-]+|luar\s+[\w.\-]+"),
    # Turkish "platform dışında", Arabic "instead of the platform"
    (
        "offside",
        r"platform\s+d[ıi][sş][ıi]nda|بدل\s+(?:المنصة|الموقع|المنصه)|بدون\s+(?:المنصة|الموقع|المنصه)",
    ),
    # Arabic: "outside the platform / the site" (off by themselves, with money around)
    ("offside", r"خارج\s+(?:المنصة|الموقع|المنصه)"),
]
_GIFT = [
    r"gift[\s\-]?cards?|gift[\s\-]?codes?|gift\s+vouchers?|giftcards?",
    r"e\s?gift\w*",
    r"steam\s+(?:wallet\s+)?(?:cards?|codes?|gift\w*|vouchers?)",
    r"itunes\s+(?:gift\s+)?(?:cards?|codes?)",
    r"google\s+play\s+(?:gift\s+)?(?:cards?|codes?)",
    r"amazon\s+(?:gift\s+)?(?:cards?|vouchers?|codes?)",
    r"apple\s+gift\s+cards?",
    r"razer\s+gold",
    r"xbox\s+(?:gift\s+)?cards?|psn\s+(?:cards?|codes?)|playstation\s+(?:gift\s+|store\s+)?cards?",
    r"vanilla\s+(?:gift|visa|prepaid)\w*",
    r"paysafecard",
    r"tarjetas?\s+(?:de\s+)?regalo",
    r"cart(?:ão|ões|ao|oes)\s+(?:de\s+)?presente",
    r"cartes?[\s\-]cadeaux?",
    r"geschenk(?:karte|gutschein)\w*|gutschein\w*",
    r"подарочн\w+\s+(?:карт|сертификат)\w*",
    r"buon[oi]\s+regalo|carte?\s+regalo",
]
_CARD = [
    r"card\s+to\s+card|card\s+transfer",
    r"cards?|tarjeta|cart[aã]o|carte|karte|carta",
    r"карт\w*",
]
_CASH = [
    r"cash",
    r"efectivo|esp[eè]ces|contanti|наличн\w*|nakad|bargeld|dinheiro\s+vivo",
    r"bar\s+(?:geben|gibst|zahlen|bezahlen|auf\s+die\s+hand)",
]
# Words the other payment detectors look for before doing any costlier search ("x:" anchors).
KEYWORDS: list[tuple[str, str]] = [
    ("bank", r"bank\w*|banco|banque|banca|bancaire|banc[aá]ri[oa]|банк\w*|swift|bic|iban"),
    ("bank", r"beneficiary|beneficiari[oa]|bénéficiaire|[uü]berweis\w*|virement|bonifico"),
    ("label", r"routing|aba|rtn|ach|transit|sort\s?code|bsb|clabe|ifsc|бик|ag[eê]ncia"),
    (
        "label",
        r"account\w*|acct|acc|a\s?c|kontonummer|konto|kto|cuenta|conta|compte|conto|blz"
        r"|bankleitzahl",
    ),
    ("label", r"khata|сч[её]т\w*|р\s?с|л\s?с|c\s?c|n[uú]mero\s+de\s+cuenta"),
    ("label", r"konta|rachun\w*|hesab\w*|hesap|rekening|norek"),  # found by probe2
    ("upi", r"ybl|ibl|axl|okhdfcbank|okicici|oksbi|okaxis|vpa"),
    ("crypto", r"sol|solana|phantom|doge|dogecoin|litecoin|ltc|wallet|кошел\w*"),
]


def _entries() -> list[tuple[str, str]]:
    entries: list[tuple[str, str]] = []
    for canonical, pattern, strict in _BRANDS:
        entries.append((f"b:{canonical}:{int(strict)}", pattern))
    entries += [(f"o:{name}", pattern) for name, pattern in _OFF]
    entries += [("g:gift", pattern) for pattern in _GIFT]
    entries += [("c:card", pattern) for pattern in _CARD]
    entries += [("k:cash", pattern) for pattern in _CASH]
    entries += [(f"x:{name}", pattern) for name, pattern in KEYWORDS]
    return entries


def _split_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern (groups, classes and escapes respected)."""
    parts: list[str] = []
    depth, start, index, in_class = 0, 0, 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[index + 1 : index + 2] == "]":
                index += 1  # "[]...]": a literal "]" first in the class
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
        index += 1
    parts.append(pattern[start:])
    return parts


def _expand_first(alternatives: list[str]) -> list[str]:
    """ "[uü]berweis" -> "uberweis", "überweis": a leading letter class becomes alternatives."""
    out = []
    for alternative in alternatives:
        match = re.match(r"\[(\w+)\]", alternative)
        if match:
            out.extend(letter + alternative[match.end() :] for letter in match[1])
        else:
            out.append(alternative)
    return out


def _literal_prefix(alternative: str) -> tuple[str, str]:
    """Split a pattern into its leading plain characters and the rest."""
    index = 0
    while index < len(alternative):
        char = alternative[index]
        if char in "\\[](){}.*+?|^$":
            break
        if index + 1 < len(alternative) and alternative[index + 1] in "?*+{":
            break  # the character is quantified: not a fixed prefix
        index += 1
    return alternative[:index], alternative[index:]


def _trie_regex(items: list[tuple[str, str]], *, group: bool = False) -> str:
    """An alternation factored by common literal prefixes, longer remainders first."""
    children: dict[str, list[tuple[str, str]]] = {}
    remainders: list[str] = []
    for literal, rest in items:
        if literal:
            children.setdefault(literal[0], []).append((literal[1:], rest))
        else:
            remainders.append(rest)
    options = [re.escape(char) + _trie_regex(sub) for char, sub in children.items()]
    options += sorted({r for r in remainders if r}, key=len, reverse=True)
    optional = "" in remainders
    if not options:
        return ""
    if len(options) == 1 and not optional and not group:
        return options[0] if children else f"(?:{options[0]})"
    return "(?:" + "|".join(options) + ("|" if optional else "") + ")"


def _matching_paren(pattern: str, start: int) -> int:
    """Index of the ")" closing the group that opens at `start` (-1 if none)."""
    depth, index, in_class = 0, start, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _distribute(alternative: str, depth: int = 0) -> list[str]:
    """ "(?:a|b)c" -> ["ac", "bc"] (a leading \\b is kept in front), so a trie can share."""
    boundary = alternative.startswith("\\b")
    body = alternative[2:] if boundary else alternative
    if depth > 3 or not body.startswith("(?:"):
        return [alternative]
    close = _matching_paren(body, 0)
    if close < 0 or body[close + 1 : close + 2] in {"?", "*", "+", "{"}:
        return [alternative]
    rest = body[close + 1 :]
    out = []
    for inner in _split_alternatives(body[3:close]):
        out.extend(_distribute(("\\b" if boundary else "") + inner + rest, depth + 1))
    return out


def _optimize(pattern: str) -> str:
    """The same language as `pattern`, alternatives factored by their literal prefixes."""
    bounded: list[tuple[str, str]] = []
    other: list[tuple[str, str]] = []
    for alternative in _split_alternatives(pattern):
        for piece in _expand_first(_distribute(alternative)):
            if piece.startswith("\\b"):
                bounded.extend(_literal_prefix(p) for p in _expand_first([piece[2:]]))
            else:
                other.append(_literal_prefix(piece))
    parts = []
    if bounded:
        parts.append("\\b" + _trie_regex(bounded, group=True))
    if other:
        parts.append(_trie_regex(other, group=True))
    return "|".join(parts)


def _compile_anchors() -> tuple[
    re.Pattern[str], re.Pattern[str], dict[str, list[tuple[str, re.Pattern[str]]]]
]:
    """Prefix-factored alternations of every anchor, run on the token view.

    Anchors whose folded form starts with a non-ASCII letter ("überweisung", "подарочный")
    get their own pattern, searched only in non-ASCII texts: fewer branches for the rest.
    """
    ascii_items: list[tuple[str, str]] = []
    other_items: list[tuple[str, str]] = []
    by_first: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for name, pattern in _entries():
        for alternative in _expand_first(_split_alternatives(_fp(pattern))):
            if not alternative[:1].isalpha():
                raise ValueError(f"anchor must start with a letter: {alternative!r}")
            items = ascii_items if alternative[0].isascii() else other_items
            items.append(_literal_prefix(alternative))
            by_first.setdefault(alternative[0], []).append((name, re.compile(alternative)))
    return (
        re.compile(" " + _trie_regex(ascii_items) + r"(?!\w)"),
        re.compile(" " + _trie_regex(other_items) + r"(?!\w)"),
        by_first,
    )


_ANCHORS, _ANCHORS_NON_ASCII, _ANCHOR_CLASSES = _compile_anchors()
_NAME_CACHE: dict[str, str] = {}


def _anchor_name(raw: str) -> str:
    """Which anchor a matched text is (first in declaration order), cached by text."""
    name = _NAME_CACHE.get(raw)
    if name is None:
        name = next((n for n, rx in _ANCHOR_CLASSES.get(raw[:1], ()) if rx.fullmatch(raw)), "")
        if len(_NAME_CACHE) > 4096:
            _NAME_CACHE.clear()
        _NAME_CACHE[raw] = name
    return name


# Every ASCII character but letters, digits, "@" and "$" (and common Unicode punctuation) as a
# space, one for one: word starts become " x", which the regex engine finds with a fast search.
_TOKEN_TABLE = {i: " " for i in range(128) if not chr(i).isalnum() and chr(i) not in "@$"}
_VIEW_UNICODE_PUNCT = "“”„‘’‚«»‹›¿¡—–…•·§"
_TOKEN_TABLE.update({ord(c): " " for c in _VIEW_UNICODE_PUNCT})
# The same map as a bytes table over UTF-8 (multi-byte sequences never hold ASCII bytes):
# bytes.translate is a plain table lookup, far cheaper than str.translate with a dict.
_TOKEN_ASCII = bytes(k for k in _TOKEN_TABLE if k < 128)
_TOKEN_BYTES = bytes.maketrans(_TOKEN_ASCII, b" " * len(_TOKEN_ASCII))
_VIEW_KEY = "_payment_token_view"
_CJK_KEY = "_payment_cjk"


_HITS_KEY = "_payment_keyword_hits"
_NAMES_KEY = "_payment_keyword_names"


def keyword_hits(doc: ScanDoc) -> list[tuple[int, int, str, str]]:
    """(start, end, anchor name, matched text) of every anchor, in folded positions, cached."""
    cache = getattr(doc, "__dict__", None)
    hits = cache.get(_HITS_KEY) if cache is not None else None
    if hits is None:
        view = token_view(doc)
        matches = list(_ANCHORS.finditer(view))
        if not view.isascii():
            matches += _ANCHORS_NON_ASCII.finditer(view)
            matches.sort(key=lambda m: m.start())
        hits = [(m.start(), m.end() - 1, _anchor_name(m[0][1:]), m[0][1:]) for m in matches]
        if cache.get(_CJK_KEY) if cache is not None else not doc.folded.text.isascii():
            cjk = _cjk_hits(doc.folded.text)
            if cjk:
                hits = sorted(hits + cjk)
        if cache is not None:
            cache[_HITS_KEY] = hits
    return hits


def keyword_names(doc: ScanDoc) -> frozenset[str]:
    """The anchor names present in `doc` ("x:bank", "b:paypal:0", ...), cached."""
    cache = getattr(doc, "__dict__", None)
    names = cache.get(_NAMES_KEY) if cache is not None else None
    if names is None:
        names = frozenset(name for _, _, name, _ in keyword_hits(doc))
        if cache is not None:
            cache[_NAMES_KEY] = names
    return names


def token_view(doc: ScanDoc) -> str:
    """ " " + the folded text with punctuation as spaces (same positions, shifted by one)."""
    cache = getattr(doc, "__dict__", None)
    view = cache.get(_VIEW_KEY) if cache is not None else None
    if view is None:
        spaced, cjk = _token_spaces_cjk(doc.folded.text)
        view = " " + spaced
        if cache is not None:
            cache[_VIEW_KEY] = view
            cache[_CJK_KEY] = cjk  # Chinese/Japanese blanked out of the view (probe2)
    return view


def _token_spaces_cjk(text: str) -> tuple[str, bool]:
    """`text.translate(_TOKEN_TABLE)`, through bytes.translate (same result, same positions),
    with Chinese/Japanese characters as spaces too; and whether there were any."""
    if text.isascii():
        return text.encode("ascii").translate(_TOKEN_BYTES).decode("ascii"), False
    spaced = text.encode("utf-8", "surrogatepass").translate(_TOKEN_BYTES)
    cjk = any(lead in spaced for lead in _CJK_LEADS)
    text = spaced.decode("utf-8", "surrogatepass")
    for char in _VIEW_UNICODE_PUNCT:
        if char in text:
            text = text.replace(char, " ")
    # found by probe2: Chinese and Japanese write no spaces, so a brand glued to the next
    # character ("PayPayで", "用PayPal付款") only starts and ends a word if CJK counts as a gap.
    return (_CJK_CHAR.sub(" ", text), True) if cjk else (text, False)


# UTF-8 lead bytes of U+3000..U+9FFF (kana and CJK ideographs): a byte search is far cheaper
# than a regex over the text, and finds every text that holds such a character.
_CJK_LEADS = tuple(bytes([lead]) for lead in range(0xE3, 0xEA))


# --- Chinese and Japanese (found by probe2) ----------------------------------------------------
# No spaces between words, so these are searched on the folded text itself (every occurrence),
# added to the anchor hits as "z:" anchors and judged on their sentence by _cjk below.
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_CJK_ANCHORS = re.compile(
    r"(?P<off>不走平台|别走平台|不要走平台|直接转|直接付|直接打款|直接汇|不通过平台|不經過平台|不通過平台|不用通过平台|不用平台|绕过平台|繞過平台|绕开平台"
    r"|平台外|私下交易|私下付|私下转|私下轉|线下交易|线下付|線下交易|省手续费|省手續費|免手续费"
    r"|避开手续费|プラットフォーム外|プラットフォームを通さ|サイト外|手数料を避け|手数料を回避"
    r"|手数料なし)"
    r"|(?P<channel>支付宝|支付寶|微信转账|微信轉帳|微信支付|微信红包|银行转账|銀行轉帳|银行卡|转账|轉帳"
    r"|汇款|匯款|打款|銀行振込|振り?込|送金|ペイペイ|paypay|line\s?pay|paypal|ペイパル"
    r"|楽天ペイ|アリペイ|alipay)"
)
_CJK_SENTENCE = re.compile(r"[。！？!?\n]")
_CJK_MONEY = re.compile(r"付|款|钱|錢|转|轉|支付|払|振込|送金|手数料|手续费|手續費|费")
_CJK_DIRECT = re.compile(
    r"直接|给我|給我|转给我|轉給我|打给我|付给我|私下|我的|私の|口座|账号|帳號|账户|帳戶|不走平台"
    r"|不通过平台|不用通过平台|绕过平台|手数料を避け|手数料を回避|プラットフォーム外"
)
_CJK_WORK = re.compile(
    r"功能|集成|接入|开发|開発|実装|機能|追加|導入|小程序|网站|網站|商城|店铺|店舗|アプリ|サイトに"
    r"|システム|チェックアウト|决済画面|決済画面|插件|接口|API|api"
)
_CJK_MEDIATED = re.compile(
    r"通过平台|通過平台|在平台上|平台上|经平台|經平台|プラットフォームで|プラットフォーム経由"
    r"|プラットフォーム上|サイト経由|サイト上で"
)
_CJK_EXPLICIT_OFF = re.compile(
    r"不走平台|别走平台|不要走平台|不通过平台|不通過平台|不經過平台|不用通过平台|不用平台|绕过平台"
    r"|繞過平台|绕开平台|平台外|私下|线下|線下|プラットフォーム外|プラットフォームを通さ|サイト外"
)
_CJK_REFUSED = re.compile(r"不要|别用|別用|请勿|請勿|禁止|しないで|ご遠慮|できません|不能")


def _cjk_hits(folded: str) -> list[tuple[int, int, str, str]]:
    """Chinese/Japanese payment anchors in folded positions (empty for text without CJK)."""
    if not _CJK_CHAR.search(folded):
        return []
    return [
        (m.start(), m.end(), f"z:{m.lastgroup}", m[0])
        for m in _CJK_ANCHORS.finditer(folded)
        if m.lastgroup is not None
    ]


def _cjk(ctx: _Context, kind: str) -> tuple[int, int, float] | None:
    """A Chinese/Japanese sentence that pays outside the platform or names a channel to pay
    someone directly ("尾款请直接支付宝转给我", "銀行振込で直接お支払い"), not the work
    ("包含微信支付功能", "PayPay決済を追加")."""
    text = ctx.text
    lo = max(0, ctx.start - 80)
    cuts = list(_CJK_SENTENCE.finditer(text, lo, ctx.start))
    lo = cuts[-1].end() if cuts else lo
    ahead = _CJK_SENTENCE.search(text, ctx.end, min(len(text), ctx.end + 80))
    sentence = text[lo : ahead.start() if ahead else min(len(text), ctx.end + 80)]
    if not _CJK_CHAR.search(sentence) or _CJK_WORK.search(sentence):
        return None
    if _CJK_REFUSED.search(sentence):
        return None
    if _CJK_MEDIATED.search(sentence) and not _CJK_EXPLICIT_OFF.search(sentence):
        return None  # "我直接通过平台转账给你了": paid through the platform
    if kind == "off":
        return (ctx.start, ctx.end, 0.9) if _CJK_MONEY.search(sentence) else None
    return (ctx.start, ctx.end, 0.85) if _CJK_DIRECT.search(sentence) else None


# --- context -----------------------------------------------------------------------------------

_PAY_VERBS = (
    r"pay(?!\s+(?:attention|heed|a\s+visit|tribute|respects?|off|dividends))|pays|paid|paying|payment|payments|payout|transfer\w*|wire|wired|tip|refund\w*"
    r"|reimburs\w*|invoice\w*|bill|charge|deposit\w*|receive\w*|settle|cash\s+out|money|funds"
    r"|salary|pago|pagos|pagar\w*|pague\w*|paga|pagam\w*|pagas|pagou|transf\w+|cobr\w*"
    r"|recib\w*|receb\w*|dinero|dinheiro|grana|plata|payer|paye\w*|paie\w*|paiement\w*"
    r"|virement|vire[rsz]?|virerai|factur\w*|fattur\w*|abrechn\w*|rechnung|r[eéè]gl\w*|rembours\w*|zahl\w*|bezahl\w*|[uü]berweis\w*|geld"
    r"|оплат\w*|плат\w*|заплат\w*|переве\w*|перевод\w*|перечисл\w*|скин\w*|кин\w*|деньг\w*"
    r"|рассчит\w*|расч[её]т\w*|pagher\w*|bonific\w*|soldi|paise|paisa|rupees?"
    # found by probe2: Polish, Turkish, Indonesian and Arabic payment words
    r"|przelew\w*|zap[lł]a[cć]\w*|p[lł]atno[sś][cć]\w*|rozlicz\w*|wp[lł]at\w*"
    r"|[oö]deme\w*|[oö]de(?:r|y|yin|yebilir)\w*|havale\w*|yat[ıi]r\w*|bayar\w*|kirim\w*"
    r"|eft|przel[eaó]\w*|daal\s+d[oe]|dal\s+d[oe]|daalo|dalo"
    r"|पेमेंट|भुगतान|भेज|पैस|ट्रांसफर"
    r"|ادفع|تدفع|دفع|الدفع|أحول|احول|تحول|ترسل|أرسل|ارسل|المبلغ|مبلغ"
    # payment terms: "half now via Revolut, half on delivery", "50% upfront"
    r"|upfront|up[\s-]front|in\s+advance|half\s+(?:now|upfront|first|before)|the\s+other\s+half"
    r"|anzahlung|vorkasse|acompte|anticipo|adelanto|adiantamento|аванс\w*|предоплат\w*"
    r"|advance\s+(?:payment|[0-9]+\s?%)|[0-9]+\s?%\s+(?:in\s+)?advance"
    r"|(?:rest|balance|remainder)\s+(?:after|on|upon)\s+(?:delivery|completion)"
)
_SEND_VERBS = (
    r"send|sends|sent|sending|env[ií]\w*|m[aá]nd\w+|envoy\w*|schick\w*|отправ\w*|invia\w*"
    r"|invio|bhej\w*"
)
_MONEY_VERBS = _PAY_VERBS + "|" + _SEND_VERBS
_PAY_RX = _rx(rf"\b(?:{_PAY_VERBS})\b")
_INTENT = _rx(
    rf"\b(?:{_MONEY_VERBS}|accept\w*|acept\w*|aceit\w*|prefer\w*|easier|easiest|simpler"
    r"|quicker|faster|convenient|m[aá]s\s+f[aá]cil|mais\s+f[aá]cil|plus\s+simple|einfacher"
    r"|удобнее|проще|pi[uù]\s+comodo"
    r"|najpro[sś]ciej|naj[lł]atwiej|najszybciej|wol[eę]|preferuj\w*|tercih\w*|lebih\s+mudah"
    r"|ممكن|أفضل|افضل)\b|[$€£₹₽]|r\$"
)

_PERSONAL_VERB = (  # a payment aimed at a person: immune to the work test
    r"\b(?:pay|tip|refund|reimburse|invoice|bill|charge|wire|venmo|zelle)\w*"
    r"\s+(?:it\s+|that\s+|the\s+\w+\s+)?(?:to\s+)?(?:me|you|u|us|him|her|them)\b"
    r"|\b(?:send|sent|transfer\w*)\s+(?:me|you|u|us|him|her)\s+(?:the\s+|a\s+|my\s+|your\s+)?"
    r"(?:money|payment|funds|rest|balance|amount|deposit|advance|fee|[$€£₹₽]|[0-9])"
    r"|\b(?:send|sent|transfer\w*)\s+(?:the\s+|a\s+)?(?:money|payment|funds|rest|balance"
    r"|amount|deposit|advance|[$€£₹₽]?[0-9][0-9.,]*\s?\w*)[^.!?\n]{0,20}\b(?:to|into)\s+"
    r"(?:me|my|your|you)\b"
    r"|\b(?:pay|paid|payment|transfer\w*|wire|deposit)\w*\s+(?:\w+\s+){0,3}"
    r"(?:to|into|on|onto)\s+(?:my|your|our)\b"
    r"|\b(?:faz|fa[cç]a|fazer|manda|mande|mandar|envia|envie|enviar)\s+(?:um|o|a)\s+pix\b"
    r"|\b(?:te|le|les|me|nos)\s+(?:pago|pagar\w*|pague\w*|transfier\w*|transfer\w+|paga"
    r"|deposit\w*)\b"
    r"|\b(?:p[aá]game|transfi[eé]reme|depos[ií]tame|pagami|pagarte|pagarle|pagarme)\b"
    r"|\b(?:paie|paye|payez|vire|virez|rembourse)[\s\-]+moi\b"
    r"|\b(?:je|on|nous)\s+(?:te|vous)\s+(?:\w+\s+)?(?:paie|paye|payer\w*|vire\w*"
    r"|rembourse\w*|r[eéè]gle\w*)\b"
    r"|\b(?:zahl\w*|[uü]berweis\w*)\s+(?:dir|ihnen|mir|euch|uns)\b"
    r"|\b(?:dir|ihnen|mir)\s+(?:\w+\s+){0,2}(?:zahl\w*|[uü]berweis\w*)\b"
    r"|\b(?:переведу|переведи\w*|скину|скинь\w*|кину|кинь\w*|оплачу"
    r"|заплачу|заплати\w*|плачу|перечислю|перечисли\w*|рассчитаюсь)\b"
    r"|\b(?:ti|vi)\s+(?:pago|pagher\w*|bonifico)\b"
    r"|\b(?:ti|vi)\s+(?:faccio|mando|invio)\s+(?:un\s+|il\s+)?(?:bonifico|pagamento|ricarica)"
    r"|\b(?:te|le|os|les)\s+(?:hago|mando|env[ií]o)\s+(?:un[ao]?\s+|el\s+|la\s+)?(?:bizum"
    r"|transferencia|pago|ingreso|dinero)"
    r"|\b(?:je|on)\s+(?:te|vous)\s+(?:fais|fait|ferai|envoie)\s+(?:un\s+|le\s+)?(?:virement"
    r"|paiement|lydia|paylib)"
    r"|\b(?:ich|wir)\s+(?:mache|machen|schicke|schicken)\s+(?:dir|ihnen|euch)\s+"
    r"(?:eine?\s+|die\s+)?(?:[uü]berweisung|zahlung)"
    r"|\b(?:pay\s+kar\w*|payment\s+kar\w*|transfer\s+kar\w*)\b"
)
_PERSONAL = _rx(_PERSONAL_VERB)
_STRONG_TEMPLATE = (
    r"(?:"
    # a money verb, any language, shortly before the channel ("pay via", "pagar con", "per")
    r"\b(?:VERBS)\b[^.!?\n]{0,30}"
    # possessive right before the channel ("my Venmo", "mi Bizum", "мой сбер")
    r"|\b(?:my|your|ur|our|mi|tu|meu|minha|seu|sua|teu|tua|mon|ma|ton|ta|votre|mein\w*"
    r"|dein\w*|ihr\w*|мо[йяюеи]\w*|тво[йяюеи]\w*|ваш\w*|mio|mia|tuo|mera|meri|mere|apna"
    r"|apni)\s+(?:\w+\s+)?"
    # questions and preferences ("do you have", "I prefer", "¿tienes", "hast du", "у вас есть")
    r"|\b(?:do|can|could|would|will|does)\s+(?:you|u)\s+(?:\w+\s+)?(?:have|use|accept|take|do"
    r"|prefer|want)\s+(?:a\s+|an\s+)?"
    r"|\b(?:i|we)\s+(?:\w+\s+)?(?:have|use|accept|take|prefer|do|work\s+with)\s+(?:a\s+|an\s+)?"
    r"|\b(?:tienes|tiene|usas|aceptas|acepto|aceptamos|prefiero|tem|tens|aceita|aceito|prefiro"
    r"|hast\s+du|haben\s+sie|nutzt\s+du|nutzen\s+sie|akzeptier\w*|bevorzug\w*|as-tu|avez-vous"
    r"|tu\s+as|vous\s+avez|acceptez|accepte|pr[ée]f[eè]re\w*|у\s+(?:вас|тебя)\s+есть|есть"
    r"|предпочита\w*|принима\w*|hai|accetti|accetto|preferisco)\s+(?:\w+\s+)?"
    # "hazme un Bizum", "fais-moi un Lydia", "tu peux me faire un Lydia", "faz-me um pix"
    r"|\b(?:h[aá]zme|hazle|hacerme|fais[\s\-]+moi|faites[\s\-]+moi|me\s+fai(?:s|re|tes)"
    r"|faz[\s\-]+me|fa[cç]a[\s\-]+me|mach\s+mir|mache\s+mir|sende\s+mir|schick\s+mir"
    r"|сделай\w*|скинь\w*|кинь\w*|fammi|mandami|mi\s+fai|mi\s+fa|mi\s+fate"
    r"|mi\s+puoi\s+fare|mi\s+mandi)\s+(?:un[ae]?|um[a]?|o|a|le|la|ein(?:e|en)?"
    r"|el)?\s*"
    r")$"
)
_STRONG_BEFORE = _rx(_STRONG_TEMPLATE.replace("VERBS", _MONEY_VERBS))
_STRONG_BEFORE_STRICT = _rx(_STRONG_TEMPLATE.replace("VERBS", _PAY_VERBS))
_STRONG_AFTER = _rx(
    r"^\s*(?:"
    r"(?:account|acct|id|e-?mail|mail|handle|username|user\s+name|tag|number|details|info"
    r"|address|link|wallet|balance|cuenta|conta|compte|konto|номер|кошел\w*|carteira"
    r"|billetera)\b"
    r"|(?:is|are|would\s+be|works?|'s|s)\s+(?:\w+\s+)?(?:ok|okay|fine|good|possible|easier"
    r"|easiest|simplest|quickest|better|preferred|best|faster|for\s+me|for\s+you)\b"
    r"|(?:findest\s+du\s+mich|find\s+me|me\s+encuentras|me\s+trouve[sz]?|me\s+acha[s]?"
    r"|me\s+encontra[s]?|найд[её]шь\s+меня|ищи(?:те)?\s+меня|mi\s+trovi)\b"
    r"|(?:ok|okay|fine)\s*\?|\?\s*$"
    # found by probe2: "Zelle works, use ...", "Wise works."
    r"|works?(?:\s+(?:too|well|great|best|fine))?\s*(?:[,.!;:\n]|$)"
    r"|(?:me|to\s+me|to\s+you)\b"
    r"|(?:straight|directly|direct)\s+(?:in)?to\s+(?:me|my|us|our)\b"
    r"|[:=]\s*[a-z][a-z0-9\-]*[._][\w.\-]*[a-z0-9](?![\w%])"
    r"|[^.!?\n]{0,30}\b(?:to|into|on|onto)\s+(?:my|your|our)\b"
    r"|(?:por\s+favor|please|pls|s'il\s+vous\s+pla[iî]t|bitte|пожалуйста)\b"
    r"|(?:kar|kr)\s*(?:do|dena|dijiye|de|diya|denge|dunga|dungi)\b"
    r"|(?:पर\s+)?(?:कर|भेज)\s*(?:दो|दीजि|देना|दें|दूंगा)"
    r"|(?:friends?\s*(?:&|and|n)\s*family|f\s?&\s?f|entre\s+amis|amigos\s+y\s+familia"
    r"|freunde\s+(?:&|und)\s+familie)\b"
    r"|(?:pe|par|se)\s+(?:bhej\w*|kar\w*|transfer\w*|send|pay\w*)\b"
    r")"
)
_ATTACHED_WORK_AFTER = _rx(
    r"^(?:'s|’s)?[\s\-]*(?:integration\w*|checkout|check-out|buttons?|api|apis|sdk|plugin|plug-in|module"
    r"|gateway|webhooks?|ipn|sandbox|express\s+checkout|smart\s+buttons?|commerce|sdk|rest"
    r"|developer|dev\w*|documentation|docs|support|option|method|processor|provider|logo|icon"
    r"|badge|subscriptions?|billing|clone|app\s+(?:clone|design|ui)|ui|ux|flow|redesign"
    r"|integraci[oó]n|integra[cç][aã]o|int[eé]gration|integrier\w*|интеграц\w*|модул\w*"
    r"|кнопк\w*|api-?\w*)\b"
)
_WORK_BEFORE = _rx(
    r"\b(?:integrat\w*|add|adding|added|implement\w*|set\s*up|setup|setting\s+up|configur\w*"
    r"|connect\w*|enable\w*|support\w*|install\w*|embed\w*|build\w*|develop\w*|code|coding"
    r"|experience|experienced|familiar|knowledge|expert\w*|skills?|worked|working|test\w*"
    r"|debug\w*|fix\w*|migrat\w*|replace|replacing|switch\w*\s+(?:from|to)|like|similar\s+to"
    r"|clone|integrar|integra[cç]\w*|a[nñ]adir|agregar|adicionar|implementar|int[eé]grer"
    r"|ajouter|einbinden|integrieren|hinzuf[uü]gen|подключ\w*|интегр\w*|добав\w*|настро\w*)"
    r"\b[^.!?\n]{0,30}$"
)
_WORK = _rx(
    r"\b(?:integrat\w*|checkouts?|check-outs?|plugins?|plug-ins?|apis?|sdks?|webhooks?"
    r"|gateways?|buttons?|sandbox|modules?|widgets?|shops?|stores?|storefronts?|e-?commerce"
    r"|carts?|woocommerce|shopify|magento|prestashop|wordpress|implement\w*|features?"
    r"|customers?|users?|merchants?|ipn|subscriptions?|backend|frontend|endpoints?|sites?"
    r"|websites?|landing|pages?|stripe|razorpay|braintree|adyen|mollie|boleto|pagseguro"
    r"|mercadopago|tests?|testing|donat\w*|tutorials?|articles?|blogs?|posts?|courses?"
    r"|reports?|dashboards?|mockups?|screens?|components?|ui|ux|design\w*|logos?|icons?"
    r"|banners?|ads?|campaigns?|seo|content|translat\w*|videos?|fields?|forms?|validat\w*"
    r"|inputs?|regex|database|schema|app\s+(?:store|clone)|clones?|code|repo|bots?|exchanges?"
    r"|trading|charts?|price\s+feed|wallet\s+app|smart\s+contracts?|tokens?|nfts?|dapps?"
    r"|defi|whitepaper|news|markets?|analysis|research|explainer|topics?|history|mining|nodes?"
    r"|integraci[oó]n|integrar|integra[cç][aã]o|tienda|loja|boutique|magasin|pasarela"
    r"|passerelle|zahlungsart\w*|zahlungsmethod\w*|m[ée]todos?\s+de\s+pago|forma\s+de\s+pago"
    r"|meios?\s+de\s+pagamento|formas?\s+de\s+pagamento|moyens?\s+de\s+paiement|магазин\w*"
    r"|сайт\w*|способ\w*\s+оплаты|платежн\w*\s+(?:систем|шлюз)\w*|интеграц\w*|статья|статью"
    r"|sells?|selling|sale|products?|catalog\w*|inventory|redemption|redeem\w*\s+(?:flow|page)"
    r"|settings|toggle|admin|panel|carrello|negozio|sito|pulsante|integrazione|pagina|carrito"
    r"|bot[oó]n|pantalla|p[aá]gina|carrinho|bot[aã]o|tela|aplicativo|panier|bouton|[ée]cran"
    r"|appli|warenkorb|seite|schaltfl[aä]che|bildschirm|корзин\w*|кнопк\w*|приложени\w*"
    r"|страниц\w*"
    # an app being built: "la app tiene que permitir pagar con Bizum", "the app lets users pay"
    r"|(?:la|una|esta|the|an|this|our|their|mobile|ios|android|web)\s+apps?"
    r"|aplicaci[oó]n|permitir\s+pagar|allow\s+(?:users|customers)\s+to\s+pay"
    r"|flags?|config\w*|variables?"
    # found by probe2: Polish, Turkish, Indonesian work words ("w sklepie dodać płatności BLIK")
    r"|sklep\w*|integracj\w*|wdro[zż]\w*|dod(?:a[cć]|anie)|entegrasyon\w*|uygulama\w*"
    r"|toko|integrasi|fitur|halaman|इंटीग्रेशन|ऐप|वेबसाइट|चेकआउट)\b"
)
# found by probe2: "без комиссии сайта", "the site's fee": the platform's fee, not a site at work
_FEE_OF_SITE = _rx(
    r"\b(?:комисси\w*|prowizj\w*|fees?|commission\w*|comisi[oó]n\w*|frais|geb[uü]hr\w*)"
    r"\s+(?:of\s+)?(?:the\s+|this\s+|du\s+|de\s+la\s+|del\s+|der\s+)?(?:сайт\w*|платформ\w*"
    r"|site|website|platform|serwisu|portalu|plataforma|plateforme|plattform)\b"
    r"|\b(?:site|website|platform)(?:'s|s)?\s+(?:fees?|commission|cut)\b"
)
_EMAIL_ADDRESS = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_FEE_WORD = (
    r"(?:fees?|commission\w*|comisi\w*|comiss\w*|taxas?|tarifas?|frais|geb[uü]hr\w*|provision\w*"
    r"|plattformgeb[uü]hr\w*|charges?|middle\s*m[ae]n|cut|комисси\w*|процент\w*"
    r"|prowizj\w*|komisyon\w*|potongan|عمولة|العمولة)"
)
_NEGATION = _rx(
    r"\b(?:don'?t|do\s+not|doesn'?t|does\s+not|didn'?t|can'?t|cannot|can\s+not|won'?t"
    r"|will\s+not|wouldn'?t|shouldn'?t|mustn'?t|must\s+not|never|not|no\s+longer|refuse\w*"
    r"|against|prohibit\w*|forbid\w*|unable|rather\s+not|nunca|jam[aá]s|n[aã]o|jamais|nicht"
    r"|nie|niemals|не|нельзя|никогда|non(?!-)|mai|nahi|nahin|mat\s+(?:karo|kar|bhejo|do))\b"
    # "no", "pas", "kein", "nenhum", "нет" deny the proposal unless they deny the fee:
    # "no fees", "pas de frais", "keine Gebühr", "nenhum de nós paga a taxa"
    rf"|\b(?:no|pas|kein\w*|nenhum\w*|nenhuma|ning[uú]n\w*|ninguna|nem|ni|нет)\b"
    rf"(?![^.!?\n]{{0,25}}\b{_FEE_WORD})"
)
_RHETORICAL = _rx(
    r"\b(?:why\s+not|why\s+don'?t|can'?t\s+we|cannot\s+we|couldn'?t\s+we|shouldn'?t\s+we"
    r"|wouldn'?t\s+it|won'?t\s+you|don'?t\s+you|isn'?t\s+it|por\s+qu[eé]\s+no|por\s+que\s+n[aã]o"
    r"|pourquoi\s+(?:ne|pas)|warum\s+nicht|почему\s+бы|почему\s+не|perch[eé]\s+non"
    r"|n'h[eé]sit\w*|no\s+dudes|não\s+hesite|не\s+стесняй\w*|не\s+через)\b"
)
_CONTRAST = _rx(r"\b(?:but|however|instead|rather|pero|sino|mas|mais|aber|sondern|но|а|ma)\b")
_WARNING = _rx(
    r"\b(?:beware|warn\w*|scam\w*|fraud\w*|phish\w*|report\w*|suspicious|reminder|remind\w*"
    r"|unprotected|not\s+protected|protection|violat\w*|terms\s+of\s+(?:service|use)|tos"
    r"|policy|policies|rules?|suspend\w*|banned|estafa\w*|golpe\w*|fraude|arnaque\w*"
    r"|escroquer\w*|betrug\w*|betr[uü]ger\w*|мошенни\w*|развод\w*|truffa\w*|нарушени\w*"
    r"|правил\w*|reglas|regras|r[eè]gles|regeln)\b"
)
_MEDIATED_BEFORE = _rx(
    r"\b(?:withdraw\w*|payouts?|withdrawal|release\w*|escrow|fund(?:ed|ing)?|top\s?up"
    r"|pays?\s+(?:you|me|us)\s+out|paid\s+out|pay\s*out\w*"
    r"|retir\w+|saque|sacar|auszahl\w*|вывод\w*|вывест\w*|retrait)\b[^.!?\n]{0,40}$"
)
_MEDIATED = _rx(
    r"\b(?:through|via|on|in|within|inside|using|thru|over)\s+(?:the\s+|this\s+)?(?:platform"
    r"|marketplace|escrow|site)\b|\bescrow\b|\bpayout\s+(?:method|settings)"
    r"|\bwithdraw\w*|\bdentro\s+de\s+la\s+plataforma|\bpela\s+plataforma|\bna\s+plataforma"
    r"|\bpor\s+la\s+plataforma|\bvia\s+la\s+plateforme|\bsur\s+la\s+plateforme|\b[uü]ber\s+die"
    r"\s+plattform|\bauf\s+der\s+plattform|\bчерез\s+(?:платформ|сайт|биржу)\w*"
    r"|\bsulla\s+piattaforma|\btramite\s+la\s+piattaforma"
    # paid out *from* the platform: "llega directo a mi cuenta desde la plataforma"
    r"|\bdesde\s+la\s+plataforma|\bda\s+plataforma|\bde\s+la\s+plateforme"
    r"|\bvon\s+der\s+plattform|\bdalla\s+piattaforma|\bfrom\s+the\s+platform"
    # found by probe2: Indonesian, Polish, Turkish, Arabic "through the platform"
    r"|\b(?:lewat|melalui|via)\s+(?:platform|aplikasi)|\bprzez\s+platform\w*"
    r"|\bplatform\s+[uü]zerinden|عبر\s+المنصة|من\s+خلال\s+المنصة"
)
_CONTRAST_AFTER = _rx(
    r"[\s,]*(?:rather\s+than|instead\s+of|and\s+not|not|en\s+lugar\s+de|em\s+vez\s+de"
    r"|au\s+lieu\s+de|statt|вместо|а\s+не)\b"
)
_PLATFORM_REF = _rx(
    r"\b(?:par|sur|via|through|thru|on|off|outside|pela|pelo|por|[uü]ber|auf|durch|au[sß]erhalb"
    r"|hors|dehors|de|of|in|bypass\w*|around|fuori|fuera|fora|do|da|dal|dalla|del|della|du|des"
    r"|vom|von|dem|der|die|the|le|la|o|a|el|this|ce|este|esta|esse|essa|su|sulla|na|no|en)"
    r"(?:\s+(?:the|le|la|o|a|el|die|der|dem|this|ce|este|esta|esse|essa))?"
    r"\s+(?:site|website|platform|plataforma|plateforme|plattform|app|marketplace|sitio|sito"
    r"|piattaforma)\b"
)
_PLATFORM_PAYS = _rx(
    r"(?:'s)?\s+(?:will\s+|then\s+|just\s+|also\s+)?(?:pays?|paid|releases?|released|transfers?"
    r"|sends?|deposits?|handles?|holds?|keeps?)\b"
)
_BUT = _rx(r"\b(?:but|however|though|pero|mas|mais|aber|но|ma|però)\b")
_HERE = _rx(
    r"\b(?:here|aqu[ií]|ici|hier|здесь|qui)\b[^.!?\n]{0,30}\b(?:through|via|goes|go|stays?"
    r"|everything|all|todo|tudo|tout|alles|вс[её]|tutto)\b"
)
_ALL_WORD = _rx(
    r"\b(?:everything|all|only|always|todo|todos|tudo|tout|toujours|alles|immer|nur|вс[её]"
    r"|только|всегда|tutto|sempre|solo|seulement|somente|apenas|sirf)\b"
)
_VIA_WORDS = ("through", "via", "on", "in", "using", "pela", "por", "über", "sur", "auf")
_VIA_PLATFORM_AFTER = _rx(
    r"\s*(?:to\s+(?:your|my)\s+)?(?:through|via|on|in|into|using|within)\s+(?:the\s+|this\s+)?"
    r"(?:platform|site|escrow|app|marketplace|here)\b|\s*here\b"
)
_CLAUSE_CUT = re.compile(r"[.!?;,:\n]|\s(?:or|but|ou|o|oder|или|но|mais|pero|mas|ma)\s")
_OFF_CUE = _rx(
    r"\b(?:instead\s+of|rather\s+than|outside|off[\s-]+(?:the\s+)?(?:platform|site)|directly"
    r"|bypass\w*|avoid\w*|skip\w*|fuera|por\s+fora|dehors|au[sß]erhalb|напрямую|вне|мимо"
    r"|обход\w*|en\s+lugar\s+de|em\s+vez\s+de|au\s+lieu\s+de|statt|вместо)\b"
)
_VIA_WORD = _rx(
    r"\b(?:through|via|on|in|using|thru|pela|pelo|por|[uü]ber|sur|auf|durch|через|tramite"
    r"|within|inside)\s+(?:the\s+)?$"
)
_CONTRASTED = _rx(
    r"\b(?:than|instead\s+of|not|outside|off|bypass\w*|without|sin|sem|sans|ohne|без|вне"
    r"|мимо|no|nicht|pas|fuera|fora|dehors|au[sß]erhalb|fuori)\b[^.!?\n]{0,4}$"
)
_PLATFORM_WORDS = frozenset(
    [
        "platform",
        "platforms",
        "plataforma",
        "plateforme",
        "plate-forme",
        "plattform",
        "piattaforma",
        "site",
        "website",
        "marketplace",
        "app",
        "system",
        "escrow",
        "upwork",
        "fiverr",
        "freelancer",
        "toptal",
        "peopleperhour",
        "guru",
        "workana",
        "99designs",
        "malt",
        "kwork",
        "fl.ru",
        "freelancer.com",
        "them",
        "here",
        "aplikasi",
        "platformu",
    ]
) | {
    fold_chars(w)
    for w in (
        *("платформы", "платформу", "платформа", "сайта", "сайт", "биржи"),
        *("platforma", "platformą", "platformy", "platformę", "platformie", "serwisu", "aplikacji"),
    )
}
_OFF_MONEY = _rx(
    rf"\b(?:{_MONEY_VERBS}|fees?|commission\w*|comisi\w*|comiss\w*|taxa|frais|geb[uü]hr\w*"
    r"|provision\w*|комисси\w*|cheaper|save|saving|deal|work|job|project|projects|contract"
    r"|potongan|biaya|komisi"
    r"|hire|trabaj\w*|trabalh\w*|travail\w*|arbeit\w*|работ\w*|сделк\w*|zakaz|kaam|paise)\b"
    r"|[$€£₹₽%]"
    # Arabic payment words, often behind a prefix letter ("والدفع", "بتحويل")
    r"|الدفع|دفع|تحويل|حوالة|فلوس|مبلغ|عمولة|العمولة|حسابي|البنكي"
    r"|पेमेंट|भुगतान|पैस|फीस|शुल्क|कमीशन|भेज"
)
_AVOID = _rx(
    r"\b(?:avoid\w*|skip\w*|bypass\w*|dodg\w*|escap\w*|evad\w*|circumvent\w*|get\s+around"
    r"|go\s+around|cut\s+out|save|saving|saves|without|no|zero|sin|sem|evit\w*|ahorr\w*"
    r"|economiz\w*|poupar|[ée]viter|[ée]conomis\w*|sans|ohne|umgehen|sparen|vermeiden|без"
    r"|избежать|сэкономи\w*|обойти|экономи\w*|senza|evitare|risparmi\w*|bach\w*|bina|pas\s+de"
    r"|aucun\w*|kein\w*|nenhum\w*|nenhuma|ning[uú]n\w*|ninguna"
    r"|bez|unikn\w*|omin\w*|[oö]dememek|vermemek|olmadan|tanpa|gak\s+kena|nggak\s+kena"
    r"|tidak\s+kena|tak\s+kena|hindari|menghindari"
    r"|ga\s+kena|لتجنب|تجنب|بدون)\b"
    r"[^.!?\n]{0,30}$"
)
_AVOID_STRONG = _rx(
    r"\b(?:avoid\w*|skip\w*|bypass\w*|dodg\w*|escap\w*|evad\w*|circumvent\w*|get\s+around"
    r"|go\s+around|cut\s+out|evit\w*|[ée]viter|umgehen|vermeiden|избежать|обойти|evitare"
    r"|bachane|bachao|bachega|bach\s+jay\w*)\b[^.!?\n]{0,30}$"
)
_AVOID_AFTER = _rx(
    r"^[^.!?\n]{0,20}\b(?:we|you|i|both)\s+(?:\w+\s+)?(?:save|avoid|skip|keep)\b"
    r"|^\s*(?:bach\w*|sparen|umgehen|сэкономи\w*|kyu?n\s+(?:de|bhar)\w*)\b"
)
_FEE_OWNER = _rx(
    r"\b(?:platform|plataforma|plateforme|plattform|piattaforma|site|service|marketplace"
    r"|their|its|escrow|платформ\w*|сайт\w*|биржи|directly|direct|direkt|directamente"
    r"|diretamente|directement|напрямую|outside|fuera|fora|dehors|au[sß]erhalb|вне|both"
    r"|ambos|nous\s+deux|beide|langsung|do[gğ]rudan|bezpo[sś]rednio|poza|luar)\b|%"
)
_CASH_AFTER_NOT = re.compile(r"^\s*(?:flow|back|register|prize|reward|out|machine|in\b(?!\s+hand))")
_CASH_CONTEXT = _rx(
    r"\b(?:pay|paid|payment|pagar|pago|payer|paiement|zahl\w*|bezahl\w*|оплат\w*|плат\w*"
    r"|geben|gibst|rest|balance|remaining|resto|reste|остаток"
    r"|in\s+hand|when\s+we\s+meet|on\s+delivery|en\s+mano|em\s+m[aã]os|на\s+руки)\b"
)
_CARD_BEFORE = _rx(
    # the speaker's own card ("to my debit card", "a mi tarjeta", "auf meine Karte"); Russian
    # "на карту" / "по номеру карты" is the idiom of a person-to-person card transfer by itself
    r"\b(?:to|on|onto|into|a|en|na|no|sur|auf|in|sulla)\s+(?:my|mi|meu|minha|ma|mon|meine"
    r"|la\s+mia)\s+(?:\w+\s+)?$"
    r"|(?:^|\s)(?:на|по)\s+(?:мою\s+|вашу\s+|твою\s+|номеру\s+|номер\s+)?(?:\w+\s+)?$"
    r"|\bномер\w*\s+$"
)
_CARD_LAST_DIGITS = re.compile(r"\s+(?:ending|ends|last\s+(?:4|four)|terminating|que\s+termina)")
_GIFT_INTENT = _rx(
    r"\b(?:pay\w*|paid|send|sent|buy|get|give|gift|codes?|as\s+payment|instead|accept\w*"
    r"|prefer\w*|in|with|using|via|pago|pag\w+|envi\w*|mand\w*|compr\w*|payer|envoy\w*|zahl\w*"
    r"|schick\w*|оплат\w*|плат\w*|скин\w*|отправ\w*|куп\w*|код\w*)\b"
)
_HANDLE = (
    r"(?:[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+|@[a-z0-9_.\-]{2,30}|\$[a-z][a-z0-9_]{1,19}"
    r"|\+?[0-9][0-9 ()\-.]{6,16}[0-9])"
)
_HANDLE_AFTER = _rx(
    r"(?:\s|[:=\-–—>(\[]|\b(?:is|es|é|est|ist|это|id|account|acct|e-?mail|mail|handle"
    r"|username|user|tag|number|phone|tel|mobile|nr|no|to|at|on|al|a|o|the|el|la|para|pra"
    r"|pro|an|à|на|по|номер\w*"
    r"|телефон\w*|cuenta|conta|compte|konto|address|details|me|my|mi|meu|mon|mein|use|send"
    r"|meine[mnr]?|mes|minha|mio|mia|n[uú]mero|num[ée]ro|nummer|\w+nummer|m[oó]vil|celular"
    r"|telefone|tel[eé]fono|portable|cellulare|handy|cel|cell|mobil|whats\s?app|de|do|da|di"
    r"|pay|au|aux|am|auf|unter|under|find|findest|du|mich|chez|sur|here|aqui|aquí|ici|hier"
    r"|it's|its|it|s|karo|kar|do|kardo|pe|par|per"
    # found by probe2: Swedish, Polish, Turkish, Indonesian ("swisha till", "BLIK na telefon")
    r"|till|na|m[oó]j|moje|telefon|telefonu|numer|numeru|numaram|nomor|revtag)\b\.?)*"
    rf"({_HANDLE})(?![\w@])"
)
_HANDLE_BEFORE = _rx(
    rf"(?<![\w@.]){_HANDLE}\s*[(\-—–,:]?\s*(?:(?:on|via|through|thru|by|per|por|pelo|pela|par"
    r"|über|через|в|на|is\s+my|es\s+mi|é\s+meu|for|\()\s*)?$"
)
_PAYLINK_AFTER = re.compile(
    r"\s*(?:\.|\bdot\b|\(dot\)|\[dot\])\s*(?:me\s*(?:/|\bslash\b)|com/(?:[a-z]{2}/)?paypalme/)"
)
_ZELLE_CELL = re.compile(r"\s*(?:[a-z]{1,2}[0-9]|enth|zeig|format|markier)")
_ZELLE_CELL_BEFORE = re.compile(r"\b(?:der|die|jede|eine|einer|diese|dieser|in)\s+$")
_SENTENCE_AHEAD = re.compile(r"[.!?;]\s|\n")
_SENTENCE_BACK = re.compile(r"\s[.!?;]|\n")  # searched in the reversed text before an anchor
_CLAUSE_MARK = re.compile(r"[.!?;,:\n]")
# The Russian words of _NEGATION and _CONTRAST, folded (their folded forms can be Latin words).
_RUSSIAN_WORDS = frozenset(fold_chars(w) for w in ("не", "нет", "нельзя", "никогда", "но", "а"))


@lru_cache(maxsize=64)
def _platform_names(domains: tuple[str, ...]) -> frozenset[str]:
    """ "gigbridge" for gigbridge.io / app.gigbridge.io: the platform's own name."""
    names = set()
    for domain in domains:
        labels = domain.lower().strip(".").split(".")
        if len(labels) >= 2:
            names.add(labels[-2])
            names.add(".".join(labels[-2:]))
    return frozenset(names)


class _Context:
    """The text around one anchor: its sentence, the 60 characters before and after it, and
    the tests (negation, warning, mediation, work subject) run on them."""

    def __init__(
        self, doc: ScanDoc, start: int, end: int, memo: dict[tuple[int, str], bool] | None = None
    ) -> None:
        self.doc = doc
        self.memo = {} if memo is None else memo  # sentence-level answers, shared per text
        self.text = doc.folded.text
        self.start = start
        self.end = end
        text = self.text
        lo = max(0, start - 160)
        hi = min(len(text), end + 160)
        back = (
            _SENTENCE_BACK.search(text[start - 1 : lo - 1 if lo else None : -1]) if start else None
        )
        self.s_lo = start - back.start() if back else lo
        ahead = _SENTENCE_AHEAD.search(text, end, hi)
        self.s_hi = ahead.start() + 1 if ahead else hi
        self.before = text[max(self.s_lo, start - 60) : start]
        self.after = text[end : min(self.s_hi, end + 60)]
        self.sentence = text[self.s_lo : self.s_hi]

    def clause_before(self) -> str:
        marks = list(_CLAUSE_MARK.finditer(self.before))
        return self.before[marks[-1].end() :] if marks else self.before

    def negated(self) -> bool:
        """A negation in the anchor's clause, before it, not undone by a contrast word."""
        clause = self.clause_before()
        offset = self.start - len(clause)
        negation = None
        for found in _NEGATION.finditer(self.text, offset, min(len(self.text), self.end + 30)):
            if found.start() >= self.start:
                break
            if (
                found[0] in {"no", "na"}
                and not self.text[found.end() : self.start].strip()
                and self.text[offset : found.start()].strip()
            ):
                continue  # "me paga no Pix": the Portuguese preposition, not a refusal
            if self.real(found.start(), found.end()):
                negation = found
        if negation is None:
            return False
        if _RHETORICAL.search(self.before):
            return False
        return not any(
            self.real(c.start(), c.end())
            for c in _CONTRAST.finditer(self.text, negation.end(), self.start)
        )

    def real(self, start: int, end: int) -> bool:
        """Whether a matched word is in the language it was written for.

        The folded text writes Russian "не" as "he" and "но" as "ho": a Russian word must come
        from Cyrillic letters and a Latin-script word from Latin ones.
        """
        s, e = self.doc.folded.span(start, end)
        cyrillic = any("\u0400" <= c <= "\u04ff" for c in self.doc.text[s:e])
        return cyrillic == (self.text[start:end] in _RUSSIAN_WORDS)

    def sentence_test(self, name: str, regex: re.Pattern[str]) -> bool:
        key = (self.s_lo, name)
        answer = self.memo.get(key)
        if answer is None:
            answer = self.memo[key] = bool(regex.search(self.sentence))
        return answer

    def warned(self) -> bool:
        return self.sentence_test("warning", _WARNING)

    def personal(self) -> bool:
        """A payment verb aimed at a person somewhere in the sentence."""
        return self.sentence_test("personal", _PERSONAL)

    def intent(self) -> bool:
        return self.sentence_test("intent", _INTENT)

    def work(self) -> bool:
        """The sentence is about the work (checkout, shop, API, site, article, ...).

        "The site" meaning the platform itself ("pas besoin de passer par le site", "outside the
        site") is not the work: such phrases are blanked out first.
        """
        key = (self.s_lo, "work")
        answer = self.memo.get(key)
        if answer is None:
            # found by probe2: an e-mail address is a handle, not a topic ("...design@gmail.com")
            sentence = (
                _EMAIL_ADDRESS.sub(" ", self.sentence) if "@" in self.sentence else (self.sentence)
            )
            answer = bool(_WORK.search(sentence)) and bool(
                _WORK.search(_FEE_OF_SITE.sub(" ", _PLATFORM_REF.sub(" ", sentence)))
            )
            self.memo[key] = answer
        return answer

    def clause(self) -> str:
        """The clause around the anchor: cut at punctuation and at "or"/"but"."""
        text = self.text
        lo = max(self.s_lo, self.start - 120)
        head = text[lo : self.start]
        marks = list(_CLAUSE_CUT.finditer(head))
        begin = lo + marks[-1].end() if marks else lo
        tail = _CLAUSE_CUT.search(text, self.end, min(self.s_hi, self.end + 120))
        return text[begin : tail.start() if tail else min(self.s_hi, self.end + 120)]

    def mediated(self) -> bool:
        """The payment runs through the platform (escrow, payouts, "via GigBridge") and
        nothing in the sentence moves it off ("instead of", "outside", "directly")."""
        if self.sentence_test("off", _OFF_CUE):
            return False
        if _MEDIATED_BEFORE.search(self.before):
            return True
        clause = self.clause()
        for found in _MEDIATED.finditer(clause):
            if not _CONTRASTED.search(clause, max(0, found.start() - 14), found.start()):
                return True
        names = _platform_names(self.doc.context.own_domains)
        for name in names:
            index = clause.find(name)
            while index >= 0:
                head = clause[max(0, index - 24) : index]
                if _VIA_WORD.search(head) and not _CONTRASTED.search(head):
                    return True
                if _PLATFORM_PAYS.match(clause, index + len(name)):
                    return True  # "GigBridge pays you out to your PayPal"
                index = clause.find(name, index + 1)
        # "used to pay me by bank transfer, but here everything goes through GigBridge"
        rest = self.text[self.end : self.s_hi]
        but = _BUT.search(rest)
        if but is not None:
            tail = rest[but.end() :]
            if _HERE.search(tail):
                return True
            if not _ALL_WORD.search(tail):
                return False  # "pay me via PayPal, but keep the milestone on GigBridge"
            return bool(_MEDIATED.search(tail)) or any(
                _VIA_WORD.search(tail[max(0, i - 24) : i])
                for name in names
                for i in [tail.find(name)]
                if i >= 0
            )
        return False


# --- decisions ---------------------------------------------------------------------------------

_PREP_BEFORE = _rx(
    r"\b(?:via|through|thru|by|with|using|per|por|pelo|pela|par|über|mit|через|tramite|con|em"
    r"|in|on|into)\s+$"
)
_WIRE_OBJECT = re.compile(
    r"\s+(?:you|me|him|her|them|it|the\s+(?:money|funds|payment|rest|balance|deposit|amount)"
    r"|funds|money|payment|[$€£]|[0-9])"
)
_LYDIA_BEFORE = _rx(r"\b(?:par|via|sur|avec|with|on|by|en|un|une|mon|ton|votre|my|your)\s+$")
_PIX_PICTURES = re.compile(
    r"\b(?:send|sent|sending|post|posted|share|shared|upload\w*|attach\w*|some|more|few|these"
    r"|those|nice|great|cool|new|any|see|saw|check|the)\s+(?:me\s+|you\s+|us\s+)?"
    r"(?:the\s+|some\s+|a\s+few\s+)?$"
)
_PIX_KEY_AFTER = re.compile(r"^\s*(?:key|chave|:)")
_DIRECT_NOT = re.compile(
    r"^\s+(?:debit|message|messages|messaging|link|links|access|mail|chat|contact|line"
    r"|download|upload|competitor)"
)
_PRONOUN = _rx(
    r"\b(?:me|you|us|i|we|my|your|let'?s|te|le|moi|vous|toi|mir|dir|ihnen|мне|вам|тебе|ti|vi|mujhe"
    r"|mim|m[ií]|comigo|conmigo"
    r"|aapko|tumhe|aku|saya|kamu|anda|kak|kakak|mnie|ci|bana|size|sana|mere|mera|meri"
    r"|hesab[ıi]ma|hesab[ıi]m|لي|حسابي|मुझ|मेर|आपक)\b"
)
_SKIP_OBJECT = _rx(r"\s+(?:the\s+|this\s+|la\s+|le\s+|a\s+|o\s+|die\s+|den\s+|das\s+)?([\w.\-]+)")
_DIRECT_NOUN_AFTER = re.compile(r"^\s+(?:payment|payments|pay|deal|transfer|transaction)")
_CUT_OWNER = re.compile(r"\b(?:their|its|platform'?s?|site'?s?|[0-9]+\s?%)\s*$")


def _brand(ctx: _Context, canonical: str, strict: bool, raw: str) -> tuple[int, int, float] | None:
    """(start, end, confidence) if this channel mention is offered as the way to pay."""
    text = ctx.text
    start, end = ctx.start, ctx.end
    if not _brand_plausible(ctx, canonical, raw):
        return None
    if _ATTACHED_WORK_AFTER.match(ctx.after) or _WORK_BEFORE.search(ctx.before):
        return None
    handle = _HANDLE_AFTER.match(text, end, min(len(text), end + 50))
    if handle and not _is_price(handle[1]):
        return start, handle.end(1), 0.95
    handle_before = _HANDLE_BEFORE.search(text, max(0, start - 50), start)
    if handle_before and not _is_price(handle_before[0]):
        return handle_before.start(), end, 0.95
    obfuscated = _obfuscated(canonical, raw)
    near = text[max(ctx.s_lo, start - 60) : min(ctx.s_hi, end + 50)]
    if canonical == "bankword":  # the bare word: only "pay me ... by bank", "via bank"
        if not (_PERSONAL.search(near) or _PREP_BEFORE.search(ctx.before)):
            return None
        if not _PAY_RX.search(near) or ctx.work() or ctx.negated() or ctx.mediated():
            return None
        return start, end, 0.8
    if _PERSONAL.search(near) if strict else ctx.personal():
        confidence = 0.9
    elif ctx.work():
        return None
    elif (_STRONG_BEFORE_STRICT if strict else _STRONG_BEFORE).search(ctx.before) or (
        _STRONG_AFTER.match(ctx.after)
    ):
        confidence = 0.9 if obfuscated else 0.85
    elif strict:
        if not (_PREP_BEFORE.search(ctx.before) and _PAY_RX.search(ctx.sentence)):
            return None
        confidence = 0.8
    elif obfuscated or ctx.intent():
        confidence = 0.8 if obfuscated else 0.7
    else:
        return None
    if ctx.negated() or ctx.warned() or ctx.mediated():
        return None
    return start, end, confidence


def _brand_plausible(ctx: _Context, canonical: str, raw: str) -> bool:
    """Per-name guards: the word is used as that channel's name at all."""
    text, end = ctx.text, ctx.end
    if canonical == "paypal":
        return not _PAYLINK_AFTER.match(text, end)  # paypal.me/<handle>: the handles detector's
    if canonical == "zelle":
        return not (_ZELLE_CELL.match(text, end) or _ZELLE_CELL_BEFORE.search(ctx.before))
    if canonical == "wise":
        s, e = ctx.doc.folded.span(ctx.start, end)
        written = ctx.doc.text[s:e]
        return raw.startswith("transfer") or written in {"Wise", "WISE"}
    if canonical == "bank" and raw in {"wire", "wired"}:
        return bool(_WIRE_OBJECT.match(text, end))
    if canonical == "lydia":
        return bool(_LYDIA_BEFORE.search(ctx.before) or _HANDLE_AFTER.match(text, end, end + 50))
    if canonical == "pix":
        return not _PIX_PICTURES.search(ctx.before) or bool(_PIX_KEY_AFTER.match(ctx.after))
    return True


def _obfuscated(canonical: str, raw: str) -> bool:
    """Spelled so as to dodge a filter ("p@ypal", "pay pal", "paypai", "u p i", "blue p")."""
    if canonical == "paypal":
        return raw != "paypal"
    if canonical == "upi":
        return raw != "upi"
    if canonical in {"venmo", "zelle", "revolut", "payoneer"}:
        return not raw.isalpha() or raw == "zellee"
    return False


def _is_price(handle: str) -> bool:
    digits = re.sub(r"[^0-9]", "", handle)
    return handle[0].isdigit() and (len(digits) < 7 or "." in handle[-3:])


def _off_platform(ctx: _Context, name: str, raw: str) -> tuple[int, int, float] | None:
    """(start, end, confidence) if this phrase proposes paying outside the platform."""
    if name in {"outside", "off", "bypass", "around"}:
        found = _outside(ctx, name, raw)
    elif name == "skip":
        found = _skip(ctx)
    elif name == "between":  # "let's settle the payment between us"
        found = (ctx.start, ctx.end, 0.85) if _PAY_RX.search(ctx.sentence) else None
    elif name == "offline":  # "take the payment offline", "pay offline"
        near = ctx.text[max(ctx.s_lo, ctx.start - 40) : ctx.end + 20]
        found = (ctx.start, ctx.end, 0.85) if _PAY_RX.search(near) else None
    elif name == "offside":  # "por fora", "nicht über die Plattform": off by themselves
        found = (ctx.start, ctx.end, 0.9) if ctx.sentence_test("money", _OFF_MONEY) else None
    elif name == "direct":
        found = _direct(ctx, raw)
    elif name == "fee":
        found = _fee(ctx, raw)
    else:
        found = None
    if found is None or ctx.warned() or ctx.negated():
        return None
    return found


def _outside(ctx: _Context, name: str, raw: str) -> tuple[int, int, float] | None:
    last = re.split(r"\s+", raw.strip())[-1].strip(".-'")
    names = _platform_names(ctx.doc.context.own_domains)
    if name == "bypass":
        platform_ok = True
    elif raw in {"bahar", "baahar"}:
        platform_ok = any(w in ctx.before for w in ("platform", "site", "app"))
    else:
        platform_ok = last in _PLATFORM_WORDS or last in names
        if name == "around":
            platform_ok = (platform_ok and last != "here") or last in {"fee", "fees", "commission"}
    if not platform_ok or not ctx.sentence_test("money", _OFF_MONEY):
        return None
    return ctx.start, ctx.end, 0.9


def _skip(ctx: _Context) -> tuple[int, int, float] | None:
    """ "skip GigBridge", "avoid the platform", "cut out the middleman" (with money around)."""
    after = _SKIP_OBJECT.match(ctx.after)
    if after is None:
        return None
    word = after[1]
    names = _platform_names(ctx.doc.context.own_domains)
    if word not in _PLATFORM_WORDS and word not in names and not word.startswith("middle"):
        return None
    if not ctx.sentence_test("money", _OFF_MONEY):
        return None
    return ctx.start, ctx.end + after.end(), 0.9


def _direct(ctx: _Context, raw: str) -> tuple[int, int, float] | None:
    if _DIRECT_NOT.match(ctx.after) or _direct_mediated(ctx):
        return None
    near = ctx.text[max(ctx.s_lo, ctx.start - 50) : min(ctx.s_hi, ctx.end + 40)]
    if not _PAY_RX.search(near):
        return None
    personal = _PERSONAL.search(near)
    if personal or ctx.sentence_test("pronoun", _PRONOUN) or _DIRECT_NOUN_AFTER.match(ctx.after):
        if _WORK.search(_PLATFORM_REF.sub(" ", near)) and not personal:
            return None
        return ctx.start, ctx.end, 0.85
    return None


def _direct_mediated(ctx: _Context) -> bool:
    """ "pay directly through GigBridge", "paid directly into escrow": the platform's own way."""
    near = ctx.text[ctx.end : min(ctx.s_hi, ctx.end + 40)]
    if _CONTRAST_AFTER.match(near):
        return False  # "directly rather than through the site"
    if _MEDIATED.search(near) or _VIA_PLATFORM_AFTER.match(near):
        return True
    names = _platform_names(ctx.doc.context.own_domains)
    return any(f"{word} {name}" in near for name in names for word in _VIA_WORDS)


def _fee(ctx: _Context, raw: str) -> tuple[int, int, float] | None:
    if raw == "cut" and not _CUT_OWNER.search(ctx.before):
        return None
    strong = _AVOID_STRONG.search(ctx.before)
    weak = _AVOID.search(ctx.before)
    after = _AVOID_AFTER.match(ctx.after)
    if not (strong or weak or after):
        return None
    if not strong and not ctx.sentence_test("owner", _FEE_OWNER):
        return None
    if ctx.work() and not ctx.personal():
        return None  # an "Avoid fees" toggle in the app is the work
    if ctx.mediated() and not ctx.sentence_test("owner", _FEE_OWNER):
        return None
    verb = strong or weak
    start = ctx.start - len(ctx.before) + verb.start() if verb else ctx.start
    return start, ctx.end, 0.9


# "just send the code": the gift card's code, not source code (which would make it the work).
_GIFT_CODE = _rx(
    r"\b(?:send|sent|give|share|text|email|mail)\s+(?:me\s+|us\s+)?(?:the\s+|a\s+|its\s+)?"
    r"(?:card\s+)?codes?\b"
)


def _gift(ctx: _Context) -> tuple[int, int, float] | None:
    if ctx.negated() or ctx.warned() or ctx.mediated():
        return None
    personal = ctx.personal()
    if ctx.work() and not personal and _WORK.search(_GIFT_CODE.sub(" ", ctx.sentence)):
        return None
    if not _GIFT_INTENT.search(ctx.sentence):
        return None
    if personal or _STRONG_BEFORE.search(ctx.before):
        return ctx.start, ctx.end, 0.9
    return ctx.start, ctx.end, 0.7


def _card(ctx: _Context, raw: str) -> tuple[int, int, float] | None:
    explicit = raw.startswith("card") and ("to" in raw or "transfer" in raw)
    if _CARD_LAST_DIGITS.match(ctx.after):
        return None  # "the card ending in 4821": a receipt, not a transfer
    if not explicit and not (
        _CARD_BEFORE.search(ctx.clause_before()) and _PAY_RX.search(ctx.sentence)
    ):
        return None
    if ctx.negated() or ctx.warned() or ctx.mediated():
        return None
    if ctx.work() and not ctx.personal():
        return None
    return ctx.start, ctx.end, 0.85


def _cash(ctx: _Context, raw: str) -> tuple[int, int, float] | None:
    if raw == "cash" and _CASH_AFTER_NOT.match(ctx.after):
        return None
    if not _CASH_CONTEXT.search(ctx.sentence):
        return None
    if ctx.negated() or ctx.warned() or ctx.mediated():
        return None
    if ctx.work() and not ctx.personal():
        return None
    return ctx.start, ctx.end, 0.8


# --- the detector ------------------------------------------------------------------------------


def relevant(doc: ScanDoc) -> bool:
    """A necessary condition (scanning.gate): `_detect` judges only anchors of a family other
    than "x" (the "x" anchors are context words other detectors read)."""
    try:
        return any(name.partition(":")[0] != "x" for name in keyword_names(doc))
    except Exception:  # a gate never breaks a scan: let `detect` decide
        return True


def detect(doc: ScanDoc) -> Iterator[Finding]:
    """Payment channels offered as the way to pay, and off-platform payment proposals."""
    try:
        yield from _detect(doc)
    except Exception:  # the contract: a detector never breaks a scan
        log.exception("payments detector failed on part %s", doc.part)


def _detect(doc: ScanDoc) -> Iterator[Finding]:
    text = doc.folded.text
    last_end = -1
    memo: dict[tuple[int, str], bool] = {}
    # The same anchor in the same surroundings gets the same answer: repeated boilerplate (and
    # word soup) is judged once. Keyed by the anchor name and the 80 characters on each side.
    decided: dict[tuple[str, str, int], tuple[str, tuple[int, int, float] | None]] = {}
    for judged, (hit_start, hit_end, name, raw) in enumerate(keyword_hits(doc)):
        if judged >= MAX_JUDGED:
            break  # a text made of payment words: the first MAX_JUDGED settle it
        family, _, rest = name.partition(":")
        if family == "x":
            continue
        key = (name, text[max(0, hit_start - 80) : hit_end + 80], min(hit_start, 80))
        if key in decided:
            kind, relative = decided[key]
            result = None
            if relative is not None:
                result = (hit_start + relative[0], hit_start + relative[1], relative[2])
        else:
            kind, result = _judge(_Context(doc, hit_start, hit_end, memo), family, rest, raw)
            relative = None
            if result is not None:
                relative = (result[0] - hit_start, result[1] - hit_start, result[2])
            decided[key] = (kind, relative)
        if result is None:
            continue
        start, end, confidence = result
        if end <= last_end and kind == "payment_service":
            continue  # the same handle already reported with the channel before it
        last_end = max(last_end, end)
        s, e = doc.folded.span(start, end)
        yield make_finding("payment", kind, doc.text[s:e], s, e, doc.part, confidence, NAME)


def _judge(
    ctx: _Context, family: str, rest: str, raw: str
) -> tuple[str, tuple[int, int, float] | None]:
    """The finding kind of an anchor family, and the finding's span and confidence (or None)."""
    if family == "b":
        canonical, _, strict = rest.partition(":")
        return "payment_service", _brand(ctx, canonical, strict == "1", raw)
    if family == "o":
        return "off_platform_payment", _off_platform(ctx, rest, raw)
    if family == "g":
        return "gift_card", _gift(ctx)
    if family == "c":
        return "payment_service", _card(ctx, raw)
    if family == "k":
        return "off_platform_payment", _cash(ctx, raw)
    if family == "z":
        kind = "off_platform_payment" if rest == "off" else "payment_service"
        return kind, _cjk(ctx, rest)
    return "", None
