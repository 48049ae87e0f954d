"""Stage: apply the admins' policy to the findings."""

from __future__ import annotations

from gateway import policy
from gateway.auth.decision import with_auth
from gateway.context import MessageContext
from gateway.services import Services


class Decide:
    """One action for the message, with its reasons."""

    name = "decide"

    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, ctx: MessageContext) -> MessageContext:
        decision = policy.decide(ctx.findings, self.services.settings.policy)
        return ctx.evolve(decision=with_auth(decision, ctx.auth))  # hold/flag from [auth]
