"""The policy engine: findings + a sender's thread history + [policy] -> one Decision. Pure; no I/O.

Each finding gets its own verdict, in this order (the first that applies decides):

1. a per-thread exemption whose scope is the finding's category, its kind or "all" -> deliver;
2. the allowlist ([policy.allow] addresses and domains) -> deliver;
3. below `[policy] min_confidence` -> deliver;
4. the first matching `[[policy.rules]]` entry (stage, sender role, category/kind, confidence);
5. `[policy.kinds]` for the finding's kind;
6. the finding's category (`[policy] contact`, `payment`, `limit`).

The message gets the most severe verdict. Escalation then looks at the sender's history in the
thread (the Nth flagged message is held; a payment request after a contact share gets
`payment_after_contact`), and the emergency switch holds whatever is milder than hold. The
decision records every finding's verdict and rule, so "why was this held?" has an exact answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.config import ACTIONS, PolicyRule, PolicySettings
from gateway.context import Decision, Finding

SEVERITY = {action: rank for rank, action in enumerate(ACTIONS)}
CATEGORY_ACTIONS = ("contact", "payment", "limit")


@dataclass(frozen=True)
class Exemption:
    """A support-granted exemption of one thread from one scope (category, kind or "all")."""

    id: int
    scope: str


@dataclass(frozen=True)
class History:
    """What the policy knows besides the message: the thread and the sender's earlier messages."""

    stage: str = ""  # "" -> [policy] default_stage
    sender_role: str = ""
    flagged: int = 0  # earlier messages of this sender in this thread whose action was "flag"
    shared_contact: bool = False  # an earlier message of this sender had a contact finding
    exemptions: tuple[Exemption, ...] = ()
    tail: tuple[str, ...] = ()  # number fragments from the sender's earlier messages


@dataclass(frozen=True)
class Verdict:
    """One finding's action and the rule that chose it."""

    action: str
    rule: str


@dataclass(frozen=True)
class PolicyView:
    """The settings plus values derived from them once (version hash), for many decisions."""

    settings: PolicySettings
    version: str = field(default="")

    @classmethod
    def of(cls, settings: PolicySettings) -> PolicyView:
        return cls(settings, policy_version(settings))


