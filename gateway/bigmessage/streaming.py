"""Sending a copy over SMTP in windows, dot-stuffed window by window.

Why not `aiosmtplib.SMTP.sendmail`: its DATA step normalises line ends, dot-stuffs and appends
the end marker on the whole message (three full-size copies) and hands everything to the
transport at once (whose buffer is a fourth). Our copies already have CRLF line ends (the
signer refuses anything else), so each window, cut just after a LF, is dot-stuffed on its own
and written when the socket has drained the previous one. Copies under STREAM_BYTES go this
way too when they have CRLF line ends only (`like_sendmail`): the bytes on the wire are the
ones sendmail writes, without its two regex passes for line ends and one for dots (about
3.4 ms per 100 KB copy, 0.19 ms per 5 KB one).

This uses aiosmtplib's protocol object for the DATA exchange (`write`, `read_response` and its
flow control); the commands before it go through the public API.
"""

from __future__ import annotations

import aiosmtplib
from aiosmtplib.email import parse_address
from aiosmtplib.response import SMTPResponse

STREAM_BYTES = 1024 * 1024  # copies from this size on are streamed
WINDOW = 256 * 1024


def dot_stuff(window: bytes) -> bytes:
    """RFC 5321 4.5.2 on bytes that start at a line start: a "." opening a line is doubled.

    The same as `re.sub(rb"(?m)^\\.", b"..", window)` (aiosmtplib's way; a line starts at the
    beginning and after every LF), in C-level searches: about four times faster on 100 KB.
    """
    if window[:1] != b"." and b"\n." not in window:
        return window
    return (b"\n" + window).replace(b"\n.", b"\n..")[1:]


def crlf_only(data: bytes) -> bool:
    """Every CR is followed by LF and every LF follows a CR (no bare line ends)."""
    lf = data.count(b"\n")
    return lf == data.count(b"\r") == data.count(b"\r\n")


def stuffed_windows(data: bytes, size: int = WINDOW):
    """`data` dot-stuffed (RFC 5321 4.5.2) in windows that each start at a line start."""
    start = 0
    while start < len(data):
        cut = data.rfind(b"\n", start, start + size) + 1
        end = cut if cut > start and start + size < len(data) else min(start + size, len(data))
        if end < len(data) and data[end - 1 : end] != b"\n":  # a line longer than the window
            end = data.find(b"\n", end) + 1 or len(data)
        yield dot_stuff(data[start:end] if start or end < len(data) else data)
        start = end


async def send(
    client: aiosmtplib.SMTP,
    sender: str,
    recipient: str,
    data: bytes,
    options: list[str],
    *,
    like_sendmail: bool = False,
) -> str:
    """MAIL, RCPT, then DATA written window by window; the final answer's text.

    `like_sendmail` (copies with CRLF line ends only, of any size): the checks and SIZE of
    `aiosmtplib.SMTP.sendmail`, whose DATA bytes this then writes exactly (sendmail's line-end
    normalisation has nothing to change in such a copy, and costs two regex passes over it).
    """
    if like_sendmail:
        parse_address(sender)
        parse_address(recipient)
    await client._ehlo_or_helo_if_needed()
    options = list(options)
    encoding = "utf-8" if "SMTPUTF8" in options else "ascii"
    if like_sendmail and encoding == "utf-8" and not client.supports_extension("smtputf8"):
        raise aiosmtplib.SMTPNotSupported("SMTPUTF8 is not supported by this server")
    if client.supports_extension("size"):
        size = len(data) if not like_sendmail or data.endswith(b"\r\n") else len(data) + 2
        options.insert(0, f"size={size}")  # RFC 1870: an estimate is allowed
    await client.mail(sender, options=options, encoding=encoding)
    await client.rcpt(recipient, encoding=encoding)
    start = await client.execute_command(b"DATA")
    if start.code != 354:
        raise aiosmtplib.SMTPDataError(start.code, start.message)
    protocol = client.protocol
    assert protocol is not None
    for window in stuffed_windows(data):
        protocol.write(window)
        await protocol._drain_helper()  # wait while the transport's buffer is full
    protocol._response_pending = True  # the answer to the end marker is expected now
    protocol.write(b".\r\n" if data.endswith(b"\r\n") else b"\r\n.\r\n")
    try:
        response: SMTPResponse = await protocol.read_response(timeout=client.timeout)
    except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError):
        client.close()  # as aiosmtplib's own commands do: no QUIT to a server that hangs
        raise
    if response.code != 250:
        raise aiosmtplib.SMTPDataError(response.code, response.message)
    return response.message  # what sendmail returns
