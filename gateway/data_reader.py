"""Reading the DATA of one SMTP transaction: end marker, dot-unstuffing, size and line limits.

Why our own loop instead of aiosmtpd's: aiosmtpd reads DATA line by line on CRLF and refuses any
"line" longer than its stream limit, so a body written with bare LF line ends (common from
scripts) was refused as "line too long"; it also keeps a list of lines and joins them, twice the
memory of the message. This reader keeps the same rules where they matter for safety and
changes only those two things:

- The message ends ONLY at <CRLF>.<CRLF> (RFC 5321 4.1.1.4). A bare <LF>.<LF>, <CR>.<CR> or any
  mix is content, so no client can smuggle a second message inside the first (SMTP smuggling,
  CVE-2023-51764 and friends). The content keeps those bytes; the outgoing copies are written
  with CRLF line ends by the MIME serializer, and aiosmtplib dot-stuffs them, so no bare line end
  or lone dot ever leaves the gateway.
- A line is any run of bytes between CR or LF characters (bare or paired); one longer than 998
  octets (RFC 5321 4.5.3.1.6) makes the message refused after the end marker, with the session
  kept usable. Over-long and oversized input is counted and thrown away as it arrives, never
  buffered.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

MAX_LINE = 998
END = b".\r\n"
_BREAK = re.compile(rb"[\r\n]")

LONG_LINE_REPLY = (
    "554 5.6.0 Line too long: RFC 5321 allows at most 998 octets per line; "
    "wrap the text or use quoted-printable or base64"
)


@dataclass
class DataResult:
    """What DATA brought: the unstuffed content, or the reply that refuses it."""

    content: bytes | None
    problem: str | None
    size: int


class DataReader:
    """Reads from an asyncio StreamReader up to the end marker; one instance per DATA."""

    def __init__(self, reader: asyncio.StreamReader, *, size_limit: int | None, too_big: str):
        self.reader = reader
        self.size_limit = size_limit
        self.too_big = too_big
        self.body: bytearray | None = bytearray()
        self.size = 0
        self.run = 0  # octets since the last CR or LF
        self.problem: str | None = None

    async def read(self) -> DataResult:
        """Read until <CRLF>.<CRLF>; cancellation (connection lost) propagates."""
        at_line_start = True
        while True:
            try:
                piece = await self.reader.readuntil(b"\r\n")
            except asyncio.LimitOverrunError as error:
                piece = await self.reader.read(error.consumed)
            except asyncio.IncompleteReadError as error:  # EOF inside DATA
                raise ConnectionResetError("connection closed during DATA") from error
            if at_line_start and piece == END:
                break
            complete = piece.endswith(b"\r\n")
            self._take(piece[1:] if at_line_start and piece.startswith(b".") else piece)
            self.size += len(piece)
            at_line_start = complete
        if self.problem:
            return DataResult(None, self.problem, self.size)
        content = bytes(self.body or b"")
        self.body = None
        return DataResult(content, None, self.size)

    def _take(self, piece: bytes) -> None:
        """Check the line lengths in `piece` and keep it while nothing is wrong."""
        end = len(piece) - 2
        if piece.endswith(b"\r\n") and _BREAK.search(piece, 0, end) is None:
            # The usual piece, one whole line ending in CRLF, needs no split: the general path
            # below, once per line, was over a third of reading a 5 KB message's DATA.
            longest = self.run + end
            self.run = 0
        else:
            pieces = _BREAK.split(piece)
            self.run += len(pieces[0])
            longest = (
                max(self.run, *(len(p) for p in pieces[1:-1])) if len(pieces) > 2 else self.run
            )
            if len(pieces) > 1:
                self.run = len(pieces[-1])
        if self.problem is None and max(longest, self.run) > MAX_LINE:
            self._refuse(LONG_LINE_REPLY)
        if self.problem is None and self.size_limit and self.size + len(piece) > self.size_limit:
            self._refuse(self.too_big)
        if self.body is not None:
            self.body += piece

    def _refuse(self, reply: str) -> None:
        """Remember the first problem and stop keeping data (memory stays bounded)."""
        self.problem = reply
        self.body = None
