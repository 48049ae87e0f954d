"""The gateway's exceptions, in one tree.

    BaseException
    ├── SmtpReply            control flow: stop the pipeline and answer the client with this reply
    │   ├── Reject           a permanent 5xx answer (unknown recipient, not a participant, policy)
    │   └── TryLater         a temporary 4xx answer (database down, commit failed)
    Exception
    └── GatewayError         a real failure inside the gateway
        ├── ConfigError      (gateway.config) the TOML cannot be used; lists every problem
        └── DeliveryError    a transport failed to hand a message over; `permanent` says 5xx vs 4xx

`SmtpReply` derives from BaseException, as Mailman's Discard/Reject and structlog's DropEvent do,
so that a broad `except Exception` in a stage cannot swallow a decision to stop.
"""

from __future__ import annotations


class SmtpReply(BaseException):
    """Stop processing and answer the SMTP client with `reply` ("550 5.1.1 text")."""

    def __init__(self, reply: str, *, log_reason: str = "") -> None:
        super().__init__(reply)
        self.reply = reply
        self.log_reason = log_reason or reply


class Reject(SmtpReply):
    """A permanent refusal (5xx): the sender must change something before trying again."""


class TryLater(SmtpReply):
    """A temporary refusal (4xx): the sending MTA keeps the message and retries."""


class GatewayError(Exception):
    """Base of the gateway's own failures."""


class DeliveryError(GatewayError):
    """A transport could not hand a message over; `permanent` is True for 5xx answers."""

    def __init__(self, message: str, *, permanent: bool, code: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code
