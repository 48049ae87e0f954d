"""The config file: typed, validated, every problem reported with file, key and fix."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from gateway.config import EXAMPLE_CONFIG, ConfigError, Settings, load_settings, parse_settings

MINIMAL = '[platform]\nname = "GigBridge"\n[relay]\ndomain = "relay.gigbridge.io"\n'


def problems(text: str, **kwargs) -> list[str]:
    """The rendered problems for a config text (fails if it is valid)."""
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, source="site.toml", **kwargs)
    return str(caught.value).splitlines()


def test_example_config_is_valid():
    """config.example.toml, the documented reference, loads without problems."""
    settings = load_settings(EXAMPLE_CONFIG)
    assert settings.relay.domain == "relay.gigbridge.io"
    assert settings.delivery.transport == "maildir"


def _keys(model: type, prefix: str = "") -> list[str]:
    """Every "[section] key" of a settings model, recursively."""
    found = []
    for name, field in model.model_fields.items():
        if name in {"base_dir", "source"}:
            continue
        annotation = field.annotation
        if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
            found += _keys(annotation, f"{prefix}.{name}" if prefix else name)
        else:
            found.append(f"{prefix} {name}")
    return found


def test_every_setting_is_documented_in_the_example():
    """Each key the code accepts appears (set or commented) in its section of the example."""
    text = EXAMPLE_CONFIG.read_text()
    sections = re.split(r"^\[([a-z.]+)\]\s*$", text, flags=re.M)
    by_section = dict(zip(sections[1::2], sections[2::2], strict=True))

    def documented(key: str) -> bool:
        section, name = key.split()
        table = f"{section}.{name}"  # a key that is itself a table, like [policy.kinds]
        return table in by_section or bool(
            re.search(rf"^#?\s*{name}\s*=", by_section.get(section, ""), re.M)
        )

    missing = [key for key in _keys(Settings) if not documented(key)]
    assert missing == []


def test_minimal_config_gets_defaults():
    """Only [platform] name and [relay] domain are required."""
    settings = parse_settings(MINIMAL)
    assert settings.storage.url == "sqlite:///data/gateway.db"
    assert settings.own_domains == ("relay.gigbridge.io",)


def test_unknown_key_names_file_key_and_fix():
    """A misspelt key is an error that says where it is and what to do."""
    (line,) = problems(MINIMAL + "max_mesage_size = 10\n")
    assert line.startswith("site.toml: [relay] max_mesage_size: unknown key")
    assert "Fix:" in line
    assert "spelling" in line


def test_all_problems_are_reported_at_once():
    """Several mistakes are listed together, not one per run."""
    text = (
        '[platform]\nname = "X"\ndomains = ["not a domain"]\n'
        '[relay]\ndomain = "relay.example.com"\nlisten = "nowhere"\nmax_recipients = 0\n'
        '[delivery]\ntransport = "pigeon"\n'
    )
    lines = problems(text)
    keys = [line.split(": ")[1] for line in lines]
    assert keys == [
        "[platform] domains",
        "[relay] listen",
        "[relay] max_recipients",
        "[delivery] transport",
    ]
    assert "'smtp'" in lines[3]
    assert "'maildir'" in lines[3]


def test_missing_required_section_is_named():
    """Leaving out [relay] says which key is missing and how to fix it."""
    (line,) = problems('[platform]\nname = "X"\n')
    assert (
        line
        == "site.toml: [relay]: required key is missing. Fix: add it (see config.example.toml for an example)"
    )


def test_syntax_error_is_reported_with_location():
    """Broken TOML is one clear problem with the parser's line and column."""
    (line,) = problems("[platform\nname = 1")
    assert line.startswith("site.toml: (syntax): not valid TOML")
    assert "line 1" in line


def test_secrets_come_from_the_environment():
    """ "${NAME}" values are read from the environment."""
    text = MINIMAL + '[delivery.smtp]\npassword = "${SMTP_PW}"\n[storage]\nurl = "${DB_URL}"\n'
    settings = parse_settings(text, environ={"SMTP_PW": "s3cret", "DB_URL": "postgresql://db/x"})
    assert settings.delivery.smtp.password == "s3cret"
    assert settings.storage.url == "postgresql://db/x"


def test_missing_environment_variable_is_a_config_error():
    """A "${NAME}" whose variable is unset names the key and the variable."""
    (line,) = problems(MINIMAL + '[delivery.smtp]\npassword = "${NOPE_PW}"\n', environ={})
    assert "[delivery.smtp] password" in line
    assert "NOPE_PW is not set" in line


def test_durations_and_sizes_accept_units():
    """ "5m" and "25MB" mean what admins expect."""
    text = MINIMAL.replace(
        'relay.gigbridge.io"\n',
        'relay.gigbridge.io"\nmax_message_size = "1MB"\nidle_timeout = "2m"\n',
    )
    settings = parse_settings(text)
    assert settings.relay.max_message_size == 1024 * 1024
    assert settings.relay.idle_timeout == 120


def test_bad_duration_explains_the_format():
    """An unreadable duration says which forms are accepted."""
    (line,) = problems(MINIMAL + '[delivery]\nmax_age = "soon"\n')
    assert "[delivery] max_age" in line
    assert '"5m"' in line


def test_relative_paths_are_anchored_at_the_config_folder(tmp_path: Path):
    """data/... in a config means next to that config, wherever the command runs."""
    config = tmp_path / "site.toml"
    config.write_text(MINIMAL)
    settings = load_settings(config)
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'gateway.db'}"
    assert settings.path("data/maildir") == tmp_path / "data" / "maildir"


def test_missing_file_is_a_clear_error(tmp_path: Path):
    """A config path that does not exist is reported, not a traceback."""
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path / "absent.toml")
    assert "file not found" in str(caught.value)


def test_example_policy_uses_documented_actions():
    """The example's [policy] only uses the five actions."""
    policy = tomllib.loads(EXAMPLE_CONFIG.read_text())["policy"]
    assert {policy["contact"], policy["payment"]} <= {"deliver", "flag", "redact", "hold", "reject"}
