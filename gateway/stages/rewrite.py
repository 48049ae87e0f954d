"""Stage: build each recipient's copy: rebuilt headers, real addresses replaced, redactions made."""

from __future__ import annotations

from email.message import EmailMessage

from gateway import mime, redaction, rewrite
from gateway.context import MessageContext, OutgoingCopy, Person
from gateway.policy.provenance import redaction_texts
from gateway.services import Services


class Rewrite:
    """One OutgoingCopy per recipient (nothing for a rejected message)."""

    name = "rewrite"

    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, ctx: MessageContext) -> MessageContext:
        assert ctx.decision is not None
        assert ctx.message is not None
        if ctx.decision.action == "reject":
            return ctx
        copies, dropped = [], []
        for index, recipient in enumerate(ctx.recipients):
            # The parse is reused for the first copy; further copies need their own tree.
            source = ctx.skeleton.data if ctx.skeleton is not None else ctx.raw
            message = ctx.message if index == 0 else mime.parse(source)
            copy, lost = self._copy_for(ctx, recipient, message)
            copies.append(copy)
            dropped.extend(a for a in lost if a not in dropped)
        return ctx.evolve(outgoing=tuple(copies), dropped_addresses=tuple(dropped))

    def _replacements(self, ctx: MessageContext) -> dict[str, str]:
        """Real addresses -> relay addresses, plus finding texts -> marker when redacting."""
        assert ctx.thread is not None
        assert ctx.decision is not None
        replacements = rewrite.address_replacements(ctx.thread)
        if ctx.decision.action == "redact":
            marker = self._marker()
            texts = redaction_texts(ctx.decision, ctx.findings)
            found = rewrite.redaction_replacements(texts, marker)
            replacements = {**found, **replacements}
        return replacements

    def _marker(self) -> str:
        """What a redacted finding becomes."""
        return f"[removed by {self.services.settings.platform.name}]"

    def _copy_for(
        self, ctx: MessageContext, recipient: Person, message: EmailMessage
    ) -> tuple[OutgoingCopy, list[str]]:
        """Headers and body of one recipient's copy."""
        assert ctx.thread is not None
        assert ctx.sender is not None
        replacements = self._replacements(ctx)
        if not mime.is_protected(message):  # signed/encrypted bodies are never edited
            if ctx.decision.action == "redact":
                redaction.redact_message(
                    message, redaction_texts(ctx.decision, ctx.findings), self._marker()
                )
            rewrite.replace_in_body(message, replacements)
        headers, dropped = rewrite.build_headers(
            message,
            thread=ctx.thread,
            sender=ctx.sender,
            recipient=recipient,
            platform=self.services.settings.platform.name,
            relayed_id=ctx.relayed_message_id,
            known=ctx.known_messages,
            received_at=ctx.envelope.received_at,
            trace_domain=self.services.relay.domain,
            subject=rewrite.rewritten_subject(message, replacements),
        )
        rewrite.strip_to_mime(message)
        return OutgoingCopy(recipient=recipient, message=message, headers=headers), dropped
