"""Detector for e-mail addresses written in the content."""

from __future__ import annotations

import re
from collections.abc import Iterator

from gateway.context import Finding

NAME = "emails/1"
_ADDRESS = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][\w.+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,24}\b"
)
RESERVED = ("example.com", "example.org", "example.net", "example", "test", "localhost", "invalid")


def is_exempt_domain(domain: str, allowed: tuple[str, ...]) -> bool:
    """Own domains (and subdomains) and reserved documentation domains are never findings."""
    domain = domain.lower().rstrip(".")
    return any(domain == d or domain.endswith("." + d) for d in (*allowed, *RESERVED))


def detect(text: str, part: str, allowed: tuple[str, ...]) -> Iterator[Finding]:
    """Every address in `text` outside the allowed domains."""
    for match in _ADDRESS.finditer(text):
        if is_exempt_domain(match[0].rpartition("@")[2], allowed):
            continue
        yield Finding("contact", "email", match[0], match.start(), match.end(), part, 0.99, NAME)
