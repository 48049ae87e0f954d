"""Authentication-Results (RFC 8601): which headers to trust, and what they say.

Behind a front MTA (Postfix with OpenDKIM/OpenDMARC, Rspamd, ...) the checks were already done
and written into Authentication-Results headers carrying that MTA's authserv-id. Anyone can
write such a header into a message, so only headers with *our* configured authserv-id count,
and only in the trace block at the top of the message (Received, Return-Path, ARC and
Authentication-Results headers written on the way in); for each method the topmost result wins,
because the front MTA's own header is always above anything the sender wrote. Every other
Authentication-Results header is ignored here, and none is ever passed to a recipient (they are
not in rewrite.PASS_THROUGH); the archive keeps the received bytes unchanged, as the record.

Parsing uses `authres`, the RFC 8601 parser that dkimpy, authheaders and dmarc build on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage

import authres

from gateway.auth.dkim_verify import DkimResult
from gateway.auth.dmarc import DmarcPolicy, DmarcResult
from gateway.auth.spf import SpfResult

HEADER = "authentication-results"
_DMARC_COMMENT = re.compile(r"\bdmarc\s*=\s*\w+\s*\([^)]*\bp\s*=\s*(\w+)", re.IGNORECASE)
TRACE_HEADERS = frozenset(
    {
        "received",
        "return-path",
        "authentication-results",
        "arc-seal",
        "arc-message-signature",
        "arc-authentication-results",
        "received-spf",
        "delivered-to",
        "x-original-to",
    }
)


@dataclass(frozen=True)
class HeaderResults:
    """What the trusted Authentication-Results headers report, method by method."""

    spf: SpfResult | None
    dkim: tuple[DkimResult, ...]
    dmarc: DmarcResult | None
    trusted: int  # how many headers were trusted
    ignored: int  # Authentication-Results headers of anyone else (or outside the trace block)


def _clean(value: str) -> str:
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())


def _prop(result, ptype: str, name: str) -> str:
    for prop in result.properties:
        if prop.type == ptype and prop.name == name:
            return str(prop.value or "")
    return ""


def trusted_results(message: EmailMessage, authserv_id: str) -> HeaderResults:
    """Read the Authentication-Results headers our front MTA wrote; count the others."""
    ours = authserv_id.lower()
    trusted, ignored = 0, 0
    spf: SpfResult | None = None
    dkim: list[DkimResult] = []
    dmarc: DmarcResult | None = None
    seen_methods: set[str] = set()
    in_trace = True
    for name, value in message.raw_items():
        lname = name.lower()
        if lname not in TRACE_HEADERS:
            in_trace = False
        if lname != HEADER:
            continue
        try:
            parsed = authres.AuthenticationResultsHeader.parse_value(_clean(str(value)))
        except (authres.AuthResError, ValueError, IndexError):
            ignored += 1
            continue
        if not in_trace or (parsed.authserv_id or "").lower() != ours:
            ignored += 1
            continue
        trusted += 1
        methods_here: set[str] = set()
        for result in parsed.results:
            method = (result.method or "").lower()
            if method in seen_methods:
                continue  # a header further down: the topmost result of each method wins
            methods_here.add(method)
            outcome = (result.result or "").lower()
            if method == "spf":
                mailfrom = _prop(result, "smtp", "mailfrom")
                helo = _prop(result, "smtp", "helo")
                domain = mailfrom.rpartition("@")[2] if mailfrom else helo
                spf = SpfResult(
                    outcome, domain.lower(), "mailfrom" if mailfrom else "helo", f"by {ours}"
                )
            elif method == "dkim":
                domain = (
                    _prop(result, "header", "d") or _prop(result, "header", "i").rpartition("@")[2]
                )
                dkim.append(
                    DkimResult(outcome, domain.lower(), _prop(result, "header", "s"), f"by {ours}")
                )
            elif method == "dmarc":
                from_domain = _prop(result, "header", "from").rpartition("@")[2].lower()
                published = _prop(result, "policy", "published-domain-policy")
                comment = _DMARC_COMMENT.search(_clean(str(value)))
                p = (published or (comment[1] if comment else "")).lower()
                policy = DmarcPolicy(p=p) if p in {"none", "quarantine", "reject"} else None
                dmarc = DmarcResult(
                    outcome,
                    from_domain,
                    policy,
                    policy.p if policy and outcome == "fail" else "none",
                    reason=f"by {ours}",
                )
        seen_methods |= methods_here
    return HeaderResults(spf, tuple(dkim), dmarc, trusted, ignored)
