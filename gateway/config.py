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
    model_validator,
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
    tls_cert: str = ""  # PEM certificate chain offered with STARTTLS (with tls_key)
    tls_key: str = ""
    require_tls: bool = False  # 530 5.7.0 to MAIL before STARTTLS
    postmaster: str = ""  # where postmaster@ and abuse@ the relay domain are delivered

    @field_validator("postmaster")
    @classmethod
    def _check_postmaster(cls, value: str) -> str:
        """One plain address (or empty: such mail is archived only)."""
        value = value.strip()
        if value and not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", value):
            raise ValueError(f"{value!r} is not an address, e.g. 'support@gigbridge.io'")
        return value.lower()

    workers: int = Field(default=1, ge=1, le=64)

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
    lock_timeout: Seconds = 30  # wait for another process's lock this long, then 451

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
    tls_ca_file: str = ""  # PEM CA bundle to verify the smarthost with (default: system CAs)
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
    poison_after: int = Field(default=5, ge=1, le=1000)  # crashes before a job is set aside
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


AuthAction = Literal["accept", "flag", "hold", "reject"]


class AuthSettings(_Section):
    """Sender authentication (SPF, DKIM, DMARC) and the action for each outcome."""

    mode: Literal["off", "verify", "trust-header"] = "off"
    authserv_id: str = ""  # trust-header: the front MTA's authserv-id
    dns_timeout: Seconds = 5  # DNS time budget for one message
    dns_cache_ttl: Seconds = 300
    nameservers: tuple[str, ...] = ()  # empty: /etc/resolv.conf
    on_dmarc_fail: Literal["policy", "accept", "flag", "hold", "reject"] = "policy"
    on_forged_participant: AuthAction = "reject"
    on_spf_fail: AuthAction = "hold"
    on_spf_softfail: AuthAction = "flag"
    on_dkim_fail: AuthAction = "flag"
    on_none: AuthAction = "flag"
    on_temperror: Literal["tempfail", "hold"] = "tempfail"
    arc_trusted_forwarders: tuple[str, ...] = ()  # ARC sealers (d=) whose verdict we accept

    @field_validator("arc_trusted_forwarders")
    @classmethod
    def _lowercase_forwarders(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """Sealing domains compare case-insensitively; each must look like a domain name."""
        cleaned = tuple(d.strip().lower().rstrip(".") for d in value)
        for domain in cleaned:
            if not _DOMAIN.match(domain):
                raise ValueError(f"{domain!r} is not a domain name, e.g. 'lists.example.net'")
        return cleaned

    @model_validator(mode="after")
    def _authserv_id_for_trust_header(self) -> AuthSettings:
        """Trusting headers without knowing whose would trust anyone's."""
        if self.mode == "trust-header" and not self.authserv_id.strip():
            raise ValueError(
                'mode = "trust-header" needs authserv_id, the id your front MTA writes into '
                'Authentication-Results (e.g. authserv_id = "mx.gigbridge.io")'
            )
        return self


def _rate(value: Any) -> Any:
    """Accept "60/1h" (60 messages per hour), "10/m", or "0"/"" to switch a limit off."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in {"", "0", "off"}:
            return (0, 0.0)
        match = re.fullmatch(r"(\d+)\s*/\s*(\d+(?:\.\d+)?)?\s*([smhd])", text)
        if not match or int(match[1]) < 1:
            raise ValueError('expected a rate such as "60/1h", "10/m", or "off"')
        return (int(match[1]), float(match[2] or 1) * _UNITS_SECONDS[match[3]])
    if value == 0:
        return (0, 0.0)
    return value


Rate = Annotated[tuple[int, float], BeforeValidator(_rate)]


class LimitsSettings(_Section):
    """Anti-abuse limits of the SMTP intake (gateway/limits.py; docs/security.md)."""

    per_sender: Rate = (60, 3600.0)  # messages per envelope sender
    per_thread: Rate = (120, 3600.0)  # messages per conversation
    per_peer: Rate = (600, 3600.0)  # transactions per client IP address
    max_tracked: int = Field(default=100_000, ge=100)  # rate-limit keys kept in memory
    max_headers: int = Field(default=1000, ge=10)
    max_header_bytes: Bytes = 1024 * 1024
    max_mime_depth: int = Field(default=50, ge=2, le=200)
    max_mime_parts: int = Field(default=1000, ge=2)
    data_timeout: Seconds = 600
    session_timeout: Seconds = 1800
    deny_peers: tuple[str, ...] = ()
    max_connections_per_peer: int = Field(default=20, ge=1, le=10_000)
    large_message: Bytes = 1024 * 1024
    large_message_concurrency: int = Field(default=2, ge=1, le=64)

    @field_validator("deny_peers")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """Every entry must be an IP address or a CIDR network."""
        import ipaddress

        for entry in value:
            try:
                ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not an IP address or network, e.g. '203.0.113.0/24'"
                ) from None
        return tuple(e.strip() for e in value)


class LoopSettings(_Section):
    """Mail loops and automatic mail (gateway/loops.py, gateway/automatic.py)."""

    max_relay_passes: int = Field(default=3, ge=1, le=50)
    max_received: int = Field(default=30, ge=5, le=500)
    automatic: Literal["relay_once", "suppress", "archive"] = "relay_once"
    automatic_period: Seconds = 86400


class LoggingSettings(_Section):
    """Log level and format (console for people, json for log collectors)."""

    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["console", "json"] = "console"


# ---------------------------------------------------------------- web and API (issue 5)

Role = Literal["viewer", "moderator", "admin"]


class WebUser(_Section):
    """One support account: a login name, an argon2 hash (`gateway users hash-password`), a role."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")
    password_hash: str = Field(min_length=1)
    role: Role = "viewer"

    @field_validator("password_hash")
    @classmethod
    def _argon2(cls, value: str) -> str:
        if not value.startswith("$argon2"):
            raise ValueError("not an argon2 hash; create one with `gateway users hash-password`")
        return value


