"""Rewriting one recipient's copy so that no participant's real address reaches anyone.

Headers are rebuilt, never edited: the outgoing header block is written from an allowlist of the
sender's headers plus the gateway's own (From, Reply-To, To, Cc, Message-ID, mapped
In-Reply-To/References). Values taken from the sender are used in their raw, encoded form with
every CR and LF removed, and folded here: Python 3.11.7 predates the fix for CVE-2024-6923, where
re-folding decoded text holding CR/LF can emit a real new header line (see DESIGN.md).

Message-IDs map both ways (invariant 6): a recipient's mail program only ever sees the ids it
knows: the relayed id of a message it received, or the original id of a message it sent itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from email.header import Header, decode_header, make_header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, getaddresses, parsedate_to_datetime

from gateway import mime
from gateway.context import KnownMessage, Person, ThreadInfo

# Headers of the sender's that are safe to pass on unchanged (besides MIME-Version/Content-*).
PASS_THROUGH = (
    "subject",
    "date",
    "content-language",
    "accept-language",
    "importance",
    "priority",
    "x-priority",
    "sensitivity",
    "auto-submitted",
    "precedence",
    "thread-topic",
    "thread-index",
)
KEEP_IN_BODY = ("mime-version", "content-")
MAX_LINE = 78
HARD_LIMIT = 998
_MSGID = re.compile(r"<[^<>\s]{1,900}>")
_BREAKS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]+")  # CR, LF and every other control but TAB
_FOLD = re.compile(r"\r?\n(?=[ \t])")


def clean(value: str) -> str:
    """Unfold a raw header value; remove CR, LF and other controls (the CVE-2024-6923 guard).

    Controls such as form feed are removed too: Python's str.splitlines() breaks lines at them,
    so a later consumer using it could otherwise see a new header line.
    """
    return _BREAKS.sub(" ", _FOLD.sub("", value)).strip()


def fold(name: str, value: str) -> bytes:
    """One header field as CRLF-terminated bytes, folded at spaces to 78 (never over 998) octets."""
    words = clean(value).split(" ")
    lines, current = [], f"{name}:"
    for word in words:
        if not word:
            continue
        if len(current) + 1 + len(word) > MAX_LINE and current.strip() not in {"", f"{name}:"}:
            lines.append(current)
            current = " " + word
        else:
            current += " " + word
    lines.append(current)
    return "\r\n".join(lines).encode("utf-8", "surrogateescape") + b"\r\n"


def raw_values(message: EmailMessage, name: str) -> list[str]:
    """Every raw (still encoded) value of a header, as the sender wrote it."""
    name = name.lower()
    return [str(v) for k, v in message.raw_items() if k.lower() == name]


def addresses(message: EmailMessage, *names: str) -> list[str]:
    """Lower-cased addresses from the named address headers; malformed entries are skipped."""
    values = [clean(v) for n in names for v in raw_values(message, n)]
    return [a.lower() for _, a in getaddresses(values) if "@" in a]


def header_from(message: EmailMessage) -> str | None:
    """The first address of the From header, lower-cased, if there is one."""
    found = addresses(message, "from")
    return found[0] if found else None


def referenced_ids(message: EmailMessage) -> list[str]:
    """Message-IDs named by In-Reply-To and References, in order, without duplicates."""
    seen: dict[str, None] = {}
    for name in ("in-reply-to", "references"):
        for value in raw_values(message, name):
            seen.update(dict.fromkeys(_MSGID.findall(clean(value))))
    return list(seen)


def map_reference(msgid: str, recipient: Person, known: Sequence[KnownMessage]) -> str | None:
    """The id `recipient`'s mail program knows for the message `msgid` names, else None."""
    for item in known:
        if msgid in (item.relayed_id, item.original_id):
            own = item.sender_id == recipient.id
            return item.original_id if own else item.relayed_id
    return None


def mailbox(person: Person, platform: str) -> str:
    """`"Ann Lee via GigBridge" <relay address>`, RFC 2047-encoded when not ASCII."""
    return formataddr((clean(f"{person.label} via {platform}"), person.relay_address), "utf-8")


def visible_recipients(
    message: EmailMessage, header: str, thread: ThreadInfo
) -> tuple[list[Person], list[str]]:
    """Participants named in a To/Cc header (by real or relay address), and the dropped rest."""
    people: list[Person] = []
    dropped: list[str] = []
    for address in addresses(message, header):
        person = thread.by_address(address) or thread.by_relay(address)
        if person is None:
            dropped.append(address)
        elif person not in people:
            people.append(person)
    return people, dropped


def _date(message: EmailMessage, fallback) -> str:
    """The sender's Date if it parses, else the time the gateway received the message."""
    for value in raw_values(message, "date"):
        try:
            parsedate_to_datetime(clean(value))
            return clean(value)
        except (TypeError, ValueError, IndexError):
            break
    return format_datetime(fallback)


