"""The outbox worker: claims due jobs, hands them to the transport, records the outcome.

It wakes at once when the SMTP edge commits new jobs (`Services.outbox_wakeup`) and otherwise
on a timer, for retries and for jobs other instances left behind. Outcomes:
  - accepted -> delivered;
  - temporary failure (4xx, connection trouble) -> retried after the next delay of
    `[delivery] retry_schedule` (the last delay repeats) until `max_age`, then failed;
  - permanent failure (5xx) -> failed, and the sender gets a notice (through the outbox too).
  - crash (the transport raised something that is not an SMTP answer: a bug, or a poison
    message) -> retried like a deferral, and set aside as `poisoned` after
    `[delivery] poison_after` crashes (storage.outbox counts a process that died holding the
    lease as a crash too), so one bad message cannot occupy the worker forever.
Delivery is at-least-once: a crash after the hand-off but before the outcome is recorded lets
the job's lease expire and the job is sent again. It is never silently dropped.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from datetime import timedelta

import structlog

from gateway import directory, metrics, notices
from gateway.addresses import random_token
from gateway.automatic import is_automatic_decision
from gateway.errors import DeliveryError
from gateway.services import Services
from gateway.transports import Transport
from storage import archive, outbox, threads
from storage.models import Delivery, utcnow
from storage.outbox import ClaimedJob

log = structlog.get_logger("gateway.delivery")


def worker_id() -> str:
    """A lease owner name unique to this process: host, pid and a random tag."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{random_token(4)}"


class DeliveryWorker:
    """One per gateway process; sends up to `[delivery] concurrency` copies at a time."""

    def __init__(self, services: Services, transport: Transport, owner: str | None = None) -> None:
        self.services = services
        self.transport = transport
        self.owner = owner or worker_id()
        self.settings = services.settings.delivery
        self.marks = DeliveredMarks(services)

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set; never dies on an error of one round."""
        wakeup = self.services.outbox_wakeup
        while not stop.is_set():
            wakeup.clear()
            try:
                sent = await self.run_once()
            except Exception:
                log.exception("delivery round failed; retrying shortly")
                sent = 0
            if sent:
                continue  # there may be more due right away
            await _wait_any(wakeup, stop, await self._sleep_seconds())

    async def _sleep_seconds(self) -> float:
        """Until the next job is due, but at most the poll interval."""
        try:
            due = await self.services.db.run(outbox.next_due, self.services.db.engine)
        except Exception:
            return self.settings.poll_interval
        if due is None:
            return self.settings.poll_interval
        return max(0.05, min(self.settings.poll_interval, (due - utcnow()).total_seconds()))

    async def run_once(self) -> int:
        """Claim one batch of due jobs and send them concurrently; the number claimed."""
        db = self.services.db
        jobs = await db.run(
            outbox.claim_due,
            db.engine,
            self.owner,
            lease_seconds=self.settings.lease,
            limit=self.settings.concurrency,
            poison_after=self.settings.poison_after,
        )
        await asyncio.gather(*(self.deliver(job) for job in jobs))
        return len(jobs)

    async def deliver(self, job: ClaimedJob) -> None:
        """Send one job and record what happened."""
        structlog.contextvars.bind_contextvars(delivery_id=job.id, message_id=job.message_id)
        started = time.perf_counter()
        outcome = "crashed"
        try:
            response = await self.transport.send(job.envelope_from, job.recipient, job.outgoing)
        except DeliveryError as error:
            outcome = await self._failed(job, error)
        except Exception as error:  # a bug or a poison message: retried, then set aside
            log.exception("transport crashed", crashes=job.crashes + 1)
            outcome = await self._crashed(job, f"internal error: {type(error).__name__}: {error}")
        else:
            # sent: the copy's buffer (as big as the message) is not kept through the mark,
            # which on SQLite rewrites the row, sealed copy included (docs/performance.md)
            job.outgoing = b""
            done = await self.marks.mark(job.id, self.owner, response)
            outcome = "delivered" if done else "lease_lost"
            log.info("delivered", attempts=job.attempts, response=response[:200], recorded=done)
        finally:
            metrics.delivery_attempt(outcome, time.perf_counter() - started)
            structlog.contextvars.unbind_contextvars("delivery_id", "message_id")

    async def _crashed(self, job: ClaimedJob, reason: str) -> str:
        """Retry a crashed attempt later, or set the job aside once it crashed too often."""
        db = self.services.db
        status = await db.run(
            outbox.mark_crashed,
            db.engine,
            job.id,
            self.owner,
            reason,
            retry_at=utcnow() + timedelta(seconds=self._delay(job.attempts)),
            poison_after=self.settings.poison_after,
        )
        if status == "poisoned":
            log.error("poisoned: set aside for support", crashes=job.crashes + 1, reason=reason)
            return "poisoned"
        return "crashed" if status else "lease_lost"

    async def _failed(self, job: ClaimedJob, error: DeliveryError) -> str:
        """Retry a temporary failure, or fail the job (with a notice) when permanent or too old."""
        db = self.services.db
        retry_at = utcnow() + timedelta(seconds=self._delay(job.attempts))
        expired = retry_at - job.created_at > timedelta(seconds=self.settings.max_age)
        if not error.permanent and not expired:
            await db.run(outbox.mark_retry, db.engine, job.id, self.owner, str(error), retry_at)
            log.warning(
                "deferred",
                attempts=job.attempts,
                error=str(error)[:200],
                retry_at=retry_at.isoformat(),
            )
            return "deferred"
        notice = await self._notice_for(job, str(error))
        await db.run(outbox.mark_failed, db.engine, job.id, self.owner, str(error), notice=notice)
        log.warning(
            "failed", attempts=job.attempts, error=str(error)[:200], notice=notice is not None
        )
        if notice:
            self.services.outbox_wakeup.set()
        return "failed"

    def _delay(self, attempts: int) -> float:
        """The retry schedule's delay after `attempts` tries (the last delay repeats)."""
        schedule = self.settings.retry_schedule
        return schedule[min(max(attempts, 1), len(schedule)) - 1]

    async def _notice_for(self, job: ClaimedJob, response: str):
        """A failure notice for the sender of an inbound message (never for a notice)."""
        return await build_failure_notice(self.services, job, response)


