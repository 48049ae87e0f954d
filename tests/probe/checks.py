"""Check-digit helpers so the probe's IBANs, cards and wallets are valid (built, not copied).

Written independently of gateway/scanning: the probe must not share code with what it judges.
"""

from __future__ import annotations

import hashlib

from schwifty import IBAN

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def iban(country: str, bank: str, account: str) -> str:
    """A valid IBAN in print format (groups of four)."""
    return IBAN.generate(country, bank_code=bank, account_code=account).formatted


def luhn_complete(prefix: str, length: int) -> str:
    """Pad ``prefix`` with a fixed digit pattern to ``length - 1`` and add the Luhn digit."""
    body = (prefix + "7318204956" * 3)[: length - 1]
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


def b58check(payload: bytes) -> str:
    """Base58Check encoding (Bitcoin P2PKH/P2SH, Tron)."""
    check = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    data = payload + check
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + out


def btc_legacy(seed: str) -> str:
    return b58check(b"\x00" + hashlib.sha256(seed.encode()).digest()[:20])


def tron(seed: str) -> str:
    return b58check(b"\x41" + hashlib.sha256(seed.encode()).digest()[:20])


def _polymod(values: list[int]) -> int:
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def btc_bech32(seed: str) -> str:
    """A P2WPKH (bc1q...) address with a valid bech32 checksum."""
    prog = hashlib.sha256(seed.encode()).digest()[:20]
    acc = bits = 0
    data = [0]
    for b in prog:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    hrp = "bc"
    exp = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = _polymod([*exp, *data, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32[d] for d in data + checksum)


def eth_lower(seed: str) -> str:
    """An all-lower-case Ethereum address (valid: no EIP-55 mixed case to check)."""
    return "0x" + hashlib.sha256(seed.encode()).hexdigest()[:40]
