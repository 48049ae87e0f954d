"""Stage: render the footer for each recipient and put it into the copy's body."""

from __future__ import annotations

import dataclasses

from gateway import footer, policy
from gateway.context import MessageContext, Person
from gateway.services import Services


class AddFooter:
    """Footer (with the warning variants the decision calls for) in every body part."""

    name = "footer"

    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, ctx: MessageContext) -> MessageContext:
        copies = []
        for copy in ctx.outgoing:
            rendered = self.services.footers.render(**self.variables(ctx, copy.recipient))
            assert copy.message is not None
            copies.append(
                dataclasses.replace(copy, message=footer.add_footer(copy.message, rendered))
            )
        return ctx.evolve(outgoing=tuple(copies))

    def variables(self, ctx: MessageContext, recipient: Person) -> dict:
        """The template variables: relay addresses only, never a real one."""
        assert ctx.thread is not None
        assert ctx.sender is not None
        assert ctx.decision is not None
        platform = self.services.settings.platform
        return {
            "platform": {"name": platform.name, "support_url": platform.support_url},
            "thread": {"id": ctx.thread.id, "subject": ctx.thread.subject},
            "sender": _person(ctx.sender),
            "recipient": _person(recipient),
            "decision": {"action": ctx.decision.action, "reasons": list(ctx.decision.reasons)},
            "findings": [
                {"category": f.category, "kind": f.kind, "text": f.text} for f in ctx.findings
            ],
            "warnings": policy.warning_categories(ctx.decision, ctx.findings),
        }


def _person(person: Person) -> dict:
    """A participant as templates see one."""
    return {"name": person.label, "role": person.role, "relay_address": person.relay_address}
