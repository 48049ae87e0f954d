"""Tests for gateway.signing: DKIM signatures made with cryptography, proven by dkimpy."""

import base64
import dataclasses
import re
import stat
import types
from concurrent.futures import ThreadPoolExecutor

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from gateway.signing import (
    DkimSigner,
    SigningKeyError,
    dns_txt_for_key_file,
    generate_key,
    header_names_to_sign,
)

DOMAIN = "relay.example.com"
SELECTOR = "s2024"
FIXED_TIME = 1_700_000_000

# 512-bit RSA key (made with `openssl genrsa 512`): too small to use, only here to test refusal.
TINY_RSA_PEM = b"""-----BEGIN PRIVATE KEY-----
MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAq2TkIsEDRlsUeMpp
XBBirtCpiviQ4lgqUEAz03EffroMqu3ue3jUDbbZ9qLJ89EVEH0LFwFMFeJ8d5xW
fgftYwIDAQABAkAJUWvhw9KUwaDkTETcH3vt+yQsjQT7eUWbpVHr/etzbT0wZ2lF
e5Ne52+HNJTCFXFRXbukLleWgTPnJEOTUpCRAiEA3g0bV8kgRfuHEHSKGK9Lh0Qm
3FJdc5iMKkIjx/ZYEfsCIQDFmRv4a3D+jZD38uR130Vva2huk6PKWKMZWeL8fVSd
uQIhAJWIsg8uDKPUPSKhuJXjBrPy+1CHzxMXedzDaaExjiGdAiBhu7Qg8AtobF7a
tLGZN4Chdm+l2bJ2n9az8Eib9+WFSQIhAMESPTyMmoC8U/9DrGRCYp20ypBCk2qL
ON5s9EP7dDjz
-----END PRIVATE KEY-----
"""

MESSAGE = (
    b"Received: from worker by relay.example.com; Mon, 1 Jan 2024 10:00:00 +0000\r\n"
    b"From: Alice via Relay <alice.r7@relay.example.com>\r\n"
    b"To: bob@example.org\r\n"
    b"Subject: Your quote for the logo project\r\n"
    b"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
    b"Message-ID: <abc123@relay.example.com>\r\n"
    b"In-Reply-To: <prev@example.org>\r\n"
    b"References: <first@example.org>\r\n <prev@example.org>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"List-Unsubscribe: <https://relay.example.com/u/abc>\r\n"
    b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    b"Auto-Submitted: auto-generated\r\n"
    b"X-Mailer: relay\r\n"
    b"\r\n"
    b"Hello Bob,\r\n\r\nHere is the quote.   Trailing spaces   \r\n\r\n\r\n"
)

UTF8_MESSAGE = (
    "From: Zoë Ångström <zoë@relay.example.com>\r\n"
    "To: Jürgen <jürgen@exämple.org>\r\n"
    "Subject: Größenangabe für das Café — 日本語\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "Grüße aus Köln! Ça va? ﾃｽﾄ\r\n"
).encode()


@pytest.fixture(scope="session")
def rsa_key_file(tmp_path_factory):
    """One 2048-bit RSA key per session, because RSA key generation is slow."""
    path = tmp_path_factory.mktemp("keys") / "rsa.pem"
    generate_key(path)
    return path


@pytest.fixture(scope="session")
def ed25519_key_file(tmp_path_factory):
    """One Ed25519 key per session."""
    path = tmp_path_factory.mktemp("keys") / "ed25519.pem"
    generate_key(path, algorithm="ed25519-sha256")
    return path


@pytest.fixture(params=["rsa-sha256", "ed25519-sha256"])
def signer(request, rsa_key_file, ed25519_key_file):
    """A signer for each supported algorithm."""
    path = rsa_key_file if request.param == "rsa-sha256" else ed25519_key_file
    return DkimSigner.load(
        domain=DOMAIN, selector=SELECTOR, private_key_file=path, algorithm=request.param
    )


def dns_for(signer):
    """A dkimpy dnsfunc that serves the signer's TXT record, and nothing else."""
    wanted = f"{SELECTOR}._domainkey.{DOMAIN}.".encode()

    def dnsfunc(name, timeout=5):
        return signer.dns_txt.encode() if name == wanted else None

    return dnsfunc


def dkim_verify(signer, signed):
    """Verify with dkimpy's own public verify() and our published record."""
    return dkim.verify(signed, dnsfunc=dns_for(signer))


def header_block(signed):
    """The header section of a message, without the blank separator line."""
    return signed.split(b"\r\n\r\n", 1)[0] + b"\r\n"


