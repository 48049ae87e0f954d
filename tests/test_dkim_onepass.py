"""One-pass signing: our own relaxed canonicalisation, proven against dkimpy and OpenDKIM.

The signer no longer hands the joined bytes to dkimpy; it canonicalises the header block and
body the sign stage wrote (gateway.dkim_canon). These tests check that the result is what an
independent verifier computes, over many message shapes: dkimpy's canonicaliser and `dkim.sign`
byte for byte, `dkim.verify`, a hypothesis property over generated messages, OpenDKIM's
`opendkim-testmsg`, and the real sign stage with several recipients.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import types

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from dkim.canonicalization import Relaxed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway import dkim_canon, mime
from gateway.context import Envelope, MessageContext, OutgoingCopy, Person
from gateway.signing import DkimSigner, generate_key, header_names_to_sign, split_message
from gateway.stages.sign import SelfVerify, Sign
from storage.models import utcnow
from tests.postfix_helpers import DkimDns, opendkim_verify

DOMAIN, SELECTOR = "relay.example.com", "one"
FIXED_TIME = 1_700_000_000

LONG = b"x" * 990
SHAPES = {
    "plain": b"From: a@relay.example.com\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nHello\r\n",
    "folded headers": (
        b"From: Ann\r\n\t<a@relay.example.com>\r\nTo: b@example.org,\r\n  c@example.org\r\n"
        b"Subject: a  long\r\n subject\t\r\n\twith tabs\r\nReferences: <x@y>\r\n <z@y>\r\n"
        b"\r\nBody\r\n"
    ),
    "trailing whitespace": (
        b"From: a@relay.example.com  \r\nSubject:   spaced   out  \t\r\nTo:b@example.org\r\n\r\n"
        b"line one   \r\n\tline\t two \t\r\n  \r\n\r\n\r\n"
    ),
    "empty body": b"From: a@relay.example.com\r\nSubject: nothing\r\n\r\n",
    "only blank lines": b"From: a@relay.example.com\r\nSubject: blank\r\n\r\n\r\n\r\n\r\n",
    "no empty line": b"From: a@relay.example.com\r\nSubject: headers only\r\n",
    "no final CRLF": b"From: a@relay.example.com\r\n\r\nlast line without end",
    "long lines": b"From: a@relay.example.com\r\nSubject: "
    + LONG[:900]
    + b"\r\n\r\n"
    + LONG
    + b"\r\n",
    "8-bit": (
        "From: Zoë <zoë@relay.example.com>\r\nSubject: Grüße — 日本語\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Ça va?  très   bien \r\n\xa0non-breaking\xa0 \r\n"
    ).encode()
    + b"latin-1 \xe9\xe8\r\n",
    "repeated and oversigned": (
        b"To: one@example.org\r\nFrom: a@relay.example.com\r\nTo: two@example.org\r\n"
        b"Cc: c@example.org\r\nCc: d@example.org\r\nX-Other: 1\r\n\r\nbody\r\n"
    ),
    "upper-case names": b"FROM: a@relay.example.com\r\nSUBJECT: Shout\r\nTo: b@x.org\r\n\r\nb\r\n",
    "multipart": (
        b"From: a@relay.example.com\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/alternative;\r\n boundary="b1"\r\n\r\npreamble\r\n'
        b"--b1\r\nContent-Type: text/plain\r\n\r\ntext  \r\n--b1\r\n"
        b"Content-Type: text/html\r\n\r\n<p>  html</p>\r\n--b1--\r\n"
    ),
}


def _key(tmp_path_factory, algorithm: str) -> DkimSigner:
    path = tmp_path_factory.mktemp("keys") / f"{algorithm}.pem"
    generate_key(path, algorithm=algorithm)
    return DkimSigner.load(
        domain=DOMAIN, selector=SELECTOR, private_key_file=path, algorithm=algorithm
    )


@pytest.fixture(scope="module")
def rsa(tmp_path_factory) -> DkimSigner:
    return _key(tmp_path_factory, "rsa-sha256")


@pytest.fixture(scope="module")
def ed(tmp_path_factory) -> DkimSigner:
    return _key(tmp_path_factory, "ed25519-sha256")


def dkimpy_key(signer: DkimSigner) -> bytes:
    if signer.algorithm == "rsa-sha256":
        return signer.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    return base64.b64encode(signer.private_key.private_bytes_raw())


def dkimpy_sign(signer: DkimSigner, message: bytes) -> bytes:
    """dkimpy's own signature for the same key, h= list and (pinned) time."""
    return dkim.sign(
        message,
        SELECTOR.encode(),
        DOMAIN.encode(),
        dkimpy_key(signer),
        canonicalize=(b"relaxed", b"relaxed"),
        signature_algorithm=signer.algorithm.encode(),
        include_headers=header_names_to_sign(message),
    )


