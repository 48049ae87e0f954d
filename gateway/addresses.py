"""Relay and bounce addresses: how they are made and how an incoming address is recognised.

A relay local part is `<name-slug>.<16 base32 characters>`: the slug only helps people recognise
the address; the random part carries 80 bits from `secrets`, so addresses cannot be guessed or
enumerated. Local parts are compared lower-case (base32 is case-insensitive by design here).
"""

from __future__ import annotations

import base64
import re
import secrets
import unicodedata
from dataclasses import dataclass

RANDOM_BYTES = 10  # 80 bits, 16 base32 characters


def random_token(nbytes: int = RANDOM_BYTES) -> str:
    """Lower-case base32 without padding: safe in local parts and case-insensitive."""
    return base64.b32encode(secrets.token_bytes(nbytes)).decode().rstrip("=").lower()


def slug(name: str, limit: int = 20) -> str:
    """An ASCII, dot-free slug of a display name ("Ann Lee" -> "ann-lee"), possibly empty."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:limit].strip("-")


def new_relay_local(display_name: str) -> str:
    """A fresh relay local part for a participant."""
    prefix = slug(display_name)
    return f"{prefix}.{random_token()}" if prefix else random_token()


def split_address(address: str) -> tuple[str, str]:
    """("Local", "domain") with the domain lower-cased; the local part as given."""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    return local, domain.lower().rstrip(".")


@dataclass(frozen=True)
class RelayDomain:
    """Knows the gateway's own address forms on one relay domain."""

    domain: str
    bounce_local: str = "bounces"
    noreply_local: str = "noreply"

    def relay_address(self, local: str) -> str:
        return f"{local.lower()}@{self.domain}"

    def bounce_address(self, token: str) -> str:
        """The VERP envelope sender for one delivery."""
        return f"{self.bounce_local}+{token}@{self.domain}"

    @property
    def noreply_address(self) -> str:
        return f"{self.noreply_local}@{self.domain}"

    def local_part(self, address: str) -> str | None:
        """The lower-cased local part if `address` is on the relay domain, else None."""
        local, domain = split_address(address)
        return local.lower() if local and domain == self.domain else None

    def bounce_token(self, address: str) -> str | None:
        """The VERP token of a bounce address on this domain, else None."""
        local = self.local_part(address)
        prefix = self.bounce_local + "+"
        if local and local.startswith(prefix) and len(local) > len(prefix):
            return local[len(prefix) :]
        return None
