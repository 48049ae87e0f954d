"""DKIM signing of outgoing mail for the relay domain.

Design
------
dkimpy is the reference DKIM implementation for Python, but its RSA is pure
Python (``dkim.crypto.rsa_decrypt`` is ``pow()`` on Python ints): about 130
RSA-2048 signatures/s on one core here, against roughly 3,500-4,000/s for the
bare RSA-2048 operation through ``cryptography`` (OpenSSL).

What is signed is decided here, in one pass over the bytes the gateway writes: the caller
passes the header block and the body it produced (`signature(head, body)`), and
gateway.dkim_canon canonicalises them (relaxed/relaxed) without re-parsing the whole message;
`sign(message)` splits a message at its first empty line and does the same. Only the folding of
the header (``dkim.fold``) is still dkimpy's, so the header looks exactly as dkimpy writes it.
The private-key operation on the final SHA-256 digest goes through ``cryptography``.

Why not subclass ``dkim.DKIM``?  The signature is made inside
``DomainSigner.gen_header``, which also hashes the headers and calls the *module global*
``RSASSA_PKCS1_v1_5_sign``; ``DKIM.sign()`` re-parses the PEM key with dkimpy's pure-Python
ASN.1 reader on every call (about 130 us) and re-parses the message. So
``DkimSigner._signature_header`` builds the same tag list in dkimpy's order, with the same
placeholder and folding, and nothing in dkimpy is modified.

Equivalence is proven by the tests: with a fixed clock our output is byte for byte what
dkimpy's own ``dkim.sign()`` returns for the same key, headers and message (RSA PKCS#1 v1.5 and
Ed25519 are both deterministic) over many message shapes and a hypothesis property, and every
signature verifies with ``dkim.verify`` and with OpenDKIM (tests/test_dkim_onepass.py).

Speed: see docs/dkim.md ("Speed") and docs/performance.md ("Fourth round").

Key files are unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY") for both RSA and
Ed25519, as written by ``generate_key`` or ``openssl genpkey``.
"""

import base64
import contextlib
import functools
import hashlib
import os
import pathlib
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import dkim
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa, utils

from gateway import dkim_canon

__all__ = [
    "ALGORITHMS",
    "OVERSIGNED_HEADERS",
    "SIGNED_HEADERS",
    "DkimSigner",
    "SignatureFault",
    "SigningKeyError",
    "dns_txt_for_key_file",
    "generate_key",
    "header_names_to_sign",
]

RSA_SHA256 = "rsa-sha256"
ED25519_SHA256 = "ed25519-sha256"
ALGORITHMS = (RSA_SHA256, ED25519_SHA256)

#: RFC 8301: keys under 1024 bits MUST NOT be used; dkim.verify rejects them by default.
MIN_RSA_BITS = 1024

#: Header fields signed when present, in the order they are listed in h=.
SIGNED_HEADERS = (
    b"from",
    b"reply-to",
    b"to",
    b"cc",
    b"subject",
    b"date",
    b"message-id",
    b"in-reply-to",
    b"references",
    b"mime-version",
    b"content-type",
    b"content-transfer-encoding",
    b"list-unsubscribe",
    b"list-unsubscribe-post",  # RFC 8058 one-click unsubscribe requires it to be signed
    b"auto-submitted",
)

#: Listed once more than present (RFC 6376 8.15), so nobody can add one after signing.
OVERSIGNED_HEADERS = frozenset({b"from", b"subject", b"to", b"cc", b"reply-to"})

_HEADER_NAME = b"DKIM-Signature"
# The b= tag's value (with folding whitespace), emptied before the header is hashed: dkimpy's
# RE_BTAG, so both read the same header the same way.
_FWS = rb"(?:(?:\s*\r?\n)?\s+)?"
_B_TAG = re.compile(rb"([;\s]b" + _FWS + rb"=)(?:" + _FWS + rb"[a-zA-Z0-9+/=])*(?:\r?\n\Z)?")
_DNS_LABELS = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9_-]+)*")

PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
_KEY_TYPES = {RSA_SHA256: rsa.RSAPrivateKey, ED25519_SHA256: ed25519.Ed25519PrivateKey}
_KEY_KIND = {RSA_SHA256: "RSA", ED25519_SHA256: "Ed25519"}


class SigningKeyError(Exception):
    """A DKIM key file is missing, unreadable, malformed or does not fit the algorithm."""


def header_names_to_sign(message: bytes) -> list[bytes]:
    """Return the lower-case h= list we would sign for `message` (exposed for tests and docs)."""
    head, _ = split_message(message)
    return _names_to_sign(_fields(head))


