"""A body as a sequence of byte pieces, and the two things the archive does with one.

Why: a big outgoing copy is its small rebuilt parts plus slices of the received bytes
(gateway.bigmessage). Joining them would make one more full-size copy only to hash and encrypt
it; `sha256` and `seal_into` walk the pieces instead, and `seal_into` writes the ciphertext
straight into one preallocated buffer (no `nonce + ciphertext` concatenation either).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

WINDOW = 1024 * 1024  # pieces are encrypted and hashed at most this many bytes at a time
TAG_BYTES = 16


class Chunks(tuple):
    """An immutable sequence of bytes-like pieces standing for their concatenation."""

    def __new__(cls, pieces: Iterable[bytes | memoryview]) -> Chunks:
        return super().__new__(cls, (p for p in pieces if len(p)))

    @property
    def size(self) -> int:
        """Total length in bytes (len() is the number of pieces, as for any tuple)."""
        return sum(len(p) for p in self)

    def windows(self, size: int = WINDOW) -> Iterator[memoryview]:
        """The pieces cut into views of at most `size` bytes (no copies)."""
        for piece in self:
            view = memoryview(piece)
            for start in range(0, len(view), size):
                yield view[start : start + size]

    def join(self) -> bytes:
        """The whole body as one bytes object (tests and small bodies only)."""
        return b"".join(self)


def size_of(data: bytes | Chunks) -> int:
    """Length of a body in bytes, whichever form it has."""
    return data.size if isinstance(data, Chunks) else len(data)


def sha256_hex(data: bytes | Chunks) -> str:
    """Hex sha256 of a body, hashing a Chunks piece by piece."""
    if not isinstance(data, Chunks):
        return hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256()
    for window in data.windows():
        digest.update(window)
    return digest.hexdigest()


def seal_to(key: bytes, nonce: bytes, data: bytes | Chunks, aad: bytes, write) -> None:
    """Write nonce || AES-256-GCM(data) || tag to `write` one window at a time.

    For a destination that takes pieces (an SQLite blob handle): no full-size object at all.
    """
    encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    write(nonce)
    for window in (data if isinstance(data, Chunks) else Chunks([data])).windows():
        write(encryptor.update(window))
    write(encryptor.finalize() + encryptor.tag)


def seal_into(key: bytes, nonce: bytes, data: bytes | Chunks, aad: bytes) -> bytearray:
    """nonce || AES-256-GCM(data) || tag, the layout of `AESGCM.encrypt` after the nonce.

    One buffer of the final size is allocated and every window is encrypted into it
    (`update_into`), so the only full-size object made is the result.
    """
    pieces = data if isinstance(data, Chunks) else Chunks([data])
    total = pieces.size
    out = bytearray(len(nonce) + total + TAG_BYTES + 15)  # update_into wants block-size slack
    out[: len(nonce)] = nonce
    encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    view = memoryview(out)
    position = len(nonce)
    for window in pieces.windows():
        position += encryptor.update_into(window, view[position : position + len(window) + 15])
    position += len(encryptor.finalize())
    view[position : position + TAG_BYTES] = encryptor.tag
    view.release()
    del out[position + TAG_BYTES :]
    return out
