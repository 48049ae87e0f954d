"""The one door to DNS for sender authentication: an async resolver interface and its caches.

Why one interface: every check (DKIM keys, SPF records, DMARC policies) asks DNS through
`Resolver.query`, so tests swap in an in-memory zone (tests/dns_zone.py) and the gateway never
touches real DNS in a test; and timeouts, caching and "a DNS failure is temporary" are decided
in one place instead of in three libraries' own DNS code.

Answers are plain strings: TXT records (the character-strings of one record joined), A/AAAA
addresses, MX as "preference exchange", PTR names. An empty tuple means the name or the type
does not exist (NXDOMAIN, NODATA); `DnsTemporaryError` means we could not find out (timeout,
SERVFAIL, no nameserver), which the caller must answer with a 4xx, never with an accept.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

RECORD_TYPES = ("TXT", "A", "AAAA", "MX", "PTR")


class DnsTemporaryError(Exception):
    """The answer could not be had now (timeout, SERVFAIL, unreachable): try again later."""

    def __init__(self, name: str, rdtype: str, reason: str) -> None:
        super().__init__(f"{rdtype} {name}: {reason}")
        self.name = name
        self.rdtype = rdtype
        self.reason = reason


class Resolver(Protocol):
    """Async DNS lookups; raise DnsTemporaryError when the answer is unknown."""

    async def query(self, name: str, rdtype: str) -> tuple[str, ...]: ...


def normalise(name: str) -> str:
    """Lower case without the trailing dot: the form every cache key and zone uses."""
    return name.strip().lower().rstrip(".")


class DnspythonResolver:
    """The production resolver: dnspython's asyncio resolver with one overall timeout per query.

    `nameservers` overrides /etc/resolv.conf (useful to point at a local validating resolver).
    The dnspython resolver is created on first use, so a machine without resolv.conf can still
    start a gateway whose [auth] mode does not need DNS.
    """

    def __init__(
        self, timeout: float = 5.0, nameservers: Sequence[str] = (), port: int = 53
    ) -> None:
        self.timeout = timeout
        self.nameservers = tuple(nameservers)
        self.port = port
        self._resolver = None

    def _get(self):
        import dns.asyncresolver

        if self._resolver is None:
            if self.nameservers:
                resolver = dns.asyncresolver.Resolver(configure=False)
                resolver.nameservers = list(self.nameservers)
                resolver.port = self.port
            else:
                resolver = dns.asyncresolver.Resolver()
            resolver.lifetime = self.timeout
            self._resolver = resolver
        return self._resolver

    async def query(self, name: str, rdtype: str) -> tuple[str, ...]:
        import dns.exception
        import dns.resolver

        name = normalise(name)
        try:
            answer = await self._get().resolve(name, rdtype, search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return ()
        except dns.resolver.NoResolverConfiguration as exc:
            raise DnsTemporaryError(name, rdtype, f"no resolver configured ({exc})") from None
        except dns.exception.Timeout:
            raise DnsTemporaryError(name, rdtype, f"timeout after {self.timeout:g}s") from None
        except dns.exception.DNSException as exc:
            raise DnsTemporaryError(name, rdtype, type(exc).__name__) from None
        return tuple(_text(rdtype, rdata) for rdata in answer)


def _text(rdtype: str, rdata) -> str:
    """One dnspython rdata as the interface's plain string."""
    if rdtype == "TXT":
        return b"".join(rdata.strings).decode("utf-8", "replace")
    if rdtype in {"A", "AAAA"}:
        return rdata.address
    if rdtype == "MX":
        return f"{rdata.preference} {normalise(rdata.exchange.to_text())}"
    return normalise(rdata.to_text())


class CachingResolver:
    """A small TTL cache in front of another resolver; temporary errors are never cached.

    Answers are kept `ttl` seconds (not the records' own TTL: a few minutes bounds staleness
    and keeps the code simple) in a bounded LRU. Concurrent identical queries share one lookup.
    """

    def __init__(self, inner: Resolver, ttl: float = 300.0, max_entries: int = 10_000) -> None:
        self.inner = inner
        self.ttl = ttl
        self.max_entries = max_entries
        self._cache: OrderedDict[tuple[str, str], tuple[float, tuple[str, ...]]] = OrderedDict()
        self._pending: dict[tuple[str, str], asyncio.Future] = {}

    async def query(self, name: str, rdtype: str) -> tuple[str, ...]:
        key = (normalise(name), rdtype.upper())
        hit = self._cache.get(key)
        if hit and hit[0] > time.monotonic():
            self._cache.move_to_end(key)
            return hit[1]
        if key in self._pending:
            return await asyncio.shield(self._pending[key])
        future = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            answer = await self.inner.query(*key)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        finally:
            self._pending.pop(key, None)
        future.set_result(answer)
        self._cache[key] = (time.monotonic() + self.ttl, answer)
        while len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return answer


class MessageResolver:
    """Per-message memo (temporary errors included) with a deadline for the whole message.

    One message asks for the same names several times (SPF include chains, the DMARC record
    after the DKIM key of the same domain); each is looked up once. Every query is bounded by
    the time left until `deadline`, so a slow DNS cannot hold an SMTP session open.
    """

    def __init__(self, inner: Resolver, timeout: float) -> None:
        self.inner = inner
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.memo: dict[tuple[str, str], tuple[str, ...] | DnsTemporaryError] = {}
        self.count = 0

    async def query(self, name: str, rdtype: str) -> tuple[str, ...]:
        key = (normalise(name), rdtype.upper())
        if key not in self.memo:
            self.count += 1
            left = self.deadline - time.monotonic()
            try:
                if left <= 0:
                    raise TimeoutError
                async with asyncio.timeout(left):
                    self.memo[key] = await self.inner.query(*key)
            except TimeoutError:
                self.memo[key] = DnsTemporaryError(
                    key[0], key[1], f"timeout (DNS budget of {self.timeout:g}s per message)"
                )
            except DnsTemporaryError as exc:
                self.memo[key] = exc
        value = self.memo[key]
        if isinstance(value, DnsTemporaryError):
            raise value
        return value
