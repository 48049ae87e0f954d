"""Sending a big copy over SMTP in windows, dot-stuffed window by window.

Why not `aiosmtplib.SMTP.sendmail`: its DATA step normalises line ends, dot-stuffs and appends
the end marker on the whole message (three full-size copies) and hands everything to the
transport at once (whose buffer is a fourth). Our copies already have CRLF line ends (the
signer refuses anything else), so each window, cut just after a LF, is dot-stuffed on its own
and written when the socket has drained the previous one.

This uses aiosmtplib's protocol object for the DATA exchange (`write`, `read_response` and its
flow control); the commands before it go through the public API.
"""

from __future__ import annotations

import re

import aiosmtplib
from aiosmtplib.response import SMTPResponse

STREAM_BYTES = 1024 * 1024  # copies from this size on are streamed
WINDOW = 256 * 1024
_LEADING_DOT = re.compile(rb"^\.", re.M)


def stuffed_windows(data: bytes, size: int = WINDOW):
    """`data` dot-stuffed (RFC 5321 4.5.2) in windows that each start at a line start."""
    view = memoryview(data)
    start = 0
    while start < len(data):
        cut = data.rfind(b"\n", start, start + size) + 1
        end = cut if cut > start and start + size < len(data) else min(start + size, len(data))
        if end < len(data) and data[end - 1 : end] != b"\n":  # a line longer than the window
            end = data.find(b"\n", end) + 1 or len(data)
        yield _LEADING_DOT.sub(b"..", view[start:end])
        start = end


async def send(
    client: aiosmtplib.SMTP, sender: str, recipient: str, data: bytes, options: list[str]
) -> str:
    """MAIL, RCPT, then DATA written window by window; the final answer's text."""
    await client._ehlo_or_helo_if_needed()
    options = list(options)
    encoding = "utf-8" if "SMTPUTF8" in options else "ascii"
    if client.supports_extension("size"):
        options.insert(0, f"size={len(data)}")  # RFC 1870: an estimate is allowed
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
    response: SMTPResponse = await protocol.read_response(timeout=client.timeout)
    if response.code != 250:
        raise aiosmtplib.SMTPDataError(response.code, response.message)
    return response.message  # what sendmail returns
