"""Stage: archive the message, its decision and every outgoing copy, and enqueue the deliveries.

One transaction per message as far as the record goes (storage.archive.add_message); several
messages that arrive together share that transaction and its fsync (gateway.committer, group
commit). Only after the transaction holding this message commits may the SMTP edge say 250.
"""

from __future__ import annotations

import structlog

from gateway import metrics
from gateway.addresses import random_token
from gateway.committer import GroupCommitter
from gateway.context import MessageContext
from gateway.errors import Reject, TryLater
from gateway.services import Services
from storage import failures
from storage.archive import MessageRecord, OutgoingRecord

log = structlog.get_logger("gateway.archive")

STATUS_BY_ACTION = {"hold": "held", "reject": "rejected"}


class Archive:
    """Store everything at once; a failed commit becomes 451 4.3.0."""

    name = "archive"

    def __init__(self, services: Services) -> None:
        self.services = services
        self.committer = GroupCommitter(services.db)

    async def __call__(self, ctx: MessageContext) -> MessageContext:
        record, outgoing = self.records(ctx)
        try:
            message_id = await self.committer.store(record, outgoing)
        except Exception as exc:
            log.exception("archive commit failed", error=type(exc).__name__)
            raise TryLater(failures.smtp_reply(exc)) from exc
        metrics.message_archived(record.action)
        if any(o.status == "queued" for o in outgoing):
            self.services.outbox_wakeup.set()
        ctx = ctx.evolve(message_id=message_id)
        if ctx.decision and ctx.decision.action == "reject":
            raise Reject(reject_reply(self.services, ctx), log_reason="policy reject")
        return ctx

    def records(self, ctx: MessageContext) -> tuple[MessageRecord, list[OutgoingRecord]]:
        """The archive row and the outbox rows for this context."""
        assert ctx.thread is not None
        assert ctx.decision is not None
        assert ctx.message is not None
        action = ctx.decision.action
        held = action == "hold"
        outgoing = []
        for copy in ctx.outgoing:
            token = random_token()
            outgoing.append(
                OutgoingRecord(
                    recipient=copy.recipient.address,
                    recipient_id=copy.recipient.id,
                    envelope_from=self.services.relay.bounce_address(token),
                    verp_token=token,
                    data=copy.data,
                    relayed_message_id=ctx.relayed_message_id,
                    status="held" if held else copy.status,
                )
            )
        decision = {**ctx.decision.as_dict(), "dropped_addresses": list(ctx.dropped_addresses)}
        record = MessageRecord(
            thread_id=ctx.thread.id,
            raw=ctx.raw,
            sender_id=ctx.sender.id if ctx.sender else None,
            received_at=ctx.envelope.received_at,
            mail_from=ctx.envelope.mail_from,
            rcpt_tos=ctx.envelope.rcpt_tos,
            peer=ctx.envelope.peer,
            helo=ctx.envelope.helo,
            tls=ctx.envelope.tls,
            smtputf8=ctx.envelope.smtputf8,
            subject=ctx.subject,
            original_message_id=ctx.original_message_id,
            relayed_message_id=ctx.relayed_message_id,
            status=STATUS_BY_ACTION.get(action, "accepted"),
            action=action,
            decision=decision,
            findings=tuple(f.as_dict() for f in ctx.findings),
            index_text=ctx.index_text,
        )
        return record, outgoing


def reject_reply(services: Services, ctx: MessageContext) -> str:
    """550 5.7.1 with a helpful text naming what was found (categories only, no internals)."""
    platform = services.settings.platform
    categories = sorted({f.category for f in ctx.findings}) or ["policy"]
    what = {
        "contact": "contact details",
        "payment": "an off-platform payment request",
    }
    found = " and ".join(what.get(c, c) for c in categories)
    help_text = f"; see {platform.support_url}" if platform.support_url else ""
    return (
        f"550 5.7.1 Message refused: it appears to contain {found}. Please keep the "
        f"conversation and payments on {platform.name}{help_text}"
    )
