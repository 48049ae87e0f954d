"""Anti-abuse limits of the SMTP intake: rate limits, the peer denylist, header limits.

Why in-process token buckets: the gateway sits behind (or is) the MX, and what a limit must stop
is one sender, thread or client flooding a participant's inbox within minutes. A token bucket per
key answers that in O(1) with no shared state. The price, written down in docs/security.md:
each gateway process counts on its own, so N instances behind a load balancer allow up to N times
the configured rate, and a restart forgets the counts. Both are acceptable for flood protection
(the sending MTA retries a 451 and gets through once the bucket refills); a hard quota would need
the database.

Everything here is pure and synchronous: the SMTP edge (gateway/smtp.py) asks and answers.
"""

from __future__ import annotations

import ipaddress
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

RATE_REPLY = "451 4.7.1 Too many messages {what}; please try again in {wait} seconds"
CONNECTIONS_REPLY = "421 4.7.0 Too many connections from your address (limit {limit}); try later"
DENY_REPLY = "554 5.7.1 Connections from {peer} are not accepted by this server"


@dataclass
class TokenBucket:
    """`capacity` tokens, refilled continuously at capacity/period per second."""

    capacity: int
    period: float
    tokens: float
    stamp: float

    def refill(self, now: float) -> None:
        """Add what the elapsed time earned, up to the capacity."""
        rate = self.capacity / self.period
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * rate)
        self.stamp = now

    def take(self, now: float) -> float:
        """Take one token: 0.0 if there was one, else the seconds until one is available."""
        self.refill(now)
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) * self.period / self.capacity

    def full(self, now: float) -> bool:
        """A full bucket is the same as no bucket: it can be forgotten."""
        self.refill(now)
        return self.tokens >= self.capacity


