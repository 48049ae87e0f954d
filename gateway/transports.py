"""How an outgoing copy leaves the gateway: to an SMTP smarthost (aiosmtplib) or into a maildir.

Both implement the `Transport` protocol, so the delivery worker (and its tests) can use either,
or a fake that honours the protocol. Failures become `DeliveryError` with `permanent` set for 5xx
answers only; everything else (4xx, refused connections, timeouts, TLS trouble) is temporary.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import ssl
import time
from pathlib import Path
from typing import Protocol

import aiosmtplib

from gateway.addresses import random_token
from gateway.bigmessage import streaming
from gateway.config import SmtpDeliverySettings
from gateway.errors import DeliveryError

_EIGHT_BIT = re.compile(rb"[\x80-\xff]")


class Transport(Protocol):
    """Hands one message to one recipient; returns the receiving side's answer."""

    async def send(self, envelope_from: str, recipient: str, data: bytes) -> str: ...

    async def close(self) -> None: ...


def mail_options(data: bytes) -> list[str]:
    """SMTPUTF8 when the header block holds 8-bit bytes, BODY=8BITMIME when the body does.

    Searched in place: slicing the body off would copy a big message once more.
    """
    if data.isascii():  # the usual copy; one C-level pass instead of a regex over the body
        return []
    end = data.find(b"\r\n\r\n")
    end = len(data) if end < 0 else end
    options = []
    head_8bit = _EIGHT_BIT.search(data, 0, end) is not None
    if head_8bit:
        options.append("SMTPUTF8")
    if head_8bit or _EIGHT_BIT.search(data, end) is not None:
        options.append("BODY=8BITMIME")
    return options


def classify(error: Exception) -> DeliveryError:
    """aiosmtplib's typed errors -> temporary or permanent, keeping the server's code."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        error = error.recipients[0]
    code = getattr(error, "code", None)
    text = (
        f"{code} {getattr(error, 'message', '')}".strip()
        if code
        else f"{type(error).__name__}: {error}"
    )
    permanent = isinstance(code, int) and 500 <= code < 600
    return DeliveryError(text, permanent=permanent, code=code)


class SmtpTransport:
    """aiosmtplib to the configured smarthost, over connections kept open between messages.

    Why a pool: connecting, EHLO (and STARTTLS, AUTH) and QUIT for every copy were about half
    of the SMTP commands of a delivery and a third of its CPU (docs/performance.md, fifth
    round). A connection is taken from the pool, carries one MAIL transaction, and goes back
    when that ended with a 250; any error closes it, so a connection in the pool is always
    between transactions. Bounds: at most `max_idle` connections wait in the pool, each at
    most IDLE_SECONDS unused (servers drop idle clients: Postfix's smtpd after 300 s, its own
    client caches for 2 s) and for at most MAX_TRANSACTIONS messages (some servers limit
    messages per connection). A kept connection the server closed meanwhile is normally
    dropped before use (the event loop saw the FIN); one that turns out closed as it is used
    (disconnect or 421) is replaced by a new connection for that message, once, before the
    attempt counts as failed. No 250 was lost that way: the server dropped the transaction
    without one, the at-least-once case documented in gateway.delivery (a deferral would
    have sent the message again too).
    """

    IDLE_SECONDS = 5.0
    MAX_TRANSACTIONS = 100

    def __init__(
        self,
        settings: SmtpDeliverySettings,
        helo: str,
        ca_file: Path | None = None,
        *,
        max_idle: int = 10,
    ) -> None:
        self.settings = settings
        self.helo = helo
        self.ca_file = ca_file  # [delivery.smtp] tls_ca_file, resolved against the config folder
        self._context: ssl.SSLContext | None = None
        self.max_idle = max_idle
        self._idle: list[_Kept] = []  # most recently used last
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reaper: asyncio.TimerHandle | None = None
        self._closing: set[asyncio.Task] = set()
        self.connections = 0  # opened so far (for tests and the benchmark's notes)

    def _tls_context(self) -> ssl.SSLContext:
        """Built once (loading the CA store costs ~20 ms): verification on unless turned off."""
        if self._context is None:
            self._context = self._new_tls_context()
        return self._context

    def _new_tls_context(self) -> ssl.SSLContext:
        """A client context for the smarthost."""
        context = ssl.create_default_context(cafile=self.ca_file)
        if not self.settings.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    async def send(self, envelope_from: str, recipient: str, data: bytes) -> str:
        """One SMTP transaction; raises DeliveryError on any failure."""
        kept = self._take()
        if kept is not None:
            try:
                return await self._transaction(kept, envelope_from, recipient, data)
            except _Stale:
                pass  # the server closed the kept connection just now: once more on a new one
        try:
            kept = await self._connect()
        except (TimeoutError, aiosmtplib.SMTPException, OSError, ssl.SSLError) as exc:
            raise classify(exc) from exc
        try:
            return await self._transaction(kept, envelope_from, recipient, data)
        except _Stale as stale:
            raise classify(stale.error) from stale.error

    async def _connect(self) -> _Kept:
        """A new connection, greeted (and logged in when configured)."""
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            timeout=s.timeout,
            local_hostname=self.helo,
            start_tls={"off": False, "opportunistic": None, "required": True}[s.starttls],
            tls_context=self._tls_context() if s.starttls != "off" else None,
        )
        try:
            await client.connect()
            if s.username:
                await client.login(s.username, s.password)
        except BaseException:
            await _quit(client)
            raise
        self.connections += 1
        return _Kept(client)

    async def _transaction(self, kept: _Kept, envelope_from: str, recipient: str, data: bytes):
        """MAIL, RCPT, DATA on `kept`; back to the pool after a 250, closed after anything else.

        Raises _Stale (only for a connection that carried a message before) when the server
        had closed it or closes it now; DeliveryError otherwise.
        """
        client = kept.client
        reused = kept.transactions > 0
        kept.transactions += 1
        ok = False
        try:
            if len(data) >= streaming.STREAM_BYTES:  # no full-size dot-stuffed copy
                options = mail_options(data)
                response = await streaming.send(client, envelope_from, recipient, data, options)
            elif streaming.crlf_only(data):  # every copy we write: the same bytes, cheaper
                options = mail_options(data)
                response = await streaming.send(
                    client, envelope_from, recipient, data, options, like_sendmail=True
                )
            else:
                _errors, response = await client.sendmail(
                    envelope_from, [recipient], data, mail_options=mail_options(data)
                )
            ok = True
            return response
        except (TimeoutError, aiosmtplib.SMTPException, OSError, ssl.SSLError) as exc:
            if reused and _closed_by_server(exc):
                raise _Stale(exc) from exc
            raise classify(exc) from exc
        finally:
            if ok and client.is_connected:
                self._give_back(kept)
            else:
                await _quit(client)

    def _take(self) -> _Kept | None:
        """The most recently used kept connection that is still open, or None."""
        self._check_loop()
        now = time.monotonic()
        while self._idle:
            kept = self._idle.pop()
            if kept.client.is_connected and now - kept.since < self.IDLE_SECONDS:
                return kept
            self._close_later(kept.client)
        return None

    def _give_back(self, kept: _Kept) -> None:
        """Keep a connection for the next message, within the pool's bounds."""
        if kept.transactions >= self.MAX_TRANSACTIONS or len(self._idle) >= self.max_idle:
            self._close_later(kept.client)
            return
        kept.since = time.monotonic()
        self._idle.append(kept)
        if self._reaper is None:
            self._reaper = asyncio.get_running_loop().call_later(self.IDLE_SECONDS, self._reap)

    def _reap(self) -> None:
        """Close the connections that waited IDLE_SECONDS; look again while any are kept."""
        self._reaper = None
        now = time.monotonic()
        keep = []
        for kept in self._idle:
            if kept.client.is_connected and now - kept.since < self.IDLE_SECONDS:
                keep.append(kept)
            else:
                self._close_later(kept.client)
        self._idle = keep
        if keep:
            wait = max(0.05, keep[0].since + self.IDLE_SECONDS - now)
            self._reaper = asyncio.get_running_loop().call_later(wait, self._reap)

    def _close_later(self, client: aiosmtplib.SMTP) -> None:
        """QUIT in the background (nobody waits for a connection being let go)."""
        if not client.is_connected:
            client.close()
            return
        task = asyncio.get_running_loop().create_task(_quit(client))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def _check_loop(self) -> None:
        """Kept connections belong to the event loop that opened them (tests run several)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            for kept in self._idle:
                kept.client.close()
            self._idle = []
            self._reaper = None
            self._loop = loop

    async def close(self) -> None:
        """QUIT every kept connection."""
        if self._reaper is not None:
            self._reaper.cancel()
            self._reaper = None
        idle, self._idle = self._idle, []
        if self._loop is not None and self._loop is not asyncio.get_running_loop():
            for kept in idle:
                kept.client.close()
            return
        await asyncio.gather(*(_quit(kept.client) for kept in idle), *self._closing)


class _Kept:
    """A connection of the pool: when it was last used and how many messages it carried."""

    __slots__ = ("client", "since", "transactions")

    def __init__(self, client: aiosmtplib.SMTP) -> None:
        self.client = client
        self.since = 0.0
        self.transactions = 0


class _Stale(Exception):
    """A kept connection turned out to be closed by the server."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _closed_by_server(error: Exception) -> bool:
    """A disconnect, or a 421 (the server closes the connection), rather than an answer."""
    if isinstance(error, aiosmtplib.SMTPServerDisconnected | ConnectionError):
        return True
    return getattr(error, "code", None) == 421


