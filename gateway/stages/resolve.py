"""Stage: relay addresses -> the thread and its recipients; referenced ids -> known messages."""

from __future__ import annotations

from gateway import directory, rewrite
from gateway.addresses import random_token
from gateway.context import KnownMessage, MessageContext
from gateway.errors import Reject
from gateway.services import Services
from storage import archive


class Resolve:
    """Load the thread the recipients belong to (RCPT already refused any other address)."""

    name = "resolve"

    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, ctx: MessageContext) -> MessageContext:
        db, relay = self.services.db, self.services.relay
        thread, recipients = None, []
        rcpt_tos = ctx.envelope.rcpt_tos
        looked_up = len(ctx.rcpt_targets) == len(rcpt_tos)
        for index, address in enumerate(rcpt_tos):
            # RCPT looked every address up moments ago in this same transaction; reuse it.
            if looked_up:
                target = ctx.rcpt_targets[index]
            else:
                target = await directory.lookup(db, relay, address)
            if not isinstance(target, directory.RelayTarget):
                raise Reject("550 5.1.1 Recipient address is not a relay address")
            if target.thread.status != "open":
                raise Reject(closed_reply(self.services))
            thread = thread or target.thread
            if target.person not in recipients:
                recipients.append(target.person)
        assert ctx.message is not None
        assert thread is not None
        ids = rewrite.referenced_ids(ctx.message)
        rows = await db.run(archive.known_messages, db.engine, thread.id, ids) if ids else []
        return ctx.evolve(
            thread=thread,
            recipients=tuple(recipients),
            known_messages=tuple(KnownMessage(*row) for row in rows),
            relayed_message_id=f"<{random_token(15)}@{relay.domain}>",
        )


def closed_reply(services: Services) -> str:
    """The 550 text for a closed conversation, pointing to where it can continue."""
    platform = services.settings.platform
    where = f" at {platform.support_url}" if platform.support_url else ""
    return (
        f"550 5.7.1 This conversation has been closed; please contact the other party "
        f"through {platform.name}{where}"
    )
