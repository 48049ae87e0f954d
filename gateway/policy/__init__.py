"""The admins' policy: what happens to a message, why, and how that can be checked and replayed.

`engine` decides (pure), `accumulate` joins number fragments across a sender's messages,
`provenance` records what a decision depended on, `checks` explains policy errors for
`gateway config check`, `replay` runs archived mail through a candidate policy.
"""

from gateway.policy.engine import (
    SEVERITY,
    Exemption,
    History,
    PolicyView,
    acted_findings,
    action_for,
    decide,
    policy_version,
    verdict_for,
    warning_categories,
)

__all__ = [
    "SEVERITY",
    "Exemption",
    "History",
    "PolicyView",
    "acted_findings",
    "action_for",
    "decide",
    "policy_version",
    "verdict_for",
    "warning_categories",
]
