"""CPU per call of the database work on the message path, in process (no SMTP, no pipeline).

Measures `time.process_time` per call of what the gateway does per message on the database
side: the RCPT directory lookup, the policy state (with 20 and 400 earlier messages of the
sender in the thread), the archive write (one message, two copies, in a group commit of
eight), and the delivery bookkeeping (claim 8 due jobs, mark them delivered together).

    .venv/bin/python bench/bench_dbpath.py                       # SQLite and PostgreSQL
    PYTHONPATH=/tmp/before .venv/bin/python bench/bench_dbpath.py  # another checkout's code

Prints one line per measure: milliseconds of CPU per call (per message for the write and the
bookkeeping), the median of five rounds.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from storage import migrate, outbox, threads
from storage.archive import MessageRecord, OutgoingRecord
from storage.db import make_engine
from storage.group_commit import store_batch
from storage.policy_state import load_policy_state

PG_DEFAULT = os.environ.get("GATEWAY_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
BATCH = 8


def cpu_ms(fn: Callable[[], object], calls: int, per: int = 1) -> float:
    """Median over five rounds of CPU milliseconds per call (divided by `per` items)."""
    rounds = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(calls):
            fn()
        rounds.append((time.process_time() - start) * 1000 / calls / per)
    return statistics.median(rounds)


def new_thread(engine, thread_id: str) -> list[int]:
    """A thread with a client and a freelancer; their participant ids."""
    _, people = threads.create_thread(
        engine,
        thread_id=thread_id,
        subject="bench",
        participants=[
            threads.NewParticipant("client", "A", f"a@{thread_id}.example"),
            threads.NewParticipant("freelancer", "B", f"b@{thread_id}.example"),
        ],
        new_local=lambda p: f"{p.display_name.lower()}.{thread_id}",
    )
    return [p.id for p in people]


def item(thread_id: str, sender: int, n: int) -> tuple[MessageRecord, list[OutgoingRecord]]:
    """A 5 KB inbound message with two outgoing copies and a typical decision."""
    raw = b"Subject: bench\r\n\r\n" + b"x" * 5000
    decision = {
        "action": "flag" if n % 7 == 0 else "deliver",
        "categories": ["contact"] if n % 11 == 0 else [],
        "tail": ["415", "555"],
        "rule": "default",
    }
    record = MessageRecord(
        thread_id=thread_id,
        raw=raw,
        sender_id=sender,
        action=decision["action"],
        decision=decision,
        subject="bench",
        index_text="bench text",
    )
    copies = [
        OutgoingRecord(
            f"{who}@example.org", None, "", secrets.token_hex(12), raw, "<r@relay.example>"
        )
        for who in ("b", "c")
    ]
    return record, copies


def run(url: str, label: str) -> None:
    """Every measure on one fresh database."""
    engine = make_engine(url, synchronous="NORMAL")
    migrate.upgrade(engine)
    short = new_thread(engine, "th_short")
    long = new_thread(engine, "th_long")
    for start in range(0, 400, BATCH):
        store_batch(engine, [item("th_long", long[0], n) for n in range(start, start + BATCH)])
    store_batch(engine, [item("th_short", short[0], n) for n in range(20)])
    counter = iter(range(10**9))

    def write() -> None:
        ids = store_batch(engine, [item("th_w", w[0], next(counter)) for _ in range(BATCH)])
        assert all(isinstance(i, int) for i in ids), ids

    w = new_thread(engine, "th_w")
    results = {
        "rcpt lookup": cpu_ms(lambda: threads.find_by_relay_local(engine, "b.th_short"), 200),
        "policy state, 20 earlier": cpu_ms(
            lambda: load_policy_state(engine, "th_short", short[0]), 200
        ),
        "policy state, 400 earlier": cpu_ms(
            lambda: load_policy_state(engine, "th_long", long[0]), 100
        ),
        "archive write (group of 8), per msg": cpu_ms(write, 10, BATCH),
    }

    def bookkeeping() -> None:
        jobs = outbox.claim_due(engine, "bench:1", lease_seconds=60, limit=BATCH)
        outbox.mark_delivered_many(engine, [(j.id, "bench:1", "250 2.0.0 Ok") for j in jobs])

    # enough queued jobs for every round (the write rounds above queued 2 copies each)
    results["claim + mark delivered, per job"] = cpu_ms(bookkeeping, 10, BATCH)
    engine.dispose()
    for name, value in results.items():
        print(f"{label:11} {name:40} {value:6.3f} ms")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--databases", default="sqlite,postgresql")
    p.add_argument("--pg-url", default=PG_DEFAULT)
    args = p.parse_args()
    print(f"code from {Path(migrate.__file__).resolve().parent.parent}", file=sys.stderr)
    for kind in args.databases.split(","):
        if kind == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                run(f"sqlite:///{folder}/bench.db", "SQLite")
        else:
            schema = f"bench_{secrets.token_hex(4)}"
            with psycopg.connect(args.pg_url, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            base = args.pg_url.replace("postgresql://", "postgresql+psycopg://", 1)
            try:
                run(f"{base}?options=-csearch_path%3D{schema}", "PostgreSQL")
            finally:
                with psycopg.connect(args.pg_url, autocommit=True) as conn:
                    conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
