"""Sender authentication through the real SMTP server: a real client sends mail signed in the
test with a key published in an in-memory DNS zone; the gateway answers, archives, relays."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gateway.server import Gateway
from storage import archive
from tests.conftest import Running, asend, make_settings, new_conversation
from tests.dns_zone import DkimKey, Zone, mail

ANN = "ann@example.org"
OURS = "mx.gigbridge.io"


@pytest.fixture
def zone() -> Zone:
    """example.org: SPF allows 127.0.0.1 (the test client), DMARC p=reject; a DKIM key."""
    zone = Zone()
    zone.txt("example.org", "v=spf1 ip4:127.0.0.1 -all")
    zone.txt("_dmarc.example.org", "v=DMARC1; p=reject")
    return zone


@pytest.fixture(scope="module")
def key() -> DkimKey:
    return DkimKey("example.org")


@pytest.fixture
async def start(db_url: str, tmp_path: Path, dkim_key, sink):
    """Factory: a gateway with [auth] settings whose DNS is `zone`; stopped at the end."""
    started: list[Gateway] = []

    async def run(zone: Zone, **auth) -> Running:
        settings = make_settings(
            db_url, tmp_path, dkim_key[0], delivery__smtp={"port": sink.port}, auth=auth
        )
        gateway = Gateway(settings, resolver=zone)
        await gateway.start(port=0)
        started.append(gateway)
        host, port = gateway.address
        return Running(gateway, settings, host, port)

    yield run
    for gateway in started:
        await gateway.stop()


def only_message(running: Running, thread_id: str):
    """The one message received in the thread (the policy's notices are archived there too)."""
    (message,) = [m for m in archive.messages_of(running.engine, thread_id) if m.kind == "inbound"]
    return message


async def test_authenticated_mail_is_relayed_with_its_results_recorded(start, zone, key, sink):
    key.publish(zone)
    running = await start(zone, mode="verify")
    conv = new_conversation(running.engine)
    forged_ar = f"Authentication-Results: {OURS}; dmarc=pass header.from=example.org\r\n"
    raw = key.sign(mail(ANN, conv.bo, extra_headers=forged_ar))
    code, text = await asend(running, ANN, [conv.bo], raw)
    assert code == 250, text
    await sink.wait_for(1)
    message = only_message(running, conv.thread_id)
    reasons = message.decision["reasons"]
    assert "auth spf=pass smtp.mailfrom=example.org" in reasons[0]
    assert any(r.startswith("auth dkim=pass header.d=example.org header.s=sel") for r in reasons)
    assert "auth verdict (verify): authenticated -> accept" in reasons
    assert message.action == "deliver"
    outgoing = sink.received[0][2]
    assert b"Authentication-Results" not in outgoing  # never forwarded, ours or anyone's
    assert b"d=example.org" not in outgoing  # the sender's signature is not carried either


async def test_dmarc_reject_of_a_forged_participant_is_550_5726(start, zone, sink):
    running = await start(zone, mode="verify")
    conv = new_conversation(running.engine)
    zone.records[("example.org", "TXT")] = ["v=spf1 ip4:192.0.2.0/24 -all"]
    code, text = await asend(running, ANN, [conv.bo], mail(ANN, conv.bo))
    assert code == 550
    assert text.startswith("5.7.26 Unauthenticated email from example.org is not accepted")
    assert archive.messages_of(running.engine, conv.thread_id) == []
    assert sink.received == []


@pytest.mark.parametrize("action", ["reject", "hold"])
async def test_forged_participant_rejected_or_held_as_configured(start, sink, action):
    zone = Zone().txt("example.org", "v=spf1 ip4:192.0.2.0/24 -all")  # no DMARC record
    running = await start(zone, mode="verify", on_forged_participant=action)
    conv = new_conversation(running.engine)
    code, text = await asend(running, ANN, [conv.bo], mail(ANN, conv.bo))
    if action == "reject":
        assert code == 550
        assert text.startswith("5.7.1 The From address ann@example.org could not be authenticated")
        assert "spf=fail" in text
        assert archive.messages_of(running.engine, conv.thread_id) == []
        return
    assert code == 250
    assert "held for review" in text
    message = only_message(running, conv.thread_id)
    assert (message.status, message.action) == ("held", "hold")
    assert message.decision["rule"] == "auth.forged_participant"
    (job,) = archive.deliveries_of(running.engine, message.id)
    assert job.status == "held"
    await asyncio.sleep(0.5)  # a worker round: nothing leaves while held
    assert sink.received == []


async def test_unauthenticated_mail_is_flagged_by_default(start, sink):
    running = await start(Zone(), mode="verify")
    conv = new_conversation(running.engine)
    code, _ = await asend(running, ANN, [conv.bo], mail(ANN, conv.bo))
    assert code == 250
    await sink.wait_for(1)
    message = only_message(running, conv.thread_id)
    assert (message.action, message.decision["rule"]) == ("flag", "auth.none")


async def test_dns_timeout_is_451_and_nothing_is_stored(start, zone, sink):
    zone.hang("_dmarc.example.org")
    zone.records[("example.org", "TXT")] = ["v=spf1 ip4:192.0.2.0/24 -all"]
    running = await start(zone, mode="verify", dns_timeout=0.5)
    conv = new_conversation(running.engine)
    code, text = await asend(running, ANN, [conv.bo], mail(ANN, conv.bo))
    assert code == 451
    assert text.startswith("4.4.3 Temporary DNS failure while authenticating mail from example.org")
    assert "timeout" in text
    assert archive.messages_of(running.engine, conv.thread_id) == []


async def test_trust_header_mode_trusts_only_our_authserv_id(start, sink):
    running = await start(Zone(), mode="trust-header", authserv_id=OURS, on_none="reject")
    conv = new_conversation(running.engine)
    trusted = (
        f"Authentication-Results: {OURS}; spf=pass smtp.mailfrom=ann@example.org;\r\n"
        " dkim=pass header.d=example.org; dmarc=pass header.from=example.org\r\n"
    )
    code, _ = await asend(running, ANN, [conv.bo], mail(ANN, conv.bo, extra_headers=trusted))
    assert code == 250
    await sink.wait_for(1)
    assert b"Authentication-Results" not in sink.received[0][2]

    forged = "Authentication-Results: mx.evil.example; dmarc=pass header.from=example.org\r\n"
    code, text = await asend(running, ANN, [conv.bo], mail(ANN, conv.bo, extra_headers=forged))
    assert code == 550
    assert text.startswith(
        "5.7.1 Message refused: mail from example.org could not be authenticated"
    )
    (message,) = archive.messages_of(running.engine, conv.thread_id)
    assert "auth verdict (trust-header): authenticated -> accept" in message.decision["reasons"]
