"""DSNs (RFC 3464) in the shapes Postfix and Exim send, matched to their delivery by VERP token.

The report texts follow what Postfix 3.x (bounce(8) templates) and Exim 4.9x write, including
their per-message fields (X-Postfix-Queue-ID, Arrival-Date), folded Diagnostic-Code lines and
the returned original message.
"""

from __future__ import annotations

import email.policy
from email import message_from_bytes

from gateway import bounces, mime
from storage import archive
from tests.conftest import asend, eventually, new_conversation

BODY = "From: Ann Lee <ann@example.org>\nTo: {to}\nSubject: Files\nMessage-ID: <a1@example.org>\n\nhere\n"


def postfix_dsn(verp: str, recipient: str, action: str = "failed", status: str = "5.1.1") -> str:
    boundary = "3F1B2C0A12.1700000000/mx.example.net"
    return f"""Return-Path: <>
Received: by mx.example.net (Postfix) id 3F1B2C0A12; Tue, 14 Nov 2023 10:00:05 +0000 (UTC)
Date: Tue, 14 Nov 2023 10:00:05 +0000 (UTC)
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: {verp}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{boundary}"
Content-Transfer-Encoding: 8bit
Message-Id: <20231114100005.3F1B2C0A12@mx.example.net>

This is a MIME-encapsulated message.

--{boundary}
Content-Description: Notification
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

This is the mail system at host mx.example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<{recipient}>: host mail.example.net[192.0.2.1] said: 550 5.1.1
    <{recipient}>: Recipient address rejected: User unknown in local recipient
    table (in reply to RCPT TO command)

--{boundary}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
X-Postfix-Queue-ID: 3F1B2C0A12
X-Postfix-Sender: rfc822; {verp}
Arrival-Date: Tue, 14 Nov 2023 10:00:00 +0000 (UTC)

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Remote-MTA: dns; mail.example.net
Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected:
    User unknown in local recipient table

--{boundary}
Content-Description: Undelivered Message
Content-Type: message/rfc822
Content-Transfer-Encoding: 8bit

From: "Ann Lee via GigBridge" <ann@relay.gigbridge.io>
Subject: Files

here

--{boundary}--
"""


def exim_dsn(verp: str, recipients: list[tuple[str, str, str]]) -> str:
    """Exim's multipart/report with several recipient blocks: (address, action, status)."""
    boundary = "1700000000-eximdsn-1804289383"
    blocks = "\n".join(
        f"Action: {action}\nFinal-Recipient: rfc822;{address}\nStatus: {status}\n"
        f"Remote-MTA: dns; mail.example.net\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n"
        + ("Will-Retry-Until: Thu, 16 Nov 2023 10:00:00 +0000\n" if action == "delayed" else "")
        for address, action, status in recipients
    )
    return f"""Return-path: <>
From: Mail Delivery System <Mailer-Daemon@mx.exim.example>
To: {verp}
Content-Type: multipart/report; report-type=delivery-status; boundary={boundary}
MIME-Version: 1.0
Subject: Mail delivery failed: returning message to sender
Message-Id: <E1r2abc-0001Xy-Ab@mx.exim.example>
Date: Tue, 14 Nov 2023 10:00:05 +0000
Auto-Submitted: auto-replied

--{boundary}
Content-type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  someone@example.net
    host mail.example.net [192.0.2.1]
    SMTP error from remote mail server after RCPT TO:<someone@example.net>:
    550 5.1.1 User unknown

--{boundary}
Content-type: message/delivery-status

Reporting-MTA: dns; mx.exim.example

{blocks}
--{boundary}
Content-type: text/rfc822-headers

From: "Ann Lee via GigBridge" <ann@relay.gigbridge.io>
Subject: Files

--{boundary}--
"""


def parsed(text: str):
    return mime.parse(text.replace("\n", "\r\n").encode())


def test_postfix_report_is_read_per_recipient():
    (report,) = bounces.reports(parsed(postfix_dsn("b+t@r.example", "bo@example.net")))
    assert report.action == "failed"
    assert report.status == "5.1.1"
    assert report.final_recipient == "bo@example.net"
    assert report.original_recipient == "bo@example.net"
    assert "User unknown in local recipient table" in report.diagnostic


