"""Crypto wallet addresses: payment coordinates (guideline section 3, item 2).

Every address is verified, not just shaped:

* Bitcoin legacy (`1...`, `3...`), Litecoin (`L...`, `M...`), Dogecoin (`D...`) and TRON (`T...`)
  are Base58Check: the double-SHA-256 checksum and the version byte must match.
* SegWit addresses (`bc1...`, `ltc1...`) are bech32 (witness v0) or bech32m (v1+, Taproot), with
  the BIP-173/350 checksum; mixed case is invalid by definition.
* Ethereum / EVM (`0x` + 40 hex): all-lower or all-upper case has no checksum, so the format is
  enough (a 40-hex git SHA has no `0x`, a 64-hex transaction hash is too long); mixed case is
  EIP-55 and is verified with Keccak-256. `hashlib.sha3_256` is FIPS SHA-3, not Keccak, and no
  Keccak library is a dependency, so a small Keccak-f[1600] lives here; it only runs for
  mixed-case candidates. A mixed-case address whose EIP-55 checksum is wrong is still reported
  (someone typed an address) with a lower confidence.
* Solana has no checksum: a Base58 string decoding to exactly 32 bytes is only reported with
  "sol"/"solana"/"phantom" nearby.

Not payment (decided here, with tests): the documentation/textbook addresses (the Bitcoin wiki's
and BIP examples, the genesis address) when the text around says example/test/sample/format or
treats Bitcoin as a topic; and an EVM address in a smart-contract development context (contract,
deploy, ABI, testnet, ...) with no payment words near: that is the work product, not a wallet.

Matching runs on the folded view (so zero-width and fullwidth obfuscation is undone); the case
needed by Base58 and EIP-55 comes from the original text of the span.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from gateway.context import Finding
from gateway.scanning.document import ScanDoc, make_finding
from gateway.scanning.normalize import INVISIBLE
from gateway.scanning.payments import keyword_names, token_view
from gateway.scanning.spelled import tokens

NAME = "crypto/1"
log = logging.getLogger(__name__)

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {c: i for i, c in enumerate(_BECH32)}
_BECH32M_CONST = 0x2BC830A3

# Candidate shapes on the token view (" " + folded text, punctuation as spaces): one search
# that only starts at word starts, which the regex engine finds with a fast literal scan.
_CANDIDATE = re.compile(
    r" (?:0x[0-9a-f]{40}|1[1-9a-z]{25,34}|3[1-9a-z]{25,34}|t[1-9a-z]{33}"
    r"|bc1[02-9ac-hj-np-z]{8,87}|ltc1[02-9ac-hj-np-z]{8,87})(?![0-9a-z])"
)
_ALT = re.compile(r" [ldm][1-9a-z]{25,34}(?![0-9a-z])")
_SOLANA = re.compile(r" [1-9a-z]{32,44}(?![0-9a-z])")

_VERSIONS = {  # first character -> accepted Base58Check version bytes, coin
    "1": ({0x00}, "btc"),
    "3": ({0x05}, "btc"),
    "T": ({0x41}, "tron"),
    "L": ({0x30}, "ltc"),
    "M": ({0x32}, "ltc"),
    "D": ({0x1E}, "doge"),
}

# Publicly documented example addresses (Bitcoin wiki, BIP-173/350, EIP-55, the genesis block).
EXAMPLES = frozenset(
    {
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
        "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297",
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359",
        "0xdbf03b407c01e7cd3cbea99509d93f8dddc8c6fb",
        "0xd1220a0cf47c7b9be7a2e6ba89f429762e7b9adb",
        "0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae",  # the EF's address in the docs
        "0x0000000000000000000000000000000000000000",
        "0x000000000000000000000000000000000000dead",
    }
)
_EXAMPLE_CONTEXT = re.compile(
    r"\b(?:e\.?g\.?|example|examples|sample|test\w*|demo|dummy|placeholder|fake|mock|format"
    r"|regex|validat\w*|such as|genesis|satoshi|article|blog|history|wiki\w*|bip-?\d+|eip-?55"
    r"|ejemplo|exemplo|exemple|beispiel|пример\w*)\b"
)
_CONTRACT_CONTEXT = re.compile(
    r"\b(?:contracts?|deploy\w*|abi|testnet|sepolia|goerli|holesky|mainnet fork|hardhat"
    r"|foundry|truffle|solidity|erc-?721|nft|token address|router|factory|proxy|multicall"
    r"|etherscan|verify|verified|function|event|mint\w*|uniswap|pool)\b"
)
_PAY_CONTEXT = re.compile(
    r"\b(?:pay\w*|paid|send|sent|transfer\w*|deposit|wallet|usdt|usdc|tether|btc|eth|salary"
    r"|invoice|fee|pago|pag\w+|envi\w+|carteira|billetera|portefeuille|payer|zahl\w*"
    r"|überweis\w*|оплат\w*|переве\w*|кошел\w*|скин\w*)\b"
)
_SOLANA_CONTEXT = re.compile(r"\b(?:sol|solana|phantom|spl|usdc)\b")


# The shortest address form any pattern above accepts: "bc1" and 8 more, an unbroken run of
# [0-9a-z], which lies inside one word of spelled.tokens (split on blanks and punctuation only).
_SHORTEST = 11


def relevant(doc: ScanDoc) -> bool:
    """Whether an address can be found at all: some word is at least _SHORTEST long."""
    words = tokens(doc)
    return bool(words) and max(map(len, words)) >= _SHORTEST


def detect(doc: ScanDoc) -> Iterator[Finding]:
    """Every verified wallet address in `doc` (never raises)."""
    try:
        yield from _detect(doc)
    except Exception:  # the contract: a detector never breaks a scan
        log.exception("crypto detector failed on part %s", doc.part)


def _detect(doc: ScanDoc) -> Iterator[Finding]:
    view = token_view(doc)
    seen: set[int] = set()
    for match in _CANDIDATE.finditer(view):
        start, end = match.start(), match.end() - 1  # folded positions (the view has " " first)
        head = view[start + 1 : start + 3]
        if head == "0x":
            found = _evm(doc, start, end)
        elif head in {"bc", "lt"}:
            found = _segwit(doc, start, end)
        else:
            found = _base58check(doc, start, end)
        if found:
            seen.add(start)
            yield found
    names = keyword_names(doc)
    coins = "x:crypto" in names or "b:crypto:1" in names
    if coins:
        for match in _ALT.finditer(view):
            found = _base58check(doc, match.start(), match.end() - 1)
            if found and match.start() not in seen:
                seen.add(match.start())
                yield found
    if coins:
        for match in _SOLANA.finditer(view):
            if match.start() not in seen:
                found = _solana(doc, match.start(), match.end() - 1)
                if found:
                    yield found


def _original(doc: ScanDoc, start: int, end: int) -> tuple[str, int, int]:
    """The author's characters of a folded span: invisibles dropped, fullwidth made ASCII."""
    s, e = doc.folded.span(start, end)
    raw = doc.text[s:e]
    if not raw.isascii():
        raw = unicodedata.normalize("NFKC", "".join(c for c in raw if c not in INVISIBLE))
    return raw, s, e


