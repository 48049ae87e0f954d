"""Graceful shutdown of the SMTP side: let transactions in flight finish, close idle sessions.

Why: SIGTERM (a deploy, a scale-down) must not cut a client off between its end of DATA and our
reply, which would make it resend a message we may already have archived (a duplicate). So the
listener stops accepting first, then every session that is not inside a transaction is told
`421 4.3.2` and closed, and sessions inside one (MAIL FROM given, reply to DATA not yet sent)
get up to `[ops] shutdown_grace` seconds to finish; what is still open after that is closed the
same way (the client keeps its copy and retries: nothing acknowledged is lost).
"""

from __future__ import annotations

import asyncio
import weakref

from aiosmtpd.smtp import SMTP

SHUTDOWN_REPLY = b"421 4.3.2 Service shutting down; please try again later\r\n"


class Sessions:
    """Weak references to every SMTP protocol the listener created."""

    def __init__(self) -> None:
        self._all: weakref.WeakSet[SMTP] = weakref.WeakSet()

    def track(self, protocol: SMTP) -> SMTP:
        """Remember a new session (call from the protocol factory)."""
        self._all.add(protocol)
        return protocol

    def open(self) -> list[SMTP]:
        """Sessions whose connection is still up."""
        return [p for p in list(self._all) if p.transport is not None]

    @staticmethod
    def in_transaction(protocol: SMTP) -> bool:
        """MAIL FROM accepted and the DATA reply not yet given (aiosmtpd resets the envelope)."""
        envelope = protocol.envelope
        return envelope is not None and envelope.mail_from is not None

    async def drain(self, grace: float) -> tuple[int, int]:
        """Close idle sessions now, busy ones when done or at `grace`; (finished, cut off)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        busy_at_start = sum(1 for p in self.open() if self.in_transaction(p))
        cut = 0
        while True:
            sessions = self.open()
            for protocol in sessions:
                if not self.in_transaction(protocol):
                    _close(protocol)
            busy = [p for p in sessions if self.in_transaction(p)]
            if not busy:
                return busy_at_start, cut
            if loop.time() >= deadline:
                for protocol in busy:
                    _close(protocol)
                cut = len(busy)
                return busy_at_start - cut, cut
            await asyncio.sleep(0.02)


def _close(protocol: SMTP) -> None:
    """Say 421 (allowed at any time, RFC 5321 3.8) and close the connection."""
    transport = protocol.transport
    if transport is None or transport.is_closing():
        return
    try:
        transport.write(SHUTDOWN_REPLY)
    finally:
        transport.close()
