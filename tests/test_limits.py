"""Anti-abuse limits through real sockets: rates, denylist, header and line limits, deadlines."""

from __future__ import annotations

import asyncio
import time

import pytest

from gateway.data_reader import DataReader
from gateway.limits import Denylist, RateLimiter, header_block
from storage import archive
from tests.abuse_helpers import RawClient, crlf, gateway_with
from tests.conftest import new_conversation

MESSAGE = "From: ann@example.org\nTo: {to}\nSubject: hi\n\nhello\n"


# --------------------------------------------------------------------------- token buckets


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_the_burst_then_refills_at_the_rate():
    """3/60s: three at once, the fourth waits 20 s; after 20 s one more is allowed."""
    clock = Clock()
    limiter = RateLimiter(3, 60, clock=clock)
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("a") == pytest.approx(20.0)
    assert limiter.take("b") == 0.0  # other keys are independent
    clock.now += 20
    assert limiter.take("a") == 0.0
    assert limiter.take("a") > 0


def test_bucket_memory_is_bounded_and_forgets_full_buckets_first():
    """At max_keys, refilled buckets are dropped before partly used ones."""
    clock = Clock()
    limiter = RateLimiter(2, 10, max_keys=100, clock=clock)
    limiter.take("busy")
    limiter.take("busy")
    for i in range(99):
        limiter.take(f"k{i}")
    clock.now += 11  # every bucket refills; "busy" refills too, so nothing is remembered wrongly
    limiter.take("busy")
    limiter.take("busy")
    for i in range(500):
        limiter.take(f"new{i}")
    assert len(limiter.buckets) <= 100
    assert "busy" not in limiter.buckets or limiter.buckets["busy"].tokens < 2


def test_disabled_rate_never_limits():
    limiter = RateLimiter(0, 0)
    assert all(limiter.take("x") == 0.0 for _ in range(1000))
    assert limiter.buckets == {}


def test_denylist_matches_addresses_networks_and_mapped_ipv6():
    deny = Denylist(["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"])
    assert deny.denies("203.0.113.99")
    assert deny.denies("::ffff:203.0.113.5")
    assert deny.denies("2001:db8::1")
    assert deny.denies("198.51.100.7")
    assert not deny.denies("198.51.100.8")
    assert not deny.denies("127.0.0.1")
    assert not deny.denies("not an ip")


# --------------------------------------------------------------------------- rates over SMTP


async def test_sender_rate_limit_is_451_4_7_1_with_a_text(
    db_url, tmp_path, dkim_key, start_gateway, sink
):
    """The third message of one sender within the period is deferred; another sender is not."""
    running = await gateway_with(
        start_gateway, db_url, tmp_path, dkim_key, sink, limits={"per_sender": "2/1h"}
    )
    conv = new_conversation(running.engine)
    client, _ = await RawClient.connect(running)
    await client.command("EHLO client.example")
    for _ in range(2):
        reply = await client.transaction(
            "ann@example.org", [conv.bo], crlf(MESSAGE.format(to=conv.bo))
        )
        assert reply.code == 250, reply
    reply = await client.command("MAIL FROM:<ann@example.org>")
    assert reply.code == 451
    assert reply.enhanced == "4.7.1"
    assert "Too many messages from <ann@example.org>" in reply.text
    assert "try again in" in reply.text
    reply = await client.transaction(
        "bo@example.net", [conv.ann], crlf(MESSAGE.format(to=conv.ann).replace("ann@", "bo@"))
    )
    assert reply.code == 250, reply
    await client.close()
    assert len(archive.messages_of(running.engine, conv.thread_id)) == 3


async def test_peer_rate_limit_counts_transactions_per_ip(
    db_url, tmp_path, dkim_key, start_gateway
):
    """Over per_peer, MAIL FROM gets 451 4.7.1 whatever the sender, across connections."""
    running = await gateway_with(
        start_gateway, db_url, tmp_path, dkim_key, limits={"per_peer": "3/1h"}
    )
    replies = []
    for sender in ["a@example.org", "b@example.org", "c@example.org", "d@example.org"]:
        client, _ = await RawClient.connect(running)
        await client.command("EHLO x")
        replies.append(await client.command(f"MAIL FROM:<{sender}>"))
        await client.close()
    assert [r.code for r in replies] == [250, 250, 250, 451]
    assert replies[-1].enhanced == "4.7.1"
    assert "from your address" in replies[-1].text


