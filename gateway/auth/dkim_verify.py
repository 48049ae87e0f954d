"""DKIM verification with dkimpy, its keys fetched first through our async resolver.

dkimpy is the reference implementation of DKIM canonicalisation (the gateway signs with it too),
but its DNS hook is synchronous. So the keys of every signature are looked up first, together,
through `Resolver`, and dkimpy then verifies in a worker thread with a `dnsfunc` that only reads
those prefetched answers: the event loop never blocks and all DNS stays behind one interface.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import dkim
from dkim.util import InvalidTagValueList, parse_tag_value

from gateway.auth.resolver import DnsTemporaryError, Resolver

MAX_SIGNATURES = 5  # more are not verified: each costs an RSA operation and a DNS lookup
quiet_logger = logging.getLogger("gateway.auth.dkimpy")  # dkimpy logs every failure as an error
quiet_logger.addHandler(logging.NullHandler())
quiet_logger.propagate = False


@dataclass(frozen=True)
class DkimResult:
    """One signature's outcome: pass | fail | permerror | temperror (RFC 8601 names)."""

    result: str
    domain: str = ""
    selector: str = ""
    reason: str = ""

    def describe(self) -> str:
        detail = f" ({self.reason})" if self.reason else ""
        domain, selector = self.domain or "-", self.selector or "-"
        return f"dkim={self.result} header.d={domain} header.s={selector}{detail}"


def header_fields(raw: bytes) -> list[tuple[bytes, bytes]]:
    """(lower-case name, raw value with its folding) of every header field, top first."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    fields: list[bytes] = []
    for line in head.split(b"\n"):
        line = line.rstrip(b"\r")
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b"\r\n" + line
        else:
            fields.append(line)
    result = []
    for field in fields:
        name, _, value = field.partition(b":")
        result.append((name.strip().lower(), value))
    return result


def header_tags(raw: bytes, name: bytes) -> list[dict[bytes, bytes] | None]:
    """The tag lists of the headers called `name` (DKIM-Signature, ARC-Seal, ...), top first;
    None for one that does not parse."""
    tags: list[dict[bytes, bytes] | None] = []
    for field_name, value in header_fields(raw):
        if field_name == name:
            try:
                tags.append(parse_tag_value(value))
            except InvalidTagValueList:
                tags.append(None)
    return tags


def signature_tags(raw: bytes) -> list[dict[bytes, bytes] | None]:
    """The tag lists of the DKIM-Signature headers, top first (None for unparsable ones)."""
    return header_tags(raw, b"dkim-signature")


def key_name(sig: dict[bytes, bytes]) -> str:
    """<selector>._domainkey.<domain>, where the signer's public key is published."""
    selector = sig[b"s"].decode("ascii", "replace").strip()
    domain = sig[b"d"].decode("ascii", "replace").strip()
    return f"{selector}._domainkey.{domain}".lower()


def prefetched_dnsfunc(keys: dict):
    """A dkimpy `dnsfunc` that answers only from already fetched keys (never from DNS)."""

    def dnsfunc(name: bytes | str, timeout: float = 5) -> bytes | None:
        if isinstance(name, bytes):
            name = name.decode("ascii", "replace")
        answer = keys.get(name.lower().rstrip("."))
        if isinstance(answer, DnsTemporaryError):
            raise dkim.DnsTimeoutError(str(answer))
        return answer[0].encode() if answer else None

    return dnsfunc


async def verify(raw: bytes, resolver: Resolver) -> list[DkimResult]:
    """Every signature's result (at most MAX_SIGNATURES); [] when the message is unsigned."""
    tags = signature_tags(raw)[:MAX_SIGNATURES]
    if not tags:
        return []
    names = {}
    for sig in tags:
        if sig and sig.get(b"s") and sig.get(b"d"):
            names[key_name(sig)] = None
    lookups = await asyncio.gather(
        *(resolver.query(name, "TXT") for name in names), return_exceptions=True
    )
    keys = dict(zip(names, lookups, strict=True))
    for value in keys.values():
        if isinstance(value, BaseException) and not isinstance(value, DnsTemporaryError):
            raise value
    return await asyncio.to_thread(_verify_all, raw, tags, keys)


def _verify_all(raw: bytes, tags: list, keys: dict) -> list[DkimResult]:
    """dkimpy on each signature (thread): DNS answers come only from `keys`."""
    dnsfunc = prefetched_dnsfunc(keys)
    results = []
    for idx, sig in enumerate(tags):
        if sig is None or not sig.get(b"d") or not sig.get(b"s"):
            results.append(DkimResult("permerror", reason="malformed DKIM-Signature"))
            continue
        domain = sig[b"d"].decode("ascii", "replace").lower()
        selector = sig[b"s"].decode("ascii", "replace")
        answer = keys.get(key_name(sig))
        if isinstance(answer, DnsTemporaryError):
            results.append(DkimResult("temperror", domain, selector, answer.reason))
            continue
        if not answer:
            results.append(DkimResult("permerror", domain, selector, "no key published"))
            continue
        try:
            ok = dkim.DKIM(raw, logger=quiet_logger).verify(idx=idx, dnsfunc=dnsfunc)
        except dkim.DKIMException as exc:
            # a changed body is a failed signature (RFC 6376 6.3); anything else is malformed
            changed = "body hash mismatch" in str(exc)
            outcome = "fail" if changed else "permerror"
            reason = "body hash mismatch: the body was changed" if changed else str(exc)[:200]
            results.append(DkimResult(outcome, domain, selector, reason))
            continue
        except Exception as exc:  # dkimpy on hostile input: a broken signature, not a 451 loop
            reason = f"unverifiable signature ({type(exc).__name__})"
            results.append(DkimResult("permerror", domain, selector, reason))
            continue
        results.append(
            DkimResult("pass", domain, selector)
            if ok
            else DkimResult("fail", domain, selector, "signature did not verify")
        )
    return results
