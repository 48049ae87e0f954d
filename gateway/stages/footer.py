"""Stage: render the footer for each recipient and put it into the copy's body.

Copies share one body after the rewrite stage. Copies whose footers are the same (the built-in
templates do not name the recipient) keep sharing it, with the footer added once; a copy whose
footer differs gets its own deep copy of the body, taken before any footer was added.

Rendered footers are reused: the key is the variables plus the sha256 of every footer template
the decision recorded (`footer_templates` in its provenance, kept fresh by the decide stage when
an admin edits a file), so the same sources with the same inputs give the same text. Every
message between the same two people of a thread has the same inputs unless the policy warns.
"""

from __future__ import annotations

import copy as copying
import dataclasses
import json
from collections import OrderedDict
from email.message import EmailMessage

from gateway import footer, policy
from gateway.context import MessageContext, Person
from gateway.services import Services

RENDER_CACHE = 512  # rendered footers kept (a few hundred bytes of text and HTML each)


class AddFooter:
    """Footer (with the warning variants the decision calls for) in every body part."""

    name = "footer"

    def __init__(self, services: Services) -> None:
        self.services = services
        self._rendered: OrderedDict[str, footer.Footer] = OrderedDict()

    async def __call__(self, ctx: MessageContext) -> MessageContext:
        rendered = [self.render(ctx, copy.recipient) for copy in ctx.outgoing]
        # A pristine body for every (body, footer) pair beyond the first footer of each body.
        bodies: dict[tuple[int, footer.Footer], EmailMessage] = {}
        for copy, text in zip(ctx.outgoing, rendered, strict=True):
            assert copy.message is not None
            key = (id(copy.message), text)
            if key not in bodies:
                first = not any(k[0] == key[0] for k in bodies)
                bodies[key] = copy.message if first else copying.deepcopy(copy.message)
        done: dict[tuple[int, footer.Footer], EmailMessage] = {}
        for key, message in bodies.items():
            done[key] = footer.add_footer(message, key[1])
        copies = [
            dataclasses.replace(copy, message=done[(id(copy.message), text)])
            for copy, text in zip(ctx.outgoing, rendered, strict=True)
        ]
        return ctx.evolve(outgoing=tuple(copies))

    def render(self, ctx: MessageContext, recipient: Person) -> footer.Footer:
        """The recipient's footer, from the cache when the templates and inputs are the same."""
        assert ctx.decision is not None
        variables = self.variables(ctx, recipient)
        sources = ctx.decision.provenance.get("footer_templates")
        if not sources:  # no record of the sources: nothing to key a cached footer on
            return self.services.footers.render(**variables)
        key = json.dumps([sources, variables], sort_keys=True, default=str)
        found = self._rendered.get(key)
        if found is None:
            found = self._rendered[key] = self.services.footers.render(**variables)
            if len(self._rendered) > RENDER_CACHE:
                self._rendered.popitem(last=False)
        else:
            self._rendered.move_to_end(key)
        return found

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
