"""The tamper-evident record: every archived record is chained per thread and verify names tampering.

Each test archives real messages through storage.archive, then changes the database directly
(as someone with SQL access would) and checks that `verify_archive` and `gateway archive verify`
name exactly the record that was changed, removed, inserted or reordered.
"""

from __future__ import annotations

import itertools
import json
import threading

import pytest
from sqlmodel import Session, select

from gateway.cli import main
from storage import bodies, ledger
from storage.db import session_scope
from storage.ledger_verify import verify_archive
from storage.models import AuditEvent, LedgerEntry, Message, Thread
from tests.conftest import settings_toml
from tests.record_helpers import fill_thread, migrated_engine, new_thread, sql


@pytest.fixture
def engine(db_url):
    engine = migrated_engine(db_url)
    yield engine
    engine.dispose()


def entries(engine, thread_id: str) -> list[LedgerEntry]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(LedgerEntry)
                .where(LedgerEntry.thread_id == thread_id)
                .order_by(LedgerEntry.seq)
            ).all()
        )


def problems(engine, **kwargs) -> list[tuple]:
    """(seq, kind, ref, what) of every problem, plus the details for assertion messages."""
    report = verify_archive(engine, **kwargs)
    return [(p.seq, p.kind, p.ref, p.what) for p in report.problems]


def test_each_record_is_one_chained_entry_and_a_clean_archive_verifies(engine):
    """Message, decision and each outgoing copy are entries; hashes link; verify finds nothing."""
    tid = new_thread(engine)
    stored = fill_thread(engine, tid, 3)
    chain = entries(engine, tid)
    assert [e.kind for e in chain] == ["inbound", "decision", "outgoing", "outgoing"] * 3
    assert [e.seq for e in chain] == list(range(1, 13))
    assert chain[0].ref == f"message:{stored.messages[0]}"
    assert chain[2].ref == f"delivery:{stored.deliveries[0][0]}"
    assert chain[2].meta == {"recipient": "bo@example.net"}
    assert chain[0].prev_hash == ""
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(chain))
    report = verify_archive(engine)
    assert report.ok, report.problems
    assert (report.threads, report.records) == (1, 12)


def test_bodies_are_sealed_at_rest_and_getters_return_plaintext(engine):
    """The database holds ciphertext; storage.archive getters hand out the received bytes."""
    from storage import archive

    tid = new_thread(engine)
    stored = fill_thread(engine, tid, 1)
    with Session(engine) as session:
        row = session.get(Message, stored.messages[0])
        assert row.body_state == "sealed"
        assert b"Logo round" not in row.raw
    message = archive.get_message(engine, stored.messages[0])
    assert message.raw.startswith(b"From: Ann Lee")
    assert ledger.sha256_hex(message.raw) == message.sha256
    copies = archive.deliveries_of(engine, stored.messages[0])
    assert copies[0].outgoing.endswith(b"bo@example.net")
    assert archive.messages_of(engine, tid)[0].raw == message.raw


def test_one_changed_byte_of_a_body_is_named(engine):
    """Flipping one byte of a sealed body fails authentication; verify names that record."""
    tid = new_thread(engine)
    stored = fill_thread(engine, tid, 3)
    mid = stored.messages[1]
    with Session(engine) as session:
        sealed = bytearray(session.get(Message, mid).raw)
    sealed[40] ^= 0x01
    sql(engine, "UPDATE message SET raw = :raw WHERE id = :id", raw=bytes(sealed), id=mid)
    report = verify_archive(engine)
    assert [(p.seq, p.kind, p.ref, p.what) for p in report.problems] == [
        (5, "inbound", f"message:{mid}", "changed")
    ]
    assert "fails authentication" in report.problems[0].detail


def test_a_changed_plaintext_body_is_named_with_both_hashes(engine):
    """A body kept in plaintext (archived before sealing) that changes is named too."""
    from storage import archive

    tid = new_thread(engine)
    stored = fill_thread(engine, tid, 2)
    did = stored.deliveries[1][1]
    plain = archive.deliveries_of(engine, stored.messages[1])[1].outgoing
    changed = plain.replace(b"round 1", b"round 7")
    sql(
        engine,
        "UPDATE delivery SET outgoing = :data, body_state = 'plain' WHERE id = :id",
        data=changed,
        id=did,
    )
    report = verify_archive(engine)
    assert [(p.seq, p.ref, p.what) for p in report.problems] == [(8, f"delivery:{did}", "changed")]
    assert "differs from the recorded" in report.problems[0].detail