def _window(doc: ScanDoc, start: int, end: int, size: int = 120) -> str:
    folded = doc.folded.text
    return folded[max(0, start - size) : end + size]


def _finding(doc: ScanDoc, s: int, e: int, confidence: float) -> Finding:
    return make_finding("payment", "crypto", doc.text[s:e], s, e, doc.part, confidence, NAME)


def _is_example(doc: ScanDoc, address: str, start: int, end: int) -> bool:
    key = address.lower() if address.lower().startswith(("0x", "bc1")) else address
    return key in EXAMPLES and bool(_EXAMPLE_CONTEXT.search(_window(doc, start, end)))


def _evm(doc: ScanDoc, start: int, end: int) -> Finding | None:
    raw, s, e = _original(doc, start, end)
    body = raw[2:]
    if len(body) != 40 or set(body.lower()) <= {"0"}:
        return None
    if _is_example(doc, raw, start, end):
        return None
    window = _window(doc, start, end)
    if _CONTRACT_CONTEXT.search(window) and not _PAY_CONTEXT.search(window):
        return None
    if body == body.lower() or body == body.upper():
        confidence = 0.95 if _PAY_CONTEXT.search(window) else 0.85
    else:
        confidence = 0.95 if eip55_valid(raw) else 0.6
    return _finding(doc, s, e, confidence)


