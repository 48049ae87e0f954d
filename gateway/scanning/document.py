"""What a detector is given: one scannable text, its normalised view, and the scan's context.

Every detector module exposes `NAME` ("family/version", recorded with each finding) and
`detect(doc: ScanDoc) -> Iterable[Finding]`, with spans in `doc.text` (the original).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from gateway.context import Finding
from gateway.scanning.normalize import MappedText, fold

_new = object.__new__


def make_finding(
    category: str,
    kind: str,
    text: str,
    start: int,
    end: int,
    part: str,
    confidence: float,
    detector: str,
) -> Finding:
    """`Finding(...)` built without the frozen dataclass's __init__ (eight object.__setattr__
    calls): the very same object (fields, equality, hash, repr) in half the time, which counts
    for hit-dense texts that report thousands. tests/test_scanner.py checks it against
    Finding's fields."""
    made = _new(Finding)
    made.__dict__.update(
        category=category,
        kind=kind,
        text=text,
        start=start,
        end=end,
        part=part,
        confidence=confidence,
        detector=detector,
    )
    return made


@dataclass(frozen=True)
class ScanContext:
    """Settings that decide what is allowed: the platform's and the work product's domains."""

    own_domains: tuple[str, ...] = ()  # the platform's domains and the relay domain
    work_domains: tuple[str, ...] = ()  # configured work-product domains (repos, previews, ...)
    own_addresses: tuple[str, ...] = ()  # relay addresses of the thread (never findings)
    phone_regions: tuple[str, ...] = ("US", "GB", "DE", "FR", "ES", "BR", "IN", "RU")


@dataclass
class ScanDoc:
    """One text to scan (a Subject, a body part, an attachment) and lazily built views of it."""

    part: str
    text: str
    context: ScanContext = field(default_factory=ScanContext)

    @cached_property
    def folded(self) -> MappedText:
        """NFKC, invisibles removed, look-alikes folded, lower case (see normalize.fold)."""
        return fold(self.text)

    def original(self, start: int, end: int) -> str:
        """The original text of a span."""
        return self.text[start:end]
