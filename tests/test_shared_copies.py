"""Copies of one message share their body until a footer makes them differ.

The rewrite stage edits the body once and every recipient's copy points at it; the footer stage
adds one footer per distinct rendering (a copy whose footer differs gets its own deep copy); the
sign stage serializes a shared body once. These tests run the real stages (parse .. sign) on a
thread of three people with two recipients and check what each recipient receives.
"""

from __future__ import annotations

import asyncio
import os
import re
import time

import dkim
import pytest

from gateway import limits, loops, mime
from gateway.context import Envelope, MessageContext, Person, ThreadInfo
from gateway.pipeline import run
from gateway.server import open_database
from gateway.services import Services
from gateway.stages import authenticate, decide, footer, parse, rewrite, scan, sign
from storage.models import utcnow
from storage.threads import NewParticipant, create_thread
from tests.conftest import make_settings

ANN = Person(1, "client", "Ann Lee", "ann@example.org", "ann.aaaaaaaaaaaaaaaa@relay.gigbridge.io")
BO = Person(2, "freelancer", "Bo Chen", "bo@example.net", "bo.bbbbbbbbbbbbbbbb@relay.gigbridge.io")
CY = Person(3, "freelancer", "Cy Diaz", "cy@example.com", "cy.cccccccccccccccc@relay.gigbridge.io")
THREAD = ThreadInfo("th_shared", "Logo design", "open", (ANN, BO, CY))
REAL = re.compile(rb"ann@example\.org|bo@example\.net|cy@example\.com", re.I)

MESSAGE = (
    "From: Ann Lee <ann@example.org>\r\n"
    f"To: Bo <{BO.relay_address}>\r\n"  # Cy is only in the envelope: her To differs
    "Subject: Files for both of you\r\n"
    "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
    "Message-ID: <m1@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: multipart/alternative; boundary="b1"\r\n'
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Hi both,  the sketches are ready.\r\n"
    "Mail me at ann@example.org if the platform is down.\r\n"
    "--b1\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<html><body><p>Hi both, write to ann@example.org</p></body></html>\r\n"
    "--b1--\r\n"
).encode()


def build(tmp_path, dkim_key, templates=None) -> Services:
    extra = {"templates": {"dir": str(templates)}} if templates else {}
    settings = make_settings(f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path, dkim_key[0], **extra)
    db = open_database(settings)
    create_thread(
        db.engine,
        thread_id=THREAD.id,
        subject=THREAD.subject,
        participants=[
            NewParticipant(p.role, p.display_name, p.address) for p in THREAD.participants
        ],
        new_local=lambda p: next(
            q.relay_address.split("@")[0] for q in THREAD.participants if q.address == p.address
        ),
    )
    return Services.build(settings, db=db)


def chain(services: Services) -> tuple:
    """The real stages, parse .. sign (one instance keeps its rendered footers)."""
    return (
        parse.Parse(services),
        limits.CheckMimeShape(services),
        authenticate.Authenticate(services),
        scan.Scan(services),
        decide.Decide(services),
        rewrite.Rewrite(services),
        footer.AddFooter(services),
        loops.StampTrace(services),
        sign.Sign(services, sign.SelfVerify(first=0, every=10**6)),
    )


def relay(services: Services, stages: tuple | None = None) -> MessageContext:
    ctx = MessageContext(
        queue_id="shared",
        envelope=Envelope(
            ANN.address, (BO.relay_address, CY.relay_address), "", "", False, False, utcnow()
        ),
        raw=MESSAGE,
        thread=THREAD,
        recipients=(BO, CY),
        sender=ANN,
        relayed_message_id="<relayed-1@relay.gigbridge.io>",
    )
    return asyncio.run(run(stages or chain(services), ctx))


def body_of(data: bytes) -> bytes:
    return data.split(b"\r\n\r\n", 1)[1]


def texts(data: bytes) -> list[str]:
    message = mime.parse(data)
    return [mime.part_text(p) for p in message.walk() if p.get_content_maintype() == "text"]


def verifies(services: Services, data: bytes) -> bool:
    record = services.signer.dns_txt.encode()
    return bool(dkim.verify(data, dnsfunc=lambda name, timeout=5: record))


@pytest.fixture
def services(tmp_path, dkim_key):
    built = build(tmp_path, dkim_key)
    yield built
    built.db.close()


def test_two_recipients_share_one_body_with_one_footer(services):
    ctx = relay(services)
    to_bo, to_cy = ctx.outgoing
    assert (to_bo.recipient, to_cy.recipient) == (BO, CY)
    assert body_of(to_bo.data) == body_of(to_cy.data)  # the same body bytes ...
    assert to_bo.data != to_cy.data  # ... under different headers and signatures
    for copy in (to_bo, to_cy):
        assert verifies(services, copy.data)
        assert not REAL.search(copy.data)
        plain, html = texts(copy.data)
        assert plain.count("\n-- \n") == 1  # the footer once, not once per recipient
        assert html.count("Sent by Ann Lee") == 1
        assert ANN.relay_address in plain


def test_a_footer_naming_the_recipient_gives_each_copy_its_own_body(tmp_path, dkim_key):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "footer.txt.j2").write_text("For {{ recipient.name }} only.\n")
    (templates / "footer.html.j2").write_text("<p>For {{ recipient.name }} only.</p>")
    services = build(tmp_path, dkim_key, templates)
    try:
        to_bo, to_cy = relay(services).outgoing
    finally:
        services.db.close()
    for copy, mine, other in ((to_bo, "Bo Chen", "Cy Diaz"), (to_cy, "Cy Diaz", "Bo Chen")):
        assert verifies(services, copy.data)
        assert not REAL.search(copy.data)
        plain, html = texts(copy.data)
        assert plain.count(f"For {mine} only.") == 1
        assert html.count(f"For {mine} only.") == 1
        assert other not in plain + html


def test_an_edited_footer_template_is_used_for_the_next_message(tmp_path, dkim_key):
    """Rendered footers are reused only while the template sources are the same."""
    templates = tmp_path / "templates"
    templates.mkdir()
    text = templates / "footer.txt.j2"
    text.write_text("First wording.\n")
    (templates / "footer.html.j2").write_text("<p>HTML footer.</p>")
    services = build(tmp_path, dkim_key, templates)
    try:
        stages = chain(services)
        first = relay(services, stages).outgoing[0]
        again = relay(services, stages).outgoing[0]
        text.write_text("Second wording.\n")
        later = time.time() + 5
        os.utime(text, (later, later))  # a new mtime, as an admin's edit gives
        edited = relay(services, stages).outgoing[0]
    finally:
        services.db.close()
    assert "First wording." in texts(first.data)[0]
    assert "First wording." in texts(again.data)[0]
    assert "Second wording." in texts(edited.data)[0]
    assert "First wording." not in texts(edited.data)[0]
