"""Archived mail made safe to show: text with findings marked, HTML sanitised for a sandbox.

Why nh3: it is a binding to ammonia (Rust, html5ever parser), an allowlist sanitiser that is
fast and maintained; bleach, the usual choice, is deprecated. Sanitising is one of three layers:
the result goes into an `<iframe sandbox srcdoc>` (no scripts, opaque origin) under the page's
Content-Security-Policy (`default-src 'none'; img-src data:`), so even markup the sanitiser let
through could neither run nor fetch anything (a tracking pixel would reveal support's address).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage

import nh3
from markupsafe import Markup, escape

from gateway import mime
from gateway.scanning.text import extract

# Tags that carry text and layout; no forms, media, frames, scripts, styles or links out.
_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "center", "code", "dd", "del", "div", "dl",
    "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "ol", "p", "pre", "q", "s", "small", "span", "strike", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "*": {"title"},
}


def _only_inline_images(element: str, attribute: str, value: str) -> str | None:
    """Drop every image source except data: URIs (a remote image is a tracking pixel)."""
    if element == "img" and attribute == "src" and not value.lower().startswith("data:image/"):
        return None
    return value


def sanitize_html(html: str) -> str:
    """Allowlisted markup only: no script, style, event handler, javascript: or remote image."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "data"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_only_inline_images,
        strip_comments=True,
    )


@dataclass(frozen=True)
class Mark:
    """A finding to highlight: which text, where, and what it is."""

    part: str
    start: int
    end: int
    label: str


@dataclass
class RenderedPart:
    """One scannable text of a message, as escaped HTML with <mark> around findings."""

    part: str
    html: Markup
    marks: int = 0


@dataclass
class RenderedMessage:
    """What the thread page shows for one message (as received, or one delivered copy)."""

    texts: list[RenderedPart] = field(default_factory=list)
    html_parts: list[str] = field(default_factory=list)  # sanitised, for iframe srcdoc
    attachments: list[str] = field(default_factory=list)


def highlight(text: str, spans: list[Mark], part: str) -> RenderedPart:
    """Escape `text`, wrapping each valid, non-overlapping span in <mark title=label>."""
    pieces: list[str] = []
    pos = 0
    count = 0
    for mark in sorted(spans, key=lambda m: (m.start, -m.end)):
        if mark.start < pos or mark.end > len(text) or mark.start >= mark.end:
            continue  # overlapping or out of range (e.g. a text cut at the scan budget)
        pieces.append(str(escape(text[pos : mark.start])))
        pieces.append(
            f'<mark title="{escape(mark.label)}">{escape(text[mark.start : mark.end])}</mark>'
        )
        pos = mark.end
        count += 1
    pieces.append(str(escape(text[pos:])))
    return RenderedPart(part, Markup("".join(pieces)), count)  # noqa: S704 (escaped above)


def render_message(
    raw: bytes, marks: list[Mark], *, max_chars: int = 2_000_000, documents: bool = False
) -> RenderedMessage:
    """The scanner's view of the message (same extraction, so finding spans line up)."""
    message = mime.parse(raw)
    texts = extract(message, max_chars=max_chars, documents=documents)
    by_part: dict[str, list[Mark]] = {}
    for mark in marks:
        by_part.setdefault(mark.part, []).append(mark)
    rendered = RenderedMessage()
    for item in texts:
        rendered.texts.append(highlight(item.text, by_part.get(item.part, []), item.part))
    _collect(message, rendered)
    return rendered


def _collect(message: EmailMessage, rendered: RenderedMessage) -> None:
    """Sanitised HTML bodies and the names of attachments."""
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename or part.get_content_disposition() == "attachment":
            rendered.attachments.append(f"{filename or 'unnamed'} ({part.get_content_type()})")
            continue
        if part.get_content_type() == "text/html":
            try:
                text = mime.part_text(part)
            except Exception:  # unreadable HTML is shown as extracted text above, never raw
                text = ""
            if text:
                rendered.html_parts.append(sanitize_html(text))
