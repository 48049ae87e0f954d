"""Message bodies at rest, sealed with a per-thread data key: erasing a thread destroys its key.

Why crypto-shredding: an erasure request must also hold for copies of the database we cannot
rewrite (replicas, WAL archives, dumps). Every received message (`Message.raw`) and every
outgoing copy (`Delivery.outgoing`) is stored as AES-256-GCM ciphertext under its thread's key
(`ThreadKey`); `erase_thread_key` overwrites the key, after which no copy of the ciphertext can
be read. AES-GCM comes from `cryptography` (OpenSSL), already a dependency for DKIM.

Content hashes in the ledger are over the PLAINTEXT bytes, so exports verify with sha256sum.

Optional master key: when the environment variable GATEWAY_ARCHIVE_KEY holds 32 bytes in
base64, new thread keys are stored wrapped (AES-GCM under the master key), so a database dump
without the master key reveals no body. Keys created without it stay readable (`wrapped` flag).

Every reader goes through this module: `open_body` (one row), `thread_keys` (bulk) and the
getters in storage.archive, which return plaintext (or b"" for purged/erased bodies).
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Iterable
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlmodel import Session, select

from storage import chunks
from storage.chunks import Chunks, seal_into, size_of
from storage.models import ThreadKey, utcnow

MASTER_KEY_ENV = "GATEWAY_ARCHIVE_KEY"
NONCE_BYTES = 12
TAG_BYTES = 16
SEALED_OVERHEAD = NONCE_BYTES + TAG_BYTES  # the nonce and AES-GCM's 16-byte tag
STREAM_SEAL_BYTES = 1024 * 1024  # bodies above this are sealed into one buffer (storage.chunks)
PLAIN, SEALED, PURGED, ERASED = "plain", "sealed", "purged", "erased"


class BodyUnavailable(Exception):
    """The body cannot be read: purged by retention, erased, or its key is missing."""

    def __init__(self, state: str, detail: str = "") -> None:
        super().__init__(detail or f"body {state}")
        self.state = state


class BodyTampered(BodyUnavailable):
    """The sealed bytes fail authentication: someone changed them (or the key)."""

    def __init__(self, detail: str = "sealed bytes fail authentication") -> None:
        super().__init__("tampered", detail)


def _aad(thread_id: str, purpose: bytes) -> bytes:
    """Associated data: a sealed body only opens for its own thread and purpose."""
    return b"relay-gateway/v1/" + purpose + b"/" + thread_id.encode()


def seal(key: bytes, plaintext: bytes | Chunks, thread_id: str) -> bytes | bytearray:
    """nonce || AES-256-GCM(plaintext), bound to the thread.

    Big bodies and pieced ones (storage.chunks) are encrypted window by window into one
    buffer: the same bytes, without a second full-size copy.
    """
    nonce = os.urandom(NONCE_BYTES)
    if isinstance(plaintext, Chunks) or len(plaintext) > STREAM_SEAL_BYTES:
        return seal_into(key, nonce, plaintext, _aad(thread_id, b"body"))
    return nonce + AESGCM(key).encrypt(nonce, plaintext, _aad(thread_id, b"body"))


def sealed_size(plaintext: bytes | Chunks) -> int:
    """Length of `seal`'s output for this plaintext."""
    return size_of(plaintext) + SEALED_OVERHEAD


def seal_to(key: bytes, plaintext: bytes | Chunks, thread_id: str, write) -> None:
    """`seal`'s output, written to `write` in windows (storage.blobs: into an SQLite blob)."""
    chunks.seal_to(key, os.urandom(NONCE_BYTES), plaintext, _aad(thread_id, b"body"), write)


def unseal(key: bytes, sealed: bytes, thread_id: str) -> bytes:
    """The plaintext of `seal`'s output; BodyTampered if a byte was changed."""
    try:
        view = memoryview(sealed)  # no copy of the ciphertext for the slice
        return AESGCM(key).decrypt(view[:NONCE_BYTES], view[NONCE_BYTES:], _aad(thread_id, b"body"))
    except (InvalidTag, ValueError):
        raise BodyTampered() from None


