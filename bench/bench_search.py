"""Search latency of the support pages on a large archive, SQLite and PostgreSQL.

Run:  .venv/bin/python bench/bench_search.py [-n 100000] [--base 10000] [--recopy]
          [--database sqlite|postgresql|both] [--repeat 20] [--pg-url URL]

The archive comes from bench/generate_archive.py (`populate`): realistic mail scanned and decided
by the real scanner and policy, stored through storage.archive.add_message, which also writes
the full-text index (storage.search.index_message), exactly as the gateway does. Generating runs
at roughly 15-100 messages/s on this shared machine, so `--base` messages are generated and then
copied by SQL (`amplify`: messages, findings, deliveries and index rows, new ids) until there
are n: the row counts, index sizes and value distributions of n messages, in minutes instead of
hours. --base equal to n generates everything. A database that already holds n messages is
reused (SQLite: bench/results/search-<n>.db; PostgreSQL: the schema bench_search_<n>).

Each query of the mix below is parsed by the search box's parser and run `repeat` times through
storage.search.search on the web UI's read engine (one page of 50, like the page). Reported:
p50 / p95 / max per query and p95 over all runs. Baseline in the same run: the text query
answered without the index (a LIKE scan over the raw messages), a few runs only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate_archive import default_settings, populate  # noqa: E402
from gateway.web.context import read_engine  # noqa: E402
from gateway.web.query import parse_query  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import make_engine, session_scope  # noqa: E402
from storage.search import search  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def sqlite_url(n: int) -> str:
    RESULTS.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{RESULTS / f'search-{n}.db'}"


def pg_url(base: str, n: int) -> str:
    import psycopg

    schema = f"bench_search_{n}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    return base.replace("postgresql://", "postgresql+psycopg://", 1) + (
        f"?options=-csearch_path%3D{schema}"
    )


def ensure_archive(url: str, n: int, base: int, console: Console, *, recopy: bool = False):
    """A migrated engine on a database holding at least n messages (generated if needed)."""
    engine = make_engine(url, synchronous="NORMAL")
    migrate.upgrade(engine)

    def count() -> int:
        with session_scope(engine) as session:
            return session.execute(text("SELECT count(*) FROM message")).scalar_one()

    have = count()
    if recopy and have > base:
        with engine.begin() as conn:
            for table, key in (
                ("finding", "message_id"),
                ("delivery", "message_id"),
                ("message_fts", "rowid" if engine.dialect.name == "sqlite" else "message_id"),
                ("message", "id"),
            ):
                conn.execute(text(f"DELETE FROM {table} WHERE {key} > :base"), {"base": base})
        have = count()
    if have == 0:
        console.print(f"generating {min(base, n):,} messages into {engine.dialect.name} ...")
        stats = populate(engine, default_settings(), min(base, n), 1, console=console)
        console.print(f"generated in {stats.seconds:,.0f} s")
        have = count()
    if have < n:
        started = time.perf_counter()
        amplify(engine, n)
        console.print(f"copied up to {count():,} messages in {time.perf_counter() - started:.0f} s")
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return engine


MESSAGE_COLUMNS = (
    "thread_id, kind, sender_id, received_at, mail_from, rcpt_tos, peer, helo, tls, smtputf8, "
    "raw, size, sha256, subject, original_message_id, relayed_message_id, status, action, "
    "decision, prev_hash, chain_hash"
)
FINDING_COLUMNS = 'category, kind, text, part, start, "end", confidence, detector'
DELIVERY_COLUMNS = (
    "recipient_id, recipient, envelope_from, outgoing, outgoing_sha256, relayed_message_id, "
    "status, attempts, created_at, next_attempt_at, lease_owner, lease_until, last_response, "
    "finished_at"
)


def amplify(engine, n: int) -> None:
    """Copy the generated messages (with findings, deliveries, index rows) until there are n.

    Copy k of message m gets id m + k * max_id and is received k hours earlier: the copies
    share the generated archive's two years, so a day holds n/base times as many messages, as a
    real archive of n messages over two years would.
    """
    sqlite = engine.dialect.name == "sqlite"
    with session_scope(engine) as session:
        top, have = session.execute(text("SELECT max(id), count(*) FROM message")).one()
    copy = 1
    while have < n:
        take = min(have_base := top, n - have)
        offset = copy * top
        shift = (
            f"strftime('%Y-%m-%d %H:%M:%f', received_at, '-{copy} hours')"
            if sqlite
            else f"received_at - interval '{copy} hours'"
        )
        cols = MESSAGE_COLUMNS.replace("received_at", shift)
        with engine.begin() as conn:
            conn.execute(
                text(
                    f"INSERT INTO message (id, {MESSAGE_COLUMNS}) SELECT id + :off, {cols} "
                    "FROM message WHERE id <= :take"
                ),
                {"off": offset, "take": take},
            )
            conn.execute(
                text(
                    f"INSERT INTO finding (message_id, {FINDING_COLUMNS}) "
                    f"SELECT message_id + :off, {FINDING_COLUMNS} FROM finding "
                    "WHERE message_id <= :take"
                ),
                {"off": offset, "take": take},
            )
            conn.execute(
                text(
                    f"INSERT INTO delivery (message_id, verp_token, {DELIVERY_COLUMNS}) "
                    f"SELECT message_id + :off, verp_token || :suffix, {DELIVERY_COLUMNS} "
                    "FROM delivery WHERE message_id <= :take"
                ),
                {"off": offset, "take": take, "suffix": f"-{copy}"},
            )
            if sqlite:
                conn.execute(
                    text(
                        "INSERT INTO message_fts (rowid, body) SELECT rowid + :off, body "
                        "FROM message_fts WHERE rowid <= :take"
                    ),
                    {"off": offset, "take": take},
                )
            else:
                conn.execute(
                    text(
                        "INSERT INTO message_fts (message_id, tsv) SELECT message_id + :off, tsv "
                        "FROM message_fts WHERE message_id <= :take"
                    ),
                    {"off": offset, "take": take},
                )
        have += min(take, have_base)
        copy += 1
    if not sqlite:
        with engine.begin() as conn:
            for table in ("message", "finding", "delivery"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )


def sample_values(engine) -> dict[str, str]:
    """Real addresses, names and ids from the archive, so filters hit something."""
    with session_scope(engine) as session:
        row = session.execute(
            text(
                "SELECT p.address, p.display_name, p.relay_local, p.thread_id FROM participant p "
                "JOIN message m ON m.sender_id = p.id GROUP BY p.id, p.address, p.display_name, "
                "p.relay_local, p.thread_id ORDER BY count(*) DESC LIMIT 1"
            )
        ).one()
        first, last = session.execute(
            text("SELECT min(received_at), max(received_at) FROM message")
        ).one()
    if isinstance(first, str):  # SQLite hands back the stored text
        first, last = datetime.fromisoformat(first), datetime.fromisoformat(last)
    mid = first + (last - first) / 2
    return {
        "address": row[0],
        "name": row[1].split()[0].lower(),
        "relay": f"{row[2]}@relay.gigbridge.io",
        "thread": row[3],
        "mid": mid.date().isoformat(),
        "start": (mid - timedelta(days=90)).date().isoformat(),
    }


def query_mix(v: dict[str, str]) -> list[tuple[str, str, int]]:
    """(label, query, page) pairs: what support types, from broad to narrow."""
    return [
        ("newest (no filter)", "", 1),
        ("page 20 of everything", "", 20),
        ("common word", "project", 1),
        ("rare word", "paypal", 1),
        ("phrase", '"bank transfer"', 1),
        ("two words", "invoice logo", 1),
        ("sender address", f"from:{v['address']}", 1),
        ("sender name part", f"from:{v['name']}", 1),
        ("participant address", v["address"], 1),
        ("relay address", f"relay:{v['relay']}", 1),
        ("thread id", f"thread:{v['thread']}", 1),
        ("category", "category:payment", 1),
        ("held", "is:held", 1),
        ("kind", "kind:iban", 1),
        ("subject part", "subject:logo", 1),
        ("date range + word", f"after:{v['start']} before:{v['mid']} project", 1),
        (
            "documented example",
            f'from:{v["address"]} category:payment is:held after:2020-01-01 "bank transfer"',
            1,
        ),
        ("category + held + date", f"category:contact is:flagged after:{v['mid']}", 1),
    ]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def run(engine, repeat: int, console: Console) -> dict:
    reader = read_engine(engine)
    values = sample_values(engine)
    rows = []
    every: list[float] = []
    for label, query, page in query_mix(values):
        filters = parse_query(query, relay_domain="relay.gigbridge.io")

        def call(filters=filters, page=page):
            return search(reader, filters, limit=50, offset=(page - 1) * 50)

        hits = len(call().hits)  # warm-up
        times = sorted(timed(call) for _ in range(repeat))
        every.extend(times)
        rows.append(
            {
                "query": label,
                "text": query,
                "hits": hits,
                "p50_ms": statistics.median(times),
                "p95_ms": times[max(0, int(len(times) * 0.95) - 1)],
                "max_ms": times[-1],
            }
        )
    every.sort()
    baseline = _baseline(reader)
    indexing = _indexing_cost(reader)
    if reader is not engine:
        reader.dispose()
    with session_scope(engine) as session:
        count = session.execute(text("SELECT count(*) FROM message")).scalar_one()
    return {
        "database": engine.dialect.name,
        "messages": count,
        "queries": rows,
        "p95_all_ms": every[int(len(every) * 0.95) - 1],
        "p50_all_ms": statistics.median(every),
        "baseline": baseline,
        "index_text_ms": indexing,
    }


def _indexing_cost(reader, sample: int = 200) -> float:
    """Mean time to extract one message's searchable text (the CPU index_message adds)."""
    from storage.search import message_text

    with reader.connect() as conn:
        rows = conn.execute(
            text("SELECT raw, subject FROM message ORDER BY id LIMIT :n"), {"n": sample}
        ).all()
    start = time.perf_counter()
    for raw, subject in rows:
        message_text(bytes(raw), subject)
    return (time.perf_counter() - start) * 1000 / max(1, len(rows))


