"""The scanner as a whole: budget, dedupe, and a property test over arbitrary text."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway import mime
from gateway.context import Finding
from gateway.scanning.document import make_finding
from gateway.scanning.scanner import ScanLimits, Scanner, dedupe

SCANNER = Scanner(allowed_domains=("gigbridge.io", "relay.gigbridge.io"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_findings_lie_inside_any_text_and_scanning_never_raises(text):
    """For any text, every finding's span is inside it and its text is what the span covers."""
    for finding in SCANNER.scan_text(text):
        assert 0 <= finding.start <= finding.end <= len(text)
        if finding.kind != "scan_limit":
            assert text[finding.start : finding.end] == finding.text
        assert 0.0 <= finding.confidence <= 1.0


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_as_a_message_never_raise(raw):
    """Arbitrary bytes parsed as mail scan without an exception."""
    SCANNER.scan(mime.parse(b"Subject: x\r\nContent-Type: text/html\r\n\r\n" + raw))


def test_size_budget_records_a_scan_limit_finding():
    """Text past max_chars is not read; a scan_limit finding says so for the policy."""
    scanner = Scanner(limits=ScanLimits(max_chars=1000))
    findings = scanner.scan_text("a" * 5000 + " mail me at someone@gmail.com")
    assert [f.kind for f in findings] == ["scan_limit"]
    assert findings[0].category == "limit"


def test_time_budget_records_a_scan_limit_finding():
    """A scan that runs out of time stops and says so."""
    scanner = Scanner(limits=ScanLimits(max_seconds=1e-9))
    findings = scanner.scan_text("call +1 415 555 2671")
    assert any(f.kind == "scan_limit" for f in findings)


def test_own_domains_are_never_findings():
    """Addresses and links on the platform's domains (and the relay domain) stay quiet."""
    text = "Write to support@gigbridge.io or reply to ann-lee.abc@relay.gigbridge.io"
    assert [f for f in SCANNER.scan_text(text) if f.category == "contact"] == []


def test_dedupe_keeps_the_stronger_of_overlapping_findings():
    """Two overlapping findings of one kind collapse into the more confident one."""
    weak = Finding("contact", "phone", "555 2671", 10, 18, "p", 0.5)
    strong = Finding("contact", "phone", "+1 415 555 2671", 4, 18, "p", 0.9)
    other = Finding("contact", "email", "a@b.io", 20, 26, "p", 0.9)
    assert set(dedupe([weak, strong, other])) == {strong, other}


def test_make_finding_builds_the_same_object_as_finding():
    """The detectors' fast constructor (scanning.document.make_finding) stays in step with
    Finding: same fields in the same order, equal, same hash and repr, still frozen."""
    args = ("contact", "phone", "+44 7911 123456", 3, 18, "body.1", 0.9, "phones/1")
    made, plain = make_finding(*args), Finding(*args)
    assert type(made) is Finding
    assert made == plain
    assert hash(made) == hash(plain)
    assert repr(made) == repr(plain)
    assert list(made.__dict__) == [f.name for f in dataclasses.fields(Finding)]
    assert made.as_dict() == plain.as_dict()
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.start = 0  # type: ignore[misc]
