"""What a storage failure means for the SMTP client: the one place that reads database errors.

Why a module of its own: "the database is down", "it is locked by someone else" and "the disk
is full" need different answers (RFC 3463: 4.3.0 other system problem, 4.3.1 mail system
full), all temporary, so the sending MTA keeps the message and retries. Nothing is half-stored
in any of these cases: the archive commit is one transaction, and it either happened or not.
SQLite reports through `sqlite3` error names (Python 3.11+), PostgreSQL through SQLSTATE.
"""

from __future__ import annotations

import errno
import sqlite3
import sys

from sqlalchemy.exc import DBAPIError

DISK_FULL = "452 4.3.1 Insufficient storage space to accept the message; please try again later"
LOCKED = "451 4.3.0 The message store is locked by another process; please try again later"
UNREACHABLE = "451 4.3.0 The message store is unreachable; please try again later"
OTHER = "451 4.3.0 Temporary failure storing the message; please try again later"

_SQLITE_FULL = {"SQLITE_FULL"}
_SQLITE_LOCKED = {"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_BUSY_SNAPSHOT", "SQLITE_BUSY_TIMEOUT"}
_SQLITE_UNREACHABLE = ("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_READONLY")  # and subcodes
_PG_DISK_FULL = {"53100", "53200"}  # disk_full, out_of_memory
_PG_LOCKED = {"55P03", "40P01"}  # lock_not_available, deadlock_detected
_PG_UNREACHABLE_CLASSES = ("08", "57")  # connection exception, operator intervention (shutdown)


def kind(error: BaseException) -> str:
    """'disk_full', 'locked', 'unreachable' or 'other' for an exception raised by storage."""
    original = error.orig if isinstance(error, DBAPIError) else error
    # psycopg is imported by the PostgreSQL dialect only: with SQLite it is not loaded (about
    # 8 MB), and no psycopg error can exist then.
    psycopg = sys.modules.get("psycopg")
    for candidate in _chain(original):
        if isinstance(candidate, OSError) and candidate.errno in (errno.ENOSPC, errno.EFBIG):
            return "disk_full"
        if isinstance(candidate, sqlite3.Error):
            name = getattr(candidate, "sqlite_errorname", "") or ""
            if name in _SQLITE_FULL:
                return "disk_full"
            if name in _SQLITE_LOCKED or "locked" in str(candidate):
                return "locked"
            if name.startswith(_SQLITE_UNREACHABLE):
                return "unreachable"
        if psycopg is not None and isinstance(candidate, psycopg.Error):
            state = candidate.sqlstate or ""
            if state in _PG_DISK_FULL:
                return "disk_full"
            if state in _PG_LOCKED:
                return "locked"
            if not state or state.startswith(_PG_UNREACHABLE_CLASSES):
                return "unreachable"  # no SQLSTATE: the connection itself failed
    return "other"


def smtp_reply(error: BaseException) -> str:
    """The temporary SMTP reply for a storage failure (always 4xx: the sender retries)."""
    return {
        "disk_full": DISK_FULL,
        "locked": LOCKED,
        "unreachable": UNREACHABLE,
    }.get(kind(error), OTHER)


def _chain(error: BaseException) -> list[BaseException]:
    """The error and its causes/contexts, without looping."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen
