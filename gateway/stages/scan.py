"""Stage: run the scanner over the parsed message."""

from __future__ import annotations

import asyncio

from gateway.context import Finding, MessageContext
from gateway.scanning.text import extract
from gateway.services import Services
from gateway.stages.parse import OFFLOAD_BYTES
from storage.search import texts_text


class Scan:
    """Findings for the message; large messages are scanned off the event loop."""

    name = "scan"

    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, ctx: MessageContext) -> MessageContext:
        assert ctx.message is not None
        if len(ctx.raw) > OFFLOAD_BYTES:
            findings, index_text = await asyncio.to_thread(self.scan, ctx)
        else:
            findings, index_text = self.scan(ctx)
        return ctx.evolve(findings=tuple(findings), index_text=index_text)

    def scan(self, ctx: MessageContext) -> tuple[list[Finding], str]:
        """Findings, and the archive's searchable text built from the same extraction."""
        assert ctx.message is not None
        scanner = self.services.scanner
        texts = extract(
            ctx.message, max_chars=scanner.limits.max_chars + 1, documents=scanner.documents
        )
        return scanner.scan_texts(texts), texts_text(ctx.message, texts, ctx.subject)
