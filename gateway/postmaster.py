"""postmaster@ and abuse@ the relay domain: accepted, archived, handed to the support mailbox.

RFC 5321 4.5.1 requires every SMTP server to accept mail for "postmaster" (with or without the
domain), and RFC 2142 names abuse@ as the address for complaints. Such mail is not part of any
conversation, so it skips the relay pipeline (no participant check, no scan-based refusal: a
complaint quoting spam must arrive) and is stored in a system thread of its own, `postmaster`,
with one delivery to `[relay] postmaster` when that is set. The copy is the received message
as is, with Resent-* headers naming the gateway (RFC 5322 3.6.6) and the loop trace on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import format_datetime

import structlog

from gateway.addresses import random_token
from gateway.errors import TryLater
from gateway.limits import header_block
from gateway.loops import relay_passes, trace_lines
from gateway.services import Services
from storage.abuse import ensure_system_thread
from storage.archive import MessageRecord, OutgoingRecord, store_message
from storage.models import utcnow

log = structlog.get_logger("gateway.postmaster")

LOCAL_PARTS = frozenset({"postmaster", "abuse"})
THREAD_ID = "postmaster"
THREAD_SUBJECT = "Mail to postmaster@ and abuse@ the relay domain"


@dataclass(frozen=True)
class PostmasterTarget:
    """An RCPT to postmaster@ or abuse@ the relay domain (or the bare "postmaster")."""

    address: str


def target(services: Services, address: str) -> PostmasterTarget | None:
    """A PostmasterTarget when `address` is one of the role addresses, in any letter case."""
    plain = address.strip().strip("<>")
    if plain.lower() == "postmaster":  # RFC 5321 4.1.1.3: "<Postmaster>" without a domain
        return PostmasterTarget(f"postmaster@{services.relay.domain}")
    local = services.relay.local_part(plain)
    if local in LOCAL_PARTS:
        return PostmasterTarget(f"{local}@{services.relay.domain}")
    return None


async def receive(
    services: Services, targets: list[PostmasterTarget], content: bytes, *, envelope: dict
) -> str:
    """Archive the message in the postmaster thread with its delivery; the SMTP reply."""
    support = services.settings.relay.postmaster
    outgoing = []
    if support:
        token = random_token()
        outgoing.append(
            OutgoingRecord(
                recipient=support,
                recipient_id=None,
                envelope_from=services.relay.bounce_address(token),
                verp_token=token,
                data=_resent(services, content, targets, support),
                relayed_message_id="",
            )
        )
    record = MessageRecord(
        thread_id=THREAD_ID,
        raw=content,
        kind="postmaster",
        status="accepted",
        action="deliver",
        decision={
            "action": "deliver",
            "reasons": [
                f"mail to {', '.join(t.address for t in targets)}",
                f"forwarded to {support}" if support else "archived only: [relay] postmaster unset",
            ],
            "rule": "postmaster",
        },
        **envelope,
    )
    db = services.db
    try:
        await db.run(ensure_system_thread, db.engine, THREAD_ID, THREAD_SUBJECT)
        message_id = await db.run(store_message, db.engine, record, outgoing)
    except Exception as exc:
        log.exception("storing postmaster mail failed")
        raise TryLater(
            "451 4.3.0 Temporary failure storing the message; please try again later"
        ) from exc
    if outgoing:
        services.outbox_wakeup.set()
    log.info("postmaster mail", message_id=message_id, forwarded=bool(outgoing))
    return f"250 2.0.0 Ok: queued as {message_id} for the postmaster"


def _resent(services: Services, content: bytes, targets: list, support: str) -> bytes:
    """The received bytes with the loop trace and Resent-* headers on top."""
    domain = services.relay.domain
    passes = relay_passes(header_block(content, services.settings.limits.max_headers), domain)
    resent = (
        f"Resent-From: {services.relay.noreply_address}\r\n"
        f"Resent-To: {support}\r\n"
        f"Resent-Date: {format_datetime(utcnow())}\r\n"
        f"Resent-Message-ID: <{random_token(15)}@{domain}>\r\n"
        f"X-Relay-Postmaster: {', '.join(t.address for t in targets)}\r\n"
    ).encode()
    return trace_lines(passes, domain) + resent + content
