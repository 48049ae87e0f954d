"""HTML reduced to the text its author put in it, rendered or hidden.

The guideline (section 1) counts everything in an HTML document as content: visible text, text
hidden by CSS (display:none, zero font size, white on white, off-screen, opacity:0), comments,
CSS `content:` strings and the attribute values that carry text or link targets (`href`,
`title`, `alt`, `value`, `placeholder`, `data-*`, ...). So no CSS is applied: all text is kept.

Layout of the result, chosen so detectors see what a reader sees:

* Inline elements (`span`, `b`, `a`, `font`, unknown tags, ...) add nothing, so
  `ann<span>@</span>gmail.com` reads `ann@gmail.com`; block elements (`p`, `div`, `br`, `li`,
  `td`, `h1`, ...) end the line. Whitespace runs collapse to one space, except in `<pre>`.
* Character references are decoded (`&#64;` is `@`).
* Text that is not in the flow (attribute values, comments, CSS strings) is *deferred*: each
  value goes on a line of its own right after the line (block) it was found in. Written inline
  it would split the text around it (`ann<!-- -->@gmail.com` renders `ann@gmail.com`); written
  at the end it would lose its neighbourhood ("my WhatsApp: <a href=https://wa.me/...>here</a>").
  Spans found in these lines point into the same text as the rest of the part.
* `<img alt>` is written inline: a mail program with images blocked shows it in place.
* `<script>` is skipped (never shown); `<noscript>`, `<template>`, `<textarea>`, `<title>`,
  `<xmp>`, `<noembed>`, `<noframes>`, `<iframe>` fallback text are kept. Comments that hold markup
  (Outlook's `<!--[if mso]>...<![endif]-->`) are rendered as HTML themselves.
* Angle brackets around an address or URL (`<ann@gmail.com>`), which a browser takes for an
  unknown tag and hides, are kept as a deferred value.
* `%XX` escapes in link targets are decoded (`mailto:ann%40gmail.com`), as the mail program does
  when the link is clicked.

Why not `html.parser`: on this Python (3.11.7) its tokenizer is quadratic on some unfinished
markup (24 KB of `"<a "` takes 5 s), which any sender can put in a mail. This tokenizer follows
the HTML5 tokenizer's main states with linear-time scans and never raises.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import unquote

__all__ = ["html_to_text", "render"]

# Elements that start and end a line (block boxes, table cells, line breaks).
# fmt: off
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd",
    "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
    "form", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr",
    "html", "legend", "li", "main", "menu", "nav", "noscript", "ol", "option", "p", "pre",
    "section", "summary", "table", "tbody", "td", "template", "textarea", "tfoot", "th", "thead",
    "title", "tr", "ul",
})
# Attributes whose value is text or a link target the author put in front of the reader.
TEXT_ATTRS = frozenset({
    "title", "alt", "value", "placeholder", "label", "summary", "abbr", "content", "aria-label",
    "aria-description", "aria-placeholder", "aria-roledescription", "aria-valuetext",
})
# fmt: on
LINK_ATTRS = frozenset({"href", "action", "formaction", "cite", "xlink:href"})
# Raw text elements: their content is not markup. script is dropped, style mined for CSS text.
_RAW_TEXT = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes"})
_RCDATA = frozenset({"textarea", "title"})  # text with character references, no tags
_SPECIAL = _RAW_TEXT | _RCDATA | {"plaintext", "pre", "listing"}
_MAX_DEPTH = 3  # comments and srcdoc hold HTML that is rendered recursively, this deep at most

# One attribute as the HTML5 tokenizer reads it: a name (which may start with "="), then an
# optional value; quotes only count right after "=", and a quote left open runs to the end.
_NAME = r"[^\t\n\f\r />][^\t\n\f\r />=]*"
_EQUALS = r"[\t\n\f\r ]*=[\t\n\f\r ]*"
_VALUE = r"""(?:"[^"]*(?:"|\Z)|'[^']*(?:'|\Z)|[^\t\n\f\r >]*)"""
_ATTR = re.compile(rf"({_NAME})(?:{_EQUALS}({_VALUE}))?")
# A cheap test that a tag's attributes may hold something (most only hold class and style).
_WORTH_READING = (
    "href", "title", "alt", "value", "placeholder", "label", "summary", "abbr", "content",
    "aria-", "data-", "action", "cite", "srcdoc",
)  # fmt: skip
# The tokens of the data state. Every alternative is linear: a start tag always ends at ">" or
# at the end of the input (its attribute loop cannot fail), so nothing backtracks far.
_TOKEN = re.compile(
    r"(?P<text>[^<]+)"
    r"|<(?P<tag>[A-Za-z][^\t\n\f\r />]*)"
    rf"(?P<attrs>(?:[\t\n\f\r /]+|{_NAME}(?:{_EQUALS}{_VALUE})?)*)"
    r"(?:>|\Z)"
    r"|</(?P<end>[A-Za-z][^\t\n\f\r />]*)[^>]*(?:>|\Z)"
    r"|(?P<comment><!--)"
    r"|(?P<empty></>)"
    r"|(?P<bogus><!|</|<\?)"
    r"|(?P<lt><)"
)
# <meta> fields whose content is a setting (http-equiv other than refresh, viewport, ...).
_META_NOISE = re.compile(
    r"""http-equiv\s*=\s*(?!["']?refresh)|name\s*=\s*["']?(?:viewport|format-detection|"""
    r"""x-apple|color-scheme|supported-color-schemes|generator|robots|theme-color)""",
    re.IGNORECASE,
)
_BREAK = "\x00"  # a line break made by markup, in the renderer's output
_BREAKS = re.compile(r"\x00{2,}")
_CLOSERS: dict[str, re.Pattern[str]] = {}

# CSS: `content:` values (strings concatenate) and comments, with CSS escapes decoded.
_CSS_CONTENT = re.compile(
    r"""(?<![\w-])content\s*:((?:"(?:[^"\\\n]|\\.)*(?:"|$)|'(?:[^'\\\n]|\\.)*(?:'|$)|[^;}"'])*)""",
    re.IGNORECASE | re.DOTALL | re.MULTILINE,
)
_CSS_STRING = re.compile(r""""((?:[^"\\\n]|\\.)*)"?|'((?:[^'\\\n]|\\.)*)'?""", re.DOTALL)
_CSS_COMMENT = re.compile(r"/\*(.*?)(?:\*/|\Z)", re.DOTALL)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9A-Fa-f]{1,6})[ \t\n\r\f]?|(\n)|(.))", re.DOTALL)


