"""Who may do what: passwords, sessions, CSRF, login rate limiting, API tokens, response headers.

Why server-side sessions: the cookie holds 256 random bits and the database only their sha256,
so logging out, removing an account from the config or changing its role take effect on the
next request, and a leaked database does not yield usable cookies. The role always comes from
the config, never from the session.

CSRF: every form carries the session's token in a hidden field and every POST compares it in
constant time (synchroniser token pattern); the login form, which has no session yet, uses a
double-submit cookie. Cookies are HttpOnly, SameSite=Strict, and Secure when the request came
over TLS (uvicorn with a certificate, or a proxy that says so in X-Forwarded-Proto).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import HTTPException, Request
from sqlalchemy.engine import Engine
from sqlmodel import delete

from gateway.config import ApiToken, WebSettings, WebUser
from storage.db import session_scope
from storage.models import WebSession, utcnow

SESSION_COOKIE = "gw_session"
LOGIN_CSRF_COOKIE = "gw_login_csrf"
ROLE_RANK = {"viewer": 0, "moderator": 1, "admin": 2}

_hasher = PasswordHasher()
# A hash to verify against when the user does not exist, so both cases take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cache-Control": "no-store",
}


def hash_password(password: str) -> str:
    """An argon2id hash with argon2-cffi's current recommended parameters."""
    return _hasher.hash(password)


@dataclass(frozen=True)
class User:
    """A logged-in support person: name and role from the config, CSRF token from the session."""

    name: str
    role: str
    csrf: str

    def can(self, role: str) -> bool:
        """True when this user's role is at least `role`."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


class LoginRequired(Exception):
    """No valid session: pages answer with a redirect to the login form."""


def verify_password(users: dict[str, WebUser], name: str, password: str) -> WebUser | None:
    """The account when the password matches; None otherwise (in the same time either way)."""
    user = users.get(name.lower())
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_session(engine: Engine, username: str, lifetime: float) -> tuple[str, str]:
    """Store a new session; returns (cookie token, CSRF token). Expired sessions are purged."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = utcnow()
    with session_scope(engine) as session:
        session.exec(delete(WebSession).where(WebSession.expires_at < now))
        session.add(
            WebSession(
                token_hash=_digest(token),
                username=username,
                csrf=csrf,
                created_at=now,
                expires_at=now + timedelta(seconds=lifetime),
            )
        )
    return token, csrf


def load_session(engine: Engine, token: str) -> WebSession | None:
    """The live session for a cookie token, or None."""
    if not token or len(token) > 100:
        return None
    with session_scope(engine) as session:
        row = session.get(WebSession, _digest(token))
        if row is None or row.expires_at <= utcnow():
            return None
        return row


def end_session(engine: Engine, token: str) -> None:
    """Log out: the session row is deleted, the cookie becomes worthless."""
    with session_scope(engine) as session:
        session.exec(delete(WebSession).where(WebSession.token_hash == _digest(token)))


def check_csrf(expected: str, given: str | None) -> None:
    """403 unless the form's token matches (constant-time)."""
    if not given or not expected or not hmac.compare_digest(expected, given):
        raise HTTPException(403, "The form expired or did not come from this site; reload it.")


def is_https(request: Request) -> bool:
    """True when the client reached us over TLS (directly, or per a trusted proxy header)."""
    return request.url.scheme == "https"


class LoginLimiter:
    """Failed logins per client address and per account name in a sliding window.

    In memory: one gateway process serves the web UI; a restart forgets the counts, which is
    acceptable for slowing guessing down (argon2 already makes each guess expensive).
    """

    def __init__(self, attempts: int, window: float) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str, now: float) -> deque[float]:
        stamps = self._failures[key]
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        return stamps

    def retry_after(self, *keys: str) -> int:
        """Seconds until another attempt is allowed for these keys (0: allowed now)."""
        now = time.monotonic()
        wait = 0.0
        for key in keys:
            stamps = self._recent(key, now)
            if len(stamps) >= self.attempts:
                wait = max(wait, stamps[0] + self.window - now)
        return int(wait) + 1 if wait else 0

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        for key in keys:
            self._recent(key, now).append(now)

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)


def token_matches(tokens: tuple[ApiToken, ...], given: str) -> ApiToken | None:
    """The configured API client whose token (or its sha256) matches, compared in constant time."""
    digest = "sha256:" + hashlib.sha256(given.encode()).hexdigest()
    found = None
    for candidate in tokens:
        expected = candidate.token if not candidate.token.startswith("sha256:") else None
        ok = (
            hmac.compare_digest(candidate.token, digest)
            if expected is None
            else hmac.compare_digest(expected.encode(), given.encode())
        )
        if ok and found is None:
            found = candidate
    return found


def users_by_name(settings: WebSettings) -> dict[str, WebUser]:
    return {u.name.lower(): u for u in settings.users}
