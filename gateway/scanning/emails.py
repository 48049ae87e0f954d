"""Detector for e-mail addresses written in the content, plain or obfuscated.

Guideline section 2, item 1. Matching runs on the address view (spelled.address_view), where
"(at)", "[dot]", " at ", "at the rate", "arroba", "arobase", "собака", "%40", spaced letters
and spaced "@" are already written plainly, and homoglyphs, fullwidth forms and zero-width
characters are folded away (normalize.fold); spans map back to the original text. Also found:
a provider plus a user name ("my gmail is marco.rinaldi88", "hotmail: x_y", "anna.k at gmail",
"моя почта на Яндексе — ivan.petrov").

Decision (guideline 5): a real address is contact even when it is the client's business address
written into the work ("show info@client-shop.com on the contact page"); configure the client's
domain as a work domain to exempt it.

Not findings: the platform's own domains and configured work domains (and their subdomains),
the thread's relay addresses, reserved documentation domains (example.com, *.test, ...),
no-reply addresses, git SSH remotes (git@github.com:...), "logo@2x.png"-style file names,
``cid:`` references, and UPI IDs (``name@okhdfcbank``, ``name@ybl``: no dotted domain) which the
payment detectors report. A bare " at " ("I work at google.com") needs more than the shape:
a user name that is not an ordinary word, a known mail provider, a spelled "dot", or a mail
word ("email", "correo", ...) just before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gateway.context import Finding
from gateway.scanning import domains
from gateway.scanning.document import ScanDoc, make_finding
from gateway.scanning.spelled import (
    View,
    address_view,
    at_possible,
    folded_pattern,
    fw,
    tokens,
)

NAME = "emails/2"

_LOCAL_CHARS = frozenset("._+%'~-")
# _LOCAL_CHARS or a letter or digit (`\w` is str.isalnum() or "_"), any number of them.
_LOCAL_RUN = re.compile(r"[\w.+%'~-]*")
_DOMAIN = re.compile(r"(?:[^\W_][\w-]{0,62}\.)+[a-z]{2,24}(?![\w-]|\.[^\W_])")
_NO_REPLY = re.compile(r"^(?:no-?reply|do-?not-?reply|donotreply|mailer-daemon|bounces?)\b")

# Words that are not a user name in "<word> at <domain>" ("I work at google.com").
_STOP_LOCAL = frozenset(
    """me us you him her them it is am are be was were we i they he she work works worked
    working look looking looked available reach reached contact email mail write find found here
    there based live lives living stay staying arrive arrived located meet meeting see seen
    also now then only just still even already office home job employed employee intern engineer
    developer designer manager lead team job jobs someone anyone everyone people hired started
    start joined join apply applied studying study studied teach teaching taught site page link
    him, and or but not no yes so too very good great fine ok okay right left up down out in on
    an a the this that these those my your our their his its what who where when how why which
    price prices priced sold sell selling buy bought available time times book booked booking
    visit visiting check go going went come coming see look find hosted host hosting deployed
    deploy live launched published listed registered signed""".split()
)
_MAIL_WORDS = re.compile(
    folded_pattern(
        r"e-?mail|mail|correo|courriel|почт|contact|reach|write|écri|ecri|escr|schreib|"
        r"kontakt|contato|contacto|adres|address|dirección|direccion|endereço|endereco"
    )
)

_PROVIDERS = (
    "gmail",
    "googlemail",
    "hotmail",
    "outlook",
    "yahoo",
    "ymail",
    "icloud",
    "protonmail",
    "proton",
    "gmx",
    "yandex",
    "mail.ru",
    "aol",
    "zoho",
    "rediffmail",
    "libero",
    "tutanota",
    "fastmail",
    "qq",
    "naver",
    *(
        fw(w)
        for w in "яндекс яндексе яндекса яндексу яндексом гмейл гмейле джимейл джимейле".split()
    ),
)
_PROVIDER_AT = {p: i for i, p in enumerate(_PROVIDERS)}
# Each provider with the word that must be among the document's words ("mail" for mail.ru).
_PROVIDER_WORDS = tuple((p, p.partition(".")[0]) for p in _PROVIDERS)
_PROVIDER_NAMES = frozenset(name for _, name in _PROVIDER_WORDS)
# "my gmail is marco.rinaldi88", "hotmail: x_y", "outlook — anna.k", "gmail id - marco88".
_PROVIDER_FORWARD = re.compile(
    folded_pattern(
        r"(?P<prov>gmail|googlemail|hotmail|outlook|yahoo|ymail|icloud|protonmail|proton|gmx|"
        r"yandex|mail\.ru|aol|zoho|rediffmail|libero|tutanota|fastmail|яндекс\w*|гмейл\w*|"
        r"джимейл\w*)"
        r"(?:[ \t]*(?:id|address|addr|account|acc|acct|user(?:name)?|handle|e-?mail|mail|"
        r"адрес|почта|ящик))?"
        r"[ \t]*(?:(?P<sep>[:=>\-–—]+|\bis\b|\bes\b|\bé\b|\be\b|\best\b|\bist\b|c'est|это|\bhai\b|"
        r"\bна\b)"
        r"[ \t]*)+(?P<user>[a-z0-9][a-z0-9._+-]{0,62}[a-z0-9])(?![\w@-]|\.[a-z])"
    )
)
# "anna.k at gmail", "marco88@gmail" (no top-level domain written).
_PROVIDER_BACKWARD = re.compile(r"(?P<user>[a-z0-9][a-z0-9._+-]{0,62}[a-z0-9])[ \t]*@[ \t]*$")
_USER_AT_WORD = re.compile(
    folded_pattern(r"(?P<user>[a-z0-9][a-z0-9._+-]{0,62}[a-z0-9])[ \t]+(?:at|arroba|собака)[ \t]+$")
)
_AT_WORD_ENDS = ("at", "arroba", folded_pattern("собака"))  # how _USER_AT_WORD ends
_SAME_NAME_ENDS = ("at", "@", "on", "in", "via")  # how _SAME_NAME_AT ends

# "same username as here, at gmail": the address is the sender's platform user name at a mail
# provider (the reader fills it in from the conversation); the phrase stands for the user part.
_SAME_NAME_AT = re.compile(
    r"\bsame[ \t]+(?:user[ \t]?name|username|handle|login|nick(?:name)?|name|id)[ \t]+"
    r"(?:as[ \t]+)?(?:here|on[ \t]+here|on[ \t]+(?:this|the)[ \t]+\w+|in[ \t]+my[ \t]+profile)"
    r"[ \t,;:.-]*(?:at|@|on|in|via)[ \t]*$"
)


def relevant(doc: ScanDoc) -> bool:
    """A necessary condition (scanning.gate): an "@" in the address view, written or from an
    "at" form, or a mail provider's name (the two ways `_detect` finds anything)."""
    return at_possible(doc) or not _PROVIDER_NAMES.isdisjoint(tokens(doc))


