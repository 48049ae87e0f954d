"""The raw-byte pre-checks at the SMTP edge give what their plain definitions give.

`header_block` stops its separator searches at the end found so far and `multipart_problem`
counts with C-level searches; both are checked against the straightforward versions (whole-input
searches, the regex) on generated messages.
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from gateway.limits import _MULTIPART, HeaderBlock, _count_multipart, header_block

PIECES = st.lists(
    st.sampled_from(
        [
            b"\r\n",
            b"\n",
            b"\r",
            b" ",
            b"\t",
            b"a",
            b"X-A: 1",
            b"Content-Type:",
            b"content-TYPE: \t",
            b"multipart/",
            b"MULTIPART/mixed",
            b"text/plain",
            b" continued",
            b"\r\n\r\n",
            b"\n\n",
            b"\r\r",
            b":",
        ]
    ),
    max_size=40,
).map(b"".join)


def header_block_model(raw: bytes, max_fields: int) -> HeaderBlock:
    """The block up to the earliest of the three empty-line forms, searched over all of `raw`."""
    end = len(raw)
    for separator in (b"\r\n\r\n", b"\n\n", b"\r\r"):
        found = raw.find(separator)
        if found != -1 and found < end:
            end = found
    if raw.startswith((b"\r\n", b"\n", b"\r")):
        end = 0
    fields: list[tuple[bytes, bytes]] = []
    for line in raw[:end].replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"):
        if line[:1] in (b" ", b"\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + b" " + line.strip())
            continue
        name, colon, value = line.partition(b":")
        if not colon:
            continue
        fields.append((name.strip().lower(), value.strip()))
        if len(fields) > max_fields:
            break
    return HeaderBlock(tuple(fields), end)


@settings(max_examples=1500, deadline=None)
@given(raw=PIECES, max_fields=st.sampled_from([0, 2, 100]))
@example(raw=b"A: 1\r\r\n\r\nbody", max_fields=100)  # "\r\r" straddles the CRLF CRLF
def test_header_block_equals_the_whole_input_search(raw, max_fields):
    assert header_block(raw, max_fields) == header_block_model(raw, max_fields)


@settings(max_examples=1500, deadline=None)
@given(raw=PIECES)
@example(raw=b"Content-Type: multipart/mixed\r\n\r\n--b\r\ncontent-type:\tMultipart/x")
def test_multipart_count_equals_the_regex(raw):
    assert _count_multipart(raw) == len(_MULTIPART.findall(raw))