def verifies(signer: DkimSigner, signed: bytes) -> bool:
    record = signer.dns_txt.encode()
    return bool(dkim.verify(signed, dnsfunc=lambda name, timeout=5: record))


@pytest.fixture
def pinned(monkeypatch):
    """dkimpy's clock pinned, as ours is through `clock`."""
    monkeypatch.setattr(dkim, "time", types.SimpleNamespace(time=lambda: FIXED_TIME))


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("algorithm", ["rsa", "ed"])
def test_every_shape_equals_dkimpy_byte_for_byte_and_verifies(shape, algorithm, request, pinned):
    signer = dataclasses.replace(request.getfixturevalue(algorithm), clock=lambda: FIXED_TIME)
    message = SHAPES[shape]
    signed = signer.sign(message)
    assert signed == dkimpy_sign(signer, message) + message
    assert verifies(signer, signed)
    _, body = split_message(message)
    if body:  # a changed body byte fails the body hash
        assert not verifies(signer, signed[:-3] + bytes([signed[-3] ^ 1]) + signed[-2:])


def test_signature_from_the_pieces_equals_signing_the_joined_bytes(rsa):
    """signature(head, body) is what sign() prepends; a given body hash is used as is."""
    signer = dataclasses.replace(rsa, clock=lambda: FIXED_TIME)
    for message in SHAPES.values():
        head, body = split_message(message)
        field = signer.signature(head, body)
        assert signer.sign(message) == field + message
        assert signer.signature(head, body, signer.body_hash(body)) == field


def test_relaxed_body_matches_dkimpy_on_edge_cases():
    for body in [
        b"",
        b"\r\n",
        b"\r\n\r\n",
        b"a",
        b"a \t ",
        b"a\r\n\r\n",
        b" \r\n",
        b"\t\r\n x",
        b"a  b\t\tc \t d\r\n",
        b"x\r\r\n\r\n",
        b"  lead\r\n",
    ]:
        assert dkim_canon.relaxed_body(body) == Relaxed.canonicalize_body(body), body


def test_malformed_header_blocks_are_refused(rsa):
    """What dkimpy would not read as we do is refused (the sign stage holds the copy)."""
    for message in [
        b" folded first\r\nFrom: a@relay.example.com\r\n\r\nx\r\n",
        b"From: a@relay.example.com\r\nno colon here\r\n\r\nx\r\n",
        b"From: a@relay.example.com\r\nTo : space before the colon\r\n\r\nx\r\n",
        b"From: a@relay.example.com\nSubject: bare LF\r\n\r\nx\r\n",
        b"From: a@relay.example.com\r\n\r\nbody with bare\nLF\r\n",
        b"Subject: no from\r\n\r\nx\r\n",
        b"From: a@relay.example.com\r\nFrom: b@relay.example.com\r\n\r\nx\r\n",
    ]:
        with pytest.raises(ValueError, match=r"malformed|bare LF|exactly one From"):
            rsa.sign(message)


# --------------------------------------------------------------------------- property

NAMES = st.sampled_from(
    [b"To", b"Cc", b"Subject", b"Date", b"Message-ID", b"Content-Type", b"X-Any", b"reply-to"]
)
WSP = st.sampled_from([b" ", b"\t", b"  ", b" \t ", b""])
WORD = st.binary(min_size=0, max_size=12).map(
    lambda b: bytes(c for c in b if c not in b"\r\n" and c != 0x3A) or b"w"
)


@st.composite
def header_value(draw) -> bytes:
    parts = []
    for index in range(draw(st.integers(1, 5))):
        if index and draw(st.booleans()):
            parts.append(b"\r\n" + draw(st.sampled_from([b" ", b"\t", b"  "])))
        parts.append(draw(WSP) + draw(WORD) + draw(WSP))
    return b"".join(parts)


@st.composite
def messages(draw) -> bytes:
    fields = [(b"From", b" a@relay.example.com")]
    fields += [(draw(NAMES), draw(header_value())) for _ in range(draw(st.integers(0, 6)))]
    order = draw(st.permutations(fields))
    head = b"".join(name + b":" + value + b"\r\n" for name, value in order)
    lines = draw(
        st.lists(
            st.builds(lambda ws, w, tail: ws + w + tail, WSP, WORD, WSP)
            | st.sampled_from([b"", b"x" * 998]),
            max_size=12,
        )
    )
    body = b"\r\n".join(lines)
    if draw(st.booleans()):
        body += b"\r\n" * draw(st.integers(1, 3))
    return head + b"\r\n" + body


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=messages())
def test_property_signatures_equal_dkimpy_and_verify(ed, message):
    """Any generated message: our relaxed body equals dkimpy's, our header equals dkim.sign's
    (Ed25519 is deterministic; its clock pinned by hand) and dkim.verify accepts it."""
    _, body = split_message(message)
    assert dkim_canon.relaxed_body(body) == Relaxed.canonicalize_body(body)
    signer = dataclasses.replace(ed, clock=lambda: FIXED_TIME)
    signed = signer.sign(message)
    original = dkim.time
    dkim.time = types.SimpleNamespace(time=lambda: FIXED_TIME)
    try:
        assert signed == dkimpy_sign(signer, message) + message
    finally:
        dkim.time = original
    assert verifies(signer, signed)


