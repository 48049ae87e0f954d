"""STARTTLS on the SMTP intake: the server-side TLS context from [relay] tls_cert / tls_key.

One function, used both by `gateway config check`/`serve` (to report an unusable certificate
before binding) and by the server (to offer STARTTLS). Client certificates are not requested:
mail servers do not present them, and the sender is authenticated by SPF/DKIM/DMARC instead.
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gateway.config import Settings


class IntakeTlsError(Exception):
    """The configured certificate or key cannot be used; the text names both files."""


def server_context(settings: Settings) -> ssl.SSLContext | None:
    """A TLS 1.2+ server context with the configured chain, or None when STARTTLS is off."""
    relay = settings.relay
    if not relay.tls_cert:
        return None
    cert, key = settings.path(relay.tls_cert), settings.path(relay.tls_key)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except FileNotFoundError as exc:
        raise IntakeTlsError(f"[relay] tls_cert/tls_key: {exc.filename} does not exist") from None
    except (ssl.SSLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc.strerror or str(exc)
        raise IntakeTlsError(
            f"[relay] tls_cert/tls_key: cannot load {cert} with {key} ({reason}); "
            "both must be PEM files and the key must belong to the certificate"
        ) from None
    return context
