"""A big message's skeleton: its bytes with each big binary leaf body replaced by a token.

How it stays exact: a small byte-level walk proposes the spans (leaf bodies of at least
`PART_MIN_BYTES` whose Content-Type is not text, multipart or message), and the span is only
cut when the `email` parser cannot tell the difference:

- the span is 7-bit, has CRLF line ends only and no line starting with "--" (so no boundary of
  any enclosing multipart can end inside it, and the generator writes it back byte for byte:
  base64 and quoted-printable bodies are like that);
- the skeleton is parsed with `mime.parse`, and each token must be the whole payload of exactly
  one leaf that the scanner would not read (binary by type and file name; see
  `gateway.scanning.attachments.kind`). Any doubt and `make` returns None: the message takes
  the ordinary path, which is slower but handles everything.

Then the parse of the skeleton is the parse of the message, except that those leaves' payloads
are tokens; `splice` puts the original bytes back where the serialised copy has a token.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import compat32

from gateway import mime
from gateway.bigmessage import PART_MIN_BYTES
from gateway.scanning import attachments
from storage.chunks import Chunks

MAX_DEPTH = 8
MAX_HEADER_BYTES = 64 * 1024
_NOT_SEVEN_BIT = re.compile(rb"[\x80-\xff]")
_DASH_LINE = re.compile(rb"^--", re.M)
_DOCUMENT_KINDS = ("pdf", "docx")


@dataclass(frozen=True)
class Skeleton:
    """The skeleton bytes, and for each token the span of the received bytes it stands for."""

    data: bytes
    spans: dict[bytes, tuple[int, int]]

    @property
    def cut(self) -> int:
        """How many bytes of the message are not in the skeleton."""
        return sum(end - start for start, end in self.spans.values())


def make(
    raw: bytes, *, part_min: int = PART_MIN_BYTES, documents: bool = False
) -> tuple[Skeleton, EmailMessage] | None:
    """The skeleton of `raw` and its parse, or None when no span can be cut safely.

    `documents`: the scanner reads PDF and .docx attachments, so those are never cut.
    """
    spans: list[tuple[int, int]] = []
    _walk(raw, 0, len(raw), 0, part_min, spans)
    spans = [s for s in spans if _span_is_plain(raw, *s)]
    if not spans:
        return None
    tag = os.urandom(12).hex().encode()
    tokens = [b"BIGPART-" + tag + b"-" + str(i).encode() for i in range(len(spans))]
    if raw.find(b"BIGPART-" + tag) >= 0:  # (never: 96 random bits) a token must be unique
        return None
    pieces: list[bytes | memoryview] = []
    view = memoryview(raw)
    position = 0
    for token, (start, end) in zip(tokens, spans, strict=True):
        pieces += [view[position:start], token]
        position = end
    pieces.append(view[position:])
    data = b"".join(pieces)
    view.release()
    message = mime.parse(data)
    if not _tokens_are_leaves(message, tokens, documents):
        return None
    return Skeleton(data, dict(zip(tokens, spans, strict=True))), message


def _walk(raw: bytes, start: int, end: int, depth: int, part_min: int, spans: list) -> None:
    """Propose the leaf body spans of the entity raw[start:end] (recursing into multiparts)."""
    if depth > MAX_DEPTH or end - start < part_min:
        return
    if raw.startswith(b"\r\n", start, end):
        head, body = b"", start + 2
    else:
        stop = raw.find(b"\r\n\r\n", start, min(end, start + MAX_HEADER_BYTES))
        if stop < 0:
            return
        head, body = raw[start : stop + 2], stop + 4
    headers = BytesHeaderParser(policy=compat32).parsebytes(head)
    ctype = headers.get_content_type()
    if ctype.startswith("multipart/"):
        boundary = headers.get_boundary()
        if boundary:
            _walk_multipart(raw, body, end, boundary, depth, part_min, spans)
        return
    if ctype.startswith(("text/", "message/")) or end - body < part_min:
        return
    spans.append((body, end))


def _walk_multipart(
    raw: bytes, body: int, end: int, boundary: str, depth: int, part_min: int, spans: list
) -> None:
    """Each part between consecutive delimiter lines of `boundary` (RFC 2046 5.1.1)."""
    try:
        marker = boundary.encode("ascii")
    except UnicodeError:
        return
    delimiter = re.compile(rb"^--" + re.escape(marker) + rb"(--)?[ \t]*\r?$", re.M)
    part_start = None
    for match in delimiter.finditer(raw, body, end):
        if part_start is not None:
            if not raw.startswith(b"\r\n", match.start() - 2):
                return  # the line end before a delimiter belongs to it; anything else: no cut
            _walk(raw, part_start, match.start() - 2, depth + 1, part_min, spans)
        if match[1]:  # the close delimiter
            return
        part_start = match.end() + 1  # after the delimiter line's LF
        if not raw.startswith(b"\n", match.end()):
            return


def _span_is_plain(raw: bytes, start: int, end: int) -> bool:
    """7-bit, CRLF line ends only, no line starting with "--": the parser cannot split it."""
    lf = raw.count(b"\n", start, end)
    return (
        end > start
        and lf == raw.count(b"\r", start, end) == raw.count(b"\r\n", start, end)
        and (start == 0 or raw[start - 1 : start] == b"\n")
        and _NOT_SEVEN_BIT.search(raw, start, end) is None
        and _DASH_LINE.search(raw, start, end) is None
    )


def _tokens_are_leaves(message: EmailMessage, tokens: list[bytes], documents: bool) -> bool:
    """Each token is the whole payload of exactly one binary leaf, and appears nowhere else."""
    wanted = {t.decode("ascii") for t in tokens}
    found: set[str] = set()
    for part in message.walk():
        payload = part._payload
        if not isinstance(payload, str):
            continue
        if payload in wanted:
            if payload in found or not _binary_leaf(part, documents):
                return False
            found.add(payload)
        elif "BIGPART-" in payload:
            return False
    return found == wanted


def _binary_leaf(part: EmailMessage, documents: bool) -> bool:
    """A leaf that no stage reads: not text, not a message, not a document the scanner opens."""
    ctype = part.get_content_type()
    if part.is_multipart() or ctype.startswith(("text/", "multipart/", "message/")):
        return False
    kind = attachments.kind(ctype, attachments.file_name(part))
    return kind is None or (kind in _DOCUMENT_KINDS and not documents)


def splice(serialized: bytes, skeleton: Skeleton, raw: bytes) -> tuple[bytes, Chunks]:
    """Split a serialised skeleton copy into its top header block and its body, tokens replaced.

    The header block ends with its last CRLF (the empty line is not part of it); the body is
    Chunks of the copy's own small pieces and memoryviews of `raw`, never joined. A token
    missing or doubled would mean a stage changed a leaf no stage touches: ValueError, so the
    message is answered with a temporary failure rather than sent wrong.
    """
    if serialized.startswith(b"\r\n"):
        head, body_start = b"", 2
    else:
        stop = serialized.find(b"\r\n\r\n")
        if stop < 0:
            raise ValueError("serialised skeleton has no body")
        head, body_start = serialized[: stop + 2], stop + 4
    found = []
    for token, span in skeleton.spans.items():
        at = serialized.find(token, body_start)
        if at < 0 or serialized.find(token, at + len(token)) >= 0:
            raise ValueError("a big part's token is missing or doubled in the outgoing copy")
        found.append((at, token, span))
    found.sort()
    text, source = memoryview(serialized), memoryview(raw)
    pieces: list[bytes | memoryview] = []
    position = body_start
    for at, token, (start, end) in found:
        pieces += [text[position:at], source[start:end]]
        position = at + len(token)
    pieces.append(text[position:])
    return head, Chunks(pieces)
