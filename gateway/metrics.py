"""Prometheus metrics: what an operator graphs and alerts on.

Why prometheus_client: it is the reference client, its text format is what every scraper reads,
and its Counter/Histogram are cheap enough (a lock and an add) to sit on the SMTP hot path.
Counters and histograms live in the process's default registry and are updated where things
happen (SMTP edge, archive stage, delivery worker); the outbox gauges are read from the database
when /metrics is scraped (`refresh_queue`), so every instance reports the shared queue as it is.

Each `gateway serve` process has its own counters; with several instances, scrape each one and
sum in Prometheus (`sum by (action) (rate(gateway_messages_total[5m]))`).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

# Latency buckets from 5 ms (the p99 target is 50 ms) to the 30 s SMTP timeouts.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

MESSAGES = Counter(
    "gateway_messages",
    "Messages archived, by the policy action taken (deliver, flag, redact, hold, reject).",
    ["action"],
)
SMTP_REPLIES = Counter(
    "gateway_smtp_data_replies",
    "Replies given at the end of DATA, by SMTP code (250, 451, 452, 550, ...).",
    ["code"],
)
SMTP_DATA_SECONDS = Histogram(
    "gateway_smtp_data_seconds",
    "Time from the end of DATA to the reply (the whole pipeline and the archive commit).",
    buckets=_BUCKETS,
)
DELIVERY_ATTEMPTS = Counter(
    "gateway_delivery_attempts",
    "Delivery attempts by outcome: delivered, deferred, failed, crashed, poisoned, lease_lost.",
    ["outcome"],
)
DELIVERY_RETRIES = Counter(
    "gateway_delivery_retries",
    "Attempts that ended in a retry later (a deferral or a crash that is not yet poison).",
)
DELIVERY_SECONDS = Histogram(
    "gateway_delivery_attempt_seconds",
    "Time of one delivery attempt (connect, hand-off, answer), by outcome.",
    ["outcome"],
    buckets=_BUCKETS,
)
OUTBOX_JOBS = Gauge(
    "gateway_outbox_jobs",
    "Outbox rows by status, shared by every instance on the database (read at scrape time).",
    ["status"],
)
OUTBOX_OLDEST_SECONDS = Gauge(
    "gateway_outbox_oldest_queued_seconds",
    "Age of the oldest job still queued for delivery (0 when the queue is empty).",
)


def smtp_data_timed(
    handler: Callable[..., Awaitable[str]],
) -> Callable[..., Awaitable[str]]:
    """Decorator for handle_DATA: observe the latency and count the reply code."""

    @functools.wraps(handler)
    async def timed(*args: Any, **kwargs: Any) -> str:
        started = time.perf_counter()
        reply = "451"
        try:
            reply = await handler(*args, **kwargs)
            return reply
        finally:
            SMTP_DATA_SECONDS.observe(time.perf_counter() - started)
            SMTP_REPLIES.labels(code=str(reply)[:3]).inc()

    return timed


def message_archived(action: str) -> None:
    """Count one committed message by its action."""
    MESSAGES.labels(action=action).inc()


def delivery_attempt(outcome: str, seconds: float) -> None:
    """Count one attempt and its time; deferred and crashed attempts are retries."""
    DELIVERY_ATTEMPTS.labels(outcome=outcome).inc()
    DELIVERY_SECONDS.labels(outcome=outcome).observe(seconds)
    if outcome in ("deferred", "crashed"):
        DELIVERY_RETRIES.inc()


def refresh_queue(stats: Any, now: Any) -> None:
    """Set the outbox gauges from storage.outbox.queue_stats()."""
    for status, count in stats.counts.items():
        OUTBOX_JOBS.labels(status=status).set(count)
    oldest = stats.oldest_queued
    OUTBOX_OLDEST_SECONDS.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
