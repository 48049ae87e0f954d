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
    """aiosmtplib to the configured smarthost, one connection per message."""

    def __init__(
        self, settings: SmtpDeliverySettings, helo: str, ca_file: Path | None = None
    ) -> None:
        self.settings = settings
        self.helo = helo
        self.ca_file = ca_file  # [delivery.smtp] tls_ca_file, resolved against the config folder
        self._context: ssl.SSLContext | None = None

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
            if len(data) >= streaming.STREAM_BYTES:  # no full-size dot-stuffed copy
                options = mail_options(data)
                return await streaming.send(client, envelope_from, recipient, data, options)
            _errors, response = await client.sendmail(
                envelope_from, [recipient], data, mail_options=mail_options(data)
            )
            return response
        except (TimeoutError, aiosmtplib.SMTPException, OSError, ssl.SSLError) as exc:
            raise classify(exc) from exc
        finally:
            if client.is_connected:
                try:
                    await client.quit()
                except (TimeoutError, aiosmtplib.SMTPException, OSError):
                    client.close()

    async def close(self) -> None:
        """Nothing is kept open between messages."""


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