async def test_thread_rate_limit_defers_at_rcpt(db_url, tmp_path, dkim_key, start_gateway, sink):
    """Over per_thread, RCPT to that conversation gets 451 4.7.1; another conversation is fine."""
    running = await gateway_with(
        start_gateway, db_url, tmp_path, dkim_key, sink, limits={"per_thread": "1/1h"}
    )
    one, two = new_conversation(running.engine), new_conversation(running.engine)
    client, _ = await RawClient.connect(running)
    await client.command("EHLO x")
    assert (
        await client.transaction("ann@example.org", [one.bo], crlf(MESSAGE.format(to=one.bo)))
    ).code == 250
    await client.command("MAIL FROM:<ann@example.org>")
    reply = await client.command(f"RCPT TO:<{one.bo}>")
    assert (reply.code, reply.enhanced) == (451, "4.7.1")
    assert "in this conversation" in reply.text
    assert (await client.command(f"RCPT TO:<{two.bo}>")).code == 250
    await client.close()


# --------------------------------------------------------------------------- denylist


async def test_denylisted_peer_gets_554_5_7_1_at_connect(db_url, tmp_path, dkim_key, start_gateway):
    """A peer in deny_peers is refused instead of greeted, and the connection is closed."""
    running = await gateway_with(
        start_gateway, db_url, tmp_path, dkim_key, limits={"deny_peers": ["127.0.0.0/8"]}
    )
    client, greeting = await RawClient.connect(running)
    assert greeting.code == 554
    assert greeting.enhanced == "5.7.1"
    assert "127.0.0.1" in greeting.text
    assert await client.closed()
    await client.close()


async def test_peer_outside_the_denylist_is_greeted(db_url, tmp_path, dkim_key, start_gateway):
    running = await gateway_with(
        start_gateway, db_url, tmp_path, dkim_key, limits={"deny_peers": ["10.0.0.0/8"]}
    )
    client, greeting = await RawClient.connect(running)
    assert greeting.code == 220
    await client.close()


# --------------------------------------------------------------------------- header and line limits


async def test_too_many_headers_is_552_5_3_4_and_nothing_stored(
    db_url, tmp_path, dkim_key, start_gateway
):
    running = await gateway_with(
        start_gateway, db_url, tmp_path, dkim_key, limits={"max_headers": 100}
    )
    conv = new_conversation(running.engine)
    headers = "".join(f"X-Filler-{i}: {i}\n" for i in range(150))
    client, _ = await RawClient.connect(running)
    await client.command("EHLO x")
    reply = await client.transaction(
        "ann@example.org", [conv.bo], crlf(headers + MESSAGE.format(to=conv.bo))
    )
    assert (reply.code, reply.enhanced) == (552, "5.3.4")
    assert "Too many header fields" in reply.text
    assert "100" in reply.text
    # The session goes on: the next message in it is accepted.
    reply = await client.transaction("ann@example.org", [conv.bo], crlf(MESSAGE.format(to=conv.bo)))
    assert reply.code == 250, reply
    await client.close()
    assert len(archive.messages_of(running.engine, conv.thread_id)) == 1


async def test_oversized_header_block_is_552_5_3_4(db_url, tmp_path, dkim_key, start_gateway):
    running = await gateway_with(
        start_gateway, db_url, tmp_path, dkim_key, limits={"max_header_bytes": 4000}
    )
    conv = new_conversation(running.engine)
    headers = "X-Long: " + "\n ".join(["y" * 70] * 100) + "\n"
    client, _ = await RawClient.connect(running)
    await client.command("EHLO x")
    reply = await client.transaction(
        "ann@example.org", [conv.bo], crlf(headers + MESSAGE.format(to=conv.bo))
    )
    assert (reply.code, reply.enhanced) == (552, "5.3.4")
    assert "header too large" in reply.text
    await client.close()


