"""`gateway web`: the support pages and the platform API without SMTP intake or delivery.

For a deployment that runs them on another host or process than `gateway serve`; both read
the same database. Released holds are picked up by the delivery worker's next poll.
"""

from __future__ import annotations

import asyncio
import signal

import click

from gateway.cli import Failure, err, with_settings
from gateway.config import Settings, semantic_problems


async def run_web(settings: Settings) -> None:
    """Serve [web] listen until SIGTERM or SIGINT."""
    from gateway.server import open_database
    from gateway.services import Services
    from gateway.web.server import WebServer

    db = await asyncio.to_thread(open_database, settings)
    server = WebServer(Services.build(settings, db))
    try:
        await server.start()
        done = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, done.set)
        print(f"relay gateway: support pages and API on {server.url}", flush=True)
        await done.wait()
    finally:
        await server.stop()
        await asyncio.to_thread(db.close)


@click.command("web")
@with_settings
def web_command(settings: Settings) -> None:
    """Run only the support pages and the platform API ([web] listen)."""
    from gateway import logs
    from gateway.signing import SigningKeyError

    logs.configure(settings.logging.level, settings.logging.format)
    problems = semantic_problems(settings)
    if problems:
        for problem in problems:
            err.print(problem.render(settings.source), markup=False)
        raise SystemExit(2)
    if not settings.web.users and not settings.api.tokens:
        err.print(
            "note: no [[web.users]] and no [[api.tokens]] in the config: nobody can log in",
            markup=False,
        )
    try:
        asyncio.run(run_web(settings))
    except SigningKeyError as exc:
        raise Failure(str(exc)) from None
    except OSError as exc:
        where = getattr(exc, "listen", settings.web.listen)
        raise Failure(f"cannot listen on {where}: {exc.strerror or exc}") from None