class WebSettings(_Section):
    """[web]: the support pages and the platform API, one HTTP listener."""

    enabled: bool = False
    listen: str = "127.0.0.1:8025"
    session_lifetime: Seconds = 8 * 3600
    login_attempts: int = Field(default=5, ge=1, le=1000)
    login_window: Seconds = 900
    tls_cert_file: str = ""
    tls_key_file: str = ""
    page_size: int = Field(default=50, ge=5, le=500)
    users: tuple[WebUser, ...] = ()

    @field_validator("listen")
    @classmethod
    def _check_listen(cls, value: str) -> str:
        _parse_listen(value)
        return value

    @field_validator("users")
    @classmethod
    def _unique_names(cls, value: tuple[WebUser, ...]) -> tuple[WebUser, ...]:
        names = [u.name.lower() for u in value]
        if len(set(names)) != len(names):
            raise ValueError("two [[web.users]] have the same name")
        return value

    @property
    def listen_host(self) -> str:
        return _parse_listen(self.listen)[0]

    @property
    def listen_port(self) -> int:
        return _parse_listen(self.listen)[1]


class ApiToken(_Section):
    """One platform API client: a name for the audit log and its bearer token.

    `token` is either the token itself (write it as "${VAR}" to keep it in the environment) or
    "sha256:<hex>" of it, so the file never has to hold the secret.
    """

    name: str = Field(min_length=1, max_length=64)
    token: str = Field(min_length=1)

    @field_validator("token")
    @classmethod
    def _strong(cls, value: str) -> str:
        if value.startswith("sha256:"):
            if not re.fullmatch(r"sha256:[0-9a-f]{64}", value):
                raise ValueError('expected "sha256:" and 64 lower-case hex digits')
        elif len(value) < 32:
            raise ValueError("a token needs at least 32 characters")
        return value


class ApiSettings(_Section):
    """[api]: bearer tokens that may call /api/v1."""

    tokens: tuple[ApiToken, ...] = ()


class OpsSettings(_Section):
    """The operations side: metrics/health HTTP listener and shutdown behaviour."""

    listen: str = ""  # "host:port" for /metrics, /healthz, /readyz; empty: no HTTP listener
    shutdown_grace: Seconds = 30  # how long SIGTERM waits for SMTP sessions in a transaction

    @field_validator("listen")
    @classmethod
    def _check_listen(cls, value: str) -> str:
        """Fail at load time, not at bind time, when the address is malformed."""
        if value:
            _parse_listen(value)
        return value

    @property
    def address(self) -> tuple[str, int] | None:
        return _parse_listen(self.listen) if self.listen else None


