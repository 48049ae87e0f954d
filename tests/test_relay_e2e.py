"""End to end: a real client sends to the gateway, which archives, rewrites, signs and delivers
to a real upstream SMTP sink. Each test checks the reply, the delivered bytes and the archive."""

from __future__ import annotations

import email
import email.policy
import re

import dkim

from storage import archive
from tests.conftest import asend, eventually, new_conversation

PLAIN = """\
From: Ann Lee <ann@example.org>
To: Bo via GigBridge <{to}>
Cc: someone-else@outside.example.com
Subject: Logo draft
Date: Tue, 24 Nov 2026 10:00:00 +0000
Message-ID: <ann-1@mail.example.org>
Received: from laptop (1.2.3.4) by mail.example.org
X-Mailer: AnnMail 1.0
Content-Type: text/plain; charset=utf-8

Hi Bo, here is the draft.
On Monday, Ann Lee <ann@example.org> wrote:
> earlier text
"""


def dns_for(record: str):
    """A DNS lookup function for dkimpy that knows only our test key (no network)."""

    def lookup(name: bytes, timeout: float = 5) -> bytes:
        return record.encode() if name == b"test._domainkey.relay.gigbridge.io." else b""

    return lookup


async def test_message_is_rewritten_signed_archived_and_delivered(relay, sink, dkim_key):
    """A relayed message arrives rewritten, with footer and valid DKIM, leaking no real address."""
    conv = new_conversation(relay.engine)
    code, text = await asend(relay, "ann@example.org", [conv.bo], PLAIN.format(to=conv.bo))
    assert code == 250, text
    await sink.wait_for(1)
    mail_from, rcpts, data = sink.received[0]
    assert rcpts == ["bo@example.net"]
    assert re.fullmatch(r"bounces\+[a-z2-7]+@relay\.gigbridge\.io", mail_from)
    assert b"ann@example.org" not in data
    assert b"bo@example.net" not in data
    assert b"1.2.3.4" not in data
    assert b"AnnMail" not in data
    assert dkim.verify(data, dnsfunc=dns_for(dkim_key[1]))
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message["From"].addresses[0].addr_spec == conv.ann
    assert message["Reply-To"].addresses[0].addr_spec == conv.ann
    assert "Ann Lee via GigBridge" in str(message["From"])
    assert [a.addr_spec for a in message["To"].addresses] == [conv.bo]
    assert message["Cc"] is None  # the outside address was dropped
    assert message["Message-ID"].endswith("@relay.gigbridge.io>")
    body = message.get_body(("plain",)).get_content()
    assert f"Ann Lee <{conv.ann}> wrote" in body
    assert "kept by GigBridge as its support" in " ".join(body.split())
    rows = archive.messages_of(relay.engine, conv.thread_id)
    assert len(rows) == 1
    assert rows[0].raw == PLAIN.format(to=conv.bo).replace("\n", "\r\n").encode()
    deliveries = await eventually(
        lambda: [
            d for d in archive.deliveries_of(relay.engine, rows[0].id) if d.status == "delivered"
        ]
    )
    assert deliveries[0].outgoing == data
    assert rows[0].decision["dropped_addresses"] == ["someone-else@outside.example.com"]


def reply_from_bo(to: str, in_reply_to: str, msgid: str = "<bo-1@mail.example.net>") -> str:
    """Bo's mail program answering the message it received (it only knows relayed ids)."""
    return (
        f"From: Bo Chen <bo@example.net>\nTo: {to}\nSubject: Re: Logo draft\n"
        f"Message-ID: {msgid}\nIn-Reply-To: {in_reply_to}\nReferences: {in_reply_to}\n\nLooks good!\n"
    )


async def test_replies_thread_on_both_sides(relay, sink):
    """In-Reply-To/References are mapped to the ids each side's mail program actually saw."""
    conv = new_conversation(relay.engine)
    assert (await asend(relay, "ann@example.org", [conv.bo], PLAIN.format(to=conv.bo)))[0] == 250
    await sink.wait_for(1)
    first = email.message_from_bytes(sink.received[0][2], policy=email.policy.default)
    relayed_1 = first["Message-ID"]
    assert relayed_1 != "<ann-1@mail.example.org>"

    code, _ = await asend(relay, "bo@example.net", [conv.ann], reply_from_bo(conv.ann, relayed_1))
    assert code == 250
    await sink.wait_for(2)
    to_ann = email.message_from_bytes(sink.received[1][2], policy=email.policy.default)
    assert sink.received[1][1] == ["ann@example.org"]
    assert to_ann["In-Reply-To"] == "<ann-1@mail.example.org>"  # Ann's own original id
    assert to_ann["References"] == "<ann-1@mail.example.org>"
    relayed_2 = to_ann["Message-ID"]

    answer = (
        f"From: ann@example.org\nTo: {conv.bo}\nSubject: Re: Re: Logo draft\n"
        f"Message-ID: <ann-2@mail.example.org>\nIn-Reply-To: {relayed_2}\n"
        f"References: <ann-1@mail.example.org> {relayed_2} <unknown@elsewhere.example>\n\nThanks\n"
    )
    assert (await asend(relay, "ann@example.org", [conv.bo], answer))[0] == 250
    await sink.wait_for(3)
    to_bo = email.message_from_bytes(sink.received[2][2], policy=email.policy.default)
    assert to_bo["In-Reply-To"] == "<bo-1@mail.example.net>"  # Bo's own original id
    assert to_bo["References"].split() == [relayed_1, "<bo-1@mail.example.net>"]