def test_a_deleted_ledger_record_is_named(engine):
    """Deleting an entry breaks the chain at the gap; the orphaned row is named as removed."""
    tid = new_thread(engine)
    stored = fill_thread(engine, tid, 3)
    sql(engine, "DELETE FROM ledger WHERE thread_id = :t AND seq = 7", t=tid)
    found = problems(engine)
    assert (8, "outgoing", f"delivery:{stored.deliveries[1][1]}", "removed") in found
    assert (None, "", f"delivery:{stored.deliveries[1][0]}", "removed") in found
    assert len(found) == 2


def test_a_deleted_row_and_a_truncated_chain_are_named(engine):
    """A deleted delivery row and entries cut from the end of the chain are both reported."""
    tid = new_thread(engine)
    stored = fill_thread(engine, tid, 3)
    did = stored.deliveries[0][1]
    sql(engine, "DELETE FROM delivery WHERE id = :id", id=did)
    sql(engine, "DELETE FROM ledger WHERE thread_id = :t AND seq >= 11", t=tid)
    found = problems(engine)
    assert (4, "outgoing", f"delivery:{did}", "removed") in found
    assert (11, "", "", "removed") in found  # the chain ends before the thread's length


def test_two_swapped_records_are_named_as_reordered(engine):
    """Swapping the positions of two entries: both are named with where they belong."""
    tid = new_thread(engine)
    fill_thread(engine, tid, 3)
    sql(engine, "UPDATE ledger SET seq = -1 WHERE thread_id = :t AND seq = 5", t=tid)
    sql(engine, "UPDATE ledger SET seq = 5 WHERE thread_id = :t AND seq = 9", t=tid)
    sql(engine, "UPDATE ledger SET seq = 9 WHERE thread_id = :t AND seq = -1", t=tid)
    report = verify_archive(engine)
    by_seq = {(p.seq, p.what): p.detail for p in report.problems}
    assert by_seq[(5, "reordered")] == "this record was seq 9, now it sits at seq 5"
    assert by_seq[(9, "reordered")] == "this record was seq 5, now it sits at seq 9"
    assert {p.what for p in report.problems} == {"reordered"}


def test_two_swapped_bodies_are_named_as_reordered(engine):
    """Swapping the stored bodies of two messages: each holds the other's recorded content."""
    tid = new_thread(engine)
    stored = fill_thread(engine, tid, 2)
    a, b = stored.messages
    sql(
        engine,
        "UPDATE message SET raw = (SELECT raw FROM message m2 WHERE m2.id = :b), "
        "sha256 = (SELECT sha256 FROM message m2 WHERE m2.id = :b) WHERE id = :a",
        a=a,
        b=b,
    )
    found = problems(engine)
    assert (1, "inbound", f"message:{a}", "reordered") in found


def test_changed_decision_finding_envelope_and_inserted_message_are_named(engine):
    """Edits to the decision, a finding, the sender; a message added behind the ledger's back."""
    tid = new_thread(engine)
    stored = fill_thread(engine, tid, 3)
    m0, m1, m2 = stored.messages
    sql(engine, "UPDATE message SET action = 'deliver' WHERE id = :id", id=m0)
    sql(engine, "UPDATE finding SET text = '+1 000' WHERE message_id = :id", id=m1)
    sql(engine, "UPDATE message SET mail_from = 'someone@else.org' WHERE id = :id", id=m2)
    sql(
        engine,
        "INSERT INTO message (thread_id, kind, received_at, mail_from, rcpt_tos, peer, helo, tls,"
        " smtputf8, raw, size, sha256, subject, original_message_id, relayed_message_id, status,"
        " action, decision, prev_hash, chain_hash, body_state) SELECT thread_id, kind,"
        " received_at, mail_from, rcpt_tos, peer, helo, tls, smtputf8, raw, size, sha256,"
        " subject, original_message_id, relayed_message_id, status, action, decision, prev_hash,"
        " chain_hash, body_state FROM message WHERE id = :id",
        id=m0,
    )
    with Session(engine) as session:
        inserted = max(session.exec(select(Message.id)).all())
    found = problems(engine)
    assert (2, "decision", f"message:{m0}", "changed") in found
    assert (6, "decision", f"message:{m1}", "changed") in found
    assert (9, "inbound", f"message:{m2}", "changed") in found
    assert (None, "", f"message:{inserted}", "inserted") in found
    assert len(found) == 4


def test_an_edited_entry_is_named_changed(engine):
    """Rewriting an entry's content hash (to cover an edit) no longer hashes to its hash."""
    tid = new_thread(engine)
    fill_thread(engine, tid, 2)
    sql(
        engine,
        "UPDATE ledger SET content_sha256 = :h WHERE thread_id = :t AND seq = 3",
        h="0" * 64,
        t=tid,
    )
    found = problems(engine)
    assert found[0][:2] == (3, "outgoing")
    assert found[0][3] == "changed"


