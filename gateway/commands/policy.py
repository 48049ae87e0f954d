"""`gateway policy replay --config CANDIDATE.toml`: try a policy on archived mail, change nothing.

The candidate file is a whole config (usually a copy of the live one with a changed [policy] or
[scanner]); the archive it replays is the one its [storage] names.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from gateway.cli import err, out, with_settings
from gateway.commands.holds import opened


def _since(value: str | None) -> datetime | None:
    """--since as an aware UTC datetime (a date means its midnight UTC)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM", param_hint="--since"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@click.group("policy")
def policy_group() -> None:
    """Inspect and try out the policy."""


@policy_group.command("replay")
@with_settings
@click.option("--since", default=None, help="Only messages received since (YYYY-MM-DD[THH:MM]).")
@click.option("--thread", "thread_id", default=None, help="Only this thread.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def policy_replay(settings, since, thread_id, as_json) -> None:
    """Run archived mail through the policy and scanner of --config and report what changes.

    Reads the raw archived mail; writes nothing. Counts per action (current record vs
    candidate) and every message whose action would change.
    """
    since_at = _since(since)
    with opened(settings) as engine:
        report = _run(engine, settings, since_at, thread_id, as_json)
    _print(report.as_dict(), as_json)


def _run(engine, settings, since_at, thread_id, as_json):
    """The replay with a progress bar on stderr (for people at a terminal)."""
    from gateway.policy.replay import count_messages, replay

    total = count_messages(engine, since=since_at, thread_id=thread_id)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=as_json or not err.is_terminal,
    ) as bar:
        task = bar.add_task("replaying", total=total)
        report = replay(
            engine,
            settings,
            since=since_at,
            thread_id=thread_id,
            progress=lambda n: bar.advance(task, n),
        )
    return report


def _print(data, as_json: bool) -> None:
    """The report as JSON or as tables."""
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    out.print(
        f"{data['messages']} message(s) replayed in {data['seconds']} s "
        f"({data['messages_per_second']} msg/s); candidate policy "
        f"{data['candidate_policy_version'][:12]}",
        markup=False,
    )
    if data["unreadable"]:
        out.print(
            f"{data['unreadable']} message(s) skipped: body purged or erased (docs/retention.md)",
            markup=False,
        )
    table = Table("action", "current", "candidate", "difference")
    for action in data["current"]:
        now, then = data["current"][action], data["candidate"][action]
        table.add_row(action, str(now), str(then), f"{then - now:+d}" if then != now else "")
    out.print(table)
    if not data["changes"]:
        out.print("no message would change", markup=False)
        return
    changes = Table("message", "thread", "received", "subject", "current", "candidate", "rule")
    for c in data["changes"]:
        changes.add_row(
            str(c["message_id"]),
            c["thread_id"],
            c["received_at"][:16],
            c["subject"],
            c["current"],
            c["candidate"],
            c["candidate_rule"],
        )
    out.print(changes)