async def test_line_of_998_octets_passes_and_999_is_554_5_6_0_session_usable(relay, sink):
    """RFC 5321's 998 octets per line is the exact limit; over it the session stays usable."""
    conv = new_conversation(relay.engine)
    client, _ = await RawClient.connect(relay)
    await client.command("EHLO x")
    body = MESSAGE.format(to=conv.bo) + "a" * 998 + "\n"
    reply = await client.transaction("ann@example.org", [conv.bo], crlf(body))
    assert reply.code == 250, reply
    body = MESSAGE.format(to=conv.bo) + "b" * 999 + "\n"
    reply = await client.transaction("ann@example.org", [conv.bo], crlf(body))
    assert (reply.code, reply.enhanced) == (554, "5.6.0")
    assert "998" in reply.text
    body = MESSAGE.format(to=conv.bo) + "c" * 200_000 + "\n"
    reply = await client.transaction("ann@example.org", [conv.bo], crlf(body))
    assert (reply.code, reply.enhanced) == (554, "5.6.0")
    assert (await client.command("NOOP")).code == 250
    reply = await client.transaction("ann@example.org", [conv.bo], crlf(MESSAGE.format(to=conv.bo)))
    assert reply.code == 250
    await client.close()
    assert len(archive.messages_of(relay.engine, conv.thread_id)) == 2


async def test_oversized_data_is_refused_after_the_end_and_the_session_goes_on(
    db_url, tmp_path, dkim_key, start_gateway
):
    """552 5.3.4 comes after the end marker (RFC 5321 4.2.5); the next transaction works."""
    running = await gateway_with(
        start_gateway, db_url, tmp_path, dkim_key, relay={"max_message_size": 10_000}
    )
    conv = new_conversation(running.engine)
    client, _ = await RawClient.connect(running)
    await client.command("EHLO x")
    big = MESSAGE.format(to=conv.bo) + ("z" * 76 + "\n") * 2000
    reply = await client.transaction("ann@example.org", [conv.bo], crlf(big))
    assert (reply.code, reply.enhanced) == (552, "5.3.4")
    assert "10000" in reply.text
    reply = await client.transaction("ann@example.org", [conv.bo], crlf(MESSAGE.format(to=conv.bo)))
    assert reply.code == 250
    await client.close()


async def test_data_reader_keeps_nothing_past_the_size_limit():
    """Memory stays bounded: after the limit the reader drops what it has and counts only."""
    reader = asyncio.StreamReader(limit=1000)
    reader.feed_data((b"x" * 76 + b"\r\n") * 50_000 + b".\r\n")  # about 3.9 MB
    data = DataReader(reader, size_limit=100_000, too_big="552 5.3.4 too big")
    result = await data.read()
    assert result.problem == "552 5.3.4 too big"
    assert result.content is None
    assert data.body is None
    assert result.size > 3_000_000


async def test_data_reader_accepts_bare_lf_bodies_longer_than_a_line():
    """A body with bare LF line ends (no CRLF until the end) is content, not one long line."""
    reader = asyncio.StreamReader(limit=1000)
    body = b"Subject: x\n\n" + b"short line\n" * 5000
    reader.feed_data(body + b"\r\n.\r\n")
    result = await DataReader(reader, size_limit=None, too_big="").read()
    assert result.problem is None
    assert result.content == body + b"\r\n"


def test_header_block_counts_folded_fields_once():
    block = header_block(b"A: 1\r\nB: 2\r\n  continued\r\nC: 3\r\n\r\nbody: not a header\r\n", 10)
    assert [n for n, _ in block.fields] == [b"a", b"b", b"c"]
    assert block.values(b"b") == [b"2 continued"]


# --------------------------------------------------------------------------- deadlines


