"""Delivery status notifications (RFC 3464) that come back to our VERP bounce addresses.

The VERP token in `bounces+<token>@<relay domain>` names the exact delivery, so a DSN needs no
guessing: an `Action: failed` report marks that delivery bounced and notifies its sender. Every
DSN is archived in the delivery's thread. Reports that are not failures (delayed, relayed) and
mail that is not a DSN at all (an auto-reply to the envelope sender) are archived only.
"""

from __future__ import annotations

from email.message import EmailMessage

import structlog

from gateway import mime
from gateway.delivery import build_failure_notice
from gateway.directory import BounceTarget
from gateway.errors import TryLater
from gateway.services import Services
from storage import outbox
from storage.archive import MessageRecord, store_message

log = structlog.get_logger("gateway.bounces")


def failure_status(message: EmailMessage) -> str | None:
    """The Status of the first `Action: failed` recipient block of a DSN, else None."""
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in part.get_payload() or []:
            if str(block.get("action", "")).strip().lower() == "failed":
                return str(block.get("status", "5.0.0")).strip() or "5.0.0"
    return None


async def receive(services: Services, targets: list, content: bytes) -> str:
    """Archive a DSN, mark failed deliveries bounced, and reply to the sending MTA."""
    message = mime.parse(content)
    status = failure_status(message)
    db = services.db
    try:
        for target in (t for t in targets if isinstance(t, BounceTarget)):
            found = await db.run(outbox.find_by_token, db.engine, target.token)
            if found is None:
                continue
            delivery, original = found
            await db.run(
                store_message,
                db.engine,
                MessageRecord(
                    thread_id=original.thread_id,
                    raw=content,
                    kind="dsn",
                    status="archived",
                    action="deliver",
                    decision={"dsn_status": status or "", "delivery_id": delivery.id},
                ),
                [],
            )
            if status and status.startswith("5") and delivery.status in {"queued", "delivered"}:
                notice = await build_failure_notice(services, delivery, f"550 {status}")
                await db.run(
                    outbox.mark_failed,
                    db.engine,
                    delivery.id,
                    None,
                    f"DSN {status}",
                    status="bounced",
                    notice=notice,
                )
                services.outbox_wakeup.set()
                log.info("bounce recorded", delivery_id=delivery.id, status=status)
    except Exception as exc:
        log.exception("storing a DSN failed")
        raise TryLater(
            "451 4.3.0 Temporary failure storing the report; please try again later"
        ) from exc
    return "250 2.0.0 Ok: report received"
