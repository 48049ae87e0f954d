"""Detector for phone numbers, through Google's libphonenumber port (`phonenumbers`).

Why the library: it knows every country's numbering plan, so "+44 20 7946 0000" and
"(415) 555-2671" are found and a price or a date is not, without our own tables.
"""

from __future__ import annotations

from collections.abc import Iterator

import phonenumbers

from gateway.context import Finding

NAME = "phones/1"


def _fictional(number: phonenumbers.PhoneNumber) -> bool:
    """Ranges reserved for fiction (US 555-01xx, UK 020 7946 0xxx) are sample data."""
    national = str(number.national_number)
    if number.country_code == 1:
        return national[3:8] == "55501"
    return number.country_code == 44 and national.startswith("2079460")


def detect(text: str, part: str, regions: tuple[str, ...] = ("US",)) -> Iterator[Finding]:
    """Valid phone numbers in `text` for the hinted regions (international numbers always)."""
    seen: set[tuple[int, int]] = set()
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        ):
            span = (match.start, match.end)
            if span in seen or _fictional(match.number):
                continue
            seen.add(span)
            yield Finding(
                "contact", "phone", match.raw_string, match.start, match.end, part, 0.9, NAME
            )
