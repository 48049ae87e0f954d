"""Helpers for the record tests (ledger, export, retention, erasure): a thread with a few messages.

Messages are stored through the real archive API (storage.archive.store_message), so every
ledger entry, seal and content hash is the one the gateway writes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text

from storage import archive, migrate
from storage.archive import MessageRecord, OutgoingRecord
from storage.db import make_engine
from storage.models import utcnow
from storage.threads import NewParticipant, create_thread

RAW = (
    "From: Ann Lee <ann@example.org>\r\nTo: bo.x@relay.gigbridge.io\r\n"
    "Subject: Logo round {i}\r\nMessage-ID: <m{i}@example.org>\r\n\r\n"
    "Here is round {i} of the logo. Call me on +1 415 555 26{i:02d}.\r\n"
)


@dataclass
class Stored:
    """What `fill_thread` stored: message ids and their delivery ids, in order."""

    thread_id: str
    messages: list[int]
    deliveries: list[list[int]]


def migrated_engine(url: str):
    """A migrated engine on the given (empty) database."""
    engine = make_engine(url, synchronous="NORMAL")
    migrate.upgrade(engine)
    return engine


def new_thread(engine, thread_id: str = "th_rec", people: int = 3) -> str:
    """A thread with a client and one or two freelancers."""
    names = [("client", "Ann Lee", "ann@example.org"), ("freelancer", "Bo Chen", "bo@example.net")]
    names.append(("freelancer", "Cy Diaz", "cy@example.com"))
    create_thread(
        engine,
        thread_id=thread_id,
        subject="Logo",
        participants=[NewParticipant(*n) for n in names[:people]],
        new_local=lambda p: f"{p.display_name.split()[0].lower()}.{thread_id}",
    )
    return thread_id


def fill_thread(
    engine, thread_id: str, count: int = 3, *, start: datetime | None = None, kind: str = "inbound"
) -> Stored:
    """`count` messages (each with a finding and two outgoing copies), one day apart."""
    start = start or utcnow() - timedelta(days=count)
    stored = Stored(thread_id, [], [])
    for i in range(count):
        raw = RAW.format(i=i).encode()
        record = MessageRecord(
            thread_id=thread_id,
            raw=raw,
            kind=kind,
            received_at=start + timedelta(days=i),
            mail_from="ann@example.org",
            rcpt_tos=("bo.x@relay.gigbridge.io",),
            subject=f"Logo round {i}",
            action="flag",
            decision={"action": "flag", "reasons": [f"contact/phone {i}"], "rule": "contact"},
            findings=(
                {
                    "category": "contact",
                    "kind": "phone",
                    "text": f"+1 415 555 26{i:02d}",
                    "start": 50,
                    "end": 65,
                    "part": "body.1",
                    "confidence": 0.9,
                    "detector": "phones/1",
                },
            ),
        )
        copies = [
            OutgoingRecord(
                who,
                None,
                f"bounces+{token}@relay.gigbridge.io",
                token,
                raw.replace(b"ann@example.org", b"ann.x@relay.gigbridge.io") + who.encode(),
                f"<r{i}@relay.gigbridge.io>",
                status="delivered",
            )
            for who in ("bo@example.net", "cy@example.com")
            for token in [secrets.token_hex(8)]
        ]
        mid = archive.store_message(engine, record, copies)
        stored.messages.append(mid)
        stored.deliveries.append([d.id for d in archive.deliveries_of(engine, mid)])
    return stored


def sql(engine, statement: str, **params) -> None:
    """Tamper with the database directly, as someone with database access would."""
    with engine.begin() as conn:
        conn.execute(text(statement), params)
