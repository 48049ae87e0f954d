"""The SMTP edge: aiosmtpd handler hooks that validate, hand over to the pipeline and reply.

The handler stays thin (Mailman's LMTP runner is the model): RCPT refuses what is not ours,
DATA runs the pipeline and turns its outcome into exactly one reply. Every unexpected error is
a `451 4.3.0` (the sender retries) and a logged traceback, never aiosmtpd's default
`500 Error: (Type) text`, which is permanent and leaks internals.
"""

from __future__ import annotations

import time

import structlog
from aiosmtpd.smtp import SMTP, Envelope, Session

from gateway import bounces, directory, metrics
from gateway.addresses import random_token
from gateway.context import Envelope as RelayEnvelope
from gateway.context import MessageContext
from gateway.errors import SmtpReply
from gateway.pipeline import Stage, default_stages, run
from gateway.services import Services
from gateway.stages.resolve import closed_reply
from storage import failures
from storage.models import utcnow

log = structlog.get_logger("gateway.smtp")

TEMPFAIL = "451 4.3.0 Temporary local problem; please try again later"


class RelaySMTP(SMTP):
    """aiosmtpd's protocol with its built-in replies given enhanced status codes and clear text."""

    def __init__(self, handler: RelayHandler, *, limit: int, **kwargs) -> None:
        super().__init__(handler, data_size_limit=limit, **kwargs)
        self._replies = {
            "552 Error: message size exceeds fixed maximum message size": (
                f"552 5.3.4 Message size exceeds the maximum of {limit} bytes"
            ),
            "552 Error: Too much mail data": (
                f"552 5.3.4 Message too big: the maximum is {limit} bytes"
            ),
            "500 Line too long (see RFC5321 4.5.3.1.6)": (
                "500 5.5.2 Line too long: RFC 5321 allows at most 998 octets per line"
            ),
        }

    async def push(self, status: str) -> None:
        await super().push(self._replies.get(status, status))


class RelayHandler:
    """RCPT: accept only our addresses. DATA: run the pipeline, reply once."""

    def __init__(self, services: Services, stages: tuple[Stage, ...] | None = None) -> None:
        self.services = services
        self.stages = stages or default_stages(services)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        """Accept a relay address of an open thread or a bounce address; refuse anything else."""
        if len(envelope.rcpt_tos) >= self.services.settings.relay.max_recipients:
            return "452 4.5.3 Too many recipients; send the rest in another message"
        try:
            target = await directory.lookup(self.services.db, self.services.relay, address)
        except Exception as exc:
            log.exception("recipient lookup failed", peer=_peer(session))
            return failures.smtp_reply(exc)
        reply = self._check_target(envelope, address, target)
        if reply.startswith("250"):
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(options)
            _targets(envelope).append(target)
        return reply

    def _check_target(self, envelope: Envelope, address: str, target) -> str:
        """The RCPT reply for one looked-up address, given what the envelope already holds."""
        if target is None:
            return f"550 5.1.1 <{address}>: no such relay address"
        earlier = _targets(envelope)
        if isinstance(target, directory.BounceTarget):
            if any(isinstance(t, directory.RelayTarget) for t in earlier):
                return "452 4.5.3 Send delivery reports in a separate transaction"
            return "250 2.1.5 OK"
        if target.thread.status != "open":
            return closed_reply(self.services)
        threads = {t.thread.id for t in earlier if isinstance(t, directory.RelayTarget)}
        if any(isinstance(t, directory.BounceTarget) for t in earlier) or (
            threads and target.thread.id not in threads
        ):
            return "452 4.5.3 One conversation per message; send to the others separately"
        return "250 2.1.5 OK"

    @metrics.smtp_data_timed
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Run the pipeline on the received bytes; 250 only after the archive commit."""
        queue_id = random_token(8)
        structlog.contextvars.bind_contextvars(peer=_peer(session), queue_id=queue_id)
        started = time.perf_counter()
        try:
            if any(isinstance(t, directory.BounceTarget) for t in _targets(envelope)):
                return await bounces.receive(self.services, _targets(envelope), envelope.content)
            ctx = await run(self.stages, self._context(queue_id, session, envelope))
            self._log_outcome(ctx, started)
            return _accepted_reply(ctx)
        except SmtpReply as reply:
            log.info("refused", reply=reply.reply, reason=reply.log_reason)
            return reply.reply
        except Exception as exc:
            # Explicit context (not only contextvars) so the line is complete in any log setup.
            log.exception(
                "unexpected error while processing a message",
                **structlog.contextvars.get_contextvars(),
            )
            return TEMPFAIL if failures.kind(exc) == "other" else failures.smtp_reply(exc)
        finally:
            structlog.contextvars.unbind_contextvars("peer", "queue_id", "stage")

    async def handle_exception(self, error: Exception) -> str:
        """Anything that escaped a hook: tell the client to retry, log the traceback."""
        log.error("unhandled SMTP error", exc_info=error)
        return TEMPFAIL

    def _context(self, queue_id: str, session: Session, envelope: Envelope) -> MessageContext:
        """The pipeline's starting context from aiosmtpd's session and envelope."""
        return MessageContext(
            queue_id=queue_id,
            envelope=RelayEnvelope(
                mail_from=envelope.mail_from or "",
                rcpt_tos=tuple(envelope.rcpt_tos),
                peer=_peer(session),
                helo=session.host_name or "",
                tls=session.ssl is not None,
                smtputf8=bool(envelope.smtp_utf8),
                received_at=utcnow(),
            ),
            raw=envelope.original_content or b"",
        )

    def _log_outcome(self, ctx: MessageContext, started: float) -> None:
        """The one structured line per message that operators grep for."""
        log.info(
            "message",
            message_id=ctx.message_id,
            thread=ctx.thread.id if ctx.thread else None,
            sender_role=ctx.sender.role if ctx.sender else None,
            action=ctx.decision.action if ctx.decision else None,
            findings=len(ctx.findings),
            recipients=len(ctx.outgoing),
            size=len(ctx.raw),
            total_ms=round((time.perf_counter() - started) * 1000, 3),
            stages=dict(ctx.timings),
        )


def _accepted_reply(ctx: MessageContext) -> str:
    """250 with the archive id; says when the message waits for review."""
    if ctx.decision and ctx.decision.action == "hold":
        return f"250 2.0.0 Accepted as {ctx.message_id}; held for review by the platform"
    return f"250 2.0.0 Ok: queued as {ctx.message_id}"


def _targets(envelope: Envelope) -> list:
    """The looked-up RCPT targets kept on the envelope for DATA."""
    if not hasattr(envelope, "relay_targets"):
        envelope.relay_targets = []
    return envelope.relay_targets


def _peer(session: Session) -> str:
    """ "host:port" of the client."""
    peer = session.peer
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return str(peer)
