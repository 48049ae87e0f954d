"""Cheap facts about a text, computed once, that let the scanner skip detectors that cannot fire.

A detector module may expose `relevant(doc) -> bool`: a NECESSARY condition for it to report
anything, read off its own code (cards: a run of 13 digits needs 13 digits; crypto: every
address form is an unbroken run of at least 11 letters and digits; banking: an IBAN has two
check digits, the other two kinds are only looked for near a bank or account word). The
scanner calls `detect` only when `relevant` says yes. A gate never looks for a keyword that a
disguise could hide: it is stated on the folded text (look-alikes, invisibles, digits of every
script already normalised), and tests/test_scan_gate.py checks over the corpus, every disguise
and random text that no detector ever finds anything its gate had ruled out.
"""

from __future__ import annotations

from gateway.scanning.document import ScanDoc

_DIGITS_KEY = "_gate_digits"


def digit_count(doc: ScanDoc) -> int:
    """How many ASCII digits the folded text holds (every script's digits fold to ASCII)."""
    cache = doc.__dict__
    count = cache.get(_DIGITS_KEY)
    if count is None:
        data = doc.folded.text.encode("utf-8", "surrogatepass")
        # One C pass that drops the digits (ten str.count passes cost three times as much).
        count = cache[_DIGITS_KEY] = len(data) - len(data.translate(None, b"0123456789"))
    return count
