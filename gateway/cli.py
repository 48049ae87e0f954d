"""The `gateway` command: parsing, output and exit codes only; the work lives in other modules.

Exit codes: 0 success, 1 the operation failed (e.g. a thread was not found), 2 bad usage or an
unusable config. Errors go to stderr as one readable line each, never as a traceback.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import sys
from collections.abc import Callable
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from gateway import config as config_module
from gateway.addresses import RelayDomain
from gateway.config import ConfigError, Settings, load_settings, semantic_problems

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Failure(click.ClickException):
    """An expected failure: message on stderr, exit 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        err.print(f"error: {self.format_message()}", markup=False)


def config_option(fn: Callable) -> Callable:
    """--config F on every subcommand (default ./gateway.toml, else the example config)."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Config file (default: ./gateway.toml, else config.example.toml).",
    )(fn)


def load(config_path: Path | None) -> Settings:
    """Settings or exit 2 with every problem on stderr."""
    try:
        return load_settings(config_path)
    except ConfigError as exc:
        for problem in exc.problems:
            err.print(problem.render(exc.source), markup=False)
        raise SystemExit(2) from None


def with_settings(fn: Callable) -> Callable:
    """Decorator: adds --config and passes loaded Settings as the first argument."""

    @config_option
    @functools.wraps(fn)
    def wrapper(config_path: Path | None, **kwargs: Any) -> Any:
        return fn(load(config_path), **kwargs)

    return wrapper


@click.group()
@click.version_option(package_name="relay-gateway")
def cli() -> None:
    """relay gateway: an email relay for marketplaces with a support archive and policy."""


# ---------------------------------------------------------------- serve


@cli.command()
@with_settings
def serve(settings: Settings) -> None:
    """Run SMTP intake and the delivery worker until SIGTERM/SIGINT."""
    from gateway import logs
    from gateway.signing import SigningKeyError

    logs.configure(settings.logging.level, settings.logging.format)
    problems = semantic_problems(settings)
    if problems:
        for problem in problems:
            err.print(problem.render(settings.source), markup=False)
        raise SystemExit(2)
    if settings.relay.workers > 1:  # what server.serve does, without importing the pipeline
        from gateway.workers import serve_workers as run  # into the supervisor (gateway.workers)
    else:
        from gateway.server import serve as run
    try:
        asyncio.run(run(settings))
    except SigningKeyError as exc:
        raise Failure(str(exc)) from None
    except OSError as exc:
        where = getattr(exc, "listen", None) or exc.filename or settings.relay.listen
        raise Failure(f"cannot listen on {where}: {exc.strerror}") from None


# ---------------------------------------------------------------- config


@cli.group("config")
def config_group() -> None:
    """Inspect the configuration."""


@config_group.command("check")
@config_option
def config_check(config_path: Path | None) -> None:
    """Report every problem in the config file at once (exit 2 if there are any)."""
    path = config_path or config_module.default_config_path()
    try:
        settings = load_settings(path)
    except ConfigError as exc:
        for problem in exc.problems:
            err.print(problem.render(exc.source), markup=False)
        err.print(f"{len(exc.problems)} problem(s) in {exc.source}", markup=False)
        raise SystemExit(2) from None
    problems = semantic_problems(settings)
    for problem in problems:
        err.print(problem.render(settings.source), markup=False)
    if problems:
        err.print(f"{len(problems)} problem(s) in {settings.source}", markup=False)
        raise SystemExit(2)
    out.print(f"{path}: OK", markup=False)


# ---------------------------------------------------------------- db


@cli.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@with_settings
def db_upgrade(settings: Settings) -> None:
    """Apply every pending migration."""
    from storage import migrate
    from storage.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
    except Exception as exc:  # the database is unreachable or refuses: say so plainly
        raise Failure(f"database upgrade failed: {type(exc).__name__}: {exc}") from None
    finally:
        engine.dispose()
    out.print(f"schema at {after}" + ("" if before == after else f" (was {before or 'empty'})"))


# ---------------------------------------------------------------- threads


def parse_participant(value: str) -> tuple[str, str, str]:
    """ "role:Name <address>" -> (role, name, address); raises BadParameter with the fix."""
    role, sep, rest = value.partition(":")
    name, address = parseaddr(rest.strip())
    if not sep or not role.strip() or "@" not in address or any(c in value for c in "\r\n"):
        raise click.BadParameter(
            f"{value!r}: expected ROLE:NAME <ADDRESS>, e.g. 'client:Ann Lee <ann@example.org>'"
        )
    return role.strip().lower(), name.strip(), address.strip().lower()


def _engine(settings: Settings):
    """A migrated engine for short CLI work."""
    from storage import migrate
    from storage.db import make_engine

    engine = make_engine(settings.database_url)
    if settings.storage.auto_migrate:
        migrate.upgrade(engine)
    return engine


def _thread_json(settings: Settings, thread, people) -> dict[str, Any]:
    """A thread as JSON for scripts (the same shape the API returns)."""
    from gateway.conversations import thread_json

    return thread_json(
        _relay(settings), thread, people, default_stage=settings.policy.default_stage
    )


def _print_thread(data: dict[str, Any]) -> None:
    """A thread as a table for people."""
    out.print(f"thread {data['id']} ({data['status']}): {data['subject']}", markup=False)
    table = Table("role", "name", "real address", "relay address")
    for p in data["participants"]:
        table.add_row(p["role"], p["name"], p["address"], p["relay_address"])
    out.print(table)


def _relay(settings: Settings) -> RelayDomain:
    return RelayDomain(settings.relay.domain, settings.relay.bounce_local_part)


@cli.group("threads")
def threads_group() -> None:
    """Create, close and show conversations."""


@threads_group.command("create")
@with_settings
@click.option("--subject", required=True, help="The conversation's subject.")
@click.option(
    "--participant",
    "participants",
    multiple=True,
    required=True,
    help='ROLE:NAME <ADDRESS>, e.g. "client:Ann Lee <ann@example.org>"; repeat for each.',
)
@click.option("--external-ref", default=None, help="The platform's own id for this conversation.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def threads_create(settings, subject, participants, external_ref, as_json) -> None:
    """Create a thread; prints its id and each participant's relay address."""
    from gateway.conversations import ConversationError, open_thread
    from storage.threads import NewParticipant

    people = [NewParticipant(*parse_participant(p)) for p in participants]
    engine = _engine(settings)
    try:
        data = open_thread(
            engine,
            _relay(settings),
            subject=subject,
            participants=people,
            external_ref=external_ref,
            default_stage=settings.policy.default_stage,
        )
    except ConversationError as exc:
        raise click.UsageError(str(exc)) from None
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(data))
    else:
        _print_thread(data)


