"""`gateway users hash-password`, `gateway web`, and the [web]/[api] config checks."""

from __future__ import annotations

import subprocess
import sys

import pytest
from argon2 import PasswordHasher

from gateway.config import ConfigError, parse_settings

BASE = '[platform]\nname = "P"\n[relay]\ndomain = "relay.example.com"\n'


def hash_password(stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gateway", "users", "hash-password"],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_hash_password_reads_stdin_and_prints_an_argon2_hash():
    result = hash_password("correct horse battery\n")
    assert result.returncode == 0, result.stderr
    digest = result.stdout.strip()
    assert digest.startswith("$argon2id$")
    assert PasswordHasher().verify(digest, "correct horse battery")
    assert "correct horse" not in result.stdout


def test_hash_password_refuses_short_passwords_without_a_traceback():
    result = hash_password("short\n")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "use at least 10" in result.stderr
    assert "Traceback" not in result.stderr


def test_hash_password_takes_no_password_argument():
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "users", "hash-password", "secret-on-argv"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "unexpected extra argument" in result.stderr.lower()


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_settings(BASE + text, source="site.toml")
    return [p.render("site.toml") for p in caught.value.problems]


def test_web_config_errors_name_the_key_and_the_fix():
    (line,) = problems('[web]\nlisten = "8025"\n')
    assert line.startswith("site.toml: [web] listen:")
    assert "host:port" in line
    (line,) = problems('[[web.users]]\nname = "sam"\npassword_hash = "hunter2"\n')
    assert "[[web.users]] #1 password_hash" in line
    assert "gateway users hash-password" in line
    (line,) = problems(
        '[[web.users]]\nname = "sam"\npassword_hash = "$argon2id$x"\nrole = "root"\n'
    )
    assert "[[web.users]] #1 role" in line
    assert "'viewer', 'moderator' or 'admin'" in line
    (line,) = problems(
        '[[web.users]]\nname = "sam"\npassword_hash = "$argon2id$x"\n'
        '[[web.users]]\nname = "Sam"\npassword_hash = "$argon2id$y"\n'
    )
    assert "same name" in line


def test_api_tokens_must_be_long_or_hashed_and_can_come_from_the_environment():
    (line,) = problems('[[api.tokens]]\nname = "p"\ntoken = "short"\n')
    assert "[[api.tokens]] #1 token" in line
    assert "at least 32 characters" in line
    (line,) = problems('[[api.tokens]]\nname = "p"\ntoken = "sha256:abc"\n')
    assert "64 lower-case hex digits" in line
    lines = problems('[[api.tokens]]\nname = "p"\ntoken = "${GW_TOKEN}"\n')
    assert any("[api.tokens] token: environment variable GW_TOKEN is not set" in x for x in lines)
    settings = parse_settings(
        BASE + '[[api.tokens]]\nname = "p"\ntoken = "${GW_TOKEN}"\n',
        environ={"GW_TOKEN": "t" * 40},
    )
    assert settings.api.tokens[0].token == "t" * 40


def test_tls_files_are_checked_by_config_check(tmp_path):
    from gateway.config import semantic_problems

    cert = tmp_path / "web.crt"
    cert.write_text("x")
    settings = parse_settings(
        BASE + f'[dkim]\nenabled = false\n[web]\ntls_cert_file = "{cert}"\n', base_dir=tmp_path
    )
    (problem,) = semantic_problems(settings)
    assert problem.render("site.toml").startswith(
        "site.toml: [web] tls_key_file: only one of tls_cert_file and tls_key_file is set"
    )
    settings = parse_settings(
        BASE + '[dkim]\nenabled = false\n[web]\ntls_cert_file = "a.crt"\ntls_key_file = "b.key"\n',
        base_dir=tmp_path,
    )
    assert [p.key for p in semantic_problems(settings)] == [
        "[web] tls_cert_file",
        "[web] tls_key_file",
    ]
    assert "does not exist" in semantic_problems(settings)[0].message


async def test_a_taken_web_port_is_a_clear_error(tmp_path, dkim_key):
    """The web listener's address is named; uvicorn's sys.exit never reaches the caller."""
    import socket

    from gateway.server import Gateway
    from gateway.web.server import WebListenError
    from tests.web_helpers import web_settings

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        settings = web_settings(
            f"sqlite:///{tmp_path / 'g.db'}",
            tmp_path,
            dkim_key[0],
            web={"listen": f"127.0.0.1:{port}"},
        )
        gateway = Gateway(settings)
        try:
            with pytest.raises(WebListenError) as caught:
                await gateway.start(port=0)
        finally:
            await gateway.stop()
    assert caught.value.listen == f"127.0.0.1:{port}"
    assert caught.value.strerror == "Address already in use"