def policy_version(settings: PolicySettings) -> str:
    """sha256 of the canonical JSON of [policy]: the same policy always has the same version."""
    canonical = json.dumps(settings.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


_VIEWS: dict[int, PolicyView] = {}


def view_of(settings: PolicySettings | PolicyView) -> PolicyView:
    """A PolicyView, cached per settings object (settings are frozen, so the hash never changes)."""
    if isinstance(settings, PolicyView):
        return settings
    cached = _VIEWS.get(id(settings))
    if cached is None or cached.settings is not settings:
        cached = _VIEWS[id(settings)] = PolicyView.of(settings)
    return cached


def _domain_of(text: str) -> str:
    """The domain an e-mail address or URL finding names ("" when there is none)."""
    value = text.strip().lower()
    if "://" in value:
        value = value.split("://", 1)[1]
    value = value.removeprefix("mailto:").removeprefix("www.")
    if "@" in value:
        value = value.rsplit("@", 1)[1]
    for stop in "/?#:> ":
        value = value.split(stop, 1)[0]
    return value.rstrip(".")


def allowed_by(finding: Finding, policy: PolicySettings) -> str:
    """The allowlist entry that covers this finding ("" when none does)."""
    allow = policy.allow
    text = finding.text.strip().lower().removeprefix("mailto:")
    if text in allow.addresses:
        return "allow.addresses"
    if allow.domains and finding.category == "contact":
        domain = _domain_of(finding.text)
        if domain and any(domain == d or domain.endswith("." + d) for d in allow.domains):
            return "allow.domains"
    return ""


def rule_matches(rule: PolicyRule, finding: Finding, stage: str, role: str) -> bool:
    """True when every condition the rule states holds for this finding."""
    return (
        (not rule.categories or finding.category in rule.categories)
        and (not rule.kinds or finding.kind in rule.kinds)
        and (not rule.stages or stage in rule.stages)
        and (not rule.roles or role in rule.roles)
        and finding.confidence >= rule.min_confidence
    )


def verdict_for(finding: Finding, policy: PolicySettings, history: History) -> Verdict:
    """The action for one finding and the rule that chose it (see the module docstring)."""
    for exemption in history.exemptions:
        if exemption.scope in ("all", finding.category, finding.kind):
            return Verdict("deliver", f"exemption.{exemption.id}")
    allowed = allowed_by(finding, policy)
    if allowed:
        return Verdict("deliver", allowed)
    if finding.confidence < policy.min_confidence and finding.category != "limit":
        return Verdict("deliver", "min_confidence")
    stage = history.stage or policy.default_stage
    for rule in policy.rules:
        if rule_matches(rule, finding, stage, history.sender_role):
            return Verdict(rule.action, f"rules.{rule.name}")
    if finding.kind in policy.kinds:
        return Verdict(policy.kinds[finding.kind], f"kinds.{finding.kind}")
    if finding.category in CATEGORY_ACTIONS:
        return Verdict(getattr(policy, finding.category), finding.category)
    return Verdict("deliver", "default")


def action_for(finding: Finding, policy: PolicySettings) -> tuple[str, str]:
    """(action, rule name) for one finding without any thread history (kept for callers)."""
    verdict = verdict_for(finding, policy, History())
    return verdict.action, verdict.rule


def decide(
    findings: Sequence[Finding],
    policy: PolicySettings | PolicyView,
    history: History | None = None,
) -> Decision:
    """The message's action, the rule that fired and the provenance of every finding."""
    view = view_of(policy)
    settings = view.settings
    history = history or History()
    action, rule, reasons, rows = "deliver", "default", [], []
    for finding in findings:
        verdict = verdict_for(finding, settings, history)
        reasons.append(
            f"{finding.category}/{finding.kind} {finding.text!r} -> {verdict.action}"
            f" ({verdict.rule})"
        )
        rows.append({**finding.as_dict(), "action": verdict.action, "rule": verdict.rule})
        if SEVERITY[verdict.action] > SEVERITY[action]:
            action, rule = verdict.action, verdict.rule
    acted = sorted({r["category"] for r in rows if r["action"] != "deliver"})
    action, rule, escalation = _escalate(action, rule, acted, settings, history)
    if escalation:
        reasons.append(escalation)
    provenance: dict[str, Any] = {
        "policy_version": view.version,
        "stage": history.stage or settings.default_stage,
        "sender_role": history.sender_role,
        "categories": acted,
        "findings": rows,
        "history": {"flagged": history.flagged, "shared_contact": history.shared_contact},
    }
    return Decision(action=action, reasons=tuple(reasons), rule=rule, provenance=provenance)


def _escalate(
    action: str, rule: str, acted: list[str], policy: PolicySettings, history: History
) -> tuple[str, str, str]:
    """Apply escalation and the emergency switch: (action, rule, reason or "")."""
    escalation = policy.escalation
    reason = ""
    if (
        "payment" in acted
        and history.shared_contact
        and SEVERITY[escalation.payment_after_contact] > SEVERITY[action]
    ):
        action, rule = escalation.payment_after_contact, "escalation.payment_after_contact"
        reason = f"payment request after a contact share in this thread -> {action}"
    elif (
        action == "flag"
        and escalation.flags_before_hold
        and history.flagged + 1 >= escalation.flags_before_hold
    ):
        action, rule = "hold", "escalation.flags_before_hold"
        reason = f"flagged message number {history.flagged + 1} of this sender here -> hold"
    if policy.emergency_hold and SEVERITY[action] < SEVERITY["hold"]:
        action, rule = "hold", "emergency_hold"
        reason = "the emergency switch holds every message"
    return action, rule, reason


def acted_findings(decision: Decision, findings: Sequence[Finding]) -> list[Finding]:
    """The findings the policy acted on (exempted, allowed and low-confidence ones left out)."""
    rows = decision.provenance.get("findings")
    if rows is None or len(rows) != len(findings):
        return list(findings)
    return [f for f, row in zip(findings, rows, strict=True) if row["action"] != "deliver"]


def warning_categories(decision: Decision, findings: Sequence[Finding]) -> list[str]:
    """Categories whose warning footer a recipient sees: those that led to flag or redact."""
    if decision.action not in {"flag", "redact"}:
        return []
    return sorted({f.category for f in acted_findings(decision, findings)})
