"""Stage: run the scanner over the parsed message."""

from __future__ import annotations

import asyncio

from gateway.context import MessageContext
from gateway.services import Services
from gateway.stages.parse import OFFLOAD_BYTES


class Scan:
    """Findings for the message; large messages are scanned off the event loop."""

    name = "scan"

    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, ctx: MessageContext) -> MessageContext:
        assert ctx.message is not None
        scanner = self.services.scanner
        if len(ctx.raw) > OFFLOAD_BYTES:
            findings = await asyncio.to_thread(scanner.scan, ctx.message)
        else:
            findings = scanner.scan(ctx.message)
        return ctx.evolve(findings=tuple(findings))
