"""Who an envelope address is: a relay address of a thread, a bounce address, or nobody.

Used both at RCPT time (to refuse early) and by the resolve stage, so both agree on the rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.addresses import RelayDomain
from gateway.context import Person, ThreadInfo
from storage import outbox, threads
from storage.db import Database


@dataclass(frozen=True)
class RelayTarget:
    """A relay address: the thread it belongs to and the participant it reaches."""

    thread: ThreadInfo
    person: Person


@dataclass(frozen=True)
class BounceTarget:
    """A VERP bounce address naming one delivery."""

    token: str
    delivery_id: int


def thread_info(relay: RelayDomain, thread, people) -> ThreadInfo:
    """Database rows -> the pipeline's frozen view of a thread."""
    return ThreadInfo(
        id=thread.id,
        subject=thread.subject,
        status=thread.status,
        participants=tuple(
            Person(p.id, p.role, p.display_name, p.address, relay.relay_address(p.relay_local))
            for p in people
        ),
    )


async def lookup(
    db: Database, relay: RelayDomain, address: str
) -> RelayTarget | BounceTarget | None:
    """Resolve one envelope recipient; None when it is not an address the gateway serves."""
    token = relay.bounce_token(address)
    if token is not None:
        found = await db.run(outbox.find_by_token, db.engine, token)
        return BounceTarget(token, found[0].id) if found else None
    local = relay.local_part(address)
    if not local:
        return None
    found = await db.run(threads.find_by_relay_local, db.engine, local)
    if found is None:
        return None
    info = thread_info(relay, *found)
    return RelayTarget(info, info.by_relay(relay.relay_address(local)))
