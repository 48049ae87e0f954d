"""Stage: build each recipient's copy: rebuilt headers, real addresses replaced, redactions made.

The body edits (address replacement, redaction) do not depend on the recipient, so they are made
once, on the one parse of the message, and every copy shares that body (`OutgoingCopy.message`
is the same object); only the header blocks differ. The footer stage gives a copy a body of its
own when its footer differs, and the sign stage serializes a shared body once.
"""

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
        message = ctx.message
        replacements = self._replacements(ctx)
        self._edit_body(ctx, message, replacements)
        subject = rewrite.rewritten_subject(message, replacements)
        copies, dropped = [], []
        for recipient in ctx.recipients:
            headers, lost = self._headers_for(ctx, recipient, message, subject)
            copies.append(OutgoingCopy(recipient=recipient, message=message, headers=headers))
            dropped.extend(a for a in lost if a not in dropped)
        rewrite.strip_to_mime(message)  # after every header block was built from it
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

    def _edit_body(
        self, ctx: MessageContext, message: EmailMessage, replacements: dict[str, str]
    ) -> None:
        """Redactions and relay addresses in the body; signed/encrypted bodies are never edited."""
        if mime.is_protected(message):
            return
        assert ctx.decision is not None
        if ctx.decision.action == "redact":
            redaction.redact_message(
                message, redaction_texts(ctx.decision, ctx.findings), self._marker()
            )
        rewrite.replace_in_body(message, replacements)

    def _headers_for(
        self, ctx: MessageContext, recipient: Person, message: EmailMessage, subject: str | None
    ) -> tuple[bytes, list[str]]:
        """The header block of one recipient's copy, and the addresses it dropped."""
        assert ctx.thread is not None
        assert ctx.sender is not None
        return rewrite.build_headers(
            message,
            thread=ctx.thread,
            sender=ctx.sender,
            recipient=recipient,
            platform=self.services.settings.platform.name,
            relayed_id=ctx.relayed_message_id,
            known=ctx.known_messages,
            received_at=ctx.envelope.received_at,
            trace_domain=self.services.relay.domain,
            subject=subject,
        )
