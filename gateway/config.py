"""The admins' TOML file, read once and validated into frozen, typed settings.

Why this module exists: every other module receives a `Settings` value and never reads files or the
environment itself, so a test can build any configuration it needs. Errors are collected, not
raised one at a time: `gateway config check` shows every problem in the file at once, each naming
the file, the key, what is wrong and how to fix it.

Secrets stay out of the file: any string value written as ``"${NAME}"`` is replaced by the
environment variable NAME (a missing variable is a config error naming the key).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = PROJECT_ROOT / "config.example.toml"
DEFAULT_CONFIG_NAME = "gateway.toml"

Action = Literal["deliver", "flag", "redact", "hold", "reject"]
ACTIONS: tuple[str, ...] = ("deliver", "flag", "redact", "hold", "reject")

_UNITS_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_UNITS_BYTES = {"b": 1, "kb": 1024, "k": 1024, "mb": 1024**2, "m": 1024**2, "gb": 1024**3}
_ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$|^localhost$"
)


def _duration(value: Any) -> Any:
    """Accept seconds as a number or a string such as "90s", "5m", "2h", "5d"."""
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", value.lower())
        if not match:
            raise ValueError('expected seconds or a duration such as "30s", "5m", "2h", "5d"')
        return float(match[1]) * _UNITS_SECONDS[match[2] or "s"]
    return value


def _size(value: Any) -> Any:
    """Accept bytes as an integer or a string such as "25MB", "512KB"."""
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+)\s*([a-z]*)\s*", value.lower())
        if not match or (match[2] and match[2] not in _UNITS_BYTES):
            raise ValueError('expected bytes or a size such as "512KB", "25MB"')
        return int(match[1]) * _UNITS_BYTES[match[2] or "b"]
    return value


Seconds = Annotated[float, BeforeValidator(_duration), Field(gt=0)]
Bytes = Annotated[int, BeforeValidator(_size), Field(gt=0)]


class _Section(BaseModel):
    """Base for every section: unknown keys are errors, values are immutable after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _parse_listen(value: str) -> tuple[str, int]:
    """Split "host:port" (IPv6 as "[::1]:2525") into its parts, or raise a readable error."""
    match = re.fullmatch(r"\[?([^\[\]]+?)\]?:(\d{1,5})", value.strip())
    if not match or not 0 <= int(match[2]) <= 65535:
        raise ValueError('expected "host:port", for example "127.0.0.1:2525"')
    return match[1], int(match[2])


class PlatformSettings(_Section):
    """Who runs the relay: shown in From display names, footers and notices."""

    name: str = Field(min_length=1)
    domains: tuple[str, ...] = ()
    support_url: str = ""

    @field_validator("domains")
    @classmethod
    def _lowercase_domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """Domains compare case-insensitively; each must look like a domain name."""
        cleaned = tuple(d.strip().lower().rstrip(".") for d in value)
        for domain in cleaned:
            if not _DOMAIN.match(domain):
                raise ValueError(f"{domain!r} is not a domain name, e.g. 'gigbridge.io'")
        return cleaned


class RelaySettings(_Section):
    """The SMTP intake: relay domain, listening socket and the limits of one transaction."""

    domain: str
    listen: str = "127.0.0.1:2525"
    hostname: str = ""
    max_message_size: Bytes = 25 * 1024 * 1024
    max_recipients: int = Field(default=20, ge=1, le=1000)
    idle_timeout: Seconds = 300
    bounce_local_part: str = "bounces"
    noreply_local_part: str = "noreply"

    @field_validator("domain")
    @classmethod
    def _check_domain(cls, value: str) -> str:
        """The relay domain is part of every relay address, so it must be a valid domain."""
        value = value.strip().lower().rstrip(".")
        if not _DOMAIN.match(value):
            raise ValueError(f"{value!r} is not a domain name, e.g. 'relay.gigbridge.io'")
        return value

    @field_validator("listen")
    @classmethod
    def _check_listen(cls, value: str) -> str:
        """Fail at load time, not at bind time, when the address is malformed."""
        _parse_listen(value)
        return value

    @property
    def listen_host(self) -> str:
        return _parse_listen(self.listen)[0]

    @property
    def listen_port(self) -> int:
        return _parse_listen(self.listen)[1]

    @property
    def helo_name(self) -> str:
        return self.hostname or self.domain


class StorageSettings(_Section):
    """Where the archive and the outbox live."""

    url: str = "sqlite:///data/gateway.db"
    auto_migrate: bool = True
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"
    pool_size: int = Field(default=5, ge=1, le=100)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        """Only the two databases the project is tested on are accepted."""
        if not value.startswith(("sqlite:///", "postgresql")):
            raise ValueError(
                'expected "sqlite:///path/to/file.db" or "postgresql+psycopg://user@host/db"'
            )
        return value


