"""Stage: bytes -> EmailMessage, once; every later stage reads this parse."""

from __future__ import annotations

import asyncio

from gateway import mime
from gateway.bigmessage import BIG_MESSAGE_BYTES, skeleton
from gateway.context import MessageContext
from gateway.rewrite import clean, raw_values
from gateway.services import Services

OFFLOAD_BYTES = (
    256 * 1024
)  # bigger messages are parsed in a thread to keep SMTP sessions responsive


class Parse:
    """Parse the received bytes with policy=default."""

    name = "parse"

    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, ctx: MessageContext) -> MessageContext:
        skeleton = None
        if len(ctx.raw) >= BIG_MESSAGE_BYTES:
            message, skeleton = await asyncio.to_thread(self._parse_big, ctx.raw)
        elif len(ctx.raw) > OFFLOAD_BYTES:
            message = await asyncio.to_thread(mime.parse, ctx.raw)
        else:
            message = mime.parse(ctx.raw)
        ids = raw_values(message, "message-id")
        return ctx.evolve(
            message=message,
            skeleton=skeleton,
            subject=clean(str(message.get("subject", "") or "")),
            original_message_id=clean(ids[0]) if ids else "",
        )

    def _parse_big(self, raw: bytes):
        """The parse of the skeleton when one can be made (gateway.bigmessage), else of `raw`."""
        made = skeleton.make(raw, documents=self.services.scanner.documents)
        if made is None:
            return mime.parse(raw), None
        return made[1], made[0]
