"""The hold queue end to end: held mail waits, release delivers the stored bytes, reject notifies."""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import json

import pytest
from sqlmodel import select

from gateway.cli import main
from gateway.holds import HoldError, list_holds, reject_hold, release_hold
from storage import archive
from storage.db import session_scope
from storage.models import AuditEvent, Message
from storage.policy_state import load_policy_state, state_in
from tests.conftest import asend, eventually, make_settings, new_conversation, settings_toml

CONTACT = (
    "From: Ann Lee <ann@example.org>\nTo: {to}\nSubject: Call me\n\n"
    "Easier by phone: +1 415 555 2671\n"
)


async def held_message(running, sink):
    """Ann sends a message that the policy holds; (conversation, message id) once archived."""
    conv = new_conversation(running.engine)
    code, text = await asend(running, "ann@example.org", [conv.bo], CONTACT.format(to=conv.bo))
    assert (code, "held for review" in text) == (250, True)
    await sink.wait_for(1)  # the hold notice to Ann
    (message,) = archive.messages_of(running.engine, conv.thread_id)[:1]
    return conv, message.id


def audit(engine, message_id: int) -> list[AuditEvent]:
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(AuditEvent.target_type == "message")
                .where(AuditEvent.target_id == str(message_id))
            ).all()
        )


def body(data: bytes) -> str:
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    return parsed.get_body(("plain",)).get_content()


async def test_held_message_reaches_the_recipient_only_when_released(
    db_url, tmp_path, dkim_key, sink, start_gateway
):
    """Nothing for Bo while held; release sends exactly the stored copy; Ann is told both times."""
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        policy={"contact": "hold"},
        delivery__smtp={"port": sink.port},
    )
    running = await start_gateway(settings)
    _conv, message_id = await held_message(running, sink)
    notice = sink.received[0]
    assert (notice[0], notice[1]) == ("<>", ["ann@example.org"])
    assert "+1 415 555 2671" in body(notice[2])  # the words, to their own writer
    assert 'policy rule "contact"' in " ".join(body(notice[2]).split())
    await asyncio.sleep(0.6)
    assert len(sink.received) == 1  # still nothing for Bo
    (summary,) = list_holds(running.engine)
    assert (summary.message_id, summary.rule, summary.categories) == (
        message_id,
        "contact",
        ("contact",),
    )
    stored = archive.deliveries_of(running.engine, message_id)[0].outgoing

    services = running.gateway.services
    await services.db.run(release_hold, services, message_id, actor="support:eve", reason="ok")
    await sink.wait_for(3)
    to_bo = [m for m in sink.received if m[1] == ["bo@example.net"]]
    assert len(to_bo) == 1
    assert hashlib.sha256(to_bo[0][2]).hexdigest() == hashlib.sha256(stored).hexdigest()
    released = [m for m in sink.received[1:] if m[1] == ["ann@example.org"]]
    assert b"Subject: Released: Call me" in released[0][2]
    message = archive.get_message(running.engine, message_id)
    assert message.status == "released"
    (event,) = audit(running.engine, message_id)
    assert (event.actor, event.action, event.details["reason"]) == (
        "support:eve",
        "hold.release",
        "ok",
    )
    assert event.details["rule"] == "contact"
    assert list_holds(running.engine) == []
    with pytest.raises(HoldError, match="is not held"):
        release_hold(services, message_id, actor="support:eve")


async def test_rejected_hold_is_never_delivered_and_the_sender_is_told_why(
    db_url, tmp_path, dkim_key, sink, start_gateway
):
    """reject: copies marked rejected, the reason in Ann's notice, an audit event; no delivery."""
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        policy={"contact": "hold"},
        delivery__smtp={"port": sink.port},
    )
    running = await start_gateway(settings)
    conv, message_id = await held_message(running, sink)
    ann = archive.get_message(running.engine, message_id).sender_id
    assert load_policy_state(running.engine, conv.thread_id, ann).shared_contact  # held counts
    services = running.gateway.services
    with pytest.raises(HoldError, match="needs a reason"):
        reject_hold(services, message_id, actor="support:eve", reason=" ")
    reject_hold(services, message_id, actor="support:eve", reason="phone numbers before a contract")
    await sink.wait_for(2)
    await asyncio.sleep(0.5)
    assert [m[1] for m in sink.received] == [["ann@example.org"], ["ann@example.org"]]
    text = " ".join(body(sink.received[1][2]).split())
    assert "Reason: phone numbers before a contract" in text
    assert [d.status for d in archive.deliveries_of(running.engine, message_id)] == ["rejected"]
    assert archive.get_message(running.engine, message_id).status == "rejected"
    assert [e.action for e in audit(running.engine, message_id)] == ["hold.reject"]
    state = load_policy_state(running.engine, conv.thread_id, ann)  # a rejected one does not
    assert not state.shared_contact
    with session_scope(running.engine) as session:
        assert state == state_in(session, conv.thread_id, ann)
    notices = [m for m in archive.messages_of(running.engine, conv.thread_id) if m.kind == "notice"]
    assert [n.decision["notice"]["event"] for n in notices] == ["hold", "reject"]
    with pytest.raises(HoldError, match="not found"):
        reject_hold(services, 999999, actor="support:eve", reason="x")