class SmtpDeliverySettings(_Section):
    """The smarthost that outgoing mail is handed to."""

    host: str = "127.0.0.1"
    port: int = Field(default=25, ge=1, le=65535)
    starttls: Literal["off", "opportunistic", "required"] = "opportunistic"
    verify_tls: bool = True
    username: str = ""
    password: str = ""
    timeout: Seconds = 30


class MaildirDeliverySettings(_Section):
    """Local delivery for trying the gateway without any other server."""

    path: str = "data/maildir"


class DeliverySettings(_Section):
    """The outbox worker: transport, retries and leases."""

    transport: Literal["smtp", "maildir"] = "maildir"
    retry_schedule: tuple[Seconds, ...] = (60, 300, 900, 3600, 7200)
    max_age: Seconds = 5 * 86400
    lease: Seconds = 300
    concurrency: int = Field(default=10, ge=1, le=500)
    poll_interval: Seconds = 5
    smtp: SmtpDeliverySettings = SmtpDeliverySettings()
    maildir: MaildirDeliverySettings = MaildirDeliverySettings()

    @field_validator("retry_schedule")
    @classmethod
    def _non_empty(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        """At least one delay is needed: the last one repeats until max_age."""
        if not value:
            raise ValueError('needs at least one delay, e.g. ["1m", "5m", "1h"]')
        return value


class DkimSettings(_Section):
    """DKIM signing of every outgoing copy for the relay domain."""

    enabled: bool = True
    selector: str = "relay"
    private_key_file: str = "data/dkim/relay.key"
    algorithm: Literal["rsa-sha256", "ed25519-sha256"] = "rsa-sha256"

    @field_validator("selector")
    @classmethod
    def _check_selector(cls, value: str) -> str:
        """A selector is one or more DNS labels."""
        if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9-]+)*", value):
            raise ValueError(f"{value!r} is not a DNS label, e.g. 'relay2026'")
        return value


class TemplateSettings(_Section):
    """Admins' own template folder, searched before the built-in templates/."""

    dir: str = ""


class ScannerSettings(_Section):
    """What the scanner allows and how much one message may cost it."""

    work_domains: tuple[str, ...] = ()
    phone_regions: tuple[str, ...] = ("US", "GB", "DE", "FR", "ES", "BR", "IN", "RU")
    max_chars: int = Field(default=2_000_000, ge=1000)
    max_seconds: Seconds = 2.0
    documents: bool = False  # read PDF/.docx attachments too (the guideline counts them as binary)

    @field_validator("work_domains")
    @classmethod
    def _lowercase(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """Domains compare case-insensitively; each must look like a domain name."""
        cleaned = tuple(d.strip().lower().rstrip(".") for d in value)
        for domain in cleaned:
            if not _DOMAIN.match(domain):
                raise ValueError(f"{domain!r} is not a domain name, e.g. 'github.com'")
        return cleaned

    @field_validator("phone_regions")
    @classmethod
    def _regions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """Two-letter ISO 3166 region codes, as libphonenumber expects."""
        for region in value:
            if not re.fullmatch(r"[A-Z]{2}", region):
                raise ValueError(f"{region!r} is not a two-letter region code, e.g. 'US'")
        return value


Stage = Literal["inquiry", "contract", "closed"]
STAGES: tuple[str, ...] = ("inquiry", "contract", "closed")
Role = Literal["client", "freelancer"]


class PolicyRule(_Section):
    """One ordered rule of [[policy.rules]]: the first rule matching a finding decides its action.

    Every condition left out matches anything; `kinds` and `categories` name what the rule is
    about. Firewall semantics (first match wins) keep a long policy readable: put the narrow
    exceptions first.
    """

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    action: Action
    categories: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    stages: tuple[Stage, ...] = ()
    roles: tuple[str, ...] = ()  # the sender's role in the thread (client, freelancer, ...)
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)


class PolicyAllow(_Section):
    """Findings naming these are never acted on (platform and work domains are allowed already)."""

    addresses: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    @field_validator("addresses")
    @classmethod
    def _addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """Addresses compare case-insensitively and need an @."""
        cleaned = tuple(a.strip().lower() for a in value)
        for address in cleaned:
            local, _, domain = address.rpartition("@")
            if not local or not _DOMAIN.match(domain):
                raise ValueError(f"{address!r} is not an address, e.g. 'billing@partner.com'")
        return cleaned

    @field_validator("domains")
    @classmethod
    def _domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """Domains compare case-insensitively; subdomains are allowed with their parent."""
        cleaned = tuple(d.strip().lower().rstrip(".") for d in value)
        for domain in cleaned:
            if not _DOMAIN.match(domain):
                raise ValueError(f"{domain!r} is not a domain name, e.g. 'calendly.com'")
        return cleaned


