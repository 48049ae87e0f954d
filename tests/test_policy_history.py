"""The policy history summary row against recomputation from the archived decisions.

`load_policy_state` reads one `policy_history` row per (thread, sender); `state_in` recomputes
the same facts from the sender's last HISTORY_LIMIT messages (the code before the row existed).
Over random histories (group commits with failing messages, rejected holds, erasure, the
migration's backfill, more messages than the window) the two must agree on both databases.
"""

from __future__ import annotations

import random

import pytest
from alembic import command
from sqlalchemy import delete, update

from storage import migrate, policy_state
from storage.archive import MessageRecord, OutgoingRecord
from storage.db import make_engine, session_scope
from storage.group_commit import store_batch
from storage.models import Message, Participant, PolicyHistory
from storage.policy_state import PolicyState, load_policy_state, state_in
from storage.retention import erase_thread
from storage.threads import NewParticipant, add_exemption, create_thread

ACTIONS = ("deliver", "deliver", "flag", "flag", "hold", "reject")
STATUS = {"hold": "held", "reject": "rejected"}
# contact rarely, so that a rejected hold often ends a sender's only contact share
CATEGORIES = ((),) * 8 + (("contact",), ("payment",), ("contact", "payment"), ("limit",))


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url, synchronous="NORMAL")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def new_thread(engine, thread_id: str) -> list[int]:
    """A thread with three participants; their ids."""
    _, people = create_thread(
        engine,
        thread_id=thread_id,
        subject="s",
        participants=[
            NewParticipant("client", "A", "a@example.org"),
            NewParticipant("freelancer", "B", "b@example.org"),
            NewParticipant("agency", "C", "c@example.org"),
        ],
        new_local=lambda p: f"{p.display_name.lower()}.{thread_id}",
    )
    return [p.id for p in people]


def random_decision(rng: random.Random) -> tuple[str, dict | None]:
    """(action, decision) as the archive stage records them, sometimes without the keys."""
    action = rng.choice(ACTIONS)
    if rng.random() < 0.1:
        return action, {}
    decision = {"action": action, "categories": list(rng.choice(CATEGORIES))}
    if rng.random() < 0.8:
        decision["tail"] = [str(rng.randrange(10**6)) for _ in range(rng.randrange(3))]
    return action, decision


def store_random(engine, rng: random.Random, threads: dict[str, list[int]], n: int) -> None:
    """`n` random inbound messages in random group commits, some of which fail alone."""
    stored = 0
    while stored < n:
        batch, failing = [], []
        for _ in range(rng.randint(1, 6)):
            thread_id = rng.choice(list(threads))
            sender = rng.choice([*threads[thread_id], None])
            action, decision = random_decision(rng)
            token = f"t{rng.randrange(10**12)}"
            duplicate = rng.random() < 0.1 and bool(batch)
            if duplicate:  # a duplicate VERP token: this message fails, alone
                token = batch[-1][1][0].verp_token
            failing.append(duplicate)
            record = MessageRecord(
                thread_id=thread_id,
                raw=b"Subject: x\r\n\r\nbody\r\n",
                sender_id=sender,
                status=STATUS.get(action, "accepted"),
                action=action,
                decision=decision,
            )
            out = OutgoingRecord("b@example.org", None, f"bounces+{token}@r", token, b"o", "<r@r>")
            batch.append((record, [out]))
        results = store_batch(engine, batch)
        # one of each duplicated pair fails (which one: store_batch orders by thread)
        assert sum(isinstance(r, Exception) for r in results) == sum(failing), results
        stored += sum(isinstance(r, int) for r in results)


def recomputed(engine, thread_id: str, sender_id: int | None) -> PolicyState:
    """The state as computed before the summary row: from the messages themselves."""
    with session_scope(engine) as session:
        return state_in(session, thread_id, sender_id)


def assert_rows_agree(engine, threads: dict[str, list[int]]) -> int:
    """Every (thread, sender) pair reads the same from the row as recomputed; pairs compared."""
    compared = 0
    for thread_id, people in threads.items():
        for sender in [*people, None]:
            assert load_policy_state(engine, thread_id, sender) == recomputed(
                engine, thread_id, sender
            ), (thread_id, sender)
            compared += 1
    return compared


def reject_some_holds(engine, rng: random.Random) -> int:
    """What gateway.holds does to the record for a decision: status and the summary, together."""
    with session_scope(engine) as session:
        held = session.exec(
            Message.__table__.select().where(Message.status == "held")  # type: ignore[attr-defined]
        ).all()
        chosen = [m for m in held if rng.random() < 0.5]
        for m in chosen:
            new = rng.choice(("rejected", "released"))
            session.execute(update(Message).where(Message.id == m.id).values(status=new))
            policy_state.status_changed(
                session, m.thread_id, m.sender_id, m.decision, m.status, new
            )
        return len(chosen)