def test_support_decision_is_chained_and_verified(engine):
    """append_audit (what the policy helper's record_support_decision calls) adds a checked entry."""
    tid = new_thread(engine)
    fill_thread(engine, tid, 1)
    with session_scope(engine) as session:
        audit = AuditEvent(
            actor="support:eve",
            action="hold.release",
            target_type="message",
            target_id="1",
            details={"reason": "client confirmed the number is the platform's hotline"},
        )
        entry = ledger.append_audit(session, tid, "support", audit)
        audit_id = audit.id
    chain = entries(engine, tid)
    assert (chain[-1].kind, chain[-1].ref, chain[-1].seq) == ("support", f"audit:{audit_id}", 5)
    assert chain[-1].hash == entry.hash
    assert verify_archive(engine).ok
    sql(engine, "UPDATE auditevent SET actor = 'support:mallory' WHERE id = :id", id=audit_id)
    assert problems(engine) == [(5, "support", f"audit:{audit_id}", "changed")]


def test_concurrent_writers_never_fork_a_chain(engine):
    """Four threads appending to one chain at once: one linear chain, seq 1..N, no duplicates."""
    tid = new_thread(engine)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(5):
                with session_scope(engine) as session:
                    ledger.append_record(session, tid, "support", f"audit:{n}{i}", "ab" * 32)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors
    chain = entries(engine, tid)
    assert [e.seq for e in chain] == list(range(1, 21))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(chain))
    with Session(engine) as session:
        assert session.get(Thread, tid).chain_head == chain[-1].hash


def test_cli_verify_reports_and_exits_1(engine, db_url, tmp_path, dkim_key, capsys):
    """`gateway archive verify` exits 0 on a clean archive, 1 naming the record otherwise."""
    config = tmp_path / "gateway.toml"
    config.write_text(settings_toml(db_url, tmp_path, dkim_key[0]))
    tid = new_thread(engine)
    stored = fill_thread(engine, tid, 2)
    assert main(["archive", "verify", "--config", str(config)]) == 0
    assert "8 records in 1 thread" in capsys.readouterr().out
    sql(engine, "DELETE FROM ledger WHERE thread_id = :t AND seq = 3", t=tid)
    assert main(["archive", "verify", "--config", str(config), "--thread", tid, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False
    assert {
        "thread": tid,
        "seq": 4,
        "kind": "outgoing",
        "ref": f"delivery:{stored.deliveries[0][1]}",
        "what": "removed",
    }.items() <= data["problems"][0].items()
    assert main(["archive", "verify", "--config", str(config), "--thread", "th_nope"]) == 1
    assert "no thread 'th_nope'" in capsys.readouterr().err


def test_master_key_wraps_thread_keys(engine, monkeypatch):
    """With GATEWAY_ARCHIVE_KEY set, the stored thread key is wrapped and bodies still open."""
    import base64
    import os

    from storage import archive
    from storage.models import ThreadKey

    master = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv(bodies.MASTER_KEY_ENV, master)
    tid = new_thread(engine)
    stored = fill_thread(engine, tid, 1)
    with Session(engine) as session:
        row = session.get(ThreadKey, tid)
        assert row.wrapped
        assert len(row.key) == 12 + 32 + 16
    assert archive.get_message(engine, stored.messages[0]).raw.startswith(b"From:")
    assert verify_archive(engine).ok
    monkeypatch.delenv(bodies.MASTER_KEY_ENV)
    with pytest.raises(bodies.BodyUnavailable, match="GATEWAY_ARCHIVE_KEY"):
        archive.get_message(engine, stored.messages[0])


async def test_relayed_mail_is_chained_and_delivered_from_sealed_bytes(relay, sink):
    """Through SMTP: the sink receives the exact recorded copy; the chain covers it and verifies."""
    from storage import archive
    from tests.conftest import asend, eventually, new_conversation

    conv = new_conversation(relay.engine)
    body = (
        f"From: Ann Lee <ann@example.org>\r\nTo: {conv.bo}\r\nSubject: Logo\r\n"
        "Message-ID: <a1@example.org>\r\n\r\nDraft attached tomorrow.\r\n"
    )
    code, text = await asend(relay, "ann@example.org", [conv.bo], body)
    assert code == 250, text
    await sink.wait_for(1)
    delivered = sink.received[0][2]
    chain = entries(relay.engine, conv.thread_id)
    assert [e.kind for e in chain] == ["inbound", "decision", "outgoing"]
    (received,) = archive.messages_of(relay.engine, conv.thread_id)
    assert b"Draft attached tomorrow." in received.raw
    assert chain[0].content_sha256 == ledger.sha256_hex(received.raw)
    assert chain[2].content_sha256 == ledger.sha256_hex(delivered)
    assert chain[2].meta == {"recipient": "bo@example.net"}
    await eventually(lambda: verify_archive(relay.engine).ok)