def detect(doc: ScanDoc) -> Iterator[Finding]:
    """Every e-mail address written in `doc`, plain or obfuscated, outside the allowed ones."""
    try:
        found = list(_detect(doc))
    except Exception:  # a detector never raises on any input
        return
    yield from found


def _detect(doc: ScanDoc) -> Iterator[Finding]:
    view = address_view(doc)
    text = view.text
    seen: list[tuple[int, int]] = []
    if "@" in text:
        for finding in _addresses(doc, view):
            seen.append((finding.start, finding.end))
            yield finding
    for finding in _provider_users(doc, view):
        if not any(s < finding.end and finding.start < e for s, e in seen):
            seen.append((finding.start, finding.end))
            yield finding


def _addresses(doc: ScanDoc, view: View) -> Iterator[Finding]:
    text = view.text
    ctx = doc.context
    own_addresses = {a.lower() for a in ctx.own_addresses}
    verdicts: dict[tuple, bool] = {}
    position = text.find("@")
    while position >= 0:
        at = position
        position = text.find("@", at + 1)
        domain_match = _DOMAIN.match(text, at + 1)
        if domain_match is None:
            continue
        limit = max(0, at - 64)
        # The run of local-part characters right before the "@" (at most 64): one regex match
        # on the reversed stretch instead of a loop over its characters.
        local_start = at - _LOCAL_RUN.match(text[limit:at][::-1]).end()
        if local_start == at:
            continue
        local = text[local_start:at]
        stripped = local.lstrip(".+%'~-")
        local_start += len(local) - len(stripped)
        local = stripped.rstrip(".")
        if not local or local.endswith(".") or ".." in local:
            continue
        domain = domain_match[0].rstrip(".")
        end = at + 1 + len(domain)
        kinds = view.kinds(local_start, end)
        # The verdict depends on the address, how it was written and the 40 characters before
        # it: a text repeating an address (quoted replies, signatures) judges it once.
        key = (local, domain, frozenset(kinds), text[max(0, local_start - 40) : local_start])
        ok = verdicts.get(key)
        if ok is None:
            ok = verdicts[key] = _acceptable(
                text, local_start, local, domain, kinds, ctx, own_addresses
            )
        if not ok:
            continue
        start, stop = view.span(local_start, end)
        if stop <= start:
            continue
        confidence = _confidence(kinds)
        yield make_finding(
            "contact", "email", doc.text[start:stop], start, stop, doc.part, confidence, NAME
        )