async def test_trickled_command_is_cut_off_with_421_4_4_2(
    db_url, tmp_path, dkim_key, start_gateway
):
    """A slow-loris client sending one byte at a time never completes a command past idle_timeout."""
    running = await gateway_with(
        start_gateway, db_url, tmp_path, dkim_key, relay={"idle_timeout": 1}
    )
    client, _ = await RawClient.connect(running)
    started = time.monotonic()
    reply = None
    for byte in b"EHLO slow.example.with.a.long.name.that.takes.a.while\r\n":
        try:
            await client.send(bytes([byte]))
        except (ConnectionError, OSError):
            break
        await asyncio.sleep(0.1)
        if client.reader.at_eof() or client.reader._buffer:
            break
    reply = await client.reply()
    assert reply.code == 421
    assert reply.enhanced == "4.4.2"
    assert "Timeout" in reply.text
    assert time.monotonic() - started < 4
    assert await client.closed()
    await client.close()


async def test_trickled_data_is_cut_off_by_the_data_deadline(
    db_url, tmp_path, dkim_key, start_gateway
):
    """Each line arrives well within idle_timeout, but DATA as a whole has data_timeout."""
    running = await gateway_with(
        start_gateway,
        db_url,
        tmp_path,
        dkim_key,
        relay={"idle_timeout": 30},
        limits={"data_timeout": 1},
    )
    conv = new_conversation(running.engine)
    client, _ = await RawClient.connect(running)
    await client.command("EHLO x")
    await client.command("MAIL FROM:<ann@example.org>")
    await client.command(f"RCPT TO:<{conv.bo}>")
    assert (await client.command("DATA")).code == 354
    started = time.monotonic()
    for _ in range(60):
        try:
            await client.send(b"a line, slowly\r\n")
        except (ConnectionError, OSError):
            break
        await asyncio.sleep(0.1)
        if client.reader._buffer or client.reader.at_eof():
            break
    reply = await client.reply()
    assert (reply.code, reply.enhanced) == (421, "4.4.2")
    assert "DATA not completed within 1 seconds" in reply.text
    assert time.monotonic() - started < 4
    await client.close()
    assert archive.messages_of(running.engine, conv.thread_id) == []


async def test_session_deadline_ends_a_chatty_session(db_url, tmp_path, dkim_key, start_gateway):
    """NOOP every 0.2 s keeps the command timer happy; the session deadline still ends it."""
    running = await gateway_with(
        start_gateway,
        db_url,
        tmp_path,
        dkim_key,
        relay={"idle_timeout": 30},
        limits={"session_timeout": 1.5},
    )
    client, _ = await RawClient.connect(running)
    started = time.monotonic()
    codes = []
    while time.monotonic() - started < 5:
        reply = await client.command("NOOP")
        codes.append(reply.code)
        if reply.code != 250:
            break
        await asyncio.sleep(0.2)
    assert codes[-1] == 421
    assert codes.count(250) >= 4
    assert 1.4 < time.monotonic() - started < 3
    await client.close()


# --------------------------------------------------------------------------- connections, memory


def handler_of(running):
    """The RelayHandler behind a running gateway (the protocol factory's closure holds it)."""
    factory = running.gateway.server._protocol_factory
    (cell,) = [c for c in factory.__closure__ if type(c.cell_contents).__name__ == "RelayHandler"]
    return cell.cell_contents


async def test_connections_per_peer_are_limited_with_421_4_7_0(
    db_url, tmp_path, dkim_key, start_gateway
):
    running = await gateway_with(
        start_gateway, db_url, tmp_path, dkim_key, limits={"max_connections_per_peer": 2}
    )
    first, _ = await RawClient.connect(running)
    second, _ = await RawClient.connect(running)
    third, greeting = await RawClient.connect(running)
    assert (greeting.code, greeting.enhanced) == (421, "4.7.0")
    assert "Too many connections" in greeting.text
    assert await third.closed()
    await third.close()
    await first.command("QUIT")
    await first.close()
    await asyncio.sleep(0.2)
    fourth, greeting = await RawClient.connect(running)
    assert greeting.code == 220
    for client in (second, fourth):
        await client.close()


