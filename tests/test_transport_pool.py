"""SmtpTransport keeps connections between messages: reuse, bounds, and a server that hangs up;
and the bytes it writes are the ones aiosmtplib's sendmail wrote.

A real aiosmtpd server counts the connections it accepts and can refuse or drop on cue (fault
injection in the peer); the transport under test is the real one.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import aiosmtplib
import pytest
from aiosmtpd.smtp import SMTP
from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.bigmessage import streaming
from gateway.config import SmtpDeliverySettings
from gateway.errors import DeliveryError
from gateway.transports import SmtpTransport, mail_options

MESSAGE = b"From: a@relay.example\r\nTo: b@example.net\r\nSubject: x\r\n\r\n.dot line\r\nbody\r\n"


@dataclass
class Upstream:
    """What the server saw: connections accepted, QUITs, and every message as received."""

    connections: int = 0
    quits: int = 0
    received: list[bytes] = field(default_factory=list)
    mail_replies: list[str] = field(default_factory=list)  # answers to MAIL before accepting
    data_replies: list[str] = field(default_factory=list)
    protocols: list[SMTP] = field(default_factory=list)

    async def handle_MAIL(self, server, session, envelope, address, options) -> str:
        if self.mail_replies:
            reply = self.mail_replies.pop(0)
            if reply.startswith("421"):
                await server.push(reply)
                server.transport.close()
                return "421 closing"  # not written: the transport is closing
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.data_replies:
            return self.data_replies.pop(0)
        self.received.append(envelope.original_content)
        return "250 2.0.0 ok"

    async def handle_QUIT(self, server, session, envelope) -> str:
        self.quits += 1
        return "221 Bye"


@pytest.fixture
async def upstream():
    box = Upstream()

    def factory():
        box.connections += 1
        protocol = SMTP(box, decode_data=False, timeout=box_timeout.get("value", 300))
        box.protocols.append(protocol)
        return protocol

    box_timeout: dict[str, float] = {}
    box.set_timeout = lambda seconds: box_timeout.__setitem__("value", seconds)  # type: ignore[attr-defined]
    server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0)
    box.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
    yield box
    server.close()
    for protocol in box.protocols:
        if protocol.transport is not None:
            protocol.transport.close()
    await server.wait_closed()


def transport(box: Upstream, **kwargs) -> SmtpTransport:
    settings = SmtpDeliverySettings(host="127.0.0.1", port=box.port, starttls="off", timeout=5)
    return SmtpTransport(settings, "gw.example", **kwargs)


async def test_consecutive_messages_share_one_connection_and_bytes_are_unchanged(upstream):
    smtp = transport(upstream)
    for n in range(5):
        reply = await smtp.send("bounce@relay.example", "b@example.net", MESSAGE + b"%d\r\n" % n)
        assert reply.startswith("2.0.0 ok")
    assert upstream.connections == 1
    assert upstream.received == [MESSAGE + b"%d\r\n" % n for n in range(5)]
    await smtp.close()
    await asyncio.sleep(0.05)
    assert upstream.quits == 1


async def test_concurrent_sends_open_at_most_what_is_in_flight(upstream):
    smtp = transport(upstream, max_idle=3)
    for _ in range(3):
        await asyncio.gather(
            *(smtp.send("s@relay.example", "b@example.net", MESSAGE) for _ in range(3))
        )
    assert len(upstream.received) == 9
    assert upstream.connections == 3
    await smtp.close()


async def test_pool_keeps_at_most_max_idle(upstream):
    smtp = transport(upstream, max_idle=1)
    await asyncio.gather(
        *(smtp.send("s@relay.example", "b@example.net", MESSAGE) for _ in range(3))
    )
    await asyncio.sleep(0.05)
    assert upstream.quits == 2  # two of the three connections were let go at once
    await smtp.send("s@relay.example", "b@example.net", MESSAGE)
    assert upstream.connections == 3
    await smtp.close()


async def test_connection_the_server_timed_out_is_replaced(upstream):
    upstream.set_timeout(0.2)
    smtp = transport(upstream)
    await smtp.send("s@relay.example", "b@example.net", MESSAGE)
    await asyncio.sleep(0.5)  # the server drops the idle connection
    await smtp.send("s@relay.example", "b@example.net", MESSAGE)
    assert upstream.connections == 2
    assert len(upstream.received) == 2
    await smtp.close()


async def test_421_on_a_kept_connection_retries_once_on_a_new_one(upstream):
    smtp = transport(upstream)
    await smtp.send("s@relay.example", "b@example.net", MESSAGE)
    upstream.mail_replies = ["421 4.7.0 too many messages on this connection"]
    reply = await smtp.send("s@relay.example", "b@example.net", MESSAGE + b"2\r\n")
    assert reply.startswith("2.0.0 ok")
    assert upstream.connections == 2
    assert upstream.received == [MESSAGE, MESSAGE + b"2\r\n"]
    await smtp.close()


async def test_421_on_a_new_connection_is_a_temporary_failure(upstream):
    smtp = transport(upstream)
    upstream.mail_replies = ["421 4.7.0 go away"]
    with pytest.raises(DeliveryError) as info:
        await smtp.send("s@relay.example", "b@example.net", MESSAGE)
    assert not info.value.permanent
    assert upstream.connections == 1
    assert upstream.received == []
    await smtp.close()


async def test_an_answer_other_than_250_closes_the_connection(upstream):
    smtp = transport(upstream)
    await smtp.send("s@relay.example", "b@example.net", MESSAGE)
    upstream.data_replies = ["451 4.3.0 try later", "554 5.7.1 no"]
    with pytest.raises(DeliveryError) as temporary:
        await smtp.send("s@relay.example", "b@example.net", MESSAGE)
    assert not temporary.value.permanent
    assert temporary.value.code == 451
    with pytest.raises(DeliveryError) as permanent:
        await smtp.send("s@relay.example", "b@example.net", MESSAGE)
    assert permanent.value.permanent
    assert permanent.value.code == 554
    await smtp.send("s@relay.example", "b@example.net", MESSAGE)
    assert upstream.connections == 3  # the first (reused once), then one after each refusal
    assert len(upstream.received) == 2
    await smtp.close()


async def test_idle_connections_are_closed_after_idle_seconds(upstream):
    smtp = transport(upstream)
    smtp.IDLE_SECONDS = 0.2
    await smtp.send("s@relay.example", "b@example.net", MESSAGE)
    await asyncio.sleep(0.6)
    assert upstream.quits == 1
    await smtp.send("s@relay.example", "b@example.net", MESSAGE)
    assert upstream.connections == 2
    await smtp.close()


async def test_a_connection_carries_at_most_max_transactions(upstream):
    smtp = transport(upstream)
    smtp.MAX_TRANSACTIONS = 2
    for _ in range(5):
        await smtp.send("s@relay.example", "b@example.net", MESSAGE)
    assert upstream.connections == 3
    await smtp.close()


async def test_unreachable_upstream_is_a_temporary_failure(upstream):
    smtp = transport(upstream)
    smtp.settings = SmtpDeliverySettings(host="127.0.0.1", port=1, starttls="off", timeout=5)
    with pytest.raises(DeliveryError) as info:
        await smtp.send("s@relay.example", "b@example.net", MESSAGE)
    assert not info.value.permanent
    await smtp.close()


# ---------------------------------------------------------------- the bytes on the wire

WIRE = st.lists(
    st.sampled_from([b".", b"..", b"a", b"text", b"\r\n", b"\n", b"\r", b"\r\n.", b"\xc3\xa9"]),
    max_size=30,
).map(b"".join)


@settings(max_examples=600, deadline=None)
@given(data=WIRE)
def test_dot_stuffing_equals_aiosmtplibs(data):
    """`dot_stuff` is aiosmtplib's PERIOD_REGEX on any bytes; `crlf_only` means what it says."""
    assert streaming.dot_stuff(data) == PERIOD_REGEX.sub(b"..", data)
    if streaming.crlf_only(data):
        assert normalize_message_line_endings(data) in (data, data + b"\r\n")
    else:
        assert normalize_message_line_endings(data) not in (data, data + b"\r\n")


