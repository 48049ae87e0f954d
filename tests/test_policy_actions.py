"""Each policy action end to end: what the sender is told, what the recipient gets, what is kept."""

from __future__ import annotations

import asyncio
import email
import email.policy

from storage import archive
from tests.conftest import asend, make_settings, new_conversation

CONTACT = (
    "From: Ann Lee <ann@example.org>\nTo: {to}\nSubject: Call me\n\n"
    "Easier by phone: +1 415 555 2671, or mail ann.lee@gmail.com\n"
)


async def running_with(policy: dict, db_url, tmp_path, dkim_key, sink, start_gateway):
    """A gateway whose [policy] is `policy`, delivering to `sink`."""
    settings = make_settings(
        db_url, tmp_path, dkim_key[0], policy=policy, delivery__smtp={"port": sink.port}
    )
    return await start_gateway(settings)


async def test_flag_delivers_with_the_warning_footer(
    db_url, tmp_path, dkim_key, sink, start_gateway
):
    """flag: delivered as written, with the contact warning, and the findings recorded."""
    running = await running_with(
        {"contact": "flag"}, db_url, tmp_path, dkim_key, sink, start_gateway
    )
    conv = new_conversation(running.engine)
    assert (await asend(running, "ann@example.org", [conv.bo], CONTACT.format(to=conv.bo)))[
        0
    ] == 250
    await sink.wait_for(1)
    body = (
        email.message_from_bytes(sink.received[0][2], policy=email.policy.default)
        .get_body(("plain",))
        .get_content()
    )
    assert "+1 415 555 2671" in body
    assert "ann.lee@gmail.com" in body
    assert "appears to share contact details" in body
    message = archive.messages_of(running.engine, conv.thread_id)[0]
    assert message.action == "flag"
    kinds = sorted(f.kind for f in archive.findings_of(running.engine, message.id))
    assert kinds == ["email", "phone"]


async def test_redact_replaces_findings_but_the_archive_keeps_the_original(
    db_url, tmp_path, dkim_key, sink, start_gateway
):
    """redact: the recipient sees markers instead of the details; the record keeps the bytes."""
    running = await running_with(
        {"contact": "redact"}, db_url, tmp_path, dkim_key, sink, start_gateway
    )
    conv = new_conversation(running.engine)
    assert (await asend(running, "ann@example.org", [conv.bo], CONTACT.format(to=conv.bo)))[
        0
    ] == 250
    await sink.wait_for(1)
    delivered = sink.received[0][2]
    assert b"555 2671" not in delivered
    assert b"gmail.com" not in delivered
    assert b"[removed by GigBridge]" in delivered
    message = archive.messages_of(running.engine, conv.thread_id)[0]
    assert b"+1 415 555 2671" in message.raw
    assert message.action == "redact"


async def test_hold_keeps_the_message_from_the_recipient(
    db_url, tmp_path, dkim_key, sink, start_gateway
):
    """hold: 250 saying it is held, nothing delivered, the prepared copy waits as 'held'."""
    running = await running_with(
        {"contact": "hold"}, db_url, tmp_path, dkim_key, sink, start_gateway
    )
    conv = new_conversation(running.engine)
    code, text = await asend(running, "ann@example.org", [conv.bo], CONTACT.format(to=conv.bo))
    assert code == 250
    assert "held for review" in text
    message = archive.messages_of(running.engine, conv.thread_id)[0]
    assert message.status == "held"
    deliveries = archive.deliveries_of(running.engine, message.id)
    assert [d.status for d in deliveries] == ["held"]
    assert b"ann@example.org" not in deliveries[0].outgoing  # the prepared copy is rewritten
    await asyncio.sleep(1.0)  # the worker polls every 0.2 s here: five chances to send it wrongly
    # Only the hold notice to the sender left; nothing reached the recipient.
    assert [(m[0], m[1]) for m in sink.received] == [("<>", ["ann@example.org"])]
    assert b"Subject: Held for review: Call me" in sink.received[0][2]
    assert archive.deliveries_of(running.engine, message.id)[0].attempts == 0


async def test_reject_refuses_at_smtp_time_and_records_the_attempt(
    db_url, tmp_path, dkim_key, sink, start_gateway
):
    """reject: 550 5.7.1 with a helpful text; the attempt is archived, nothing is queued."""
    running = await running_with(
        {"contact": "reject"}, db_url, tmp_path, dkim_key, sink, start_gateway
    )
    conv = new_conversation(running.engine)
    code, text = await asend(running, "ann@example.org", [conv.bo], CONTACT.format(to=conv.bo))
    assert code == 550
    assert text.startswith("5.7.1")
    assert "contact details" in text
    assert "GigBridge" in text
    message = archive.messages_of(running.engine, conv.thread_id)[0]
    assert (message.status, message.action) == ("rejected", "reject")
    assert archive.deliveries_of(running.engine, message.id) == []


async def test_kind_rule_overrides_the_category(db_url, tmp_path, dkim_key, sink, start_gateway):
    """[policy.kinds] phone = "hold" wins over a milder category action."""
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        policy={"contact": "flag"},
        policy__kinds={"phone": "hold"},
        delivery__smtp={"port": sink.port},
    )
    running = await start_gateway(settings)
    conv = new_conversation(running.engine)
    code, text = await asend(running, "ann@example.org", [conv.bo], CONTACT.format(to=conv.bo))
    assert code == 250
    assert "held" in text
    message = archive.messages_of(running.engine, conv.thread_id)[0]
    assert message.decision["rule"] == "kinds.phone"