def test_summary_rows_match_recomputation_over_random_histories(engine):
    """Random mail in four threads; the row and the recomputation agree at every step."""
    rng = random.Random(7)
    threads = {f"th_{i}": new_thread(engine, f"th_{i}") for i in range(4)}
    add_exemption(engine, "th_1", scope="contact", actor="t", reason="r")
    add_exemption(engine, "th_1", scope="payment", actor="t", reason="r")
    compared = 0
    for _round in range(5):
        store_random(engine, rng, threads, 60)
        compared += assert_rows_agree(engine, threads)
        assert reject_some_holds(engine, rng) >= 0
        compared += assert_rows_agree(engine, threads)
    states = {load_policy_state(engine, t, s) for t, people in threads.items() for s in people}
    assert any(s.flagged for s in states)
    assert any(s.shared_contact for s in states)
    assert any(s.tail for s in states)
    assert any(s.exemptions for s in states)
    erase_thread(engine, "th_2", "request")
    compared += assert_rows_agree(engine, threads)
    assert compared == 5 * 2 * 16 + 16


def test_a_failed_message_leaves_no_trace_in_the_row(engine):
    """The summary is written inside the message's savepoint: it rolls back with it."""
    a, _b, _c = new_thread(engine, "th_f")

    def item(token: str, action: str) -> tuple[MessageRecord, list[OutgoingRecord]]:
        decision = {"categories": ["contact"], "tail": [token]}
        record = MessageRecord(
            thread_id="th_f", raw=b"x", sender_id=a, action=action, decision=decision
        )
        return record, [OutgoingRecord("b@example.org", None, "", token, b"o", "")]

    results = store_batch(engine, [item("one", "flag"), item("one", "flag")])
    assert isinstance(results[0], int)
    assert isinstance(results[1], Exception)
    state = load_policy_state(engine, "th_f", a)
    assert (state.flagged, state.shared_contact, state.tail) == (1, True, ("one",))
    assert state == recomputed(engine, "th_f", a)


def test_past_the_window_the_state_is_recomputed(engine, monkeypatch):
    """Above HISTORY_LIMIT messages the oldest drop out of the counts, as before the row."""
    monkeypatch.setattr(policy_state, "HISTORY_LIMIT", 5)
    a, _b, _c = new_thread(engine, "th_w")
    records = [
        (
            MessageRecord(
                thread_id="th_w",
                raw=b"x",
                sender_id=a,
                action="flag" if i < 3 else "deliver",
                decision={"categories": ["contact"] if i == 0 else []},
            ),
            [],
        )
        for i in range(8)
    ]
    for i, item in enumerate(records):
        assert all(isinstance(r, int) for r in store_batch(engine, [item]))
        state = load_policy_state(engine, "th_w", a)
        assert state == recomputed(engine, "th_w", a)
        assert state.flagged == (min(i + 1, 3) if i < 5 else max(0, 3 - (i - 4)))
        assert state.shared_contact == (i < 5)


def test_the_migration_backfills_the_rows(engine):
    """Downgrade (the table goes), upgrade: the backfill gives the rows the live path kept."""
    rng = random.Random(11)
    threads = {f"th_{i}": new_thread(engine, f"th_{i}") for i in range(3)}
    store_random(engine, rng, threads, 80)
    before = {(t, s): load_policy_state(engine, t, s) for t, ps in threads.items() for s in ps}
    with session_scope(engine) as session:
        kept = sorted(tuple(r) for r in session.exec(PolicyHistory.__table__.select()).all())  # type: ignore[attr-defined]
    config = migrate.alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "record")
    migrate.upgrade(engine)
    with session_scope(engine) as session:
        backfilled = sorted(
            tuple(r)
            for r in session.exec(PolicyHistory.__table__.select()).all()  # type: ignore[attr-defined]
        )
    assert backfilled == kept
    assert len(kept) >= 6
    after = {(t, s): load_policy_state(engine, t, s) for t, ps in threads.items() for s in ps}
    assert after == before
    assert_rows_agree(engine, threads)


def test_a_missing_row_means_no_history(engine):
    """No row for a sender without messages; its state is the empty history."""
    a, b, _c = new_thread(engine, "th_e")
    with session_scope(engine) as session:
        session.execute(delete(PolicyHistory))
        role = session.get(Participant, b).role
    state = load_policy_state(engine, "th_e", b)
    assert state == PolicyState(sender_role=role) == recomputed(engine, "th_e", b)
    assert load_policy_state(engine, "th_none", a) == recomputed(engine, "th_none", a)