def _base58check(doc: ScanDoc, start: int, end: int) -> Finding | None:
    raw, s, e = _original(doc, start, end)
    versions = _VERSIONS.get(raw[:1])
    if versions is None:
        return None
    payload = b58decode_check(raw)
    if payload is None or len(payload) != 21 or payload[0] not in versions[0]:
        return None
    if _is_example(doc, raw, start, end):
        return None
    return _finding(doc, s, e, 0.97)


def _segwit(doc: ScanDoc, start: int, end: int) -> Finding | None:
    raw, s, e = _original(doc, start, end)
    if raw != raw.lower() and raw != raw.upper():
        return None
    if not bech32_valid(raw.lower()):
        return _segwit_typed(doc, raw, start, s, e)
    if _is_example(doc, raw, start, end):
        return None
    return _finding(doc, s, e, 0.97)


# found by probe2: an address with a wrong checksum (mistyped, or made up) is still offered as
# payment coordinates when a coin word names it: "BTC bc1q...", "wallet: bc1q...".
_SEGWIT_V0 = re.compile(r"bc1q(?:[02-9ac-hj-np-z]{38}|[02-9ac-hj-np-z]{58})")
_COIN_BEFORE = re.compile(r"\b(?:btc|bitcoin|wallet|address|адрес|кошел\w*)\W{0,3}$")


def _segwit_typed(doc: ScanDoc, raw: str, start: int, s: int, e: int) -> Finding | None:
    if not _SEGWIT_V0.fullmatch(raw.lower()):
        return None
    if not _COIN_BEFORE.search(doc.folded.text, max(0, start - 16), start):
        return None
    if _EXAMPLE_CONTEXT.search(_window(doc, start, start + len(raw))):
        return None
    return _finding(doc, s, e, 0.6)


def _solana(doc: ScanDoc, start: int, end: int) -> Finding | None:
    if not _SOLANA_CONTEXT.search(_window(doc, start, end, 80)):
        return None
    raw, s, e = _original(doc, start, end)
    if raw.isdigit() or raw == raw.lower() or raw == raw.upper():
        return None  # real keys mix cases; words and numbers do not
    decoded = b58decode(raw)
    if decoded is None or len(decoded) != 32:
        return None
    return _finding(doc, s, e, 0.7)


# --- Base58Check -------------------------------------------------------------------------------


