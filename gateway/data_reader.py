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
- Above SPOOL_BYTES the content goes to an unnamed temporary file as it arrives and is read
  back in one read at the end, so a 25 MB message exists once in memory, not as a growing
  buffer plus its final copy (docs/performance.md). The file is only a buffer: the archive's
  database row stays the stored copy, written and committed before any 250. If the file
  cannot be written (disk full), the reader simply keeps the content in memory.
- A line is any run of bytes between CR or LF characters (bare or paired); one longer than 998
  octets (RFC 5321 4.5.3.1.6) makes the message refused after the end marker, with the session
  kept usable. Over-long and oversized input is counted and thrown away as it arrives, never
  buffered.

It reads in pieces up to the next `<LF>.<CRLF>` (`readuntil`), not line by line: a 5 KB message
is one or two pieces instead of ~70 lines, each piece checked with C-level operations
(`splitlines` for the line lengths, `replace` for the dot-unstuffing). The end marker is the
first such piece whose LF follows a CR; the start of DATA counts as a line start (an empty
message is just ".<CRLF>"), so the first byte is read alone and the marker never hides behind a
line start we made ourselves. Nothing past the end marker is consumed (a pipelining client's
next command stays in the stream). While DATA is read the stream's limit is raised to
DATA_WINDOW (the limit is also asyncio's flow-control mark: at aiosmtpd's 1,000 octets every
network read of a message paused and resumed the socket, a system call each). A piece that
could be refused (oversized, or holding a run over 998 octets) is checked again line by line
with the original rule, so which refusal a message gets does not depend on how it arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import tempfile
from dataclasses import dataclass

