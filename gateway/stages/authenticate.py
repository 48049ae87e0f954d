"""Stage: the sender must be another participant (invariant 3), and, under [auth], authentic.

The header From is tried first (what the recipient would see), then the envelope sender. Then
SPF, DKIM and DMARC (or the front MTA's Authentication-Results) say whether the From domain
really sent the message (gateway.auth). A verdict of reject or tempfail stops the message here
with its precise reply; hold and flag travel on `ctx.auth` to the decide stage, which folds
them into the decision (gateway.auth.decision), so the record says why.
"""

from __future__ import annotations

import structlog

from gateway import rewrite
from gateway.auth.authenticator import Authenticator
from gateway.context import MessageContext
from gateway.errors import Reject, TryLater
from gateway.services import Services

log = structlog.get_logger("gateway.auth")


class Authenticate:
    """Identify the sender among the participants, authenticate the From domain, and drop the
    sender from the recipients."""

    name = "authenticate"

    def __init__(self, services: Services) -> None:
        self.services = services
        self.authenticator = Authenticator(services.settings.auth, services.resolver)

    async def __call__(self, ctx: MessageContext) -> MessageContext:
        assert ctx.thread is not None
        assert ctx.message is not None
        header_from = rewrite.header_from(ctx.message)
        candidates = [header_from, ctx.envelope.mail_from.lower()]
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
        outcome = await self.authenticator.check(
            ctx.message,
            ctx.raw,
            from_address=header_from or ctx.envelope.mail_from.lower(),
            from_is_participant=bool(header_from and ctx.thread.by_address(header_from)),
            mail_from=ctx.envelope.mail_from,
            helo=ctx.envelope.helo,
            peer=ctx.envelope.peer,
        )
        if outcome is not None:
            log.info("authentication", action=outcome.action, results=list(outcome.lines()))
            if outcome.action == "reject":
                raise Reject(outcome.reply, log_reason="; ".join(outcome.lines()))
            if outcome.action == "tempfail":
                raise TryLater(outcome.reply, log_reason="; ".join(outcome.lines()))
        return ctx.evolve(sender=sender, recipients=recipients, auth=outcome)
