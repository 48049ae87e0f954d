"""`gateway threads stage | exempt | unexempt | exemptions`: a thread's place in the policy.

Added to the existing `threads` group (gateway/cli.py registers them).
"""

from __future__ import annotations

import json

import click
from rich.table import Table

from gateway.cli import Failure, err, out, with_settings
from gateway.commands.holds import _actor, opened


@click.command("stage")
@with_settings
@click.argument("thread_id")
@click.argument("stage", type=click.Choice(["inquiry", "contract", "closed"]))
@click.option("--actor", default=None, help="Who changes it (default: cli:<login>).")
def threads_stage(settings, thread_id, stage, actor) -> None:
    """Set a thread's stage; stage-aware policy rules apply from the next message."""
    from storage.threads import ThreadNotFound, set_stage

    try:
        with opened(settings) as engine:
            set_stage(engine, thread_id, stage, actor=_actor(actor))
    except ThreadNotFound:
        raise Failure(f"thread {thread_id} not found") from None
    err.print(f"thread {thread_id} is now in stage {stage}", markup=False)


@click.command("exempt")
@with_settings
@click.argument("thread_id")
@click.option(
    "--scope", required=True, help='A category (contact, payment), a kind (phone, iban) or "all".'
)
@click.option("--reason", required=True, help="Why (recorded with who granted it).")
@click.option("--actor", default=None, help="Who grants it (default: cli:<login>).")
def threads_exempt(settings, thread_id, scope, reason, actor) -> None:
    """Exempt a thread from the policy for one scope; prints the exemption id."""
    from storage.threads import ThreadNotFound, add_exemption

    try:
        with opened(settings) as engine:
            exemption_id = add_exemption(
                engine, thread_id, scope=scope, actor=_actor(actor), reason=reason
            )
    except ThreadNotFound:
        raise Failure(f"thread {thread_id} not found") from None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--scope/--reason") from None
    click.echo(exemption_id)


@click.command("unexempt")
@with_settings
@click.argument("thread_id")
@click.argument("exemption_id", type=int)
@click.option("--actor", default=None, help="Who removes it (default: cli:<login>).")
def threads_unexempt(settings, thread_id, exemption_id, actor) -> None:
    """End an exemption (it stays in the record as removed)."""
    from storage.threads import ExemptionNotFound, remove_exemption

    try:
        with opened(settings) as engine:
            remove_exemption(engine, thread_id, exemption_id, actor=_actor(actor))
    except ExemptionNotFound as exc:
        raise Failure(str(exc)) from None
    err.print(f"exemption {exemption_id} removed", markup=False)


@click.command("exemptions")
@with_settings
@click.argument("thread_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def threads_exemptions(settings, thread_id, as_json) -> None:
    """A thread's active exemptions."""
    from storage.threads import ThreadNotFound, get_thread, list_exemptions

    with opened(settings) as engine:
        try:
            get_thread(engine, thread_id)
        except ThreadNotFound:
            raise Failure(f"thread {thread_id} not found") from None
        exemptions = list_exemptions(engine, thread_id)
    rows = [
        {
            "id": e.id,
            "scope": e.scope,
            "actor": e.actor,
            "reason": e.reason,
            "created_at": e.created_at.isoformat(),
        }
        for e in exemptions
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("id", "scope", "by", "reason", "since")
    for r in rows:
        table.add_row(str(r["id"]), r["scope"], r["actor"], r["reason"], r["created_at"])
    out.print(table)


COMMANDS = (threads_stage, threads_exempt, threads_unexempt, threads_exemptions)
