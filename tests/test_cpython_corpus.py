"""CPython's own email test corpus, relayed end to end through a real gateway.

The issue asks: "Every message in CPython's own email test data (the `test/test_email/data/msg_*.txt`
files of the Python install) relays without an exception, attachments intact." Each file is sent
as Ann (ann@example.org) to Bo's relay address with only its top-level From/To changed and its
line ends made CRLF, and the copy that reaches the upstream sink is checked: re-parses with no new
defects, every attachment decodes to the same bytes, no real address, valid DKIM signature.

One gateway (and one sink) per database serves the whole module: starting ~100 gateways would be
slow, and the per-file tests stay separate so a failure names its file. Each file gets a thread
of its own, and its copy is found at the sink by the X-Relay-Thread header.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import sysconfig
from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage
from pathlib import Path

import dkim
import pytest
import pytest_asyncio
from aiosmtpd.smtp import SMTP

from gateway import footer, mime
from gateway.server import Gateway
from storage import archive
from tests.conftest import (
    Conversation,
    Running,
    Sink,
    asend,
    eventually,
    fresh_database,
    make_settings,
    new_conversation,
)
from tests.test_relay_e2e import dns_for

CORPUS_DIR = Path(sysconfig.get_paths()["stdlib"]) / "test" / "test_email" / "data"
CORPUS = sorted(CORPUS_DIR.glob("msg_*.txt"))
REAL_ADDRESSES = (b"ann@example.org", b"bo@example.net")

# Files the gateway deliberately refuses: name -> the exact reply, with a comment saying why.
# Empty: every file of the corpus, malformed ones included, is relayed. A refusal must be a
# precise 5xx with an enhanced status code, never 451 (an internal error) or 500 (aiosmtpd's
# generic answer).
REFUSED: dict[str, str] = {}

# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def corpus_db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Module-wide twin of conftest's `db_url`: a fresh SQLite file or PostgreSQL schema."""
    with fresh_database(request.param, tmp_path_factory.mktemp("corpus")) as url:
        yield url


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def corpus_relay(
    corpus_db_url: str, tmp_path_factory: pytest.TempPathFactory, dkim_key
) -> AsyncIterator[tuple[Running, Sink]]:
    """One sink and one gateway delivering to it, shared by every file of the corpus."""
    sink = Sink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, enable_SMTPUTF8=True, decode_data=False), "127.0.0.1", 0
    )
    sink.port = server.sockets[0].getsockname()[1]
    # Every finding is only flagged: this module is about MIME, not policy, and a held
    # message would never reach the sink.
    settings = make_settings(
        corpus_db_url,
        tmp_path_factory.mktemp("gateway"),
        dkim_key[0],
        delivery__smtp={"port": sink.port},
        policy={"contact": "flag", "payment": "flag"},
    )
    gateway = Gateway(settings)
    await gateway.start(port=0)
    host, port = gateway.address
    try:
        yield Running(gateway, settings, host, port), sink
    finally:
        await gateway.stop()
        server.close()
        await server.wait_closed()


# --------------------------------------------------------------------------- helpers


def as_sent(raw: bytes, conv: Conversation) -> bytes:
    """The file with CRLF line ends and its top-level From/To (or new ones on top) set to Ann/Bo.

    Every other byte is kept, a leading mbox "From " line included; smtplib does the dot-stuffing.
    """
    lines = re.split(rb"\r\n|\r|\n", raw)
    end = lines.index(b"") if b"" in lines else len(lines)
    start = 1 if lines and lines[0].startswith(b"From ") else 0
    values = {b"from": b"From: Ann Lee <ann@example.org>", b"to": b"To: " + conv.bo.encode()}
    head, seen, skipping = [], set(), False
    for line in lines[start:end]:
        if line[:1] in (b" ", b"\t") and skipping:
            continue  # a folded continuation of a replaced field
        name = line.split(b":", 1)[0].strip().lower() if b":" in line else b""
        skipping = name in values and line[:1] not in (b" ", b"\t")
        if skipping:
            head.append(values[name])
            seen.add(name)
        else:
            head.append(line)
    missing = [values[n] for n in (b"from", b"to") if n not in seen]
    data = b"\r\n".join([*lines[:start], *missing, *head, *lines[end:]])
    return data if data.endswith(b"\r\n") else data + b"\r\n"  # as SMTP DATA ends anyway


def attachments(message: EmailMessage) -> list[tuple[str, str | None, bytes | None]]:
    """(type, filename, decoded bytes) of every leaf the gateway must pass on unchanged, in order.

    That is every non-text leaf (inside forwarded messages too), every text leaf marked as an
    attachment, and every text leaf with a filename that is not part of the readable body.
    """
    body = {id(p) for p in mime.body_parts(message)}
    found = []
    for part, nested in _leaves(message, nested=False):
        if part.get_content_maintype() == "text" and not (
            part.get_content_disposition() == "attachment"
            or (part.get_filename() and id(part) not in body)
        ):
            continue
        payload = part.get_payload(decode=True)
        if nested and part.get_content_maintype() == "multipart" and payload is not None:
            # A multipart the parser could not split stays one string, and for those the stdlib
            # leaves the line end that belongs to the next delimiter (RFC 2046 5.1.1) in it.
            payload = re.sub(rb"(\r\n|\r|\n)\Z", b"", payload, count=1)
        found.append((part.get_content_type(), part.get_filename(), payload))
    return found