class Recorder:
    """Records the raw DATA answer flow: what the server received, unstuffed, and MAIL's SIZE."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, list[str]]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received.append((envelope.original_content, list(envelope.mail_options)))
        return "250 2.0.0 ok"


@pytest.mark.parametrize(
    "data",
    [
        MESSAGE,
        MESSAGE.rstrip(b"\r\n"),  # no final line end: sendmail adds one, and counts it in SIZE
        b".starts with a dot\r\n..two\r\n.\r\n\r\n.",
        b"Subject: \xc3\xa9t\xc3\xa9\r\n\r\nbody \xc3\xa9\r\n",  # SMTPUTF8, BODY=8BITMIME
        b"bare\nline\rends\r\n.x\n",  # not CRLF-only: goes through sendmail itself
    ],
)
async def test_copies_arrive_as_aiosmtplib_sendmail_sends_them(data):
    """The server gets the same content and MAIL parameters from the transport as from
    `aiosmtplib.SMTP.sendmail` with the same options (the way every copy was sent before)."""
    box = Recorder()
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(box, decode_data=False, enable_SMTPUTF8=True), "127.0.0.1", 0
    )
    port = server.sockets[0].getsockname()[1]
    try:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        async with client:
            await client.sendmail(
                "s@relay.example", ["b@example.net"], data, mail_options=mail_options(data)
            )
        smarthost = SmtpDeliverySettings(host="127.0.0.1", port=port, starttls="off", timeout=5)
        smtp = SmtpTransport(smarthost, "gw.example")
        await smtp.send("s@relay.example", "b@example.net", data)
        await smtp.close()
    finally:
        server.close()
        await server.wait_closed()
    assert box.received[0] == box.received[1]


async def test_smtputf8_copy_to_a_server_without_it_is_a_temporary_failure():
    """As with sendmail: SMTPNotSupported, not a refusal by the server."""
    box = Recorder()
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(box, decode_data=False, enable_SMTPUTF8=False), "127.0.0.1", 0
    )
    port = server.sockets[0].getsockname()[1]
    smarthost = SmtpDeliverySettings(host="127.0.0.1", port=port, starttls="off", timeout=5)
    smtp = SmtpTransport(smarthost, "gw.example")
    try:
        with pytest.raises(DeliveryError) as info:
            await smtp.send("s@relay.example", "b@example.net", b"Subject: \xc3\xa9\r\n\r\nx\r\n")
        assert not info.value.permanent
        assert "SMTPNotSupported" in str(info.value)
    finally:
        await smtp.close()
        server.close()
        await server.wait_closed()
    assert box.received == []
