"""STARTTLS on intake with a certificate made in the test, verified by a real client."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from pathlib import Path

import pytest

from gateway.config import semantic_problems
from gateway.intake_tls import IntakeTlsError, server_context
from storage import archive
from tests.conftest import asend, make_settings, new_conversation
from tests.tls_certs import make_cert

ANN = "ann@example.org"


def client_context(cert: Path) -> ssl.SSLContext:
    """A client that trusts only the test certificate and checks the host name (127.0.0.1)."""
    return ssl.create_default_context(cafile=str(cert))


def body(to: str) -> bytes:
    return f"From: {ANN}\r\nTo: {to}\r\nSubject: tls\r\n\r\nover TLS\r\n".encode()


def tls_session(host, port, cert, mail_from, rcpt, data):
    """EHLO, STARTTLS (verifying), EHLO, one message; returns (EHLO features, DATA reply)."""
    with smtplib.SMTP(host, port, timeout=15) as client:
        client.ehlo("client.example")
        features = dict(client.esmtp_features)
        client.starttls(context=client_context(cert))
        client.ehlo("client.example")
        client.mail(mail_from)
        client.rcpt(rcpt)
        code, text = client.data(data)
        return features, (code, text.decode())


def plain_session(host, port, mail_from):
    with smtplib.SMTP(host, port, timeout=15) as client:
        client.ehlo("client.example")
        code, text = client.mail(mail_from)
        return code, text.decode()


@pytest.fixture
def cert(tmp_path):
    return make_cert(tmp_path)


async def test_starttls_with_the_configured_certificate(
    db_url, tmp_path, dkim_key, cert, start_gateway
):
    settings = make_settings(
        db_url, tmp_path, dkim_key[0], relay={"tls_cert": str(cert.cert), "tls_key": str(cert.key)}
    )
    running = await start_gateway(settings)
    conv = new_conversation(running.engine)
    features, (code, text) = await asyncio.to_thread(
        tls_session, running.host, running.port, cert.cert, ANN, conv.bo, body(conv.bo)
    )
    assert "starttls" in features
    assert code == 250, text
    (message,) = archive.messages_of(running.engine, conv.thread_id)
    assert message.tls is True

    # without STARTTLS (not required) the message is accepted and recorded as clear text
    assert (await asend(running, ANN, [conv.bo], body(conv.bo)))[0] == 250
    second = archive.messages_of(running.engine, conv.thread_id)[1]
    assert second.tls is False


async def test_require_tls_refuses_mail_before_starttls(
    db_url, tmp_path, dkim_key, cert, start_gateway
):
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        relay={"tls_cert": str(cert.cert), "tls_key": str(cert.key), "require_tls": True},
    )
    running = await start_gateway(settings)
    conv = new_conversation(running.engine)
    code, text = await asyncio.to_thread(plain_session, running.host, running.port, ANN)
    assert (code, text) == (530, "5.7.0 Must issue a STARTTLS command first")
    _, (code, _) = await asyncio.to_thread(
        tls_session, running.host, running.port, cert.cert, ANN, conv.bo, body(conv.bo)
    )
    assert code == 250


async def test_a_client_that_does_not_trust_the_certificate_cannot_proceed(
    tmp_path, dkim_key, cert, start_gateway
):
    """The server really presents the configured certificate: another CA does not verify it."""
    settings = make_settings(
        f"sqlite:///{tmp_path / 'g.db'}",
        tmp_path,
        dkim_key[0],
        relay={"tls_cert": str(cert.cert), "tls_key": str(cert.key)},
    )
    running = await start_gateway(settings)
    stranger = make_cert(tmp_path, "stranger")
    with pytest.raises(ssl.SSLCertVerificationError):
        await asyncio.to_thread(
            tls_session, running.host, running.port, stranger.cert, ANN, "x@y", b""
        )


def test_config_check_names_tls_problems(tmp_path, dkim_key, cert):
    url = f"sqlite:///{tmp_path / 'g.db'}"

    def lines(**relay):
        settings = make_settings(url, tmp_path, dkim_key[0], relay=relay)
        return [p.render("gw.toml") for p in semantic_problems(settings)]

    assert lines(tls_cert=str(cert.cert), tls_key=str(cert.key)) == []
    (line,) = lines(tls_cert=str(cert.cert))
    assert line.startswith("gw.toml: [relay] tls_key: tls_cert and tls_key go together")
    (line,) = lines(require_tls=True)
    assert line.startswith("gw.toml: [relay] require_tls: STARTTLS is required but no certificate")
    (line,) = lines(tls_cert=str(cert.cert), tls_key=str(tmp_path / "nope.pem"))
    assert "nope.pem does not exist" in line
    other = make_cert(tmp_path, "other")
    (line,) = lines(tls_cert=str(cert.cert), tls_key=str(other.key))
    assert line.startswith("gw.toml: [relay] tls_cert: cannot load")
    assert "the key must belong to the certificate" in line

    settings = make_settings(
        url, tmp_path, dkim_key[0], relay={"tls_cert": str(cert.cert), "tls_key": str(other.key)}
    )
    with pytest.raises(IntakeTlsError):
        server_context(settings)
