"""Delivery to a smarthost that requires STARTTLS and AUTH (a real aiosmtpd server with a real certificate)."""

from __future__ import annotations

import asyncio
import datetime
import ssl
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from storage import archive
from tests.conftest import Sink, asend, eventually, make_settings, new_conversation


def self_signed(tmp_path: Path) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "smarthost.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return context


@pytest.fixture
async def tls_sink(tmp_path: Path):
    """A smarthost that requires STARTTLS, then AUTH with relay/s3cret, and records logins."""
    box = Sink()
    logins: list[str] = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            b"relay",
            b"s3cret",
        )
        if ok:
            logins.append(auth_data.login.decode())
        return AuthResult(success=ok)

    context = self_signed(tmp_path)
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(
            box,
            decode_data=False,
            tls_context=context,
            require_starttls=True,
            auth_required=True,
            authenticator=authenticate,
        ),
        "127.0.0.1",
        0,
    )
    box.port = server.sockets[0].getsockname()[1]
    yield box, logins
    server.close()
    await server.wait_closed()


async def test_starttls_and_auth_to_the_smarthost(
    db_url, tmp_path, dkim_key, tls_sink, start_gateway
):
    """With starttls = "required" and credentials, the copy is delivered over TLS after AUTH."""
    box, logins = tls_sink
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        delivery__smtp={
            "port": box.port,
            "starttls": "required",
            "verify_tls": False,
            "username": "relay",
            "password": "s3cret",
        },
    )
    running = await start_gateway(settings)
    conv = new_conversation(running.engine)
    data = f"From: ann@example.org\nTo: {conv.bo}\nSubject: tls\n\nsecret plans\n"
    assert (await asend(running, "ann@example.org", [conv.bo], data))[0] == 250
    await box.wait_for(1)
    assert logins == ["relay"]


async def test_certificate_verification_is_on_by_default(
    db_url, tmp_path, dkim_key, tls_sink, start_gateway
):
    """An unverifiable smarthost certificate defers the job instead of sending in the clear."""
    box, _ = tls_sink
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        delivery__smtp={
            "port": box.port,
            "starttls": "required",
            "username": "relay",
            "password": "s3cret",
        },
    )
    running = await start_gateway(settings)
    conv = new_conversation(running.engine)
    data = f"From: ann@example.org\nTo: {conv.bo}\nSubject: tls\n\nsecret plans\n"
    assert (await asend(running, "ann@example.org", [conv.bo], data))[0] == 250

    def deferred():
        (message,) = archive.messages_of(running.engine, conv.thread_id)
        (job,) = archive.deliveries_of(running.engine, message.id)
        return job if job.attempts >= 1 and job.last_response else None

    job = await eventually(deferred)
    assert job.status == "queued"
    assert (
        "CERTIFICATE_VERIFY_FAILED" in job.last_response
        or "certificate" in job.last_response.lower()
    )
    assert box.received == []


@pytest.fixture
async def verifiable_sink(tmp_path: Path):
    """A smarthost requiring STARTTLS with a certificate valid for 127.0.0.1 (its own CA)."""
    from tests.tls_certs import make_cert

    files = make_cert(tmp_path, "smarthost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(files.cert, files.key)
    box = Sink()
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(box, decode_data=False, tls_context=context, require_starttls=True),
        "127.0.0.1",
        0,
    )
    box.port = server.sockets[0].getsockname()[1]
    yield box, files.cert
    server.close()
    await server.wait_closed()


async def test_opportunistic_starttls_verifies_and_never_falls_back_to_clear_text(
    db_url, tmp_path, dkim_key, tls_sink, start_gateway
):
    """The default mode: STARTTLS offered but the certificate does not verify -> deferred."""
    box, _ = tls_sink
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        delivery__smtp={"port": box.port, "starttls": "opportunistic"},
    )
    assert settings.delivery.smtp.verify_tls is True
    running = await start_gateway(settings)
    conv = new_conversation(running.engine)
    data = f"From: ann@example.org\nTo: {conv.bo}\nSubject: tls\n\nsecret plans\n"
    assert (await asend(running, "ann@example.org", [conv.bo], data))[0] == 250

    def deferred():
        (message,) = archive.messages_of(running.engine, conv.thread_id)
        (job,) = archive.deliveries_of(running.engine, message.id)
        return job if job.attempts >= 1 and job.last_response else None

    job = await eventually(deferred)
    assert job.status == "queued"
    assert "certificate" in job.last_response.lower()
    assert box.received == []


async def test_a_private_ca_file_verifies_the_smarthost(
    db_url, tmp_path, dkim_key, verifiable_sink, start_gateway
):
    """tls_ca_file: verification stays on and succeeds for a certificate from one's own CA."""
    box, ca_file = verifiable_sink
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        delivery__smtp={"port": box.port, "starttls": "required", "tls_ca_file": str(ca_file)},
    )
    running = await start_gateway(settings)
    conv = new_conversation(running.engine)
    data = f"From: ann@example.org\nTo: {conv.bo}\nSubject: tls\n\nsecret plans\n"
    assert (await asend(running, "ann@example.org", [conv.bo], data))[0] == 250
    await box.wait_for(1)
    assert b"secret plans" in box.received[0][2]