def build_headers(
    message: EmailMessage,
    *,
    thread: ThreadInfo,
    sender: Person,
    recipient: Person,
    platform: str,
    relayed_id: str,
    known: Sequence[KnownMessage],
    received_at,
    trace_domain: str,
    subject: str | None = None,
) -> tuple[bytes, list[str]]:
    """The outgoing header block for one recipient, and the addresses that were dropped."""
    to, dropped_to = visible_recipients(message, "to", thread)
    cc, dropped_cc = visible_recipients(message, "cc", thread)
    if recipient not in to and recipient not in cc:
        to.append(recipient)
    out = [
        fold("From", mailbox(sender, platform)),
        fold("Reply-To", mailbox(sender, platform)),
        fold("To", ", ".join(mailbox(p, platform) for p in to)),
    ]
    if cc:
        out.append(fold("Cc", ", ".join(mailbox(p, platform) for p in cc)))
    out.append(fold("Subject", subject or (raw_values(message, "subject") or [""])[0]))
    out.append(fold("Date", _date(message, received_at)))
    out.append(fold("Message-ID", relayed_id))
    out.extend(_threading(message, recipient, known))
    out.extend(_pass_through(message))
    out.append(fold("X-Relay-Thread", f"{thread.id}@{trace_domain}"))
    return b"".join(out), dropped_to + dropped_cc


def _threading(
    message: EmailMessage, recipient: Person, known: Sequence[KnownMessage]
) -> list[bytes]:
    """In-Reply-To and References, each id mapped for the recipient; unknown ids dropped."""
    lines = []
    for name in ("In-Reply-To", "References"):
        ids = [i for v in raw_values(message, name) for i in _MSGID.findall(clean(v))]
        mapped = [m for m in (map_reference(i, recipient, known) for i in ids) if m]
        if mapped:
            lines.append(fold(name, " ".join(dict.fromkeys(mapped))))
    return lines


def _pass_through(message: EmailMessage) -> list[bytes]:
    """The allowlisted sender headers other than Subject and Date, unchanged but re-folded."""
    lines = []
    for name, value in message.raw_items():
        if name.lower() in PASS_THROUGH and name.lower() not in {"subject", "date"}:
            lines.append(fold(name, str(value)))
    return lines


def strip_to_mime(message: EmailMessage) -> None:
    """Remove every top-level header but MIME-Version and Content-*: the body keeps only those."""
    for name in {k for k in message if not k.lower().startswith(KEEP_IN_BODY)}:
        del message[name]


def replace_in_body(message: EmailMessage, replacements: dict[str, str]) -> bool:
    """Replace each key (case-insensitive) by its value in all the content a recipient can open.

    That is every text/* leaf (body parts and text attachments alike) and the headers of
    attached messages (message/rfc822), but nothing inside signed or encrypted parts. No-leak
    wins over byte-identical text attachments: a forwarded mail quoting a participant's real
    address must not deliver it. Binary attachments are never touched.
    """
    pattern = _pattern(replacements)
    if pattern is None:
        return False
    lookup = _lookup(replacements)
    # Every real address holds an "@", a character no other one matches case-insensitively:
    # a text without one cannot match, and the regex (which tries every position of a 100 KB
    # body, about 2 ms) is skipped.
    anchor = "@" if all("@" in key for key in replacements) else ""

    def swap(text: str) -> str:
        if anchor and anchor not in text:
            return text
        return pattern.sub(lookup, text)

    changed = []
    for kind, part in _editable(message):
        if kind == "headers":
            changed_headers = _replace_in_headers(part, pattern, swap)
            if changed_headers:
                changed.append(part)
            continue
        if kind == "raw":  # a multipart the parser could not split: its body as received
            if pattern.search(part._payload):
                part._payload = swap(part._payload)
                changed.append(part)
            continue
        text = mime.part_text(part)
        new = swap(text)
        if new != text:
            mime.set_part_text(part, new)
            changed.append(part)
    changed.extend(_replace_in_mime_headers(message, pattern, swap))
    if changed:
        leaves = [
            p for p in changed if not p.is_multipart() and p.get_content_maintype() != "multipart"
        ]
        mime.guard_boundaries(message, leaves)
    return bool(changed)


def _editable(part: EmailMessage):
    """("text", leaf) and ("headers", attached message) pairs, skipping signed/encrypted parts."""
    if mime.is_protected(part):
        return
    if part.get_content_type() == "message/rfc822":
        for inner in part.get_payload() or []:
            yield "headers", inner
            yield from _editable(inner)
    elif part.is_multipart():
        for child in part.get_payload() or []:
            yield from _editable(child)
    elif part.get_content_maintype() == "multipart" and isinstance(part._payload, str):
        # No boundary line found: mail programs show this text as it is, so it is edited too
        # (found by tests/test_hostile_properties.py).
        yield "raw", part
    elif part.get_content_maintype() == "text":
        yield "text", part


def _replace_in_headers(message: EmailMessage, pattern: re.Pattern[str], swap) -> bool:
    """Rewrite raw header values of an attached message in place, keeping their order."""
    items = list(message.raw_items())
    swapped = [(name, _swap_header_value(str(value), pattern, swap)) for name, value in items]
    if swapped == [(name, str(value)) for name, value in items]:
        return False
    for name in {name for name, _ in items}:
        del message[name]
    for name, value in swapped:
        message.set_raw(name, value)
    return True


