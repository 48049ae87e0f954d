"""The DATA reader's line-length rule, against a plain model, on any input hypothesis builds.

The reader has a fast path for the usual piece (one whole CRLF line) and a general one for the
rest (bare CR/LF inside, pieces cut by the stream limit); both must give what the rule says:
refused exactly when some run of bytes between CR/LF characters of the unstuffed content is
longer than 998 octets, and otherwise the unstuffed content itself.
"""

from __future__ import annotations

import asyncio
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.data_reader import LONG_LINE_REPLY, MAX_LINE, DataReader

LINE = st.one_of(
    st.binary(max_size=40).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
    st.integers(MAX_LINE - 2, MAX_LINE + 2).map(lambda n: b"y" * n),
    st.sampled_from([b".", b"..x", b"a\rb", b"a\nb", b"\r", b"\n"]),
)


def stuff(lines: list[bytes]) -> bytes:
    """DATA as a client sends it: CRLF lines, leading dots doubled, then the end marker."""
    return b"".join((b"." + line if line.startswith(b".") else line) + b"\r\n" for line in lines)


async def read(wire: bytes, limit: int, chunk: int):
    """Feed the bytes in `chunk`-sized pieces, as a network does, so lines arrive cut."""
    reader = asyncio.StreamReader(limit=limit)
    data = wire + b".\r\n"

    async def feed() -> None:
        for start in range(0, len(data), chunk):
            reader.feed_data(data[start : start + chunk])
            await asyncio.sleep(0)

    feeding = asyncio.create_task(feed())
    result = await DataReader(reader, size_limit=None, too_big="552 too big").read()
    await feeding
    return result


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(LINE, max_size=12),
    limit=st.sampled_from([64, 1500, 2**16]),
    chunk=st.sampled_from([7, 500, 1024, 2**16]),
)
def test_line_rule_matches_the_model(lines, limit, chunk):
    result = asyncio.run(read(stuff(lines), limit, chunk))
    content = b"".join(line + b"\r\n" for line in lines)
    too_long = any(len(run) > MAX_LINE for run in re.split(rb"[\r\n]", content))
    if too_long:
        assert (result.content, result.problem) == (None, LONG_LINE_REPLY)
    else:
        assert (result.content, result.problem) == (content, None)
