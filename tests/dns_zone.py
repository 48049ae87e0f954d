"""An in-memory DNS zone behind gateway.auth.resolver.Resolver, and DKIM keys to publish in it.

The auth tests never touch real DNS: every lookup is answered here (or fails or hangs, on
purpose), and every query is recorded so a test can count them.
"""

from __future__ import annotations

import asyncio
import base64

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from gateway.auth.resolver import DnsTemporaryError, normalise


class Zone:
    """Records by (name, type); names can be made to fail (SERVFAIL) or to never answer."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[str]] = {}
        self.failing: dict[tuple[str, str], str] = {}
        self.hanging: set[tuple[str, str]] = set()
        self.queries: list[tuple[str, str]] = []

    def add(self, name: str, rdtype: str, *values: str) -> Zone:
        self.records.setdefault((normalise(name), rdtype), []).extend(values)
        return self

    def txt(self, name: str, *values: str) -> Zone:
        return self.add(name, "TXT", *values)

    def fail(self, name: str, rdtype: str = "TXT", reason: str = "SERVFAIL") -> Zone:
        self.failing[(normalise(name), rdtype)] = reason
        return self

    def hang(self, name: str, rdtype: str = "TXT") -> Zone:
        self.hanging.add((normalise(name), rdtype))
        return self

    async def query(self, name: str, rdtype: str) -> tuple[str, ...]:
        key = (normalise(name), rdtype)
        self.queries.append(key)
        await asyncio.sleep(0)  # a real lookup always yields to the loop
        if key in self.hanging:
            await asyncio.sleep(3600)
        if key in self.failing:
            raise DnsTemporaryError(key[0], rdtype, self.failing[key])
        return tuple(self.records.get(key, ()))


_CACHED: DkimKey | None = None


class DkimKey:
    """An RSA key made in the test; `record` is the TXT value to publish at the selector."""

    def __init__(self, domain: str, selector: str = "sel", bits: int = 1024) -> None:
        self.domain = domain
        self.selector = selector
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        self.private_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.record = f"v=DKIM1; k=rsa; p={base64.b64encode(public).decode()}"

    @classmethod
    def cached(cls) -> DkimKey:
        """One example.org key per test run (RSA key generation is slow for property tests)."""
        global _CACHED
        if _CACHED is None:
            _CACHED = cls("example.org")
        return _CACHED

    @property
    def name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"

    def publish(self, zone: Zone) -> DkimKey:
        zone.txt(self.name, self.record)
        return self

    def sign(self, message: bytes, domain: str | None = None) -> bytes:
        """`message` with a DKIM-Signature of d=`domain` (default: the key's domain) on top."""
        signature = dkim.sign(
            message,
            self.selector.encode(),
            (domain or self.domain).encode(),
            self.private_pem,
            include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
        )
        return signature + message


def mail(
    from_address: str,
    to: str,
    body: str = "Hello Bo,\r\nthe sketches are attached.\r\n",
    *,
    subject: str = "Logo sketches",
    extra_headers: str = "",
) -> bytes:
    """A small CRLF message with the usual headers."""
    return (
        f"{extra_headers}From: Ann Lee <{from_address}>\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Date: Wed, 25 Nov 2026 07:00:00 +0000\r\nMessage-ID: <m1@example.org>\r\n\r\n{body}"
    ).encode()