def _replace_in_mime_headers(message: EmailMessage, pattern: re.Pattern[str], swap) -> list:
    """Swap in the headers of every body part (a file name, a description, a boundary, even a
    junk header name) and in the preamble and epilogue of multiparts; at the top level only in
    Content-* headers (the rest of the top-level block is rebuilt by build_headers).

    These headers travel with the body unchanged, so an attachment named after a real address
    would deliver it. A boundary changed here stays consistent: the generator writes the
    delimiter lines from the Content-Type parameter. Signed and encrypted parts are left alone.
    """
    changed = []
    stack = [message]
    while stack:
        part = stack.pop()
        if mime.is_protected(part):
            continue
        items = list(part.raw_items())
        swapped = [
            (swap(name), _swap_header_value(str(value), pattern, swap))
            if part is not message or _is_mime(name)
            else (name, str(value))
            for name, value in items
        ]
        if swapped != [(name, str(value)) for name, value in items]:
            for name in {name for name, _ in items}:
                del part[name]
            for name, value in swapped:
                part.set_raw(name, value)
            changed.append(part)
        for attribute in ("preamble", "epilogue"):  # text around the parts, in the bytes too
            text = getattr(part, attribute, None)
            if isinstance(text, str) and pattern.search(text):
                setattr(part, attribute, swap(text))
                changed.append(part)
        payload = part.get_payload() if part.is_multipart() else None
        if isinstance(payload, list):
            stack.extend(payload)
    return changed


def _is_mime(name: str) -> bool:
    return name.lower().startswith("content-")


_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def _swap_header_value(raw: str, pattern: re.Pattern[str], swap) -> str:
    """Replace in a raw header value, including inside RFC 2047 encoded words.

    A forwarded mail can carry `"=?utf-8?q?ann=40example.org?=" <ann@example.org>`: replacing
    the raw text alone would leave the address readable in the decoded display name (found by
    tests/test_hostile_properties.py). Each encoded word holding a match is re-encoded with the
    replacement; if a match spans several words, the whole value is re-encoded as one.
    """
    value = swap(raw)
    if "=?" not in value:
        return value

    def fix_word(match: re.Match[str]) -> str:
        text = _decode_words(match[0])
        return Header(swap(text), "utf-8").encode() if pattern.search(text) else match[0]

    value = _ENCODED_WORD.sub(fix_word, value)
    if pattern.search(_decode_words(value)):
        value = Header(swap(_decode_words(value)), "utf-8").encode(maxlinelen=HARD_LIMIT)
    return value


def _decode_words(value: str) -> str:
    """The text of a header value with encoded words decoded (broken ones kept as written)."""
    try:
        return str(make_header(decode_header(clean(value))))
    except Exception:  # unknown charsets, broken base64: what is readable is the raw text
        return value


def rewritten_subject(message: EmailMessage, replacements: dict[str, str]) -> str | None:
    """The Subject re-encoded with replacements applied, or None when nothing needs replacing.

    Only then is the decoded text used; CR/LF are removed before encoding (CVE-2024-6923).
    """
    decoded = clean(str(message.get("subject", "") or ""))
    pattern = _pattern(replacements)
    if pattern is None or not pattern.search(decoded):
        return None
    new = pattern.sub(_lookup(replacements), decoded)
    return Header(new, "utf-8").encode(maxlinelen=HARD_LIMIT) if not new.isascii() else new


def _pattern(replacements: dict[str, str]) -> re.Pattern[str] | None:
    """One case-insensitive alternation of the keys, longest first."""
    if not replacements:
        return None
    keys = sorted(replacements, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys), re.I)


def _lookup(replacements: dict[str, str]) -> Callable[[re.Match[str]], str]:
    """The replacement for a match of `_pattern`: found by its lower case, or else by the key
    it matches case-insensitively.

    Why the fallback: the regex matches by simple case folding, under which "kİm@x.org",
    "ſam@x.org" or a Kelvin sign match a key whose `lower()` is not the match's `lower()`
    ("İ".lower() is two characters). Without it such a quoted address raised KeyError (451).
    """
    table = {k.lower(): v for k, v in replacements.items()}

    def value(match: re.Match[str]) -> str:
        found = match[0]
        known = table.get(found.lower())
        if known is not None:
            return known
        for key, replacement in replacements.items():
            if re.fullmatch(re.escape(key), found, re.I):
                return replacement
        raise AssertionError(f"{found!r} matched no replacement key")  # the pattern's own keys

    return value


def address_replacements(thread: ThreadInfo) -> dict[str, str]:
    """Every participant's real address mapped to their relay address."""
    return {p.address: p.relay_address for p in thread.participants}


def redaction_replacements(texts: Iterable[str], marker: str) -> dict[str, str]:
    """Each finding's text mapped to the redaction marker (empty strings ignored)."""
    return {t: marker for t in texts if t.strip()}
