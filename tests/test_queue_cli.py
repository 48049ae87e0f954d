"""`gateway queue list | retry | purge-failed`: output, filters, errors on stderr, exit codes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from gateway.cli import main
from storage import archive, outbox
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import AuditEvent, Delivery, utcnow
from tests.conftest import new_conversation, settings_toml


@pytest.fixture
def queue(db_url, tmp_path, dkim_key):
    """A config file and a database with one delivered, one failed and one queued job."""
    config = tmp_path / "gateway.toml"
    config.write_text(settings_toml(db_url, tmp_path, dkim_key[0]))
    engine = make_engine(db_url)
    upgrade(engine)
    conv = new_conversation(engine)
    for token, recipient in (("t-ok", "ok@example.net"), ("t-bad", "bad@example.net")):
        archive.store_message(
            engine,
            archive.MessageRecord(thread_id=conv.thread_id, raw=b"Subject: x\r\n\r\nx\r\n"),
            [archive.OutgoingRecord(recipient, None, "", token, b"copy " * 100, "<r@x>")],
        )
    ok, bad = outbox.claim_due(engine, "w:1", lease_seconds=30, limit=5)
    outbox.mark_delivered(engine, ok.id, "w:1", "250 2.0.0 fine")
    outbox.mark_failed(engine, bad.id, "w:1", "550 5.1.1 no such user")
    archive.store_message(
        engine,
        archive.MessageRecord(thread_id=conv.thread_id, raw=b"Subject: y\r\n\r\ny\r\n"),
        [archive.OutgoingRecord("later@example.net", None, "", "t-q", b"q", "<q@x>")],
    )
    yield config, engine, {"delivered": ok.id, "failed": bad.id}
    engine.dispose()


def test_list_shows_every_status_newest_first(queue, capsys):
    config, _, ids = queue
    assert main(["queue", "list", "--config", str(config), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in rows] == ["queued", "failed", "delivered"]
    failed = rows[1]
    assert failed["id"] == ids["failed"]
    assert failed["recipient"] == "bad@example.net"
    assert failed["last_response"] == "550 5.1.1 no such user"
    assert failed["size"] == 500


def test_list_filters_by_status_and_prints_a_table(queue, capsys):
    config, _, _ = queue
    assert main(["queue", "list", "--config", str(config), "--status", "failed"]) == 0
    out = capsys.readouterr().out
    assert "bad@example.net" in out
    assert "550" in out  # the answer column (wrapped to the 80-column test terminal)
    assert "ok@example.net" not in out
    assert main(["queue", "list", "--config", str(config), "--status", "poisoned"]) == 0
    assert "no deliveries with status poisoned" in capsys.readouterr().err


def test_unknown_status_is_a_usage_error(queue, capsys):
    config, _, _ = queue
    assert main(["queue", "list", "--config", str(config), "--status", "lost"]) == 2
    assert "'lost' is not one of" in capsys.readouterr().err


def test_retry_queues_a_failed_delivery_again(queue, capsys):
    config, engine, ids = queue
    assert main(["queue", "retry", "--config", str(config), str(ids["failed"])]) == 0
    assert "queued again, due now" in capsys.readouterr().out
    row = outbox.get_delivery(engine, ids["failed"])
    assert row.status == "queued"
    assert row.finished_at is None
    assert row.next_attempt_at <= utcnow()


def test_retry_refuses_a_delivered_copy_and_an_unknown_id(queue, capsys):
    config, engine, ids = queue
    assert main(["queue", "retry", "--config", str(config), str(ids["delivered"])]) == 1
    err = capsys.readouterr().err
    assert f"delivery {ids['delivered']} is delivered; only queued, failed, poisoned" in err
    assert outbox.get_delivery(engine, ids["delivered"]).status == "delivered"
    assert main(["queue", "retry", "--config", str(config), "999999"]) == 1
    assert "delivery 999999 does not exist" in capsys.readouterr().err


def test_purge_failed_frees_old_copies_and_keeps_the_record(queue, capsys):
    """Only failed copies older than the limit lose their bytes; digest and answer stay."""
    config, engine, ids = queue
    assert main(["queue", "purge-failed", "--config", str(config)]) == 0  # default 30d
    assert "purged 0 failed or poisoned deliveries" in capsys.readouterr().out
    with Session(engine) as session:
        row = session.get(Delivery, ids["failed"])
        row.finished_at = utcnow() - timedelta(days=40)
        session.add(row)
        session.commit()
    sha = outbox.get_delivery(engine, ids["failed"]).outgoing_sha256
    assert main(["queue", "purge-failed", "--config", str(config), "--older-than", "30d"]) == 0
    assert "purged 1 failed or poisoned deliveries older than 30d" in capsys.readouterr().out
    row = outbox.get_delivery(engine, ids["failed"])
    assert (row.status, row.outgoing, row.outgoing_sha256) == ("purged", b"", sha)
    assert row.last_response == "550 5.1.1 no such user"
    assert outbox.get_delivery(engine, ids["delivered"]).outgoing == b"copy " * 100
    with Session(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "queue.purge")).one()
    assert event.details["ids"] == [ids["failed"]]


def test_purge_with_a_bad_duration_is_a_usage_error(queue, capsys):
    config, _, _ = queue
    assert main(["queue", "purge-failed", "--config", str(config), "--older-than", "soon"]) == 2
    assert 'expected seconds or a duration such as "30s"' in capsys.readouterr().err


def test_unreachable_database_is_one_line_on_stderr(tmp_path, dkim_key, capsys):
    config = tmp_path / "gateway.toml"
    config.write_text(
        settings_toml("postgresql+psycopg://postgres@127.0.0.1:9/none", tmp_path, dkim_key[0])
    )
    assert main(["queue", "list", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot reach the database")
    assert "Traceback" not in err
