"""Stage: the sender must be another participant of the thread (invariant 3, no open relay).

The header From is tried first (what the recipient would see), then the envelope sender. DKIM,
SPF and DMARC alignment are a later addition to this same stage.
"""

from __future__ import annotations

from gateway import rewrite
from gateway.context import MessageContext
from gateway.errors import Reject
from gateway.services import Services


class Authenticate:
    """Identify the sender among the participants and drop the sender from the recipients."""

    name = "authenticate"

    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, ctx: MessageContext) -> MessageContext:
        assert ctx.thread is not None
        assert ctx.message is not None
        candidates = [rewrite.header_from(ctx.message), ctx.envelope.mail_from.lower()]
        sender = next((p for a in candidates if a and (p := ctx.thread.by_address(a))), None)
        if sender is None:
            raise Reject(
                "550 5.7.1 The sender is not a participant of this conversation; "
                "write from the address the platform has for you",
                log_reason=f"not a participant: {candidates}",
            )
        recipients = tuple(p for p in ctx.recipients if p.id != sender.id)
        if not recipients:
            raise Reject("550 5.7.1 You cannot send a message to your own relay address")
        return ctx.evolve(sender=sender, recipients=recipients)