async def test_header_injection_through_encoded_subject_is_impossible(relay, sink):
    """An encoded CR/LF in the Subject cannot add a header line to the delivered message."""
    conv = new_conversation(relay.engine)
    data = (
        f"From: ann@example.org\nTo: {conv.bo}\n"
        "Subject: =?utf-8?q?Hello=0D=0ABcc:_x@evil.example?=\n\nbody\n"
    )
    assert (await asend(relay, "ann@example.org", [conv.bo], data))[0] == 250
    await sink.wait_for(1)
    delivered = sink.received[0][2]
    head = delivered.split(b"\r\n\r\n", 1)[0]
    assert not re.search(rb"^Bcc:", head, re.M | re.I)
    parsed = email.message_from_bytes(delivered, policy=email.policy.default)
    assert parsed["Bcc"] is None
    assert "Hello" in str(parsed["Subject"])


async def test_several_relay_recipients_in_one_transaction(relay, sink):
    """One message to two participants' relay addresses yields one rewritten copy for each."""
    from gateway.addresses import RelayDomain, new_relay_local
    from storage.threads import NewParticipant, create_thread

    _thread, people = create_thread(
        relay.engine,
        thread_id="th_three",
        subject="Team",
        participants=[
            NewParticipant("client", "Ann Lee", "ann@example.org"),
            NewParticipant("freelancer", "Bo Chen", "bo@example.net"),
            NewParticipant("freelancer", "Cy Diaz", "cy@example.com"),
        ],
        new_local=lambda p: new_relay_local(p.display_name),
    )
    domain = RelayDomain("relay.gigbridge.io")
    bo, cy = (domain.relay_address(p.relay_local) for p in people[1:])
    data = f"From: ann@example.org\nTo: {bo}, {cy}\nSubject: Kickoff\n\nHello both\n"
    assert (await asend(relay, "ann@example.org", [bo, cy], data))[0] == 250
    await sink.wait_for(2)
    assert sorted(r[1][0] for r in sink.received) == ["bo@example.net", "cy@example.com"]
    for _, _, delivered in sink.received:
        parsed = email.message_from_bytes(delivered, policy=email.policy.default)
        assert sorted(a.addr_spec for a in parsed["To"].addresses) == sorted([bo, cy])
        assert b"@example.net" not in delivered
        assert b"cy@example.com" not in delivered


async def test_smtputf8_message_is_relayed(relay, sink):
    """An internationalised message (SMTPUTF8, 8-bit headers and body) is accepted and relayed."""
    conv = new_conversation(relay.engine)
    data = (
        f"From: Ann Lée <ann@example.org>\nTo: {conv.bo}\nSubject: Entwurf für Bö\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nGrüße, Ann\n"
    ).encode()
    code, text = await asend(
        relay,
        "ann@example.org",
        [conv.bo],
        data.replace(b"\n", b"\r\n"),
        mail_options=["SMTPUTF8", "BODY=8BITMIME"],
    )
    assert code == 250, text
    await sink.wait_for(1)
    parsed = email.message_from_bytes(sink.received[0][2], policy=email.policy.default)
    assert str(parsed["Subject"]) == "Entwurf für Bö"
    assert "Grüße, Ann" in parsed.get_body(("plain",)).get_content()


FORWARD = """\
From: ann@example.org
To: {to}
Subject: Fwd: brief
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: text/plain

See the forwarded brief and my notes.
--outer
Content-Type: text/plain; name="notes.txt"
Content-Disposition: attachment; filename="notes.txt"

Contacts: Ann Lee <ANN@example.org>, Bo <bo@example.net>
--outer
Content-Type: message/rfc822

From: Ann Lee <ann@example.org>
To: Bo Chen <bo@example.net>
Subject: brief
Message-ID: <old@example.org>

Original brief from ann@example.org.
--outer
Content-Type: image/png
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="logo.png"

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==
--outer--
"""


async def test_real_addresses_in_attachments_and_forwarded_mail_are_replaced(relay, sink):
    """No leak through a text attachment or a forwarded message's headers; binary parts intact."""
    conv = new_conversation(relay.engine)
    assert (await asend(relay, "ann@example.org", [conv.bo], FORWARD.format(to=conv.bo)))[0] == 250
    await sink.wait_for(1)
    delivered = sink.received[0][2]
    assert b"ann@example.org" not in delivered.lower()
    assert b"bo@example.net" not in delivered.lower()
    parsed = email.message_from_bytes(delivered, policy=email.policy.default)
    parts = {p.get_filename(): p for p in parsed.walk() if p.get_filename()}
    assert conv.ann in parts["notes.txt"].get_content()
    (forwarded,) = [p for p in parsed.walk() if p.get_content_type() == "message/rfc822"]
    inner = forwarded.get_payload()[0]
    assert inner["From"].addresses[0].addr_spec == conv.ann
    assert inner["Message-ID"] == "<old@example.org>"
    original = email.message_from_string(FORWARD.format(to=conv.bo), policy=email.policy.default)
    png = next(p for p in original.walk() if p.get_filename() == "logo.png")
    assert parts["logo.png"].get_payload(decode=True) == png.get_payload(decode=True)
