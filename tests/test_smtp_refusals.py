"""The SMTP edge refuses what it must, each with a precise code and text, and stores nothing."""

from __future__ import annotations

import asyncio
import smtplib

from storage import archive
from storage.threads import close_thread
from tests.conftest import asend, make_settings, new_conversation

BODY = "From: ann@example.org\nTo: {to}\nSubject: hi\n\nhello\n"


async def test_unknown_relay_address_is_550_5_1_1(relay):
    """RCPT to an address that is no relay address is refused as unknown."""
    code, text = await asend(
        relay, "ann@example.org", ["nobody.aaaaaaaaaaaaaaaa@relay.gigbridge.io"], "x"
    )
    assert code == 550
    assert text.startswith("5.1.1")
    assert "no such relay address" in text


async def test_foreign_domain_is_not_relayed(relay):
    """The gateway is no open relay: any other domain is refused at RCPT (5.7.1, not ours)."""
    code, text = await asend(relay, "ann@example.org", ["victim@elsewhere.example.com"], "x")
    assert code == 550
    assert text.startswith("5.7.1")
    assert "relay access denied" in text


async def test_non_participant_sender_is_550_5_7_1(relay):
    """A sender who is not in the thread is refused with 5.7.1 and nothing is archived."""
    conv = new_conversation(relay.engine)
    data = f"From: mallory@evil.example.com\nTo: {conv.bo}\nSubject: hi\n\nbuy now\n"
    code, text = await asend(relay, "mallory@evil.example.com", [conv.bo], data)
    assert code == 550
    assert text.startswith("5.7.1")
    assert "not a participant" in text
    assert archive.messages_of(relay.engine, conv.thread_id) == []


async def test_sender_may_not_write_to_own_relay_address(relay):
    """Writing to one's own relay address is refused (there is nobody else to deliver to)."""
    conv = new_conversation(relay.engine)
    code, text = await asend(relay, "ann@example.org", [conv.ann], BODY.format(to=conv.ann))
    assert code == 550
    assert "own relay address" in text


async def test_closed_thread_is_550_5_7_1_with_help(relay):
    """A closed thread's relay addresses refuse mail with a text that says where to go."""
    conv = new_conversation(relay.engine)
    close_thread(relay.engine, conv.thread_id)
    code, text = await asend(relay, "ann@example.org", [conv.bo], BODY.format(to=conv.bo))
    assert code == 550
    assert text.startswith("5.7.1")
    assert "closed" in text
    assert "https://gigbridge.io/help" in text


async def test_declared_size_over_limit_is_552_5_3_4(db_url, tmp_path, dkim_key, start_gateway):
    """MAIL FROM with SIZE over the limit is refused before any data is sent."""
    settings = make_settings(db_url, tmp_path, dkim_key[0], relay={"max_message_size": 2000})
    running = await start_gateway(settings)
    code, text = await asend(running, "ann@example.org", [], "x", mail_options=["SIZE=5000"])
    assert code == 552
    assert text.startswith("5.3.4")
    assert "2000" in text


async def test_oversized_data_is_552_5_3_4(db_url, tmp_path, dkim_key, start_gateway):
    """DATA longer than the limit is refused after it is read, and nothing is stored."""
    settings = make_settings(db_url, tmp_path, dkim_key[0], relay={"max_message_size": 2000})
    running = await start_gateway(settings)
    conv = new_conversation(running.engine)
    data = BODY.format(to=conv.bo) + ("x" * 70 + "\n") * 60
    code, text = await asend(running, "ann@example.org", [conv.bo], data)
    assert code == 552
    assert text.startswith("5.3.4")
    assert archive.messages_of(running.engine, conv.thread_id) == []


