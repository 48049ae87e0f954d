"""CPU time of each event-loop stage, in process, for the load benchmark's 5 KB message.

Run:  .venv/bin/python bench/bench_stages.py [--n 300] [--size 5120] [--recipients 1]

Why: the load benchmark's CPU ms/msg moves with everything else on a shared machine; this one
runs the gateway's real stages (parse .. sign, decide on a real SQLite archive) in one process
and sums `time.process_time()` per stage, so a change to one stage shows as that stage's
figure. Archive and notify (database writes) are left out: they are not event-loop CPU work
this bench is about. Messages are bench_throughput's (text + html, different per message).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_throughput import make_message  # noqa: E402
from gateway import limits, loops  # noqa: E402
from gateway.context import Envelope, MessageContext, Person, ThreadInfo  # noqa: E402
from gateway.server import open_database  # noqa: E402
from gateway.services import Services  # noqa: E402
from gateway.signing import generate_key  # noqa: E402
from gateway.stages import authenticate, decide, footer, parse, rewrite, scan, sign  # noqa: E402
from storage.models import utcnow  # noqa: E402
from storage.threads import NewParticipant, create_thread  # noqa: E402
from tests.conftest import make_settings  # noqa: E402

WARM = 120
PEOPLE = [
    Person(
        1, "client", "Ann Lee", "ann@example.org", "ann-lee.aaaaaaaaaaaaaaaa@relay.gigbridge.io"
    ),
    Person(
        2, "freelancer", "Bo Chen", "bo@example.net", "bo-chen.bbbbbbbbbbbbbbbb@relay.gigbridge.io"
    ),
    Person(
        3, "freelancer", "Cy Diaz", "cy@example.com", "cy-diaz.cccccccccccccccc@relay.gigbridge.io"
    ),
]


def build(folder: Path) -> Services:
    """Services on a fresh SQLite archive holding one thread of the three people."""
    key = folder / "dkim.pem"
    generate_key(key)
    settings = make_settings(f"sqlite:///{folder / 'bench.db'}", folder, key)
    db = open_database(settings)
    create_thread(
        db.engine,
        thread_id="th_bench",
        subject="Logo design",
        participants=[NewParticipant(p.role, p.display_name, p.address) for p in PEOPLE],
        new_local=lambda p: next(
            q.relay_address.split("@")[0] for q in PEOPLE if q.address == p.address
        ),
    )
    return Services.build(settings, db=db)


def stages(services: Services):
    return (
        parse.Parse(services),
        limits.CheckMimeShape(services),
        authenticate.Authenticate(services),
        scan.Scan(services),
        decide.Decide(services),
        rewrite.Rewrite(services),
        footer.AddFooter(services),
        loops.StampTrace(services),
        sign.Sign(services),
    )


async def measure(services: Services, n: int, size: int, recipients: int) -> dict[str, float]:
    """Seconds of CPU per stage over n messages, after WARM warm-up messages.

    WARM is past the sign stage's first 100 signatures, which dkimpy verifies in full.
    """
    thread = ThreadInfo("th_bench", "Logo design", "open", tuple(PEOPLE))
    rcpts = tuple(PEOPLE[1 : 1 + recipients])
    rng = random.Random(7)
    totals: dict[str, float] = defaultdict(float)
    chain = stages(services)
    for i in range(n + WARM):
        raw = make_message(i, rcpts[0].relay_address, size, rng)
        ctx = MessageContext(
            queue_id=f"b{i}",
            envelope=Envelope(
                PEOPLE[0].address,
                tuple(p.relay_address for p in rcpts),
                "",
                "",
                False,
                False,
                utcnow(),
            ),
            raw=raw,
            thread=thread,
            recipients=rcpts,
            sender=PEOPLE[0],
            relayed_message_id=f"<r{i}@relay.gigbridge.io>",
        )
        for stage in chain:
            started = time.process_time()
            ctx = await stage(ctx)
            if i >= WARM:
                totals[stage.name] += time.process_time() - started
    return totals


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=300)
    p.add_argument("--size", type=int, default=5120)
    p.add_argument("--recipients", type=int, default=1, choices=(1, 2))
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        services = build(Path(tmp))
        totals = asyncio.run(measure(services, args.n, args.size, args.recipients))
        services.db.close()
    total = sum(totals.values())
    for name, seconds in totals.items():
        print(f"{name:14} {1000 * seconds / args.n:7.3f} ms/msg")
    print(f"{'total':14} {1000 * total / args.n:7.3f} ms/msg")


if __name__ == "__main__":
    main()
