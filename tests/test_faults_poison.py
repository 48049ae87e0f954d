"""A poison message is set aside after a bounded number of crashes and shown to support.

Two ways a delivery can crash rather than fail: the transport raises something that is not an
SMTP answer (a bug tripped by one message), or the process dies while sending it (kill -9, OOM),
which the outbox sees as a lease that expired without an outcome. Both count in
`Delivery.crashes`; at `[delivery] poison_after` the job becomes `poisoned`, is never claimed
again, and `gateway queue list --status poisoned` shows it with the reason.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

from gateway.cli import main
from gateway.server import Gateway
from gateway.transports import SmtpTransport
from storage import archive, outbox
from storage.models import utcnow
from tests.conftest import (
    Running,
    asend,
    eventually,
    make_settings,
    new_conversation,
    settings_toml,
)

BODY = "From: ann@example.org\nTo: {to}\nSubject: {subject}\n\n{body}\n"


class CrashOnPoison(SmtpTransport):
    """The real smarthost transport with a bug: it raises on bodies that contain POISON.

    Stands for any defect that one message trips in the sending code (an unexpected encoding,
    a library assertion): the exception is not an SMTP answer, so it is a crash.
    """

    crashes = 0

    async def send(self, envelope_from: str, recipient: str, data: bytes) -> str:
        if b"POISON" in data:
            type(self).crashes += 1
            raise ValueError("cannot encode this message")
        return await super().send(envelope_from, recipient, data)


async def test_crashing_message_is_poisoned_after_n_tries_and_others_flow(
    db_url, tmp_path, dkim_key, sink
):
    """poison_after=3: exactly 3 attempts, status poisoned with the reason; a clean message
    sent afterwards is delivered (the worker is not stuck on the bad one)."""
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        delivery={"poison_after": 3, "retry_schedule": [0.1]},
        delivery__smtp={"port": sink.port},
    )
    transport = CrashOnPoison(settings.delivery.smtp, settings.relay.helo_name)
    CrashOnPoison.crashes = 0
    gateway = Gateway(settings, transport=transport)
    await gateway.start(port=0)
    host, port = gateway.address
    try:
        engine = gateway.services.db.engine
        conv = new_conversation(engine)

        target = Running(gateway, settings, host, port)
        bad = BODY.format(to=conv.bo, subject="bad", body="POISON inside")
        assert (await asend(target, "ann@example.org", [conv.bo], bad))[0] == 250
        rows = await eventually(lambda: outbox.list_queue(engine, "poisoned"), timeout=15)
        assert len(rows) == 1
        assert rows[0].crashes == 3
        assert rows[0].attempts == 3
        assert "poisoned: delivery crashed 3 times" in rows[0].last_response
        assert "ValueError: cannot encode this message" in rows[0].last_response

        good = BODY.format(to=conv.bo, subject="good", body="fine")
        assert (await asend(target, "ann@example.org", [conv.bo], good))[0] == 250
        await sink.wait_for(1)
        await asyncio.sleep(1.0)  # five poll intervals: the poisoned job is not tried again
        assert CrashOnPoison.crashes == 3
        assert len(sink.received) == 1
        assert b"fine" in sink.received[0][2]
    finally:
        await gateway.stop()


def test_process_dying_while_sending_counts_as_a_crash(db_url, tmp_path, dkim_key):
    """A job whose lease expired without an outcome (its process died) is claimed again with
    crashes+1; at poison_after it is set aside instead of being claimed."""
    from storage.db import make_engine
    from storage.migrate import upgrade

    engine = make_engine(db_url)
    upgrade(engine)
    conv = new_conversation(engine)
    archive.store_message(
        engine,
        archive.MessageRecord(thread_id=conv.thread_id, raw=b"Subject: x\r\n\r\nx\r\n"),
        [archive.OutgoingRecord("bo@example.net", None, "", "tok1", b"x", "<r@x>")],
    )
    owners = ["a:1", "b:2", "c:3"]
    claimed = outbox.claim_due(engine, owners[0], lease_seconds=0.05, limit=5, poison_after=3)
    assert len(claimed) == 1
    assert claimed[0].crashes == 0
    time.sleep(0.1)  # owner a "died": its lease runs out with no outcome
    claimed = outbox.claim_due(engine, owners[1], lease_seconds=0.05, limit=5, poison_after=3)
    assert len(claimed) == 1
    assert claimed[0].crashes == 1
    assert claimed[0].attempts == 2
    time.sleep(0.1)
    claimed = outbox.claim_due(engine, owners[2], lease_seconds=0.05, limit=5, poison_after=3)
    assert len(claimed) == 1
    assert claimed[0].crashes == 2
    time.sleep(0.1)
    assert outbox.claim_due(engine, "d:4", lease_seconds=0.05, limit=5, poison_after=3) == []
    (row,) = outbox.list_queue(engine, "poisoned")
    assert row.crashes == 3
    assert "the process delivering it died 3 times" in row.last_response
    assert row.lease_owner is None
    # A finished attempt is not a crash: a delivered job is never counted.
    assert outbox.claim_due(engine, "e:5", lease_seconds=5, limit=5, poison_after=3) == []
    engine.dispose()


def test_poisoned_job_is_listed_and_can_be_retried_by_support(db_url, tmp_path, dkim_key, capsys):
    """`gateway queue list --status poisoned --json` shows it; `queue retry ID` queues it again
    with a clean crash count and an audit event."""
    from sqlmodel import Session, select

    from storage.db import make_engine
    from storage.migrate import upgrade
    from storage.models import AuditEvent

    config = tmp_path / "gateway.toml"
    config.write_text(settings_toml(db_url, tmp_path, dkim_key[0]))
    engine = make_engine(db_url)
    upgrade(engine)
    conv = new_conversation(engine)
    archive.store_message(
        engine,
        archive.MessageRecord(thread_id=conv.thread_id, raw=b"Subject: x\r\n\r\nx\r\n"),
        [archive.OutgoingRecord("bo@example.net", None, "", "tok2", b"x", "<r@x>")],
    )
    (job,) = outbox.claim_due(engine, "w:1", lease_seconds=30, limit=1)
    status = outbox.mark_crashed(
        engine, job.id, "w:1", "internal error: KeyError: 'x'", retry_at=utcnow(), poison_after=1
    )
    assert status == "poisoned"

    assert main(["queue", "list", "--config", str(config), "--status", "poisoned", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["status"], r["crashes"]) for r in listed] == [(job.id, "poisoned", 1)]
    assert "KeyError" in listed[0]["last_response"]

    assert main(["queue", "retry", "--config", str(config), str(job.id), "--actor", "sam"]) == 0
    assert f"delivery {job.id} to bo@example.net queued again" in capsys.readouterr().out
    (row,) = outbox.list_queue(engine, "queued")
    assert row.crashes == 0
    assert row.next_attempt_at <= utcnow() + timedelta(seconds=1)
    with Session(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "queue.retry")).one()
    assert (event.actor, event.action, event.target_id) == ("sam", "queue.retry", str(job.id))
    assert event.details["previous_status"] == "poisoned"
    engine.dispose()
