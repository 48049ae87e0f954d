"""Notices the gateway writes to a participant, from templates/notices/.

Two families: delivery failed (the worker), and policy notices: hold, release, reject and redact
to the sender (optionally redact to the recipient), saying what happened, which rule and which
words, and where to get help. Policy notices are rate-limited per sender address and never sent
in answer to automatic mail (null sender, Auto-Submitted, Precedence bulk/junk/list, our own
addresses), so no two systems can keep notifying each other.

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
    services,
    sender: Person,
    subject: str,
    text: str,
    message_id: str,
    in_reply_to: str,
    title: str = "Undelivered",
) -> bytes:
    """The notice's bytes, DKIM-signed like every outgoing message."""
    message = EmailMessage()
    message["From"] = formataddr((services.settings.platform.name, services.relay.noreply_address))
    message["To"] = sender.address
    message["Subject"] = clean(f"{title}: {subject}")[:900]
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    message["Auto-Submitted"] = "auto-replied"
    message.set_content(text)
    data = mime.serialize(message)
    return services.signer.sign(data) if services.signer else data


NOTICE_TITLES = {
    "hold": "Held for review",
    "release": "Released",
    "reject": "Not delivered",
    "redact": "Delivered with parts removed",
}
_AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list"}


def is_automatic(message: EmailMessage, mail_from: str, services: Services) -> bool:
    """True for mail a notice must never answer (RFC 3834 section 2): it could start a loop."""
    if mail_from.strip("<> ") == "":  # null sender: a bounce, or another system's notice
        return True
    auto = str(message.get("auto-submitted", "") or "").strip().lower()
    if auto and auto != "no":
        return True
    if str(message.get("precedence", "") or "").strip().lower() in _AUTOMATIC_PRECEDENCE:
        return True
    if message.get("list-id") or message.get("x-autoreply") or message.get("x-autorespond"):
        return True
    relay = services.relay
    return mail_from.lower() in {relay.noreply_address.lower()} or bool(
        relay.bounce_token(mail_from)
    )


def policy_notice(
    services: Services,
    *,
    event: str,
    thread: ThreadInfo,
    to: Person,
    recipient: Person,
    sender: Person | None = None,
    subject: str,
    in_reply_to: str,
    rule: str,
    words: list[str],
    categories: list[str],
    reason: str = "",
    about_message: int | None = None,
    template: str | None = None,
) -> tuple[MessageRecord, OutgoingRecord]:
    """The archived notice and its outbox row telling `to` what the policy did to a message.

    `recipient` is who the message was for; `sender` who wrote it (for recipient notices).
    """
    platform = services.settings.platform
    name = template or f"notices/{event}.txt.j2"
    text = (
        _environment(services)
        .get_template(name)
        .render(
            platform={"name": platform.name, "support_url": platform.support_url},
            thread={"id": thread.id, "subject": thread.subject},
            recipient=_person(recipient),
            sender=_person(sender or to),
            subject=subject,
            event=event,
            rule=rule,
            reason=reason,
            words=words,
            categories=categories,
        )
    )
    title = NOTICE_TITLES.get(event, "Notice")
    message_id = f"<{random_token(15)}@{services.relay.domain}>"
    data = _compose(services, to, subject, text, message_id, in_reply_to, title=title)
    record = MessageRecord(
        thread_id=thread.id,
        raw=data,
        kind="notice",
        subject=f"{title}: {subject}",
        relayed_message_id=message_id,
        decision={
            "action": "deliver",
            "reasons": [f"{event} notice"],
            "rule": "notice",
            "notice": {"event": event, "about_message": about_message, "template": name},
        },
    )
    outgoing = OutgoingRecord(
        recipient=to.address,
        recipient_id=to.id,
        envelope_from="",
        verp_token=random_token(),
        data=data,
        relayed_message_id=message_id,
    )
    return record, outgoing


def _person(person: Person) -> dict:
    """A participant as notice templates see one (relay identity only)."""
    return {"name": person.label, "role": person.role, "relay_address": person.relay_address}
