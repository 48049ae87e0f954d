"""The scannable texts of a message (guideline section 1, "What is scanned").

`extract(message)` returns, in message order:

* ``subject``: the top-level Subject, RFC 2047 decoded (all Subject fields, one a line). A field
  the header parser chokes on is read raw instead; a decoding that loses text (undecodable
  encoded-words, 8-bit bytes in a charset it cannot guess) adds the raw value on a second line.
* ``part.N``: an inline text/* leaf (plain, html, csv, calendar, vcard, ...), N being its index in
  ``message.walk()``, after transfer and charset decoding (`mime.part_text`); HTML is turned into
  text by `html_text.render`, which keeps hidden text, comments, CSS strings and attribute values.
* ``part.N.attachment:NAME`` (``part.N.attachment`` without a file name): a leaf the sender
  attached: a text/* attachment, or a part of any type whose file name says it is text (``.txt
  .csv .vcf .md .ics .html ...``, see `attachments.kind`).
* ``part.N.subject``: the Subject of a message attached as message/rfc822 (or message/global),
  N being the walk index of the attached message itself; its text leaves follow as ``part.M``.
  Of an attached message's header fields only the Subject is content (guideline section 1), so
  text/rfc822-headers parts (bounces) also yield just their Subject.
* ``part.N.K...``: the parts of an attached message the parser could not see into (a
  message/rfc822 sent base64-encoded, an ``.eml`` file sent as application/octet-stream) are
  decoded, parsed and named by part N plus their own walk index K (``part.N.0.subject`` is that
  message's Subject, ``part.N.0`` its body when it is a single part).
* ``part.N.raw``: the decoded text of a leaf whose reading failed unexpectedly (never expected;
  the text is scanned rather than lost). A multipart whose boundary is missing, which the parser
  keeps as one string, is scanned as text under ``part.N``.

Not content: every other header field, and binary attachments (images, archives, PDF, Office
files). PDF and .docx text is only read with ``documents=True`` (guarded, see `attachments`):
the guideline lists PDF among the binary attachments that are not scanned.

Link targets, comments and CSS strings of HTML are written into the same text as the part's
visible text, each on its own line after the line it was found in (see `html_text`), so a
finding's span always points into ``ScanText.text``.

The total is bounded: once `max_chars` characters were returned, the text that crosses the
limit is cut there and nothing more is added (the scanner records the scan limit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage

from gateway import mime
from gateway.scanning import attachments
from gateway.scanning.html_text import html_to_text, render

__all__ = ["ScanText", "extract", "html_to_text"]

_MAX_REPARSE_DEPTH = 3  # attached messages decoded and parsed again, nested this deep at most
_LABEL_JUNK = re.compile(r"[\x00-\x1f\x7f\s]+")
_FOLD = re.compile(r"\r\n|\r|\n")
_MIME_NAME = r"[A-Za-z0-9!#$%&'*+.^_`{|}~-]+"
_SIMPLE_TYPE = re.compile(rf"[ \t]*({_MIME_NAME}/{_MIME_NAME})[ \t]*(?:;|\Z)")


@dataclass(frozen=True)
class ScanText:
    """One piece of content to scan, named by where it came from."""

    part: str
    text: str


def extract(
    message: EmailMessage, *, max_chars: int = 2_000_000, documents: bool = False
) -> list[ScanText]:
    """The Subject plus every text/* leaf and text attachment, nested messages included.

    `documents`: also read the text of PDF and .docx attachments (off: the guideline counts
    them as binary attachments, which are not content).
    """
    collector = _Collector(max_chars, documents)
    collector.add("subject", _subject(message) or "")
    collector.walk(message, "part.", depth=0)
    return collector.texts


class _Collector:
    """Walks a message tree and gathers its texts within the character budget."""

    def __init__(self, max_chars: int, documents: bool) -> None:
        self.texts: list[ScanText] = []
        self.remaining = max(max_chars, 0)
        self.full = False
        self.documents = documents

    def add(self, part: str, text: str) -> None:
        """Append one text, cut at the budget; after the budget is spent nothing is added."""
        if self.full:
            return
        if len(text) >= self.remaining:
            text = text[: self.remaining]
            self.full = True
        self.remaining -= len(text)
        if text or part == "subject":
            self.texts.append(ScanText(part, text))

    def walk(self, root: EmailMessage, prefix: str, depth: int, *, attached: bool = False) -> None:
        """Visit `root` and its sub-parts in `Message.walk()` order, without recursion.

        `attached`: `root` is an attached message (its Subject is content).
        """
        stack: list[tuple[EmailMessage, bool]] = [(root, attached)]
        index = -1
        while stack and not self.full:
            part, attached = stack.pop()
            index += 1
            name = f"{prefix}{index}"
            if attached:
                subject = _subject(part)
                if subject is not None:
                    self.add(f"{name}.subject", subject)
            payload = part._payload  # get_payload() would decode a string payload
            if isinstance(payload, list):
                children = [c for c in payload if isinstance(c, EmailMessage)]
                if _is_message(part) and _transfer_encoding(part) in ("base64", "quoted-printable"):
                    # The parser read the encoded text as a message: decode and parse it again.
                    for child in children:
                        index += _count(child)
                    if children and depth < _MAX_REPARSE_DEPTH:
                        data = _transfer_decode(_serialized_body(children[0]), part)
                        self.reparse(data, f"{name}.", depth + 1)
                    continue
                stack.extend((child, _is_message(part)) for child in reversed(children))
            else:
                try:
                    self.leaf(part, name, depth)
                except Exception:  # a bug or a stdlib crash must not hide the part: read it raw
                    self.add(f"{name}.raw", mime.part_text(part))

    def reparse(self, data: bytes, prefix: str, depth: int) -> None:
        """Parse the bytes of an attached message the parser could not see into, and walk it."""
        try:
            message = mime.parse(data)
        except Exception:  # e.g. RecursionError on absurd nesting: scan the bytes as text
            self.add(f"{prefix}raw", data.decode("utf-8", "replace"))
            return
        self.walk(message, prefix, depth, attached=True)

    def leaf(self, part: EmailMessage, name: str, depth: int) -> None:
        """Add the text of one leaf, if it is text (by type or by file name)."""
        ctype = _content_type(part)
        filename = attachments.file_name(part) if _may_have_name(part) else ""
        label = name
        if filename or _is_attachment(part):
            clean = _LABEL_JUNK.sub(" ", filename).strip()[:100]
            label = f"{name}.attachment:{clean}" if clean else f"{name}.attachment"
        if ctype.startswith("text/"):
            if ctype == "text/rfc822-headers":
                headers = mime.parse(mime.part_text(part).encode("utf-8", "surrogateescape"))
                subject = _subject(headers)
                if subject is not None:
                    self.add(f"{name}.subject", subject)
                return
            kind = "html" if attachments.kind("", filename) == "html" else "text"
            if ctype == "text/html":
                kind = "html"
        elif ctype.startswith("multipart/"):
            kind = "text"  # a multipart the parser could not split: its raw text is all there is
        else:
            kind = attachments.kind(ctype, filename)
        if kind == "text":
            self.add(label, mime.part_text(part))
        elif kind == "html":
            self.add(label, render(mime.part_text(part), limit=self.remaining))
        elif kind == "message":
            if depth < _MAX_REPARSE_DEPTH:
                self.reparse(_decoded(part), f"{name}.", depth + 1)
        elif kind == "pdf" and self.documents:
            self.add(label, attachments.pdf_text(_decoded(part), self.remaining))
        elif kind == "docx" and self.documents:
            self.add(label, attachments.docx_text(_decoded(part), self.remaining))


# --------------------------------------------------------------------------- headers


def _subject(message: EmailMessage) -> str | None:
    """The Subject fields, decoded, one a line; None when there is none. Never raises."""
    try:
        raw_values = [str(v) for k, v in message.raw_items() if k.lower() == "subject"]
    except Exception:  # defensive: raw_items only reads stored strings
        return None
    if not raw_values:
        return None
    return "\n".join(_decode_subject(message, raw) for raw in raw_values)


def _decode_subject(message: EmailMessage, raw: str) -> str:
    """RFC 2047-decode one raw Subject value; fall back to (and add) the raw value when lossy."""
    unfolded = _FOLD.sub("", raw)
    if "=?" not in unfolded and unfolded.isascii():
        return unfolded.strip()  # nothing to decode: skip the (slow) header parser
    plain = _raw_text(unfolded)
    try:
        decoded = str(message.policy.header_fetch_parse("Subject", raw))
    except Exception:  # the header parser has crashed on hostile input before
        return plain
    lossy = "\ufffd" in decoded and "\ufffd" not in plain
    if lossy or (not decoded.strip() and plain.strip()):
        return f"{decoded}\n{plain}" if decoded.strip() else plain
    return decoded


def _raw_text(value: str) -> str:
    """A raw header value with its 8-bit bytes (surrogate escapes) read as UTF-8, else Latin-1."""
    if value.isascii():
        return value
    data = value.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# --------------------------------------------------------------------------- parts


def _raw_header(part: EmailMessage, name: str) -> str | None:
    """The first header field `name` (lower case) exactly as received, or None."""
    for key, value in part.raw_items():
        if key.lower() == name:
            return value if isinstance(value, str) else str(value)
    return None


def _content_type(part: EmailMessage) -> str:
    """The lower-cased content type; text/plain (RFC 2045's default) when unreadable."""
    raw = _raw_header(part, "content-type")
    if raw is not None:
        simple = _SIMPLE_TYPE.match(raw)
        if simple:  # the common case, read without the (slow) header parser
            return simple[1].lower()
    try:
        return part.get_content_type()
    except Exception:  # a broken Content-Type must not stop the scan
        return "text/plain"


def _may_have_name(part: EmailMessage) -> bool:
    """False when neither Content-Type nor Content-Disposition can hold a file name."""
    for name in ("content-type", "content-disposition"):
        raw = _raw_header(part, name)
        if raw is not None and "name" in raw.lower():
            return True
    return False


def _is_message(part: EmailMessage) -> bool:
    """True for message/rfc822, message/global, ...: containers of one attached message."""
    return _content_type(part).startswith("message/")


def _is_attachment(part: EmailMessage) -> bool:
    """True when the sender marked the part `Content-Disposition: attachment`."""
    try:
        return part.get_content_disposition() == "attachment"
    except Exception:  # unreadable disposition: inline
        return False


def _transfer_encoding(part: EmailMessage) -> str:
    """The lower-cased Content-Transfer-Encoding, "" when absent or unreadable."""
    try:
        return str(part.get("content-transfer-encoding", "")).strip().lower()
    except Exception:  # unreadable header
        return ""


def _decoded(part: EmailMessage) -> bytes:
    """A leaf's bytes after transfer decoding; what can be recovered of a malformed encoding."""
    try:
        data = part.get_payload(decode=True)
    except Exception:  # the stdlib has crashed on hostile input before
        data = None
    if isinstance(data, bytes):
        return data
    payload = part._payload
    return payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""


def _serialized_body(message: EmailMessage) -> bytes:
    """The text the parser took for an attached message (its headers and body), as bytes."""
    try:
        return mime.serialize(message)
    except Exception:  # nothing usable
        return b""


def _transfer_decode(data: bytes, container: EmailMessage) -> bytes:
    """Undo the container's base64/quoted-printable on `data`, as the mail program would."""
    holder = EmailMessage()
    holder["Content-Transfer-Encoding"] = _transfer_encoding(container)
    holder.set_payload(data.decode("ascii", "surrogateescape"))
    return _decoded(holder)


def _count(part: EmailMessage) -> int:
    """How many parts `part.walk()` yields (the part and everything below it)."""
    count = 0
    stack = [part]
    while stack:
        node = stack.pop()
        count += 1
        payload = node._payload
        if isinstance(payload, list):
            stack.extend(c for c in payload if isinstance(c, EmailMessage))
    return count
