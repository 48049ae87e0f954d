"""structlog setup: readable console lines for people, JSON lines for log collectors.

Context (peer, queue_id, stage, delivery_id) is bound through contextvars, so every line logged
while a message is processed carries it without being passed around.
"""

from __future__ import annotations

import logging
import sys

import structlog

# Why plain tracebacks: structlog's default (rich, with every frame's local variables) would
# write message bytes and participants' real addresses into the log, and rendering it blocked
# the event loop for seconds under load. Tracebacks name the file, line and error; that is enough.


def configure(level: str = "info", fmt: str = "console") -> None:
    """Route structlog (and the stdlib loggers of our libraries) to stderr."""
    numeric = getattr(logging, level.upper(), logging.INFO)
    renderer = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info
            if fmt == "json"
            else structlog.processors.StackInfoRenderer(),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=max(numeric, logging.WARNING), stream=sys.stderr)


if not structlog.is_configured():  # library use and tests get the same safe defaults
    configure()