class PolicyEscalation(_Section):
    """Rules over a sender's history in one thread, not over one message."""

    flags_before_hold: int = Field(default=0, ge=0, le=1000)  # 0: off
    payment_after_contact: Action = "deliver"  # "deliver": off
    accumulate: bool = True  # join number fragments across a sender's messages
    tail_fragments: int = Field(default=4, ge=1, le=20)


class PolicyHolds(_Section):
    """What happens to held messages nobody in support looked at."""

    max_age: Seconds = 3 * 86400
    on_expiry: Literal["keep", "release", "reject"] = "keep"
    check_interval: Seconds = 300


class PolicyNotices(_Section):
    """Mail that tells people what the policy did to a message."""

    enabled: bool = True
    on: tuple[Literal["hold", "release", "reject", "redact"], ...] = (
        "hold",
        "release",
        "reject",
        "redact",
    )
    notify_recipient: bool = False  # also tell the recipient that a redacted message arrived
    max_per_hour: int = Field(default=5, ge=0, le=10000)  # per sender; 0: unlimited


class PolicySettings(_Section):
    """Which action each finding triggers; the most severe action over all findings wins."""

    contact: Action = "flag"
    payment: Action = "hold"
    limit: Action = "hold"  # a message the scanner could not read completely
    kinds: dict[str, Action] = Field(default_factory=dict)
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    default_stage: Stage = "inquiry"
    emergency_hold: bool = False
    rules: tuple[PolicyRule, ...] = ()
    allow: PolicyAllow = PolicyAllow()
    escalation: PolicyEscalation = PolicyEscalation()
    holds: PolicyHolds = PolicyHolds()
    notices: PolicyNotices = PolicyNotices()


class LoggingSettings(_Section):
    """Log level and format (console for people, json for log collectors)."""

    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["console", "json"] = "console"


class Settings(_Section):
    """The whole configuration; `base_dir` anchors relative paths (the config file's folder)."""

    platform: PlatformSettings
    relay: RelaySettings
    storage: StorageSettings = StorageSettings()
    delivery: DeliverySettings = DeliverySettings()
    dkim: DkimSettings = DkimSettings()
    templates: TemplateSettings = TemplateSettings()
    scanner: ScannerSettings = ScannerSettings()
    policy: PolicySettings = PolicySettings()
    logging: LoggingSettings = LoggingSettings()
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)
    source: str = Field(default="<memory>", exclude=True)

    @property
    def own_domains(self) -> tuple[str, ...]:
        """The platform's domains plus the relay domain: addresses there are never findings."""
        domains = self.platform.domains
        return domains if self.relay.domain in domains else (*domains, self.relay.domain)

    def path(self, value: str) -> Path:
        """Resolve a path from the config relative to the config file's folder."""
        candidate = Path(value).expanduser()
        return candidate if candidate.is_absolute() else self.base_dir / candidate

    @property
    def database_url(self) -> str:
        """The storage URL with a relative SQLite path anchored at the config's folder."""
        url = self.storage.url
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            return "sqlite:///" + str(self.path(url.removeprefix("sqlite:///")))
        return url

    @property
    def templates_dir(self) -> Path | None:
        return self.path(self.templates.dir) if self.templates.dir else None


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in a config file, phrased for the admin who has to fix it."""

    key: str
    message: str
    fix: str

    def render(self, source: str) -> str:
        return f"{source}: {self.key}: {self.message}. Fix: {self.fix}"


class ConfigError(Exception):
    """The config cannot be used; carries every problem found, not just the first."""

    def __init__(self, source: str, problems: list[ConfigProblem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(p.render(source) for p in problems))


def default_config_path(cwd: Path | None = None) -> Path:
    """./gateway.toml when it exists, else the documented example shipped with the project."""
    local = (cwd or Path.cwd()) / DEFAULT_CONFIG_NAME
    return local if local.exists() else EXAMPLE_CONFIG


def load_settings(
    path: Path | str | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Read, expand and validate a config file; raise ConfigError listing every problem."""
    config_path = Path(path) if path else default_config_path()
    source = str(config_path)
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            source,
            [ConfigProblem("(file)", "file not found", "pass --config with an existing file")],
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            source, [ConfigProblem("(file)", f"cannot read it ({exc})", "check its permissions")]
        ) from None
    return parse_settings(
        text, source=source, base_dir=config_path.resolve().parent, environ=environ
    )