def signature_header(signed):
    """The (folded) DKIM-Signature field at the top of a signed message."""
    match = re.match(rb"DKIM-Signature:.*?\r\n(?=\S)", signed, re.DOTALL)
    assert match, "signed message must start with a DKIM-Signature header"
    return match.group(0)


# --- signing and dkimpy verification -------------------------------------------------------


def test_signature_verifies_with_dkimpy(signer):
    """A freshly signed message passes dkimpy's verify using the published TXT record."""
    signed = signer.sign(MESSAGE)
    assert signed.endswith(MESSAGE)
    assert dkim_verify(signer, signed) is True


def test_signature_header_tags(signer):
    """The header announces our algorithm, relaxed/relaxed, domain and selector."""
    tags = dkim.util.parse_tag_value(signature_header(signer.sign(MESSAGE)).split(b":", 1)[1])
    assert tags[b"a"] == signer.algorithm.encode()
    assert tags[b"c"] == b"relaxed/relaxed"
    assert (tags[b"d"], tags[b"s"]) == (DOMAIN.encode(), SELECTOR.encode())


def test_wrong_dns_record_fails(signer, tmp_path):
    """Verification fails against another key's record, so the positive tests are meaningful."""
    other_path = tmp_path / "other.pem"
    other_txt = generate_key(other_path, algorithm=signer.algorithm)
    signed = signer.sign(MESSAGE)
    assert dkim.verify(signed, dnsfunc=lambda name, timeout=5: other_txt.encode()) is False


def test_tampered_body_fails(signer):
    """Changing one word of the body breaks the signature."""
    signed = signer.sign(MESSAGE).replace(b"the quote", b"the QUOTE")
    assert dkim_verify(signer, signed) is False


def test_changed_subject_fails(signer):
    """Changing the signed Subject breaks the signature."""
    signed = signer.sign(MESSAGE).replace(b"Subject: Your quote", b"Subject: Urgent: pay")
    assert dkim_verify(signer, signed) is False


@pytest.mark.parametrize("position", ["top", "bottom"])
def test_added_second_from_fails(signer, position):
    """Adding a second From anywhere in the header breaks the signature (over-signing)."""
    signed = signer.sign(MESSAGE)
    evil = b"From: Bank <security@bank.example>\r\n"
    if position == "top":
        sig = signature_header(signed)
        tampered = sig + evil + signed[len(sig) :]
    else:
        tampered = signed.replace(b"\r\n\r\n", b"\r\n" + evil + b"\r\n", 1)
    assert dkim_verify(signer, tampered) is False


@pytest.mark.parametrize(
    "added", [b"Reply-To: thief@evil.example\r\n", b"Cc: spy@evil.example\r\n"]
)
def test_adding_absent_oversigned_header_fails(signer, added):
    """Reply-To and Cc were absent but signed once, so adding them later breaks the signature."""
    signed = signer.sign(MESSAGE)
    tampered = signed.replace(b"\r\n\r\n", b"\r\n" + added + b"\r\n", 1)
    assert dkim_verify(signer, tampered) is False


def test_adding_unsigned_header_still_verifies(signer):
    """Headers outside h= (like Received) may be added in transit without breaking it."""
    signed = signer.sign(MESSAGE)
    tampered = b"Received: from mx by next.example; Mon, 1 Jan 2024\r\n" + signed
    assert dkim_verify(signer, tampered) is True


def test_header_names_to_sign_oversigns():
    """h= lists signed fields once per instance and the over-signed ones once more."""
    two_to = MESSAGE.replace(b"To: bob@example.org\r\n", b"To: a@x.example\r\nTo: b@x.example\r\n")
    assert header_names_to_sign(two_to) == [
        b"from", b"from", b"reply-to", b"to", b"to", b"to", b"cc", b"subject", b"subject",
        b"date", b"message-id", b"in-reply-to", b"references", b"mime-version",
        b"content-type", b"content-transfer-encoding", b"list-unsubscribe",
        b"list-unsubscribe-post", b"auto-submitted",
    ]  # fmt: skip


# --- equivalence with dkimpy's pure-Python signer ------------------------------------------


def dkimpy_private_key(signer):
    """The key in the form dkimpy's sign() takes: PEM for RSA, base64 raw seed for Ed25519."""
    if signer.algorithm == "rsa-sha256":
        return signer.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    return base64.b64encode(signer.private_key.private_bytes_raw())