# --------------------------------------------------------------------------- the sign stage

ANN = Person(1, "client", "Ann", "ann@example.org", "ann.a@relay.example.com")
BO = Person(2, "freelancer", "Bo", "bo@example.net", "bo.b@relay.example.com")
CY = Person(3, "freelancer", "Cy", "cy@example.com", "cy.c@relay.example.com")


def stage_output(signer: DkimSigner, raw: bytes, recipients) -> tuple[OutgoingCopy, ...]:
    """Run the real sign stage on copies built from `raw`, one per recipient."""
    services = types.SimpleNamespace(signer=signer)
    copies = tuple(
        OutgoingCopy(
            recipient=person,
            message=mime.parse(raw),
            headers=(
                f"From: Ann via P <{ANN.relay_address}>\r\nTo: {person.label} "
                f"<{person.relay_address}>\r\nSubject: copy \t for  {person.label}\r\n"
                "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nX-Relay-Thread: th@relay.example.com\r\n"
            ).encode(),
        )
        for person in recipients
    )
    ctx = MessageContext(
        queue_id="q",
        envelope=Envelope(ANN.address, (), "", "", False, True, utcnow()),
        raw=raw,
        outgoing=copies,
    )
    stage = Sign(services, SelfVerify(first=0, every=10**6))  # dkimpy is the test's job here
    return asyncio.run(stage(ctx)).outgoing


BODIES = {
    "text": b"Content-Type: text/plain; charset=utf-8\r\n\r\nHi  there \r\n\r\n\r\n",
    "no final line end": b"Content-Type: text/plain\r\n\r\nends here   ",
    "empty": b"Content-Type: text/plain\r\n\r\n",
    "8-bit": "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n\r\nGrüße\t aus  Köln\r\n".encode(),
    "multipart": SHAPES["multipart"].split(b"\r\n", 2)[2],
    "no MIME headers": b"\r\njust a body\r\n",
}


@pytest.mark.parametrize("body", list(BODIES))
def test_the_sign_stage_signs_each_copy_verifiably(rsa, body):
    """Several recipients, one body: each copy verifies with dkimpy, as sent (SMTP ends DATA
    with CRLF, so a body without one gets it before signing)."""
    copies = stage_output(rsa, BODIES[body], (BO, CY))
    assert [c.status for c in copies] == ["queued", "queued"]
    for copy in copies:
        assert copy.data.startswith(b"DKIM-Signature:")
        assert copy.data.endswith(b"\r\n") or copy.data.endswith(b"\r\n\r\n") or not body
        assert verifies(rsa, copy.data)
        assert copy.recipient.relay_address.encode() in copy.data
    bh = {c.data.split(b"bh=")[1].split(b";")[0] for c in copies}
    assert len(bh) == 1  # the same body, the same body hash


# --------------------------------------------------------------------------- OpenDKIM


def test_opendkim_verifies_every_shape(rsa, tmp_path):
    """OpenDKIM (an independent C implementation) verifies our signature on every shape and on
    the sign stage's output, and fails a changed byte."""
    # OpenDKIM refuses a message without Date or with two To/Cc fields as a syntax error
    # (RFC 5322 3.6); the gateway always writes one Date and at most one To and Cc.
    date = b"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
    signed = [rsa.sign(date + m) for k, m in SHAPES.items() if k != "repeated and oversigned"]
    signed += [c.data for b in BODIES.values() for c in stage_output(rsa, b, (BO,))]
    dns = DkimDns({f"{SELECTOR}._domainkey.{DOMAIN}": rsa.dns_txt})
    dns.start()
    try:
        results = [opendkim_verify(data, dns.address, tmp_path) for data in signed]
        broken = opendkim_verify(signed[0].replace(b"Hello", b"Jello"), dns.address, tmp_path)
    finally:
        dns.stop()
    for data, result in zip(signed, results, strict=True):
        assert (result.returncode, result.stderr) == (0, b""), (data[:400], result.stderr)
    assert broken.returncode != 0