def test_exim_report_with_several_recipients_is_matched_to_the_right_one():
    found = bounces.reports(
        parsed(
            exim_dsn(
                "b+t@r.example",
                [("cy@example.com", "failed", "5.1.1"), ("Bo@Example.net", "delayed", "4.0.0")],
            )
        )
    )
    assert [(r.final_recipient, r.action) for r in found] == [
        ("cy@example.com", "failed"),
        ("bo@example.net", "delayed"),
    ]
    assert bounces.report_for(found, "bo@example.net").action == "delayed"
    assert bounces.report_for(found, "cy@example.com").status == "5.1.1"


def test_mail_that_is_no_report_has_no_blocks():
    assert bounces.reports(parsed("From: a@b.c\nSubject: I am on holiday\n\nback soon\n")) == []


async def _relayed(relay, sink):
    """Ann -> Bo, delivered to the sink; returns (conversation, VERP address)."""
    conv = new_conversation(relay.engine)
    assert (await asend(relay, "ann@example.org", [conv.bo], BODY.format(to=conv.bo)))[0] == 250
    await sink.wait_for(1)
    return conv, sink.received[0][0]


def _dsn_rows(engine, thread_id):
    return [m for m in archive.messages_of(engine, thread_id) if m.kind == "dsn"]


def _delivery(engine, thread_id):
    (first, *_) = archive.messages_of(engine, thread_id)
    (delivery,) = archive.deliveries_of(engine, first.id)
    return delivery


async def test_postfix_bounce_marks_the_delivery_bounced_and_notifies_ann(relay, sink):
    conv, verp = await _relayed(relay, sink)
    code, text = await asend(relay, "", [verp], postfix_dsn(verp, "bo@example.net"))
    assert code == 250, text
    await sink.wait_for(2)
    assert sink.received[1][1] == ["ann@example.org"]
    notice = message_from_bytes(sink.received[1][2], policy=email.policy.default)
    assert "5.1.1" in notice.get_body(("plain",)).get_content()
    await eventually(lambda: _delivery(relay.engine, conv.thread_id).status == "bounced")
    (dsn,) = _dsn_rows(relay.engine, conv.thread_id)
    assert dsn.decision["dsn_action"] == "failed"
    assert dsn.decision["report"]["final_recipient"] == "bo@example.net"


async def test_exim_delay_warning_is_archived_only(relay, sink):
    conv, verp = await _relayed(relay, sink)
    dsn = exim_dsn(verp, [("bo@example.net", "delayed", "4.0.0")])
    assert (await asend(relay, "", [verp], dsn))[0] == 250
    (row,) = _dsn_rows(relay.engine, conv.thread_id)
    assert row.decision["dsn_action"] == "delayed"
    assert _delivery(relay.engine, conv.thread_id).status == "delivered"
    assert len(sink.received) == 1  # no notice for a delay


async def test_exim_failure_for_our_recipient_among_others(relay, sink):
    conv, verp = await _relayed(relay, sink)
    dsn = exim_dsn(
        verp, [("someone@example.com", "delivered", "2.0.0"), ("bo@example.net", "failed", "5.1.1")]
    )
    assert (await asend(relay, "", [verp], dsn))[0] == 250
    await eventually(lambda: _delivery(relay.engine, conv.thread_id).status == "bounced")


async def test_postfix_queue_expiry_4_4_7_failed_is_a_bounce(relay, sink):
    conv, verp = await _relayed(relay, sink)
    dsn = postfix_dsn(verp, "bo@example.net", status="4.4.7")
    assert (await asend(relay, "", [verp], dsn))[0] == 250
    await eventually(lambda: _delivery(relay.engine, conv.thread_id).status == "bounced")
    await sink.wait_for(2)
    text = message_from_bytes(sink.received[1][2], policy=email.policy.default)
    assert "could not be reached" in text.get_body(("plain",)).get_content()


async def test_an_auto_reply_to_the_bounce_address_is_archived_not_a_bounce(relay, sink):
    """A vacation responder answering the envelope sender reaches the VERP address: archived."""
    conv, verp = await _relayed(relay, sink)
    reply = "From: bo@example.net\nSubject: Out of office\nAuto-Submitted: auto-replied\n\nAway.\n"
    assert (await asend(relay, "bo@example.net", [verp], reply))[0] == 250
    (row,) = _dsn_rows(relay.engine, conv.thread_id)
    assert row.decision["dsn_action"] == "not a delivery report"
    assert _delivery(relay.engine, conv.thread_id).status == "delivered"
