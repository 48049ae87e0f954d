"""The hostile corpus through the real server: relayed intact or refused with a precise 5xx.

For each case, in one SMTP session: the promised reply (never 4xx), the session still usable
(NOOP), and then either the copy Bo receives (parses, keeps the marker text and the attachment
byte for byte, CRLF only, no line over 998 octets, no real address) or nothing stored at all.
"""

from __future__ import annotations

import base64
import os
import re

import pytest

from gateway import mime
from storage import archive
from tests.abuse_helpers import RawClient
from tests.conftest import new_conversation
from tests.hostile.build import FOLDER
from tests.hostile.corpus import Case, cases

CASES = cases()
_BARE = re.compile(rb"\r(?!\n)|(?<!\r)\n")


def with_end_marker(data: bytes) -> bytes:
    return data + (b"" if data.endswith(b"\r\n") else b"\r\n") + b".\r\n"


def unstuffed(data: bytes) -> bytes:
    """DATA content as the server must keep it: a leading dot of each CRLF line removed."""
    lines = data[: -len(b".\r\n")].split(b"\r\n")
    return b"\r\n".join(line[1:] if line.startswith(b".") else line for line in lines)


def visible_text(data: bytes) -> str:
    """Everything a reader could see: the raw bytes plus every decoded text leaf."""
    message = mime.parse(data)
    texts = [data.decode("latin-1")]
    texts += [mime.part_text(p) for p in message.walk() if p.get_content_maintype() == "text"]
    return "\n".join(texts)


def attachments(data: bytes) -> list[bytes]:
    message = mime.parse(data)
    return [
        p.get_payload(decode=True) or b""
        for p in message.walk()
        if p.get_content_type() == "application/octet-stream"
    ]


def test_the_files_match_the_generator():
    """tests/hostile/cases/*.eml are exactly what corpus.py generates."""
    on_disk = {p.stem: p.read_bytes() for p in FOLDER.glob("*.eml")}
    assert on_disk == {c.name: c.data for c in CASES}


def test_no_case_promises_a_temporary_answer():
    assert all(c.code == 250 or 500 <= c.code < 600 for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_hostile_case(relay, sink, case: Case):
    conv = new_conversation(relay.engine)
    data = with_end_marker(case.for_conversation("ann@example.org", conv.bo))
    client, _ = await RawClient.connect(relay)
    await client.command("EHLO hostile.example")
    reply = await client.transaction("ann@example.org", [conv.bo], data)
    assert (reply.code, reply.enhanced) == (case.code, case.enhanced), reply
    assert (await client.command("NOOP")).code == 250  # the session is still usable
    await client.close()
    stored = archive.messages_of(relay.engine, conv.thread_id)
    if case.code != 250:
        assert stored == []  # refused means nothing half-stored
        return
    (message,) = stored
    assert message.raw == unstuffed(data)  # the record is the bytes as received
    await sink.wait_for(1)
    (_, rcpts, copy) = sink.received[0]
    assert rcpts == ["bo@example.net"]
    assert not _BARE.search(copy), "bare CR or LF left the gateway"
    assert max(len(line) for line in copy.split(b"\r\n")) <= 998
    assert b"ann@example.org" not in copy.lower()
    assert case.marker in visible_text(copy)
    if case.attachment is not None:
        assert case.attachment in attachments(copy)


async def test_smuggled_end_markers_never_make_a_second_message(relay, sink):
    """<LF>.<LF> and <CR>.<CR> inside DATA: one message arrives, with that content; no other."""
    conv = new_conversation(relay.engine)
    (case,) = [c for c in CASES if c.name == "smuggled-end-markers"]
    client, _ = await RawClient.connect(relay)
    await client.command("EHLO smuggler.example")
    reply = await client.transaction(
        "ann@example.org",
        [conv.bo],
        with_end_marker(case.for_conversation("ann@example.org", conv.bo)),
    )
    assert reply.code == 250
    # Had the server ended DATA early, the smuggled commands' replies would be waiting now.
    assert (await client.command("NOOP")).code == 250
    await client.close()
    await sink.wait_for(1)
    assert len(sink.received) == 1
    assert [m.rcpt_tos for m in archive.messages_of(relay.engine, conv.thread_id)] == [[conv.bo]]
    text = visible_text(sink.received[0][2])
    assert "MAIL FROM:<evil@example.com>" in text
    assert "RCPT TO:<victim@example.com>" in text


async def test_a_25_mb_attachment_is_refused_and_one_that_fits_is_relayed_intact(relay, sink):
    """A 25 MB file is about 34 MB in base64: 552 5.3.4. A file filling the limit arrives intact."""
    conv = new_conversation(relay.engine)
    head = (
        f"From: Ann Lee <ann@example.org>\r\nTo: {conv.bo}\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=BIG\r\n\r\n--BIG\r\nContent-Type: text/plain\r\n\r\n"
        "MARK-BIG\r\n--BIG\r\nContent-Type: application/octet-stream\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode()

    def mail(payload: bytes) -> bytes:
        encoded = base64.encodebytes(payload).replace(b"\n", b"\r\n")
        return head + encoded + b"--BIG--\r\n.\r\n"

    client, _ = await RawClient.connect(relay)
    await client.command("EHLO big.example")
    reply = await client.transaction("ann@example.org", [conv.bo], mail(os.urandom(25 * 2**20)))
    assert (reply.code, reply.enhanced) == (552, "5.3.4")
    payload = os.urandom(18 * 2**20)  # 24.3 MB as base64: under the 25 MB limit
    reply = await client.transaction("ann@example.org", [conv.bo], mail(payload))
    assert reply.code == 250, reply
    await client.close()
    await sink.wait_for(1, timeout=120)
    assert payload in attachments(sink.received[0][2])
    assert "MARK-BIG" in visible_text(sink.received[0][2])
