"""Mail loops: the gateway's own trace header and the Received count.

Why a trace header of our own: the gateway rebuilds every header block (invariant 2), so the
Received lines of earlier hops never survive a pass through it and cannot count passes. Each
outgoing copy therefore carries one `X-Relay-Loop: <relay domain>` line per pass it has made,
the lines of the message it came from plus one. A participant's mailbox that forwards (redirects)
everything back to a relay address keeps those lines, so the count grows with every round trip
and the pass that reaches `[loops] max_relay_passes` is refused with `554 5.4.6`, the RFC 3463
code for a routing loop. Ordinary replies never carry the header: mail programs do not copy
headers into a reply.

The Received count catches loops between other MTAs before the message reaches us (RFC 5321
6.3: a hop count over a limit of about 100 means a loop; we use `[loops] max_received`, 30).
"""

from __future__ import annotations

import dataclasses

from gateway.context import MessageContext
from gateway.limits import HeaderBlock, header_block
from gateway.services import Services

TRACE_HEADER = "X-Relay-Loop"
_TRACE_NAME = TRACE_HEADER.lower().encode()


def relay_passes(block: HeaderBlock, domain: str) -> int:
    """How many times this message already went through a gateway of `domain`."""
    ours = domain.lower().encode()
    return sum(1 for value in block.values(_TRACE_NAME) if value.strip().lower() == ours)


def loop_problem(
    block: HeaderBlock, *, domain: str, max_passes: int, max_received: int
) -> str | None:
    """The 554 5.4.6 reply for a looping message, else None."""
    passes = relay_passes(block, domain)
    if passes >= max_passes:
        return (
            f"554 5.4.6 Mail loop detected: this message already went through {domain} "
            f"{passes} times"
        )
    received = block.count(b"received")
    if received > max_received:
        return f"554 5.4.6 Mail loop detected: too many Received headers ({received})"
    return None


def trace_lines(passes: int, domain: str) -> bytes:
    """The trace lines an outgoing copy carries: one per earlier pass, plus this one."""
    return f"{TRACE_HEADER}: {domain}\r\n".encode() * (passes + 1)


class StampTrace:
    """Stage (before sign): put the trace lines at the top of every copy's header block."""

    name = "trace"

    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, ctx: MessageContext) -> MessageContext:
        if not ctx.outgoing:
            return ctx
        domain = self.services.relay.domain
        block = header_block(ctx.raw, self.services.settings.limits.max_headers)
        lines = trace_lines(relay_passes(block, domain), domain)
        copies = tuple(dataclasses.replace(c, headers=lines + c.headers) for c in ctx.outgoing)
        return ctx.evolve(outgoing=copies)
