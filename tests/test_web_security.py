"""Safety of the support pages and API: every route needs credentials, forms need CSRF tokens,
cookies are locked down, logins are rate limited, roles are enforced, headers forbid loading.

Against a real gateway (SMTP + uvicorn) over HTTP, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import ipaddress
import re
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi.routing import APIRoute
from sqlmodel import Session, select
from starlette.routing import Route

from tests.web_helpers import (
    API_TOKEN,
    PASSWORDS,
    csrf_of,
    login,
    send_plain,
    start_support,
    web_settings,
)

PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/static/support.css")}


@pytest.fixture
async def support(db_url, tmp_path, dkim_key, sink, start_gateway):
    s = await start_support(
        start_gateway, web_settings(db_url, tmp_path, dkim_key[0], sink_port=sink.port)
    )
    code, _ = await send_plain(s, "Payment", "Send it to IBAN DE89 3704 0044 0532 0130 00", "p1")
    assert code == 250
    return s


def _flat(routes):
    """Routes, descending into included routers (newer FastAPI keeps them unflattened)."""
    for route in routes:
        if hasattr(route, "original_router"):
            yield from _flat(route.original_router.routes)
        elif isinstance(route, APIRoute | Route):
            yield route


def _fill(match: re.Match) -> str:
    return "th_x" if match[1] == "thread_id" else "1"


def _all_routes(app) -> list[tuple[str, str]]:
    """Every (method, path) the app serves, with path parameters filled in."""
    found = []
    for route in _flat(app.routes):
        path = re.sub(r"\{(\w+)\}", _fill, route.path)
        for method in sorted(route.methods - {"HEAD"}):
            found.append((method, path))
    return found


async def test_every_route_refuses_missing_and_wrong_credentials(support):
    app = support.running.gateway.web.app
    routes = [r for r in _all_routes(app) if r not in PUBLIC]
    assert {  # the walk sees pages, forms and the API (it reads the routes from the app)
        ("GET", "/"),
        ("GET", "/threads/th_x"),
        ("GET", "/messages/1/raw"),
        ("GET", "/holds"),
        ("POST", "/holds/1/release"),
        ("POST", "/holds/1/reject"),
        ("GET", "/audit"),
        ("POST", "/logout"),
        ("POST", "/api/v1/threads"),
        ("GET", "/api/v1/threads/th_x"),
        ("PUT", "/api/v1/threads/th_x/stage"),
        ("GET", "/api/v1/threads/th_x/exemptions"),
        ("POST", "/api/v1/threads/th_x/exemptions"),
        ("DELETE", "/api/v1/threads/th_x/exemptions/1"),
        ("GET", "/api/v1/openapi.json"),
    } <= set(routes)  # new routes are walked too
    wrong_cookie = {"gw_session": "forged-session-token"}
    async with httpx.AsyncClient(base_url=support.base_url) as client:
        for method, path in routes:
            for cookies, headers in (
                ({}, {}),
                (wrong_cookie, {"Authorization": "Bearer wrong-token-wrong-token-wrong-token"}),
                (
                    {},
                    {"Authorization": "Basic YWRhOmFkbWluLXBhc3MtMw=="},
                ),  # a password is not a token
            ):
                client.cookies.clear()
                client.cookies.update(cookies)
                r = await client.request(method, path, headers=headers, data={"reason": "x"})
                if path.startswith("/api/"):
                    assert r.status_code == 401, (method, path, r.status_code)
                    assert r.json()["error"] == "unauthorized"
                    assert r.headers["www-authenticate"].startswith("Bearer")
                else:
                    assert r.status_code == 303, (method, path, r.status_code)
                    assert r.headers["location"].startswith("/login")
                assert "DE89" not in r.text


async def test_a_session_does_not_open_the_api_nor_a_token_the_pages(support):
    async with httpx.AsyncClient(base_url=support.base_url) as client:
        await login(client, "ada")
        r = await client.get(f"/api/v1/threads/{support.conv.thread_id}")
        assert r.status_code == 401
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    async with httpx.AsyncClient(base_url=support.base_url, headers=headers) as client:
        r = await client.get(f"/threads/{support.conv.thread_id}")
        assert r.status_code == 303


async def test_session_cookie_flags_and_logout(support):
    async with httpx.AsyncClient(base_url=support.base_url) as client:
        r = await login(client, "vera")
        assert r.status_code == 303
        cookie = r.headers["set-cookie"]
        assert "gw_session=" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert "Secure" not in cookie  # plain HTTP on loopback
        page = await client.get("/")
        assert page.status_code == 200
        r = await client.post("/logout", data={"csrf_token": csrf_of(page.text)})
        assert r.status_code == 303
        client.cookies.update({"gw_session": cookie.split("gw_session=")[1].split(";")[0]})
        assert (await client.get("/")).status_code == 303  # the old cookie no longer works


async def test_cookie_is_secure_behind_a_tls_proxy(support):
    """A proxy on this host that terminated TLS says so; the cookie then gets Secure."""
    headers = {"X-Forwarded-Proto": "https"}
    async with httpx.AsyncClient(base_url=support.base_url, headers=headers) as client:
        page = await client.get("/login")
        assert "Secure" in page.headers["set-cookie"]  # the login form's CSRF cookie too
        token = csrf_of(page.text)
        r = await client.post(
            "/login",
            data={"username": "vera", "password": PASSWORDS["vera"], "csrf_token": token},
            headers={"Cookie": f"gw_login_csrf={token}"},  # httpx keeps Secure cookies for https
        )
        assert r.status_code == 303
        assert "Secure" in r.headers["set-cookie"]
        assert r.headers["strict-transport-security"].startswith("max-age=")


async def test_forms_need_the_csrf_token(support):
    async with httpx.AsyncClient(base_url=support.base_url) as client:
        # the login form itself: a cross-site POST has no login-CSRF cookie
        r = await client.post("/login", data={"username": "ada", "password": PASSWORDS["ada"]})
        assert r.status_code == 403
        await login(client, "mo")
        for data in ({}, {"csrf_token": "forged"}):
            r = await client.post("/holds/1/release", data=data)
            assert r.status_code == 403, data
            assert "form expired" in r.text
        r = await client.post("/logout", data={"csrf_token": "forged"})
        assert r.status_code == 403
        assert (await client.get("/holds")).status_code == 200  # still logged in


async def test_login_is_rate_limited(support):
    async with httpx.AsyncClient(base_url=support.base_url) as client:
        for _ in range(5):
            page = await client.get("/login")
            r = await client.post(
                "/login",
                data={"username": "ada", "password": "guess", "csrf_token": csrf_of(page.text)},
            )
            assert r.status_code == 401
            assert "wrong password" in r.text
        # the right password no longer helps until the window has passed
        r = await login(client, "ada")
        assert r.status_code == 429
        assert int(r.headers["retry-after"]) > 0
        assert "Too many failed attempts" in r.text
        assert "gw_session" not in r.headers.get("set-cookie", "")


async def test_viewer_cannot_release_or_reject_nor_see_audit(support):
    async with httpx.AsyncClient(base_url=support.base_url) as client:
        await login(client, "vera")
        page = await client.get("/holds")
        assert "Only moderators can release or reject" in page.text
        token = csrf_of(page.text)
        r = await client.post("/holds/1/release", data={"csrf_token": token})
        assert r.status_code == 403
        r = await client.post("/holds/1/reject", data={"csrf_token": token, "reason": "no"})
        assert r.status_code == 403
        assert (await client.get("/audit")).status_code == 403
    async with httpx.AsyncClient(base_url=support.base_url) as client:
        await login(client, "mo")
        assert (await client.get("/audit")).status_code == 403
        page = await client.get("/holds")
        r = await client.post(
            "/holds/1/reject", data={"csrf_token": csrf_of(page.text), "reason": "  "}
        )
        assert r.status_code == 400
        assert "reason is required" in r.text


async def test_headers_forbid_scripts_framing_and_remote_loads(support):
    async with httpx.AsyncClient(base_url=support.base_url) as client:
        await login(client, "ada")
        r = await client.get(f"/threads/{support.conv.thread_id}")
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp
        assert "img-src data:" in csp
        assert "script-src" not in csp  # falls back to 'none'
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["cache-control"] == "no-store"
        assert "<script" not in r.text


async def test_login_redirect_stays_on_this_site(support):
    async with httpx.AsyncClient(base_url=support.base_url) as client:
        for target, expected in (
            ("/holds", "/holds"),
            ("//evil.example/x", "/"),
            ("https://evil.example/", "/"),
            ("/\\evil.example", "/"),
        ):
            page = await client.get("/login", params={"next": target})
            r = await client.post(
                "/login",
                data={
                    "username": "vera",
                    "password": PASSWORDS["vera"],
                    "csrf_token": csrf_of(page.text),
                    "next": target,
                },
            )
            assert r.headers["location"] == expected, target


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "web.crt", folder / "web.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


async def test_served_over_tls_the_cookies_are_secure(tmp_path, dkim_key, sink, start_gateway):
    cert, key = _self_signed(tmp_path)
    settings = web_settings(
        f"sqlite:///{tmp_path / 'tls.db'}",
        tmp_path,
        dkim_key[0],
        sink_port=sink.port,
        web={"tls_cert_file": str(cert), "tls_key_file": str(key)},
    )
    support = await start_support(start_gateway, settings)
    assert support.base_url.startswith("https://127.0.0.1:")
    trust = ssl.create_default_context(cafile=str(cert))
    async with httpx.AsyncClient(base_url=support.base_url, verify=trust) as client:
        r = await login(client, "vera")
        assert r.status_code == 303
        cookie = r.headers["set-cookie"]
        assert "Secure" in cookie
        assert "HttpOnly" in cookie
        assert r.headers["strict-transport-security"].startswith("max-age=")
        assert (await client.get("/")).status_code == 200  # the Secure cookie is sent back


async def test_evidence_export_downloads_verifies_offline_and_is_audited(support, tmp_path):
    """The thread page's export link gives the same zip `archive verify-export` accepts."""
    from gateway.evidence import verify_export
    from storage.models import AuditEvent

    async with httpx.AsyncClient(base_url=support.base_url) as client:
        await login(client, "vera")
        page = await client.get(f"/threads/{support.conv.thread_id}")
        assert f'href="/threads/{support.conv.thread_id}/export"' in page.text
        reply = await client.get(f"/threads/{support.conv.thread_id}/export")
        assert reply.status_code == 200
        assert reply.headers["content-type"] == "application/zip"
        missing = await client.get("/threads/th_nope/export")
        assert missing.status_code == 404
    path = tmp_path / "export.zip"
    path.write_bytes(reply.content)
    check = verify_export(path)
    assert check.ok, check.problems
    with Session(support.engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "thread.export")).all()
    assert [(e.actor, e.target_id) for e in events] == [("vera", support.conv.thread_id)]
