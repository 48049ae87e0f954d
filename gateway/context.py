"""The values passed between pipeline stages: frozen, so each stage returns a changed copy.

Keeping them frozen (structlog's and attrs' habit) makes each stage a function of its input:
a test can build a context by hand, run one stage and compare.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gateway.auth.verdict import AuthOutcome


@dataclass(frozen=True)
class Envelope:
    """What the SMTP session knew about the message before its first byte."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    peer: str
    helo: str
    tls: bool
    smtputf8: bool
    received_at: datetime


@dataclass(frozen=True)
class Person:
    """A participant as the pipeline sees one: never a database row."""

    id: int
    role: str
    display_name: str
    address: str  # real address: never written to a recipient
    relay_address: str

    @property
    def label(self) -> str:
        """What others call this person: the display name, else the role."""
        return self.display_name or self.role.capitalize()


@dataclass(frozen=True)
class ThreadInfo:
    """A thread and everyone in it, as loaded by the resolve stage."""

    id: str
    subject: str
    status: str
    participants: tuple[Person, ...]

    def by_address(self, address: str) -> Person | None:
        """The participant whose real address this is (case-insensitive)."""
        address = address.lower()
        return next((p for p in self.participants if p.address == address), None)

    def by_relay(self, address: str) -> Person | None:
        """The participant whose relay address this is (case-insensitive)."""
        address = address.lower()
        return next((p for p in self.participants if p.relay_address == address), None)


@dataclass(frozen=True)
class KnownMessage:
    """A message of the thread that a reply may reference, for Message-ID mapping."""

    original_id: str
    relayed_id: str
    sender_id: int | None


@dataclass(frozen=True)
class Finding:
    """One piece of evidence from the scanner."""

    category: str  # contact | payment
    kind: str  # email | phone | url | iban | ...
    text: str  # as written
    start: int
    end: int
    part: str  # which scanned text: "subject", "body.1", ...
    confidence: float = 1.0
    detector: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Decision:
    """The policy's verdict: one action, and why."""

    action: str  # deliver | flag | redact | hold | reject
    reasons: tuple[str, ...] = ()
    rule: str = "default"
    provenance: dict[str, Any] = field(default_factory=dict)  # policy version, findings, ...

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.provenance,
            "action": self.action,
            "reasons": list(self.reasons),
            "rule": self.rule,
        }


@dataclass(frozen=True)
class OutgoingCopy:
    """What one recipient will receive: the message being built, then its final signed bytes."""

    recipient: Person
    message: EmailMessage | None = None
    headers: bytes = b""  # the rebuilt header block (rewrite stage)
    data: Any = b""  # the final signed bytes (sign stage); storage.chunks.Chunks when big
    status: str = "queued"  # "held" when the copy failed its own DKIM self-check


@dataclass(frozen=True)
class MessageContext:
    """Everything known about one message as it moves through the stages."""

    queue_id: str
    envelope: Envelope
    raw: bytes
    message: EmailMessage | None = None
    subject: str = ""  # decoded, CR/LF removed (parse stage; later stages edit `message`)
    original_message_id: str = ""  # the sender's Message-ID as written (parse stage)
    thread: ThreadInfo | None = None
    recipients: tuple[Person, ...] = ()
    sender: Person | None = None
    known_messages: tuple[KnownMessage, ...] = ()
    relayed_message_id: str = ""
    findings: tuple[Finding, ...] = ()
    decision: Decision | None = None
    dropped_addresses: tuple[str, ...] = ()
    outgoing: tuple[OutgoingCopy, ...] = ()
    message_id: int | None = None  # archive row id, once stored
    timings: tuple[tuple[str, float], ...] = field(default=())
    auth: AuthOutcome | None = None  # sender authentication (authenticate stage; None: off)
    # Why the message is automatic mail (gateway.automatic.classify), "" when it is not.
    automatic: str = ""
    # The searchable text of the received message (scan stage, from the scanner's own
    # extraction), so the archive's full-text index does not parse the message again.
    index_text: str | None = None
    # The scan stage's texts when extracted whole and without documents (scanning.text.ScanText),
    # so the decide stage's fragment search does not extract them again; None otherwise.
    scan_texts: tuple[Any, ...] | None = None
    # What RCPT looked up for each of envelope.rcpt_tos (gateway.directory.RelayTarget), so the
    # resolve stage does not query the directory a second time; () when not looked up (tests,
    # replays): resolve then looks the addresses up itself.
    rcpt_targets: tuple[Any, ...] = ()
    # A big message's skeleton (gateway.bigmessage.skeleton.Skeleton): `message` is then the
    # parse of the skeleton, whose big binary leaves are tokens; None for every other message.
    skeleton: Any = None

    @property
    def is_automatic(self) -> bool:
        """Automatic mail (auto-reply, bulk, DSN-like) is never answered with a notice."""
        return bool(self.automatic)

    def evolve(self, **changes: Any) -> MessageContext:
        """A copy with some fields changed (dataclasses.replace, named as attrs does).

        Done by copying the instance dict: dataclasses.replace re-runs __init__ with every one
        of the 20-odd fields (about 6 us), and the stages evolve the context some 15 times
        per message. There is no __post_init__ to skip; unknown names are refused as replace
        refuses them.
        """
        unknown = changes.keys() - _CONTEXT_FIELDS
        if unknown:
            raise TypeError(f"MessageContext has no field(s) {sorted(unknown)}")
        new = object.__new__(MessageContext)
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        return new


_CONTEXT_FIELDS = frozenset(f.name for f in dataclasses.fields(MessageContext))
