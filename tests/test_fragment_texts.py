"""The decide stage's fragment search reads the scan stage's texts instead of extracting again.

Reuse is only allowed when it cannot change anything: these tests compare the fragments found
from the scan's texts with those of a fresh extraction, over every hostile and MIME test message
and over digit-heavy generated texts (plain and HTML), and check the stage only hands texts on
when they are whole and documents are off.
"""

from __future__ import annotations

import asyncio
import types
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway import mime
from gateway.context import Envelope, MessageContext
from gateway.policy.accumulate import _FRAGMENT, EDGE, edge_matches, fragments
from gateway.scanning.scanner import ScanLimits, Scanner
from gateway.scanning.text import extract
from gateway.stages.scan import Scan

HERE = Path(__file__).parent
# nesting-3000-deep.eml never reaches the decide stage: the MIME shape check refuses it.
FILES = [
    path
    for path in sorted((HERE / "hostile" / "cases").glob("*.eml"))
    + sorted((HERE / "data" / "mime").glob("*.eml"))
    if path.name != "nesting-3000-deep.eml"
]


def scan_texts(message, max_chars: int = 2_000_000):
    """What the scan stage extracts (documents off)."""
    return extract(message, max_chars=max_chars + 1)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_reused_texts_give_the_same_fragments(path):
    message = mime.parse(path.read_bytes())
    for keep in (1, 3):
        assert fragments(message, (), keep, scan_texts(message)) == fragments(message, (), keep)


NUMBERY = st.lists(
    st.one_of(
        st.from_regex(r"\+?[0-9 ()./-]{1,20}", fullmatch=True),
        st.sampled_from(["call me", "> 0176 555", "\n", "<b>12</b>", "&nbsp;34", "<p>"]),
    ),
    max_size=20,
).map("".join)


@settings(max_examples=100, deadline=None)
@given(plain=NUMBERY, html=NUMBERY, subject=NUMBERY)
def test_reused_texts_give_the_same_fragments_on_generated_text(plain, html, subject):
    raw = (
        f"Subject: {subject.replace(chr(10), ' ')}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
        f"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{plain}\r\n"
        f"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html>{html}</html>\r\n--b--\r\n"
    ).encode()
    message = mime.parse(raw)
    assert fragments(message, (), 2, scan_texts(message)) == fragments(message, (), 2)


def test_long_texts_are_extracted_again():
    """Past the fragment budget the scan's texts differ (cut elsewhere): they are not used."""
    body = ("x" * 70 + "\n") * 3000 + "ring 0176 5550 1234\n"  # 213,000 characters
    message = mime.parse(f"Subject: s\r\n\r\n{body}".encode())
    texts = scan_texts(message)
    assert sum(len(t.text) for t in texts) > 200_000
    assert fragments(message, (), 2, texts) == fragments(message, (), 2)
    assert fragments(message, (), 2)[1] == []  # the number lies past the budget


@pytest.mark.parametrize(
    ("documents", "max_chars", "handed_on"),
    [(False, 2_000_000, True), (True, 2_000_000, False), (False, 1000, False)],
)
def test_the_scan_stage_hands_on_only_whole_texts_without_documents(
    documents, max_chars, handed_on
):
    """Documents add texts a fresh extraction without them lacks; a cut text is not whole."""
    services = types.SimpleNamespace(
        scanner=Scanner(documents=documents, limits=ScanLimits(max_chars=max_chars))
    )
    raw = b"Subject: s\r\n\r\n" + b"words and more words\r\n" * 100  # 2,000 characters
    message = mime.parse(raw)
    ctx = MessageContext(
        queue_id="q",
        envelope=Envelope("a@example.org", (), "", "", False, False, datetime.now(UTC)),
        raw=raw,
        message=message,
    )
    out = asyncio.run(Scan(services)(ctx))
    assert (out.scan_texts is not None) == handed_on
    if handed_on:
        assert list(out.scan_texts) == extract(message, max_chars=200_000)


def _whole_text_matches(own: str) -> list[tuple[int, int]]:
    """The matches that count, from a scan of the whole text (what edge_matches must equal)."""
    return [
        m.span() for m in _FRAGMENT.finditer(own) if m.start() < EDGE or m.end() > len(own) - EDGE
    ]


def _edge_spans(own: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in edge_matches(own):
        if m.span() not in spans:
            spans.append(m.span())
    return spans


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="0123456789 \t().-/+ab\n٣", max_size=160),
)
def test_edge_matches_equal_a_whole_text_scan(own):
    """Scanning only the two edges finds exactly the counting matches of a whole-text scan
    (digit-and-separator runs crossing the cut, Unicode digits, texts shorter than EDGE)."""
    assert _edge_spans(own) == _whole_text_matches(own)


def test_edge_matches_skip_the_middle_of_a_long_text():
    own = "call 0151 2345 " + "word and 12 more " * 5000 + " ends 0176 99"
    assert _edge_spans(own) == _whole_text_matches(own)
    assert all(s < EDGE or e > len(own) - EDGE for s, e in _edge_spans(own))
