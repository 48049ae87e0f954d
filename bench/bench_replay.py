"""Policy replay speed (messages/s) on a generated archive, next to a scan-only baseline.

    .venv/bin/python bench/bench_replay.py [-n 100000] [--sample N] [--url URL] [--seed 1]

The archive is made by bench/generate_archive.py (`populate`, the `record` helper's generator:
realistic multi-language threads, ~14 % with contact/payment findings) into
bench/results/replay-<n>-seed<seed>.db, reused when it already holds n messages.

Passes over the same archived messages, in the same run (after one untimed warm-up read, so
no pass pays for the first read of the database file):
  baseline   read the raw bytes, parse, scan: what any replay must cost at least;
  same       `gateway.policy.replay.replay` with the policy the archive was decided with
             (parse + scan + thread history + decision + provenance; also shows how many
             decisions the thread-aware policy makes differently from the generator's
             history-less one: accumulation and escalation at work);
  stricter   replay with a candidate that redacts contact details, rejects phone numbers and
             escalates (flags_before_hold = 3, payment_after_contact = reject);
  baseline again, to show how much the machine's load drifted during the run.
`--sample N` times each pass on the first N messages of the archive (all n by default): on a
shared machine three full passes over 100,000 messages take long, and the per-message cost does
not depend on how many are read. The ratio replay/baseline is the policy's own overhead;
absolute figures depend on the machine (shared with other jobs while these were taken: see
docs/policy.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlmodel import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from gateway import mime  # noqa: E402
from gateway.config import parse_settings  # noqa: E402
from gateway.policy.replay import replay  # noqa: E402
from gateway.services import build_scanner  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import make_engine, session_scope  # noqa: E402
from storage.models import Message  # noqa: E402

RESULTS = ROOT / "bench" / "results"
STRICTER = """
[policy]
contact = "redact"
payment = "hold"
[policy.kinds]
phone = "reject"
[policy.escalation]
flags_before_hold = 3
payment_after_contact = "reject"
"""


def archive(url: str | None, n: int, seed: int, console: Console):
    """An engine on an archive of n generated messages (generated when missing)."""
    import generate_archive

    settings = generate_archive.default_settings()
    if url is None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{RESULTS / f'replay-{n}-seed{seed}.db'}"
    engine = make_engine(url, synchronous="NORMAL")
    migrate.upgrade(engine)
    with session_scope(engine) as session:
        have = session.exec(select(func.count(Message.id))).one()
    if have < n:
        console.print(f"generating {n - have} messages into {url}", markup=False)
        stats = generate_archive.populate(engine, settings, n - have, seed, console=console)
        console.print(f"generated at {stats.rate:,.0f} msg/s", markup=False)
    return engine, settings


def baseline(engine, settings, limit: int | None = None) -> tuple[int, float]:
    """Read, parse and scan every inbound message (or the first `limit`): (messages, seconds)."""
    scanner = build_scanner(settings)
    started = time.perf_counter()
    count, last = 0, 0
    with session_scope(engine) as session:
        while True:
            rows = session.exec(
                select(Message.id, Message.raw)
                .where(Message.kind == "inbound", Message.id > last)
                .order_by(Message.id)
                .limit(500)
            ).all()
            if not rows:
                break
            for _, raw in rows:
                scanner.scan(mime.parse(raw))
                count += 1
            last = rows[-1][0]
            if limit is not None and count >= limit:
                break
    return count, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", default=None, help="an existing archive (default: generated)")
    parser.add_argument("--sample", type=int, default=None, help="time passes on N messages")
    args = parser.parse_args(argv)
    console = Console()
    engine, settings = archive(args.url, args.n, args.seed, console)
    stricter = parse_settings(
        generate_archive_settings_text() + STRICTER, source="stricter", base_dir=ROOT
    )
    results = {}
    baseline(engine, settings, args.sample)  # warm-up: reads the archive into the page cache
    count, seconds = baseline(engine, settings, args.sample)
    results["baseline (parse + scan)"] = {"messages": count, "seconds": seconds, "changes": None}
    console.print(f"baseline: {count / seconds:,.0f} msg/s", markup=False)
    for name, candidate in (("replay, same policy", settings), ("replay, stricter", stricter)):
        report = replay(engine, candidate, limit=args.sample)
        results[name] = {
            "messages": report.messages,
            "seconds": report.seconds,
            "changes": len(report.changes),
            "candidate": dict(report.candidate),
        }
        console.print(f"{name}: {report.messages / report.seconds:,.0f} msg/s", markup=False)
    count_again, seconds_again = baseline(engine, settings, args.sample)
    results["baseline again (load drift check)"] = {
        "messages": count_again,
        "seconds": seconds_again,
        "changes": None,
    }
    engine.dispose()
    table = Table("pass", "messages", "seconds", "msg/s", "vs baseline", "changes")
    base_rate = count / seconds
    for name, r in results.items():
        rate = r["messages"] / r["seconds"]
        table.add_row(
            name,
            f"{r['messages']:,}",
            f"{r['seconds']:.1f}",
            f"{rate:,.0f}",
            f"{rate / base_rate:.2f}x",
            "" if r["changes"] is None else f"{r['changes']:,}",
        )
    console.print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"replay-{int(time.time())}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    console.print(f"written to {out}", markup=False)
    return 0


def generate_archive_settings_text() -> str:
    """The generator's platform settings as TOML, for building the stricter candidate."""
    import generate_archive

    return generate_archive.DEFAULT_SETTINGS


if __name__ == "__main__":
    sys.exit(main())