def _names_to_sign(fields: list[tuple[bytes, bytes]]) -> list[bytes]:
    """Each signed field once per instance, plus one extra for the over-signed ones."""
    present = [name.lower() for name, _ in fields]
    names: list[bytes] = []
    for name in SIGNED_HEADERS:
        count = present.count(name) + (name in OVERSIGNED_HEADERS)
        names.extend([name] * count)
    return names


def split_message(message: bytes) -> tuple[bytes, bytes]:
    """(header block, body) of CRLF message bytes, split at the first empty line as verifiers do.

    The header block keeps the CRLF of its last field; the empty line belongs to neither.
    """
    if message.startswith(b"\r\n"):
        return b"", message[2:]
    end = message.find(b"\r\n\r\n")
    if end == -1:
        return message, b""
    return message[: end + 2], message[end + 4 :]


def _fields(head: bytes) -> list[tuple[bytes, bytes]]:
    """The header block's fields, refusing what must not be signed.

    Bare LF would leave the prepended CRLF header inconsistent with the rest and is the raw
    material of SMTP smuggling; zero or several From fields make the author ambiguous, which
    is exactly what DKIM/DMARC is meant to pin down.
    """
    _refuse_bare_lf(head)
    fields = dkim_canon.split_fields(head)
    from_count = sum(1 for name, _ in fields if name.lower() == b"from")
    if from_count != 1:
        raise ValueError(f"message must have exactly one From header field, found {from_count}")
    return fields


def _refuse_bare_lf(data: bytes) -> None:
    if data.count(b"\n") != data.count(b"\r\n"):
        raise ValueError("message must use CRLF line endings (found a bare LF)")


