"""The one hook between authentication and the policy decision (used by stages/decide.py).

Kept apart from gateway/policy.py on purpose: the policy module decides from findings, this
only folds an authentication verdict into whatever it decided. The verdict's results are
always appended to the reasons (so the archived, hash-chained decision records them), and its
action wins when it is more severe ("accept" is the policy's "deliver").
"""

from __future__ import annotations

import dataclasses

from gateway.auth.verdict import AuthOutcome
from gateway.context import Decision

_RANK = {"deliver": 0, "accept": 0, "flag": 1, "redact": 2, "hold": 3, "reject": 4}


def with_auth(decision: Decision, auth: AuthOutcome | None) -> Decision:
    """`decision` with the authentication results recorded and its action applied."""
    if auth is None:
        return decision
    reasons = (*decision.reasons, *auth.lines())
    if _RANK.get(auth.action, 0) > _RANK.get(decision.action, 0):
        return dataclasses.replace(
            decision, action=auth.action, reasons=reasons, rule=f"auth.{auth.check}"
        )
    return dataclasses.replace(decision, reasons=reasons)