def _baseline(reader) -> dict:
    """The phrase query without the index: LIKE over the raw bytes of every message."""
    cast = "CAST(raw AS TEXT)" if reader.dialect.name == "sqlite" else "convert_from(raw, 'UTF8')"
    sql = text(
        f"SELECT id FROM message WHERE lower({cast}) LIKE '%bank transfer%' "
        "ORDER BY id DESC LIMIT 51"
    )

    def call():
        with reader.connect() as conn:
            conn.execute(sql).all()

    call()
    times = sorted(timed(call) for _ in range(3))
    indexed = search(reader, parse_query('"bank transfer"'), limit=50)
    start = time.perf_counter()
    for _ in range(3):
        search(reader, parse_query('"bank transfer"'), limit=50)
    fts = (time.perf_counter() - start) * 1000 / 3
    return {
        "like_scan_ms": statistics.median(times),
        "fts_ms": fts,
        "speedup": statistics.median(times) / fts if fts else None,
        "fts_hits": len(indexed.hits),
    }


def report(result: dict, console: Console) -> None:
    table = Table(
        "query", "hits", "p50 ms", "p95 ms", "max ms",
        title=f"search on {result['messages']:,} messages ({result['database']})",
    )  # fmt: skip
    for r in result["queries"]:
        table.add_row(
            r["query"],
            str(r["hits"]),
            f"{r['p50_ms']:.1f}",
            f"{r['p95_ms']:.1f}",
            f"{r['max_ms']:.1f}",
        )
    console.print(table)
    b = result["baseline"]
    console.print(
        f"all queries: p50 {result['p50_all_ms']:.1f} ms, p95 {result['p95_all_ms']:.1f} ms "
        f"(target < 300 ms). Baseline phrase without index: {b['like_scan_ms']:.0f} ms vs "
        f"{b['fts_ms']:.1f} ms indexed ({b['speedup']:.0f}x). Text extraction for the index: "
        f"{result['index_text_ms']:.2f} ms per message"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=10000, help="messages generated, then copied")
    parser.add_argument(
        "--recopy", action="store_true", help="drop the copies of a kept archive and copy again"
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--pg-url", default=PG_DEFAULT, help="PostgreSQL server")
    args = parser.parse_args(argv)
    console = Console()
    results = []
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    for kind in kinds:
        if kind == "sqlite":
            url = sqlite_url(args.n)
        else:
            url = pg_url(args.pg_url, args.n)
        engine = ensure_archive(url, args.n, args.base, console, recopy=args.recopy)
        try:
            result = run(engine, args.repeat, console)
        finally:
            engine.dispose()
        report(result, console)
        results.append(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"search-{int(time.time())}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    console.print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
