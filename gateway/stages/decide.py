"""Stage: apply the admins' policy, given the thread's stage and the sender's history.

The thread state (stage, exemptions, the sender's earlier decisions) is read in one short
transaction; the decision itself is pure (gateway.policy.engine) and carries its provenance,
including the footer templates the copies will be built from.
"""

from __future__ import annotations

from gateway.auth.decision import with_auth
from gateway.context import MessageContext
from gateway.policy import provenance
from gateway.policy.engine import view_of
from gateway.services import Services
from storage.policy_state import load_policy_state


class Decide:
    """One action for the message, with its reasons, the rule that fired and its provenance."""

    name = "decide"

    def __init__(self, services: Services) -> None:
        self.services = services
        self.view = view_of(services.settings.policy)

    async def __call__(self, ctx: MessageContext) -> MessageContext:
        assert ctx.thread is not None
        assert ctx.message is not None
        db = self.services.db
        state = await db.run(
            load_policy_state, db.engine, ctx.thread.id, ctx.sender.id if ctx.sender else None
        )
        decision, findings = provenance.evaluate(
            self.services.scanner, self.view, ctx.message, ctx.findings, state, ctx.scan_texts
        )
        footers = provenance.footer_provenance(self.services.footers.env, decision, findings)
        decision = decision.__class__(
            decision.action,
            decision.reasons,
            decision.rule,
            {**decision.provenance, "footer_templates": footers},
        )
        decision = with_auth(decision, ctx.auth)  # hold/flag/reject from [auth]
        return ctx.evolve(decision=decision, findings=findings)