def unseal_from(key: bytes, source, size: int, thread_id: str) -> bytearray:
    """`unseal` for sealed bytes read from `source` (a file-like blob handle) window by window.

    The plaintext is decrypted into one preallocated buffer and returned only once the tag
    has been checked: no full-size sealed copy is ever held.
    """
    if size < SEALED_OVERHEAD:
        raise BodyTampered()
    nonce = source.read(NONCE_BYTES)
    source.seek(size - TAG_BYTES)
    tag = source.read(TAG_BYTES)
    source.seek(NONCE_BYTES)
    decryptor = Cipher(algorithms.AES(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(_aad(thread_id, b"body"))
    plain = bytearray(size - SEALED_OVERHEAD + 15)  # update_into wants block-size slack
    view = memoryview(plain)
    position, left = 0, size - SEALED_OVERHEAD
    while left:
        window = source.read(min(chunks.WINDOW, left))
        if not window:
            raise BodyTampered("sealed body shorter than stored")
        left -= len(window)
        position += decryptor.update_into(window, view[position : position + len(window) + 15])
    try:
        position += len(decryptor.finalize())
    except InvalidTag:
        raise BodyTampered() from None
    view.release()
    del plain[position:]
    return plain


def open_body(state: str, data: bytes, key: bytes | None, thread_id: str) -> bytes:
    """Plaintext of a stored body in any state; BodyUnavailable when there is none."""
    if state == PLAIN:
        return data
    if state in (PURGED, ERASED):
        raise BodyUnavailable(state)
    if state != SEALED:
        raise BodyUnavailable(state, f"unknown body state {state!r}")
    if not key:
        raise BodyUnavailable(ERASED, "thread key destroyed")
    return unseal(key, data, thread_id)


def readable(state: str, data: bytes, key: bytes | None, thread_id: str) -> bytes:
    """Like open_body, but b"" where there is no body (what the archive getters return)."""
    try:
        return open_body(state, data, key, thread_id)
    except BodyUnavailable as exc:
        if exc.state in (PURGED, ERASED):
            return b""
        raise


# ---------------------------------------------------------------- keys


def _master_key() -> bytes | None:
    """The optional master key from the environment (32 bytes, base64)."""
    value = os.environ.get(MASTER_KEY_ENV, "").strip()
    if not value:
        return None
    try:
        key = base64.b64decode(value, validate=True)
    except binascii.Error:
        key = b""
    if len(key) != 32:
        raise ValueError(f"{MASTER_KEY_ENV} must be 32 bytes in base64 (openssl rand -base64 32)")
    return key


def _unwrap(row: Any) -> bytes:
    """The usable data key of a key row (ThreadKey or its columns; b"" when destroyed)."""
    return unwrapped_key(row.thread_id, row.key, row.wrapped)


def unwrapped_key(thread_id: str, stored: bytes, is_wrapped: bool) -> bytes:
    """The usable data key from a key row's columns (b"" when destroyed)."""
    if not stored or not is_wrapped:
        return stored
    master = _master_key()
    if master is None:
        raise BodyUnavailable("locked", f"thread key is wrapped; set {MASTER_KEY_ENV}")
    nonce, wrapped = stored[:NONCE_BYTES], stored[NONCE_BYTES:]
    try:
        return AESGCM(master).decrypt(nonce, wrapped, _aad(thread_id, b"key"))
    except InvalidTag:
        raise BodyUnavailable("locked", f"{MASTER_KEY_ENV} does not open this key") from None


def new_key(thread_id: str) -> tuple[bytes, bytes, bool]:
    """A new data key for a thread: (key, stored column value, wrapped)."""
    key = AESGCM.generate_key(bit_length=256)
    master = _master_key()
    if master is None:
        return key, key, False
    nonce = os.urandom(NONCE_BYTES)
    return key, nonce + AESGCM(master).encrypt(nonce, key, _aad(thread_id, b"key")), True


def archive_key_of(thread_id: str, stored: bytes, is_wrapped: bool) -> bytes:
    """The usable key of an existing key row for archiving: an erased thread takes no more."""
    key = unwrapped_key(thread_id, stored, is_wrapped)
    if not key:
        raise BodyUnavailable(ERASED, f"thread {thread_id} was erased: nothing more is archived")
    return key


def thread_key(session: Session, thread_id: str, *, create: bool = False) -> bytes | None:
    """The thread's data key; with create=True a new one is made for a thread without one.

    Call with the thread row locked (storage.ledger.lock_thread) when creating, so that two
    instances cannot make two keys for one thread.
    """
    row = session.get(ThreadKey, thread_id)
    if row is None:
        if not create:
            return None
        key, stored, wrapped = new_key(thread_id)
        session.add(ThreadKey(thread_id=thread_id, key=stored, wrapped=wrapped))
        session.flush()
        return key
    key = _unwrap(row)
    if not key and create:
        raise BodyUnavailable(ERASED, f"thread {thread_id} was erased: nothing more is archived")
    return key or None


def thread_keys(session: Session, thread_ids: Iterable[str]) -> dict[str, bytes]:
    """Data keys of many threads at once (destroyed keys map to b"")."""
    ids = sorted(set(thread_ids))
    keys: dict[str, bytes] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        columns = select(ThreadKey.thread_id, ThreadKey.key, ThreadKey.wrapped)
        for row in session.exec(columns.where(ThreadKey.thread_id.in_(chunk))):
            keys[row.thread_id] = _unwrap(row)
    return keys


def destroy_thread_key(session: Session, thread_id: str) -> bool:
    """Overwrite the thread's key (crypto-shredding); True if there was one to destroy."""
    row = session.get(ThreadKey, thread_id)
    if row is None or not row.key:
        return False
    row.key = b""
    row.destroyed_at = utcnow()
    session.add(row)
    return True
