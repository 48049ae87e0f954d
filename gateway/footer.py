"""Policy footers: rendered from templates admins can override, inserted without breaking MIME.

Insertion follows the three cases of Mailman's decorate handler (written afresh here):
edit the body text in place when there is one we may edit; else add a footer part to a
multipart/mixed; else wrap the whole message in a new multipart/mixed. Signed and encrypted
mail is always wrapped, because editing it would break the signature (RFC 1847 2.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    select_autoescape,
)

from gateway import mime

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TEXT_TEMPLATE = "footer.txt.j2"
HTML_TEMPLATE = "footer.html.j2"
# RFC 3676 4.3: "-- " alone on a line starts a signature block; readers can hide or dim it.
SIGNATURE_SEPARATOR = "-- "

_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)
_HTML_END = re.compile(r"</html\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Footer:
    """A rendered footer: plain text, and an already escaped HTML fragment."""

    text: str
    html: str


class FooterRenderer:
    """Renders footer.txt.j2 and footer.html.j2, the admins' templates first, then ours."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        """Build the Jinja2 environment once; templates are cached by it."""
        self._env = _environment(templates_dir)

    @property
    def env(self) -> Environment:
        """The template environment, shared with notices so one override folder serves both."""
        return self._env

    def render(self, **variables: Any) -> Footer:
        """Render both footers; a variable the templates use but we lack is an error."""
        text = self._env.get_template(TEXT_TEMPLATE).render(**variables)
        html = self._env.get_template(HTML_TEMPLATE).render(**variables)
        return Footer(text=_tidy_text(text), html=html.strip())


def _environment(templates_dir: Path | None) -> Environment:
    """Admins' folder first, then the built-ins, which stay reachable as "default:<name>"."""
    builtin = FileSystemLoader(BUILTIN_TEMPLATES)
    loaders: list[BaseLoader] = [FileSystemLoader(templates_dir)] if templates_dir else []
    loaders += [builtin, PrefixLoader({"default": builtin}, delimiter=":")]
    return Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,  # so included warnings end their own last line
    )


def _tidy_text(text: str) -> str:
    """Drop trailing blanks (they would mean "flowed" in format=flowed) and edge blank lines."""
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(lines).strip("\n") + "\n"


# --------------------------------------------------------------------------- insertion


def add_footer(msg: EmailMessage, footer: Footer) -> EmailMessage:
    """Return the message to send with the footer added; edits `msg` in place unless wrapping."""
    if mime.is_protected(msg):
        return _wrap(msg, footer.text)
    parts = mime.body_parts(msg)
    if parts:
        for part in parts:
            _decorate(part, footer)
        mime.guard_boundaries(msg, parts)
        return msg
    if msg.get_content_type() == "multipart/mixed" and msg.is_multipart():
        part = _footer_part(footer.text)
        msg.attach(part)
        mime.guard_boundaries(msg, [part])
        return msg
    return _wrap(msg, footer.text)


def _decorate(part: EmailMessage, footer: Footer) -> None:
    """Add the footer to one body leaf, in the form that suits its type."""
    body = mime.part_text(part)
    if part.get_content_type() == "text/html":
        mime.set_part_text(part, insert_html(body, _fit_html(part, footer.html)))
    else:
        mime.set_part_text(part, append_text(body, footer.text, flowed=_is_flowed(part)))


def append_text(body: str, footer_text: str, *, flowed: bool = False) -> str:
    """Return body + a blank line + "-- " + footer; flowed text gets no trailing spaces."""
    lines = footer_text.rstrip("\n").split("\n")
    if flowed:
        lines = [_space_stuff(line.rstrip(" ")) for line in lines]
    if body and not body.endswith("\n"):
        body += "\n"
    return body + "\n" + SIGNATURE_SEPARATOR + "\n" + "\n".join(lines) + "\n"


def _space_stuff(line: str) -> str:
    """RFC 3676 4.4: lines starting with space, ">" or "From " get one leading space."""
    return " " + line if line.startswith((" ", ">", "From ")) else line


def _is_flowed(part: EmailMessage) -> bool:
    """True for format=flowed text (RFC 3676), whose trailing spaces join lines."""
    value = part.get_param("format")
    return isinstance(value, str) and value.strip().lower() == "flowed"


def insert_html(html: str, fragment: str) -> str:
    """Insert before the last </body>, else the last </html>, else at the end."""
    for pattern in (_BODY_END, _HTML_END):
        matches = list(pattern.finditer(html))
        if matches:
            at = matches[-1].start()
            return html[:at] + fragment + "\n" + html[at:]
    return html + "\n" + fragment + "\n"


def _fit_html(part: EmailMessage, fragment: str) -> str:
    """Write characters the part's charset lacks as &#NNN; so its <meta charset> stays true."""
    charset = part.get_content_charset() or "us-ascii"
    try:
        return fragment.encode(charset, "xmlcharrefreplace").decode(charset)
    except (LookupError, UnicodeError, ValueError):
        return fragment  # unknown charset: set_part_text will switch the part to UTF-8


def _footer_part(text: str) -> EmailMessage:
    """Return a new inline text/plain UTF-8 part holding the footer."""
    part = EmailMessage()
    part["Content-Type"] = 'text/plain; charset="utf-8"'
    part["Content-Disposition"] = "inline"
    mime.set_part_text(part, text)
    return part


def _wrap(msg: EmailMessage, footer_text: str) -> EmailMessage:
    """Return a new multipart/mixed holding the untouched original entity and a footer part."""
    wrapper = EmailMessage(policy=msg.policy)
    for name, value in msg.raw_items():
        if not name.lower().startswith("content-"):
            wrapper.set_raw(name, value)  # raw: never re-folded, see mime.serialize
    if "MIME-Version" not in wrapper:
        wrapper["MIME-Version"] = "1.0"
    # No boundary: the generator picks one that occurs in none of the parts.
    wrapper["Content-Type"] = "multipart/mixed"
    wrapper.set_payload([_entity(msg), _footer_part(footer_text)])
    return wrapper


def _entity(msg: EmailMessage) -> EmailMessage:
    """Return msg's MIME entity alone: its Content-* headers and body exactly as received."""
    inner = EmailMessage(policy=msg.policy)
    for name, value in msg.raw_items():
        if name.lower().startswith("content-"):
            inner.set_raw(name, value)
    # The raw payload: get_payload() would decode an 8-bit body into text and change its bytes.
    inner.set_payload(msg._payload)
    inner.preamble, inner.epilogue = msg.preamble, msg.epilogue
    inner.set_default_type(msg.get_default_type())
    return inner