def html_to_text(html: str) -> str:
    """All the text an HTML document carries, hidden or not, with entities decoded."""
    return render(html)


def render(html: str, limit: int | None = None) -> str:
    """Like `html_to_text`; stops reading once about `limit` characters were produced."""
    renderer = _Renderer(limit, depth=0)
    renderer.run(html)
    return renderer.result()


def _closer(tag: str) -> re.Pattern[str]:
    """The end tag that ends a raw text element, e.g. `</script` followed by space, / or >."""
    pattern = _CLOSERS.get(tag)
    if pattern is None:
        pattern = re.compile(rf"</{tag}(?=[\t\n\f\r />]|\Z)", re.IGNORECASE)
        _CLOSERS[tag] = pattern
    return pattern


def css_texts(css: str) -> list[str]:
    """The strings of CSS `content:` declarations (concatenated) and the comments of a style."""
    found = []
    if "content" in css or "CONTENT" in css or "Content" in css:
        for match in _CSS_CONTENT.finditer(css):
            pieces = [a or b for a, b in _CSS_STRING.findall(match[1])]
            text = _css_unescape("".join(pieces))
            if text.strip():
                found.append(text)
    if "/*" in css:
        found.extend(c.strip() for c in _CSS_COMMENT.findall(css) if c.strip())
    return found