async def test_large_messages_wait_for_a_processing_slot(
    db_url, tmp_path, dkim_key, start_gateway, sink
):
    """With every large-message slot taken, a large message waits; a small one does not."""
    running = await gateway_with(
        start_gateway,
        db_url,
        tmp_path,
        dkim_key,
        sink,
        limits={"large_message": "20KB", "large_message_concurrency": 1},
    )
    conv = new_conversation(running.engine)
    handler = handler_of(running)
    big = MESSAGE.format(to=conv.bo) + ("q" * 70 + "\n") * 400  # about 28 KB
    await handler.large.acquire()  # the one slot is busy
    client, _ = await RawClient.connect(running)
    await client.command("EHLO x")
    waiting = asyncio.create_task(client.transaction("ann@example.org", [conv.bo], crlf(big)))
    other, _ = await RawClient.connect(running)
    await other.command("EHLO x")
    small = await other.transaction("ann@example.org", [conv.bo], crlf(MESSAGE.format(to=conv.bo)))
    assert small.code == 250
    await asyncio.sleep(0.5)
    assert not waiting.done()
    assert len(archive.messages_of(running.engine, conv.thread_id)) == 1
    handler.large.release()
    assert (await waiting).code == 250
    assert len(archive.messages_of(running.engine, conv.thread_id)) == 2
    for c in (client, other):
        await c.close()


async def test_a_session_expiring_during_processing_still_gets_its_reply(
    db_url, tmp_path, dkim_key, start_gateway, sink
):
    """No deadline cuts off a reply: the 250 comes first, then 421 4.4.2 and the close."""
    running = await gateway_with(
        start_gateway,
        db_url,
        tmp_path,
        dkim_key,
        sink,
        relay={"idle_timeout": 0.5},
        limits={"session_timeout": 1, "large_message": "20KB", "large_message_concurrency": 1},
    )
    conv = new_conversation(running.engine)
    handler = handler_of(running)
    await handler.large.acquire()  # processing of the large message will wait past both timers
    client, _ = await RawClient.connect(running)
    await client.command("EHLO x")
    big = MESSAGE.format(to=conv.bo) + ("q" * 70 + "\n") * 400
    waiting = asyncio.create_task(client.transaction("ann@example.org", [conv.bo], crlf(big)))
    await asyncio.sleep(1.8)
    assert not waiting.done()
    handler.large.release()
    reply = await waiting
    assert reply.code == 250, reply
    closing = await client.reply()
    assert (closing.code, closing.enhanced) == (421, "4.4.2")
    assert await client.closed()
    await client.close()
    assert len(archive.messages_of(running.engine, conv.thread_id)) == 1


async def test_client_vanishing_in_the_middle_of_data_stores_nothing(relay):
    conv = new_conversation(relay.engine)
    client, _ = await RawClient.connect(relay)
    await client.command("EHLO x")
    await client.command("MAIL FROM:<ann@example.org>")
    await client.command(f"RCPT TO:<{conv.bo}>")
    assert (await client.command("DATA")).code == 354
    await client.send(crlf(MESSAGE.format(to=conv.bo))[: -len(b".\r\n")])
    await client.close()
    await asyncio.sleep(0.3)
    assert archive.messages_of(relay.engine, conv.thread_id) == []
    again, greeting = await RawClient.connect(relay)  # the server is fine
    assert greeting.code == 220
    await again.close()


def test_limit_settings_errors_name_the_key_and_the_fix():
    from gateway.config import ConfigError, parse_settings

    text = (
        '[platform]\nname = "X"\n[relay]\ndomain = "relay.example.com"\n'
        '[limits]\nper_sender = "lots"\ndeny_peers = ["10.0.0.0/33"]\n'
        '[loops]\nautomatic = "ignore"\n'
    )
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, source="site.toml")
    lines = str(caught.value).splitlines()
    assert any(
        line.startswith("site.toml: [limits] per_sender:") and "60/1h" in line for line in lines
    )
    assert any(
        line.startswith("site.toml: [limits] deny_peers:") and "203.0.113.0/24" in line
        for line in lines
    )
    assert any(
        line.startswith("site.toml: [loops] automatic:") and "relay_once" in line for line in lines
    )