@pytest.mark.parametrize("message", [MESSAGE, UTF8_MESSAGE], ids=["ascii", "utf8"])
def test_output_equals_dkimpy_sign_byte_for_byte(signer, message, monkeypatch):
    """With t= pinned, our output is exactly dkimpy's own sign() output for the same input."""
    # dkimpy reads time.time() through its module global `time`; pin it for this test only.
    monkeypatch.setattr(dkim, "time", types.SimpleNamespace(time=lambda: FIXED_TIME))
    ours = dataclasses.replace(signer, clock=lambda: FIXED_TIME).sign(message)
    theirs = dkim.sign(
        message,
        SELECTOR.encode(),
        DOMAIN.encode(),
        dkimpy_private_key(signer),
        canonicalize=(b"relaxed", b"relaxed"),
        signature_algorithm=signer.algorithm.encode(),
        include_headers=header_names_to_sign(message),
    )
    assert f"t={FIXED_TIME};".encode() in ours
    assert ours == theirs + message


# --- message shapes -----------------------------------------------------------------------


def test_smtputf8_headers_and_8bit_body_verify(signer):
    """Raw UTF-8 in headers (SMTPUTF8) and an 8-bit body sign and verify."""
    signed = signer.sign(UTF8_MESSAGE)
    assert dkim_verify(signer, signed) is True
    tampered = signed.replace("Grüße".encode(), "Gruße".encode())
    assert dkim_verify(signer, tampered) is False


def test_header_lines_are_short_and_crlf_terminated(signer):
    """Every header line is CRLF-terminated and <= 998 octets; signature lines <= 78."""
    many = b"".join(b"Cc: person%d@example.org\r\n" % i for i in range(60))
    message = MESSAGE.replace(b"MIME-Version", many + b"MIME-Version", 1)
    signed = signer.sign(message)
    head = header_block(signed)
    lines = head.split(b"\r\n")[:-1]
    assert b"\n" not in head.replace(b"\r\n", b"")
    assert all(len(line) <= 998 for line in lines)
    assert all(len(line) <= 78 for line in signature_header(signed).split(b"\r\n"))
    assert dkim_verify(signer, signed) is True


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (MESSAGE.replace(b"\r\n", b"\n"), "CRLF"),
        (MESSAGE.replace(b"From:", b"X-From:"), "exactly one From"),
        (b"From: a@x.example\r\n" + MESSAGE, "exactly one From"),
    ],
    ids=["bare-lf", "no-from", "two-from"],
)
def test_sign_refuses_unsafe_messages(signer, message, reason):
    """Bare LF line ends and missing or duplicate From fields are refused, not signed."""
    with pytest.raises(ValueError, match=reason):
        signer.sign(message)


# --- self-check and DNS -----------------------------------------------------------------


def test_self_verify(signer, tmp_path):
    """verify() accepts our own signature and rejects tampering and other domains' signatures."""
    signed = signer.sign(MESSAGE)
    assert signer.verify(signed) is True
    assert signer.verify(signed.replace(b"Hello Bob", b"Hello Eve")) is False
    generate_key(tmp_path / "k.pem", algorithm=signer.algorithm)
    foreign = DkimSigner.load(
        domain="other.example",
        selector=SELECTOR,
        private_key_file=tmp_path / "k.pem",
        algorithm=signer.algorithm,
    )
    assert signer.verify(foreign.sign(MESSAGE)) is False


def test_dns_name_and_txt(signer, rsa_key_file, ed25519_key_file):
    """dns_name follows RFC 6376 and dns_txt matches the record printed for the key file."""
    path = rsa_key_file if signer.algorithm == "rsa-sha256" else ed25519_key_file
    kind = "rsa" if signer.algorithm == "rsa-sha256" else "ed25519"
    assert signer.dns_name == f"{SELECTOR}._domainkey.{DOMAIN}"
    assert signer.dns_txt.startswith(f"v=DKIM1; k={kind}; p=")
    assert dns_txt_for_key_file(path, signer.algorithm) == signer.dns_txt


def test_non_ascii_domain_is_refused(rsa_key_file):
    """d= must be an ASCII (A-label) domain; a U-label is refused up front."""
    with pytest.raises(ValueError, match="xn--"):
        DkimSigner.load(domain="exämple.com", selector=SELECTOR, private_key_file=rsa_key_file)


# --- key files ----------------------------------------------------------------------------


def test_generate_key_mode_parents_and_record(tmp_path):
    """generate_key creates parent folders, writes mode 0600 and returns the key's record."""
    path = tmp_path / "a" / "b" / "key.pem"
    txt = generate_key(path, algorithm="ed25519-sha256")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert txt == dns_txt_for_key_file(path, "ed25519-sha256")
    assert list(path.parent.iterdir()) == [path]  # no temp file left behind


