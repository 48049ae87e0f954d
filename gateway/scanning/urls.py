"""Detector for links whose purpose is to talk off-platform.

Guideline section 2, items 3 and 4. Links are read from the address view (spelled.address_view),
so "hxxps://", "calendly[.]com/anna", "linkedin dot com slash in slash anna" and fullwidth or
homoglyph host names are read like plain links. Kinds:

* ``messenger``: messenger and social-profile links (wa.me, api.whatsapp.com, t.me, signal.me,
  discord.gg, m.me, linkedin.com/in/..., facebook.com/<profile>, instagram.com/<handle>,
  x.com/<handle>, vk.com/...) and app links (``whatsapp://send?phone=``, ``tg://resolve``,
  ``viber://``, ``skype:name?call``);
* ``url``: meeting rooms (zoom.us/j/..., meet.google.com/..., Teams meetup-join, whereby,
  jitsi), booking pages (calendly, cal.com, tidycal, ...), link shorteners and link-in-bio pages
  (bit.ly, tinyurl, t.co, linktr.ee, ...), and any other site *offered as a way to get in touch*
  ("contact me via my site www.annlee.dev/contact", "book a call at ...").

Not findings (domains.py): the platform's own and the configured work domains, reserved
documentation names, links to the work product and its context (repositories, Figma, Vimeo,
Drive/Docs, previews on vercel.app/netlify.app/herokuapp.com, documentation sites), a single
post/tweet being discussed, the vendor's own site (telegram.org), a business's social page as
the subject of the work ("schedule posts for the client's Facebook page facebook.com/acme",
decided by domains.work_social), and any other site that is merely mentioned (the client's
shop under discussion, a library's homepage, "the contact form on our site is broken").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gateway.context import Finding
from gateway.scanning import domains
from gateway.scanning.document import ScanDoc, make_finding
from gateway.scanning.spelled import (
    View,
    _trie_regex,
    address_view,
    folded_pattern,
    fw,
)

NAME = "urls/1"

_TLDS = sorted(domains.GENERIC_TLDS | {"google"}, key=len, reverse=True)
# A dot followed by a top-level domain: starts with a literal "." so the scan is fast, and the
# names are a trie so a miss costs one or two character tests.
_TLD_HIT = re.compile(r"\.(?:" + _trie_regex(_TLDS) + r"|[a-z]{2})(?![a-z0-9-])")
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")
_HOST_FORWARD = re.compile(r"(?:\.[a-z0-9\-_]+)*")
_SCHEME_BACK = re.compile(r"(?:[a-z][a-z0-9+.\-]{0,12}://|www\.)$")
_SCHEME = re.compile(r"(?P<scheme>[a-z][a-z0-9+.\-]{1,12})://")
_REST = re.compile(r"(?::\d{2,5})?(?:[/?#][^\s<>\"'`\\^{}|]*)?")
_TRAILING = ".,;:!?)]}'\"*>"
_APP_LINK = re.compile(
    r"(?:whatsapp://send\?phone=\+?\d{7,15}|whatsapp://send\?[^\s]*phone=\+?\d{7,15}|"
    r"tg://(?:resolve\?domain=|msg\?to=)[\w+]{3,}|viber://(?:chat|contact|add)\?number=[%\w+]{7,}|"
    r"skype:[\w.:\-]{3,}\?(?:call|chat|add)|signal\.me/#[\w/]+|sgnl://[\w/?=&#]+|"
    r"callto:[\w.+\-]{3,}|weixin://[\w/?=&#]+|line://ti/p/[\w@~\-]+)"
)
_APP_TRIGGERS = (
    "://send",
    "tg://",
    "viber://",
    "skype:",
    "sgnl://",
    "callto:",
    "weixin://",
    "line://",
)

# A site offered as a way to get in touch (first-person invitations).
_INVITE = re.compile(
    folded_pattern(
        # English
        r"\b(?:contact|reach|e-?mail|message|write to|ping|find|hire|book|catch|call|text|dm)\s+"
        r"me\b|\bget in touch|\bin touch with me|\b(?:you can|best way to|easiest way to|"
        r"feel free to) (?:reach|contact|find|get hold of|message|email) me|\bdrop me a line|"
        r"\b(?:my|our)\s+(?:personal\s+)?(?:contact|booking|scheduling)\s+(?:page|form|link)|"
        r"\bmy\s+(?:calendar|booking|scheduling)\b|\b(?:book|schedule|grab|pick)\s+(?:a\s+|some\s+)?"
        r"(?:call|meeting|time|slot|session|chat)|\btalk (?:there|directly)|"
        r"\b(?:through|via|on|at) my (?:site|website|web site|page|homepage|portfolio)|"
        r"\b(?:my|our) (?:contact|booking) form|\breaches me\b|"
        r"\bmy\s+(?:personal\s+)?(?:site|website|portfolio|page|homepage)\s+(?:with|has)\s+"
        r"(?:a\s+|my\s+)?(?:contact|booking)\s+(?:form|page)|"
        # preferred to the platform: "janedoe.design works better than this inbox"
        r"\b(?:better|easier|faster|quicker|simpler) than (?:here|this (?:inbox|platform|site|"
        r"chat|thread)|the (?:platform|inbox|chat))\b|"
        # Spanish
        r"cont[aá]ct(?:a|e)me|escr[ií]beme|ponte en contacto|en contacto conmigo|"
        r"agenda(?:r)? una|puedes (?:encontrarme|contactarme|escribirme)|encu[eé]ntrame|"
        r"mi formulario|(?:en|por|desde) mi (?:sitio|p[aá]gina|web)|"
        # Portuguese
        r"me contat\w*|entre em contato|fale comigo|agende|me (?:manda|mande|escreve|chama|"
        r"encontra)\b|(?:no|pelo|do) meu site|"
        # French
        r"contactez-?\s?moi|contacte-?\s?moi|[eé]cri(?:ve)?[zs]-?\s?moi|prenez rendez-vous|"
        r"me (?:joindre|contacter|trouver|[eé]crire)|mon formulaire|(?:sur|via) mon site|"
        # German
        r"kontaktier\w*\s+(?:sie\s+|du\s+)?mich|schreib\w*\s+(?:sie\s+|du\s+)?mir|"
        r"erreich\w*\s+(?:sie\s+|du\s+|man\s+)?mich|melde?\s+dich|termin buchen|"
        r"mein(?:em)? kontaktformular|"
        r"(?:über|auf|via) meine(?:r)? (?:website|webseite|seite|homepage)|"
        # Russian
        r"свяж\w+ со мной|связаться со мной|напиш\w* мне|пишите мне|"
        r"на моем сайте|на моём сайте|"
        # Italian
        r"contattami|scrivimi|puoi trovarmi|(?:sul|dal) mio sito|"
        # Hindi (Latin)
        r"mujhse sampark|contact karo|message karo"
    )
)
# Every invitation above holds one of these words.
_INVITE_WORDS = frozenset(
    fw(w)
    for w in """me touch line form book schedule grab pick calendar booking scheduling site
    better easier faster quicker simpler
    website page homepage portfolio reaches contáctame contactame contácteme contacteme
    contáctenme escríbeme escribeme contacto conmigo agenda agendar encontrarme contactarme
    escribirme encuéntrame encuentrame formulario sitio página pagina web contat contato
    contate contatar comigo agende manda mande escreve chama encontra meu moi rendez joindre
    contacter trouver écrire ecrire formulaire mon mich mir dich buchen kontaktformular
    kontaktieren kontaktiere meine meiner мной мне сайте contattami scrivimi trovarmi mio
    sampark karo""".split()
)
_SOCIAL_SITES = frozenset(
    (
        "facebook.com",
        "fb.com",
        "instagram.com",
        "x.com",
        "twitter.com",
        "tiktok.com",
        "linkedin.com",
        "vk.com",
        "threads.net",
        "threads.com",
        "youtube.com",
    )
)
_NEGATED_INVITE = re.compile(
    folded_pattern(r"\b(?:don'?t|do not|never|not|no|please don'?t)\s+(?:\w+\s+){0,2}$")
)


def relevant(doc: ScanDoc) -> bool:
    """A necessary condition (scanning.gate): `_detect` reports only an app link (after "://",
    "skype:" or "callto:") or a link at a top-level-domain hit, both in the address view (built
    here, cached for `_detect`), which is the folded text itself when it made no edit."""
    view = address_view(doc)
    if view.inner is not None:
        return True
    text = view.text
    return (
        "://" in text or "skype:" in text or "callto:" in text or _TLD_HIT.search(text) is not None
    )


def detect(doc: ScanDoc) -> Iterator[Finding]:
    """Links in `doc` that open a channel off the platform."""
    try:
        found = _detect(doc)
    except Exception:  # a detector never raises on any input
        return
    yield from found


def _detect(doc: ScanDoc) -> list[Finding]:
    view = address_view(doc)
    text = view.text
    ctx = doc.context
    findings: list[Finding] = []
    spans: list[tuple[int, int]] = []

    def emit(kind: str, vstart: int, vend: int, confidence: float) -> None:
        start, end = view.span(vstart, vend)
        if end <= start or any(s < end and start < e for s, e in spans):
            return
        spans.append((start, end))
        findings.append(
            make_finding(
                "contact", kind, doc.text[start:end], start, end, doc.part, confidence, NAME
            )
        )

    if ("://" in text or "skype:" in text or "callto:" in text) and any(
        t in text for t in _APP_TRIGGERS
    ):
        for m in _APP_LINK.finditer(text):
            emit("messenger", m.start(), m.end(), 0.95)
    consumed = -1
    weak_at = frozenset(s for s, _e, kind in view.replaced if kind == "at_weak")
    # In a long text, a link in the same surroundings (the same characters from _BACK before
    # the dot to the link's end and _AHEAD past it, the same obfuscations) gets the same
    # verdict: a text repeating a link is judged once per surroundings.
    decided: dict[tuple, tuple[int, int, tuple[str, float] | None] | None] | None = (
        {} if len(text) > _CACHE_FROM else None
    )
    marks = _replacement_marks(view) if decided is not None else (b"", b"")
    for hit in _TLD_HIT.finditer(text):
        dot = hit.start()
        if dot < consumed:
            continue
        if decided is None:
            verdict = _judge(text, view, ctx, dot, hit.end(), weak_at)
        else:
            lo = max(0, dot - _BACK)
            space = _SPACE.search(text, hit.end())
            hi = max(hit.end(), space.start() if space else len(text)) + _AHEAD
            key = (text[lo:hi], dot - lo, hit.end() - dot, marks[0][lo:hi], marks[1][lo : hi + 1])
            if key in decided:
                relative = decided[key]
                verdict = None
                if relative is not None:
                    verdict = (dot + relative[0], dot + relative[1], relative[2])
            else:
                verdict = _judge(text, view, ctx, dot, hit.end(), weak_at)
                decided[key] = (
                    None if verdict is None else (verdict[0] - dot, verdict[1] - dot, verdict[2])
                )
        if verdict is None:
            continue
        start, consumed, emission = verdict
        if emission is not None:
            emit(emission[0], start, consumed, emission[1])
    return findings


_CACHE_FROM = 1500  # characters: shorter texts rarely repeat a link, the key would cost more
_BACK = 400  # _link_at looks 216 back for the host and scheme, _invited 140 more
_AHEAD = 220  # past the link's first blank: _invited looks 50 on, the host and path end there
_SPACE = re.compile(r"\s")


_KIND_CODES: dict[str, int] = {}


def _replacement_marks(view: View) -> tuple[bytes, bytes]:
    """The view's obfuscation replacements as two byte strings parallel to its text, so that a
    slice of them is an exact, cheap cache key: in the first, each replaced range is marked with
    its kind's code (even on its first character, odd on the rest, so neighbours stay apart);
    the second marks the zero-width ones (the spaces dropped between spaced-out letters, one
    per position) at their position."""
    spans = bytearray(len(view.text))
    zero = bytearray(len(view.text) + 1)
    for start, end, kind in view.replaced:
        code = _KIND_CODES.setdefault(kind, len(_KIND_CODES) + 1)
        if start == end:
            zero[start] = code
        else:
            spans[start] = 2 * code
            spans[start + 1 : end] = bytes([2 * code + 1]) * (end - start - 1)
    return bytes(spans), bytes(zero)


def _judge(
    text: str, view: View, ctx, dot: int, tld_end: int, weak_at: frozenset[int]
) -> tuple[int, int, tuple[str, float] | None] | None:
    """The link at a top-level-domain hit: None when there is none, else its span and what to
    report for it ((kind, confidence), or None when it is allowed or only mentioned)."""
    link = _link_at(text, dot, tld_end, weak_at)
    if link is None:
        return None
    start, end, host, path, query, schemed = link
    if domains.is_allowed(host, ctx.own_domains, ctx.work_domains):
        return start, end, None
    kind_confidence = domains.classify_link(host, path, query)
    if kind_confidence is not None:
        kind, confidence = kind_confidence
        if _negated(text, start):
            return start, end, None
        if (
            kind == "messenger"
            and domains.category(host) == "messenger"
            and (domains.host_in(host, _SOCIAL_SITES) and domains.work_social(text, start, end))
        ):
            return start, end, None  # the client's page as the subject of the work
        if view.kinds(start, end):
            confidence = max(confidence, 0.9)  # written to dodge a filter
        return start, end, (kind, confidence)
    if domains.is_work_link(host):
        return start, end, None
    if not schemed and not domains.tld_ok(host, strict=True):
        return start, end, None
    if _invited(text, start, end):
        return start, end, ("url", 0.7)
    if (
        _defanged(text, view, start, end)
        and (start == 0 or text[start - 1] != "@")  # an address's domain is the e-mail's
        and not domains.category(host)  # a known service's bare name is not a room or page
        and host not in domains.MAIL_PROVIDERS
        and not _negated(text, start)
        and _OWN_CUE.search(text, max(0, start - 80), start)
    ):
        return start, end, ("url", 0.75)
    return start, end, None


# Written so that a filter does not see a link ("hxxps://", "site[.]com", "site dot com"):
# offered with a first-person or contact word before it, it is a way to get in touch
# (guideline 2.4: "a personal site or contact page ..., also when written hxxps://").
_DEFANGED_KINDS = frozenset({"dot_bracket", "dot_word", "dot_spaced", "slash_word"})
_OWN_CUE = re.compile(
    folded_pattern(
        r"\b(?:my|mine|our|me|contact|kontakt|contacto|contato|reach|touch|mi|mis|meu|minha|mon"
        r"|ma|mes|mein|meine|мой|моя|мои|мне)\b"
    )
)


def _defanged(text: str, view: View, start: int, end: int) -> bool:
    if text.startswith(("hxxp", "hxxps", "h**p", "h++p"), start):
        return True
    return not _DEFANGED_KINDS.isdisjoint(view.kinds(start, end))


def _link_at(
    text: str, dot: int, tld_end: int, weak_at: frozenset[int] = frozenset()
) -> tuple[int, int, str, str, str, bool] | None:
    """(start, end, host, path, query, has_scheme) of the link whose host ends at `tld_end`."""
    host_start = dot
    limit = max(0, dot - 200)
    while host_start > limit and (
        text[host_start - 1] in _HOST_CHARS or text[host_start - 1].isalnum()
    ):
        host_start -= 1
    # A host never starts with "." or "-"; "anna@gmail.com" is an address, not a link.
    while host_start < dot and text[host_start] in ".-_":
        host_start += 1
    if host_start > 0 and text[host_start - 1] == "@" and host_start - 1 not in weak_at:
        return None  # an address (a bare " at " before a link is only a word: "reach me at x.dev")
    if host_start > 0 and (text[host_start - 1].isalnum() or text[host_start - 1] in "%+"):
        return None
    forward = _HOST_FORWARD.match(text, tld_end)
    host_end = forward.end() if forward else tld_end
    while host_end > tld_end and text[host_end - 1] in ".-_":
        host_end -= 1
    tld = text[host_start:host_end].rpartition(".")[2]
    if not (tld.isalpha() and len(tld) >= 2):
        host_end = tld_end
    tld_end = host_end
    host = text[host_start:tld_end]
    if "." not in host or ".." in host:
        return None
    start = host_start
    schemed = False
    scheme = _SCHEME_BACK.search(text, max(0, host_start - 16), host_start)
    if scheme is not None:
        start, schemed = scheme.start(), True
        if scheme[0] == "www.":
            schemed = True
    rest = _REST.match(text, tld_end)
    end = rest.end() if rest else tld_end
    while end > tld_end and text[end - 1] in _TRAILING:
        if text[end - 1] == ")" and text[start:end].count("(") >= text[start:end].count(")"):
            break
        end -= 1
    tail = text[tld_end:end]
    path, _, query = tail.partition("?")
    if path.startswith(":"):
        path = path.split("/", 1)[1] if "/" in path else ""
        path = "/" + path
    path = path.split("#", 1)[0] if not path.startswith("/#") else path
    host = domains.normalise_host(host)
    if not host or host[0] in "-_" or not any(c.isalpha() for c in host):
        return None
    return start, end, host, path, query, schemed


def _negated(text: str, start: int) -> bool:
    return bool(_NEGATED_INVITE.search(text, max(0, start - 30), start))


def _invited(text: str, start: int, end: int) -> bool:
    """A first-person invitation to get in touch right before (or just after) the link."""
    before_start = max(0, start - 140)
    paragraph = text.rfind("\n\n", before_start, start)
    if paragraph >= 0:
        before_start = paragraph
    after_end = min(len(text), end + 50)
    words = set(text[before_start:after_end].replace("-", " ").replace("@", " ").split())
    if _INVITE_WORDS.isdisjoint(w.strip(".,;:!?()\"'«»") for w in words):
        return False  # none of the words every invitation has: skip the costly regex
    if _INVITE.search(text, before_start, start):
        return True
    line_end = text.find("\n", end, after_end)
    return bool(_INVITE.search(text, end, after_end if line_end < 0 else line_end))


def view_of(doc: ScanDoc) -> View:
    """The view links are read from (exposed for tests and the scanner's docs)."""
    return address_view(doc)
