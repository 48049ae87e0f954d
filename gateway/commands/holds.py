"""`gateway holds list | show ID | release ID | reject ID --reason TEXT`: support's hold queue.

Parsing and output only; the work is gateway.holds (which the web console calls too).
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.table import Table

from gateway.cli import Failure, _engine, err, out, with_settings


def _actor(value: str | None) -> str:
    """Who acts: --actor, else the login name (recorded in the audit event)."""
    if value:
        return value
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _services(settings):
    """Services for one command: notices are composed and signed like any outgoing mail."""
    from gateway.services import Services
    from gateway.signing import SigningKeyError
    from storage.db import Database

    try:
        return Services.build(settings, Database(_engine(settings)))
    except SigningKeyError as exc:
        raise Failure(str(exc)) from None


@contextmanager
def opened(settings) -> Iterator:
    """A migrated engine for one command, disposed when the command ends."""
    engine = _engine(settings)
    try:
        yield engine
    finally:
        engine.dispose()


def _age(seconds: float) -> str:
    """A hold's age for people: 45s, 12m, 5h, 3d."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


@click.group("holds")
def holds_group() -> None:
    """Held messages waiting for support."""


@holds_group.command("list")
@with_settings
@click.option("--limit", type=click.IntRange(1, 10000), default=100, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def holds_list(settings, limit, offset, as_json) -> None:
    """Held messages, oldest first."""
    from gateway.holds import list_holds

    with opened(settings) as engine:
        rows = list_holds(engine, limit=limit, offset=offset)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "message_id": h.message_id,
                        "thread_id": h.thread_id,
                        "received_at": h.received_at.isoformat(),
                        "sender_role": h.sender_role,
                        "sender_name": h.sender_name,
                        "subject": h.subject,
                        "rule": h.rule,
                        "categories": list(h.categories),
                        "reasons": list(h.reasons),
                        "recipients": h.recipients,
                        "age_seconds": round(h.age_seconds, 1),
                    }
                    for h in rows
                ],
                ensure_ascii=False,
            )
        )
        return
    if not rows:
        out.print("no held messages", markup=False)
        return
    table = Table("id", "thread", "age", "sender", "subject", "rule", "categories")
    for h in rows:
        table.add_row(
            str(h.message_id),
            h.thread_id,
            _age(h.age_seconds),
            f"{h.sender_name} ({h.sender_role})",
            h.subject,
            h.rule,
            ", ".join(h.categories),
        )
    out.print(table)


def _hold_json(message, copies) -> dict[str, Any]:
    decision = message.decision or {}
    return {
        "message_id": message.id,
        "thread_id": message.thread_id,
        "received_at": message.received_at.isoformat(),
        "status": message.status,
        "subject": message.subject,
        "rule": decision.get("rule", ""),
        "policy_version": decision.get("policy_version", ""),
        "stage": decision.get("stage", ""),
        "reasons": decision.get("reasons", []),
        "findings": decision.get("findings", []),
        "copies": [
            {"delivery_id": c.id, "recipient_id": c.recipient_id, "status": c.status}
            for c in copies
        ],
    }


@holds_group.command("show")
@with_settings
@click.argument("message_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def holds_show(settings, message_id, as_json) -> None:
    """A held message: why it was held (rule, findings) and its waiting copies."""
    from gateway.holds import HoldError, get_hold

    try:
        with opened(settings) as engine:
            message, copies = get_hold(engine, message_id)
    except HoldError as exc:
        raise Failure(str(exc)) from None
    data = _hold_json(message, copies)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    out.print(
        f"message {data['message_id']} in thread {data['thread_id']} ({data['status']}), "
        f"received {data['received_at']}\nsubject: {data['subject']}\n"
        f"rule: {data['rule']}  stage: {data['stage']}  policy: {data['policy_version'][:12]}",
        markup=False,
    )
    table = Table("category", "kind", "text", "part", "span", "confidence", "action", "rule")
    for f in data["findings"]:
        table.add_row(
            f["category"],
            f["kind"],
            f["text"],
            f["part"],
            f"{f['start']}-{f['end']}",
            f"{f['confidence']:.2f}",
            f["action"],
            f["rule"],
        )
    out.print(table)
    for reason in data["reasons"]:
        out.print(f"  {reason}", markup=False)
    out.print(f"{len(data['copies'])} copy(ies) waiting", markup=False)


@holds_group.command("release")
@with_settings
@click.argument("message_id", type=int)
@click.option("--reason", default="", help="Why (recorded; shown to the sender).")
@click.option("--actor", default=None, help="Who releases it (default: cli:<login>).")
def holds_release(settings, message_id, reason, actor) -> None:
    """Deliver the stored copies of a held message exactly as they were prepared."""
    from gateway.holds import HoldError, release_hold

    services = _services(settings)
    try:
        release_hold(services, message_id, actor=_actor(actor), reason=reason)
    except HoldError as exc:
        raise Failure(str(exc)) from None
    finally:
        services.db.close()
    err.print(f"message {message_id} released; `gateway serve` delivers it", markup=False)


@holds_group.command("reject")
@with_settings
@click.argument("message_id", type=int)
@click.option("--reason", required=True, help="Why (recorded and sent to the sender).")
@click.option("--actor", default=None, help="Who rejects it (default: cli:<login>).")
def holds_reject(settings, message_id, reason, actor) -> None:
    """Never deliver a held message; the sender gets a notice with the reason."""
    from gateway.holds import HoldError, reject_hold

    services = _services(settings)
    try:
        reject_hold(services, message_id, actor=_actor(actor), reason=reason)
    except HoldError as exc:
        raise Failure(str(exc)) from None
    finally:
        services.db.close()
    err.print(f"message {message_id} rejected; the sender is notified", markup=False)
