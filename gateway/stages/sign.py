"""Stage: serialize each copy and DKIM-sign it as the very last change to its bytes.

The signature is verified before the copy is stored; a copy that fails its own check is held
for support rather than sent broken.
"""

from __future__ import annotations

import dataclasses

import structlog

from gateway import mime
from gateway.context import MessageContext, OutgoingCopy
from gateway.services import Services

log = structlog.get_logger("gateway.sign")


class Sign:
    """Final bytes for every copy: header block + MIME body, then DKIM-Signature."""

    name = "sign"

    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, ctx: MessageContext) -> MessageContext:
        copies = tuple(self._finish(ctx, copy) for copy in ctx.outgoing)
        return ctx.evolve(outgoing=copies)

    def _finish(self, ctx: MessageContext, copy: OutgoingCopy) -> OutgoingCopy:
        """Serialize, sign and self-verify one copy."""
        assert copy.message is not None
        data = copy.headers + mime.serialize(copy.message, utf8=ctx.envelope.smtputf8)
        signer = self.services.signer
        if signer is None:
            return dataclasses.replace(copy, data=data, message=None)
        try:
            signed = signer.sign(data)
        except ValueError as exc:  # dkimpy cannot parse what we built: never send it unsigned
            log.error("dkim signing failed; copy held", error=str(exc))
            return dataclasses.replace(copy, data=data, message=None, status="held")
        if not signer.verify(signed):
            log.error("dkim self-check failed; copy held", recipient_id=copy.recipient.id)
            return dataclasses.replace(copy, data=signed, message=None, status="held")
        return dataclasses.replace(copy, data=signed, message=None)
