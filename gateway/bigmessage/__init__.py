"""The big-message path: a 25 MB mail relayed without ever holding its attachments as text.

Why a separate path: the `email` package keeps every part's payload as a str and the stages
edit whole trees, so a 25 MB attachment used to live in memory a dozen times (the parse, each
recipient's tree, the serialised and the signed copies, the sealed copies...). What the stages
need of such a message is its headers and its text parts; the big binary attachments travel
unchanged. So, above `BIG_MESSAGE_BYTES`:

- `skeleton`: the received bytes with each big binary leaf body replaced by a short token; every
  stage (scan, rewrite, footer, redaction) works on the parse of that small skeleton, exactly
  as on a small message;
- `splice`: a recipient's copy is its rebuilt headers + the serialised skeleton with each token
  replaced by the original bytes (as `storage.chunks.Chunks`, never joined into one string);
- `dkim_stream`: the DKIM body hash is computed over those chunks (relaxed canonicalisation in
  line-aligned windows), and the signature header is made by the usual `DkimSigner`;
- `storage.chunks`: the archive seals and hashes chunks as a stream.
"""

BIG_MESSAGE_BYTES = 2 * 1024 * 1024  # messages at least this size take the skeleton path
PART_MIN_BYTES = 64 * 1024  # leaf bodies at least this size are cut out of the skeleton


def header_bytes(raw: bytes) -> bytes:
    """The header block of `raw` (up to its first empty line), for a headers-only parse.

    `BytesHeaderParser.parsebytes(raw)` decodes the WHOLE message into a str and keeps the body
    as one more string: for a 25 MB message, two more copies to read a few headers.
    """
    ends = [i for i in (raw.find(sep) for sep in (b"\r\n\r\n", b"\n\n", b"\r\r")) if i >= 0]
    return raw[: min(ends)] if ends else raw
