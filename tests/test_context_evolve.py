"""MessageContext.evolve: a changed copy, as dataclasses.replace gives, without re-running __init__."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from gateway.context import Envelope, MessageContext


def context() -> MessageContext:
    envelope = Envelope(
        "a@example.org",
        ("b@relay.example.com",),
        "peer",
        "helo",
        False,
        False,
        datetime(2024, 1, 1, tzinfo=UTC),
    )
    return MessageContext(queue_id="q1", envelope=envelope, raw=b"raw", subject="old")


def test_evolve_equals_dataclasses_replace_and_leaves_the_original_alone():
    ctx = context()
    changed = ctx.evolve(subject="new", findings=(), automatic="bulk")
    assert changed == dataclasses.replace(ctx, subject="new", findings=(), automatic="bulk")
    assert (ctx.subject, ctx.automatic) == ("old", "")
    assert changed.raw is ctx.raw
    assert changed.envelope is ctx.envelope
    with pytest.raises(dataclasses.FrozenInstanceError):
        changed.subject = "again"  # type: ignore[misc]


def test_evolve_refuses_unknown_fields():
    with pytest.raises(TypeError, match="no field"):
        context().evolve(subjct="typo")
