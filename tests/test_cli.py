"""The `gateway` command: output, exit codes and errors on stderr (called as main(argv))."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.cli import main
from tests.conftest import settings_toml


@pytest.fixture
def config(db_url: str, tmp_path: Path, dkim_key) -> Path:
    """A config file on the test database."""
    path = tmp_path / "gateway.toml"
    path.write_text(settings_toml(db_url, tmp_path, dkim_key[0]))
    return path


def create(config: Path, capsys, *extra: str) -> dict:
    """`gateway threads create --json` for Ann and Bo; the parsed output."""
    code = main(
        [
            "threads",
            "create",
            "--config",
            str(config),
            "--subject",
            "Logo",
            "--participant",
            "client:Ann Lee <Ann@Example.org>",
            "--participant",
            "freelancer:Bo Chen <bo@example.net>",
            "--json",
            *extra,
        ]
    )
    assert code == 0
    return json.loads(capsys.readouterr().out)


def test_threads_create_prints_unguessable_relay_addresses(config, capsys):
    """Each participant gets a relay address with at least 80 random bits, lower-case."""
    data = create(config, capsys, "--external-ref", "contract-77")
    assert re.fullmatch(r"th_[a-z2-7]{13}", data["id"])
    assert data["external_ref"] == "contract-77"
    addresses = [p["relay_address"] for p in data["participants"]]
    assert re.fullmatch(r"ann-lee\.[a-z2-7]{16}@relay\.gigbridge\.io", addresses[0])
    assert re.fullmatch(r"bo-chen\.[a-z2-7]{16}@relay\.gigbridge\.io", addresses[1])
    assert data["participants"][0]["address"] == "ann@example.org"  # stored lower-case


def test_relay_addresses_are_unique_across_threads(config, capsys):
    """Twenty threads never share a relay address."""
    seen = set()
    for _ in range(20):
        seen.update(p["relay_address"] for p in create(config, capsys)["participants"])
    assert len(seen) == 40


def test_threads_show_and_close(config, capsys):
    """show lists the participants; close marks the thread closed; show reflects it."""
    thread_id = create(config, capsys)["id"]
    assert main(["threads", "show", "--config", str(config), thread_id, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "open"
    assert shown["messages"] == []
    assert main(["threads", "close", "--config", str(config), thread_id]) == 0
    capsys.readouterr()
    assert main(["threads", "show", "--config", str(config), thread_id, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "closed"
    assert main(["threads", "show", "--config", str(config), thread_id]) == 0
    assert "Ann Lee" in capsys.readouterr().out


def test_unknown_thread_is_exit_1_on_stderr(config, capsys):
    """Asking for a thread that does not exist fails cleanly."""
    assert main(["threads", "close", "--config", str(config), "th_nothere"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no thread 'th_nothere'" in captured.err


def test_bad_participant_syntax_is_a_usage_error(config, capsys):
    """A participant without role or address gets exit 2 and an example of the right form."""
    code = main(
        [
            "threads",
            "create",
            "--config",
            str(config),
            "--subject",
            "x",
            "--participant",
            "Ann <ann@example.org>",
            "--participant",
            "b:B <b@example.org>",
        ]
    )
    assert code == 2
    assert "ROLE:NAME <ADDRESS>" in capsys.readouterr().err


def test_config_check_reports_every_problem(tmp_path, capsys):
    """config check lists all problems on stderr and exits 2."""
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[platform]\nname = "X"\ncolour = "red"\n[relay]\ndomain = "relay.example.com"\nlisten = "x"\n'
    )
    assert main(["config", "check", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "[platform] colour: unknown key" in err
    assert "[relay] listen" in err
    assert "2 problem(s)" in err


def test_config_check_names_a_missing_dkim_key(tmp_path, capsys):
    """A config whose key file is missing fails the check with the keygen command as the fix."""
    path = tmp_path / "site.toml"
    path.write_text('[platform]\nname = "X"\n[relay]\ndomain = "relay.example.com"\n')
    assert main(["config", "check", "--config", str(path)]) == 2
    assert "gateway dkim keygen --selector relay" in capsys.readouterr().err


def test_config_check_passes_on_a_good_config(config, capsys):
    """A complete config is reported OK with exit 0."""
    assert main(["config", "check", "--config", str(config)]) == 0
    assert "OK" in capsys.readouterr().out


def test_dkim_keygen_writes_a_key_and_prints_the_record(tmp_path, capsys):
    """keygen writes the configured key file and prints a TXT record for the selector."""
    path = tmp_path / "site.toml"
    path.write_text('[platform]\nname = "X"\n[relay]\ndomain = "relay.example.com"\n')
    assert main(["dkim", "keygen", "--config", str(path), "--selector", "s2026"]) == 0
    out = capsys.readouterr().out
    assert out.startswith('s2026._domainkey.relay.example.com. IN TXT "v=DKIM1; k=rsa; p=')
    assert (tmp_path / "data" / "dkim" / "relay.key").stat().st_mode & 0o777 == 0o600
    assert main(["dkim", "keygen", "--config", str(path)]) == 1  # refuses to overwrite
    assert "exists" in capsys.readouterr().err
    assert main(["dkim", "keygen", "--config", str(path), "--if-missing"]) == 0


def test_db_upgrade_is_idempotent(config, capsys):
    """db upgrade brings an empty database to head, and a second run changes nothing."""
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    first = capsys.readouterr().out
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    second = capsys.readouterr().out
    assert "was empty" in first
    assert "was" not in second


def test_console_script_smoke(tmp_path):
    """The installed command runs as a real process and reports config errors without a traceback."""
    bad = tmp_path / "bad.toml"
    bad.write_text("[platform\n")
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "config", "check", "--config", str(bad)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "not valid TOML" in result.stderr
    assert "Traceback" not in result.stderr