class RetentionSettings(_Section):
    """How long message bodies are kept (0 = forever); metadata and hashes are kept always."""

    body_days: int = Field(default=0, ge=0)
    kinds: dict[str, int] = Field(default_factory=dict)  # per message kind: inbound|notice|dsn

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, value: dict[str, int]) -> dict[str, int]:
        """Only the archive's message kinds, each with a non-negative number of days."""
        for kind, days in value.items():
            if kind not in ("inbound", "notice", "dsn"):
                raise ValueError(f"{kind!r} is not a message kind: use inbound, notice or dsn")
            if days < 0:
                raise ValueError(f"{kind} = {days}: days must be 0 (keep) or more")
        return value


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
    auth: AuthSettings = AuthSettings()
    limits: LimitsSettings = LimitsSettings()
    loops: LoopSettings = LoopSettings()
    web: WebSettings = WebSettings()
    api: ApiSettings = ApiSettings()
    ops: OpsSettings = OpsSettings()
    retention: RetentionSettings = RetentionSettings()
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
    problems.extend(tls_problems(settings))
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
    problems.extend(web_problems(settings))
    return problems


def web_problems(settings: Settings) -> list[ConfigProblem]:
    """[web] checks that need the file system: both TLS files or neither, and they exist."""
    web = settings.web
    problems: list[ConfigProblem] = []
    if bool(web.tls_cert_file) != bool(web.tls_key_file):
        missing = "tls_key_file" if web.tls_cert_file else "tls_cert_file"
        problems.append(
            ConfigProblem(
                f"[web] {missing}",
                "only one of tls_cert_file and tls_key_file is set",
                "set both (certificate chain and private key, PEM) or neither",
            )
        )
    for key in ("tls_cert_file", "tls_key_file"):
        value = getattr(web, key)
        if value and not settings.path(value).is_file():
            problems.append(
                ConfigProblem(
                    f"[web] {key}",
                    f"{settings.path(value)} does not exist",
                    "point it at a PEM file or remove the key to serve plain HTTP on loopback",
                )
            )
    return problems


def tls_problems(settings: Settings) -> list[ConfigProblem]:
    """[relay] tls_cert/tls_key/require_tls: both files or neither, readable, and a pair;
    [delivery.smtp] tls_ca_file readable."""
    relay = settings.relay
    problems: list[ConfigProblem] = []
    if bool(relay.tls_cert) != bool(relay.tls_key):
        missing = "tls_key" if relay.tls_cert else "tls_cert"
        return [
            ConfigProblem(
                f"[relay] {missing}",
                "tls_cert and tls_key go together; only one is set",
                f"set {missing} to the matching PEM file, or remove both to turn STARTTLS off",
            )
        ]
    if relay.require_tls and not relay.tls_cert:
        return [
            ConfigProblem(
                "[relay] require_tls",
                "STARTTLS is required but no certificate is configured",
                "set tls_cert and tls_key, or set require_tls = false",
            )
        ]
    for key in ("tls_cert", "tls_key"):
        value = getattr(relay, key)
        if value and not settings.path(value).is_file():
            problems.append(
                ConfigProblem(
                    f"[relay] {key}",
                    f"{settings.path(value)} does not exist",
                    "point it at a PEM file (e.g. from your ACME client) or remove the key",
                )
            )
    ca_file = settings.delivery.smtp.tls_ca_file
    if ca_file and not settings.path(ca_file).is_file():
        problems.append(
            ConfigProblem(
                "[delivery.smtp] tls_ca_file",
                f"{settings.path(ca_file)} does not exist",
                "point it at the PEM file of the CA that issued the smarthost's certificate",
            )
        )
    if not problems and relay.tls_cert:
        from gateway.intake_tls import IntakeTlsError, server_context

        try:
            server_context(settings)
        except IntakeTlsError as exc:
            problems.append(
                ConfigProblem(
                    "[relay] tls_cert",
                    str(exc).removeprefix("[relay] tls_cert/tls_key: "),
                    "use the certificate chain and private key issued together, in PEM",
                )
            )
    return problems