async def test_too_many_recipients_is_452_4_5_3(db_url, tmp_path, dkim_key, start_gateway):
    """Past max_recipients, further RCPTs get 452 4.5.3 (the client sends them separately)."""
    settings = make_settings(db_url, tmp_path, dkim_key[0], relay={"max_recipients": 1})
    running = await start_gateway(settings)
    conv = new_conversation(running.engine)
    code, text = await asend(running, "ann@example.org", [conv.bo, conv.bo], "x")
    assert code == 452
    assert text.startswith("4.5.3")


async def test_recipients_of_two_threads_are_split(relay):
    """RCPTs for a second conversation get 452 4.5.3 so each message belongs to one thread."""
    one, two = new_conversation(relay.engine), new_conversation(relay.engine)
    code, text = await asend(relay, "ann@example.org", [one.bo, two.bo], "x")
    assert code == 452
    assert "One conversation per message" in text


async def test_failed_commit_is_451_and_nothing_half_stored(relay):
    """When the archive transaction fails, the client gets 451 4.3.0 and no row is left behind."""
    conv = new_conversation(relay.engine)
    with relay.engine.begin() as conn:
        if relay.engine.dialect.name == "sqlite":
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON delivery BEGIN SELECT RAISE(ABORT, 'no'); END"
            )
        else:
            conn.exec_driver_sql(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no'; END $$"
                " LANGUAGE plpgsql"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON delivery FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
    code, text = await asend(relay, "ann@example.org", [conv.bo], BODY.format(to=conv.bo))
    assert code == 451
    assert text.startswith("4.3.0")
    assert "Error" not in text
    assert archive.messages_of(relay.engine, conv.thread_id) == []


async def test_idle_session_is_closed(db_url, tmp_path, dkim_key, start_gateway):
    """A client that goes quiet is disconnected after idle_timeout."""
    settings = make_settings(db_url, tmp_path, dkim_key[0], relay={"idle_timeout": 0.5})
    running = await start_gateway(settings)

    def idle_then_talk() -> str:
        with smtplib.SMTP(running.host, running.port, timeout=5) as client:
            client.ehlo("x")
            import time

            time.sleep(1.5)
            try:
                code, text = client.noop()
            except smtplib.SMTPServerDisconnected:
                return "disconnected"
            # The gateway says why before it closes: 421 4.4.2 (gateway/smtp.py _timeout_cb).
            return "disconnected" if code == 421 and text.startswith(b"4.4.2") else "still open"

    assert await asyncio.to_thread(idle_then_talk) == "disconnected"


async def test_ehlo_advertises_smtputf8_8bitmime_and_size(relay):
    """The extensions the issue promises are advertised."""

    def features() -> dict:
        with smtplib.SMTP(relay.host, relay.port, timeout=5) as client:
            client.ehlo("x")
            return client.esmtp_features

    found = await asyncio.to_thread(features)
    assert "smtputf8" in found
    assert "8bitmime" in found
    assert "size" in found


async def test_internal_error_is_451_and_logged_with_peer_and_id(
    db_url, tmp_path, dkim_key, start_gateway
):
    """A broken admin template makes the footer stage fail: 451 4.3.0, never 500, and a traceback log."""
    import structlog

    custom = tmp_path / "custom"
    custom.mkdir()
    (custom / "footer.txt.j2").write_text("{{ no_such_variable }}\n")
    settings = make_settings(db_url, tmp_path, dkim_key[0], templates={"dir": str(custom)})
    running = await start_gateway(settings)
    conv = new_conversation(running.engine)
    with structlog.testing.capture_logs() as logs:
        code, text = await asend(running, "ann@example.org", [conv.bo], BODY.format(to=conv.bo))
    assert code == 451
    assert text.startswith("4.3.0")
    assert "no_such_variable" not in text
    (entry,) = [e for e in logs if e["event"] == "unexpected error while processing a message"]
    assert entry["log_level"] == "error"
    assert entry["exc_info"] is True
    assert entry["peer"].startswith("127.0.0.1:")
    assert entry["queue_id"]
    assert entry["stage"] == "footer"
    assert archive.messages_of(running.engine, conv.thread_id) == []
