"""Notices the gateway writes to a participant (delivery failed...), from templates/notices/.

A notice is archived like any message and goes through the outbox. It is sent with the null
envelope sender (`MAIL FROM:<>`, RFC 5321 4.5.5) and `Auto-Submitted: auto-replied` (RFC 3834), so
no mail system answers it and notices can never loop. It names people only by their relay
identity and reports upstream failures by status code only: an upstream's reply text can quote
the recipient's real address.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

import jinja2

from gateway import mime
from gateway.addresses import random_token
from gateway.context import Person, ThreadInfo
from gateway.footer import FooterRenderer
from gateway.rewrite import clean
from gateway.services import Services
from storage.archive import MessageRecord, OutgoingRecord
from storage.models import utcnow

_CODES = re.compile(r"\b([245]\d\d)(?:[ -]([245]\.\d{1,3}\.\d{1,3}))?")


def safe_reason(response: str) -> str:
    """A failure reason built from status codes only (no upstream text, which may leak)."""
    match = _CODES.search(response or "")
    if not match:
        return "the recipient's mail system could not be reached for too long"
    code = " ".join(filter(None, match.groups()))
    return f"the recipient's mail system refused it permanently (status {code})"


def _environment(services: Services) -> jinja2.Environment:
    """The footer renderer's template environment (admins' folder first), reused for notices."""
    renderer: FooterRenderer = services.footers
    return renderer.env


def failure_notice(
    services: Services,
    *,
    thread: ThreadInfo,
    sender: Person,
    recipient: Person,
    subject: str,
    in_reply_to: str,
    response: str,
) -> tuple[MessageRecord, OutgoingRecord]:
    """The archived notice and its outbox row, telling `sender` that a delivery failed."""
    platform = services.settings.platform
    text = (
        _environment(services)
        .get_template("notices/delivery_failed.txt.j2")
        .render(
            platform={"name": platform.name, "support_url": platform.support_url},
            thread={"id": thread.id, "subject": thread.subject},
            recipient={
                "name": recipient.label,
                "role": recipient.role,
                "relay_address": recipient.relay_address,
            },
            subject=subject,
            reason=safe_reason(response),
        )
    )
    message_id = f"<{random_token(15)}@{services.relay.domain}>"
    data = _compose(services, sender, subject, text, message_id, in_reply_to)
    record = MessageRecord(
        thread_id=thread.id,
        raw=data,
        kind="notice",
        subject=f"Undelivered: {subject}",
        relayed_message_id=message_id,
        decision={"action": "deliver", "reasons": ["delivery failed notice"], "rule": "notice"},
    )
    outgoing = OutgoingRecord(
        recipient=sender.address,
        recipient_id=sender.id,
        envelope_from="",
        verp_token=random_token(),
        data=data,
        relayed_message_id=message_id,
    )
    return record, outgoing


def _compose(
    services, sender: Person, subject: str, text: str, message_id: str, in_reply_to: str
) -> bytes:
    """The notice's bytes, DKIM-signed like every outgoing message."""
    message = EmailMessage()
    message["From"] = formataddr((services.settings.platform.name, services.relay.noreply_address))
    message["To"] = sender.address
    message["Subject"] = clean(f"Undelivered: {subject}")[:900]
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    message["Auto-Submitted"] = "auto-replied"
    message.set_content(text)
    data = mime.serialize(message)
    return services.signer.sign(data) if services.signer else data
