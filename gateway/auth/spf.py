"""SPF (RFC 7208) with pyspf, its DNS answered by our async resolver.

Why pyspf: it is the SPF implementation of the Python mail world (spf-engine, authheaders and
Debian's policy daemons use it), follows RFC 7208 including macros, the 10-lookup and 2-void
limits, and is tested against the RFC's test suite. Its one drawback is synchronous DNS through
the module-level function `spf.DNSLookup`. We replace that function once with a dispatcher that
serves the lookups of the check running in the current thread from our `Resolver` (on the event
loop, via run_coroutine_threadsafe) and refuses any lookup made outside such a check, so pyspf
can never reach real DNS behind the resolver's back (nor in a test).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import spf as pyspf

from gateway.auth.resolver import DnsTemporaryError, Resolver

_current = threading.local()


@dataclass(frozen=True)
class SpfResult:
    """pass | fail | softfail | neutral | none | temperror | permerror, for `domain`."""

    result: str
    domain: str  # the MAIL FROM domain, or the HELO name for the null sender
    scope: str = "mailfrom"  # mailfrom | helo
    explanation: str = ""

    def describe(self) -> str:
        prop = "smtp.mailfrom" if self.scope == "mailfrom" else "smtp.helo"
        detail = f" ({self.explanation})" if self.explanation else ""
        return f"spf={self.result} {prop}={self.domain or '-'}{detail}"


def _dispatch(name: str, qtype: str, strict: bool = True, timeout: float = 20) -> list:
    """pyspf's DNSLookup: answer from the resolver bound to this thread's check."""
    bridge = getattr(_current, "bridge", None)
    if bridge is None:
        raise pyspf.TempError("DNS lookups outside gateway.auth.spf.check are not allowed")
    resolver, loop = bridge
    future = asyncio.run_coroutine_threadsafe(resolver.query(name, qtype), loop)
    try:
        answers = future.result(timeout)
    except DnsTemporaryError as exc:
        raise pyspf.TempError(f"DNS {exc}") from None
    except TimeoutError:
        future.cancel()
        raise pyspf.TempError(f"DNS {qtype} {name}: timeout") from None
    return [((name, qtype), _value(qtype, a)) for a in answers]


def _value(qtype: str, answer: str):
    """Our plain string in the shape pyspf's own dnspython adapter returns."""
    if qtype in {"TXT", "SPF"}:
        return [answer.encode("utf-8")]
    if qtype == "MX":
        preference, _, exchange = answer.partition(" ")
        return (int(preference), exchange)
    return answer


pyspf.DNSLookup = _dispatch


@contextlib.contextmanager
def _bound(resolver: Resolver, loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    _current.bridge = (resolver, loop)
    try:
        yield
    finally:
        _current.bridge = None


async def check(
    ip: str, mail_from: str, helo: str, resolver: Resolver, time_limit: float = 20
) -> SpfResult:
    """The SPF result for the client IP and MAIL FROM (HELO identity for the null sender)."""
    domain = mail_from.rpartition("@")[2].lower() if mail_from else helo.lower()
    scope = "mailfrom" if mail_from else "helo"
    if not ip or not domain:
        return SpfResult("none", domain, scope, "no identity to check")
    loop = asyncio.get_running_loop()

    def run() -> tuple[str, str]:
        with _bound(resolver, loop):
            query = pyspf.query(i=ip, s=mail_from, h=helo, querytime=time_limit)
            result, _code, explanation = query.check()
            return result, explanation

    try:
        result, explanation = await asyncio.to_thread(run)
    except ValueError as exc:  # pyspf refuses an unparsable client address
        return SpfResult("permerror", domain, scope, str(exc)[:200])
    return SpfResult(result, domain, scope, explanation[:200])