@threads_group.command("close")
@with_settings
@click.argument("thread_id")
def threads_close(settings, thread_id) -> None:
    """Close a thread: its relay addresses refuse new mail."""
    from storage.threads import ThreadNotFound, close_thread

    engine = _engine(settings)
    try:
        close_thread(engine, thread_id)
    except ThreadNotFound:
        raise Failure(f"no thread {thread_id!r}") from None
    finally:
        engine.dispose()
    out.print(f"thread {thread_id} closed", markup=False)


@threads_group.command("show")
@with_settings
@click.argument("thread_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def threads_show(settings, thread_id, as_json) -> None:
    """Show a thread, its participants and its archived messages."""
    from storage.archive import messages_of
    from storage.threads import ThreadNotFound, get_thread

    engine = _engine(settings)
    try:
        thread, people = get_thread(engine, thread_id)
        messages = messages_of(engine, thread_id)
    except ThreadNotFound:
        raise Failure(f"no thread {thread_id!r}") from None
    finally:
        engine.dispose()
    data = _thread_json(settings, thread, people)
    data["messages"] = [
        {
            "id": m.id,
            "kind": m.kind,
            "received_at": m.received_at.isoformat(),
            "subject": m.subject,
            "status": m.status,
            "action": m.action,
            "size": m.size,
            "sha256": m.sha256,
        }
        for m in messages
    ]
    if as_json:
        click.echo(json.dumps(data))
        return
    _print_thread(data)
    table = Table("id", "kind", "received", "status", "action", "size", "subject")
    for m in data["messages"]:
        table.add_row(
            str(m["id"]),
            m["kind"],
            m["received_at"][:19],
            m["status"],
            m["action"],
            str(m["size"]),
            m["subject"],
        )
    out.print(table)


# ---------------------------------------------------------------- scan


_MAIL_HEADERS = re.compile(
    rb"^(from|to|cc|subject|date|message-id|received|return-path|mime-version|"
    rb"content-type|reply-to|delivered-to|x-[\w-]+):",
    re.I,
)


def _looks_like_mail(data: bytes) -> bool:
    """True when the input starts with a header block naming real mail headers.

    "IBAN: DE44 ..." on its first line is text, not a header block: at least two header lines,
    one of them a field every mail has, and a blank line after them are required.
    """
    head, sep, _ = data[:8000].replace(b"\r\n", b"\n").partition(b"\n\n")
    lines = [line for line in head.split(b"\n") if line and not line[:1].isspace()]
    if not sep or len(lines) < 2:
        return False
    if not all(re.match(rb"^[!-9;-~]+:", line) for line in lines):
        return False
    return any(_MAIL_HEADERS.match(line) for line in lines)


def _scan_one(scanner, path: str, data: bytes):
    """Findings for one input: a message if it is mail, else plain text."""
    from gateway import mime

    if path.endswith(".eml") or _looks_like_mail(data):
        return scanner.scan(mime.parse(data))
    return scanner.scan_text(data.decode("utf-8", errors="replace"))


def _read_input(path: str) -> bytes:
    """The bytes of a path, or of stdin for "-"."""
    if path == "-":
        return sys.stdin.buffer.read()
    return Path(path).read_bytes()


@cli.command()
@with_settings
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input, one per line.")
@click.argument("paths", nargs=-1, required=True)
def scan(settings, as_json, paths) -> None:
    """Scan .eml files, text files or - (stdin) and show what the policy would do."""
    from gateway import policy
    from gateway.services import build_scanner

    scanner = build_scanner(settings)
    failed = False
    for path in paths:
        try:
            data = _read_input(path)
        except OSError as exc:
            err.print(f"error: cannot read {path}: {exc.strerror or exc}", markup=False)
            failed = True
            continue
        findings = _scan_one(scanner, path, data)
        action = policy.decide(findings, settings.policy).action
        _print_scan(path, findings, action, as_json)
    if failed:
        raise SystemExit(2)


def _print_scan(path: str, findings, action: str, as_json: bool) -> None:
    """One input's result as a JSON line or a table."""
    rows = [
        {
            "category": f.category,
            "kind": f.kind,
            "text": f.text,
            "start": f.start,
            "end": f.end,
            "confidence": round(f.confidence, 3),
            "part": f.part,
        }
        for f in findings
    ]
    if as_json:
        line = {"path": path, "findings": rows, "action": action}
        click.echo(json.dumps(line, ensure_ascii=False))
        return
    out.print(f"{path}: {len(rows)} finding(s), action {action}", markup=False)
    if rows:
        table = Table("category", "kind", "text", "part", "span", "confidence")
        for r in rows:
            table.add_row(
                r["category"],
                r["kind"],
                r["text"],
                r["part"],
                f"{r['start']}-{r['end']}",
                f"{r['confidence']:.2f}",
            )
        out.print(table)


# ---------------------------------------------------------------- dkim


@cli.group("dkim")
def dkim_group() -> None:
    """DKIM keys for the relay domain."""


@dkim_group.command("keygen")
@with_settings
@click.option("--selector", default=None, help="DNS selector (default: [dkim] selector).")
@click.option(
    "--algorithm",
    type=click.Choice(["rsa-sha256", "ed25519-sha256"]),
    default=None,
    help="Key type (default: [dkim] algorithm).",
)
@click.option("--bits", type=click.IntRange(1024, 8192), default=2048, show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing key file.")
@click.option("--if-missing", is_flag=True, help="Do nothing (exit 0) when the key file exists.")
def dkim_keygen(settings, selector, algorithm, bits, force, if_missing) -> None:
    """Write the private key named by [dkim] private_key_file and print the DNS TXT record."""
    from gateway.signing import SigningKeyError, dns_txt_for_key_file, generate_key

    algorithm = algorithm or settings.dkim.algorithm
    selector = selector or settings.dkim.selector
    path = settings.path(settings.dkim.private_key_file)
    try:
        if if_missing and path.exists():
            record = dns_txt_for_key_file(path, algorithm)
        else:
            record = generate_key(path, algorithm=algorithm, bits=bits, overwrite=force)
    except SigningKeyError as exc:
        raise Failure(str(exc)) from None
    err.print(f"key: {path}", markup=False)
    if selector != settings.dkim.selector:
        err.print(f"note: set [dkim] selector = {selector!r} in the config to use it", markup=False)
    click.echo(f'{selector}._domainkey.{settings.relay.domain}. IN TXT "{record}"')


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the command and return its exit code."""
    try:
        cli.main(args=argv, prog_name="gateway", standalone_mode=False)
    except click.exceptions.Abort:
        err.print("aborted")
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    except KeyboardInterrupt:
        return 130
    return 0


from gateway.commands.queue import queue_group  # noqa: E402 (registered after cli is defined)

cli.add_command(queue_group)

if __name__ == "__main__":
    sys.exit(main())

from gateway.commands.users import users_group  # noqa: E402 (registered after the core commands)
from gateway.commands.web import web_command  # noqa: E402

cli.add_command(users_group)
cli.add_command(web_command)

from gateway.commands.archive import archive_group  # noqa: E402

cli.add_command(archive_group)

from gateway.commands.evidence import threads_erase, threads_export, threads_legal_hold  # noqa: E402

threads_group.add_command(threads_export)
threads_group.add_command(threads_legal_hold)
threads_group.add_command(threads_erase)

# ---------------------------------------------------------------- policy (gateway/commands)
from gateway.commands import holds as _holds, policy as _policy, threads_policy  # noqa: E402, I001

cli.add_command(_holds.holds_group)
cli.add_command(_policy.policy_group)
for _command in threads_policy.COMMANDS:
    threads_group.add_command(_command)