async def test_old_holds_are_released_automatically_when_configured(
    db_url, tmp_path, dkim_key, sink, start_gateway
):
    """[policy.holds] on_expiry = release, max_age 1s: delivered without anyone acting."""
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        policy={"contact": "hold"},
        policy__holds={"max_age": 1, "on_expiry": "release", "check_interval": 0.2},
        delivery__smtp={"port": sink.port},
    )
    running = await start_gateway(settings)
    _conv, message_id = await held_message(running, sink)
    await eventually(lambda: any(m[1] == ["bo@example.net"] for m in sink.received))
    (event,) = audit(running.engine, message_id)
    assert (event.actor, event.action) == ("gateway:expiry", "hold.release")


async def test_old_holds_are_rejected_automatically_when_configured(
    db_url, tmp_path, dkim_key, sink, start_gateway
):
    """on_expiry = reject: the copies never leave, the sender hears why."""
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        policy={"contact": "hold"},
        policy__holds={"max_age": 1, "on_expiry": "reject", "check_interval": 0.2},
        delivery__smtp={"port": sink.port},
    )
    running = await start_gateway(settings)
    _conv, message_id = await held_message(running, sink)
    await eventually(lambda: archive.get_message(running.engine, message_id).status == "rejected")
    await sink.wait_for(2)
    assert all(m[1] == ["ann@example.org"] for m in sink.received)
    assert "nobody reviewed it" in " ".join(body(sink.received[1][2]).split())


async def test_holds_cli_lists_shows_and_releases(
    db_url, tmp_path, dkim_key, sink, start_gateway, capsys
):
    """`gateway holds list/show/release/reject`: JSON for scripts, errors on stderr with exit 1."""
    config = tmp_path / "gateway.toml"
    config.write_text(
        settings_toml(
            db_url,
            tmp_path,
            dkim_key[0],
            policy={"contact": "hold"},
            delivery__smtp={"port": sink.port},
        )
    )
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        policy={"contact": "hold"},
        delivery__smtp={"port": sink.port},
    )
    running = await start_gateway(settings)
    conv, message_id = await held_message(running, sink)
    capsys.readouterr()

    def cli(*args):
        code = main([*args, "--config", str(config)])
        captured = capsys.readouterr()
        # The running gateway logs to stdout too; the command's own output is its last line.
        lines = [x for x in captured.out.splitlines() if not x.startswith("20")]
        return code, "\n".join(lines), captured.err

    code, out, _ = await asyncio.to_thread(cli, "holds", "list", "--json")
    assert code == 0
    (row,) = json.loads(out)
    assert (row["message_id"], row["thread_id"], row["rule"]) == (
        message_id,
        conv.thread_id,
        "contact",
    )
    code, out, _ = await asyncio.to_thread(cli, "holds", "show", str(message_id), "--json")
    shown = json.loads(out)
    assert shown["findings"][0]["text"] == "+1 415 555 2671"
    assert shown["findings"][0]["detector"].startswith("phones/")
    assert len(shown["policy_version"]) == 64
    code, out, _ = await asyncio.to_thread(cli, "holds", "list")
    assert "Call me" in out
    code, _, err = await asyncio.to_thread(cli, "holds", "reject", str(message_id))
    assert code == 2
    assert "--reason" in err
    code, _, err = await asyncio.to_thread(
        cli, "holds", "release", str(message_id), "--actor", "support:kim"
    )
    assert code == 0, err
    await eventually(lambda: any(m[1] == ["bo@example.net"] for m in sink.received))
    code, _, err = await asyncio.to_thread(cli, "holds", "release", str(message_id))
    assert code == 1
    assert f"error: message {message_id} is not held (it is released)" in err
    assert audit(running.engine, message_id)[0].actor == "support:kim"
    with session_scope(running.engine) as session:
        assert session.get(Message, message_id).status == "released"
