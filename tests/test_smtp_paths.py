"""MAIL FROM / RCPT TO paths: the gateway's fast parse gives what aiosmtpd's parser gives.

`RelaySMTP._getaddr` takes a shortcut for the plain `<local@domain>` form and hands everything
else to aiosmtpd; on any input both must agree (address and rest, or refusal).
"""

from __future__ import annotations

from aiosmtpd.smtp import SMTP
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gateway.smtp import RelaySMTP

ATOM = st.text("abcXYZ019!#$%&'*+/=?^_`{|}~-", min_size=1, max_size=6)
LABEL = st.text("abz09-_", min_size=1, max_size=6)
NOISE = st.text('<>@."()[]: \t\\abc,;', max_size=4)
PARAMS = st.sampled_from(
    ["", " SIZE=5120", "  BODY=8BITMIME SIZE=1", " (c) SIZE=1", "\t", " ", ">"]
)


def parsers(limit: int = 0) -> tuple[RelaySMTP, SMTP]:
    ours, theirs = RelaySMTP.__new__(RelaySMTP), SMTP.__new__(SMTP)
    ours.local_part_limit = theirs.local_part_limit = limit
    return ours, theirs


@st.composite
def paths(draw) -> str:
    local = ".".join(draw(st.lists(ATOM, min_size=1, max_size=3)))
    domain = ".".join(draw(st.lists(LABEL, min_size=1, max_size=3)))
    path = f"<{local}@{domain}>{draw(PARAMS)}"
    if draw(st.booleans()):  # damage it somewhere
        at = draw(st.integers(0, len(path)))
        path = path[:at] + draw(NOISE) + path[at:]
    return path


@settings(max_examples=1500, deadline=None)
@given(path=st.one_of(paths(), st.text(max_size=20)), limit=st.sampled_from([0, 4, 64]))
@example(path="<ann.lee.abcdefghijklmnop@relay.gigbridge.io> SIZE=5120", limit=0)
@example(path="<a@b> (comment) SIZE=1", limit=0)
@example(path="<>", limit=0)
@example(path="<a@b-.c>", limit=0)
@example(path="<toolong@b>", limit=4)
def test_fast_path_parse_equals_aiosmtpds(path, limit):
    ours, theirs = parsers(limit)
    assert outcome(ours, path) == outcome(theirs, path)


def outcome(parser: SMTP, path: str):
    """The parse, or the exception aiosmtpd's parser raises on some damaged input."""
    try:
        return parser._getaddr(path)
    except Exception as exc:  # e.g. IndexError on whitespace alone, inside the email package
        return type(exc)


def test_plain_paths_take_the_shortcut():
    """The comparison above is not vacuous: the usual paths do skip aiosmtpd's parser."""
    from gateway.smtp import _PLAIN_PATH

    for path in ("<ann.lee.x7@relay.gigbridge.io> SIZE=5120", "<bounce+a=b@relay.example>"):
        assert _PLAIN_PATH.match(path) is not None
