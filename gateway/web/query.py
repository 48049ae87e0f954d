"""The search box's small query language, parsed into `storage.search.SearchFilters`.

    from:ann@example.org category:payment is:held after:2026-01-01 "bank transfer"

Words and "quoted phrases" are searched in the subject and every text of the message; `key:value`
(or `key:"a value"`) narrows the result. Every key is listed in `KEYS`; a bare address is a
participant (or, at the relay domain, a relay address). Errors name the offending term and say
what would be accepted, because the person typing is on the phone with a client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from storage.search import SearchFilters

KEYS: dict[str, str] = {
    "from": "sender's address or part of the name",
    "with": "anyone in the thread (address or part of the name)",
    "relay": "a relay address of the thread",
    "ref": "the platform's external reference",
    "thread": "a thread id",
    "subject": "part of the subject",
    "category": "a finding category: contact, payment, limit",
    "kind": "a finding kind: iban, phone, email, url, ...",
    "is": "held, released, rejected, accepted, flagged, redacted",
    "stage": "inquiry, contract, closed",
    "after": "received on or after a date (YYYY-MM-DD)",
    "before": "received before a date (YYYY-MM-DD)",
}
CATEGORIES = ("contact", "payment", "limit")
STATUSES = ("held", "released", "rejected", "accepted")
ACTIONS_BY_IS = {"flagged": "flag", "redacted": "redact"}
STAGES = ("inquiry", "contract", "closed")

_TOKEN = re.compile(
    r'\s*(?:(?P<key>[A-Za-z]+):(?:"(?P<qvalue>[^"]*)"|(?P<value>[^\s"]+))'
    r'|"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+))'
)
_WORD = re.compile(r"\w", re.UNICODE)


class QueryError(ValueError):
    """The query cannot be understood; the message names the term and the fix."""


@dataclass
class _Builder:
    values: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, value: str) -> None:
        self.values.setdefault(name, []).append(value)

    def get(self, name: str) -> tuple[str, ...]:
        return tuple(self.values.get(name, ()))


def parse_query(query: str, *, relay_domain: str = "") -> SearchFilters:
    """Parse the search box; raises QueryError with a readable message."""
    if len(query) > 1000:
        raise QueryError("the query is longer than 1000 characters")
    if query.count('"') % 2:
        raise QueryError('a quotation mark is not closed: add the closing "')
    b = _Builder()
    after: datetime | None = None
    before: datetime | None = None
    pos = 0
    query = query.strip()
    while pos < len(query):
        match = _TOKEN.match(query, pos)
        if match is None or match.end() == pos:  # cannot happen with balanced quotes; be safe
            raise QueryError(f"cannot read the query from {query[pos : pos + 20]!r}")
        pos = match.end()
        if match["key"]:
            key = match["key"].lower()
            value = (match["qvalue"] if match["qvalue"] is not None else match["value"]).strip()
            if key not in KEYS:
                raise QueryError(
                    f"unknown filter {key + ':'!r}; use one of "
                    + ", ".join(k + ":" for k in KEYS)
                    + ' (or put the text in quotes: "'
                    + match[0].strip()
                    + '")'
                )
            if not value:
                raise QueryError(f"{key}: needs a value ({KEYS[key]})")
            if key == "after":
                after = parse_date(key, value)
            elif key == "before":
                before = parse_date(key, value)
            else:
                _keyed(b, key, value)
        elif match["phrase"] is not None:
            phrase = match["phrase"].strip()
            if _WORD.search(phrase):
                b.add("phrases", phrase)
        else:
            word = match["word"]
            if "@" in word and relay_domain and word.lower().endswith("@" + relay_domain.lower()):
                b.add("relays", word.lower())
            elif "@" in word:
                b.add("participants", word.lower())
            elif _WORD.search(word):
                b.add("words", word)
    if after and before and after >= before:
        raise QueryError("after: must be earlier than before:")
    return SearchFilters(
        words=b.get("words"),
        phrases=b.get("phrases"),
        senders=b.get("senders"),
        participants=b.get("participants"),
        relays=b.get("relays"),
        external_refs=b.get("external_refs"),
        thread_ids=b.get("thread_ids"),
        subjects=b.get("subjects"),
        categories=b.get("categories"),
        kinds=b.get("kinds"),
        statuses=b.get("statuses"),
        actions=b.get("actions"),
        stages=b.get("stages"),
        after=after,
        before=before,
    )


def _keyed(b: _Builder, key: str, value: str) -> None:
    """One key:value term into the builder, checking closed vocabularies."""
    lower = value.lower()
    if key == "category":
        _one_of(key, lower, CATEGORIES)
        b.add("categories", lower)
    elif key == "is":
        _one_of(key, lower, (*STATUSES, *ACTIONS_BY_IS))
        if lower in ACTIONS_BY_IS:
            b.add("actions", ACTIONS_BY_IS[lower])
        else:
            b.add("statuses", lower)
    elif key == "stage":
        _one_of(key, lower, STAGES)
        b.add("stages", lower)
    else:
        target = {
            "from": "senders",
            "with": "participants",
            "relay": "relays",
            "ref": "external_refs",
            "thread": "thread_ids",
            "subject": "subjects",
            "kind": "kinds",
        }[key]
        b.add(target, value if key in ("ref", "thread") else lower)


def _one_of(key: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise QueryError(f"{key}:{value} is not known; use {key}: with one of {', '.join(allowed)}")


def parse_date(key: str, value: str) -> datetime:
    """YYYY-MM-DD as midnight UTC (before: is exclusive, so before:2026-02-01 ends January)."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{key}:{value} is not a date; write it as YYYY-MM-DD") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
