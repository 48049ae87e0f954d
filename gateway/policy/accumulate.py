"""Signals that accumulate across a thread: half a phone number now, the rest in the next message.

Each message leaves a small *tail*: the last few number fragments its sender wrote (runs of
digits with the separators people put in numbers, outside quoted lines, not already part of a
finding). The tail is stored in the message's recorded decision, so it is as durable as the
record and replay can rebuild it. The next message of the same sender in the same thread has its
own fragments joined to that tail and the joined text is scanned by the real scanner; a finding
that spans an earlier fragment and a new one is something neither message shows alone.

Only fragments are kept, never whole texts: a few digits per sender and thread is all the state
this needs, and it holds nothing a reader of the archive could not see anyway.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from gateway.context import Finding
from gateway.scanning import phones
from gateway.scanning.scanner import Scanner
from gateway.scanning.text import ScanText, extract

VERSION = "accumulate/1"
# A run of digits with the separators people write inside numbers; 2 to 12 digits is a part of
# a phone number or account number, more is a whole one (the ordinary scan sees those).
_FRAGMENT = re.compile(r"\+?\(?\d[\d \t().\-/]*\d|\+?\d")
_MAX_DIGITS = 12
_MIN_DIGITS = 2
# Joined fragments are scanned for phone numbers only. Card and account numbers were tried and
# dropped: in a 10,000-message archive, joining unrelated numbers (dates, sizes, prices) made a
# Luhn-valid "card" in about 1 % of messages, while libphonenumber's numbering plans rarely
# accept a chance join. Only the sender's last fragments and the new message's first ones are
# joined: a number split across two messages is split at that boundary.
NUMBER_DETECTORS = (phones,)
JOIN_WIDTH = 2  # fragments taken from each side of the boundary
EDGE = 25  # characters from the start / end of a message's own text where fragments count
FRAGMENT_CHARS = 200_000  # the text budget read for fragments


@dataclass(frozen=True)
class Accumulated:
    """A finding made by joining fragments, and the fragments of this message that are in it."""

    finding: Finding
    here: tuple[str, ...]


_MATCHABLE = frozenset(" \t().-/+")  # with the decimal digits: what a _FRAGMENT match may hold


def edge_matches(own: str) -> Iterator[re.Match[str]]:
    """The matches of _FRAGMENT over `own` that can count: those starting within EDGE of the
    start and those ending within EDGE of the end, exactly as a scan of the whole text finds
    them, without scanning the middle (5.6 ms for 100 KB of text without digits, now 0.2 ms: a
    regex search for a first match walks the whole text).

    The head scan stops, and the tail scan restarts, at a character no match can hold: every
    match of a whole-text scan either ends before it or starts after it, so the matches on
    each side are the same. A match in both windows is given twice; the caller's lists ignore
    repeats.
    """
    stop = min(EDGE, len(own))
    while stop < len(own) and (own[stop] in _MATCHABLE or own[stop].isdecimal()):
        stop += 1
    for match in _FRAGMENT.finditer(own, 0, stop):
        if match.start() < EDGE:
            yield match
    cut = len(own) - EDGE
    restart = max(cut, 0)
    while restart > 0 and (own[restart - 1] in _MATCHABLE or own[restart - 1].isdecimal()):
        restart -= 1
    for match in _FRAGMENT.finditer(own, restart):
        if match.end() > cut:
            yield match


def fragments(
    message: EmailMessage,
    findings: Sequence[Finding],
    keep: int,
    texts: Sequence[ScanText] | None = None,
) -> tuple[list[str], list[str]]:
    """(head, tail): number fragments near the start and near the end of the message's own text.

    Quoted lines are left out. A number split across two messages is split at their boundary:
    the end of one and the start of the next. Numbers in the middle of a message (dates, prices,
    sizes) are never joined, which keeps chance joins of unrelated numbers out.

    `texts`: the scan stage's extraction of this message (without documents, with a larger
    budget), reused when it is shorter than FRAGMENT_CHARS in all: then it is exactly what
    extracting again with that budget gives (no text is cut, no HTML rendering stops early),
    and the second extraction (a sixth of a millisecond for 5 KB of text + HTML) is saved.
    """
    found_texts = [f.text for f in findings]
    head: list[str] = []
    tail: list[str] = []
    if texts is None or sum(len(t.text) for t in texts) >= FRAGMENT_CHARS:
        texts = extract(message, max_chars=FRAGMENT_CHARS)
    for item in texts:
        if item.part == "subject":
            continue
        own = "\n".join(
            line for line in item.text.splitlines() if not line.lstrip().startswith(">")
        ).strip()
        for match in edge_matches(own):
            text = match[0].strip(" \t.-/(")
            digits = sum(c.isdigit() for c in text)
            if not _MIN_DIGITS <= digits <= _MAX_DIGITS:
                continue
            if any(text in found for found in found_texts):
                continue
            if match.start() < EDGE and text not in head:
                head.append(text)
            if match.end() > len(own) - EDGE and text not in tail:
                tail.append(text)
    return head[:JOIN_WIDTH], tail[-keep:]


def join_scan(scanner: Scanner, tail: Sequence[str], current: Sequence[str]) -> list[Accumulated]:
    """Findings that span an earlier fragment and a fragment of this message."""
    if not tail or not current:
        return []
    tail, current = list(tail)[-JOIN_WIDTH:], list(current)[:JOIN_WIDTH]
    pieces = [*tail, *current]
    bounds, position = [], 0
    for piece in pieces:
        bounds.append((position, position + len(piece)))
        position += len(piece) + 1
    joined = " ".join(pieces)
    first_new = len(tail)
    result = []
    numbers = dataclasses.replace(scanner, detectors=NUMBER_DETECTORS)
    for finding in numbers.scan_text(joined, part="thread"):
        if finding.category != "contact" and finding.category != "payment":
            continue
        touched = [i for i, (s, e) in enumerate(bounds) if s < finding.end and e > finding.start]
        if not touched or min(touched) >= first_new or max(touched) < first_new:
            continue  # wholly old (already acted on) or wholly new (the ordinary scan has it)
        here = tuple(pieces[i] for i in touched if i >= first_new)
        result.append(
            Accumulated(
                Finding(
                    finding.category,
                    finding.kind,
                    finding.text,
                    finding.start,
                    finding.end,
                    "thread",
                    round(finding.confidence * 0.95, 3),
                    f"{VERSION}+{finding.detector}",
                ),
                here,
            )
        )
    return result


def next_tail(ending: Sequence[str], accumulated: bool, keep: int) -> list[str]:
    """The tail this message leaves: the fragments near its end (none when a join used them)."""
    if accumulated:
        return []
    return list(ending)[-keep:]