def _leaves(part: EmailMessage, *, nested: bool) -> Iterator[tuple[EmailMessage, bool]]:
    """Every leaf in walk() order, and whether it lies inside a split multipart."""
    if not part.is_multipart():
        yield part, nested
        return
    inside = nested or part.get_content_maintype() == "multipart"
    for child in part.get_payload():  # type: ignore[union-attr]
        yield from _leaves(child, nested=inside)


def defect_kinds(message: EmailMessage) -> set[str]:
    """The names of the parser defects anywhere in the message."""
    return {type(d).__name__ for part in message.walk() for d in part.defects}


def copies_for(sink: Sink, thread_id: str) -> list[bytes]:
    """The delivered copies that belong to one thread (sinks are shared by the whole module)."""
    marker = f"X-Relay-Thread: {thread_id}@".encode()
    return [data for _, _, data in sink.received if marker in data]


def parse(data: bytes) -> EmailMessage:
    """Parse as the gateway and a modern mail program would."""
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


# --------------------------------------------------------------------------- tests


def test_corpus_is_installed():
    """The Python install carries CPython's email test data (else the corpus test is vacuous)."""
    assert len(CORPUS) >= 47, f"no CPython email corpus under {CORPUS_DIR}"


def test_as_sent_replaces_only_the_top_level_from_and_to():
    """The test's own rewriting changes From/To (folded or missing) and line ends, nothing else."""
    conv = Conversation("th_x", "ann.relay@relay.example", "bo.relay@relay.example")
    raw = (
        b"From someone Fri Apr 06 16:46:09 2001\n"
        b"Subject: hi\nTO: a@b.example,\n\tc@d.example\nX-To: kept\n\n"
        b"From: body line\nTo: body line\r\n"
    )
    assert as_sent(raw, conv) == (
        b"From someone Fri Apr 06 16:46:09 2001\r\nFrom: Ann Lee <ann@example.org>\r\n"
        b"Subject: hi\r\nTo: bo.relay@relay.example\r\nX-To: kept\r\n\r\n"
        b"From: body line\r\nTo: body line\r\n"
    )


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
async def test_corpus_message_relays_with_attachments_intact(
    path: Path, corpus_relay: tuple[Running, Sink], dkim_key
):
    """One corpus file relays: 250, one signed copy, attachments byte-identical, no real address."""
    relay, sink = corpus_relay
    conv = new_conversation(relay.engine)
    sent = as_sent(path.read_bytes(), conv)
    code, text = await asend(relay, "ann@example.org", [conv.bo], sent)

    if path.name in REFUSED:
        assert f"{code} {text}" == REFUSED[path.name]
        assert re.fullmatch(r"5(?!00)\d\d 5\.\d{1,3}\.\d{1,3} \S.*", REFUSED[path.name])
        return
    assert code == 250, f"{code} {text}"

    [row] = archive.messages_of(relay.engine, conv.thread_id)
    assert row.raw == sent  # the archive keeps the bytes as received
    deliveries = await eventually(
        lambda: [d for d in archive.deliveries_of(relay.engine, row.id) if d.status != "queued"]
    )
    assert [d.status for d in deliveries] == ["delivered"], deliveries[0].last_response
    [data] = copies_for(sink, conv.thread_id)
    assert deliveries[0].outgoing == data

    original, delivered = parse(sent), parse(data)
    assert delivered["From"].addresses[0].addr_spec == conv.ann
    assert [a.addr_spec for a in delivered["To"].addresses] == [conv.bo]
    assert defect_kinds(delivered) <= defect_kinds(original)
    assert attachments(delivered) == attachments(original)
    for real in REAL_ADDRESSES:
        assert real not in data.lower()
    assert dkim.verify(data, dnsfunc=dns_for(dkim_key[1]))


UNSPLIT_INSIDE = (
    b"Content-Type: multipart/mixed; boundary=A\r\n\r\n"
    b"--A\r\nContent-Type: multipart/alternative\r\n\r\nno boundary here\r\n"
    b"--A\r\nContent-Type: image/gif\r\nContent-Transfer-Encoding: base64\r\n\r\nR0lG\r\n"
    b"--A--\r\n"
)


def test_unsplit_nested_multipart_round_trips_byte_for_byte():
    """A nested multipart the parser cannot split gains no blank line per parse and serialize."""
    once = mime.serialize(mime.parse(UNSPLIT_INSIDE))
    assert once == UNSPLIT_INSIDE
    assert mime.serialize(mime.parse(once)) == UNSPLIT_INSIDE


def test_unsplit_top_level_multipart_keeps_its_content_when_wrapped():
    """A top-level unsplit multipart keeps its last line end, also once wrapped with a footer."""
    raw = b"Content-Type: multipart/mixed; boundary=A\r\n\r\nHi there\r\n"
    message = mime.parse(raw)
    assert message.get_payload() == "Hi there\r\n"
    wrapped = mime.parse(mime.serialize(footer.add_footer(message, footer.Footer("f\n", "f"))))
    [inner, _footer_part] = wrapped.get_payload()
    assert inner.get_payload() == "Hi there\r\n"
