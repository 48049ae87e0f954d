"""The scannable texts of a message: its Subject and every text/* leaf, HTML turned into text.

HTML is reduced with the standard library's tokenizer rather than a renderer because the
guideline counts what the author wrote, rendered or hidden: text in hidden elements, comments
and link targets (`href="mailto:..."`) are all content.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from html.parser import HTMLParser

from gateway import mime


@dataclass(frozen=True)
class ScanText:
    """One piece of content to scan, named by where it came from."""

    part: str
    text: str


class _HtmlText(HTMLParser):
    """Collects text, comments and link targets of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in {"href", "title", "alt", "src"}:
                self.chunks.append(f" {value} ")
        if tag in {"br", "p", "div", "tr", "li", "h1", "h2", "h3", "blockquote"}:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)

    def handle_comment(self, data: str) -> None:
        self.chunks.append(f" {data} ")


def html_to_text(html: str) -> str:
    """All the text an HTML document carries, hidden or not, with entities decoded."""
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # malformed markup: keep what was read
        pass
    return "".join(parser.chunks)


def extract(message: EmailMessage) -> list[ScanText]:
    """The Subject plus every text/* leaf (attachments and nested messages included)."""
    texts = [ScanText("subject", str(message.get("subject", "") or ""))]
    for index, part in enumerate(message.walk()):
        if part.get_content_maintype() != "text" or part.is_multipart():
            continue
        text = mime.part_text(part)
        if part.get_content_subtype() == "html":
            text = html_to_text(text)
        texts.append(ScanText(f"part.{index}", text))
    return texts
