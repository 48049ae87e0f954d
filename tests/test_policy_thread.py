"""Policy over a thread through real SMTP: stages, exemptions, escalation, accumulation, emergency."""

from __future__ import annotations

import asyncio

from gateway.config import parse_settings
from storage import archive
from storage.threads import add_exemption, list_exemptions, remove_exemption, set_stage
from tests.conftest import asend, new_conversation, settings_toml

RULES = """
[[policy.rules]]
name = "inquiry-contact"
stages = ["inquiry"]
categories = ["contact"]
action = "redact"
"""


def mail(to: str, subject: str, text: str) -> str:
    return f"From: Ann Lee <ann@example.org>\nTo: {to}\nSubject: {subject}\n\n{text}\n"


async def start(db_url, tmp_path, dkim_key, sink, start_gateway, extra: str = "", **sections):
    text = settings_toml(
        db_url,
        tmp_path,
        dkim_key[0],
        delivery__smtp={"port": sink.port},
        policy__notices={"enabled": False},
        **sections,
    )
    settings = parse_settings(text + extra, source="test.toml", base_dir=tmp_path)
    return await start_gateway(settings)


def last(running, conv):
    return [m for m in archive.messages_of(running.engine, conv.thread_id) if m.kind == "inbound"][
        -1
    ]


async def test_stage_rules_are_stricter_before_a_contract(
    db_url, tmp_path, dkim_key, sink, start_gateway
):
    """Inquiry: the phone number is redacted. Contract (set like the CLI does): only flagged."""
    running = await start(
        db_url, tmp_path, dkim_key, sink, start_gateway, RULES, policy={"contact": "flag"}
    )
    conv = new_conversation(running.engine)
    text = "Call +1 415 555 2671"
    assert (await asend(running, "ann@example.org", [conv.bo], mail(conv.bo, "a", text)))[0] == 250
    await sink.wait_for(1)
    assert b"555 2671" not in sink.received[0][2]
    first = last(running, conv)
    assert (first.action, first.decision["rule"], first.decision["stage"]) == (
        "redact",
        "rules.inquiry-contact",
        "inquiry",
    )
    set_stage(running.engine, conv.thread_id, "contract", actor="support:eve")
    assert (await asend(running, "ann@example.org", [conv.bo], mail(conv.bo, "b", text)))[0] == 250
    await sink.wait_for(2)
    assert b"555 2671" in sink.received[1][2]
    second = last(running, conv)
    assert (second.action, second.decision["rule"], second.decision["stage"]) == (
        "flag",
        "contact",
        "contract",
    )


async def test_exemption_delivers_what_it_covers_until_removed(
    db_url, tmp_path, dkim_key, sink, start_gateway
):
    """Support exempts a thread from phone findings: delivered; removed: held again."""
    running = await start(
        db_url, tmp_path, dkim_key, sink, start_gateway, policy={"contact": "hold"}
    )
    conv = new_conversation(running.engine)
    exemption = add_exemption(
        running.engine, conv.thread_id, scope="phone", actor="support:eve", reason="agreed call"
    )
    assert [e.scope for e in list_exemptions(running.engine, conv.thread_id)] == ["phone"]
    text = "Call +1 415 555 2671"
    code, reply = await asend(running, "ann@example.org", [conv.bo], mail(conv.bo, "a", text))
    assert (code, "held" in reply) == (250, False)
    await sink.wait_for(1)
    first = last(running, conv)
    assert first.action == "deliver"
    assert first.decision["findings"][0]["rule"] == f"exemption.{exemption}"
    remove_exemption(running.engine, conv.thread_id, exemption, actor="support:eve")
    code, reply = await asend(running, "ann@example.org", [conv.bo], mail(conv.bo, "b", text))
    assert (code, "held" in reply) == (250, True)


async def test_the_third_flagged_message_is_held(db_url, tmp_path, dkim_key, sink, start_gateway):
    """flags_before_hold = 3: flag, flag, then hold, each recorded with its rule."""
    running = await start(
        db_url,
        tmp_path,
        dkim_key,
        sink,
        start_gateway,
        policy={"contact": "flag"},
        policy__escalation={"flags_before_hold": 3},
    )
    conv = new_conversation(running.engine)
    for n in range(3):
        text = f"Call +1 415 555 267{n}"
        assert (await asend(running, "ann@example.org", [conv.bo], mail(conv.bo, str(n), text)))[
            0
        ] == 250
    rows = [m for m in archive.messages_of(running.engine, conv.thread_id) if m.kind == "inbound"]
    assert [(m.action, m.decision["rule"]) for m in rows] == [
        ("flag", "contact"),
        ("flag", "contact"),
        ("hold", "escalation.flags_before_hold"),
    ]


