"""One probe2 message: its labels, the guideline rule behind them, and its MIME build.

Builds are deterministic (fixed dates, ids and boundaries) so tests/test_probe2.py can check
the files on disk are exactly what the case lists produce.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

SENDERS = [
    '"Kasia Nowak" <kasia.nowak.design@gmail.com>',
    '"Rahul Verma" <rahul.verma.dev@outlook.in>',
    '"Mehmet Yilmaz" <mehmet.yilmaz@hotmail.com>',
    '"Yuki Tanaka" <yuki.tanaka@yahoo.co.jp>',
    '"Budi Santoso" <budi.santoso@gmail.com>',
    '"Li Wei" <liwei.studio@163.com>',
    '"Omar Haddad" <omar.haddad@outlook.com>',
    '"Sarah Miller" <sarah@millercreative.com>',
    '"Diego Ramos" <diego.ramos@proton.me>',
]


@dataclasses.dataclass
class C:
    """A case. ``body`` is text/plain, ``html`` adds (or replaces) an HTML alternative.

    ``attachments`` are (filename, content type, content); ``inner`` is an attached
    message/rfc822 given as (from, subject, body).
    """

    contact: int
    payment: int
    lang: str
    note: str
    subject: str
    body: str | None = None
    html: str | None = None
    attachments: list[tuple[str, str, bytes | str]] = dataclasses.field(default_factory=list)
    inner: tuple[str, str, str] | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


def build(case: C, index: int) -> bytes:
    """The message bytes for ``case`` as file number ``index``."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = SENDERS[index % len(SENDERS)]
    msg["To"] = f"f-{71000 + index * 13}@relay.gigbridge.io"
    msg["Subject"] = case.subject
    msg["Date"] = format_datetime(datetime(2026, 4, 6, 8, 0, tzinfo=UTC) + timedelta(hours=index))
    msg["Message-ID"] = f"<probe2-{index:04d}@relay.gigbridge.io>"
    for name, value in case.headers.items():
        msg[name] = value
    if case.html is not None and case.body is not None:
        msg.set_content(case.body)
        msg.add_alternative(case.html, subtype="html")
    elif case.html is not None:
        msg.set_content(case.html, subtype="html")
    else:
        msg.set_content(case.body or "")
    for filename, ctype, content in case.attachments:
        maintype, subtype = ctype.split("/")
        if isinstance(content, str) and maintype == "text":
            msg.add_attachment(content, subtype=subtype, filename=filename)
        else:
            data = content.encode("utf-8") if isinstance(content, str) else content
            msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    if case.inner:
        inner = EmailMessage(policy=SMTP)
        inner["From"] = case.inner[0]
        inner["To"] = "someone@relay.gigbridge.io"
        inner["Subject"] = case.inner[1]
        inner.set_content(case.inner[2])
        msg.add_attachment(inner)
    for number, part in enumerate(msg.walk()):
        if part.is_multipart():
            part.set_boundary(f"probe2-{index:04d}-{number}")
    return bytes(msg)
