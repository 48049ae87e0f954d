"""From SPF, DKIM and DMARC results to one verdict under the admins' [auth] policy. Pure; no I/O.

The rules, in order:
1. The From domain is authenticated (an SPF or DKIM pass aligned with it, i.e. DMARC would
   pass, whether or not the domain publishes a DMARC record): accept. So is a message whose
   valid ARC chain was last sealed by a trusted forwarder that saw it authenticate.
2. Otherwise, if any check could not be completed (DNS timeout or failure): `on_temperror`,
   by default a 451, so the sending server retries; never an accept.
3. Otherwise every failed check contributes its configured action (dmarc_fail,
   forged_participant, spf_fail, spf_softfail, dkim_fail; `none` when nothing failed and
   nothing passed) and the most severe wins: reject > hold > flag > accept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gateway.auth.arc import ArcResult
from gateway.auth.dkim_verify import DkimResult
from gateway.auth.dmarc import DmarcResult
from gateway.auth.spf import SpfResult
from gateway.config import AuthSettings

RANK = {"accept": 0, "flag": 1, "hold": 2, "reject": 3, "tempfail": 4}
DMARC_DISPOSITION = {"reject": "reject", "quarantine": "hold", "none": "flag"}


@dataclass(frozen=True)
class AuthOutcome:
    """The results of one message's authentication and what the policy makes of them."""

    mode: str  # verify | trust-header
    from_address: str
    spf: SpfResult | None
    dkim: tuple[DkimResult, ...]
    dmarc: DmarcResult | None
    action: str  # accept | flag | hold | reject | tempfail
    check: str  # which check decided: authenticated | dmarc_fail | forged_participant | ...
    reply: str = ""  # the SMTP reply when action is reject or tempfail
    note: str = ""  # e.g. how many Authentication-Results headers were ignored
    arc: ArcResult | None = None  # only when [auth] arc_trusted_forwarders is set

    def lines(self) -> tuple[str, ...]:
        """The record: one line per result and the verdict (stored in the decision's reasons)."""
        checked = (self.spf, *self.dkim, self.dmarc, self.arc)
        results = [r.describe() for r in checked if r is not None]
        if not self.dkim:
            results.insert(1 if self.spf else 0, "dkim=none (no signature)")
        verdict = f"auth verdict ({self.mode}): {self.check} -> {self.action}"
        note = [f"auth note: {self.note}"] if self.note else []
        return (*(f"auth {line}" for line in results), *note, verdict)


def decide(
    settings: AuthSettings,
    *,
    mode: str,
    from_address: str,
    from_is_participant: bool,
    client_ip: str,
    spf: SpfResult | None,
    dkim: Sequence[DkimResult],
    dmarc: DmarcResult | None,
    arc: ArcResult | None = None,
    note: str = "",
) -> AuthOutcome:
    """The verdict for one message (see the module docstring for the rules)."""
    dkim = tuple(dkim)
    domain = from_address.rpartition("@")[2]

    def outcome(action: str, check: str, reply: str = "") -> AuthOutcome:
        return AuthOutcome(mode, from_address, spf, dkim, dmarc, action, check, reply, note, arc)

    if dmarc is not None and (dmarc.result == "pass" or dmarc.aligned_by):
        return outcome("accept", "authenticated")
    if arc is not None and arc.vouches_for(domain, settings.arc_trusted_forwarders):
        return outcome("accept", "arc_trusted_forwarder")

    temporary = [
        r.describe() for r in (spf, *dkim, dmarc) if r is not None and r.result == "temperror"
    ]
    if temporary:
        action = settings.on_temperror
        reply = (
            f"451 4.4.3 Temporary DNS failure while authenticating mail from {domain or 'you'} "
            f"({temporary[0]}); please try again later"
        )
        return outcome(action, "temperror", reply if action == "tempfail" else "")

    candidates: list[tuple[str, str, str]] = []  # (action, check, reply)
    spf_bad = spf is not None and spf.result in {"fail", "softfail"}
    dkim_bad = [d for d in dkim if d.result == "fail"]
    where = client_ip or "the sending server"
    if dmarc is not None and dmarc.result == "fail":
        p = dmarc.disposition if dmarc.policy else "unknown"
        action = (
            DMARC_DISPOSITION.get(p, "hold")
            if settings.on_dmarc_fail == "policy"
            else settings.on_dmarc_fail
        )
        candidates.append(
            (
                action,
                "dmarc_fail",
                f"550 5.7.26 Unauthenticated email from {domain} is not accepted due to the "
                f"domain's DMARC policy (p={p}): no SPF or DKIM pass aligned with {domain}",
            )
        )
    if from_is_participant and (spf_bad or dkim_bad or (dmarc and dmarc.result == "fail")):
        if spf_bad and spf is not None:
            evidence = spf.describe()
        else:
            evidence = dkim_bad[0].describe() if dkim_bad else "DMARC fail"
        candidates.append(
            (
                settings.on_forged_participant,
                "forged_participant",
                f"550 5.7.1 The From address {from_address} could not be authenticated "
                f"({evidence}); send from {domain}'s own mail servers",
            )
        )
    if spf is not None and spf.result == "fail":
        candidates.append(
            (
                settings.on_spf_fail,
                "spf_fail",
                f"550 5.7.23 SPF check failed: {where} is not allowed to send mail "
                f"for {spf.domain}",
            )
        )
    if spf is not None and spf.result == "softfail":
        candidates.append(
            (
                settings.on_spf_softfail,
                "spf_softfail",
                f"550 5.7.23 SPF check failed (softfail): {where} is not among the servers "
                f"{spf.domain} sends from",
            )
        )
    if dkim_bad:
        candidates.append(
            (
                settings.on_dkim_fail,
                "dkim_fail",
                f"550 5.7.20 The DKIM signature of {dkim_bad[0].domain} did not verify: the "
                "message was changed on the way or signed with the wrong key",
            )
        )
    if not candidates:
        candidates.append(
            (
                settings.on_none,
                "none",
                f"550 5.7.1 Message refused: mail from {domain or 'your address'} could not be "
                "authenticated (no SPF or DKIM pass for the From domain)",
            )
        )
    action, check, reply = max(candidates, key=lambda c: RANK[c[0]])
    return outcome(action, check, reply if action == "reject" else "")
