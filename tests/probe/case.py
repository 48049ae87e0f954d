"""One probe message: its labels, why, and how to build it as an e-mail."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

SENDERS = [
    '"Marta Gonzalez" <marta.gonzalez.ux@gmail.com>',
    '"Dev Patel" <devpatel.codes@outlook.com>',
    '"Jonas Bauer" <j.bauer@posteo.de>',
    '"Ana Souza" <ana.souza.design@yahoo.com.br>',
    '"Ivan Petrov" <ipetrov@yandex.ru>',
    '"Claire Martin" <claire.martin@orange.fr>',
    '"Tom Hughes" <tom@hughes-studio.co.uk>',
    '"Priya Nair" <priya.nair91@gmail.com>',
]


@dataclasses.dataclass
class C:
    """A probe case. ``body`` is text/plain; ``html`` adds or replaces it with HTML."""

    contact: int
    payment: int
    lang: str
    note: str
    subject: str
    body: str | None = None
    html: str | None = None
    attachments: list[tuple[str, str, bytes | str]] = dataclasses.field(default_factory=list)
    charset: str = "utf-8"
    cte: str | None = None
    inner: tuple[str, str] | None = None  # attached message/rfc822: (subject, body)
    sender: str | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)  # extra header fields


def build(case: C, index: int) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = case.sender or SENDERS[index % len(SENDERS)]
    msg["To"] = f"c-{48000 + index * 7}@relay.gigbridge.io"
    msg["Subject"] = case.subject
    msg["Date"] = format_datetime(datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(hours=index))
    msg["Message-ID"] = f"<probe-{index:04d}@relay.gigbridge.io>"
    for field_name, value in case.headers.items():
        msg[field_name] = value
    kw = {"charset": case.charset}
    if case.cte:
        kw["cte"] = case.cte
    if case.html is not None and case.body is not None:
        msg.set_content(case.body, **kw)
        msg.add_alternative(case.html, subtype="html", **kw)
    elif case.html is not None:
        msg.set_content(case.html, subtype="html", **kw)
    else:
        msg.set_content(case.body or "", **kw)
    for filename, ctype, content in case.attachments:
        maintype, subtype = ctype.split("/")
        if isinstance(content, str) and maintype == "text":
            msg.add_attachment(content, subtype=subtype, filename=filename)
        else:
            data = content.encode("utf-8") if isinstance(content, str) else content
            msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    if case.inner:
        inner = EmailMessage(policy=SMTP)
        inner["From"] = '"Old Thread" <someone.else@gmail.com>'
        inner["Subject"] = case.inner[0]
        inner.set_content(case.inner[1])
        msg.add_attachment(inner)
    for number, part in enumerate(msg.walk()):
        if part.is_multipart():
            part.set_boundary(f"probe-{index:04d}-{number}")  # rebuilds give the same bytes
    return bytes(msg)
