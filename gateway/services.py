"""The long-lived collaborators that stages and workers need, built once at startup.

Passing one `Services` value down (instead of module globals or a config singleton) is what lets
every test build a gateway of its own with its own database, templates and keys.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from gateway.addresses import RelayDomain
from gateway.auth.resolver import Resolver
from gateway.config import Settings
from gateway.footer import FooterRenderer
from gateway.scanning.scanner import ScanLimits, Scanner
from gateway.signing import DkimSigner
from storage.db import Database


def build_scanner(settings: Settings) -> Scanner:
    """The scanner as configured: own domains never match; work-product domains are allowed."""
    options = settings.scanner
    return Scanner(
        allowed_domains=settings.own_domains,
        work_domains=options.work_domains,
        phone_regions=options.phone_regions,
        limits=ScanLimits(max_chars=options.max_chars, max_seconds=options.max_seconds),
        documents=options.documents,
    )


@dataclass
class Services:
    """Settings plus the database, scanner, footer renderer, signer and the outbox doorbell."""

    settings: Settings
    db: Database
    scanner: Scanner
    footers: FooterRenderer
    signer: DkimSigner | None
    relay: RelayDomain
    outbox_wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    resolver: Resolver | None = None  # DNS for sender authentication; None: dnspython's

    @classmethod
    def build(cls, settings: Settings, db: Database, resolver: Resolver | None = None) -> Services:
        """Everything from settings; loads the DKIM key (raises SigningKeyError if unusable)."""
        signer = None
        if settings.dkim.enabled:
            signer = DkimSigner.load(
                domain=settings.relay.domain,
                selector=settings.dkim.selector,
                private_key_file=settings.path(settings.dkim.private_key_file),
                algorithm=settings.dkim.algorithm,
            )
        return cls(
            settings=settings,
            db=db,
            scanner=build_scanner(settings),
            footers=FooterRenderer(settings.templates_dir),
            signer=signer,
            relay=RelayDomain(
                settings.relay.domain,
                settings.relay.bounce_local_part,
                settings.relay.noreply_local_part,
            ),
            resolver=resolver,
        )
