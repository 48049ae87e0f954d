"""Benchmark DKIM signing: dkimpy's pure-Python sign() against gateway.signing.DkimSigner.

Run:  .venv/bin/python bench/bench_signing.py [--n 500] [--threads 2]

Signs the same ~5 KB message N times per row and prints signatures/s and the
ratio to dkimpy's RSA.  The "+ self-verify" row is what the gateway really does
per message (sign, then dkimpy verify before hand-off); the threaded row shows
that OpenSSL releases the GIL while it signs.
"""

import argparse
import base64
import os
import pathlib
import platform
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version

import dkim
from cryptography.hazmat.primitives import serialization
from rich.console import Console
from rich.table import Table

from gateway.signing import DkimSigner, generate_key, header_names_to_sign

DOMAIN, SELECTOR = "relay.example.com", "bench"


def make_message(size: int = 5 * 1024) -> bytes:
    """A realistic ~5 KB relayed message: a dozen headers and a plain-text body."""
    head = (
        b"From: Alice via Relay <alice.r7@relay.example.com>\r\n"
        b"To: bob@example.org\r\nCc: carol@example.org\r\n"
        b"Subject: Re: Your quote for the logo project\r\n"
        b"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
        b"Message-ID: <abc123@relay.example.com>\r\nIn-Reply-To: <prev@example.org>\r\n"
        b"References: <first@example.org> <prev@example.org>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    )
    line = b"The quick brown fox jumps over the lazy dog, again and again.\r\n"
    return head + line * ((size - len(head)) // len(line) + 1)


def rate(func, message: bytes, n: int) -> float:
    """Calls per second of func(message) over n calls (after one warm-up call)."""
    func(message)
    start = time.perf_counter()
    for _ in range(n):
        func(message)
    return n / (time.perf_counter() - start)


def threaded_rate(func, message: bytes, n: int, threads: int) -> float:
    """Calls per second of func(message) with n calls spread over `threads` threads."""
    with ThreadPoolExecutor(max_workers=threads) as pool:
        start = time.perf_counter()
        list(pool.map(func, [message] * n))
        return n / (time.perf_counter() - start)


def dkimpy_signer(signer: DkimSigner, message: bytes):
    """dkimpy's own sign() with the same key, headers and canonicalisation as DkimSigner."""
    if signer.algorithm == "rsa-sha256":
        key = signer.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    else:
        key = base64.b64encode(signer.private_key.private_bytes_raw())
    include = header_names_to_sign(message)

    def sign(msg: bytes) -> bytes:
        return dkim.sign(
            msg,
            SELECTOR.encode(),
            DOMAIN.encode(),
            key,
            canonicalize=(b"relaxed", b"relaxed"),
            signature_algorithm=signer.algorithm.encode(),
            include_headers=include,
        )

    return sign


def load_signers(folder: pathlib.Path) -> dict[str, DkimSigner]:
    """A fresh RSA-2048 and Ed25519 signer."""
    signers = {}
    for algorithm in ("rsa-sha256", "ed25519-sha256"):
        path = folder / f"{algorithm}.pem"
        generate_key(path, algorithm=algorithm)
        signers[algorithm] = DkimSigner.load(
            domain=DOMAIN, selector=SELECTOR, private_key_file=path, algorithm=algorithm
        )
    return signers


def measure(signers: dict[str, DkimSigner], message: bytes, n: int, threads: int):
    """(label, signatures/s) rows, dkimpy RSA first because it is the baseline."""
    rows = []
    for algorithm, signer in signers.items():
        backend = "pure Python" if algorithm == "rsa-sha256" else "PyNaCl"
        rows += [
            (f"dkimpy dkim.sign, {algorithm} ({backend})", dkimpy_signer(signer, message)),
            (f"DkimSigner.sign, {algorithm}", signer.sign),
            (f"DkimSigner.sign + self-verify, {algorithm}", _sign_and_verify(signer)),
        ]
    rates = [(label, rate(func, message, n)) for label, func in rows]
    rsa = signers["rsa-sha256"]
    label = f"DkimSigner.sign, rsa-sha256, {threads} threads"
    rates.insert(3, (label, threaded_rate(rsa.sign, message, n, threads)))
    return rates


def _sign_and_verify(signer: DkimSigner):
    """What the gateway does per message: sign, then self-check before hand-off."""

    def run(message: bytes) -> bytes:
        signed = signer.sign(message)
        if not signer.verify(signed):
            raise RuntimeError("self-verify failed")
        return signed

    return run


def main() -> None:
    """Parse arguments, run the rows and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="signatures per row (default 500)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    message = make_message()
    with tempfile.TemporaryDirectory() as folder:
        rows = measure(load_signers(pathlib.Path(folder)), message, args.n, args.threads)
    baseline = rows[0][1]
    table = Table(title=f"DKIM signing, {len(message)} byte message, N={args.n}")
    table.add_column("signer")
    table.add_column("signatures/s", justify="right")
    table.add_column("x dkimpy RSA", justify="right")
    for label, per_second in rows:
        table.add_row(label, f"{per_second:,.0f}", f"{per_second / baseline:.1f}")
    console = Console()
    console.print(table)
    console.print(
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"dkimpy {version('dkimpy')}, cryptography {version('cryptography')}"
    )


if __name__ == "__main__":
    main()
