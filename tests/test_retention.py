"""Retention, legal hold and erasure: bodies go, the record still verifies, holds are respected."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from gateway import evidence
from gateway.cli import main
from storage import archive, bodies
from storage.ledger_verify import verify_archive
from storage.models import AuditEvent, Delivery, LedgerEntry, Message, Thread, ThreadKey, utcnow
from storage.retention import LegalHoldActive, erase_thread, purge, set_legal_hold
from tests.conftest import settings_toml
from tests.record_helpers import fill_thread, migrated_engine, new_thread, sql


@pytest.fixture
def engine(db_url):
    engine = migrated_engine(db_url)
    yield engine
    engine.dispose()


def old_and_new(engine):
    """Thread A: two messages 400 and 399 days old, one 10 days old. Thread B: one old message."""
    a = fill_thread(engine, new_thread(engine, "th_a"), 2, start=utcnow() - timedelta(days=400))
    fresh = fill_thread(engine, "th_a", 1, start=utcnow() - timedelta(days=10))
    b = fill_thread(engine, new_thread(engine, "th_b"), 1, start=utcnow() - timedelta(days=500))
    return a, fresh, b


def test_dry_run_lists_and_changes_nothing(engine):
    a, _, b = old_and_new(engine)
    report = purge(engine, 365, {}, dry_run=True)
    assert [d.message_id for d in report.due] == [*a.messages, *b.messages]
    assert all(m.raw for m in archive.messages_of(engine, "th_a"))


def test_purge_empties_old_bodies_and_the_chain_still_verifies(engine):
    """Bodies past retention go; metadata, hashes and the chain stay; verify says so."""
    a, fresh, _ = old_and_new(engine)
    a_sha = archive.get_message(engine, a.messages[0]).sha256
    report = purge(engine, 365, {}, dry_run=False)
    assert (len(report.due), report.deliveries) == (3, 6)
    old = archive.get_message(engine, a.messages[0])
    assert (old.raw, old.body_state) == (b"", "purged")
    assert old.sha256 == a_sha
    assert old.mail_from == "ann@example.org"
    assert [d.outgoing for d in archive.deliveries_of(engine, a.messages[0])] == [b"", b""]
    assert archive.get_message(engine, fresh.messages[0]).raw.startswith(b"From:")
    result = verify_archive(engine)
    assert result.ok, result.problems
    assert result.purged == 9  # 3 messages + 6 copies: "body purged, hash kept"
    with Session(engine) as session:
        last = session.exec(
            select(LedgerEntry)
            .where(LedgerEntry.thread_id == "th_a")
            .order_by(LedgerEntry.seq.desc())
        ).first()
    assert (last.kind, last.meta["action"]) == ("purge", "retention.purge")
    assert purge(engine, 365, {}, dry_run=True).due == []  # nothing left to do


def test_per_kind_retention(engine):
    """[retention.kinds] overrides body_days for that message kind only."""
    tid = new_thread(engine)
    inbound = fill_thread(engine, tid, 1, start=utcnow() - timedelta(days=100))
    notice = fill_thread(engine, tid, 1, start=utcnow() - timedelta(days=100), kind="notice")
    report = purge(engine, 0, {"notice": 30}, dry_run=True)
    assert [d.message_id for d in report.due] == notice.messages
    report = purge(engine, 365, {"inbound": 60}, dry_run=True)
    assert [d.message_id for d in report.due] == inbound.messages


def test_pending_copies_are_never_purged(engine):
    """A held copy must still be releasable with its real bytes: its message is skipped."""
    a, _, _ = old_and_new(engine)
    sql(engine, "UPDATE delivery SET status = 'held' WHERE id = :id", id=a.deliveries[0][0])
    report = purge(engine, 365, {}, dry_run=False)
    assert a.messages[0] not in [d.message_id for d in report.due]
    assert archive.deliveries_of(engine, a.messages[0])[0].outgoing


def test_legal_hold_blocks_purge_and_erasure_and_is_audited(engine):
    a, _, b = old_and_new(engine)
    assert set_legal_hold(engine, "th_a", True, "case 2026-114")
    assert not set_legal_hold(engine, "th_a", True, "again")
    report = purge(engine, 365, {}, dry_run=False)
    assert [d.message_id for d in report.due] == b.messages
    assert report.held_threads == 1
    assert archive.get_message(engine, a.messages[0]).raw
    with pytest.raises(LegalHoldActive, match="case 2026-114"):
        erase_thread(engine, "th_a", "user request")
    assert set_legal_hold(engine, "th_a", False, "case closed")
    with Session(engine) as session:
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.target_id == "th_a").order_by(AuditEvent.id)
        ).all()
        kinds = session.exec(
            select(LedgerEntry.kind).where(
                LedgerEntry.thread_id == "th_a", LedgerEntry.kind == "legal_hold"
            )
        ).all()
    assert actions[-2:] == ["thread.legal_hold.on", "thread.legal_hold.off"]
    assert len(kinds) == 2
    assert verify_archive(engine).ok


def test_erasure_destroys_the_key_and_the_chain_still_verifies(engine):
    """After erase: no key, no body, no finding text; verify is clean; exports verify too."""
    tid = new_thread(engine)
    stored = fill_thread(engine, tid, 2)
    sql(engine, "UPDATE delivery SET status = 'queued' WHERE id = :id", id=stored.deliveries[1][1])
    with Session(engine) as session:
        sealed = session.get(Message, stored.messages[0]).raw
    result = erase_thread(engine, tid, "GDPR art. 17 request #88")
    assert (result.messages, result.deliveries, result.cancelled) == (2, 4, 1)
    assert result.key_destroyed
    with Session(engine) as session:
        assert session.get(ThreadKey, tid).key == b""
        thread = session.get(Thread, tid)
        assert thread.erased_at is not None
        assert thread.status == "closed"
        rows = session.exec(select(Message).where(Message.thread_id == tid)).all()
        assert {(m.raw, m.body_state, m.subject) for m in rows} == {(b"", "erased", "")}
        cancelled = session.get(Delivery, stored.deliveries[1][1])
        assert (cancelled.status, cancelled.outgoing) == ("failed", b"")
    assert archive.findings_of(engine, stored.messages[0])[0].text == ""
    # a copy of the sealed bytes made before erasure (a backup) can no longer be opened
    with pytest.raises(bodies.BodyUnavailable):
        bodies.open_body("sealed", sealed, None, tid)
    report = verify_archive(engine)
    assert report.ok, report.problems
    assert report.erased == 6
    export = evidence.build_export(engine, tid)
    assert export.files == {}
    assert export.manifest["ledger"][-1]["kind"] == "erase"


def test_erased_thread_refuses_new_records(engine):
    tid = new_thread(engine)
    fill_thread(engine, tid, 1)
    erase_thread(engine, tid, "request")
    with pytest.raises(bodies.BodyUnavailable, match="was erased"):
        fill_thread(engine, tid, 1)


def test_cli_purge_legal_hold_and_erase(engine, db_url, tmp_path, dkim_key, capsys):
    config = tmp_path / "gateway.toml"
    config.write_text(settings_toml(db_url, tmp_path, dkim_key[0], retention={"body_days": 365}))
    cfg = ["--config", str(config)]
    a, _, _ = old_and_new(engine)
    assert main(["threads", "legal-hold", "th_b", "on", "--reason", "dispute #7", *cfg]) == 0
    assert "legal hold on for thread th_b" in capsys.readouterr().out
    assert main(["archive", "purge", "--dry-run", "--json", *cfg]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [m["message"] for m in listed["messages"]] == a.messages
    assert listed["legal_hold_threads_skipped"] == 1
    assert main(["archive", "purge", *cfg]) == 0
    assert "purged 2 message bodies" in capsys.readouterr().out
    assert main(["threads", "erase", "th_b", "--reason", "request", "--yes", *cfg]) == 1
    assert "under legal hold (dispute #7)" in capsys.readouterr().err
    assert main(["threads", "legal-hold", "th_b", "off", "--reason", "settled", *cfg]) == 0
    assert main(["threads", "erase", "th_b", "--reason", "request", "--yes", *cfg]) == 0
    assert "thread th_b erased: 1 messages, 2 copies; key destroyed" in capsys.readouterr().out
    assert main(["archive", "verify", *cfg]) == 0
    assert "6 bod(ies) purged, hash kept, 3 bod(ies) erased" in capsys.readouterr().out
    assert main(["threads", "legal-hold", "th_x", "on", "--reason", "r", *cfg]) == 1
    assert "no thread 'th_x'" in capsys.readouterr().err
