"""`gateway queue`: what support needs to see and do about the outbox.

  gateway queue list [--status S] [--limit N] [--json]   newest first, never the message bytes
  gateway queue retry ID [--actor NAME]                 failed/poisoned/deferred -> due now
  gateway queue purge-failed [--older-than 30d]         drop the bytes of old failed copies

Every change is written with an audit event (who, what, the previous status) in the same
transaction. Purging keeps each row and its sha256 (the archive's hash chain covers it) and
frees only the stored copy. Errors go to stderr with exit 1 (2 for bad usage), never a traceback.
"""

from __future__ import annotations

import getpass
import json
from datetime import timedelta

import click
from rich.table import Table
from sqlalchemy.exc import OperationalError

from gateway.cli import Failure, _engine, err, out, with_settings
from gateway.config import Settings, _duration
from storage import outbox
from storage.models import utcnow


def _duration_option(value: str) -> float:
    """click callback helper: "30d", "12h", "90" -> seconds, or a usage error with the form."""
    try:
        seconds = float(_duration(value))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if seconds <= 0:
        raise click.BadParameter("must be more than zero, e.g. 30d")
    return seconds


def _open(settings: Settings):
    """The database, or a one-line failure naming it."""
    try:
        return _engine(settings)
    except OperationalError as exc:
        raise Failure(
            f"cannot reach the database ({type(exc.orig).__name__}): {exc.orig}"
        ) from None


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


@click.group("queue")
def queue_group() -> None:
    """The delivery queue: list, retry, purge."""


@queue_group.command("list")
@with_settings
@click.option(
    "--status",
    type=click.Choice(outbox.QUEUE_STATUSES),
    default=None,
    help="Only deliveries with this status (poisoned: set aside after repeated crashes).",
)
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON array for scripts.")
def queue_list(settings: Settings, status: str | None, limit: int, as_json: bool) -> None:
    """Deliveries, newest first."""
    engine = _open(settings)
    try:
        entries = outbox.list_queue(engine, status, limit)
    except OperationalError as exc:
        raise Failure(f"cannot read the queue: {exc.orig}") from None
    finally:
        engine.dispose()
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": e.id,
                        "message_id": e.message_id,
                        "status": e.status,
                        "recipient": e.recipient,
                        "attempts": e.attempts,
                        "crashes": e.crashes,
                        "created_at": e.created_at.isoformat(),
                        "next_attempt_at": e.next_attempt_at.isoformat(),
                        "finished_at": e.finished_at.isoformat() if e.finished_at else None,
                        "lease_owner": e.lease_owner,
                        "last_response": e.last_response,
                        "size": e.size,
                    }
                    for e in entries
                ],
                indent=2,
            )
        )
        return
    if not entries:
        err.print(f"no deliveries{f' with status {status}' if status else ''}", markup=False)
        return
    now = utcnow()
    table = Table()
    for name in ("id", "message", "status", "recipient"):  # what support searches for: unwrapped
        table.add_column(name, no_wrap=True)
    for name in ("tries", "age", "next / done", "last answer"):
        table.add_column(name)
    for e in entries:
        when = e.finished_at or e.next_attempt_at
        table.add_row(
            str(e.id),
            str(e.message_id),
            e.status + (f" ({e.crashes} crashes)" if e.crashes else ""),
            e.recipient,
            str(e.attempts),
            _age(now - e.created_at),
            when.strftime("%Y-%m-%d %H:%M:%S"),
            e.last_response[:80],
        )
    out.print(table)


@queue_group.command("retry")
@with_settings
@click.argument("delivery_id", type=int)
@click.option("--actor", default=None, help="Who asks (for the audit log; default: $USER).")
def queue_retry(settings: Settings, delivery_id: int, actor: str | None) -> None:
    """Send a failed, poisoned or deferred delivery again, now."""
    engine = _open(settings)
    try:
        row = outbox.retry_now(engine, delivery_id, actor or _default_actor())
    except outbox.QueueActionError as exc:
        raise Failure(str(exc)) from None
    except OperationalError as exc:
        raise Failure(f"cannot update the queue: {exc.orig}") from None
    finally:
        engine.dispose()
    out.print(f"delivery {row.id} to {row.recipient} queued again, due now", markup=False)


@queue_group.command("purge-failed")
@with_settings
@click.option(
    "--older-than",
    "older_than",
    default="30d",
    show_default=True,
    help='Only deliveries that failed longer ago than this ("30d", "12h", seconds).',
)
@click.option("--actor", default=None, help="Who asks (for the audit log; default: $USER).")
def queue_purge_failed(settings: Settings, older_than: str, actor: str | None) -> None:
    """Free the stored copies of old failed and poisoned deliveries (rows and digests stay)."""
    seconds = _duration_option(older_than)
    engine = _open(settings)
    try:
        count = outbox.purge_finished(
            engine, utcnow() - timedelta(seconds=seconds), actor or _default_actor()
        )
    except OperationalError as exc:
        raise Failure(f"cannot update the queue: {exc.orig}") from None
    finally:
        engine.dispose()
    out.print(f"purged {count} failed or poisoned deliveries older than {older_than}", markup=False)


def _age(delta: timedelta) -> str:
    """ "3d", "5h", "12m", "40s": enough for a glance."""
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{max(seconds, 0)}s"
