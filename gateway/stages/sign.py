"""Stage: serialize each copy and DKIM-sign it as the very last change to its bytes.

Signing is one pass over what we write: the header block is the one the rewrite stage built
plus the MIME headers the generator wrote, the body is the generator's output; the signer
canonicalises those pieces itself (gateway.dkim_canon) instead of re-parsing the joined bytes,
and copies sharing one body are serialized and body-hashed once.

Every signature is checked against our public key by OpenSSL as it is made (DkimSigner). The
slower end-to-end self-verify with dkimpy (which re-parses and re-canonicalises the signed
bytes) runs on a sample (`SelfVerify`): the first messages after start (up to a byte budget),
then one in `SAMPLE_EVERY`, and every message again once any check has failed. Why that is
safe is argued in docs/dkim.md. A copy that fails its check is held for support rather than
sent broken. Messages over OFFLOAD_BYTES are serialized and signed in a worker thread, so
that one large message does not stall every other SMTP session.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading

import structlog

from gateway import mime
from gateway.bigmessage import sign as big
from gateway.context import MessageContext, OutgoingCopy
from gateway.services import Services
from gateway.signing import DkimSigner
from gateway.stages.parse import OFFLOAD_BYTES

log = structlog.get_logger("gateway.sign")

FIRST_VERIFIED = 100  # after a start, every one of the first signatures is fully verified
FIRST_VERIFIED_BYTES = 2 * 1024 * 1024  # ... up to this many bytes of copies (docs/dkim.md)
SAMPLE_EVERY = 20  # then one in SAMPLE_EVERY
# Copies larger than this are verified by dkimpy only after a failure: its pure-Python re-parse
# and re-canonicalisation cost seconds and several times the message in memory for 25 MB, and
# what it checks beyond OpenSSL's check (our header building) does not depend on body size.
SAMPLE_MAX_BYTES = 1024 * 1024


class SelfVerify:
    """Decides which signatures dkimpy verifies end to end; all of them after any failure.

    The start-up burst (the first FIRST_VERIFIED copies) also ends once FIRST_VERIFIED_BYTES of
    copies were verified in it: dkimpy's cost grows with the size (about 5.4 ms for a 100 KB
    copy against 0.9 ms for 5 KB), while what the burst is for, showing at once a header or
    MIME shape we sign wrongly, does not. Small mail (100 copies of up to 20 KB) gets the whole
    burst as before; a start under 100 KB copies verifies about the first 20.
    """

    def __init__(
        self,
        first: int = FIRST_VERIFIED,
        every: int = SAMPLE_EVERY,
        first_bytes: int = FIRST_VERIFIED_BYTES,
    ) -> None:
        self.first, self.every = first, max(1, every)
        self.first_bytes = first_bytes
        self.count = 0
        self.burst_bytes = 0  # bytes verified in the start-up burst
        self.failed = False
        self._lock = threading.Lock()

    def due(self, size: int = 0) -> bool:
        """Should the signature being made now (of a `size`-byte copy) be verified with dkimpy?"""
        with self._lock:
            if self.failed:
                return True
            if size > SAMPLE_MAX_BYTES:
                return False
            self.count += 1
            if self.count <= self.first and self.burst_bytes < self.first_bytes:
                self.burst_bytes += size
                return True
            return self.count % self.every == 0

    def check(self, signer: DkimSigner, signed: bytes) -> bool:
        """Verify one signature; a failure switches verification on for every message."""
        ok = signer.verify(signed)
        if not ok:
            with self._lock:
                self.failed = True
            log.error("dkim self-check failed; every signature is verified from now on")
        return ok


class Sign:
    """Final bytes for every copy: header block + MIME body, then DKIM-Signature."""

    name = "sign"

    def __init__(self, services: Services, self_verify: SelfVerify | None = None) -> None:
        self.services = services
        self.self_verify = self_verify or SelfVerify()

    async def __call__(self, ctx: MessageContext) -> MessageContext:
        if len(ctx.raw) > OFFLOAD_BYTES:
            copies = await asyncio.to_thread(self._finish_all, ctx)
        else:
            copies = self._finish_all(ctx)
        return ctx.evolve(outgoing=copies)

    def _finish_all(self, ctx: MessageContext) -> tuple[OutgoingCopy, ...]:
        # Copies sharing one body (the same message object, see the rewrite stage) are
        # serialized and body-hashed once.
        written: dict[int, tuple[bytes, bytes, bytes | None]] = {}
        return tuple(self._finish(ctx, copy, written) for copy in ctx.outgoing)

    def _finish(
        self,
        ctx: MessageContext,
        copy: OutgoingCopy,
        written: dict[int, tuple[bytes, bytes, bytes | None]],
    ) -> OutgoingCopy:
        """Serialize, sign and (on a sample) self-verify one copy.

        One pass: the generator says where the MIME header block ends, so the signer hashes the
        header block we built and the body we wrote as they are, without parsing the bytes.
        """
        assert copy.message is not None
        if ctx.skeleton is not None:
            return big.finish(self.services.signer, self.self_verify, ctx, copy)
        mime_head, body, body_hash = written.get(id(copy.message)) or self._write(ctx, copy)
        head = copy.headers + mime_head
        signer = self.services.signer
        if signer is None:
            return dataclasses.replace(copy, data=b"".join((head, b"\r\n", body)), message=None)
        try:
            if body_hash is None:
                body_hash = signer.body_hash(body)
            written[id(copy.message)] = (mime_head, body, body_hash)
            signature = signer.signature(head, body, body_hash)
        except ValueError as exc:  # unparseable, or SignatureFault: never send it unsigned
            log.error("dkim signing failed; copy held", error=str(exc))
            data = b"".join((head, b"\r\n", body))
            return dataclasses.replace(copy, data=data, message=None, status="held")
        signed = b"".join((signature, head, b"\r\n", body))
        if self.self_verify.due(len(signed)) and not self.self_verify.check(signer, signed):
            log.error("dkim self-check failed; copy held", recipient_id=copy.recipient.id)
            return dataclasses.replace(copy, data=signed, message=None, status="held")
        return dataclasses.replace(copy, data=signed, message=None)

    @staticmethod
    def _write(ctx: MessageContext, copy: OutgoingCopy) -> tuple[bytes, bytes, None]:
        """The MIME header block and the body of a copy, as they will be sent (no hash yet)."""
        assert copy.message is not None
        mime_head, body = mime.serialize_parts(copy.message, utf8=ctx.envelope.smtputf8)
        if body and not body.endswith(b"\r\n"):
            body += b"\r\n"  # SMTP adds it on the wire anyway; sign what is received
        return mime_head, body, None
