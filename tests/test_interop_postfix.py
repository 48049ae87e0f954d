"""Interop with real peers: swaks -> Postfix -> gateway -> Postfix -> maildir, and OpenDKIM.

Debian's postfix, swaks and opendkim-tools must be installed (CI installs them); the test runs
as root (Postfix drops to its `postfix` user; the verifier gets its own mount namespace).
Everything listens on loopback ephemeral ports; Postfix runs from a temporary config folder
(`postfix -c DIR start`) and is stopped at the end. The settings used here are the ones
docs/deploy-postfix.md documents.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import make_settings, new_conversation
from tests.postfix_helpers import DkimDns, PostfixInstance, opendkim_verify, swaks

POSTFIX_LIMIT = 1_000_000
GATEWAY_LIMIT = 1_100_000  # a little above Postfix's: its Received lines add a few hundred bytes


@pytest.fixture
async def chain(tmp_path, dkim_key, start_gateway):
    """The gateway (SQLite) delivering to Postfix's reinjection port with STARTTLS required,
    and a Postfix whose front port hands the relay domain to the gateway."""
    # Postfix's own user must reach its queue: pytest's tmp_path is private to root (0700)
    base = Path(tempfile.mkdtemp(prefix="relay-postfix-"))
    base.chmod(0o755)
    postfix = PostfixInstance(base, [], "relay.gigbridge.io", POSTFIX_LIMIT)
    settings = make_settings(
        f"sqlite:///{tmp_path / 'gateway.db'}",
        tmp_path,
        dkim_key[0],
        relay={"max_message_size": GATEWAY_LIMIT},
        delivery__smtp={
            "port": postfix.reinject,
            "starttls": "required",
            "verify_tls": False,  # Postfix's self-signed certificate, on the same machine
        },
    )
    gateway = await start_gateway(settings)
    postfix.gateway_ports = [gateway.port]  # the transport map's next hop
    await asyncio.to_thread(postfix.start)
    try:
        yield gateway, postfix
    finally:
        await asyncio.to_thread(postfix.stop)
        shutil.rmtree(base, ignore_errors=True)


async def _wait_maildir(postfix: PostfixInstance, count: int, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = postfix.delivered()
        if len(files) >= count:
            return files
        await asyncio.sleep(0.1)
    raise AssertionError(f"nothing delivered to the maildir: {postfix.log()}")


async def test_swaks_postfix_gateway_postfix_and_opendkim_verifies(chain, tmp_path, dkim_key):
    """The whole chain with real peers; the delivered copy's DKIM signature verifies with
    OpenDKIM (not dkimpy), using the published TXT record from a local table; a changed byte
    makes OpenDKIM fail it."""
    running, postfix = chain
    conv = new_conversation(running.engine)
    result = await asyncio.to_thread(
        swaks,
        postfix.front,
        "--tls",
        "--from",
        "ann@example.org",
        "--to",
        conv.bo,
        "--header",
        "Subject: Interop check",
        "--header",
        "From: Ann Lee <ann@example.org>",
        "--body",
        "Hello Bo,\nthe logo files are attached in the platform.\n",
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert "250 2.0.0 Ok: queued as" in result.stdout

    (path,) = await _wait_maildir(postfix, 1)
    delivered = path.read_bytes()
    message = email.message_from_bytes(delivered, policy=email.policy.default)
    assert message["Delivered-To"] == "bo@example.net"
    assert "ann@example.org" not in str(message["From"])  # the relay identity, not the real one
    assert "relay.gigbridge.io" in str(message["From"])
    assert "the logo files are attached" in message.get_body(("plain",)).get_content()
    assert message["DKIM-Signature"] is not None

    log = postfix.log()
    assert f"relay=127.0.0.1[127.0.0.1]:{running.port}" in log  # front -> gateway
    assert "postfix/reinject/smtpd" in log  # gateway -> smarthost
    assert "TLS connection established from localhost" in log  # STARTTLS (required)

    dns_stub = DkimDns({"test._domainkey.relay.gigbridge.io": dkim_key[1]})
    await asyncio.to_thread(dns_stub.start)
    try:
        verified = await asyncio.to_thread(opendkim_verify, delivered, dns_stub.address, tmp_path)
        tampered = delivered.replace(b"the logo files", b"the logo fileZ")
        broken = await asyncio.to_thread(opendkim_verify, tampered, dns_stub.address, tmp_path)
    finally:
        dns_stub.stop()
    assert "test._domainkey.relay.gigbridge.io" in dns_stub.queries
    assert (verified.returncode, verified.stdout, verified.stderr) == (0, b"", b"")
    assert broken.returncode != 0
    assert b"bad signature" in broken.stderr.lower() or b"body hash" in broken.stderr.lower()


async def test_postfix_refuses_oversized_mail_before_the_gateway_sees_it(chain, tmp_path):
    """message_size_limit at the front: 552 5.3.4 from Postfix, nothing reaches the gateway."""
    running, postfix = chain
    conv = new_conversation(running.engine)
    big = tmp_path / "big.txt"
    big.write_text(("x" * 76 + "\n") * (POSTFIX_LIMIT // 77 + 100))
    body = f"@{big}"
    result = await asyncio.to_thread(
        swaks,
        postfix.front,
        "--from",
        "ann@example.org",
        "--to",
        conv.bo,
        "--body",
        body,
    )
    assert result.returncode != 0
    assert "552 5.3.4 Error: message file too big" in result.stdout
    assert "relay-gateway" not in postfix.log()


async def test_front_is_no_open_relay_and_reinjection_has_a_loop_guard(chain):
    """The front refuses other domains; the reinjection port refuses the relay domain."""
    running, postfix = chain
    conv = new_conversation(running.engine)
    relay = await asyncio.to_thread(
        swaks, postfix.front, "--from", "x@example.org", "--to", "victim@elsewhere.example.com"
    )
    assert "554 5.7.1 <victim@elsewhere.example.com>: Relay access denied" in relay.stdout
    loop = await asyncio.to_thread(
        swaks, postfix.reinject, "--from", "noreply@relay.gigbridge.io", "--to", conv.bo
    )
    assert "554 5.7.1" in loop.stdout
    assert "must not come back from the gateway (loop)" in loop.stdout


async def test_a_bounce_from_postfix_comes_back_through_the_transport_map(chain):
    """The internet refuses a copy: Postfix's DSN goes to the VERP address, the transport map
    routes it to the gateway, which marks exactly that delivery bounced and notifies the sender
    (whose notice Postfix delivers in turn)."""
    from gateway.addresses import RelayDomain, new_relay_local
    from storage import archive
    from storage.threads import NewParticipant, create_thread

    running, postfix = chain
    thread, people = create_thread(
        running.engine,
        thread_id="th_bouncetest01",
        subject="Bounce",
        participants=[
            NewParticipant("client", "Ann Lee", "ann@example.org"),
            NewParticipant("freelancer", "Cy Doe", "cy@bounce.test"),
        ],
        new_local=lambda p: new_relay_local(p.display_name),
    )
    cy = RelayDomain("relay.gigbridge.io").relay_address(people[1].relay_local)
    sent = await asyncio.to_thread(
        swaks,
        postfix.front,
        "--from",
        "ann@example.org",
        "--to",
        cy,
        "--header",
        "Subject: will bounce",
        "--body",
        "Hello Cy",
    )
    assert sent.returncode == 0, sent.stdout[-1500:]

    def bounced():
        rows = [
            d
            for m in archive.messages_of(running.engine, thread.id)
            for d in archive.deliveries_of(running.engine, m.id)
            if d.recipient == "cy@bounce.test"
        ]
        return rows if rows and rows[0].status == "bounced" else None

    deadline = time.monotonic() + 40
    while not await asyncio.to_thread(bounced):
        assert time.monotonic() < deadline, postfix.log()
        await asyncio.sleep(0.2)
    log = postfix.log()
    assert "to=<cy@bounce.test>" in log
    assert "status=bounced (mailbox unavailable)" in log
    assert "relay-gateway" in log  # the DSN went to the gateway via the transport map
    notices = [
        p
        for p in await _wait_maildir(postfix, 1)
        if b"Delivered-To: ann@example.org" in p.read_bytes()
    ]
    assert notices, "the sender got no notice"
    notice = email.message_from_bytes(notices[0].read_bytes(), policy=email.policy.default)
    assert notice["Auto-Submitted"].startswith("auto-replied")
    assert "cy@bounce.test" not in notices[0].read_text()  # no leak of the real address


async def test_two_gateways_behind_postfix_fail_over(tmp_path, dkim_key, start_gateway):
    """Two instances listed as next hops; the first one is stopped: Postfix hands the message
    to the second, which delivers it (docs/operations.md, several instances)."""
    base = Path(tempfile.mkdtemp(prefix="relay-postfix-"))
    base.chmod(0o755)
    postfix = PostfixInstance(base, [], "relay.gigbridge.io", POSTFIX_LIMIT)
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    smarthost = {"port": postfix.reinject, "starttls": "required", "verify_tls": False}
    first = await start_gateway(make_settings(url, tmp_path, dkim_key[0], delivery__smtp=smarthost))
    second = await start_gateway(
        make_settings(url, tmp_path, dkim_key[0], delivery__smtp=smarthost)
    )
    postfix.gateway_ports = [first.port, second.port]
    await asyncio.to_thread(postfix.start)
    try:
        conv = new_conversation(second.engine)
        await first.gateway.stop()  # down: connections to it are refused
        sent = await asyncio.to_thread(
            swaks, postfix.front, "--from", "ann@example.org", "--to", conv.bo, "--body", "hi"
        )
        assert sent.returncode == 0, sent.stdout[-1500:]
        (path,) = await _wait_maildir(postfix, 1)
        assert b"Delivered-To: bo@example.net" in path.read_bytes()
        log = postfix.log()
        assert f"connect to 127.0.0.1[127.0.0.1]:{first.port}: Connection refused" in log
        assert f"relay=127.0.0.1[127.0.0.1]:{second.port}" in log
    finally:
        await asyncio.to_thread(postfix.stop)
        shutil.rmtree(base, ignore_errors=True)
