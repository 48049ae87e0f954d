"""The platform API over HTTP against a running gateway (SMTP + web), on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from storage.db import session_scope
from storage.models import AuditEvent
from tests.conftest import asend
from tests.web_helpers import API_TOKEN, start_support, web_settings

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
NEW = {
    "subject": "Website redesign",
    "external_ref": "order-4711",
    "participants": [
        {"role": "client", "name": "Cleo Park", "address": "Cleo@Example.org"},
        {"role": "freelancer", "name": "Dev Rao", "address": "dev@example.net"},
    ],
}


@pytest.fixture
async def support(db_url, tmp_path, dkim_key, sink, start_gateway):
    return await start_support(
        start_gateway, web_settings(db_url, tmp_path, dkim_key[0], sink_port=sink.port)
    )


@pytest.fixture
async def api(support):
    async with httpx.AsyncClient(base_url=support.base_url, headers=AUTH) as client:
        yield client


async def test_create_thread_returns_working_relay_addresses(support, api, sink):
    r = await api.post("/api/v1/threads", json=NEW)
    assert r.status_code == 201, r.text
    created = r.json()
    assert r.headers["location"] == f"/api/v1/threads/{created['id']}"
    assert created["external_ref"] == "order-4711"
    assert created["stage"] == "inquiry"
    cleo, dev = created["participants"]
    assert cleo["address"] == "cleo@example.org"
    assert cleo["relay_address"].endswith("@relay.gigbridge.io")
    assert cleo["relay_address"].startswith("cleo-park.")
    # the relay addresses work at once: Cleo writes to Dev's relay address
    data = f"From: Cleo <cleo@example.org>\nTo: {dev['relay_address']}\nSubject: Hi\n\nHello Dev\n"
    code, _ = await asend(support.running, "cleo@example.org", [dev["relay_address"]], data)
    assert code == 250
    await sink.wait_for(1)
    assert sink.received[0][1] == ["dev@example.net"]

    r = await api.get(f"/api/v1/threads/{created['id']}")
    assert r.status_code == 200
    body = r.json()
    (message,) = body["messages"]
    assert message["sender_role"] == "client"
    assert message["action"] == "deliver"
    assert message["decision"]["action"] == "deliver"
    assert len(message["sha256"]) == 64
    assert message["deliveries"][0]["recipient_role"] == "freelancer"

    def created_by_api():
        with session_scope(support.engine) as session:
            return session.exec(
                select(AuditEvent.actor).where(
                    AuditEvent.action == "thread.create", AuditEvent.target_id == created["id"]
                )
            ).all()

    assert created_by_api() == ["api:platform"]


async def test_read_shows_findings_and_held_deliveries(support, api):
    code, _ = await asend(
        support.running,
        support.conv.ann_real,
        [support.conv.bo],
        f"From: Ann <ann@example.org>\nTo: {support.conv.bo}\nSubject: Pay\n\n"
        "Pay to IBAN DE89 3704 0044 0532 0130 00\n",
    )
    assert code == 250
    r = await api.get(f"/api/v1/threads/{support.conv.thread_id}")
    # the hold notice to Ann is archived in the thread too
    (message,) = [m for m in r.json()["messages"] if m["kind"] == "inbound"]
    assert message["status"] == "held"
    assert message["action"] == "hold"
    assert ("payment", "iban") in {(f["category"], f["kind"]) for f in message["findings"]}
    assert [d["status"] for d in message["deliveries"]] == ["held"]


async def test_stage_is_a_policy_input_not_the_thread_status(support, api):
    """Stage "closed" (the contract ended) is what stage-aware rules read (docs/policy.md); the
    conversation stays open for mail until it is closed itself."""
    thread = support.conv.thread_id
    r = await api.put(f"/api/v1/threads/{thread}/stage", json={"stage": "contract"})
    assert r.status_code == 200
    assert r.json()["stage"] == "contract"
    assert r.json()["status"] == "open"
    r = await api.put(f"/api/v1/threads/{thread}/stage", json={"stage": "closed"})
    assert (r.json()["stage"], r.json()["status"]) == ("closed", "open")
    assert (await api.get(f"/api/v1/threads/{thread}")).json()["stage"] == "closed"
    code, _ = await asend(
        support.running,
        support.conv.ann_real,
        [support.conv.bo],
        f"From: Ann <ann@example.org>\nTo: {support.conv.bo}\nSubject: x\n\nthanks, all done\n",
    )
    assert code == 250


async def test_exemptions_add_list_remove(support, api):
    base = f"/api/v1/threads/{support.conv.thread_id}/exemptions"
    r = await api.post(base, json={"scope": "contact", "reason": "agreed to share phone numbers"})
    assert r.status_code == 201, r.text
    exemption = r.json()
    assert exemption["scope"] == "contact"
    assert exemption["actor"] == "api:platform"
    assert r.headers["location"] == f"{base}/{exemption['id']}"
    assert [e["id"] for e in (await api.get(base)).json()] == [exemption["id"]]
    thread = (await api.get(f"/api/v1/threads/{support.conv.thread_id}")).json()
    assert [e["scope"] for e in thread["exemptions"]] == ["contact"]
    assert (await api.delete(f"{base}/{exemption['id']}")).status_code == 204
    assert (await api.get(base)).json() == []
    r = await api.delete(f"{base}/{exemption['id']}")
    assert r.status_code == 404
    assert r.json() == {
        "error": "not_found",
        "message": f"thread {support.conv.thread_id!r} has no exemption {exemption['id']}",
    }


@pytest.mark.parametrize(
    ("body", "where", "status"),
    [
        ({**NEW, "participants": NEW["participants"][:1]}, "participants", 422),
        ({**NEW, "subject": "two\r\nlines"}, "subject", 422),
        ({**NEW, "subject": "   "}, "subject", 422),
        ({**NEW, "unknown": 1}, "unknown", 422),
        (
            {**NEW, "participants": [{"role": "client", "address": "not an address"}] * 2},
            "participants.0.address",
            422,
        ),
        ({**NEW, "participants": [NEW["participants"][0]] * 2}, "", 409),
        (
            {
                **NEW,
                "participants": [
                    NEW["participants"][0],
                    {"role": "x", "address": "bo-chen.abc@relay.gigbridge.io"},
                ],
            },
            "",
            409,
        ),
    ],
)
async def test_bad_input_gets_a_precise_error(api, body, where, status):
    r = await api.post("/api/v1/threads", json=body)
    assert r.status_code == status, r.text
    error = r.json()
    assert error["error"] == ("invalid_request" if status == 422 else "conflict")
    if status == 422:
        assert error["message"].startswith(where + ":")
        assert error["details"][0]["loc"][0] == "body"
    else:
        assert "address" in error["message"]


async def test_errors_for_unknown_threads_and_bad_tokens(support, api):
    r = await api.get("/api/v1/threads/th_missing")
    assert r.status_code == 404
    assert r.json() == {"error": "not_found", "message": "no thread 'th_missing'"}
    r = await api.put("/api/v1/threads/th_missing/stage", json={"stage": "limbo"})
    assert r.status_code == 422
    assert "stage" in r.json()["message"]
    async with httpx.AsyncClient(base_url=support.base_url) as anonymous:
        r = await anonymous.post("/api/v1/threads", json=NEW)
        assert r.status_code == 401
        r = await anonymous.post(
            "/api/v1/threads", json=NEW, headers={"Authorization": f"Bearer {API_TOKEN}x"}
        )
        assert r.status_code == 401
        assert r.json()["message"] == "the bearer token is not valid"


async def test_hashed_token_in_config(db_url, tmp_path, dkim_key, sink, start_gateway):
    """[api] tokens may hold "sha256:<hex>" instead of the secret itself."""
    import hashlib

    from gateway.config import parse_settings
    from tests.web_helpers import web_toml

    secret = "another-secret-token-for-the-platform-000"
    text = web_toml(db_url, tmp_path, dkim_key[0], sink_port=sink.port) + (
        f'\n[[api.tokens]]\nname = "hashed"\ntoken = "sha256:{hashlib.sha256(secret.encode()).hexdigest()}"\n'
    )
    support = await start_support(
        start_gateway, parse_settings(text, source="t.toml", base_dir=tmp_path)
    )
    async with httpx.AsyncClient(base_url=support.base_url) as client:
        ok = await client.post(
            "/api/v1/threads", json=NEW, headers={"Authorization": f"Bearer {secret}"}
        )
        assert ok.status_code == 201
        hashed = "sha256:" + hashlib.sha256(secret.encode()).hexdigest()
        bad = await client.post(
            "/api/v1/threads", json=NEW, headers={"Authorization": f"Bearer {hashed}"}
        )
        assert bad.status_code == 401  # the digest itself is not a token