def _css_unescape(text: str) -> str:
    """Decode CSS escapes: `\\40 ` is `@`, `\\"` is `"`, an escaped newline is nothing."""
    if "\\" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        if match[1]:
            code = int(match[1], 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        return "" if match[2] else match[3]

    return _CSS_ESCAPE.sub(one, text)


class _Renderer:
    """One pass over the markup, writing text lines and deferred attribute/comment lines."""

    def __init__(self, limit: int | None, depth: int) -> None:
        self.out: list[str] = []
        self.size = 0
        self.limit = limit
        self.depth = depth
        self.pending: list[str] = []  # deferred texts, written after the current line
        self.pre = 0  # depth of <pre>/<listing>, where whitespace is kept

    # ---------------------------------------------------------------- output
    # Text goes out as written; block breaks as NUL (the input's NULs were replaced). `result`
    # then turns each run of source whitespace into one space and each run of breaks into "\n".

    def text(self, data: str) -> None:
        """Append flow text (entities already decoded)."""
        if self.pre:
            data = data.replace("\n", _BREAK)
        self.out.append(data)
        self.size += len(data)

    def defer(self, value: str) -> None:
        """Keep a value (attribute, comment, CSS string) for the line after the current one."""
        value = value.strip()
        if value and value not in self.pending:
            self.pending.append(value.replace("\n", _BREAK))

    def newline(self) -> None:
        """End the current line, then write the deferred values, one a line."""
        self.out.append(_BREAK)
        if self.pending:
            for value in self.pending:
                self.out.append(value)
                self.out.append(_BREAK)
                self.size += len(value) + 1
            self.pending.clear()

    def result(self) -> str:
        """The rendered text, deferred values flushed, whitespace collapsed."""
        self.newline()
        text = " ".join("".join(self.out).split())  # any whitespace run (nbsp too) -> " "
        text = text.replace(" \x00", _BREAK).replace("\x00 ", _BREAK)
        return _BREAKS.sub(_BREAK, text).strip(_BREAK).replace(_BREAK, "\n")

    # ---------------------------------------------------------------- tokenizer

    def run(self, html: str) -> None:
        """Tokenize `html` (HTML5 data state and what it leads to), calling the handlers."""
        if _BREAK in html:
            html = html.replace(_BREAK, "\ufffd")  # as HTML5 does with NUL characters
        n = len(html)
        pos = 0
        token = _TOKEN.match
        limit = self.limit
        out = self.out
        while pos < n:
            m = token(html, pos)
            assert m is not None  # the last alternative matches any "<"
            pos = m.end()
            kind = m.lastgroup
            if kind == "text":
                raw = m[kind]
                if "&" in raw:
                    raw = unescape(raw)
                if self.pre:
                    raw = raw.replace("\n", _BREAK)
                out.append(raw)
                self.size += len(raw)
                if limit is not None and self.size > limit:
                    return
            elif kind == "attrs":  # a start tag (its last group)
                tag = m[2].lower()
                attrs = m[3]
                if (
                    tag in _SPECIAL
                    or "@" in tag
                    or "." in tag
                    or tag[-1] == ":"
                    or (attrs and any(map(attrs.lower().__contains__, _WORTH_READING)))
                ):
                    pos = self.start_tag(html, m)
                    if limit is not None and self.size > limit:
                        return
                elif tag in BLOCK_TAGS:
                    out.append(_BREAK)
                    if self.pending:
                        self.newline()
            elif kind == "end":
                tag = m[kind].lower()
                if tag in BLOCK_TAGS:
                    out.append(_BREAK)
                    if self.pending:
                        self.newline()
                if self.pre and tag in ("pre", "listing"):
                    self.pre -= 1
            elif kind == "comment":
                pos = self.comment(html, pos)
            elif kind == "bogus":
                pos = self.bogus_comment(html, pos)
            elif kind == "lt":  # a "<" that starts no markup is text
                out.append("<")
            # kind == "empty": "</>" is nothing

    def start_tag(self, html: str, m: re.Match[str]) -> int:
        """A start tag with its attributes; raw text and RCDATA elements read their content."""
        tag = m["tag"].lower()
        pos = m.end()
        if "@" in tag or "." in tag or tag.endswith(":"):
            # Not an element but an address or URL in angle brackets ("<ann@gmail.com>"): a
            # browser hides it as an unknown tag, yet the author wrote it.
            self.defer(unescape(m[0][1:].rstrip(">")))
            return pos
        raw_attrs = m["attrs"]
        if raw_attrs and any(map(raw_attrs.lower().__contains__, _WORTH_READING)):
            self.attributes(tag, raw_attrs)
        if tag in BLOCK_TAGS:
            self.newline()
        if tag in _SPECIAL:
            if tag in ("pre", "listing"):
                self.pre += 1
            else:
                return self.raw_text(html, tag, pos)
        return pos

    def raw_text(self, html: str, tag: str, pos: int) -> int:
        """Content of script/style/textarea/...: up to the matching end tag, not markup."""
        if tag == "plaintext":
            self.text(html[pos:])
            return len(html)
        closer = _closer(tag).search(html, pos)
        end = closer.start() if closer else len(html)
        content = html[pos:end]
        if tag == "style":
            for value in css_texts(content):
                self.defer(value)
        elif tag in _RCDATA:
            self.text(unescape(content) if "&" in content else content)
        elif tag != "script":
            self.text(content)
        if closer is None:
            return end
        self.end_tag(tag)
        close = html.find(">", closer.end())
        return len(html) if close < 0 else close + 1

    def comment(self, html: str, start: int) -> int:
        """`<!-- ... -->` (`start`: after "<!--"): deferred; markup inside is rendered."""
        if html.startswith(">", start):
            return start + 1
        if html.startswith("->", start):
            return start + 2
        end = html.find("-->", start)
        body = html[start:] if end < 0 else html[start:end]
        self.note(body)
        return len(html) if end < 0 else end + 3

    def bogus_comment(self, html: str, start: int) -> int:
        """`<!DOCTYPE ...>`, `<![CDATA[...]]>`, `<?...>`, `</3>`: up to the next `>`."""
        end = html.find(">", start)
        body = html[start:] if end < 0 else html[start:end]
        if not body[:7].lower().startswith("doctype"):
            self.note(body)
        return len(html) if end < 0 else end + 1

    def note(self, body: str) -> None:
        """Defer a comment's text, rendering the markup it holds."""
        if "<" in body and self.depth < _MAX_DEPTH:
            inner = _Renderer(
                None if self.limit is None else self.limit - self.size, self.depth + 1
            )
            inner.run(body)
            body = inner.result()
        elif "&" in body:
            body = unescape(body)
        self.defer(body)

    # ---------------------------------------------------------------- elements

    def attributes(self, tag: str, raw_attrs: str) -> None:
        """Attribute values: `img alt` inline, link targets and texts deferred, CSS mined."""
        if tag == "meta" and _META_NOISE.search(raw_attrs):
            return  # Content-Type, viewport and the like: the mail program's settings, not text
        for attr in _ATTR.finditer(raw_attrs):
            raw = attr[2]
            if not raw:
                continue
            if raw[0] in "'\"":
                raw = raw[1:-1] if len(raw) > 1 and raw[-1] == raw[0] else raw[1:]
                if not raw:
                    continue
            name = attr[1].lower()
            value = unescape(raw) if "&" in raw else raw
            if name in LINK_ATTRS:
                self.link(value)
            elif name == "alt" and tag == "img":
                self.text(value)
            elif name in TEXT_ATTRS or name.startswith("data-"):
                self.defer(value)
            elif name == "style":
                for css in css_texts(value):
                    self.defer(css)
            elif name == "srcdoc":
                self.note(value)

    def link(self, value: str) -> None:
        """A link target, with `%XX` escapes decoded; page anchors and data/cid URIs skipped."""
        value = value.strip()
        low = value[:5].lower()
        if not value or value.startswith("#") or low == "data:" or low[:4] == "cid:":
            return
        self.defer(unquote(value) if "%" in value else value)

    def end_tag(self, tag: str) -> None:
        """An end tag: blocks end the line."""
        if tag in BLOCK_TAGS:
            self.newline()
        if tag in ("pre", "listing") and self.pre:
            self.pre -= 1
