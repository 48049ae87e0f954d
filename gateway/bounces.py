"""Delivery status notifications (RFC 3464) that come back to our VERP bounce addresses.

The VERP token in `bounces+<token>@<relay domain>` names the exact delivery, so a DSN needs no
guessing about *which* message failed. The report itself says *what* happened, per recipient:
a `message/delivery-status` part inside `multipart/report` (RFC 6522) holds one per-message
block and one block per recipient with `Action` (failed, delayed, delivered, relayed, expanded)
and `Status` (an RFC 3463 code). The block for the delivery's recipient is used (matched on
Final-Recipient or Original-Recipient); a report about one recipient only is taken as is.

- `Action: failed` marks the delivery `bounced` and tells its sender, whatever the status class
  (Postfix reports a message that expired in its queue as `failed` with `4.4.7`);
- `delayed`, `delivered`, `relayed`, `expanded` are archived only;
- mail that is no DSN at all (an autoresponder answering the envelope sender) is archived only.

Every report is archived in the delivery's thread as kind `dsn`, with what was read from it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
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


@dataclass(frozen=True)
class RecipientReport:
    """One per-recipient block of a delivery-status report."""

    action: str
    status: str
    final_recipient: str
    original_recipient: str
    diagnostic: str

    def names(self, address: str) -> bool:
        """True when this block is about `address` (compared case-insensitively)."""
        address = address.lower()
        return address in {self.final_recipient, self.original_recipient}


def _address(value: object) -> str:
    """ "rfc822; Bo@Example.net" -> "bo@example.net" (the address type is dropped)."""
    text = str(value or "")
    _, _, address = text.rpartition(";")
    return address.strip().strip("<>").lower()


def reports(message: EmailMessage) -> list[RecipientReport]:
    """Every per-recipient block of every message/delivery-status part (RFC 3464 2.3)."""
    found = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        blocks = payload if isinstance(payload, list) else []
        for block in blocks:
            action = str(block.get("action", "") or "").strip().lower()
            if not action:
                continue  # the per-message block (Reporting-MTA, Arrival-Date, ...)
            found.append(
                RecipientReport(
                    action=action,
                    status=str(block.get("status", "") or "").strip()[:16],
                    final_recipient=_address(block.get("final-recipient")),
                    original_recipient=_address(block.get("original-recipient")),
                    diagnostic=" ".join(str(block.get("diagnostic-code", "") or "").split())[:300],
                )
            )
    return found


def report_for(found: list[RecipientReport], recipient: str) -> RecipientReport | None:
    """The block about `recipient`; the only block when there is one; else the first failure."""
    for report in found:
        if report.names(recipient):
            return report
    if len(found) == 1:
        return found[0]
    return next((r for r in found if r.action == "failed"), None)


def failure_status(message: EmailMessage) -> str | None:
    """The Status of the first `Action: failed` recipient block of a DSN, else None."""
    failed = next((r for r in reports(message) if r.action == "failed"), None)
    return (failed.status or "5.0.0") if failed else None


async def receive(services: Services, targets: list, content: bytes) -> str:
    """Archive a DSN, mark failed deliveries bounced, and reply to the sending MTA."""
    found = reports(mime.parse(content))
    db = services.db
    try:
        for target in (t for t in targets if isinstance(t, BounceTarget)):
            located = await db.run(outbox.find_by_token, db.engine, target.token)
            if located is None:
                continue
            delivery, original = located
            report = report_for(found, delivery.recipient)
            await db.run(
                store_message,
                db.engine,
                MessageRecord(
                    thread_id=original.thread_id,
                    raw=content,
                    kind="dsn",
                    status="archived",
                    action="deliver",
                    decision={
                        "dsn_status": report.status if report else "",
                        "dsn_action": report.action if report else "not a delivery report",
                        "delivery_id": delivery.id,
                        "report": asdict(report) if report else None,
                    },
                ),
                [],
            )
            if report and report.action == "failed" and delivery.status in {"queued", "delivered"}:
                await _bounced(services, delivery, report.status or "5.0.0")
    except Exception as exc:
        log.exception("storing a DSN failed")
        raise TryLater(
            "451 4.3.0 Temporary failure storing the report; please try again later"
        ) from exc
    return "250 2.0.0 Ok: report received"


async def _bounced(services: Services, delivery, status: str) -> None:
    """Mark the delivery bounced and queue the sender's notice in one update."""
    db = services.db
    # A 4.x.x failure is a message that expired in the reporting MTA's queue.
    response = f"550 {status}" if status.startswith("5") else ""
    notice = await build_failure_notice(services, delivery, response)
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