class DeliveredMarks:
    """Records hand-offs that finish together in one transaction (`outbox.mark_delivered_many`).

    Why: copies are sent concurrently and finish within moments of each other; one commit each
    meant one fsync each, and on SQLite each took the single write lock away from the archive.
    A mark that arrives while a transaction is in flight waits for the next one, which takes
    everything queued meanwhile; a lone mark is written at once. No delay is added, so the
    documented crash window (sent, not yet recorded: sent again) does not grow.
    """

    def __init__(self, services: Services) -> None:
        self.db = services.db
        self._pending: list[tuple[tuple[int, str, str], asyncio.Future]] = []
        self._busy = False

    async def mark(self, delivery_id: int, owner: str, response: str) -> bool:
        """True once the job is recorded as delivered (False: another worker holds it now)."""
        future = asyncio.get_running_loop().create_future()
        self._pending.append(((delivery_id, owner, response), future))
        self._maybe_flush()
        return await future

    def _maybe_flush(self) -> None:
        if self._pending and not self._busy:
            batch, self._pending = self._pending, []
            self._busy = True
            asyncio.get_running_loop().create_task(self._flush(batch))

    async def _flush(self, batch: list[tuple[tuple[int, str, str], asyncio.Future]]) -> None:
        try:
            results = await self.db.run(
                outbox.mark_delivered_many, self.db.engine, [item for item, _ in batch]
            )
        except BaseException as exc:  # nothing of this batch was recorded: each caller raises
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
        else:
            for (_, future), done in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(done)
        finally:
            self._busy = False
            self._maybe_flush()


async def build_failure_notice(services: Services, job: Delivery | ClaimedJob, response: str):
    """(MessageRecord, OutgoingRecord) telling the sender a delivery failed, or None."""
    db = services.db
    message = await db.run(archive.get_message, db.engine, job.message_id)
    if message is None or message.kind != "inbound" or message.sender_id is None:
        return None
    if is_automatic_decision(message.decision):  # never answer automatic mail (RFC 3834)
        return None
    thread_row, people = await db.run(threads.get_thread, db.engine, message.thread_id)
    info = directory.thread_info(services.relay, thread_row, people)
    sender = next((p for p in info.participants if p.id == message.sender_id), None)
    recipient = next((p for p in info.participants if p.id == job.recipient_id), None)
    if sender is None or recipient is None:
        return None
    return notices.failure_notice(
        services,
        thread=info,
        sender=sender,
        recipient=recipient,
        subject=message.subject,
        in_reply_to=message.original_message_id,
        response=response,
    )


async def _wait_any(event: asyncio.Event, stop: asyncio.Event, seconds: float) -> None:
    """Sleep until either event is set or the timeout passes."""
    waiters = [asyncio.create_task(event.wait()), asyncio.create_task(stop.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waiters:
            task.cancel()
