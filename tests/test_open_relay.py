"""No open relay: every classic relay probe through a real SMTP client, each with its code.

Probes are sent as raw RCPT commands (smtplib.docmd) so that the exact syntax reaches the server.
Foreign domains (including IP literals and subdomains of the relay domain) get `550 5.7.1`
(relaying denied); odd local parts on the relay domain get `550 5.1.1` (no such address), as
their local part is no relay address. postmaster@ and abuse@ are accepted (RFC 5321 4.5.1).
"""

from __future__ import annotations

import asyncio
import smtplib

import pytest

from storage import archive
from tests.abuse_helpers import gateway_with
from tests.conftest import asend, new_conversation

DOMAIN = "relay.gigbridge.io"


def probe(host: str, port: int, rcpt_arg: str, mail_from: str = "spammer@bulk.example") -> tuple:
    """(code, text) of a raw `RCPT TO:<rcpt_arg>` after a valid MAIL FROM."""
    with smtplib.SMTP(host, port, timeout=15) as client:
        client.ehlo("probe.example")
        assert client.mail(mail_from)[0] == 250
        code, text = client.docmd("RCPT", f"TO:{rcpt_arg}")
        return code, text.decode()


PROBES = [
    # (name, RCPT argument, code, enhanced code)
    ("other domain", "<victim@elsewhere.example>", 550, "5.7.1"),
    ("unknown local part", f"<nobody.aaaaaaaaaaaaaaaa@{DOMAIN}>", 550, "5.1.1"),
    ("plain word local part", f"<info@{DOMAIN}>", 550, "5.1.1"),
    ("source route to a victim", f"<@{DOMAIN}:victim@elsewhere.example>", 550, "5.7.1"),
    ("two-hop source route", f"<@{DOMAIN},@mx.example:victim@elsewhere.example>", 550, "5.7.1"),
    ("percent hack", f"<victim%elsewhere.example@{DOMAIN}>", 550, "5.1.1"),
    ("percent hack to localhost", f"<victim%localhost@{DOMAIN}>", 550, "5.1.1"),
    ("quoted local part with @", f'<"victim@elsewhere.example"@{DOMAIN}>', 550, "5.1.1"),
    ("IP literal", "<victim@[127.0.0.1]>", 550, "5.7.1"),
    ("IPv6 literal", "<victim@[IPv6:::1]>", 550, "5.7.1"),
    ("bang path", f"<elsewhere.example!victim@{DOMAIN}>", 550, "5.1.1"),
    ("bang path without domain", "<elsewhere.example!victim>", 550, "5.7.1"),
    ("subdomain of the relay domain", f"<victim@mx.{DOMAIN}>", 550, "5.7.1"),
    ("relay domain as a prefix", f"<victim@{DOMAIN}.evil.example>", 550, "5.7.1"),
    ("no domain", "<victim>", 550, "5.7.1"),
    ("bounce address with a forged token", f"<bounces+aaaaaaaaaaaaaaaa@{DOMAIN}>", 550, "5.1.1"),
]


@pytest.mark.parametrize(("name", "rcpt", "code", "enhanced"), PROBES, ids=[p[0] for p in PROBES])
async def test_relay_probe_is_refused(relay, name, rcpt, code, enhanced):
    got_code, text = await asyncio.to_thread(probe, relay.host, relay.port, rcpt)
    assert (got_code, text.split(" ", 1)[0]) == (code, enhanced), text


async def test_probes_with_a_real_relay_local_part_are_refused_too(relay, sink):
    """A valid relay local part does not make a percent hack, bang path or subdomain work."""
    conv = new_conversation(relay.engine)
    local = conv.bo.split("@")[0]
    for rcpt, enhanced in [
        (f"<{local}%elsewhere.example@{DOMAIN}>", "5.1.1"),
        (f"<elsewhere.example!{local}@{DOMAIN}>", "5.1.1"),
        (f"<{local}@sub.{DOMAIN}>", "5.7.1"),
        (f"<{local}@[127.0.0.1]>", "5.7.1"),
        (f'<"{local}@elsewhere.example"@{DOMAIN}>', "5.1.1"),
    ]:
        code, text = await asyncio.to_thread(probe, relay.host, relay.port, rcpt)
        assert (code, text.split(" ", 1)[0]) == (550, enhanced), (rcpt, text)
    assert archive.messages_of(relay.engine, conv.thread_id) == []