def _acceptable(
    text: str,
    local_start: int,
    local: str,
    domain: str,
    kinds: set[str],
    ctx,
    own_addresses: set[str],
) -> bool:
    host = domain.lower()
    if domains.is_allowed(host, ctx.own_domains, ctx.work_domains):
        return False
    if f"{local}@{host}" in own_addresses:
        return False
    if _NO_REPLY.match(local) or "noreply" in host or "no-reply" in host:
        return False
    if local == "git" and domains.is_work_link(host):
        return False  # git@github.com:team/repo.git
    before = text[max(0, local_start - 4) : local_start]
    if before.endswith("cid:"):
        return False
    obfuscated = bool(kinds - {"at_pct"})
    if not domains.tld_ok(host, strict=obfuscated):
        return False
    if not any(c.isalpha() for c in host.rpartition(".")[0]) and not host[0].isdigit():
        return False
    weak = kinds & {"at_weak"}
    if weak:
        plain_word = local.isalpha()
        if plain_word and local in _STOP_LOCAL:
            return False
        spelled_dot = bool(kinds & {"dot_word", "dot_bracket"})
        provider = host in domains.MAIL_PROVIDERS
        if not (spelled_dot or provider or not plain_word):
            window = text[max(0, local_start - 40) : local_start]
            if not _MAIL_WORDS.search(window):
                return False
    return True


def _confidence(kinds: set[str]) -> float:
    if not kinds or kinds <= {"at_pct"}:
        return 0.99
    if "at_weak" in kinds:
        return 0.9 if kinds & {"dot_word", "dot_bracket"} else 0.85
    if kinds & {"at_bracket", "dot_bracket", "spaced", "at_spaced"}:
        return 0.95
    return 0.9


_AT_WORD_AFTER = re.compile(r"@[ \t]*(\w+)")


def _provider_users(doc: ScanDoc, view: View) -> Iterator[Finding]:
    text = view.text
    names = _PROVIDER_NAMES & tokens(doc)
    if "@" in text:  # "marco88@gmail": the provider is glued to the user name
        names |= _PROVIDER_NAMES.intersection(m[1] for m in _AT_WORD_AFTER.finditer(text))
    if not names:
        return
    for provider, name in _PROVIDER_WORDS:
        if name not in names:
            continue
        position = text.find(provider)
        while position >= 0:
            at = position
            position = text.find(provider, at + 1)
            if at > 0 and (text[at - 1].isalnum() or text[at - 1] in "_"):
                continue
            after = at + len(provider)
            if after < len(text) and (text[after].isalnum() or text[after] == "_"):
                continue
            found = _forward(text, at) or _backward(text, at, after)
            if found is None:
                continue
            s, e, confidence = found
            start, stop = view.span(s, e)
            if stop > start:
                yield make_finding(
                    "contact",
                    "email",
                    doc.text[start:stop],
                    start,
                    stop,
                    doc.part,
                    confidence,
                    NAME,
                )


def _forward(text: str, at: int) -> tuple[int, int, float] | None:
    """'gmail: marco.rinaldi88' -> (start, end, confidence) in view positions."""
    m = _PROVIDER_FORWARD.match(text, at)
    if m is None:
        return None
    user = m["user"]
    if not any(c.isalpha() for c in user) or user in _STOP_LOCAL:
        return None
    if m.end() < len(text) and text[m.end()] == "@":
        return None  # a full address, found as one
    symbol_sep = any(c in m[0][len(m["prov"]) : m.start("user") - m.start()] for c in ":=>-–—")
    marked = any(c in user for c in "0123456789._")
    if not (marked or symbol_sep):
        return None
    if not marked and len(user) < 4:
        return None
    return at, m.end(), 0.85


def _backward(text: str, at: int, after: int) -> tuple[int, int, float] | None:
    """'anna.k at gmail', 'marco88@gmail' with no top-level domain written."""
    if after < len(text) and text[after] == "." and text[after + 1 : after + 2].isalpha():
        return None  # "@gmail.com": a full address, found as one
    window_start = max(0, at - 80)
    # Each pattern ends in its own words or "@", then blanks, at the provider (`$` may also
    # stand before a last newline): a text that does not end so before it cannot match, and
    # the searches, which try every start in the 80 characters, are skipped.
    tail = text[window_start:at].rstrip(" \t\n")
    m = None
    if tail.endswith("@"):
        m = _PROVIDER_BACKWARD.search(text, window_start, at)
    if m is None and tail.endswith(_AT_WORD_ENDS):
        m = _USER_AT_WORD.search(text, window_start, at)
    if m is None:
        same = None
        if tail.endswith(_SAME_NAME_ENDS):
            same = _SAME_NAME_AT.search(text, window_start, at)
        return (same.start(), after, 0.8) if same is not None else None
    user = m["user"]
    if user in _STOP_LOCAL or not any(c.isalpha() for c in user):
        return None
    if m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "._-@"):
        return None
    return m.start(), after, 0.85
