"""The big-message path (gateway.bigmessage): the skeleton, the splice, signing in pieces.

Each test compares with the ordinary path on the same bytes: the skeleton path must produce
exactly what parsing, serialising and signing the whole message produces.
"""

from __future__ import annotations

import asyncio
import base64
import os
import random
import re

import dkim
import pytest
from dkim.canonicalization import CanonicalizationPolicy

from gateway import mime, rewrite
from gateway.bigmessage import dkim_stream, skeleton
from gateway.data_reader import DataReader, DataResult
from gateway.signing import DkimSigner, generate_key
from storage.chunks import Chunks

RELAXED = CanonicalizationPolicy.from_c_value(b"relaxed/relaxed")


def attachment(size: int) -> bytes:
    """`size` random bytes, base64 in CRLF lines as mail programs write them."""
    return base64.encodebytes(os.urandom(size)).replace(b"\n", b"\r\n")


def big_message(size: int = 300_000, *, kind: str = "application/octet-stream") -> bytes:
    head = (
        "From: Ann Lee <ann@example.org>\r\nTo: bo@example.net\r\nSubject: big file\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=BIG\r\n\r\n"
        "--BIG\r\nContent-Type: multipart/alternative; boundary=ALT\r\n\r\n"
        "--ALT\r\nContent-Type: text/plain\r\n\r\nThe file is attached, write ann@example.org.\r\n"
        "--ALT\r\nContent-Type: text/html\r\n\r\n<p>The file is attached.</p>\r\n--ALT--\r\n"
        f"--BIG\r\nContent-Type: {kind}\r\n"
        'Content-Disposition: attachment; filename="big.bin"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode()
    second = (
        b"\r\n--BIG\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + attachment(size // 2)
    )
    return head + attachment(size) + second + b"\r\n--BIG--\r\n"


def test_the_skeleton_serialises_to_the_same_bytes_as_the_whole_message():
    raw = big_message()
    made = skeleton.make(raw, part_min=10_000)
    assert made is not None
    shape, tree = made
    assert len(shape.spans) == 2
    assert len(shape.data) < 3_000
    head, body = skeleton.splice(mime.serialize(tree), shape, raw)
    whole = mime.serialize(mime.parse(raw))
    assert head + b"\r\n" + body.join() == whole
    assert [p.get_content_type() for p in tree.walk()] == [
        p.get_content_type() for p in mime.parse(raw).walk()
    ]


@pytest.mark.parametrize(
    "change",
    [
        lambda raw: raw.replace(b"application/octet-stream", b"text/plain"),  # text is read
        lambda raw: raw.replace(b"big.bin", b"notes.txt"),  # text by its file name
        lambda raw: (
            raw.replace(b"Content-Transfer-Encoding: base64\r\n\r\n", b"\r\n", 1)[:-100]
            + b"\xff" * 100
        ),  # 8-bit bytes
    ],
)
def test_parts_a_stage_reads_or_that_could_change_are_never_cut(change):
    raw = change(big_message())
    made = skeleton.make(raw, part_min=10_000)
    cut = [] if made is None else [raw[s:e] for s, e in made[0].spans.values()]
    assert all(b"The file is attached" not in piece for piece in cut)
    if made is not None:  # what is cut is only the image, and it is still byte-identical
        head, body = skeleton.splice(mime.serialize(made[1]), made[0], raw)
        assert head + b"\r\n" + body.join() == mime.serialize(mime.parse(raw))
        assert len(made[0].spans) == 1


def test_a_boundary_line_hidden_in_a_part_stops_the_cut():
    raw = big_message()
    lines = raw.split(b"\r\n")
    middle = len(lines) // 3
    lines[middle] = b"--BIG"  # the parser splits here: the span would not be one leaf
    raw = b"\r\n".join(lines)
    made = skeleton.make(raw, part_min=10_000)
    if made is not None:
        head, body = skeleton.splice(mime.serialize(made[1]), made[0], raw)
        assert head + b"\r\n" + body.join() == mime.serialize(mime.parse(raw))


def test_bare_line_ends_stop_the_cut():
    raw = big_message().replace(b"\r\n", b"\n")
    assert skeleton.make(raw, part_min=10_000) is None


@pytest.mark.parametrize("seed", range(30))
def test_relaxed_body_hash_in_windows_equals_dkimpys(seed):
    rng = random.Random(seed)
    alphabet = [b"a", b" ", b"\t", b"\r\n", b"\r\n", b"x y", b"\r"]
    body = b"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
    body = body.replace(b"\r\r\n", b"\r\n")
    if body.count(b"\n") != body.count(b"\r\n"):
        body = body.replace(b"\n", b"")
    pieces = []
    position = 0
    while position < len(body):
        step = rng.randint(1, 40)
        pieces.append(body[position : position + step])
        position += step
    chunks = Chunks(pieces)
    expected = __import__("hashlib").sha256(RELAXED.canonicalize_body(body)).digest()
    size = rng.randint(1, 50)
    assert dkim_stream.relaxed_body_hash(dkim_stream.line_windows(chunks, size)) == expected


@pytest.fixture(scope="module")
def signer(tmp_path_factory):
    path = tmp_path_factory.mktemp("key") / "relay.key"
    generate_key(path)
    loaded = DkimSigner.load(domain="relay.example", selector="s1", private_key_file=path)
    return DkimSigner(
        domain=loaded.domain,
        selector=loaded.selector,
        private_key=loaded.private_key,
        clock=lambda: 1_700_000_000,
    )


def test_signing_in_pieces_equals_signing_the_joined_message(signer):
    raw = big_message(200_000)
    shape, tree = skeleton.make(raw, part_min=10_000)
    rewrite.strip_to_mime(tree)  # as the rewrite stage leaves it: MIME headers only
    headers = b"From: Ann via GigBridge <ann.x@relay.example>\r\nTo: bo.y@relay.example\r\n"
    mime_head, body = skeleton.splice(mime.serialize(tree), shape, raw)
    signed = dkim_stream.sign(signer, headers + mime_head, body)
    joined = headers + mime_head + b"\r\n" + body.join()
    assert signed.join() == signer.sign(joined)
    assert signer.verify(signed.join())
    record = signer.dns_txt.encode()
    assert dkim.verify(signed.join(), dnsfunc=lambda name, timeout=5: record)


def test_signing_in_pieces_refuses_what_the_signer_refuses(signer):
    with pytest.raises(ValueError, match="From"):
        dkim_stream.sign(signer, b"To: x@example.net\r\n", Chunks([b"text\r\n"]))
    with pytest.raises(ValueError, match="bare LF"):
        dkim_stream.sign(signer, b"From: a@example.net\r\n", Chunks([b"a\nb\r\n"]))


def read_data(wire: bytes, **options) -> DataResult:
    async def go():
        reader = asyncio.StreamReader(limit=1024)
        reader.feed_data(wire)
        reader.feed_eof()
        return await DataReader(reader, too_big="552 too big", **options).read()

    return asyncio.run(go())


@pytest.mark.parametrize("spool_over", [0, 1, 5_000, 10**9])
def test_data_spooled_to_a_file_comes_back_byte_identical(spool_over):
    lines = [b"..leading dot\r\n", b"x" * 900 + b"\r\n", b"bare\nLF and \r CR\r\n", b".\r\n"]
    rng = random.Random(1)
    content = b"".join(rng.choice(lines) for _ in range(400))
    assert b"\r\n.\r\n" in content  # a lone dot line inside: stuffed on the wire
    wire = re.sub(rb"(?m)^\.", b"..", content) + b".\r\n"
    result = read_data(wire, size_limit=None, spool_over=spool_over)
    assert result.problem is None
    assert result.content == content
    assert isinstance(result.content, bytes)


def test_an_oversized_spooled_message_is_refused_and_dropped():
    wire = b"a" * 500 + b"\r\n"
    result = read_data(wire * 100 + b".\r\n", size_limit=20_000, spool_over=1_000)
    assert result.problem == "552 too big"
    assert result.content is None


@pytest.mark.parametrize("line_end", [b"\r\n", b"\n"])
def test_header_bytes_parse_to_the_same_headers_as_the_whole_message(line_end):
    from email.parser import BytesHeaderParser
    from email.policy import default

    from gateway.bigmessage import header_bytes

    raw = big_message(100_000).replace(b"\r\n", line_end)
    head = header_bytes(raw)
    assert len(head) < 200
    parser = BytesHeaderParser(policy=default)
    assert parser.parsebytes(head).items() == parser.parsebytes(raw).items()