async def test_payment_request_after_a_contact_share_is_rejected(
    db_url, tmp_path, dkim_key, sink, start_gateway
):
    """A contact share, then an IBAN from the same sender: 550 5.7.1, recorded as an attempt."""
    running = await start(
        db_url,
        tmp_path,
        dkim_key,
        sink,
        start_gateway,
        policy={"contact": "flag", "payment": "flag"},
        policy__escalation={"payment_after_contact": "reject"},
    )
    conv = new_conversation(running.engine)
    first = mail(conv.bo, "a", "Call +1 415 555 2671")
    assert (await asend(running, "ann@example.org", [conv.bo], first))[0] == 250
    iban = mail(conv.bo, "b", "Pay to IBAN DE44 5001 0517 5407 3249 31")
    code, text = await asend(running, "ann@example.org", [conv.bo], iban)
    assert code == 550
    assert text.startswith("5.7.1")
    rejected = last(running, conv)
    assert (rejected.status, rejected.decision["rule"]) == (
        "rejected",
        "escalation.payment_after_contact",
    )
    # Bo, who shared nothing, may send payment details: only flagged.
    reply = mail(conv.ann, "c", "My IBAN: DE44 5001 0517 5407 3249 31").replace(
        "Ann Lee <ann@example.org>", "Bo <bo@example.net>"
    )
    assert (await asend(running, "bo@example.net", [conv.ann], reply))[0] == 250


async def test_a_number_split_over_two_messages_is_caught(
    db_url, tmp_path, dkim_key, sink, start_gateway
):
    """'+1 415 555' now, '2671' next: the second message is redacted of its half, on the record."""
    running = await start(
        db_url, tmp_path, dkim_key, sink, start_gateway, policy={"contact": "redact"}
    )
    conv = new_conversation(running.engine)
    one = mail(conv.bo, "a", "My number starts +1 415 555")
    assert (await asend(running, "ann@example.org", [conv.bo], one))[0] == 250
    await sink.wait_for(1)
    assert last(running, conv).action == "deliver"
    two = mail(conv.bo, "b", "and ends with 2671. Talk soon")
    assert (await asend(running, "ann@example.org", [conv.bo], two))[0] == 250
    await sink.wait_for(2)
    assert b"2671" not in sink.received[1][2]
    second = last(running, conv)
    assert second.action == "redact"
    assert second.decision["accumulated"] == [{"text": "+1 415 555 2671", "here": ["2671"]}]
    (finding,) = archive.findings_of(running.engine, second.id)
    assert (finding.part, finding.kind) == ("thread", "phone")
    assert finding.detector.startswith("accumulate/1+phones/")


async def test_emergency_switch_holds_clean_mail(db_url, tmp_path, dkim_key, sink, start_gateway):
    """emergency_hold: even a message without findings waits for support."""
    running = await start(
        db_url, tmp_path, dkim_key, sink, start_gateway, policy={"emergency_hold": True}
    )
    conv = new_conversation(running.engine)
    code, text = await asend(running, "ann@example.org", [conv.bo], mail(conv.bo, "a", "Hello"))
    assert (code, "held" in text) == (250, True)
    await asyncio.sleep(0.5)
    assert sink.received == []
    assert last(running, conv).decision["rule"] == "emergency_hold"


async def test_every_decision_records_its_provenance(
    db_url, tmp_path, dkim_key, sink, start_gateway
):
    """Policy version, rule, findings with spans and detector versions, footer templates."""
    running = await start(
        db_url, tmp_path, dkim_key, sink, start_gateway, policy={"contact": "flag"}
    )
    conv = new_conversation(running.engine)
    text = "Call +1 415 555 2671"
    assert (await asend(running, "ann@example.org", [conv.bo], mail(conv.bo, "a", text)))[0] == 250
    decision = last(running, conv).decision
    assert len(decision["policy_version"]) == 64
    assert decision["rule"] == "contact"
    (finding,) = decision["findings"]
    assert (finding["text"], finding["action"]) == ("+1 415 555 2671", "flag")
    assert finding["part"] == "part.0"  # the first (only) text part
    assert finding["end"] - finding["start"] == len("+1 415 555 2671")
    assert finding["detector"] == decision["detectors"]["phones"]
    assert set(decision["footer_templates"]) == {
        "footer.txt.j2",
        "footer.html.j2",
        "footers/warning_contact.txt.j2",
        "footers/warning_contact.html.j2",
    }
    assert all(len(h) == 64 for h in decision["footer_templates"].values())
