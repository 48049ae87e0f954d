"""Stage: after the archive commit, tell the sender what the policy did (hold, redact).

It runs after the commit on purpose: the message is safe whatever happens here, so a notice
that cannot be stored is logged and the client still gets its 250 (the message was accepted).
A rejected message never gets here: its 550 text is the notice.
"""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import default as default_policy

import structlog

from gateway import notices
from gateway.bigmessage import header_bytes
from gateway.context import MessageContext
from gateway.policy.engine import acted_findings
from gateway.services import Services
from storage.support import store_notices

log = structlog.get_logger("gateway.notify")


def notice_words(decision, findings) -> list[str]:
    """What the sender wrote that the policy acted on (shown to that sender only)."""
    words = []
    for finding in acted_findings(decision, findings):
        if finding.category != "limit" and finding.text not in words:
            words.append(finding.text)
    return words[:20]


class Notify:
    """Queue hold and redact notices, rate-limited per sender, never in answer to automatic mail."""

    name = "notify"

    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, ctx: MessageContext) -> MessageContext:
        settings = self.services.settings.policy.notices
        decision = ctx.decision
        if (
            not settings.enabled
            or decision is None
            or decision.action not in ("hold", "redact")
            or decision.action not in settings.on
            or ctx.sender is None
            or ctx.thread is None
            or not ctx.recipients
            or ctx.is_automatic  # auto-replies, bulk mail (gateway.automatic)
            or _unauthenticated(ctx)
        ):
            return ctx
        headers = BytesHeaderParser(policy=default_policy).parsebytes(header_bytes(ctx.raw))
        if notices.is_automatic(headers, ctx.envelope.mail_from, self.services):
            return ctx
        common = {
            "event": decision.action,
            "thread": ctx.thread,
            "subject": ctx.subject,
            "rule": decision.rule,
            "categories": list(decision.provenance.get("categories", ())),
            "about_message": ctx.message_id,
        }
        batch = [
            notices.policy_notice(
                self.services,
                to=ctx.sender,
                recipient=ctx.recipients[0],
                in_reply_to=ctx.original_message_id,
                words=notice_words(decision, ctx.findings),
                **common,
            )
        ]
        if decision.action == "redact" and settings.notify_recipient:
            for person in ctx.recipients:
                batch.append(
                    notices.policy_notice(
                        self.services,
                        to=person,
                        recipient=person,
                        sender=ctx.sender,
                        in_reply_to=ctx.relayed_message_id,
                        words=[],
                        template="notices/redact_recipient.txt.j2",
                        **common,
                    )
                )
        db = self.services.db
        try:
            sent = await db.run(store_notices, db.engine, batch, settings.max_per_hour)
        except Exception:
            log.exception("could not store the policy notice", message_id=ctx.message_id)
            return ctx
        if sent:
            self.services.outbox_wakeup.set()
        return ctx


def _unauthenticated(ctx: MessageContext) -> bool:
    """Sender authentication ran and did not pass: the From may be forged, so a notice would
    go to someone who never wrote (backscatter, or a forged participant learning nothing)."""
    return ctx.auth is not None and ctx.auth.check != "authenticated"
