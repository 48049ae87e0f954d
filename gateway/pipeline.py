"""The pipeline: an ordered tuple of stages, run one after another on one MessageContext.

Each stage is a small object with a `name` and an async `__call__(ctx) -> ctx`; the order is data
(`default_stages`), not discovered, so "go to definition" reaches any stage. A stage stops the
message by raising `Reject`/`TryLater` (gateway.errors); the SMTP edge turns that into a reply.
"""

from __future__ import annotations

import time
from typing import Protocol

import structlog

from gateway.context import MessageContext
from gateway.services import Services

log = structlog.get_logger("gateway.pipeline")


class Stage(Protocol):
    """One step of the flow in DESIGN.md."""

    name: str

    async def __call__(self, ctx: MessageContext) -> MessageContext: ...


def default_stages(services: Services) -> tuple[Stage, ...]:
    """The stages in the order of DESIGN.md's flow (parse first, archive last)."""
    from gateway import automatic, limits, loops
    from gateway.stages import (
        archive,
        authenticate,
        decide,
        footer,
        notify,
        parse,
        resolve,
        rewrite,
        scan,
        sign,
    )

    return (
        parse.Parse(services),
        limits.CheckMimeShape(services),
        resolve.Resolve(services),
        authenticate.Authenticate(services),
        scan.Scan(services),
        decide.Decide(services),
        rewrite.Rewrite(services),
        footer.AddFooter(services),
        loops.StampTrace(services),
        sign.Sign(services),
        automatic.ApplyAutomaticRule(services),
        archive.Archive(services),
        notify.Notify(services),
    )


async def run(stages: tuple[Stage, ...], ctx: MessageContext) -> MessageContext:
    """Run every stage in order, recording each one's time in milliseconds (set once at the end:
    no stage reads them, and a context copy per stage only for them cost CPU)."""
    timings = list(ctx.timings)
    for stage in stages:
        started = time.perf_counter()
        structlog.contextvars.bind_contextvars(stage=stage.name)
        ctx = await stage(ctx)
        timings.append((stage.name, round((time.perf_counter() - started) * 1000, 3)))
    structlog.contextvars.unbind_contextvars("stage")
    return ctx.evolve(timings=tuple(timings))
