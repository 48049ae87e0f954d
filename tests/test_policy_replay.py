"""`gateway policy replay`: a mixed archive replayed with a stricter and a looser policy."""

from __future__ import annotations

import asyncio
import json

from gateway.cli import main
from gateway.policy.replay import replay as run_replay
from storage import archive
from tests.conftest import asend, make_settings, new_conversation, settings_toml

TEXTS = [
    ("hello", "Hello, the drafts are attached."),
    ("phone", "Call me: +1 415 555 2671"),
    ("iban", "Pay to IBAN DE44 5001 0517 5407 3249 31"),
    ("email", "Write to ann.lee@gmail.com"),
    ("calendly", "Book a slot: https://calendly.com/ann-lee"),
]
CURRENT = {"contact": "flag", "payment": "hold"}


async def archive_mixed_set(db_url, tmp_path, dkim_key, sink, start_gateway):
    """Five messages through SMTP under the current policy; (conversation, ids by name)."""
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        policy=CURRENT,
        policy__notices={"enabled": False},
        delivery__smtp={"port": sink.port},
    )
    running = await start_gateway(settings)
    conv = new_conversation(running.engine)
    for subject, text in TEXTS:
        data = f"From: Ann Lee <ann@example.org>\nTo: {conv.bo}\nSubject: {subject}\n\n{text}\n"
        assert (await asend(running, "ann@example.org", [conv.bo], data))[0] == 250
    messages = archive.messages_of(running.engine, conv.thread_id)
    return running, conv, {m.subject: m for m in messages}


def replay(tmp_path, db_url, dkim_key, capsys, name: str, extra: str = "", *args: str, **policy):
    """Run `gateway policy replay --json` with a candidate config; the parsed report."""
    path = tmp_path / f"{name}.toml"
    path.write_text(settings_toml(db_url, tmp_path, dkim_key[0], **policy) + extra)
    capsys.readouterr()
    code = main(["policy", "replay", "--config", str(path), "--json", *args])
    out = [x for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    assert code == 0
    return json.loads(out[-1])


async def test_replay_reports_exactly_what_a_stricter_and_a_looser_policy_change(
    db_url, tmp_path, dkim_key, sink, start_gateway, capsys
):
    running, conv, by_name = await archive_mixed_set(
        db_url, tmp_path, dkim_key, sink, start_gateway
    )
    assert {n: m.action for n, m in by_name.items()} == {
        "hello": "deliver",
        "phone": "flag",
        "iban": "hold",
        "email": "flag",
        "calendly": "flag",
    }
    before = [(m.id, m.action, m.status, m.chain_hash) for m in by_name.values()]

    strict = await asyncio.to_thread(
        replay,
        tmp_path,
        db_url,
        dkim_key,
        capsys,
        "strict",
        policy={"contact": "redact", "payment": "hold"},
        policy__kinds={"phone": "reject"},
    )
    assert strict["messages"] == 5
    assert strict["current"] == {"deliver": 1, "flag": 3, "redact": 0, "hold": 1, "reject": 0}
    assert strict["candidate"] == {"deliver": 1, "flag": 0, "redact": 2, "hold": 1, "reject": 1}
    assert [
        (c["message_id"], c["current"], c["candidate"], c["candidate_rule"])
        for c in strict["changes"]
    ] == [
        (by_name["phone"].id, "flag", "reject", "kinds.phone"),
        (by_name["email"].id, "flag", "redact", "contact"),
        (by_name["calendly"].id, "flag", "redact", "contact"),
    ]

    loose = await asyncio.to_thread(
        replay,
        tmp_path,
        db_url,
        dkim_key,
        capsys,
        "loose",
        policy={"contact": "flag", "payment": "flag"},
        policy__allow={"domains": ["calendly.com"]},
    )
    assert loose["candidate"] == {"deliver": 2, "flag": 3, "redact": 0, "hold": 0, "reject": 0}
    assert [(c["message_id"], c["current"], c["candidate"]) for c in loose["changes"]] == [
        (by_name["iban"].id, "hold", "flag"),
        (by_name["calendly"].id, "flag", "deliver"),
    ]

    # Escalation counts the candidate's own flags, in arrival order.
    escalating = await asyncio.to_thread(
        replay,
        tmp_path,
        db_url,
        dkim_key,
        capsys,
        "escalating",
        policy=CURRENT,
        policy__escalation={"flags_before_hold": 2},
    )
    assert [
        (c["message_id"], c["candidate"], c["candidate_rule"]) for c in escalating["changes"]
    ] == [
        (by_name["email"].id, "hold", "escalation.flags_before_hold"),
        (by_name["calendly"].id, "hold", "escalation.flags_before_hold"),
    ]

    same = await asyncio.to_thread(
        replay, tmp_path, db_url, dkim_key, capsys, "same", policy=CURRENT
    )
    assert same["changes"] == []
    first_two = await asyncio.to_thread(run_replay, running.engine, running.settings, limit=2)
    assert (first_two.messages, first_two.current["deliver"], first_two.current["flag"]) == (
        2,
        1,
        1,
    )
    future = await asyncio.to_thread(
        replay,
        tmp_path,
        db_url,
        dkim_key,
        capsys,
        "later",
        "",
        "--since",
        "2999-01-01",
        policy=CURRENT,
    )
    assert future["messages"] == 0
    other = await asyncio.to_thread(
        replay,
        tmp_path,
        db_url,
        dkim_key,
        capsys,
        "thread",
        "",
        "--thread",
        "th_none",
        policy={"contact": "reject"},
    )
    assert other["messages"] == 0
    # Nothing in the archive changed.
    after = [
        (m.id, m.action, m.status, m.chain_hash)
        for m in archive.messages_of(running.engine, conv.thread_id)
    ]
    assert after == before


def test_replay_with_a_bad_date_is_a_usage_error(tmp_path, db_url, dkim_key, capsys):
    """--since that is not a date: exit 2 with the expected form on stderr."""
    path = tmp_path / "c.toml"
    path.write_text(settings_toml(db_url, tmp_path, dkim_key[0]))
    assert main(["policy", "replay", "--config", str(path), "--since", "yesterday"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
