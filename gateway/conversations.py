"""Opening a conversation: the one code path behind `gateway threads create` and the API.

Why shared: both must apply the same rules (two or more participants, distinct addresses, a
subject without line breaks, a fresh thread id, relay local parts from display names) and
describe the result the same way; a second copy of these rules would drift.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Engine

from gateway.addresses import RelayDomain, new_relay_local, random_token
from storage.threads import NewParticipant, create_thread


class ConversationError(ValueError):
    """The request cannot open a thread; the message says what to change."""


def open_thread(
    engine: Engine,
    relay: RelayDomain,
    *,
    subject: str,
    participants: Sequence[NewParticipant],
    external_ref: str | None = None,
    actor: str = "cli",
    default_stage: str = "inquiry",
) -> dict[str, Any]:
    """Create a thread and return it as `thread_json` does (with every relay address)."""
    people = [
        NewParticipant(p.role.strip().lower(), p.display_name.strip(), p.address.strip().lower())
        for p in participants
    ]
    if len(people) < 2:
        raise ConversationError("a thread needs at least two participants")
    if len({p.address for p in people}) != len(people):
        raise ConversationError("each participant needs a different address")
    thread, rows = create_thread(
        engine,
        thread_id=f"th_{random_token(8)}",
        subject=subject.replace("\r", " ").replace("\n", " "),
        participants=people,
        new_local=lambda p: new_relay_local(p.display_name),
        external_ref=external_ref,
        actor=actor,
    )
    return thread_json(relay, thread, rows, default_stage=default_stage)


def thread_json(
    relay: RelayDomain, thread, people, *, default_stage: str = "inquiry"
) -> dict[str, Any]:
    """A thread and its participants (real and relay addresses) as plain data.

    A thread without a stage of its own is in `[policy] default_stage`: shown as such."""
    return {
        "id": thread.id,
        "subject": thread.subject,
        "status": thread.status,
        "stage": thread.stage or default_stage,
        "external_ref": thread.external_ref,
        "created_at": thread.created_at.isoformat(),
        "participants": [
            {
                "role": p.role,
                "name": p.display_name,
                "address": p.address,
                "relay_address": relay.relay_address(p.relay_local),
            }
            for p in people
        ],
    }
