"""The scanner: texts in, findings out. Detectors are plain modules, run in a fixed order.

`Scanner.scan(message)` extracts every scannable text (scanning.text), wraps each in a ScanDoc
(scanning.document) and runs every detector module over it whose cheap gate (`relevant`, see
scanning.gate) does not rule it out. Nothing here knows about SMTP or the
database. A scan has a budget (characters and seconds); past it the scanner stops and records a
finding of kind `scan_limit` (category `limit`) so the policy can act on what was not read.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import cached_property, lru_cache
from types import ModuleType

from gateway.context import Finding
from gateway.scanning import (
    banking,
    cards,
    crypto,
    emails,
    handles,
    messengers,
    payments,
    phones,
    urls,
)
from gateway.scanning.document import ScanContext, ScanDoc
from gateway.scanning.text import ScanText, extract

DETECTORS: tuple[ModuleType, ...] = (
    emails,
    phones,
    urls,
    messengers,
    payments,
    handles,
    banking,
    cards,
    crypto,
)
LIMIT_NAME = "scanner/1"


@dataclass(frozen=True)
class ScanLimits:
    """How much one message may cost the scanner."""

    max_chars: int = 2_000_000
    max_seconds: float = 2.0


@dataclass(frozen=True)
class Scanner:
    """Runs every detector over every scannable text of a message."""

    allowed_domains: tuple[str, ...] = ()
    work_domains: tuple[str, ...] = ()
    phone_regions: tuple[str, ...] = ScanContext().phone_regions
    limits: ScanLimits = field(default_factory=ScanLimits)
    documents: bool = False
    detectors: tuple[ModuleType, ...] = DETECTORS

    @cached_property
    def context(self) -> ScanContext:
        return ScanContext(
            own_domains=self.allowed_domains,
            work_domains=self.work_domains,
            phone_regions=self.phone_regions,
        )

    def scan(self, message: EmailMessage) -> list[Finding]:
        """Findings for a parsed message (Subject, every text part, text attachments)."""
        texts = extract(message, max_chars=self.limits.max_chars + 1, documents=self.documents)
        return self.scan_texts(texts)

    def scan_text(self, text: str, part: str = "text") -> list[Finding]:
        """Findings for one plain text (the CLI's text files and stdin)."""
        return self.scan_texts([ScanText(part, text)])

    def scan_texts(self, texts: Sequence[ScanText]) -> list[Finding]:
        """Findings for extracted texts, in text order, within the budget."""
        deadline = time.perf_counter() + self.limits.max_seconds
        context = self.context
        gates = _gates(self.detectors)
        found: list[Finding] = []
        budget = self.limits.max_chars
        for item in texts:
            if len(item.text) > budget:
                found.append(_limit(item, "size", self.limits.max_chars))
                text = item.text[:budget]
            else:
                text = item.text
            budget -= len(text)
            doc = ScanDoc(item.part, text, context)
            for detector, relevant in gates:
                if time.perf_counter() > deadline:
                    found.append(_limit(item, "time", self.limits.max_seconds))
                    return dedupe(found)
                if relevant is None or relevant(doc):
                    found.extend(detector.detect(doc))
            if budget <= 0:
                break
        return dedupe(found)


@lru_cache(maxsize=16)
def _gates(detectors: tuple[ModuleType, ...]) -> tuple[tuple[ModuleType, object], ...]:
    """Each detector with its `relevant(doc)` gate, if it has one (see scanning.gate)."""
    return tuple((d, getattr(d, "relevant", None)) for d in detectors)


def _limit(item: ScanText, what: str, limit: float) -> Finding:
    """The finding that says the scan stopped early, and why."""
    text = f"scan stopped: {what} budget ({limit:g}) exceeded"
    return Finding("limit", "scan_limit", text, 0, 0, item.part, 1.0, LIMIT_NAME)


def dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """Drop findings of the same part, category and kind that overlap a stronger one."""
    kept: list[Finding] = []
    ordered = sorted(
        findings,
        key=lambda f: (f.part, f.category, f.kind, f.start, -(f.end - f.start), -f.confidence),
    )
    for finding in ordered:
        last = kept[-1] if kept else None
        if (
            last is not None
            and (last.part, last.category, last.kind)
            == (finding.part, finding.category, finding.kind)
            and finding.start < last.end
            and finding.end > last.start
            and finding.kind != "scan_limit"
        ):
            if finding.confidence > last.confidence:
                kept[-1] = finding
            continue
        kept.append(finding)
    return kept
