"""The sign stage's work for a big message: serialise the skeleton copy, splice, sign in pieces.

The result's `data` is a `storage.chunks.Chunks` (the signature, the headers, the copy's small
pieces and views of the received bytes); the archive seals and hashes it piece by piece.
"""

from __future__ import annotations

import dataclasses

import structlog

from gateway import mime
from gateway.bigmessage import dkim_stream
from gateway.bigmessage.skeleton import splice
from gateway.context import MessageContext, OutgoingCopy
from gateway.signing import DkimSigner
from storage.chunks import Chunks

log = structlog.get_logger("gateway.sign")


def finish(signer: DkimSigner | None, self_verify, ctx: MessageContext, copy: OutgoingCopy):
    """The signed copy (or an unsigned held one when signing refuses the message)."""
    assert copy.message is not None
    serialized = mime.serialize(copy.message, utf8=ctx.envelope.smtputf8)
    mime_head, body = splice(serialized, ctx.skeleton, ctx.raw)
    head = copy.headers + mime_head
    if signer is None:
        return dataclasses.replace(copy, data=Chunks([head, b"\r\n", *body]), message=None)
    try:
        signed = dkim_stream.sign(signer, head, body)
    except ValueError as exc:  # unparseable, or SignatureFault: never send it unsigned
        log.error("dkim signing failed; copy held", error=str(exc))
        data = Chunks([head, b"\r\n", *body])
        return dataclasses.replace(copy, data=data, message=None, status="held")
    # Big copies are verified end to end only once any check has failed (see SelfVerify).
    if self_verify.due(signed.size) and not self_verify.check(signer, signed.join()):
        log.error("dkim self-check failed; copy held", recipient_id=copy.recipient.id)
        return dataclasses.replace(copy, data=signed, message=None, status="held")
    return dataclasses.replace(copy, data=signed, message=None)
