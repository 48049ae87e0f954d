"""The scanner interface: texts in, findings out; the detectors are plain functions.

A later scanner may add normalisation and more detector families behind this same interface:
`Scanner.scan(message)` returns findings and nothing else depends on how they were found.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

from gateway.context import Finding
from gateway.scanning import emails, phones
from gateway.scanning.text import ScanText, extract


@dataclass(frozen=True)
class ScanLimits:
    """How much one message may cost the scanner."""

    max_chars: int = 2_000_000
    max_seconds: float = 2.0


@dataclass(frozen=True)
class Scanner:
    """Runs every detector over every scannable text of a message."""

    allowed_domains: tuple[str, ...] = ()
    phone_regions: tuple[str, ...] = ("US",)
    work_domains: tuple[str, ...] = ()
    limits: ScanLimits = ScanLimits()

    def scan(self, message: EmailMessage) -> list[Finding]:
        """Findings for a parsed message."""
        return self.scan_texts(extract(message))

    def scan_text(self, text: str, part: str = "text") -> list[Finding]:
        """Findings for one plain text."""
        return self.scan_texts([ScanText(part, text)])

    def scan_texts(self, texts: list[ScanText]) -> list[Finding]:
        """Findings for already-extracted texts, in text order."""
        found: list[Finding] = []
        for item in texts:
            found.extend(emails.detect(item.text, item.part, self.allowed_domains))
            found.extend(phones.detect(item.text, item.part, self.phone_regions))
        return found