def test_generate_key_refuses_overwrite(tmp_path):
    """An existing key is kept unless overwrite=True, which replaces it with mode 0600."""
    path = tmp_path / "key.pem"
    generate_key(path, algorithm="ed25519-sha256")
    before = path.read_bytes()
    with pytest.raises(SigningKeyError, match="already exists") as info:
        generate_key(path, algorithm="ed25519-sha256")
    assert str(path) in str(info.value)
    assert path.read_bytes() == before
    path.chmod(0o644)
    generate_key(path, algorithm="ed25519-sha256", overwrite=True)
    assert path.read_bytes() != before
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_load_accepts_pkcs1_rsa_pem(rsa_key_file, tmp_path):
    """Traditional PKCS#1 ("BEGIN RSA PRIVATE KEY") files, as older tools write them, also load."""
    key = serialization.load_pem_private_key(rsa_key_file.read_bytes(), None)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    path = write(tmp_path / "pkcs1.pem", pem)
    assert pem.startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    signer = DkimSigner.load(domain=DOMAIN, selector=SELECTOR, private_key_file=path)
    assert signer.verify(signer.sign(MESSAGE)) is True


def test_generate_key_refuses_small_rsa(tmp_path):
    """RSA keys under 1024 bits are refused (RFC 8301)."""
    with pytest.raises(ValueError, match="1024"):
        generate_key(tmp_path / "key.pem", bits=768)
    assert not (tmp_path / "key.pem").exists()


def write(path, data, mode=0o600):
    """Write a test key file and return its path."""
    path.write_bytes(data)
    path.chmod(mode)
    return path


def ec_pem():
    """An EC key: a valid PEM private key that DKIM cannot use."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def encrypted_pem(rsa_key_file):
    """The session RSA key, encrypted with a passphrase."""
    key = serialization.load_pem_private_key(rsa_key_file.read_bytes(), None)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )


@pytest.mark.parametrize(
    ("case", "algorithm", "problem", "fix"),
    [
        ("missing", "rsa-sha256", "does not exist", "gateway dkim keygen --selector s2024"),
        ("directory", "rsa-sha256", "cannot be read", "mode 0600"),
        ("garbage", "rsa-sha256", "not a usable PEM", "gateway dkim keygen --selector s2024"),
        ("ec", "rsa-sha256", "is an EC key", "gateway dkim keygen"),
        ("rsa-for-ed", "ed25519-sha256", "is an RSA key", "--algorithm ed25519-sha256"),
        ("ed-for-rsa", "rsa-sha256", "is an Ed25519 key", "set the algorithm to ed25519-sha256"),
        ("encrypted", "rsa-sha256", "encrypted", "openssl pkey"),
        ("tiny", "rsa-sha256", "512-bit", "2048-bit key"),
    ],
)
def test_load_errors_name_file_and_fix(
    case, algorithm, problem, fix, tmp_path, rsa_key_file, ed25519_key_file
):
    """Every bad key file raises SigningKeyError naming the file, the problem and the fix."""
    paths = {
        "missing": lambda: tmp_path / "nope.pem",
        "directory": lambda: tmp_path,
        "garbage": lambda: write(tmp_path / "g.pem", b"-----BEGIN PRIVATE KEY-----\nxx\n"),
        "ec": lambda: write(tmp_path / "ec.pem", ec_pem()),
        "rsa-for-ed": lambda: rsa_key_file,
        "ed-for-rsa": lambda: ed25519_key_file,
        "encrypted": lambda: write(tmp_path / "enc.pem", encrypted_pem(rsa_key_file)),
        "tiny": lambda: write(tmp_path / "tiny.pem", TINY_RSA_PEM),
    }
    path = paths[case]()
    with pytest.raises(SigningKeyError) as info:
        DkimSigner.load(
            domain=DOMAIN, selector=SELECTOR, private_key_file=path, algorithm=algorithm
        )
    message = str(info.value)
    assert str(path) in message
    assert problem in message
    assert fix in message


def test_dns_txt_for_missing_file_raises(tmp_path):
    """Printing the record again for a missing key gives the same actionable error."""
    with pytest.raises(SigningKeyError, match="does not exist"):
        dns_txt_for_key_file(tmp_path / "missing.pem")


# --- concurrency --------------------------------------------------------------------------


def test_concurrent_signing_from_threads(signer):
    """50 different messages signed from 4 threads at once all verify."""
    messages = [MESSAGE.replace(b"logo project", b"project %d" % i) for i in range(50)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        signed = list(pool.map(signer.sign, messages))
    assert all(s.endswith(m) for s, m in zip(signed, messages, strict=True))
    assert all(dkim_verify(signer, s) for s in signed)
