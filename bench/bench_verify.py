"""Speed of `gateway archive verify` on a generated archive, next to a read-and-hash baseline.

Run:  .venv/bin/python bench/bench_verify.py [--url URL] [--database sqlite|postgresql]
          [-n 100000] [--seed 1] [--rounds 1]

Without --url it first fills a fresh database with bench/generate_archive.py's populate(): a
SQLite file under bench/results/ or a fresh PostgreSQL schema (dropped afterwards). With --url
it measures an archive that is already there (e.g. one generate_archive.py printed). With
--copy-from URL the fresh database is filled by copying that archive's rows (same hashes).

Rows, all in the same run on the same database:
  baseline      SELECT every ledger row and every sealed body (message.raw, delivery.outgoing)
                and sha256 the stored bytes: the floor any verifier pays for reading the archive
  verify        storage.ledger_verify.verify_archive: every entry's hash and link, every body
                opened (AES-GCM) and hashed, every decision re-encoded with its findings, every
                row matched to an entry
  one thread    verify --thread for the 100 longest threads (median per thread: what support
                waits for before exporting evidence)
records/s counts ledger entries (one per message, decision and outgoing copy).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from storage import migrate  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.ledger_verify import verify_archive  # noqa: E402
from storage.models import Delivery, LedgerEntry, Message, Thread  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def baseline(engine) -> tuple[int, float]:
    """(ledger rows, seconds) to stream every ledger row and stored body and sha256 the bytes."""
    started = time.perf_counter()
    rows = 0
    with engine.connect() as conn:
        for query, is_ledger in (
            (select(LedgerEntry.hash, LedgerEntry.content_sha256), True),
            (select(Message.raw), False),
            (select(Delivery.outgoing), False),
        ):
            result = conn.execution_options(stream_results=True, yield_per=2000).execute(query)
            for row in result:
                data = row[0].encode() if is_ledger else row[0]
                hashlib.sha256(data).digest()
                rows += is_ledger
    return rows, time.perf_counter() - started


TABLES = ("thread", "participant", "threadkey", "message", "finding", "delivery", "auditevent",
          "ledger")  # fmt: skip


def copy_archive(source_url: str, target, console: Console, batch: int = 1000) -> float:
    """Copy every archive row from one database into another (migrated, empty); seconds taken.

    The rows are the same, so every hash, seal and ledger entry is too: this is how the
    PostgreSQL figure can be measured on the archive generated on SQLite when the shared machine
    is too busy to generate twice.
    """
    from sqlmodel import SQLModel

    started = time.perf_counter()
    source = make_engine(source_url)
    try:
        with source.connect() as src, target.begin() as dst:
            for name in TABLES:
                table = SQLModel.metadata.tables[name]
                total = src.execute(select(func.count()).select_from(table)).scalar_one()
                result = src.execution_options(stream_results=True, yield_per=batch).execute(
                    select(table)
                )
                done = 0
                for rows in result.mappings().partitions(batch):
                    dst.execute(table.insert(), [dict(r) for r in rows])
                    done += len(rows)
                console.print(f"copied {name}: {done:,}/{total:,}")
    finally:
        source.dispose()
    return time.perf_counter() - started


def longest_threads(engine, count: int = 100) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(Thread.id).order_by(Thread.chain_length.desc(), Thread.id).limit(count)
            ).scalars()
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="an archive that already exists")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=PG_DEFAULT)
    parser.add_argument("-n", type=int, default=100_000, help="messages to generate first")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1, help="verify runs (best is reported)")
    parser.add_argument(
        "--copy-from", help="fill the fresh database by copying this archive instead of generating"
    )
    args = parser.parse_args(argv)
    console = Console()
    schema = None
    url = args.url
    if url is None:
        from generate_archive import default_settings, populate

        if args.database == "postgresql":
            import psycopg

            schema = f"bv_{secrets.token_hex(4)}"
            with psycopg.connect(args.pg_url, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            base = args.pg_url.replace("postgresql://", "postgresql+psycopg://", 1)
            url = f"{base}?options=-csearch_path%3D{schema}"
        else:
            RESULTS.mkdir(parents=True, exist_ok=True)
            path = RESULTS / f"verify-{args.n}-{int(time.time())}.db"
            url = f"sqlite:///{path}"
        engine = make_engine(url, synchronous="NORMAL")
        migrate.upgrade(engine)
        if args.copy_from:
            seconds = copy_archive(args.copy_from, engine, console)
            console.print(f"copied the archive in {seconds:.0f}s")
        else:
            stats = populate(engine, default_settings(), args.n, args.seed, console=console)
            console.print(f"generated {stats.messages} messages in {stats.seconds:.0f}s")
    else:
        engine = make_engine(url, synchronous="NORMAL")
    try:
        with engine.connect() as conn:
            messages = conn.execute(select(func.count()).select_from(Message)).scalar_one()
        base_rows, base_s = baseline(engine)
        runs = []
        for _ in range(args.rounds):
            report = verify_archive(engine)
            if not report.ok:
                console.print(f"[red]verify found {len(report.problems)} problems[/red]")
            runs.append(report)
        best = min(runs, key=lambda r: r.seconds)
        per_thread = []
        for tid in longest_threads(engine):
            started = time.perf_counter()
            verify_archive(engine, thread_id=tid)
            per_thread.append(time.perf_counter() - started)
    finally:
        engine.dispose()
        if schema is not None:
            import psycopg

            with psycopg.connect(args.pg_url, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")
    dialect = "postgresql" if "postgresql" in url else "sqlite"
    table = Table(
        "row", "records", "seconds", "records/s", "vs baseline",
        title=f"archive verify, {messages:,} messages, {dialect}",
    )  # fmt: skip
    table.add_row("baseline: read + sha256", f"{base_rows:,}", f"{base_s:.1f}",
                  f"{base_rows / base_s:,.0f}", "1.00")  # fmt: skip
    table.add_row("gateway archive verify", f"{best.records:,}", f"{best.seconds:.1f}",
                  f"{best.rate:,.0f}", f"{best.seconds / base_s:.2f}x time")  # fmt: skip
    table.add_row(
        "verify --thread (median of 100 longest)", "", f"{statistics.median(per_thread):.3f}",
        "", "",
    )  # fmt: skip
    console.print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"verify-{dialect}-{int(time.time())}.json"
    out.write_text(
        json.dumps(
            {
                "database": dialect,
                "messages": messages,
                "records": best.records,
                "threads": best.threads,
                "verify_seconds": round(best.seconds, 2),
                "verify_records_per_second": round(best.rate),
                "baseline_seconds": round(base_s, 2),
                "baseline_records_per_second": round(base_rows / base_s),
                "per_thread_median_seconds": round(statistics.median(per_thread), 4),
                "problems": len(best.problems),
            },
            indent=2,
        )
    )
    console.print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