class RateLimiter:
    """Token buckets by key (a sender, a thread, a peer IP) with bounded memory.

    At most `max_keys` buckets are kept: when full, buckets that have refilled are dropped (they
    carry no information), then the least recently used. Dropping a partly used bucket forgives
    that key some messages; it can never block anyone wrongly.
    """

    def __init__(
        self,
        capacity: int,
        period: float,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.period = period
        self.max_keys = max_keys
        self.clock = clock
        self.buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.capacity > 0 and self.period > 0

    def take(self, key: str) -> float:
        """Count one message for `key`: 0.0 when allowed, else seconds to wait."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        bucket = self.buckets.get(key)
        if bucket is None:
            self._make_room(now)
            bucket = self.buckets[key] = TokenBucket(self.capacity, self.period, self.capacity, now)
        else:
            self.buckets.move_to_end(key)
        return bucket.take(now)

    def _make_room(self, now: float) -> None:
        """Keep the number of buckets under max_keys (full ones first, then the oldest)."""
        if len(self.buckets) < self.max_keys:
            return
        for key in [k for k, b in self.buckets.items() if b.full(now)]:
            del self.buckets[key]
        while len(self.buckets) >= self.max_keys:
            self.buckets.popitem(last=False)


@dataclass
class RateLimits:
    """The three limiters of [limits]: per envelope sender, per thread, per peer IP."""

    sender: RateLimiter
    thread: RateLimiter
    peer: RateLimiter

    @classmethod
    def from_settings(cls, limits, clock: Callable[[], float] = time.monotonic) -> RateLimits:
        def make(rate: tuple[int, float]) -> RateLimiter:
            return RateLimiter(rate[0], rate[1], max_keys=limits.max_tracked, clock=clock)

        return cls(make(limits.per_sender), make(limits.per_thread), make(limits.per_peer))


def rate_reply(what: str, wait: float) -> str:
    """The 451 4.7.1 reply for a limit that was hit, with a whole number of seconds."""
    return RATE_REPLY.format(what=what, wait=max(1, int(wait + 0.999)))


class Denylist:
    """Peers (IP addresses and CIDR networks from [limits] deny_peers) refused at connect."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.networks = [ipaddress.ip_network(e, strict=False) for e in entries]

    def denies(self, host: str) -> bool:
        """True when `host` (an IP address as a string) is inside any listed network."""
        if not self.networks:
            return False
        try:
            address = ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return any(address.version == n.version and address in n for n in self.networks)


def peer_host(peer) -> str:
    """The IP address part of aiosmtpd's session.peer."""
    if isinstance(peer, tuple) and peer:
        return str(peer[0])
    return str(peer or "")


# --------------------------------------------------------------------------- header block


@dataclass(frozen=True)
class HeaderBlock:
    """The header block of received bytes, split into fields without the email package.

    The email parser would build objects for every one of 100,000 hostile header lines; this
    walks the bytes once, so limits are enforced before any expensive work.
    """

    fields: tuple[tuple[bytes, bytes], ...]  # (lower-cased name, unfolded raw value)
    size: int  # bytes up to (not including) the empty line

    def count(self, name: bytes) -> int:
        return sum(1 for n, _ in self.fields if n == name)

    def values(self, name: bytes) -> list[bytes]:
        return [v for n, v in self.fields if n == name]


def header_block(raw: bytes, max_fields: int) -> HeaderBlock:
    """Split the header block (up to the first empty line; bare LF and CR accepted).

    Stops counting at max_fields + 1 fields, enough to tell that the limit is exceeded.
    """
    end = len(raw)
    for separator in (b"\r\n\r\n", b"\n\n", b"\r\r"):
        # only an occurrence that starts before the end found so far counts: the search
        # stops there instead of walking the whole body (CRLF mail has no "\n\n" at all)
        found = raw.find(separator, 0, end + len(separator) - 1)
        if found != -1 and found < end:
            end = found
    if raw.startswith((b"\r\n", b"\n", b"\r")):
        end = 0
    block = raw[:end]
    fields: list[tuple[bytes, bytes]] = []
    for line in block.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"):
        if line[:1] in (b" ", b"\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + b" " + line.strip())
            continue
        name, colon, value = line.partition(b":")
        if not colon:
            continue  # not a field (junk or the mbox "From " line): the parser records a defect
        fields.append((name.strip().lower(), value.strip()))
        if len(fields) > max_fields:
            break
    return HeaderBlock(tuple(fields), end)


def header_problem(block: HeaderBlock, *, max_fields: int, max_bytes: int) -> str | None:
    """The 552 5.3.4 reply when the header block is too large, else None."""
    if len(block.fields) > max_fields:
        return (
            f"552 5.3.4 Too many header fields: the limit is {max_fields}; "
            "the message was not accepted"
        )
    if block.size > max_bytes:
        return (
            f"552 5.3.4 Message header too large: the limit is {max_bytes} bytes; "
            "the message was not accepted"
        )
    return None


# --------------------------------------------------------------------------- MIME shape


_MULTIPART = re.compile(rb"(?im)^content-type:[ \t]*multipart/")  # the rule; see _count_multipart


def _count_multipart(raw: bytes) -> int:
    """`len(_MULTIPART.findall(raw))` with C-level searches for the field name (the regex
    tried every byte of the message: 0.5 ms per 100 KB, 25 us per 5 KB)."""
    lowered = raw.lower()  # ASCII only, as the bytes pattern's IGNORECASE
    count = 0
    at = lowered.find(b"content-type:")
    while at != -1:
        if at == 0 or lowered[at - 1] == 10:  # a line start: after LF, as (?m)^ means
            value = at + 13
            while lowered[value : value + 1] in (b" ", b"\t"):
                value += 1
            if lowered.startswith(b"multipart/", value):
                count += 1
        at = lowered.find(b"content-type:", at + 13)
    return count


def multipart_problem(raw: bytes, *, max_parts: int) -> str | None:
    """A cheap pre-check on the raw bytes before parsing: how many multiparts are declared.

    The email package parses nested multiparts recursively; thousands of them cost seconds of
    CPU before it gives up. Counting the declarations (an upper bound on depth and a lower
    bound on parts) refuses such input before the parse.
    """
    declared = _count_multipart(raw)
    if declared > max_parts:
        return f"554 5.6.0 Too many MIME parts ({declared} multiparts; the limit is {max_parts})"
    return None


def mime_shape(message) -> tuple[int, int]:
    """(deepest nesting, number of parts) of a parsed message, walked without recursion."""
    deepest, parts = 0, 0
    stack = [(message, 1)]
    while stack:
        part, depth = stack.pop()
        parts += 1
        deepest = max(deepest, depth)
        payload = part.get_payload() if part.is_multipart() else None
        if isinstance(payload, list):
            stack.extend((child, depth + 1) for child in payload)
    return deepest, parts


def mime_problem(message, *, max_depth: int, max_parts: int) -> str | None:
    """The 554 5.6.0 reply for a MIME tree too deep or too large to process, else None."""
    depth, parts = mime_shape(message)
    if depth > max_depth:
        return (
            f"554 5.6.0 MIME structure nested too deeply ({depth} levels; the limit is {max_depth})"
        )
    if parts > max_parts:
        return f"554 5.6.0 Too many MIME parts ({parts}; the limit is {max_parts})"
    return None


class CheckMimeShape:
    """Stage (right after parse): refuse MIME trees deeper or larger than [limits] allows.

    Deep nesting hides content from scanners and makes recursive code (the email package's
    walk and generator) slow or fail; refusing it up front turns that into a precise 5xx.
    """

    name = "mime_shape"

    def __init__(self, services) -> None:
        self.services = services

    async def __call__(self, ctx):
        from gateway.errors import Reject

        limits = self.services.settings.limits
        problem = mime_problem(
            ctx.message, max_depth=limits.max_mime_depth, max_parts=limits.max_mime_parts
        )
        if problem:
            raise Reject(problem, log_reason="mime shape")
        return ctx
