"""`gateway threads stage | exempt | unexempt | exemptions`: audit-logged, errors on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from gateway.cli import main
from storage.db import make_engine, session_scope
from storage.models import AuditEvent
from tests.conftest import settings_toml


@pytest.fixture
def config(db_url: str, tmp_path: Path, dkim_key) -> Path:
    path = tmp_path / "gateway.toml"
    path.write_text(settings_toml(db_url, tmp_path, dkim_key[0]))
    return path


def run(config: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--config", str(config)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_stage_and_exemptions_from_the_command_line(config, capsys, db_url):
    """Stage set and shown; an exemption granted, listed and removed; every step audited."""
    code, out, _ = run(
        config,
        capsys,
        "threads",
        "create",
        "--subject",
        "Logo",
        "--participant",
        "client:Ann <ann@example.org>",
        "--participant",
        "freelancer:Bo <bo@example.net>",
        "--json",
    )
    thread = json.loads(out)["id"]
    # no stage of its own: shown as [policy] default_stage
    assert (
        run(config, capsys, "threads", "show", thread, "--json")[1].count('"stage": "inquiry"') == 1
    )
    code, _, err = run(config, capsys, "threads", "stage", thread, "contract", "--actor", "eve")
    assert (code, err.strip()) == (0, f"thread {thread} is now in stage contract")
    assert json.loads(run(config, capsys, "threads", "show", thread, "--json")[1])["stage"] == (
        "contract"
    )
    code, _, err = run(config, capsys, "threads", "stage", thread, "signed")
    assert code == 2
    assert "'inquiry', 'contract', 'closed'" in err

    code, out, _ = run(
        config, capsys, "threads", "exempt", thread, "--scope", "phone", "--reason", "agreed call"
    )
    exemption = int(out.strip())
    listed = json.loads(run(config, capsys, "threads", "exemptions", thread, "--json")[1])
    assert [(e["id"], e["scope"], e["reason"]) for e in listed] == [
        (exemption, "phone", "agreed call")
    ]
    code, _, err = run(
        config, capsys, "threads", "exempt", thread, "--scope", "a b", "--reason", "x"
    )
    assert code == 2
    assert "is not a scope" in err
    assert run(config, capsys, "threads", "unexempt", thread, str(exemption))[0] == 0
    code, _, err = run(config, capsys, "threads", "unexempt", thread, str(exemption))
    assert code == 1
    assert f"has no active exemption {exemption}" in err
    assert json.loads(run(config, capsys, "threads", "exemptions", thread, "--json")[1]) == []
    code, _, err = run(config, capsys, "threads", "stage", "th_nope", "contract")
    assert (code, "thread th_nope not found" in err) == (1, True)

    engine = make_engine(db_url)
    try:
        with session_scope(engine) as session:
            actions = session.exec(
                select(AuditEvent.action, AuditEvent.actor).where(AuditEvent.target_id == thread)
            ).all()
    finally:
        engine.dispose()
    assert [a for a, _ in actions] == [
        "thread.create",
        "thread.stage",
        "thread.exempt",
        "thread.unexempt",
    ]
    assert actions[1][1] == "eve"
