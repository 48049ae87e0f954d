"""`gateway archive ...`: verify the record, verify an evidence export offline, purge old bodies.

Parsing and output only; the work is in storage.ledger_verify, gateway.evidence and
storage.retention. Exit codes follow gateway.cli: 0 fine, 1 a problem was found or the operation
failed, 2 bad usage.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from gateway.cli import Failure, _engine, err, out, with_settings


@click.group("archive")
def archive_group() -> None:
    """The tamper-evident record: verify it, verify exports, purge bodies past retention."""


def _progress() -> Progress:
    """A progress bar on stderr (hidden when stderr is not a terminal)."""
    return Progress(
        TextColumn("[bold]verifying"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


def print_problems(problems, title: str) -> None:
    """A table of problems for people."""
    table = Table("thread", "seq", "kind", "ref", "what", "detail", title=title)
    for p in problems:
        table.add_row(
            p.thread_id, "" if p.seq is None else str(p.seq), p.kind, p.ref, p.what, p.detail
        )
    out.print(table)


@archive_group.command("verify")
@with_settings
@click.option("--thread", "thread_id", default=None, help="Check one thread only.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def archive_verify(settings, thread_id, as_json) -> None:
    """Recompute every record's hashes and links; name anything changed, removed or reordered."""
    import time

    from storage.ledger_verify import verify_archive
    from storage.threads import ThreadNotFound, get_thread

    engine = _engine(settings)
    try:
        if thread_id is not None:
            try:
                get_thread(engine, thread_id)
            except ThreadNotFound:
                raise Failure(f"no thread {thread_id!r}") from None
        started = time.perf_counter()
        with _progress() as bar:
            task = bar.add_task("verify", total=None, rate="")

            def advance(done: int, total: int) -> None:
                rate = done / max(time.perf_counter() - started, 1e-9)
                bar.update(task, completed=done, total=total, rate=f"{rate:,.0f} records/s")

            report = verify_archive(engine, thread_id=thread_id, progress=advance)
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(report.as_dict()))
    else:
        if report.problems:
            print_problems(report.problems, f"{len(report.problems)} problem(s)")
        threads = f"{report.threads} thread" + ("" if report.threads == 1 else "s")
        notes = []
        if report.purged:
            notes.append(f"{report.purged} bod(ies) purged, hash kept")
        if report.erased:
            notes.append(f"{report.erased} bod(ies) erased, hash kept")
        out.print(
            f"{'OK' if report.ok else 'FAILED'}: {report.records} records in {threads} checked "
            f"in {report.seconds:.2f}s ({report.rate:,.0f} records/s)"
            + (f"; {', '.join(notes)}" if notes else ""),
            markup=False,
        )
    if not report.ok:
        raise SystemExit(1)


@archive_group.command("verify-export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The manifest of an mbox export (default: FILE.manifest.json).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def archive_verify_export(path, manifest, as_json) -> None:
    """Check an evidence export offline (no database): file hashes and the chain."""
    from gateway.evidence import verify_export

    if not path.exists():
        raise Failure(f"{path}: no such file")
    check = verify_export(path, manifest)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": check.ok,
                    "thread": check.thread,
                    "files": check.files,
                    "records": check.records,
                    "bodies_not_included": check.missing_bodies,
                    "head": check.head,
                    "problems": check.problems,
                }
            )
        )
    else:
        for problem in check.problems:
            err.print(f"problem: {problem}", markup=False)
        verdict = "OK" if check.ok else f"FAILED ({len(check.problems)} problem(s))"
        out.print(
            f"{verdict}: thread {check.thread}, {check.files} files, {check.records} records, "
            f"chain head {check.head}"
            + (
                f"; {check.missing_bodies} bodies purged/erased before export"
                if check.missing_bodies
                else ""
            ),
            markup=False,
        )
    if not check.ok:
        raise SystemExit(1)


@archive_group.command("purge")
@with_settings
@click.option("--dry-run", is_flag=True, help="List what would be purged; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def archive_purge(settings, dry_run, as_json) -> None:
    """Empty message bodies past [retention]; keep metadata and hashes; skip legal holds."""
    from storage.retention import purge

    policy = settings.retention
    if not policy.body_days and not any(policy.kinds.values()):
        err.print("note: [retention] keeps bodies forever (body_days = 0): nothing to do")
    engine = _engine(settings)
    try:
        report = purge(engine, policy.body_days, policy.kinds, dry_run=dry_run)
    finally:
        engine.dispose()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "dry_run": dry_run,
                    "messages": [
                        {
                            "thread": d.thread_id,
                            "message": d.message_id,
                            "kind": d.kind,
                            "received_at": d.received_at.isoformat(),
                            "size": d.size,
                        }
                        for d in report.due
                    ],
                    "deliveries": report.deliveries,
                    "legal_hold_threads_skipped": report.held_threads,
                }
            )
        )
        return
    if dry_run and report.due:
        table = Table("thread", "message", "kind", "received", "size", title="would purge")
        for d in report.due[:200]:
            table.add_row(
                d.thread_id, str(d.message_id), d.kind, d.received_at.isoformat()[:19], str(d.size)
            )
        out.print(table)
        if len(report.due) > 200:
            out.print(f"... and {len(report.due) - 200} more (use --json for all)", markup=False)
    verb = "would purge" if dry_run else "purged"
    out.print(
        f"{verb} {len(report.due)} message bodies ({report.bytes:,} bytes)"
        + ("" if dry_run else f" and {report.deliveries} delivered copies")
        + f"; {report.held_threads} thread(s) skipped under legal hold",
        markup=False,
    )
