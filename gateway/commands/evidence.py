"""`gateway threads export | legal-hold | erase`: evidence out, and control over what is kept.

Added to the existing `threads` group (registered at the end of cli.py). The work is in
gateway.evidence and storage.retention.
"""

from __future__ import annotations

from pathlib import Path

import click

from gateway.cli import Failure, _engine, out, with_settings


@click.command("export")
@with_settings
@click.argument("thread_id")
@click.option(
    "--format", "fmt", type=click.Choice(["zip", "mbox"]), default="zip", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write (default: THREAD-evidence.zip|mbox in the current folder).",
)
@click.option("--force", is_flag=True, help="Replace an existing file.")
def threads_export(settings, thread_id, fmt, output, force) -> None:
    """Export a thread as received and as delivered, with a manifest and its ledger."""
    from gateway import evidence

    path = output or evidence.default_output(thread_id, fmt)
    if path.exists() and not force:
        raise Failure(f"{path} exists; pass --force to replace it")
    engine = _engine(settings)
    try:
        export = evidence.build_export(engine, thread_id)
    except evidence.ExportError as exc:
        raise Failure(str(exc)) from None
    finally:
        engine.dispose()
    try:
        if fmt == "zip":
            evidence.write_zip(export, path)
            extra = ""
        else:
            extra = f" and {evidence.write_mbox(export, path)}"
    except OSError as exc:
        raise Failure(f"cannot write {path}: {exc.strerror or exc}") from None
    chain = export.manifest["chain"]
    out.print(
        f"wrote {path}{extra}: {len(export.files)} files, {chain['length']} records, "
        f"chain head {chain['head']}",
        markup=False,
    )


@click.command("legal-hold")
@with_settings
@click.argument("thread_id")
@click.argument("state", type=click.Choice(["on", "off"]))
@click.option("--reason", required=True, help="Why (case number, request); kept in the audit log.")
@click.option("--actor", default="cli", show_default=True, help="Who is doing this.")
def threads_legal_hold(settings, thread_id, state, reason, actor) -> None:
    """Place or lift a legal hold: a held thread is never purged or erased."""
    from storage.retention import set_legal_hold
    from storage.threads import ThreadNotFound

    if not reason.strip():
        raise click.BadParameter("give a reason", param_hint="--reason")
    engine = _engine(settings)
    try:
        changed = set_legal_hold(engine, thread_id, state == "on", reason.strip(), actor=actor)
    except ThreadNotFound:
        raise Failure(f"no thread {thread_id!r}") from None
    finally:
        engine.dispose()
    out.print(
        f"legal hold {state} for thread {thread_id}" + ("" if changed else " (already so)"),
        markup=False,
    )


@click.command("erase")
@with_settings
@click.argument("thread_id")
@click.option("--reason", required=True, help="The erasure request (kept in the audit log).")
@click.option("--actor", default="cli", show_default=True, help="Who is doing this.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def threads_erase(settings, thread_id, reason, actor, yes) -> None:
    """Make a thread's bodies unreadable for good (key destroyed); the chain still verifies."""
    from storage.retention import LegalHoldActive, erase_thread
    from storage.threads import ThreadNotFound

    if not reason.strip():
        raise click.BadParameter("give a reason", param_hint="--reason")
    if not yes:
        click.confirm(f"Erase every body of thread {thread_id}? This cannot be undone", abort=True)
    engine = _engine(settings)
    try:
        result = erase_thread(engine, thread_id, reason.strip(), actor=actor)
    except ThreadNotFound:
        raise Failure(f"no thread {thread_id!r}") from None
    except LegalHoldActive as exc:
        raise Failure(str(exc)) from None
    finally:
        engine.dispose()
    out.print(
        f"thread {thread_id} erased: {result.messages} messages, {result.deliveries} copies"
        + (f", {result.cancelled} pending copies cancelled" if result.cancelled else "")
        + ("; key destroyed" if result.key_destroyed else ""),
        markup=False,
    )