def parse_settings(
    text: str,
    *,
    source: str = "<memory>",
    base_dir: Path | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Validate TOML text into Settings (the testable core of load_settings)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            source, [ConfigProblem("(syntax)", f"not valid TOML: {exc}", "correct the TOML syntax")]
        ) from None
    problems: list[ConfigProblem] = []
    expanded = _expand_env(raw, os.environ if environ is None else environ, (), problems)
    try:
        settings = Settings.model_validate(
            {**expanded, "base_dir": base_dir or Path.cwd(), "source": source}
        )
    except ValidationError as exc:
        problems.extend(_describe(error) for error in exc.errors())
        raise ConfigError(source, problems) from None
    if problems:
        raise ConfigError(source, problems)
    return settings


def _expand_env(value: Any, environ: Any, key: tuple[str, ...], problems: list) -> Any:
    """Replace "${NAME}" strings with environment values, recording missing variables."""
    if isinstance(value, dict):
        return {k: _expand_env(v, environ, (*key, k), problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v, environ, key, problems) for v in value]
    if isinstance(value, str) and (match := _ENV_REF.match(value)):
        if match[1] not in environ:
            problems.append(
                ConfigProblem(
                    _dotted(key),
                    f"environment variable {match[1]} is not set",
                    f"export {match[1]}=... before starting, or write the value in the file",
                )
            )
            return ""
        return environ[match[1]]
    return value


def _dotted(loc: tuple[Any, ...]) -> str:
    """("delivery", "smtp", "port") -> "[delivery.smtp] port", the way admins see the file."""
    for i, part in enumerate(loc[:-1]):
        if isinstance(part, int):  # an array of tables: ("policy", "rules", 1, "action")
            table = ".".join(str(p) for p in loc[:i])
            rest = " ".join(str(p) for p in loc[i + 1 :] if not isinstance(p, int))
            return f"[[{table}]] #{part + 1} {rest}"
    parts = [str(p) for p in loc if not isinstance(p, int)]
    if not parts:
        return "(top level)"
    if len(parts) == 1:
        return f"[{parts[0]}]"
    return f"[{'.'.join(parts[:-1])}] {parts[-1]}"


def _describe(error: Any) -> ConfigProblem:
    """Turn one pydantic error into a ConfigProblem with a concrete fix."""
    loc = tuple(error["loc"])
    kind = error["type"]
    key = _dotted(loc)
    if kind == "extra_forbidden":
        return ConfigProblem(
            key,
            "unknown key",
            "remove it or correct its spelling (config.example.toml lists every key)",
        )
    if kind == "missing":
        return ConfigProblem(
            key, "required key is missing", "add it (see config.example.toml for an example)"
        )
    message = str(error["msg"]).removeprefix("Value error, ")
    shown = error.get("input")
    if not isinstance(shown, dict | list):
        message = f"{message} (got {shown!r})"
    return ConfigProblem(key, message, _fix_for(kind, error))


def _fix_for(kind: str, error: Any) -> str:
    """A short hint matching the kind of validation failure."""
    ctx = error.get("ctx") or {}
    if kind == "literal_error":
        return f"use one of {ctx.get('expected', 'the documented values')}"
    if kind.startswith(("int_", "float_")) or kind in {"greater_than", "less_than_equal"}:
        return "use a number in the documented range"
    if kind.startswith("bool"):
        return "use true or false"
    if kind.startswith("string"):
        return "use a quoted string"
    return "see config.example.toml for the expected form"


def semantic_problems(settings: Settings) -> list[ConfigProblem]:
    """Checks that need the file system: key files, template folders (for `config check`)."""
    from gateway.policy.checks import policy_problems

    problems: list[ConfigProblem] = policy_problems(settings)
    if settings.dkim.enabled and not settings.path(settings.dkim.private_key_file).is_file():
        problems.append(
            ConfigProblem(
                "[dkim] private_key_file",
                f"{settings.path(settings.dkim.private_key_file)} does not exist",
                f"run `gateway dkim keygen --selector {settings.dkim.selector}` "
                "or set [dkim] enabled = false",
            )
        )
    if settings.templates_dir and not settings.templates_dir.is_dir():
        problems.append(
            ConfigProblem(
                "[templates] dir",
                f"{settings.templates_dir} is not a folder",
                "create it or remove the key to use the built-in templates",
            )
        )
    if (
        settings.delivery.transport == "smtp"
        and settings.delivery.smtp.username
        and not (settings.delivery.smtp.password)
    ):
        problems.append(
            ConfigProblem(
                "[delivery.smtp] password",
                "a username is set but no password",
                'set password = "${GATEWAY_SMTP_PASSWORD}" and export that variable',
            )
        )
    return problems
