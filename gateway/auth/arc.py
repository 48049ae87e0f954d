"""ARC (RFC 8617): a trusted forwarder's word that the message authenticated before it changed it.

Mailing lists and forwarders change messages (a subject tag, a footer) and send them from
their own servers, so the author's DKIM signature breaks and SPF names the forwarder. A
forwarder that checked the message on arrival records its verdict in an ARC set (ARC-Seal,
ARC-Message-Signature, ARC-Authentication-Results) and seals it. We believe that verdict only
when the chain validates (dkimpy's ARC verifier, keys fetched first through our resolver as in
dkim_verify) *and* the newest seal is by a domain in `[auth] arc_trusted_forwarders`.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

import authres
import dkim

from gateway.auth.dkim_verify import (
    header_fields,
    header_tags,
    key_name,
    prefetched_dnsfunc,
    quiet_logger,
)
from gateway.auth.dmarc import aligned
from gateway.auth.resolver import DnsTemporaryError, Resolver

_DOMAIN_PROPERTIES = {("header", "from"), ("header", "d"), ("smtp", "mailfrom")}
_INSTANCE = re.compile(r"^\s*i\s*=\s*(\d+)\s*;", re.IGNORECASE)


@dataclass(frozen=True)
class ArcResult:
    """cv (chain validation) pass | fail | none | temperror, who sealed last, what it said."""

    cv: str
    sealer: str = ""  # d= of the newest ARC-Seal
    results: tuple[tuple[str, str, str], ...] = ()  # (method, result, domain) from its AAR
    reason: str = ""

    def describe(self) -> str:
        said = ", ".join(f"{m}={r} {d}".strip() for m, r, d in self.results)
        detail = f" ({self.reason})" if self.reason else ""
        return (
            f"arc={self.cv} sealer={self.sealer or '-'}" + (f" [{said}]" if said else "") + detail
        )

    def vouches_for(self, from_domain: str, trusted: tuple[str, ...]) -> bool:
        """A valid chain, newest seal by a trusted forwarder, whose results for the message
        as it arrived there say DMARC pass for `from_domain` or DKIM pass aligned with it."""
        if self.cv != "pass" or self.sealer not in trusted:
            return False
        return ("dmarc", "pass", from_domain) in self.results or any(
            method == "dkim" and result == "pass" and aligned(from_domain, domain, "r")
            for method, result, domain in self.results
        )


async def verify(raw: bytes, resolver: Resolver) -> ArcResult:
    """Validate the ARC chain of `raw` ("none" when there is none)."""
    seals = header_tags(raw, b"arc-seal")
    if not seals:
        return ArcResult("none")
    signatures = header_tags(raw, b"arc-message-signature")
    names = {key_name(t): None for t in (*seals, *signatures) if t and t.get(b"s") and t.get(b"d")}
    answers = await asyncio.gather(
        *(resolver.query(name, "TXT") for name in names), return_exceptions=True
    )
    keys = dict(zip(names, answers, strict=True))
    for value in keys.values():
        if isinstance(value, DnsTemporaryError):
            return ArcResult("temperror", reason=value.reason)
        if isinstance(value, BaseException):
            raise value
    return await asyncio.to_thread(_verify, raw, keys)


def _verify(raw: bytes, keys: dict) -> ArcResult:
    try:
        cv, _results, reason = dkim.ARC(raw, logger=quiet_logger).verify(
            dnsfunc=prefetched_dnsfunc(keys)
        )
    except dkim.DKIMException as exc:
        return ArcResult("fail", reason=str(exc)[:200])
    except Exception as exc:  # dkimpy on a hostile chain: a failed chain, not a 451 loop
        return ArcResult("fail", reason=f"unverifiable ARC chain ({type(exc).__name__})")
    cv_text = (cv or b"fail").decode().lower()
    newest = _newest_set(raw)
    if newest is None:
        return ArcResult("fail", reason="no ARC-Seal with an instance")
    sealer, aar = newest
    return ArcResult(cv_text, sealer, _aar_results(aar), "" if cv_text == "pass" else reason)


def _newest_set(raw: bytes) -> tuple[str, str] | None:
    """(d= of the newest ARC-Seal, the value of its ARC-Authentication-Results)."""
    seals = [t for t in header_tags(raw, b"arc-seal") if t and t.get(b"i", b"").isdigit()]
    if not seals:
        return None
    newest = max(seals, key=lambda t: int(t[b"i"]))
    instance = int(newest[b"i"])
    sealer = newest.get(b"d", b"").decode("ascii", "replace").lower()
    for value in header_values(raw, b"arc-authentication-results"):
        match = _INSTANCE.match(value)
        if match and int(match[1]) == instance:
            return sealer, value[match.end() :]
    return sealer, ""


def _aar_results(value: str) -> tuple[tuple[str, str, str], ...]:
    """(method, result, domain) from an ARC-Authentication-Results value without its i=."""
    if not value.strip():
        return ()
    try:
        parsed = authres.AuthenticationResultsHeader.parse_value(" ".join(value.split()))
    except (authres.AuthResError, ValueError, IndexError):
        return ()
    found = []
    for result in parsed.results:
        domain = ""
        for prop in result.properties:
            if (prop.type, prop.name) in _DOMAIN_PROPERTIES:
                domain = str(prop.value or "").rpartition("@")[2].lower()
        found.append(((result.method or "").lower(), (result.result or "").lower(), domain))
    return tuple(found)


def header_values(raw: bytes, name: bytes) -> list[str]:
    """Unfolded values of every header called `name` (lower case), top first."""
    return [
        " ".join(value.decode("utf-8", "replace").split())
        for field_name, value in header_fields(raw)
        if field_name == name
    ]
