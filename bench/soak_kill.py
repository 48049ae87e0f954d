"""Soak: kill -9 rounds under load for as long as you like (the test suite runs ten per database).

Two `gateway serve` processes share one database (a SQLite file or a fresh PostgreSQL schema)
and a steady stream of messages from an asyncio client; each round SIGKILLs one of them at a
random moment and restarts it. At the end every message the client got a 250 for must have
reached the counting upstream, and any duplicate must fall in the documented crash window
(a kill between the upstream's 250 and the gateway's `delivered` record). Exit status 1 if not.

    .venv/bin/python bench/soak_kill.py [--rounds 100] [--database sqlite|postgresql] [--seed N]

Uses the same helpers as tests/test_faults_kill.py (tests/ops_helpers.py), so the soak and the
suite test exactly the same thing; the soak only runs longer.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.signing import generate_key  # noqa: E402
from tests.conftest import fresh_database  # noqa: E402
from tests.ops_helpers import kill_rounds  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=100, help="kill -9 rounds (default 100)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=None, help="random seed for the kill times")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="soak-kill-") as tmp:
        folder = Path(tmp)
        key = folder / "relay.key"
        generate_key(key)
        with fresh_database(args.database, folder) as url:
            report = asyncio.run(kill_rounds(url, folder, key, args.rounds, seed=args.seed))
    print(f"{args.database}: {report.summary()}")
    for verp, first, again in report.unexplained_duplicates[:10]:
        print(f"  unexplained duplicate {verp}: {first} / {again}")
    if report.lost:
        print(f"  lost (acknowledged, never delivered): {sorted(report.lost)[:20]}")
    return 1 if report.lost or report.unexplained_duplicates else 0


if __name__ == "__main__":
    sys.exit(main())