@dataclass(frozen=True, kw_only=True)
class DkimSigner:
    """Signs outgoing messages for one domain/selector; immutable, so safe to share across threads.

    Build it with ``DkimSigner.load``.  ``clock`` exists so tests can pin t= and
    compare our output with dkimpy's byte for byte.
    """

    domain: str
    selector: str
    private_key: PrivateKey = field(repr=False)
    algorithm: str = RSA_SHA256
    clock: Callable[[], float] = field(default=time.time, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Reject programmer errors early rather than emitting unverifiable signatures."""
        _check_algorithm(self.algorithm)
        for label, value in (("domain", self.domain), ("selector", self.selector)):
            if not _DNS_LABELS.fullmatch(value):
                raise ValueError(f"DKIM {label} {value!r} is not an ASCII DNS name (use xn-- form)")
        if not isinstance(self.private_key, _KEY_TYPES[self.algorithm]):
            raise TypeError(f"{self.algorithm} needs an {_KEY_KIND[self.algorithm]} private key")

    @classmethod
    def load(
        cls,
        *,
        domain: str,
        selector: str,
        private_key_file: pathlib.Path,
        algorithm: str = RSA_SHA256,
    ) -> "DkimSigner":
        """Read the PEM key once; raise SigningKeyError with the file and the fix on any problem."""
        key = _read_private_key(pathlib.Path(private_key_file), algorithm, selector)
        return cls(domain=domain, selector=selector, private_key=key, algorithm=algorithm)

    @property
    def dns_name(self) -> str:
        """Where the public key must be published."""
        return f"{self.selector}._domainkey.{self.domain}"

    @functools.cached_property
    def dns_txt(self) -> str:
        """The TXT record value for dns_name (cached: verify() uses it for every message)."""
        return _dns_txt(self.private_key.public_key())

    def sign(self, message: bytes) -> bytes:
        """Return `message` (CRLF line ends) with a relaxed/relaxed DKIM-Signature prepended.

        Raises ValueError for messages that must not be signed (bare LF, malformed
        header, not exactly one From).
        """
        head, body = split_message(message)
        return self.signature(head, body) + message

    def signature(self, head: bytes, body: bytes, body_hash: bytes | None = None) -> bytes:
        """The DKIM-Signature field (CRLF-terminated) for the message `head + CRLF + body`.

        For callers that wrote the message themselves and so know where its header block
        ends: nothing is split or joined again. `body_hash` is `self.body_hash(body)` when the
        caller already has it (copies of one message with the same body). Raises ValueError as
        `sign` does.
        """
        fields = _fields(head)
        if body_hash is None:
            body_hash = self.body_hash(body)
        include = _names_to_sign(fields)
        tags = self._tags(body_hash, include)
        return self._signature_header(tags, fields, include)

    def body_hash(self, body: bytes) -> bytes:
        """SHA-256 of the relaxed body (the bh= value, before base64). Refuses bare LF."""
        _refuse_bare_lf(body)
        return hashlib.sha256(dkim_canon.relaxed_body(body)).digest()

    def verify(self, signed: bytes) -> bool:
        """Check the topmost signature with dkimpy against our own key, without DNS.

        Used as a self-check before hand-off so a bug or a corrupted key shows up
        here rather than as DMARC failures at every recipient.
        """
        record = self.dns_txt.encode("ascii")
        expected = f"{self.dns_name}.".lower().encode("ascii")

        def dnsfunc(name: bytes, timeout: float = 5) -> bytes | None:
            return record if name.lower() == expected else None

        return bool(dkim.verify(signed, dnsfunc=dnsfunc))

    def _tags(self, body_hash: bytes, include: list[bytes]) -> list[tuple[bytes, bytes]]:
        """The tag list in dkimpy's own order (DKIM.sign), so both produce identical headers."""
        domain = self.domain.encode("ascii")
        return [
            (b"v", b"1"),
            (b"a", self.algorithm.encode("ascii")),
            (b"c", b"relaxed/relaxed"),
            (b"d", domain),
            (b"i", b"@" + domain),
            (b"q", b"dns/txt"),
            (b"s", self.selector.encode("ascii")),
            (b"t", str(int(self.clock())).encode("ascii")),
            (b"h", b" : ".join(include)),
            (b"bh", base64.b64encode(body_hash)),
            # Placeholder as in dkimpy: forces b= onto its own line when folded.
            (b"b", b"0" * 60),
        ]

    def _signature_header(
        self,
        tags: list[tuple[bytes, bytes]],
        fields: list[tuple[bytes, bytes]],
        include: list[bytes],
    ) -> bytes:
        """Mirror dkim.DomainSigner.gen_header, with our canonicalisation and OpenSSL's RSA.

        Hashed, in order: each selected field as `name:value CRLF` in relaxed form, then this
        DKIM-Signature field itself with an empty b= and no final CRLF (RFC 6376 3.7).
        """
        unsigned = dkim.fold(_join(tags), namelen=len(_HEADER_NAME))
        hasher = hashlib.sha256()
        for name, value in dkim_canon.select(fields, include):
            hasher.update(name.lower().rstrip() + b":" + dkim_canon.relaxed_value(value) + b"\r\n")
        own = dkim_canon.relaxed_value(_B_TAG.sub(rb"\1", b" " + unsigned))
        hasher.update(_HEADER_NAME.lower() + b":" + own)
        signature = self._sign_digest(hasher.digest())
        tags = [*tags[:-1], (b"b", base64.b64encode(signature))]
        return _HEADER_NAME + b": " + dkim.fold(_join(tags) + b"\r\n", namelen=len(_HEADER_NAME))

    def _sign_digest(self, digest: bytes) -> bytes:
        """RSASSA-PKCS1-v1_5 over the prehashed SHA-256, or Ed25519 over the digest (RFC 8463).

        Every signature is checked against the public key before it is used (OpenSSL, about
        30 us for RSA): a damaged key or a faulty computation raises SignatureFault here,
        whether or not the slower dkimpy self-verify runs for this message (docs/dkim.md).
        """
        if isinstance(self.private_key, rsa.RSAPrivateKey):
            prehashed = utils.Prehashed(hashes.SHA256())
            signature = self.private_key.sign(digest, padding.PKCS1v15(), prehashed)
            check = functools.partial(
                self._public_key.verify, signature, digest, padding.PKCS1v15(), prehashed
            )
        else:
            signature = self.private_key.sign(digest)
            check = functools.partial(self._public_key.verify, signature, digest)
        try:
            check()
        except InvalidSignature as exc:
            raise SignatureFault("the DKIM signature does not verify with our own key") from exc
        return signature

    @functools.cached_property
    def _public_key(self):
        return self.private_key.public_key()


class SignatureFault(ValueError):
    """A signature we just made does not verify with our public key: never send it."""


def _join(tags: list[tuple[bytes, bytes]]) -> bytes:
    """Render tags exactly as dkimpy does ("t=v; t=v")."""
    return b"; ".join(b"=".join(tag) for tag in tags)


def _check_algorithm(algorithm: str) -> None:
    """Only the two algorithms RFC 8301/8463 allow for signing."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unsupported DKIM algorithm {algorithm!r}; use one of {ALGORITHMS}")


def _dns_txt(public_key: rsa.RSAPublicKey | ed25519.Ed25519PublicKey) -> str:
    """RFC 6376 key record: RSA as DER SubjectPublicKeyInfo, Ed25519 as the raw 32 bytes."""
    if isinstance(public_key, rsa.RSAPublicKey):
        kind = "rsa"
        data = public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    else:
        kind = "ed25519"
        data = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return f"v=DKIM1; k={kind}; p={base64.b64encode(data).decode('ascii')}"


def _keygen_hint(algorithm: str, selector: str = "S") -> str:
    """The command that fixes most key problems, spelled for this algorithm."""
    extra = "" if algorithm == RSA_SHA256 else f" --algorithm {algorithm}"
    return f"`gateway dkim keygen --selector {selector}{extra}`"


def _read_private_key(path: pathlib.Path, algorithm: str, selector: str = "S") -> PrivateKey:
    """Load and check a PEM key, turning every failure into an actionable SigningKeyError."""
    _check_algorithm(algorithm)
    hint = _keygen_hint(algorithm, selector)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningKeyError(
            f"DKIM private key {path} does not exist. Create it with {hint} and publish the "
            "TXT record it prints, or correct the configured key path."
        ) from None
    except OSError as exc:
        raise SigningKeyError(
            f"DKIM private key {path} cannot be read ({exc.strerror}). Make it a regular file "
            "owned by the gateway user with mode 0600."
        ) from exc
    key = _parse_pem(path, data, hint)
    _check_key(path, key, algorithm, hint)
    return key


def _parse_pem(path: pathlib.Path, data: bytes, hint: str) -> PrivateKey:
    """Decode the PEM; encrypted keys get their own message because the fix differs."""
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise SigningKeyError(
            f"DKIM private key {path} is encrypted with a passphrase; the gateway needs an "
            f"unencrypted key (protected by mode 0600). Decrypt it with `openssl pkey -in {path} "
            f"-out NEWFILE` or create a new one with {hint}."
        ) from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise SigningKeyError(
            f"DKIM private key {path} is not a usable PEM private key ({exc}). Replace it with "
            f"a key made by {hint} (PKCS#8 PEM, 'BEGIN PRIVATE KEY')."
        ) from None
    return key


def _check_key(path: pathlib.Path, key: object, algorithm: str, hint: str) -> None:
    """The key type must match the algorithm, and RSA keys must be big enough to be accepted."""
    if not isinstance(key, _KEY_TYPES[algorithm]):
        found = next((a for a, t in _KEY_TYPES.items() if isinstance(key, t)), None)
        kind = _KEY_KIND[found] if found else type(key).__name__.removesuffix("PrivateKey")
        other = f"set the algorithm to {found}, or " if found else ""
        raise SigningKeyError(
            f"DKIM private key {path} is an {kind} key but {algorithm} needs an "
            f"{_KEY_KIND[algorithm]} key. Either {other}create a matching key with {hint}."
        )
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size < MIN_RSA_BITS:
        raise SigningKeyError(
            f"DKIM private key {path} is a {key.key_size}-bit RSA key; receivers reject keys "
            f"under {MIN_RSA_BITS} bits (RFC 8301). Create a 2048-bit key with {hint}."
        )


def generate_key(
    path: pathlib.Path,
    *,
    algorithm: str = RSA_SHA256,
    bits: int = 2048,
    overwrite: bool = False,
) -> str:
    """Write a new unencrypted PKCS#8 PEM key (mode 0600) and return its DNS TXT value.

    Refuses to replace an existing key unless overwrite=True, because that key
    may be published in DNS and still needed to verify mail in flight.
    """
    path = pathlib.Path(path)
    _check_algorithm(algorithm)
    if path.exists() and not overwrite:
        raise _exists_error(path, algorithm)
    key = _new_key(algorithm, bits)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_private(path, pem, overwrite=overwrite, algorithm=algorithm)
    return _dns_txt(key.public_key())


def _new_key(algorithm: str, bits: int) -> PrivateKey:
    """A fresh key; RSA below MIN_RSA_BITS is refused (RFC 8301)."""
    if algorithm == ED25519_SHA256:
        return ed25519.Ed25519PrivateKey.generate()
    if bits < MIN_RSA_BITS:
        raise ValueError(f"RSA DKIM keys need at least {MIN_RSA_BITS} bits (2048 recommended)")
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _exists_error(path: pathlib.Path, algorithm: str) -> SigningKeyError:
    """Explain why we refuse and what to do instead (rotate with a new selector)."""
    return SigningKeyError(
        f"DKIM private key {path} already exists; refusing to overwrite a key that may be "
        "published in DNS. To rotate, create a key under a new selector "
        f"({_keygen_hint(algorithm, 'NEW')}); to really replace it, delete the file first "
        "or pass overwrite=True."
    )


def _write_private(path: pathlib.Path, pem: bytes, *, overwrite: bool, algorithm: str) -> None:
    """Write via a 0600 temp file then rename/link, so no reader ever sees a partial key.

    os.link fails if the target exists, which closes the race between the
    exists() check and the write when overwrite is False.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise _exists_error(path, algorithm) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def dns_txt_for_key_file(path: pathlib.Path | str, algorithm: str = RSA_SHA256) -> str:
    """The TXT record value for an existing key file, for printing the record again."""
    return _dns_txt(_read_private_key(pathlib.Path(path), algorithm).public_key())
