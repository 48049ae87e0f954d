"""Stage: run the scanner over the parsed message."""

from __future__ import annotations

import asyncio

from gateway.context import Finding, MessageContext
from gateway.scanning.text import ScanText, extract
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
            findings, index_text, texts = await asyncio.to_thread(self.scan, ctx)
        else:
            findings, index_text, texts = self.scan(ctx)
        # Whole (not cut at the budget) and without documents, these are the texts the decide
        # stage's fragment search would extract again (gateway.policy.accumulate.fragments).
        scanner = self.services.scanner
        whole = sum(len(t.text) for t in texts) <= scanner.limits.max_chars
        reusable = tuple(texts) if whole and not scanner.documents else None
        return ctx.evolve(findings=tuple(findings), index_text=index_text, scan_texts=reusable)

    def scan(self, ctx: MessageContext) -> tuple[list[Finding], str, list[ScanText]]:
        """Findings, the archive's searchable text built from the same extraction, the texts."""
        assert ctx.message is not None
        scanner = self.services.scanner
        texts = extract(
            ctx.message, max_chars=scanner.limits.max_chars + 1, documents=scanner.documents
        )
        return scanner.scan_texts(texts), texts_text(ctx.message, texts, ctx.subject), texts