async def test_relay_address_in_other_letter_case_is_the_same_address(relay, sink):
    conv = new_conversation(relay.engine)
    shouting = conv.bo.upper()
    data = f"From: ann@example.org\nTo: {shouting}\nSubject: hi\n\nhello\n"
    code, text = await asend(relay, "Ann@Example.ORG", [shouting], data)
    assert code == 250, text
    await sink.wait_for(1)
    assert sink.received[0][1] == ["bo@example.net"]


async def test_source_route_is_ignored_and_the_final_address_used(relay, sink):
    """RFC 5321 Appendix C: a route is ignored; the final mailbox decides (here Bo's address)."""
    conv = new_conversation(relay.engine)
    code, text = await asyncio.to_thread(
        probe, relay.host, relay.port, f"<@mx.elsewhere.example:{conv.bo}>", "ann@example.org"
    )
    assert code == 250, text


# --------------------------------------------------------------------------- postmaster


async def postmaster_gateway(start_gateway, db_url, tmp_path, dkim_key, sink):
    return await gateway_with(
        start_gateway,
        db_url,
        tmp_path,
        dkim_key,
        sink,
        relay={"postmaster": "support@gigbridge.io"},
    )


@pytest.mark.parametrize("rcpt", [f"postmaster@{DOMAIN}", f"Abuse@{DOMAIN.upper()}", "Postmaster"])
async def test_postmaster_and_abuse_reach_the_support_mailbox(
    db_url, tmp_path, dkim_key, start_gateway, sink, rcpt
):
    """From anyone, whatever it contains (a complaint quotes spam): archived, sent to support."""
    running = await postmaster_gateway(start_gateway, db_url, tmp_path, dkim_key, sink)
    data = (
        "From: victim@isp.example\nTo: abuse@relay.gigbridge.io\nSubject: Spam from your users\n\n"
        "Your user wrote: call me on +1 415 555 0100 or pay to IBAN DE89370400440532013000.\n"
    )
    code, text = await asend(running, "victim@isp.example", [rcpt], data)
    assert code == 250, text
    assert "postmaster" in text
    await sink.wait_for(1)
    mail_from, rcpts, content = sink.received[0]
    assert rcpts == ["support@gigbridge.io"]
    assert mail_from.startswith("bounces+")
    assert b"Resent-To: support@gigbridge.io" in content
    assert b"DE89370400440532013000" in content  # delivered as received: no scan, no redaction
    (message,) = archive.messages_of(running.engine, "postmaster")
    assert message.kind == "postmaster"
    assert message.raw.endswith(b"DE89370400440532013000.\r\n")


async def test_postmaster_without_a_support_mailbox_is_archived_only(relay, sink):
    code, _ = await asend(
        relay, "someone@isp.example", [f"postmaster@{DOMAIN}"], "Subject: x\n\nhi\n"
    )
    assert code == 250
    (message,) = archive.messages_of(relay.engine, "postmaster")
    assert archive.deliveries_of(relay.engine, message.id) == []
    assert "archived only" in " ".join(message.decision["reasons"])


async def test_postmaster_and_relay_addresses_go_in_separate_transactions(relay):
    conv = new_conversation(relay.engine)
    code, text = await asend(relay, "ann@example.org", [conv.bo, f"postmaster@{DOMAIN}"], "x")
    assert code == 452
    assert text.startswith("4.5.3")
    code, text = await asend(relay, "ann@example.org", [f"abuse@{DOMAIN}", conv.bo], "x")
    assert code == 452
    assert text.startswith("4.5.3")
