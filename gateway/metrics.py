"""Prometheus metrics: what an operator graphs and alerts on.

Why prometheus_client: it is the reference client, its text format is what every scraper reads,
and its Counter/Histogram are cheap enough (a lock and an add) to sit on the SMTP hot path.
Counters and histograms live in the process's default registry and are updated where things
happen (SMTP edge, archive stage, delivery worker); the outbox gauges are read from the database
when /metrics is scraped (`refresh_queue`), so every instance reports the shared queue as it is.

Each `gateway serve` instance has its own counters; with several instances, scrape each one and
sum in Prometheus (`sum by (action) (rate(gateway_messages_total[5m]))`). Within one instance,
`[relay] workers = N` runs N processes but serves /metrics from worker 0 only, so the workers
share their counters through prometheus_client's multiprocess mode: the supervisor gives them a
fresh PROMETHEUS_MULTIPROC_DIR (gateway.workers) and /metrics adds up every worker's files
(`exposition`). The outbox gauges are not per process at all: they are what the database says.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

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


class QueueCollector:
    """The outbox gauges, as last read from the database (`refresh_queue`).

    A collector rather than prometheus Gauges: in multiprocess mode a Gauge would be one file
    per worker and be summed or labelled by pid, while these numbers are the shared queue's,
    read once per scrape by the process that serves /metrics.
    """

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.oldest_seconds = 0.0

    def collect(self) -> Iterator[GaugeMetricFamily]:
        jobs = GaugeMetricFamily(
            "gateway_outbox_jobs",
            "Outbox rows by status, shared by every instance on the database (read at scrape).",
            labels=["status"],
        )
        for status, count in sorted(self.counts.items()):
            jobs.add_metric([status], count)
        yield jobs
        yield GaugeMetricFamily(
            "gateway_outbox_oldest_queued_seconds",
            "Age of the oldest job still queued for delivery (0 when the queue is empty).",
            value=self.oldest_seconds,
        )


QUEUE = QueueCollector()
REGISTRY.register(QUEUE)


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
    QUEUE.counts = dict(stats.counts)
    oldest = stats.oldest_queued
    QUEUE.oldest_seconds = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0


def exposition() -> bytes:
    """The /metrics body: this process's registry, or every worker's in multiprocess mode."""
    if not os.environ.get(MULTIPROC_ENV):
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    registry.register(QUEUE)
    return generate_latest(registry)
