"""DKIM-sign a message given as a header block and a body in pieces, without joining them.

`DkimSigner.sign` takes the whole message as one bytes object: dkimpy parses it, and the
relaxed body canonicalisation (three regex passes) makes several full-size copies. Here the
body hash is computed window by window (`relaxed_body_hash`, the same bytes as dkimpy's
`Relaxed.canonicalize_body` hashed at once: each window ends after a LF, so no whitespace run
or CRLF is cut, and the trailing empty lines are held back until it is known whether text
follows). The header side and the signature itself are the signer's own code (`DkimSigner.signature`
with the body hash given), so the result
is byte for byte what `DkimSigner.sign` returns for the joined message (tests prove it).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from gateway.signing import DkimSigner
from storage.chunks import WINDOW, Chunks

_TRAILING_WSP = re.compile(rb"[\t ]+\r\n")
_WSP = re.compile(rb"[\t ]+")
_CRLF = b"\r\n"


def sign(signer: DkimSigner, head: bytes, body: Chunks) -> Chunks:
    """DKIM-Signature + `head` (the header block, ending with its last CRLF) + CRLF + body.

    Raises ValueError like DkimSigner.sign: bare LF, a malformed header, not one From.
    """
    if head.count(b"\n") != head.count(_CRLF):
        raise ValueError("message must use CRLF line endings (found a bare LF)")
    body_hash = relaxed_body_hash(line_windows(body))
    # The signer checks the header block (malformed, not exactly one From) as for any copy.
    signature = signer.signature(head, b"", body_hash)
    return Chunks([signature, head, _CRLF, *body])


def line_windows(body: Chunks, size: int = WINDOW) -> Iterable[bytes]:
    """The body in windows of about `size` bytes, each ending just after a LF (but the last)."""
    carry = b""
    for window in body.windows(size):
        data = carry + window if carry else bytes(window)
        cut = data.rfind(b"\n") + 1
        if cut:
            yield data[:cut]
        carry = data[cut:]
    if carry:
        yield carry


def relaxed_body_hash(windows: Iterable[bytes]) -> bytes:
    """sha256 of dkimpy's relaxed body canonicalisation of the concatenated windows.

    Raises ValueError on a bare LF (as DkimSigner.sign does: the message must be CRLF).
    """
    digest = hashlib.sha256()
    pending = 0  # trailing CRLFs seen but not hashed: hashed only if more text follows
    seen = False
    for window in windows:
        if window.count(b"\n") != window.count(_CRLF):
            raise ValueError("message must use CRLF line endings (found a bare LF)")
        text = _WSP.sub(b" ", _TRAILING_WSP.sub(_CRLF, window))
        end = len(text)
        while text.endswith(_CRLF, 0, end):
            end -= 2
        if end:
            if pending:
                digest.update(_CRLF * pending)
            digest.update(memoryview(text)[:end])
            pending, seen = (len(text) - end) // 2, True
        else:
            pending += len(text) // 2
    if seen:
        digest.update(_CRLF)  # exactly one line end after the last text
    return digest.digest()