def b58decode(text: str) -> bytes | None:
    """Base58 (Bitcoin alphabet) to bytes, or None if a character is not in the alphabet."""
    number = 0
    for char in text:
        digit = _B58_INDEX.get(char)
        if digit is None:
            return None
        number = number * 58 + digit
    pad = len(text) - len(text.lstrip("1"))
    return b"\0" * pad + number.to_bytes((number.bit_length() + 7) // 8, "big")


@lru_cache(maxsize=4096)  # a pure function (~0.1 ms); texts repeat addresses
def b58decode_check(text: str) -> bytes | None:
    """The payload of a Base58Check string whose 4-byte double-SHA-256 checksum matches."""
    raw = b58decode(text)
    if raw is None or len(raw) < 5:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    digest = hashlib.sha256(hashlib.sha256(payload).digest()).digest()
    return payload if digest[:4] == checksum else None


def b58encode_check(payload: bytes) -> str:
    """Base58Check encoding (used by the tests to make fresh, non-example addresses)."""
    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number = int.from_bytes(raw, "big")
    out = []
    while number:
        number, digit = divmod(number, 58)
        out.append(_B58[digit])
    pad = len(raw) - len(raw.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


# --- bech32 / bech32m (BIP-173, BIP-350) -------------------------------------------------------


def _polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            if (top >> i) & 1:
                check ^= generator[i]
    return check


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


@lru_cache(maxsize=4096)  # a pure function (~0.1 ms); texts repeat addresses
def bech32_valid(address: str) -> bool:
    """A lower-case SegWit address with a valid bech32 (v0) or bech32m (v1+) checksum."""
    hrp, sep, data_part = address.rpartition("1")
    if not sep or hrp not in {"bc", "ltc"} or not 14 <= len(data_part) <= 87:
        return False
    data = [_BECH32_INDEX.get(c, -1) for c in data_part]
    if -1 in data:
        return False
    const = _polymod(_hrp_expand(hrp) + data)
    version = data[0]
    if version == 0:
        return const == 1 and len(address) in {len(hrp) + 40, len(hrp) + 60}
    return const == _BECH32M_CONST and version <= 16


def bech32_encode(hrp: str, data: list[int], *, m: bool = False) -> str:
    """Encode 5-bit `data` (tests only)."""
    const = _BECH32M_CONST if m else 1
    values = _hrp_expand(hrp) + data
    mod = _polymod([*values, 0, 0, 0, 0, 0, 0]) ^ const
    checksum = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32[d] for d in data + checksum)


# --- Keccak-256 and EIP-55 ----------------------------------------------------------------------

_ROTATIONS = (
    (0, 36, 3, 41, 18),
    (1, 44, 10, 45, 2),
    (62, 6, 43, 15, 61),
    (28, 55, 25, 21, 56),
    (27, 20, 39, 8, 14),
)
_MASK = (1 << 64) - 1


def _round_constants() -> list[int]:
    constants = []
    state = 1
    for _ in range(24):
        constant = 0
        for j in range(7):
            state = ((state << 1) ^ ((state >> 7) * 0x71)) % 256
            if state & 2:
                constant ^= 1 << ((1 << j) - 1)
        constants.append(constant)
    return constants


_RC = _round_constants()


# Lanes are one flat list, lane (x, y) at x + 5 * y. The rho and pi steps as (source,
# destination, rotation) triples, so a round is a few flat loops.
_RHO_PI = tuple(
    (x + 5 * y, y + 5 * ((2 * x + 3 * y) % 5), _ROTATIONS[x][y]) for x in range(5) for y in range(5)
)


def _keccak_f(lanes: list[int]) -> None:
    mask = _MASK
    b = [0] * 25
    for constant in _RC:
        c = [
            lanes[x] ^ lanes[x + 5] ^ lanes[x + 10] ^ lanes[x + 15] ^ lanes[x + 20]
            for x in range(5)
        ]
        for x in range(5):
            n = c[(x + 1) % 5]
            d = c[x - 1] ^ (((n << 1) | (n >> 63)) & mask)
            lanes[x] ^= d
            lanes[x + 5] ^= d
            lanes[x + 10] ^= d
            lanes[x + 15] ^= d
            lanes[x + 20] ^= d
        for src, dst, r in _RHO_PI:
            v = lanes[src]
            b[dst] = ((v << r) | (v >> (64 - r))) & mask if r else v
        for y in range(0, 25, 5):
            b0, b1, b2, b3, b4 = b[y : y + 5]
            lanes[y] = b0 ^ (~b1 & b2)
            lanes[y + 1] = b1 ^ (~b2 & b3)
            lanes[y + 2] = b2 ^ (~b3 & b4)
            lanes[y + 3] = b3 ^ (~b4 & b0)
            lanes[y + 4] = b4 ^ (~b0 & b1)
        lanes[0] ^= constant


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as Ethereum uses it (original padding 0x01, not SHA-3's 0x06)."""
    rate = 136
    padded = bytearray(data) + b"\x01" + b"\0" * ((-len(data) - 1) % rate)
    padded[-1] |= 0x80
    lanes = [0] * 25
    for offset in range(0, len(padded), rate):
        block = padded[offset : offset + rate]
        for i in range(rate // 8):
            lanes[i] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _keccak_f(lanes)
    out = b"".join(lane.to_bytes(8, "little") for lane in lanes)
    return out[:32]


@lru_cache(maxsize=4096)
def eip55_valid(address: str) -> bool:
    """Whether a mixed-case `0x` address carries a correct EIP-55 checksum (cached: the
    pure-Python Keccak costs about a millisecond, and one address is often pasted twice)."""
    body = address[2:]
    digest = keccak256(body.lower().encode("ascii")).hex()[:40]
    for char, nibble in zip(body, digest, strict=True):
        if char.isalpha() and (char.isupper() != (int(nibble, 16) >= 8)):
            return False
    return True
