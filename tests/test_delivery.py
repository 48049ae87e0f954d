"""The outbox worker against a real upstream: retries, permanent failures, notices, bounces."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket

from aiosmtpd.smtp import SMTP

from storage import archive
from tests.conftest import Sink, asend, eventually, make_settings, new_conversation

BODY = "From: Ann Lee <ann@example.org>\nTo: {to}\nSubject: Files\nMessage-ID: <a1@example.org>\n\nhere\n"


def free_port() -> int:
    """A loopback port nobody listens on (yet)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def statuses(engine, thread_id: str) -> list[str]:
    """Delivery statuses of every message in a thread, in order."""
    return [
        d.status
        for m in archive.messages_of(engine, thread_id)
        for d in archive.deliveries_of(engine, m.id)
    ]


async def test_temporary_upstream_failure_is_retried(relay, sink):
    """A 451 from the upstream defers the job; the next attempt delivers it."""
    sink.replies = ["451 4.3.0 try later"]
    conv = new_conversation(relay.engine)
    assert (await asend(relay, "ann@example.org", [conv.bo], BODY.format(to=conv.bo)))[0] == 250
    await sink.wait_for(1)
    rows = await eventually(
        lambda: [
            d
            for m in archive.messages_of(relay.engine, conv.thread_id)
            for d in archive.deliveries_of(relay.engine, m.id)
            if d.status == "delivered"
        ]
    )
    assert rows[0].attempts == 2


async def test_upstream_down_then_back(db_url, tmp_path, dkim_key, start_gateway):
    """With the upstream unreachable the job waits; once it listens, the message is delivered."""
    port = free_port()
    settings = make_settings(db_url, tmp_path, dkim_key[0], delivery__smtp={"port": port})
    running = await start_gateway(settings)
    conv = new_conversation(running.engine)
    assert (await asend(running, "ann@example.org", [conv.bo], BODY.format(to=conv.bo)))[0] == 250
    await eventually(
        lambda: any(
            d.attempts >= 2
            for m in archive.messages_of(running.engine, conv.thread_id)
            for d in archive.deliveries_of(running.engine, m.id)
        )
    )
    assert statuses(running.engine, conv.thread_id) == ["queued"]
    box = Sink()
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(box, decode_data=False), "127.0.0.1", port
    )
    try:
        await box.wait_for(1)
        await eventually(lambda: statuses(running.engine, conv.thread_id) == ["delivered"])
    finally:
        server.close()
        await server.wait_closed()


async def test_permanent_failure_fails_the_job_and_notifies_the_sender(relay, sink):
    """A 5xx fails the job; Ann gets a notice with the null sender that leaks nothing of Bo."""
    sink.replies = ["550 5.1.1 <bo@example.net>: mailbox unavailable"]
    conv = new_conversation(relay.engine)
    assert (await asend(relay, "ann@example.org", [conv.bo], BODY.format(to=conv.bo)))[0] == 250
    await sink.wait_for(1)
    mail_from, rcpts, data = sink.received[0]
    assert mail_from == "<>"
    assert rcpts == ["ann@example.org"]
    assert b"bo@example.net" not in data
    notice = email.message_from_bytes(data, policy=email.policy.default)
    assert notice["Auto-Submitted"] == "auto-replied"
    assert notice["In-Reply-To"] == "<a1@example.org>"
    text = notice.get_body(("plain",)).get_content()
    assert "could not be delivered" in text
    assert "5.1.1" in text
    assert "Bo Chen" in text
    await eventually(lambda: statuses(relay.engine, conv.thread_id) == ["failed", "delivered"])
    kinds = [m.kind for m in archive.messages_of(relay.engine, conv.thread_id)]
    assert kinds == ["inbound", "notice"]


async def test_dsn_to_the_bounce_address_marks_the_delivery_bounced(relay, sink):
    """A DSN sent back to the VERP address marks exactly that delivery bounced and notifies."""
    conv = new_conversation(relay.engine)
    assert (await asend(relay, "ann@example.org", [conv.bo], BODY.format(to=conv.bo)))[0] == 250
    await sink.wait_for(1)
    verp = sink.received[0][0]
    dsn = (
        f"From: MAILER-DAEMON@mx.example.net\nTo: {verp}\nSubject: Undelivered\n"
        "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"
        "--B\nContent-Type: text/plain\n\nIt failed.\n"
        "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
        "Final-Recipient: rfc822; bo@example.net\nAction: failed\nStatus: 5.1.1\n\n--B--\n"
    )
    code, text = await asend(relay, "", [verp], dsn)
    assert code == 250, text
    await sink.wait_for(2)
    assert sink.received[1][1] == ["ann@example.org"]
    await eventually(lambda: statuses(relay.engine, conv.thread_id)[0] == "bounced")
    kinds = [m.kind for m in archive.messages_of(relay.engine, conv.thread_id)]
    assert kinds == ["inbound", "dsn", "notice"]


async def test_unknown_bounce_token_is_refused(relay):
    """A bounce address with a token the gateway never issued is unknown."""
    code, text = await asend(relay, "", ["bounces+aaaaaaaaaaaaaaaa@relay.gigbridge.io"], "x")
    assert code == 550
    assert text.startswith("5.1.1")


async def test_maildir_transport_delivers_into_the_recipients_folder(
    db_url, tmp_path, dkim_key, start_gateway
):
    """With transport = maildir, the copy lands in <path>/<recipient>/new with a Return-Path."""
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        delivery={"transport": "maildir"},
        delivery__maildir={"path": "mail"},
    )
    running = await start_gateway(settings)
    conv = new_conversation(running.engine)
    assert (await asend(running, "ann@example.org", [conv.bo], BODY.format(to=conv.bo)))[0] == 250
    folder = tmp_path / "mail" / "bo@example.net" / "new"
    files = await eventually(lambda: list(folder.glob("*")) if folder.exists() else [])
    content = files[0].read_bytes()
    assert content.startswith(b"Return-Path: <bounces+")
    assert b"ann@example.org" not in content
    assert statuses(running.engine, conv.thread_id) == ["delivered"]
