"""Policy notices through real SMTP: they arrive, are archived and signed, are rate-limited, never loop."""

from __future__ import annotations

import asyncio
import email
import email.policy

from sqlmodel import select

from storage import archive
from storage.db import session_scope
from storage.models import AuditEvent
from tests.conftest import asend, make_settings, new_conversation

MESSAGE = (
    "From: Ann Lee <ann@example.org>\nTo: {to}\nSubject: {subject}\n{extra}\n"
    "Easier by phone: +1 415 555 2671\n"
)


async def gateway(db_url, tmp_path, dkim_key, sink, start_gateway, action="redact", **notices):
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        policy={"contact": action},
        policy__notices=notices or {"max_per_hour": 5},
        delivery__smtp={"port": sink.port},
    )
    return await start_gateway(settings)


def parsed(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


async def test_redact_notice_arrives_signed_and_archived(
    db_url, tmp_path, dkim_key, sink, start_gateway
):
    """The sender hears what was removed and why; the notice is an archived, signed message."""
    running = await gateway(db_url, tmp_path, dkim_key, sink, start_gateway)
    conv = new_conversation(running.engine)
    data = MESSAGE.format(to=conv.bo, subject="Call me", extra="")
    assert (await asend(running, "ann@example.org", [conv.bo], data))[0] == 250
    await sink.wait_for(2)
    by_rcpt = {tuple(m[1]): m for m in sink.received}
    notice = by_rcpt[("ann@example.org",)]
    assert notice[0] == "<>"  # null envelope sender: nothing answers it
    mail = parsed(notice[2])
    assert mail["Auto-Submitted"] == "auto-replied"
    assert mail["Subject"] == "Delivered with parts removed: Call me"
    assert "d=relay.gigbridge.io" in mail["DKIM-Signature"]
    text = " ".join(mail.get_content().split())
    assert "Removed: - +1 415 555 2671" in text
    assert 'policy rule "contact"' in text
    assert "https://gigbridge.io/help" in text
    assert b"555 2671" not in by_rcpt[("bo@example.net",)][2]
    stored = [m for m in archive.messages_of(running.engine, conv.thread_id) if m.kind == "notice"]
    assert len(stored) == 1
    assert stored[0].decision["notice"]["event"] == "redact"
    assert stored[0].raw == notice[2]


async def test_recipient_notice_never_repeats_the_removed_words(
    db_url, tmp_path, dkim_key, sink, start_gateway
):
    """notify_recipient: Bo learns that parts were removed, not what they were."""
    running = await gateway(db_url, tmp_path, dkim_key, sink, start_gateway, notify_recipient=True)
    conv = new_conversation(running.engine)
    data = MESSAGE.format(to=conv.bo, subject="Call me", extra="")
    assert (await asend(running, "ann@example.org", [conv.bo], data))[0] == 250
    await sink.wait_for(3)
    to_bo = [m for m in sink.received if m[1] == ["bo@example.net"] and m[0] == "<>"]
    assert len(to_bo) == 1
    assert b"2671" not in to_bo[0][2]
    assert "parts removed" in " ".join(parsed(to_bo[0][2]).get_content().split())
    assert b"ann@example.org" not in to_bo[0][2]


async def test_notices_are_rate_limited_per_sender(db_url, tmp_path, dkim_key, sink, start_gateway):
    """max_per_hour = 2: the third hold in an hour is recorded, not mailed."""
    running = await gateway(
        db_url, tmp_path, dkim_key, sink, start_gateway, action="hold", max_per_hour=2
    )
    conv = new_conversation(running.engine)
    for n in range(3):
        data = MESSAGE.format(to=conv.bo, subject=f"Try {n}", extra="")
        assert (await asend(running, "ann@example.org", [conv.bo], data))[0] == 250
    await sink.wait_for(2)
    await asyncio.sleep(0.6)
    assert len(sink.received) == 2
    with session_scope(running.engine) as session:
        suppressed = session.exec(
            select(AuditEvent).where(AuditEvent.action == "notice.suppressed")
        ).all()
    assert len(suppressed) == 1
    assert suppressed[0].details["notice"]["event"] == "hold"


async def test_automatic_mail_never_gets_a_notice(db_url, tmp_path, dkim_key, sink, start_gateway):
    """Auto-Submitted, Precedence: bulk and a null sender are held silently: no loops."""
    running = await gateway(db_url, tmp_path, dkim_key, sink, start_gateway, action="hold")
    conv = new_conversation(running.engine)
    automatic = [
        ("ann@example.org", "Auto-Submitted: auto-replied\n"),
        ("ann@example.org", "Precedence: bulk\n"),
        ("", ""),
    ]
    for n, (mail_from, extra) in enumerate(automatic):
        data = MESSAGE.format(to=conv.bo, subject=f"Auto {n}", extra=extra)
        code, text = await asend(running, mail_from, [conv.bo], data)
        assert (code, "held" in text) == (250, True)
    await asyncio.sleep(0.8)
    assert sink.received == []
    kinds = [m.kind for m in archive.messages_of(running.engine, conv.thread_id)]
    assert kinds == ["inbound", "inbound", "inbound"]


async def test_emergency_hold_notice_says_why_without_findings(
    db_url, tmp_path, dkim_key, sink, start_gateway
):
    """A clean message held by the emergency switch: the notice names the switch, no findings."""
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        policy={"emergency_hold": True},
        delivery__smtp={"port": sink.port},
    )
    running = await start_gateway(settings)
    conv = new_conversation(running.engine)
    data = "From: Ann Lee <ann@example.org>\nTo: {to}\nSubject: Hi\n\nHello Bo\n"
    assert (await asend(running, "ann@example.org", [conv.bo], data.format(to=conv.bo)))[0] == 250
    await sink.wait_for(1)
    text = " ".join(parsed(sink.received[0][2]).get_content().split())
    assert 'Why: policy rule "emergency_hold" (for the moment, every message is reviewed' in text
    assert "What was found" not in text