MAX_LINE = 998
SPOOL_BYTES = 1024 * 1024  # content beyond this goes to a temporary file while it arrives
FLUSH_BYTES = 256 * 1024  # spooled content is written in pieces of about this size
END = b".\r\n"
MARK = b"\n.\r\n"  # every end marker <CRLF>.<CRLF> ends with this
DATA_WINDOW = 64 * 1024  # the stream's limit (and flow-control mark) while DATA is read
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

    def __init__(
        self,
        reader: asyncio.StreamReader,
        *,
        size_limit: int | None,
        too_big: str,
        spool_over: int = SPOOL_BYTES,
    ):
        self.reader = reader
        self.spool_over = spool_over
        self.spool = None  # the temporary file, once the content passed spool_over
        self.spooled = 0
        self.size_limit = size_limit
        self.too_big = too_big
        self.body: bytearray | None = bytearray()
        self.size = 0
        self.run = 0  # octets since the last CR or LF
        self.tail = b"\r\n"  # the last 2 bytes read (DATA starts at a line start)
        self.problem: str | None = None

    async def read(self) -> DataResult:
        """Read until <CRLF>.<CRLF>; cancellation (connection lost) propagates."""
        reader = self.reader
        limit = getattr(reader, "_limit", None)
        if isinstance(limit, int):
            reader._limit = max(limit, DATA_WINDOW)
        try:
            await self._read_pieces()
        except asyncio.IncompleteReadError as error:  # EOF inside DATA
            raise ConnectionResetError("connection closed during DATA") from error
        finally:
            if isinstance(limit, int):
                reader._limit = limit
        if self.problem:
            return DataResult(None, self.problem, self.size)
        content = self._spooled_content() if self.spool is not None else None
        if content is None:
            content = bytes(self.body or b"")
        self.body = None
        return DataResult(content, None, self.size)

    async def _read_pieces(self) -> None:
        """Take every piece up to the end marker (which is consumed, and nothing after it)."""
        reader = self.reader
        at_line_start = True  # the start of DATA, or a piece just ended with <LF>.<CRLF>
        while True:
            if at_line_start:
                # The marker here would be ".<CRLF>" alone, its CRLF already taken: look at
                # the next byte (and the two after a dot) before searching further.
                first = await reader.readexactly(1)
                if first == b".":
                    first += await reader.readexactly(2)
                    if first == END and self.tail == b"\r\n":
                        return
                self._take_piece(first)
            try:
                piece = await reader.readuntil(MARK)
            except asyncio.LimitOverrunError as error:
                # No marker within the limit: take what is there (readuntil left the last
                # bytes, which could begin a marker, in the stream).
                self._take_piece(await reader.read(error.consumed))
                at_line_start = False
                continue
            before = piece[-5:-4] if len(piece) >= 5 else self.tail[-1:]
            if before == b"\r":  # <CR><LF>.<CR><LF>: the end; the CRLF is content
                self._take_piece(piece[:-3])
                return
            self._take_piece(piece)  # a bare LF, then a line holding a dot: content
            at_line_start = True

    def _take_piece(self, raw: bytes) -> None:
        """Unstuff, check and keep one piece of the stream (its bytes as received)."""
        tail = self.tail
        joined = tail + raw
        self.tail = joined[-2:]
        if self.problem is not None:  # refused already: only counted
            self.size += len(raw)
            return
        # A stuffed dot is a "." right after CRLF; `tail` (the 2 bytes before the piece) finds
        # one whose CRLF ended the previous piece. Only dots at index 2 and on can go.
        piece = joined.replace(b"\r\n.", b"\r\n")[2:] if b"\r\n." in joined else raw
        runs = piece.splitlines()  # bytes split on CR, LF and CRLF only
        if runs:
            longest = max(self.run + len(runs[0]), max(map(len, runs)))
            ended = piece[-1] in (13, 10)
            run = 0 if ended else (len(runs[-1]) if len(runs) > 1 else self.run + len(runs[0]))
        else:  # an empty piece
            longest = run = self.run
        if longest > MAX_LINE or (self.size_limit and self.size + len(raw) > self.size_limit):
            self._take_lines(raw, tail)  # a refusal, maybe: the exact rule, line by line
            return
        self.run = run
        self._keep(piece)
        self.size += len(raw)

    def _take_lines(self, raw: bytes, tail: bytes) -> None:
        """`raw` line by line, each line unstuffed and checked as it arrives (`_take`)."""
        at_line_start = tail == b"\r\n"
        start = 0
        if tail[-1:] == b"\r" and raw[:1] == b"\n":  # a CRLF cut between two pieces
            self._take(b"\n")
            self.size += 1
            start, at_line_start = 1, True
        while start < len(raw):
            end = raw.find(b"\r\n", start)
            end = len(raw) if end < 0 else end + 2
            line = raw[start:end]
            self._take(line[1:] if at_line_start and line.startswith(b".") else line)
            self.size += len(line)
            at_line_start = line.endswith(b"\r\n")
            start = end

    def _spool(self) -> None:
        """Move what is kept so far to the temporary file (created the first time)."""
        assert self.body is not None
        try:
            if self.spool is None:
                # unnamed, gone when closed; closed by _close_spool (it outlives this call)
                self.spool = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115
            _write_all(self.spool, self.body)
        except OSError:  # disk full or no temp folder: keep the content in memory instead
            self._unspool()
            self.spool_over = 0
            return
        self.spooled += len(self.body)
        self.body = bytearray()

    def _unspool(self) -> None:
        """Bring spooled content back into memory (only when the file fails)."""
        if self.spool is None:
            return
        with contextlib.closing(self.spool) as spool:
            self.spool = None
            if self.spooled:
                spool.seek(0)
                self.body = bytearray(spool.read(self.spooled)) + (self.body or b"")
            self.spooled = 0

    def _spooled_content(self) -> bytes | None:
        """The whole content read back in one read (one bytes object of the final size)."""
        assert self.spool is not None
        assert self.body is not None
        try:
            if self.body:
                _write_all(self.spool, self.body)
                self.spooled += len(self.body)
            self.body = bytearray()
            self.spool.seek(0)
            content = self.spool.read(self.spooled)
            while len(content) < self.spooled:  # a short read (not seen on regular files)
                more = self.spool.read(self.spooled - len(content))
                if not more:
                    raise OSError("spool file shorter than written")
                content += more
        except OSError:
            self._unspool()
            return None
        self._close_spool()
        return content

    def _close_spool(self) -> None:
        if self.spool is not None:
            with contextlib.suppress(OSError):
                self.spool.close()
            self.spool = None

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
        self._keep(piece)

    def _keep(self, piece: bytes) -> None:
        """Add to the content (spooled to the file once it is large)."""
        if self.body is not None:
            self.body += piece
            if self.spool_over and (
                len(self.body) >= FLUSH_BYTES if self.spool else len(self.body) >= self.spool_over
            ):
                self._spool()

    def _refuse(self, reply: str) -> None:
        """Remember the first problem and stop keeping data (memory stays bounded)."""
        self.problem = reply
        self.body = None
        self._close_spool()


def _write_all(file, data: bytes | bytearray) -> None:
    """Write every byte (an unbuffered file may take less than asked)."""
    view = memoryview(data)
    while view:
        view = view[file.write(view) :]
