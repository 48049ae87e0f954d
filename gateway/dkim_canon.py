"""DKIM relaxed canonicalisation (RFC 6376 3.4.2 and 3.4.4) of the bytes the gateway writes.

Why our own: the sign stage knows where each copy's header block ends and its body begins (it
just wrote them), so handing the joined bytes to dkimpy meant splitting the whole message into
lines in Python again (`dkim.rfc822_parse`), canonicalising every header although only the
signed ones count, and joining the body back. Here the header block alone is split into fields
(a dozen short lines), only the selected fields are canonicalised, and the body is
canonicalised with three C-level regex/bytes operations without being split at all.

Every rule mirrors dkimpy's `Relaxed` class and `select_headers` exactly (dkimpy is what the
gateway's self-verify runs, and the tests compare our signatures with `dkim.sign()` byte for
byte and verify them with dkimpy and OpenDKIM over many message shapes):

- header: name lower-cased with trailing whitespace removed; value unfolded (CRLF removed),
  runs of SP/HTAB made one SP, leading and trailing whitespace removed, then CRLF;
- body: trailing SP/HTAB removed from every line, runs of SP/HTAB made one SP, all empty lines
  at the end removed, one CRLF at the end of a non-empty body, and an empty body stays empty.
"""

from __future__ import annotations

import re

__all__ = ["relaxed_body", "relaxed_value", "select", "split_fields"]

_FIELD_BREAK = re.compile(rb"\r\n(?![ \t])")  # a line end not followed by a fold
_FIELD_NAME = re.compile(rb"([\x21-\x7e]+?):")  # dkimpy's rule for a field name
_TRAILING_WSP = re.compile(rb"[\t ]+\r\n")
_WSP = re.compile(rb"[\t ]+")
# Only the runs that change: two or more blanks, or any run holding a tab (one SP stays one SP;
# matching every single space made the substitution ten times slower on ordinary text).
_WSP_RUN = re.compile(rb" [\t ]+|\t[\t ]*")
_SPACES = re.compile(rb"  +")  # _WSP_RUN once tabs are spaces (see _one_space)


def split_fields(head: bytes) -> list[tuple[bytes, bytes]]:
    """(name, raw value) for every field of a header block of CRLF lines (no blank line).

    The raw value is everything after the colon, continuation lines included. A line that is
    not a field raises ValueError: a verifier would not read the block as we do.
    """
    fields = []
    for field in _FIELD_BREAK.split(head):
        if not field:
            continue  # after the block's last CRLF
        match = _FIELD_NAME.match(field)
        if match is None:
            raise ValueError(f"message header is malformed: {field[:60]!r}")
        fields.append((match[1], field[match.end() :]))
    return fields


def relaxed_value(value: bytes) -> bytes:
    """A header value in relaxed form, without the CRLF the hash puts after it."""
    return _WSP.sub(b" ", value.replace(b"\r\n", b"")).strip()


def select(fields: list[tuple[bytes, bytes]], names: list[bytes]) -> list[tuple[bytes, bytes]]:
    """The fields `names` (lower-case h= list) signs, in h= order: each name takes the next
    instance from the bottom up; a name with no instance left signs nothing (RFC 6376 5.4.2)."""
    chosen = []
    last: dict[bytes, int] = {}
    lowered = [name.lower() for name, _ in fields]
    for name in names:
        i = last.get(name, len(fields))
        while i > 0:
            i -= 1
            if lowered[i] == name:
                chosen.append(fields[i])
                break
        last[name] = i
    return chosen


def _one_space(body: bytes) -> bytes:
    """`_WSP_RUN.sub(b" ", body)`: every run of SP/HTAB becomes one SP. Tabs become spaces
    first (`bytes.replace`), then a pattern that starts with a literal, which the regex engine
    finds with a fast search instead of trying every byte: 0.9 -> 0.18 ms per 100 KB body."""
    if b"\t" in body:
        body = body.replace(b"\t", b" ")
    return _SPACES.sub(b" ", body)


def relaxed_body(body: bytes) -> bytes:
    """The body in relaxed form (what bh= hashes)."""
    if b" \r\n" in body or b"\t" in body:
        body = _TRAILING_WSP.sub(b"\r\n", body)
    body = _one_space(body)
    end = len(body)
    while body.endswith(b"\r\n", 0, end):
        end -= 2
    if end == 0:
        return b""
    if end == len(body):
        return body + b"\r\n"
    return body[: end + 2]
