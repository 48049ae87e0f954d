"""Operations: /metrics, /healthz, /readyz over real HTTP; SIGTERM with a session in flight;
JSON log lines from a real `gateway serve` process."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import smtplib
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import asend, make_settings, new_conversation
from tests.ops_helpers import CountingSink, prepare_database, write_config

BODY = "From: ann@example.org\nTo: {to}\nSubject: ops\n\nhello ops\n"


def http_get(port: int, path: str) -> tuple[int, str, str]:
    """(status, content type, body) of a GET on the ops listener."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.headers["content-type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["content-type"], error.read().decode()


def sample(text: str, name: str, **labels: str) -> float:
    """One sample's value from the Prometheus text format (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{re.escape(name)}{re.escape('{' + wanted + '}') if labels else ''} (\S+)$"
    match = re.search(pattern, text, re.M)
    return float(match[1]) if match else 0.0


async def test_metrics_health_and_readiness(db_url, tmp_path, dkim_key, sink, start_gateway):
    """A delivered message moves the counters and histograms; the outbox gauges show the
    shared queue; /readyz turns 503 naming SMTP once the listener is closed."""
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        ops={"listen": "127.0.0.1:0"},
        delivery__smtp={"port": sink.port},
    )
    running = await start_gateway(settings)
    port = running.gateway.ops.port
    _, _, before = await asyncio.to_thread(http_get, port, "/metrics")

    conv = new_conversation(running.engine)
    assert (await asend(running, "ann@example.org", [conv.bo], BODY.format(to=conv.bo)))[0] == 250
    await sink.wait_for(1)
    await asyncio.sleep(0.2)  # the worker records the outcome right after the upstream's 250

    status, ctype, after = await asyncio.to_thread(http_get, port, "/metrics")
    assert status == 200
    assert ctype.startswith("text/plain")

    def delta(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert delta("gateway_messages_total", action="deliver") == 1
    assert delta("gateway_smtp_data_replies_total", code="250") == 1
    assert delta("gateway_smtp_data_seconds_count") == 1
    assert delta("gateway_delivery_attempts_total", outcome="delivered") == 1
    assert delta("gateway_delivery_attempt_seconds_count", outcome="delivered") == 1
    assert sample(after, "gateway_outbox_jobs", status="delivered") == 1  # fresh database
    assert sample(after, "gateway_outbox_jobs", status="queued") == 0
    assert sample(after, "gateway_outbox_oldest_queued_seconds") == 0
    assert "# TYPE gateway_smtp_data_seconds histogram" in after

    assert await asyncio.to_thread(http_get, port, "/healthz") == (
        200,
        "application/json",
        '{"status":"ok"}',
    )
    status, _, body = await asyncio.to_thread(http_get, port, "/readyz")
    assert (status, json.loads(body)) == (
        200,
        {"status": "ready", "checks": {"database": True, "smtp": True}},
    )

    running.gateway.server.close()  # as during shutdown: SMTP no longer accepts
    status, _, body = await asyncio.to_thread(http_get, port, "/readyz")
    assert (status, json.loads(body)["checks"]) == (503, {"database": True, "smtp": False})


async def test_queue_depth_and_age_while_upstream_is_down(
    db_url, tmp_path, dkim_key, start_gateway
):
    """With the upstream down the job stays queued: depth 1, its age grows, a retry counted."""
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        ops={"listen": "127.0.0.1:0"},
        delivery={"retry_schedule": [0.3]},
        delivery__smtp={"port": 9},  # discard port: nobody listens
    )
    running = await start_gateway(settings)
    port = running.gateway.ops.port
    _, _, before = await asyncio.to_thread(http_get, port, "/metrics")
    conv = new_conversation(running.engine)
    assert (await asend(running, "ann@example.org", [conv.bo], BODY.format(to=conv.bo)))[0] == 250
    await asyncio.sleep(1.2)
    _, _, after = await asyncio.to_thread(http_get, port, "/metrics")
    assert sample(after, "gateway_outbox_jobs", status="queued") == 1
    assert sample(after, "gateway_outbox_oldest_queued_seconds") >= 1.0
    retries = sample(after, "gateway_delivery_retries_total") - sample(
        before, "gateway_delivery_retries_total"
    )
    assert retries >= 2


async def test_ops_listener_port_in_use_fails_the_start(db_url, tmp_path, dkim_key):
    """A taken ops port is an error at start (not a silent missing endpoint)."""
    import socket

    from gateway.server import Gateway

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings = make_settings(
            db_url, tmp_path, dkim_key[0], ops={"listen": f"127.0.0.1:{taken.getsockname()[1]}"}
        )
        gateway = Gateway(settings)
        with pytest.raises(OSError, match="in use"):
            await gateway.start(port=0)
        await gateway.stop()


def test_serve_names_the_ops_setting_when_its_port_is_taken(tmp_path, dkim_key):
    """`gateway serve` exits 1 with one line naming [ops] listen, not the SMTP address."""
    import socket
    import subprocess
    import sys

    from tests.conftest import settings_toml

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "gateway.toml"
        config.write_text(
            settings_toml(
                f"sqlite:///{tmp_path / 'g.db'}",
                tmp_path,
                dkim_key[0],
                ops={"listen": f"127.0.0.1:{port}"},
            )
        )
        result = subprocess.run(
            [sys.executable, "-m", "gateway", "serve", "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"error: cannot listen on 127.0.0.1:{port} ([ops] listen): Address already in use" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


async def test_sigterm_finishes_the_session_in_flight_then_exits(tmp_path, dkim_key):
    """SIGTERM while a client is in the middle of DATA: new connections are refused, an idle
    session gets 421 at once, the session in flight gets its 250, then the process exits 0.
    Its log lines are JSON ([logging] format = "json")."""
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    (conv,) = prepare_database(url, threads=1)
    sink = CountingSink()
    await sink.start()
    proc = write_config(
        tmp_path,
        "gw-term",
        url,
        dkim_key[0],
        sink.port,
        logging={"level": "info", "format": "json"},
        ops={"shutdown_grace": 20},
    )
    proc.start()
    try:
        await proc.wait_listening()

        def conversation() -> tuple[int, str, bytes]:
            busy = smtplib.SMTP("127.0.0.1", proc.port, timeout=20)
            idle = smtplib.SMTP("127.0.0.1", proc.port, timeout=20)
            try:
                return talk(busy, idle)
            finally:
                busy.close()
                idle.close()

        def talk(busy: smtplib.SMTP, idle: smtplib.SMTP) -> tuple[int, str, tuple]:
            busy.ehlo("client.example")
            idle.ehlo("idle.example")
            assert busy.mail("ann@example.org")[0] == 250
            assert busy.rcpt(conv.bo)[0] == 250
            assert busy.docmd("DATA")[0] == 354
            head = f"From: ann@example.org\r\nTo: {conv.bo}\r\nSubject: in flight\r\n\r\n"
            busy.send(head.encode() + b"first half\r\n")
            proc.proc.send_signal(signal.SIGTERM)
            time.sleep(1.0)  # the gateway is draining now
            assert proc.proc.poll() is None, "exited with a transaction in flight"
            refused = False
            try:
                smtplib.SMTP("127.0.0.1", proc.port, timeout=5).close()
            except OSError:
                refused = True
            assert refused, "still accepting connections after SIGTERM"
            idle_reply = idle.getreply()  # the 421 it was sent unasked
            busy.send(b"second half\r\n.\r\n")
            code, text = busy.getreply()
            with_421 = busy.getreply()[0] if code == 250 else None
            return code, text.decode(), (idle_reply, with_421)

        code, text, (idle_reply, after) = await asyncio.to_thread(conversation)
        assert code == 250, text
        assert idle_reply[0] == 421
        assert idle_reply[1].startswith(b"4.3.2")
        assert after in (421, -1)  # 421 then closed, or closed (smtplib reports -1)
        returncode = await asyncio.to_thread(proc.proc.wait, 30)
        assert returncode == 0
    finally:
        if proc.alive:
            proc.proc.kill()
        await sink.stop()
    lines = [line for line in proc.log().splitlines() if line.startswith("{")]
    events = [json.loads(line)["event"] for line in lines]
    assert "shutting down" in events
    assert "smtp sessions drained" in events
    assert events[-1] == "stopped"
    drained = next(
        json.loads(x) for x in lines if json.loads(x)["event"] == "smtp sessions drained"
    )
    assert (drained["finished"], drained["cut_off"]) == (1, 0)
