"""Build the labelled scanner corpus: ``messages/NNNN.eml`` plus ``labels.csv`` and ``manifest.csv``.

Run from the project root::

    .venv/bin/python -m tests.corpus.build_corpus

The output is deterministic (one seeded ``random.Random`` per message), so rerunning it on an
unchanged tree rewrites identical bytes. Labels follow /work/shared/SCANNING-GUIDELINE.md and
are written by hand next to each case in ``cases_*.py``; this script only dresses each core in a
realistic message (greeting, project context, sign-off, quoting, MIME shape, charset, transfer
encoding, decoy binary attachments) and never changes what the core says.

The corpus is a held-out test set: nothing here looks at ``gateway/scanning``.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import quopri
import random
import re
import struct
import sys
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime, formataddr
from pathlib import Path

from . import checksums as ck
from .case import Case
from .filler import LANGS, Lang

HERE = Path(__file__).resolve().parent
SEED = 20240917
RELAY = "relay.gigbridge.io"

# --------------------------------------------------------------------------- cases


def load_cases() -> list[Case]:
    """All cases, in a stable order."""
    from . import cases_both, cases_contact, cases_negative, cases_payment

    return [
        *cases_contact.CASES,
        *cases_payment.CASES,
        *cases_both.CASES,
        *cases_negative.CASES,
    ]


# --------------------------------------------------------------------------- tokens

_TOKEN = re.compile(r"%%([a-z0-9_]+)(?::([A-Za-z0-9_]+))?(?::([a-z0-9_]+))?%%")
_FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def _fullwidth(s: str) -> str:
    return "".join(_FULLWIDTH.get(c, "\u3000" if c == " " else c) for c in s)


class Tokens:
    """Fills ``%%kind:arg:fmt%%`` placeholders with generated, checksum-valid values.

    A value is generated once per (kind, arg) within a case, so a core may show the same IBAN in
    two formats or in two halves.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.values: dict[tuple[str, str], str] = {}

    def _value(self, kind: str, arg: str) -> str:
        key = (kind, arg)
        if key not in self.values:
            self.values[key] = self._generate(kind, arg)
        return self.values[key]

    def _generate(self, kind: str, arg: str) -> str:
        r = self.rng
        gen = {
            "iban": lambda: ck.iban(r, arg),
            "card": lambda: ck.card_number(r, arg),
            "btc": lambda: ck.btc_p2pkh(r),
            "btc3": lambda: ck.btc_p2sh(r),
            "bc1": lambda: ck.btc_bech32(r),
            "bc1p": lambda: ck.btc_taproot(r),
            "eth": lambda: ck.eth_address(r),
            "tron": lambda: ck.tron_address(r),
            "cpf": lambda: ck.cpf(r),
            "cnpj": lambda: ck.cnpj(r),
            "routing": lambda: ck.aba_routing(r),
            "acct": lambda: (
                str(r.randint(1, 9))
                + "".join(r.choice("0123456789") for _ in range(int(arg or 10) - 1))
            ),
            "pixkey": lambda: ck.uuid4(r),
            "devat": lambda: ck.de_vat(r),
            "siret": lambda: ck.siret(r),
            "inn": lambda: ck.ru_inn10(r),
            "gstin": lambda: ck.gstin(r),
            "piva": lambda: ck.it_piva(r),
            "isbn": lambda: ck.isbn13(r),
            "ean": lambda: ck.ean13(r, "40"),
            "sha": lambda: ck.git_sha(r),
            "exp": lambda: f"{r.randint(1, 12):02d}/{r.randint(26, 30)}",
            "cvv": lambda: f"{r.randint(100, 999)}",
        }
        return gen[kind]()

    def fill(self, text: str) -> str:
        """Replace every placeholder in ``text``."""
        return _TOKEN.sub(self._sub, text)

    def _sub(self, m: re.Match[str]) -> str:
        kind, arg, fmt = m.group(1), m.group(2) or "", m.group(3) or ""
        value = self._value(kind, arg)
        if kind == "iban":
            return _format_iban(value, fmt)
        if kind == "card":
            sizes = (4, 6, 5) if len(value) == 15 else (4,)
            if fmt == "compact":
                return value
            if fmt == "dash":
                return ck.group(value, sizes, "-")
            return ck.group(value, sizes)
        if kind == "eth" and fmt == "lower":
            return value.lower()
        if kind == "sha" and fmt == "short":
            return value[:7]
        if kind == "cpf" and fmt == "raw":
            return value.replace(".", "").replace("-", "")
        return value


