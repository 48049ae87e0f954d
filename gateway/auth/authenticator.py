"""Sender authentication for one message: verify it ourselves, or read the front MTA's verdict.

`[auth] mode` chooses: "verify" runs SPF, DKIM and DMARC here (DNS through one cached,
time-bounded resolver; SPF and DKIM concurrently, DMARC after both); "trust-header" reads the
Authentication-Results headers of the configured authserv-id (gateway.auth.results); "off"
checks nothing beyond the participant rule of the authenticate stage.
"""

from __future__ import annotations

import asyncio
import contextlib
from email.message import EmailMessage

from gateway.auth import arc, dkim_verify, dmarc, results, spf
from gateway.auth.resolver import (
    CachingResolver,
    DnspythonResolver,
    DnsTemporaryError,
    MessageResolver,
    Resolver,
)
from gateway.auth.verdict import AuthOutcome, decide
from gateway.config import AuthSettings


def client_ip(peer: str) -> str:
    """The address part of the envelope's "host:port" peer (IPv6 keeps its colons)."""
    host = peer.rpartition(":")[0] if ":" in peer else peer
    return host.strip("[]")


async def _prefetch_dmarc(from_domain: str, resolver: MessageResolver) -> None:
    """Look the DMARC record up while SPF and DKIM run; evaluate() then reads the memo."""
    if from_domain:
        with contextlib.suppress(DnsTemporaryError):
            await dmarc.fetch_policy(from_domain, resolver)


class Authenticator:
    """Built once per gateway; `check` is called by the authenticate stage for each message."""

    def __init__(self, settings: AuthSettings, resolver: Resolver | None = None) -> None:
        self.settings = settings
        inner = resolver or DnspythonResolver(settings.dns_timeout, settings.nameservers)
        self.resolver = CachingResolver(inner, ttl=settings.dns_cache_ttl)

    async def check(
        self,
        message: EmailMessage,
        raw: bytes,
        *,
        from_address: str,
        from_is_participant: bool,
        mail_from: str,
        helo: str,
        peer: str,
    ) -> AuthOutcome | None:
        """The outcome under [auth], or None when mode is "off"."""
        mode = self.settings.mode
        if mode == "off":
            return None
        from_domain = from_address.rpartition("@")[2].lower()
        ip = client_ip(peer)
        if mode == "trust-header":
            found = results.trusted_results(message, self.settings.authserv_id)
            spf_result, dkim_results, dmarc_result = found.spf, found.dkim, found.dmarc
            if dmarc_result is None or dmarc_result.from_domain != from_domain:
                by = dmarc.alignment(from_domain, spf_result, dkim_results, None)
                dmarc_result = dmarc.DmarcResult(
                    "none", from_domain, aligned_by=by, reason="no DMARC result in the headers"
                )
            note = (
                f"{found.trusted} Authentication-Results header(s) of "
                f"{self.settings.authserv_id} trusted, {found.ignored} ignored"
            )
            return decide(
                self.settings,
                mode=mode,
                from_address=from_address,
                from_is_participant=from_is_participant,
                client_ip="",
                spf=spf_result,
                dkim=dkim_results,
                dmarc=dmarc_result,
                note=note,
            )
        resolver = MessageResolver(self.resolver, self.settings.dns_timeout)
        spf_result, dkim_results, arc_result, _ = await asyncio.gather(
            spf.check(ip, mail_from, helo, resolver, time_limit=self.settings.dns_timeout),
            dkim_verify.verify(raw, resolver),
            self._arc(raw, resolver),
            _prefetch_dmarc(from_domain, resolver),  # the record only needs the From domain
        )
        dmarc_result = await dmarc.evaluate(from_domain, spf_result, dkim_results, resolver)
        return decide(
            self.settings,
            mode=mode,
            from_address=from_address,
            from_is_participant=from_is_participant,
            client_ip=ip,
            spf=spf_result,
            dkim=dkim_results,
            dmarc=dmarc_result,
            arc=arc_result,
            note=f"{resolver.count} DNS queries",
        )

    async def _arc(self, raw: bytes, resolver: Resolver) -> arc.ArcResult | None:
        """The ARC chain, only when forwarders are trusted (else nobody's seal matters)."""
        if not self.settings.arc_trusted_forwarders:
            return None
        return await arc.verify(raw, resolver)
