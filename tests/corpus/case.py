"""The record every corpus case is written as (see build_corpus.py for how it becomes a message)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Case:
    """One hand-written, hand-labelled message core.

    ``where`` says where the core goes: ``body``, ``ps`` (after the signature), ``sig`` (a
    signature line), ``subject``, ``quote`` (quoted reply text), ``attribution`` (the "On ...
    wrote:" line itself), ``hidden`` (``html`` is a hidden HTML fragment), ``html`` (``html`` is
    an inline HTML fragment, ``alt`` its text/plain rendering or None for HTML-only mail),
    ``attach`` (text attachments in ``attach``), ``fwd`` (body of an attached message/rfc822),
    ``fwd-subject`` (``subject`` of an attached message).
    """

    lang: str
    contact: int
    payment: int
    note: str
    text: str = ""
    where: str = "body"
    disguise: str = "plain"
    topic: str | None = None
    html: str | None = None
    alt: str | None = None
    attach: list[tuple[str, str, str]] = field(default_factory=list)
    subject: str | None = None
    phones: tuple[str, ...] = ()
    shape: str | None = None
    sender: tuple[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    bare: bool = False  # the core is the whole body: no greeting/context/sign-off added
    charset: str | None = None
    ps_text: str | None = None  # an extra P.S. besides the core (e.g. the second half of a number)
    sig_text: str | None = None  # an extra signature line besides the core
    decoy: str | None = None  # force a binary attachment: "png" or "pdf"