async def _quit(client: aiosmtplib.SMTP) -> None:
    """QUIT politely; close the socket when even that fails."""
    if not client.is_connected:
        client.close()
        return
    try:
        await client.quit()
    except (TimeoutError, aiosmtplib.SMTPException, OSError):
        client.close()


class MaildirTransport:
    """Writes each copy into <path>/<recipient>/new, the way an MDA does (tmp, fsync, rename)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def send(self, envelope_from: str, recipient: str, data: bytes) -> str:
        """Deliver into the recipient's maildir; raises DeliveryError if the disk refuses."""
        try:
            name = await asyncio.to_thread(self._write, envelope_from, recipient, data)
        except OSError as exc:
            raise DeliveryError(f"maildir write failed: {exc.strerror}", permanent=False) from exc
        return f"250 maildir {name}"

    def _write(self, envelope_from: str, recipient: str, data: bytes) -> str:
        """tmp/ then rename into new/, so a reader never sees half a message."""
        box = self.path / _safe_folder(recipient)
        for sub in ("tmp", "new", "cur"):
            (box / sub).mkdir(parents=True, exist_ok=True)
        name = f"{time.time():.6f}.{os.getpid()}_{random_token(6)}.{socket.gethostname()}"
        trace = f"Return-Path: <{envelope_from}>\r\nDelivered-To: {recipient}\r\n".encode()
        tmp = box / "tmp" / name
        with open(tmp, "wb") as handle:
            handle.write(trace)  # two writes: `trace + data` would copy a big message
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(tmp, box / "new" / name)
        return name

    async def close(self) -> None:
        """Nothing to release."""


def _safe_folder(recipient: str) -> str:
    """A folder name for an address that cannot climb out of the maildir root."""
    cleaned = "".join(c if c.isalnum() or c in "@.+-_" else "_" for c in recipient.lower())
    return cleaned.lstrip(".") or "unknown"
