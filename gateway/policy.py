"""The policy: findings plus the admins' [policy] table become one Decision. Pure; no I/O.

Each finding maps to an action by its kind (`[policy.kinds]`) if configured, else by its category.
The most severe action wins; the reasons name every finding that contributed, so "why was this
held?" has an answer in the record.
"""

from __future__ import annotations

from collections.abc import Sequence

from gateway.config import ACTIONS, PolicySettings
from gateway.context import Decision, Finding

SEVERITY = {action: rank for rank, action in enumerate(ACTIONS)}


def action_for(finding: Finding, policy: PolicySettings) -> tuple[str, str]:
    """(action, rule name) for one finding."""
    if finding.kind in policy.kinds:
        return policy.kinds[finding.kind], f"kinds.{finding.kind}"
    return getattr(policy, finding.category, "deliver"), finding.category


def decide(findings: Sequence[Finding], policy: PolicySettings) -> Decision:
    """The most severe action over all findings ("deliver" when there are none)."""
    action, rule, reasons = "deliver", "default", []
    for finding in findings:
        candidate, candidate_rule = action_for(finding, policy)
        reasons.append(f"{finding.category}/{finding.kind} {finding.text!r} -> {candidate}")
        if SEVERITY[candidate] > SEVERITY[action]:
            action, rule = candidate, candidate_rule
    return Decision(action=action, reasons=tuple(reasons), rule=rule)


def warning_categories(decision: Decision, findings: Sequence[Finding]) -> list[str]:
    """Categories whose warning footer a recipient sees: those that led to flag or redact."""
    if decision.action not in {"flag", "redact"}:
        return []
    return sorted({f.category for f in findings})
