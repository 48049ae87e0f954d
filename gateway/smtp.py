"""The SMTP edge: aiosmtpd handler hooks that validate, hand over to the pipeline and reply.

The handler stays thin (Mailman's LMTP runner is the model): RCPT refuses what is not ours,
DATA runs the pipeline and turns its outcome into exactly one reply. Every unexpected error is
a `451 4.3.0` (the sender retries) and a logged traceback, never aiosmtpd's default
`500 Error: (Type) text`, which is permanent and leaks internals.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import re
import time

import structlog
from aiosmtpd.smtp import MISSING, SMTP, Envelope, Session, syntax

from gateway import automatic, bounces, directory, limits, loops, metrics, postmaster
from gateway.addresses import random_token
from gateway.bigmessage import BIG_MESSAGE_BYTES
from gateway.context import Envelope as RelayEnvelope
from gateway.context import MessageContext
from gateway.data_reader import DataReader
from gateway.errors import Reject, SmtpReply
from gateway.pipeline import Stage, default_stages, run
from gateway.services import Services
from gateway.stages.resolve import closed_reply
from storage import failures
from storage.models import utcnow

log = structlog.get_logger("gateway.smtp")

TEMPFAIL = "451 4.3.0 Temporary local problem; please try again later"
RELAY_DENIED = (
    "550 5.7.1 <{address}>: relay access denied; this server only accepts mail for {domain}"
)
TOO_COMPLEX = "554 5.6.0 The message structure is too complex to process"

# `<local@domain>` with a dot-atom local part and a plain host name, then nothing or parameters:
# what nearly every MAIL FROM and RCPT TO holds. Anything else goes to aiosmtpd's parser.
_PLAIN_PATH = re.compile(
    r"<((?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)>"
    r"(?:$| +(?=[A-Za-z0-9]))"
)


class RelaySMTP(SMTP):
    """aiosmtpd's protocol with enhanced status codes, deadlines, the denylist and our DATA reader.

    The anti-abuse parts are kept in the "session guard" methods below (docs/security.md).
    """

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
            # [relay] require_tls (RFC 3207 section 4)
            "530 Must issue a STARTTLS command first": (
                "530 5.7.0 Must issue a STARTTLS command first"
            ),
            "500 Command line too long": "500 5.5.2 Command line too long",
        }
        self._guard_setup(handler.services.settings.limits)

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        """aiosmtpd's path parser, with a fast way for the plain `<local@domain>`.

        aiosmtpd's own (the `email` package's header parser, and a typing class defined on
        every call) cost about 0.13 ms per MAIL and RCPT; the plain form gives the same answer
        (tests/test_smtp_paths.py checks it against aiosmtpd's on generated paths).
        """
        match = _PLAIN_PATH.match(arg) if arg else None
        if match is None or (self.local_part_limit and len(match.group(1)) > self.local_part_limit):
            return super()._getaddr(arg)
        return f"{match.group(1)}@{match.group(2)}", arg[match.end() :]

    async def push(self, status: str) -> None:
        await super().push(self._replies.get(status, status))
        if self._close_after_reply and not self._busy:
            self._close_with("421 4.4.2 Session time limit reached; closing connection")

    # ------------------------------------------------------------------ session guard
    # Deadlines, the denylist and DATA reading (gateway/limits.py, gateway/data_reader.py).
    # aiosmtpd's own `timeout` is a deadline per command (it is re-armed only when a valid
    # command arrives), so a client that trickles one command byte by byte is cut off after
    # [relay] idle_timeout. On top of it: the whole DATA transfer has [limits] data_timeout
    # and the whole session [limits] session_timeout; each expiry answers 421 4.4.2 and closes.

    line_length_limit = 1000  # the stream limit for one command line (998 octets + CRLF)

    def _guard_setup(self, settings) -> None:
        self._data_timeout = settings.data_timeout
        self._session_timeout = settings.session_timeout
        self._denylist = limits.Denylist(settings.deny_peers)
        self._max_per_peer = settings.max_connections_per_peer
        self._session_handle: asyncio.TimerHandle | None = None
        self._in_data = False
        self._busy = False
        self._close_after_reply = False

    def connection_made(self, transport) -> None:
        first = self._session_handle is None
        super().connection_made(transport)
        if first:  # not again after STARTTLS, which calls connection_made a second time
            self._session_handle = self.loop.call_later(
                self._session_timeout, self._session_expired
            )

    def connection_lost(self, error) -> None:
        if self._session_handle is not None:
            self._session_handle.cancel()
        super().connection_lost(error)

    async def _handle_client(self) -> None:
        """Refuse a denylisted peer (554 5.7.1) or one over its connection cap (421 4.7.0)
        instead of greeting it; count the peer's open connections while the session runs."""
        host = limits.peer_host(self.session.peer if self.session else None)
        if self._denylist.denies(host):
            log.info("peer denied", peer=host)
            await super().push(limits.DENY_REPLY.format(peer=host))
            if self.transport is not None:
                self.transport.close()
            return
        connections = self.event_handler.connections
        if connections[host] >= self._max_per_peer:
            log.info("too many connections", peer=host, open=connections[host])
            await super().push(limits.CONNECTIONS_REPLY.format(limit=self._max_per_peer))
            if self.transport is not None:
                self.transport.close()
            return
        connections[host] += 1
        try:
            await super()._handle_client()
        finally:
            connections[host] -= 1
            if connections[host] <= 0:
                del connections[host]

    def _timeout_cb(self) -> None:
        """The command (or DATA) deadline passed: say so with 421 4.4.2, then close."""
        if self._busy:  # the handler is working on a message; its reply must get out
            self._reset_timeout()
            return
        if self._in_data:
            text = f"DATA not completed within {self._data_timeout:g} seconds"
        else:
            text = f"no complete command within {self._timeout_duration:g} seconds"
        self._close_with(f"421 4.4.2 {self.hostname} Timeout: {text}; closing connection")

    def _session_expired(self) -> None:
        """The session deadline passed; a message being processed still gets its reply."""
        if self._busy:
            self._close_after_reply = True
            return
        self._close_with(
            f"421 4.4.2 {self.hostname} Session longer than {self._session_timeout:g} seconds; "
            "closing connection"
        )

    def _close_with(self, reply: str) -> None:
        """Write a last reply and close (the transport flushes it before closing)."""
        if self.transport is None or self.transport.is_closing():
            return
        log.info("closing session", peer=_peer(self.session), reply=reply)
        self.transport.write(reply.encode() + b"\r\n")
        self.transport.close()

    async def _call_handler_hook(self, command: str, *args):
        """While a message is processed, no deadline may cut the client off before its reply."""
        if command != "DATA":
            return await super()._call_handler_hook(command, *args)
        self._busy = True
        try:
            return await super()._call_handler_hook(command, *args)
        finally:
            self._busy = False
            self._reset_timeout()

    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:
        """aiosmtpd's DATA with gateway/data_reader.py reading the content (see there why)."""
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 5.5.1 Error: need RCPT command")
            return
        if arg:
            await self.push("501 5.5.4 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        self._in_data = True
        self._reset_timeout(self._data_timeout)
        try:
            result = await DataReader(
                self._reader,
                size_limit=self.data_size_limit,
                too_big=self._replies["552 Error: Too much mail data"],
            ).read()
        finally:
            self._in_data = False
        self._reset_timeout()
        if result.problem:
            log.info("DATA refused", peer=_peer(self.session), reply=result.problem)
            self._set_post_data_state()
            await self.push(result.problem)
            return
        self.envelope.content = self.envelope.original_content = result.content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push("250 OK" if status is MISSING else status)


class RelayHandler:
    """RCPT: accept only our addresses. DATA: run the pipeline, reply once."""

    def __init__(self, services: Services, stages: tuple[Stage, ...] | None = None) -> None:
        self.services = services
        self.stages = stages or default_stages(services)
        self.rates = limits.RateLimits.from_settings(services.settings.limits)
        self.connections: collections.Counter[str] = collections.Counter()  # open, per peer IP
        self.large = asyncio.Semaphore(services.settings.limits.large_message_concurrency)
        # Messages on the big-message path (gateway.bigmessage) one at a time per process: each
        # holds its received bytes and, briefly, the archive's copy of them; two at once would
        # double the peak memory that docs/performance.md measures for one.
        self.big = asyncio.Semaphore(1)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        """Count the transaction against the peer's and the sender's rate limits."""
        reply = self._rate_check_mail(session, address)
        if reply:
            log.info("rate limited", peer=_peer(session), sender=address, reply=reply)
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 OK"

    def _rate_check_mail(self, session: Session, address: str) -> str | None:
        """451 4.7.1 when the peer or the envelope sender is over its rate."""
        wait = self.rates.peer.take(limits.peer_host(session.peer))
        if wait:
            return limits.rate_reply("from your address", wait)
        sender = address.strip().strip("<>").lower()
        if sender:  # the null sender (bounces, auto-replies) is limited per peer only
            wait = self.rates.sender.take(sender)
            if wait:
                return limits.rate_reply(f"from <{sender}>", wait)
        return None

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        """Accept a relay address of an open thread or a bounce address; refuse anything else."""
        if len(envelope.rcpt_tos) >= self.services.settings.relay.max_recipients:
            return "452 4.5.3 Too many recipients; send the rest in another message"
        role = postmaster.target(self.services, address)
        if role is not None:
            return self._accept_role_address(envelope, address, options, role)
        if self.services.relay.local_part(address) is None:
            return RELAY_DENIED.format(address=address, domain=self.services.relay.domain)
        try:
            target = await directory.lookup(self.services.db, self.services.relay, address)
        except Exception as exc:
            log.exception("recipient lookup failed", peer=_peer(session))
            return failures.smtp_reply(exc)
        reply = self._check_target(envelope, address, target)
        if reply.startswith("250"):
            reply = self._rate_check_thread(envelope, target) or reply
        if reply.startswith("250"):
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(options)
            _targets(envelope).append(target)
        return reply

    def _accept_role_address(
        self, envelope: Envelope, address: str, options: list[str], role
    ) -> str:
        """postmaster@/abuse@: accepted (RFC 5321 4.5.1), alone in their transaction."""
        if any(not isinstance(t, postmaster.PostmasterTarget) for t in _targets(envelope)):
            return "452 4.5.3 Send mail for the postmaster in a separate transaction"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        _targets(envelope).append(role)
        return "250 2.1.5 OK"

    def _rate_check_thread(self, envelope: Envelope, target) -> str | None:
        """451 4.7.1 when the thread of a relay address is over its rate (counted once)."""
        if not isinstance(target, directory.RelayTarget):
            return None
        if any(isinstance(t, directory.RelayTarget) for t in _targets(envelope)):
            return None  # the first recipient of this thread already counted the message
        wait = self.rates.thread.take(target.thread.id)
        return limits.rate_reply("in this conversation", wait) if wait else None

    def _check_target(self, envelope: Envelope, address: str, target) -> str:
        """The RCPT reply for one looked-up address, given what the envelope already holds."""
        if target is None:
            return f"550 5.1.1 <{address}>: no such relay address"
        earlier = _targets(envelope)
        if any(isinstance(t, postmaster.PostmasterTarget) for t in earlier):
            return "452 4.5.3 Mail for the postmaster goes in a separate transaction"
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
            async with self._turn(len(envelope.content)):
                return await self._process(queue_id, session, envelope, started)
        finally:
            structlog.contextvars.unbind_contextvars("peer", "queue_id", "stage")

    def _turn(self, size: int):
        """Large messages wait for one of [limits] large_message_concurrency slots; big ones
        (BIG_MESSAGE_BYTES and more) for the one big slot."""
        if size >= BIG_MESSAGE_BYTES:
            return self.big
        if size >= self.services.settings.limits.large_message:
            return self.large
        return contextlib.nullcontext()

    async def _process(self, queue_id: str, session: Session, envelope: Envelope, started) -> str:
        """The checks, then the postmaster, bounce or relay path; exactly one reply."""
        try:
            block = self._check_content(envelope)
            targets = _targets(envelope)
            if any(isinstance(t, postmaster.PostmasterTarget) for t in targets):
                return await postmaster.receive(
                    self.services,
                    targets,
                    envelope.content,
                    envelope=_record_envelope(session, envelope),
                )
            if any(isinstance(t, directory.BounceTarget) for t in targets):
                return await bounces.receive(self.services, targets, envelope.content)
            ctx = self._context(queue_id, session, envelope)
            ctx = ctx.evolve(automatic=automatic.classify(block, ctx.envelope.mail_from))
            ctx = await run(self.stages, ctx)
            self._log_outcome(ctx, started)
            return _accepted_reply(ctx)
        except SmtpReply as reply:
            log.info("refused", reply=reply.reply, reason=reply.log_reason)
            return reply.reply
        except RecursionError:
            # Only hostile structure gets the email package this deep; retrying cannot help.
            log.warning("message too complex to process", **structlog.contextvars.get_contextvars())
            return TOO_COMPLEX
        except Exception as exc:
            # Explicit context (not only contextvars) so the line is complete in any log setup.
            log.exception(
                "unexpected error while processing a message",
                **structlog.contextvars.get_contextvars(),
            )
            return TEMPFAIL if failures.kind(exc) == "other" else failures.smtp_reply(exc)

    def _check_content(self, envelope: Envelope) -> limits.HeaderBlock:
        """Header limits and loop checks on the raw bytes, before any parsing (5xx on failure)."""
        settings = self.services.settings
        block = limits.header_block(envelope.content, settings.limits.max_headers)
        problem = (
            limits.header_problem(
                block,
                max_fields=settings.limits.max_headers,
                max_bytes=settings.limits.max_header_bytes,
            )
            or limits.multipart_problem(envelope.content, max_parts=settings.limits.max_mime_parts)
            or loops.loop_problem(
                block,
                domain=self.services.relay.domain,
                max_passes=settings.loops.max_relay_passes,
                max_received=settings.loops.max_received,
            )
        )
        if problem:
            raise Reject(problem, log_reason="content limits")
        return block

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
            rcpt_targets=tuple(_targets(envelope)),
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


def _record_envelope(session: Session, envelope: Envelope) -> dict:
    """The envelope fields the archive keeps, for mail that skips the pipeline."""
    return {
        "mail_from": envelope.mail_from or "",
        "rcpt_tos": tuple(envelope.rcpt_tos),
        "peer": _peer(session),
        "helo": session.host_name or "",
        "tls": session.ssl is not None,
        "smtputf8": bool(envelope.smtp_utf8),
        "received_at": utcnow(),
    }


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