def _format_iban(value: str, fmt: str) -> str:
    spaced = ck.group(value, (4,))
    groups = spaced.split(" ")
    half = (len(groups) + 1) // 2
    formats = {
        "": spaced,
        "spaced": spaced,
        "compact": value,
        "lower": spaced.lower(),
        "lowercompact": value.lower(),
        "zw": "\u200b".join(groups),
        "fw": _fullwidth(spaced),
        "part1": " ".join(groups[:half]),
        "part2": " ".join(groups[half:]),
        "dash": "-".join(groups),
    }
    return formats[fmt]


# --------------------------------------------------------------------------- binary decoys


def _png(rng: random.Random) -> bytes:
    """A real (tiny, noisy) PNG whose metadata holds digit strings: dates, sizes, a serial."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    w, h = rng.randint(24, 64), rng.randint(24, 64)
    raw = b"".join(b"\0" + rng.randbytes(w * 3) for _ in range(h))
    serial = "".join(rng.choice("0123456789") for _ in range(10))
    texts = [
        (b"Software", b"Adobe ImageReady 9.0.2"),
        (b"Creation Time", f"2024:09:{rng.randint(10, 28)} 15:30:12".encode()),
        (b"Comment", f"IMG_202409{rng.randint(10, 28)}_153012 4032x3024 body {serial}".encode()),
    ]
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    for k, v in texts:
        out += chunk(b"tEXt", k + b"\0" + v)
    return out + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _pdf(rng: random.Random) -> bytes:
    """A small valid PDF (an invoice draft via the platform) whose xref is rows of 10-digit offsets."""
    inv = f"INV-2024-{rng.randint(100, 999):04d}"
    amount = f"{rng.randint(3, 48) * 50:,}.00"
    content = (
        f"BT /F1 12 Tf 72 720 Td (Invoice draft {inv} - issued through GigBridge) Tj "
        f"0 -18 Td (Milestone 2 of 3 - total EUR {amount}) Tj "
        f"0 -18 Td (Order ref {rng.randint(10**9, 10**10 - 1)}) Tj ET"
    ).encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Producer (Skia/PDF m128) /CreationDate (D:202409{rng.randint(10, 28)}153012+02'00') >>".encode(),
    ]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    ident = rng.randbytes(16).hex()
    out += (
        f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Info 6 0 R /ID [<{ident}><{ident}>] >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return out


DECOY_NAMES = {
    "png": (
        "image/png",
        ("screenshot.png", "mockup-v2.png", "IMG_20240914_153012.png", "banner.png"),
    ),
    "pdf": ("application/pdf", ("invoice-draft.pdf", "brief.pdf", "milestone-2.pdf", "scope.pdf")),
}


# --------------------------------------------------------------------------- MIME writing

Node = tuple[list[tuple[str, str]], "bytes | list[Node]"]


def _boundary(rng: random.Random) -> str:
    return (
        rng.choice(["000000000000", "----=_Part_", "Apple-Mail=_", "_----------=_"])
        + rng.randbytes(10).hex()
    )


def _encode_text(text: str, charset: str, cte: str) -> bytes:
    data = text.encode(charset)
    if cte in ("7bit", "8bit"):
        return data
    if cte == "quoted-printable":
        return quopri.encodestring(data)
    crlf = text.replace("\n", "\r\n").encode(charset)
    b64 = base64.b64encode(crlf).decode()
    return ("\n".join(b64[i : i + 76] for i in range(0, len(b64), 76)) + "\n").encode()


_CHARSETS = {
    "en": ("utf-8", "iso-8859-1", "windows-1252", "us-ascii"),
    "hi": ("utf-8", "us-ascii"),
    "ru": ("utf-8", "koi8-r", "windows-1251", "utf-8"),
}
_LATIN = ("utf-8", "iso-8859-1", "iso-8859-15", "windows-1252")


def _pick_charset(rng: random.Random, lang: str, text: str) -> str:
    options = list(_CHARSETS.get(lang, _LATIN))
    rng.shuffle(options)
    for cs in options:
        try:
            text.encode(cs)
        except UnicodeEncodeError:
            continue
        return cs
    return "utf-8"


def _pick_cte(rng: random.Random, text: str, charset: str) -> str:
    data = text.encode(charset)
    long_lines = any(len(line) > 900 for line in data.split(b"\n"))
    if data.isascii():
        options = (
            ["quoted-printable", "base64"]
            if long_lines
            else ["7bit", "7bit", "quoted-printable", "base64"]
        )
    else:
        options = (
            ["quoted-printable", "base64"]
            if long_lines
            else ["8bit", "quoted-printable", "quoted-printable", "base64"]
        )
    return rng.choice(options)


def text_leaf(
    rng: random.Random,
    lang: str,
    text: str,
    subtype: str,
    *,
    filename: str | None = None,
    ctype: str | None = None,
    charset: str | None = None,
) -> Node:
    """A text/* leaf with a charset and transfer encoding chosen for ``text``."""
    text = text if text.endswith("\n") else text + "\n"
    cs = charset or _pick_charset(rng, lang, text)
    if subtype == "html":  # the <meta> must agree with the MIME charset
        text = text.replace("charset=utf-8", f"charset={cs}")
    cte = _pick_cte(rng, text, cs)
    if ctype == "application/octet-stream":
        cte = "base64"
    headers = []
    if ctype:
        headers.append(("Content-Type", f'{ctype}; name="{filename}"'))
    else:
        ct = f"text/{subtype}; charset={_q(cs, rng)}"
        if filename:
            ct += f'; name="{filename}"'
        if subtype == "plain" and not filename and rng.random() < 0.3:
            ct += "; format=flowed" if cte != "base64" and rng.random() < 0.5 else ""
        headers.append(("Content-Type", ct))
    headers.append(("Content-Transfer-Encoding", cte))
    if filename:
        headers.append(("Content-Disposition", f'attachment; filename="{filename}"'))
    return headers, _encode_text(text, cs, cte)


def _q(cs: str, rng: random.Random) -> str:
    cs = cs.upper() if rng.random() < 0.3 else cs
    return f'"{cs}"' if rng.random() < 0.4 else cs


def binary_leaf(rng: random.Random, kind: str) -> Node:
    """A base64 binary attachment (PNG or PDF) that is not content under the guideline."""
    ctype, names = DECOY_NAMES[kind]
    name = rng.choice(names)
    data = _png(rng) if kind == "png" else _pdf(rng)
    b64 = base64.b64encode(data).decode()
    body = ("\n".join(b64[i : i + 76] for i in range(0, len(b64), 76)) + "\n").encode()
    return (
        [
            ("Content-Type", f'{ctype}; name="{name}"'),
            ("Content-Disposition", f'attachment; filename="{name}"'),
            ("Content-Transfer-Encoding", "base64"),
        ],
        body,
    )


def multipart(rng: random.Random, subtype: str, children: list[Node], extra: str = "") -> Node:
    """A multipart/* node."""
    return (
        [("Content-Type", f'multipart/{subtype}; boundary="{_boundary(rng)}"{extra}')],
        children,
    )


def serialize(node: Node) -> bytes:
    """Serialize a node tree (LF line ends; converted to CRLF by the caller)."""
    headers, body = node
    out = b"".join(f"{k}: {v}\n".encode() for k, v in headers) + b"\n"
    if isinstance(body, bytes):
        return out + body
    ctype = next(v for k, v in headers if k.lower() == "content-type")
    boundary = re.search(r'boundary="([^"]+)"', ctype)
    assert boundary
    b = boundary.group(1).encode()
    for child in body:
        out += b"--" + b + b"\n" + serialize(child)
        if not out.endswith(b"\n"):
            out += b"\n"
    return out + b"--" + b + b"--\n"


def encode_header(value: str, rng: random.Random, charset: str = "utf-8") -> str:
    """RFC 2047-encode a header value when it is not ASCII (and sometimes when it is)."""
    if value.isascii() and rng.random() > 0.08:
        return value
    try:
        value.encode(charset)
    except UnicodeEncodeError:
        charset = "utf-8"
    return Header(value, charset).encode(linesep="\n")


# --------------------------------------------------------------------------- HTML rendering

_URL = re.compile(r"https?://[^\s<>\"')]+")


def _html_para(text: str) -> str:
    esc = html.escape(text, quote=False)
    esc = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', esc)
    return esc.replace("\n", "<br>\n")


def render_html(
    rng: random.Random,
    paras: list[str],
    *,
    raw_fragments: dict[int, str] | None = None,
    quote: tuple[str, list[str]] | None = None,
    tail: list[str] | None = None,
) -> str:
    """Wrap paragraphs in the HTML a mail program would write (Gmail, Outlook or Apple style).

    ``raw_fragments`` maps a paragraph index to raw HTML inserted before that paragraph
    (index ``len(paras)`` appends at the end of the body).
    """
    raw_fragments = raw_fragments or {}
    style = rng.choice(["gmail", "outlook", "apple"])
    items = []
    for i, p in enumerate([*paras, ""]):
        if i in raw_fragments:
            items.append(raw_fragments[i])
        if i < len(paras):
            if style == "outlook":
                items.append(f'<p class="MsoNormal">{_html_para(p)}<o:p></o:p></p>')
            elif style == "gmail":
                items.append(f"<div>{_html_para(p)}</div><div><br></div>")
            else:
                items.append(f"<p>{_html_para(p)}</p>")
    for t in tail or []:
        items.append(f'<div style="color:#555">{_html_para(t)}</div>')
    if quote:
        intro, lines = quote
        q = "<br>\n".join(_html_para(line) for line in lines)
        items.append(
            f'<div class="gmail_quote"><div class="gmail_attr">{html.escape(intro)}<br></div>\n'
            f'<blockquote class="gmail_quote" style="margin:0 0 0 .8ex;border-left:1px #ccc solid;'
            f'padding-left:1ex">{q}</blockquote></div>'
        )
    body = "\n".join(items)
    if style == "gmail":
        return f'<div dir="ltr">\n{body}\n</div>\n'
    if style == "outlook":
        return (
            '<html xmlns:o="urn:schemas-microsoft-com:office:office">\n<head>\n'
            '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
            "<style>p.MsoNormal{margin:0cm;font-size:11.0pt;font-family:Calibri,sans-serif}</style>\n"
            '</head>\n<body lang="EN-US">\n<div class="WordSection1">\n'
            f"{body}\n</div>\n</body>\n</html>\n"
        )
    return (
        '<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>\n'
        '<body style="overflow-wrap: break-word; -webkit-nbsp-mode: space;">\n'
        f"{body}\n</body></html>\n"
    )


# --------------------------------------------------------------------------- one message


def _relay_addr(rng: random.Random, first: str) -> str:
    slug = re.sub(r"[^a-z]", "", first.lower().encode("ascii", "ignore").decode()) or "user"
    return f"{slug}.{rng.randbytes(3).hex()}@{RELAY}"


def _person_named_in(text: str, lang: Lang) -> tuple[str, str] | None:
    """The person whose mailbox, name or "first.last" the core mentions, so From: fits the story."""
    low = text.lower()

    def mentions(needle: str) -> bool:
        return re.search(rf"(?<![a-z0-9]){re.escape(needle)}(?![a-z0-9])", low) is not None

    for langs in (lang, *LANGS.values()):
        for name, mailbox in langs.people:
            local = mailbox.split("@")[0]
            parts = name.lower().split()
            keys = [name.lower(), ".".join(parts), "-".join(parts)] + (
                [local] if len(local) >= 5 else []
            )
            if any(mentions(k) for k in keys):
                return (name, mailbox)
    return None


def _first(name: str) -> str:
    return name.split()[0]


@dataclass
class Built:
    """A generated message and what the manifest records about it."""

    raw: bytes
    shape: str
    charset: str
    cte: str
    decoy: str
    probes: list[str]


def build_message(case: Case, index: int) -> Built:
    """Dress ``case`` in a complete RFC 5322 message (CRLF line ends)."""
    rng = random.Random(f"{SEED}:{index}")
    tokens = Tokens(random.Random(f"{SEED}:tokens:{index}"))
    lang: Lang = LANGS[case.lang]
    text = tokens.fill(case.text)
    frag = tokens.fill(case.html) if case.html is not None else None
    alt = tokens.fill(case.alt) if case.alt is not None else None
    attachments = [(fn, ct, tokens.fill(content)) for fn, ct, content in case.attach]
    case_subject = tokens.fill(case.subject) if case.subject else None

    core_all = " ".join(
        [text, frag or "", alt or "", case_subject or "", *(a[2] for a in attachments)]
    )
    named = None if case.where in ("attribution", "quote") else _person_named_in(core_all, lang)
    people = (
        [p for p in lang.people if p[0] not in text] if case.where == "attribution" else lang.people
    )
    sender = case.sender or named or rng.choice(people)
    others = [p for p in lang.people if p[0] != sender[0]]
    recipient = rng.choice(others)
    if case.where == "attribution":
        m = re.search(r"([^,<]+?)\s*\(?<", text)
        assert m, text
        recipient = (m.group(1).strip(), recipient[1])
    to_first = _first(recipient[0])
    topic_name = case.topic or rng.choice(sorted(lang.topics))
    topic = lang.topics.get(topic_name) or lang.topics[sorted(lang.topics)[0]]

    subject = rng.choice(topic.subjects)
    is_reply = case.where in ("quote", "attribution") or rng.random() < 0.35
    if is_reply:
        subject = lang.reply_prefix + subject
    if case.where == "subject":
        subject = text
    elif case_subject and case.where != "fwd-subject":
        subject = case_subject

    # ---- body paragraphs
    greet = rng.choice(lang.greet).format(to=to_first)
    n_ctx = rng.choice([0, 1, 1, 1, 2])
    context = rng.sample(topic.context, k=min(n_ctx, len(topic.context)))
    core_visible = case.where in ("body", "attach", "hidden") and text
    paras: list[str] = []
    if case.bare:
        paras = [text]
    else:
        paras.append(greet)
        if (
            case.where in ("subject", "fwd-subject", "ps", "sig", "quote", "attribution")
            and not context
        ):
            context = [rng.choice(topic.context)]
        if core_visible:
            if context and rng.random() < 0.7:
                paras += [context[0], text, *context[1:]]
            else:
                paras += [text, *context]
        else:
            paras += context
        if case.where in ("fwd", "fwd-subject"):
            paras.append(rng.choice(lang.fwd_intro))
    sig_lines = [sender[0]]
    if rng.random() < 0.5:
        sig_lines.append(rng.choice(lang.roles))
    if case.where == "sig":
        sig_lines.append(text)
    if case.sig_text:
        sig_lines.append(tokens.fill(case.sig_text))
    closing = rng.choice(lang.close)
    tail: list[str] = []
    if not case.bare:
        sig_sep = "-- \n" if (case.where == "sig" or rng.random() < 0.3) else ""
        tail.append(closing + "\n" + sig_sep + "\n".join(sig_lines))
    if case.where == "ps":
        tail.append(f"{lang.ps} {text}")
    if case.ps_text:
        tail.append(f"{lang.ps} {tokens.fill(case.ps_text)}")

    quote = None
    if case.where in ("quote", "attribution") or (
        is_reply and rng.random() < 0.6 and not case.bare
    ):
        other_name = recipient[0]
        date = rng.choice(lang.dates)
        if case.where == "attribution":
            intro = text
        else:
            fmt = rng.choice(lang.quote_intro)
            intro = fmt.format(
                date=date, name=other_name, addr=_relay_addr(rng, _first(other_name))
            )
        qlines = [rng.choice(lang.greet).format(to=_first(sender[0]))]
        qlines += rng.sample(topic.quoted, k=min(len(topic.quoted), rng.choice([1, 2])))
        if case.where == "quote":
            qlines.append(text)
        qlines.append(_first(other_name))
        quote = (intro, qlines)
        if case.where in ("quote", "attribution") and len(paras) > 2 and rng.random() < 0.5:
            paras = [paras[0], rng.choice(lang.short_replies)]

    def plain_body() -> str:
        out = "\n\n".join(paras)
        if tail:
            out += "\n\n" + "\n\n".join(tail)
        if quote:
            intro, lines = quote
            quoted = "\n>\n".join("\n".join("> " + ln for ln in q.split("\n")) for q in lines)
            out += f"\n\n{intro}\n{quoted}"
        return out + "\n"

    # ---- shape
    fragments: dict[int, str] = {}
    pos = -1
    if case.where in ("hidden", "html"):
        assert frag is not None, case.note
        pos = len(paras) if case.bare else rng.randint(1, len(paras))
        fragments[pos] = frag
        if case.where == "html" and alt is not None:
            # the text/plain alternative shows ``alt`` where the HTML shows the fragment
            paras.insert(pos, alt)

    if case.shape:
        shape = case.shape
    elif case.where == "html" and alt is None:
        shape = rng.choice(["html", "html", "related"])
    elif case.where == "html":
        shape = rng.choice(["alt", "alt", "related"])
    elif case.where == "hidden":
        shape = rng.choice(["html", "alt", "alt", "related"])
    else:
        shape = rng.choices(["plain", "alt", "html", "related"], weights=[40, 35, 17, 8])[0]

    plain_text = plain_body()
    if case.where == "html" and alt is not None:
        html_paras = [p for i, p in enumerate(paras) if i != pos]
    else:
        html_paras = paras
    html_text = render_html(rng, html_paras, raw_fragments=fragments, quote=quote, tail=tail)

    charset_seen = []
    cte_seen = []

    def leaf(t: str, sub: str, **kw: str) -> Node:
        node = text_leaf(
            rng, case.lang, t, sub, charset=kw.pop("charset", None) or case.charset, **kw
        )  # type: ignore[arg-type]
        ct = dict(node[0])
        m = re.search(r"charset=\"?([\w-]+)", ct.get("Content-Type", ""))
        if m:
            charset_seen.append(m.group(1).lower())
        cte_seen.append(ct["Content-Transfer-Encoding"])
        return node

    if shape == "plain":
        body_node = leaf(plain_text, "plain")
    elif shape == "html":
        body_node = leaf(html_text, "html")
    elif shape == "alt":
        body_node = multipart(
            rng, "alternative", [leaf(plain_text, "plain"), leaf(html_text, "html")]
        )
    elif shape == "related":
        cid = f"ii_{rng.randbytes(6).hex()}"
        img = binary_leaf(rng, "png")
        img = (
            [
                ("Content-Type", "image/png"),
                ("Content-ID", f"<{cid}>"),
                ("Content-Transfer-Encoding", "base64"),
            ],
            img[1],
        )
        related = multipart(
            rng,
            "related",
            [
                leaf(
                    html_text.replace(
                        "</div>\n", f'</div>\n<img src="cid:{cid}" width="1" height="1">\n', 1
                    ),
                    "html",
                ),
                img,
            ],
        )
        body_node = (
            multipart(rng, "alternative", [leaf(plain_text, "plain"), related])
            if case.where != "html" or alt is not None
            else related
        )
    else:
        raise ValueError(shape)

    extra_parts: list[Node] = []
    for fn, ct, content in attachments:
        ext = fn.rsplit(".", 1)[-1].lower()
        if ct == "application/octet-stream":
            extra_parts.append(leaf(content, "plain", filename=fn, ctype=ct))
        else:
            sub = ct.split("/", 1)[1]
            extra_parts.append(
                leaf(content, sub, filename=fn, **({"charset": "utf-8"} if ext == "vcf" else {}))
            )
    if case.where in ("fwd", "fwd-subject"):
        inner_sender = _person_named_in(text, lang) or rng.choice(others)
        inner_subject = case_subject if case.where == "fwd-subject" else rng.choice(topic.subjects)
        assert inner_subject
        inner_paras = [rng.choice(lang.greet).format(to=to_first)]
        inner_paras += [text] if case.where == "fwd" else [rng.choice(topic.context)]
        inner_paras.append(rng.choice(lang.close) + "\n" + inner_sender[0])
        inner_body = leaf("\n\n".join(inner_paras), "plain")
        inner_headers = [
            ("From", formataddr(inner_sender, charset="utf-8")),
            ("To", formataddr((to_first, _relay_addr(rng, to_first)))),
            ("Subject", encode_header(inner_subject, rng)),
            ("Date", "Mon, 9 Sep 2024 16:47:03 +0200"),
            ("Message-ID", f"<{rng.randbytes(8).hex()}@mail.gmail.com>"),
            ("MIME-Version", "1.0"),
            *inner_body[0],
        ]
        inner = (inner_headers, inner_body[1])
        extra_parts.append(
            (
                [
                    ("Content-Type", "message/rfc822"),
                    ("Content-Disposition", 'attachment; filename="forwarded.eml"'),
                ],
                serialize(inner),
            )
        )
    decoy = case.decoy or ""
    if not decoy and rng.random() < 0.16:
        decoy = rng.choice(["png", "pdf"])
    if decoy:
        extra_parts.append(binary_leaf(rng, decoy))
    if extra_parts:
        root = multipart(rng, "mixed", [body_node, *extra_parts])
        shape_name = f"mixed({shape})"
    else:
        root = body_node
        shape_name = shape

    # ---- headers
    sent = datetime(2024, 9, 2, 8, 0, tzinfo=UTC) + timedelta(
        minutes=137 * index + rng.randint(0, 90)
    )
    domain = sender[1].rsplit("@", 1)[1]
    headers = [
        ("Return-Path", f"<{sender[1]}>"),
        (
            "Received",
            f"from mail.{domain} (mail.{domain} [203.0.113.{rng.randint(2, 250)}]) by mx.{RELAY}",
        ),
        ("From", formataddr(sender, charset="utf-8")),
        ("To", formataddr((recipient[0], _relay_addr(rng, to_first)), charset="utf-8")),
        ("Subject", encode_header(subject, rng, charset_seen[0] if charset_seen else "utf-8")),
        ("Date", format_datetime(sent)),
        ("Message-ID", f"<{hashlib.sha1(f'{SEED}{index}'.encode()).hexdigest()[:20]}@{domain}>"),
        ("MIME-Version", "1.0"),
    ]
    if is_reply:
        headers.append(("In-Reply-To", f"<{rng.randbytes(8).hex()}@{RELAY}>"))
    if rng.random() < 0.15:
        headers.append(("Reply-To", formataddr(sender, charset="utf-8")))
    if rng.random() < 0.3:
        headers.append(
            (
                "X-Mailer",
                rng.choice(
                    ["Apple Mail (2.3774)", "Microsoft Outlook 16.0", "Thunderbird 128.2.0"]
                ),
            )
        )
    for k, v in case.headers.items():
        headers.append((k, v))
    root = (headers + root[0], root[1])
    raw = serialize(root).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    charset = "/".join(dict.fromkeys(charset_seen))
    cte = "/".join(dict.fromkeys(cte_seen))
    probes = [p for p in (text, frag, alt, case_subject, *(a[2] for a in attachments)) if p]
    if case.sig_text:
        probes.append(tokens.fill(case.sig_text))
    if case.ps_text:
        probes.append(tokens.fill(case.ps_text))
    return Built(raw, shape_name, charset, cte, decoy, probes)


# --------------------------------------------------------------------------- checks & main


def check_case(case: Case) -> None:
    """Reject cases that break the corpus rules before anything is written."""
    import phonenumbers

    assert case.lang in LANGS, case.lang
    assert case.contact in (0, 1), case.note
    assert case.payment in (0, 1), case.note
    assert "§" in case.note, f"note must cite the guideline: {case.note}"
    assert case.where in {
        "body",
        "ps",
        "sig",
        "subject",
        "quote",
        "attribution",
        "hidden",
        "html",
        "attach",
        "fwd",
        "fwd-subject",
    }, case.where
    if case.where in ("hidden", "html"):
        assert case.html, case.note
    if case.where == "attach":
        assert case.attach, case.note
    for number in case.phones:
        parsed = phonenumbers.parse(number, None)
        assert phonenumbers.is_valid_number(parsed), f"invalid phone {number} in {case.note}"


def _content(raw: bytes) -> str:
    """Everything §1 calls content, decoded with the standard library (an independent reader)."""
    from email import message_from_bytes, policy

    msg = message_from_bytes(raw, policy=policy.default)
    out = [str(msg["subject"])]
    for part in msg.walk():
        ctype = part.get_content_type()
        name = part.get_filename() or ""
        if ctype == "message/rfc822":
            out.append(str(part.get_payload()[0]["subject"]))
        elif part.get_content_maintype() == "text" or name.endswith(
            (".txt", ".csv", ".vcf", ".md")
        ):
            data = part.get_payload(decode=True)
            text = data.decode(part.get_content_charset() or "utf-8")
            out.append(text)
            if ctype == "text/html":
                out.append(html.unescape(re.sub(r"<[^>]+>", "", text)))
    return "\n".join(out)


def _squash(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("\r", "")).strip()


def verify(name: str, built: Built) -> None:
    """Check the written bytes: CRLF only, parseable, and every core readable where it was put."""
    assert b"\n" not in built.raw.replace(b"\r\n", b""), f"{name}: bare LF"
    content = _squash(_content(built.raw))
    for probe in built.probes:
        assert _squash(probe) in content, f"{name}: core not found after decoding: {probe[:60]!r}"


def main(argv: list[str] | None = None) -> int:
    """Write messages/, labels.csv and manifest.csv; print a summary."""
    del argv
    ck.self_test()
    cases = load_cases()
    for case in cases:
        check_case(case)
    out = HERE / "messages"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.eml"):
        old.unlink()
    label_rows = []
    manifest_rows = []
    for i, case in enumerate(cases, 1):
        name = f"{i:04d}.eml"
        built = build_message(case, i)
        (out / name).write_bytes(built.raw)
        verify(name, built)
        label_rows.append(
            [name, case.contact, case.payment, case.lang, f"{case.note} [in {case.where}]"]
        )
        manifest_rows.append(
            [
                name,
                case.contact,
                case.payment,
                case.lang,
                case.disguise,
                case.where,
                built.shape,
                built.charset,
                built.cte,
                built.decoy,
            ]
        )
    with (HERE / "labels.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["file", "contact", "payment", "language", "note"])
        w.writerows(label_rows)
    with (HERE / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            [
                "file",
                "contact",
                "payment",
                "language",
                "disguise",
                "where",
                "shape",
                "charset",
                "cte",
                "decoy",
            ]
        )
        w.writerows(manifest_rows)
    summary(cases)
    return 0


def summary(cases: list[Case]) -> None:
    """Print counts per label, language, disguise and placement."""
    kinds = Counter(
        "both"
        if c.contact and c.payment
        else "contact"
        if c.contact
        else "payment"
        if c.payment
        else "negative"
        for c in cases
    )
    pos = sum(1 for c in cases if c.contact or c.payment)
    print(
        f"{len(cases)} messages, {pos} positive ({pos / len(cases):.0%}), {len(cases) - pos} negative"
    )
    print("labels:", dict(kinds))
    print("languages:", dict(Counter(c.lang for c in cases).most_common()))
    print("placements:", dict(Counter(c.where for c in cases).most_common()))
    print("disguises:", dict(sorted(Counter(c.disguise for c in cases).items())))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
