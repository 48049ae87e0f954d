"""Redaction that leaves nothing of a finding in what the recipient gets, HTML source included.

The scanner reads HTML the way a reader sees it, so `ann<b>@</b>gmail.com`, `ann&#64;gmail.com`
or a number split over two `<span>`s are findings whose text never occurs verbatim in the
source. Replacing verbatim occurrences is therefore not enough. Here the HTML is cut into
markup (tags, comments, declarations) and text nodes; the text nodes are joined, with character
references decoded, into one string that keeps, for every character, where in the source it came
from. A finding matched in that string (case-insensitive, any whitespace between its
characters) is mapped back: its source range in the first text node it touches becomes the
marker, its ranges in the following nodes are removed; the tags in between stay, so the layout
holds. Attribute values and comments are searched on their own (decoded the same way).

Then the result is checked by rendering it with the scanner's own HTML reader: if any finding
can still be read (pathological markup), the HTML body is replaced by the rendered, redacted
text. Nothing of a finding can survive either way.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from email.message import EmailMessage

from gateway import mime
from gateway.scanning.html_text import render

_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)"  # comment
    r"|<script\b.*?(?:</script\s*>|\Z)"  # script: never shown, kept as markup
    r"|<style\b.*?(?:</style\s*>|\Z)"  # style
    r"|<[!?/]?[A-Za-z][^>]*(?:>|\Z)",  # tags, declarations, processing instructions
    re.S | re.I,
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};?)")
_SPACE = re.compile(r"\s+")


def pattern_for(texts: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for the texts, allowing any whitespace between characters."""
    parts = []
    for text in sorted({_SPACE.sub("", t) for t in texts if t.strip()}, key=len, reverse=True):
        parts.append(r"\s*".join(re.escape(c) for c in text))
    return re.compile("|".join(parts), re.I) if parts else None


def redact_text(text: str, texts: Sequence[str], marker: str) -> str:
    """Plain text with every finding (whitespace-tolerant) replaced by the marker."""
    pattern = pattern_for(texts)
    return pattern.sub(marker, text) if pattern else text


def _decoded(source: str, start: int, end: int) -> tuple[str, list[tuple[int, int]]]:
    """source[start:end] with character references decoded, and each character's source range."""
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    position = start
    for match in _ENTITY.finditer(source, start, end):
        for offset in range(position, match.start()):
            chars.append(source[offset])
            spans.append((offset, offset + 1))
        decoded = html.unescape(match[0])
        for char in decoded:
            chars.append(char)
            spans.append((match.start(), match.end()))
        position = match.end()
    for offset in range(position, end):
        chars.append(source[offset])
        spans.append((offset, offset + 1))
    return "".join(chars), spans


def _edits_in(
    text: str,
    spans: list[tuple[int, int]],
    nodes: list[int],
    pattern: re.Pattern[str],
    marker: str,
) -> list[tuple[int, int, str]]:
    """(source start, source end, replacement) for every match in a decoded text."""
    edits = []
    for match in pattern.finditer(text):
        if match.end() == match.start():
            continue
        by_node: dict[int, tuple[int, int]] = {}
        for index in range(match.start(), match.end()):
            node = nodes[index]
            s, e = spans[index]
            low, high = by_node.get(node, (s, e))
            by_node[node] = (min(low, s), max(high, e))
        for order, (_, (s, e)) in enumerate(sorted(by_node.items())):
            edits.append((s, e, html.escape(marker) if order == 0 else ""))
    return edits


def redact_html(source: str, texts: Sequence[str], marker: str) -> str:
    """HTML with every finding removed from text nodes, attributes and comments (see module)."""
    pattern = pattern_for(texts)
    if pattern is None:
        return source
    text_chars: list[str] = []
    text_spans: list[tuple[int, int]] = []
    text_nodes: list[int] = []
    edits: list[tuple[int, int, str]] = []
    position, node = 0, 0
    for markup in _MARKUP.finditer(source):
        if markup.start() > position:
            chars, spans = _decoded(source, position, markup.start())
            text_chars.append(chars)
            text_spans.extend(spans)
            text_nodes.extend([node] * len(chars))
            node += 1
        chars, spans = _decoded(source, markup.start(), markup.end())
        edits.extend(_edits_in(chars, spans, [0] * len(chars), pattern, marker))
        position = markup.end()
    if position < len(source):
        chars, spans = _decoded(source, position, len(source))
        text_chars.append(chars)
        text_spans.extend(spans)
        text_nodes.extend([node] * len(chars))
    edits.extend(_edits_in("".join(text_chars), text_spans, text_nodes, pattern, marker))
    result = _apply(source, edits)
    if pattern.search(render(result)):
        return _fallback(source, pattern, marker)
    return result


def _apply(source: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply non-overlapping edits (an edit inside an earlier one is dropped)."""
    out, position = [], 0
    for start, end, replacement in sorted(edits):
        if start < position:
            continue
        out.append(source[position:start])
        out.append(replacement)
        position = end
    out.append(source[position:])
    return "".join(out)


def _fallback(source: str, pattern: re.Pattern[str], marker: str) -> str:
    """The rendered text, redacted, as minimal HTML: used only when markup defeats mapping."""
    text = pattern.sub(marker, render(source))
    return f'<div style="white-space:pre-wrap">{html.escape(text)}</div>'


def redact_message(message: EmailMessage, texts: Sequence[str], marker: str) -> None:
    """Redact every text/* leaf a recipient can open (signed/encrypted parts are never edited)."""
    from gateway.rewrite import _editable

    if not any(t.strip() for t in texts):
        return
    changed = []
    for kind, part in _editable(message):
        if kind != "text":
            continue
        old = mime.part_text(part)
        if part.get_content_subtype() == "html":
            new = redact_html(old, texts, marker)
        else:
            new = redact_text(old, texts, marker)
        if new != old:
            mime.set_part_text(part, new)
            changed.append(part)
    if changed:
        mime.guard_boundaries(message, changed)
