"""Which non-text/* attachments hold text, and reading PDF and .docx attachments safely.

A part sent as `application/octet-stream` (or any other non-text type) is read as text when its
file name says it is text (`notes.txt`, `contacts.vcf`, `invite.ics`, `page.html`, ...): the
guideline goes by the name, because that is what the recipient's mail program opens it as.

PDF and Word documents are read by `pdf_text` / `docx_text`. Every reader here is guarded: it
returns "" (or what it read so far) on malformed, encrypted or oversized input and never raises,
and it stops after `MAX_PDF_PAGES` pages or `limit` characters.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import re
import zipfile
from email.message import EmailMessage

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_PDF_PAGES",
    "docx_text",
    "file_name",
    "kind",
    "pdf_text",
]

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # larger PDF/.docx files are not read at all
MAX_PDF_PAGES = 50
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # a .docx whose members inflate beyond this is a bomb
MAX_ZIP_MEMBERS = 2_000

# File name extensions (lower case, with the dot) of attachments that are text.
# fmt: off
TEXT_EXTENSIONS = frozenset({
    ".txt", ".text", ".csv", ".tsv", ".vcf", ".vcard", ".md", ".markdown", ".ics", ".ical",
    ".ifb", ".log",
})
HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml", ".shtml"})
MESSAGE_EXTENSIONS = frozenset({".eml"})
# Non-text/* content types that are text formats under another name.
TEXT_TYPES = frozenset({
    "application/ics", "application/vcard", "application/x-vcard", "application/csv",
    "application/x-csv", "application/x-ical",
})
# fmt: on
PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
DOCX_TYPES = frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"})

_TRAILING_JUNK = re.compile(r"[\s.\"']+$")


def file_name(part: EmailMessage) -> str:
    """The part's file name (Content-Disposition filename, else Content-Type name), or ""."""
    try:
        name = part.get_filename()
    except Exception:  # a broken parameter must not stop the scan
        return ""
    return name if isinstance(name, str) else ""


def extension(name: str) -> str:
    """The lower-cased extension as a program opening the file sees it ("notes.TXT. " -> .txt)."""
    base = posixpath.basename(name.replace("\\", "/"))
    return posixpath.splitext(_TRAILING_JUNK.sub("", base).lower())[1]


def kind(content_type: str, name: str) -> str | None:
    """How to read a non-text/* leaf: "text", "html", "message", "pdf", "docx", or None (binary)."""
    ext = extension(name) if name else ""
    if ext in TEXT_EXTENSIONS or content_type in TEXT_TYPES:
        return "text"
    if ext in HTML_EXTENSIONS:
        return "html"
    if ext in MESSAGE_EXTENSIONS:
        return "message"
    if ext == ".pdf" or content_type in PDF_TYPES:
        return "pdf"
    if ext == ".docx" or content_type in DOCX_TYPES:
        return "docx"
    return None


# --------------------------------------------------------------------------- PDF


def pdf_text(data: bytes, limit: int) -> str:
    """The text and link targets of a PDF, at most MAX_PDF_PAGES pages; "" if unreadable."""
    if not data or len(data) > MAX_DOCUMENT_BYTES or limit <= 0:
        return ""
    chunks: list[str] = []
    size = 0
    with contextlib.suppress(Exception):  # malformed, truncated, hostile: keep what was read
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return ""  # needs a password: nothing the recipient can read without it either
        for number, page in enumerate(reader.pages):
            if number >= MAX_PDF_PAGES or size > limit:
                break
            for text in (_page_text(page), *_page_links(page)):
                if text:
                    chunks.append(text)
                    size += len(text) + 1
    return "\n".join(chunks)[:limit]


def _page_text(page: object) -> str:
    """One page's text, "" when pypdf cannot read it."""
    try:
        return page.extract_text() or ""  # type: ignore[attr-defined]
    except Exception:  # one bad content stream must not lose the other pages
        return ""


def _page_links(page: object) -> list[str]:
    """The URI targets of a page's link annotations (the PDF's `href`s)."""
    links: list[str] = []
    with contextlib.suppress(Exception):  # an odd annotation tree: no links from this page
        annots = page.get("/Annots")  # type: ignore[attr-defined]
        annots = annots.get_object() if annots is not None else []
        for ref in list(annots)[:500]:
            action = ref.get_object().get("/A")
            uri = action.get_object().get("/URI") if action is not None else None
            if uri:
                links.append(str(uri))
    return links


# --------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DOCX_TEXT_PARTS = (
    "document.main+xml",
    "template.main+xml",
    "document.macroEnabled.main+xml",
    "template.macroEnabledTemplate.main+xml",
    "header+xml",
    "footer+xml",
    "footnotes+xml",
    "endnotes+xml",
    "comments+xml",
)
_DOCX_TEXT_TAGS = frozenset({_W + "t", _W + "delText", _W + "instrText"})
_DOCX_BREAK_TAGS = frozenset({_W + "br", _W + "cr"})


def docx_text(data: bytes, limit: int) -> str:
    """The text (hidden runs, text boxes, headers, footers, notes, comments included) and link
    targets of a Word document; "" if unreadable."""
    if not data or len(data) > MAX_DOCUMENT_BYTES or limit <= 0 or not _zip_is_sane(data):
        return ""
    chunks: list[str] = []
    size = 0
    with contextlib.suppress(Exception):  # not a zip, not OOXML, broken XML: keep what was read
        from docx.opc.package import OpcPackage
        from docx.oxml.parser import parse_xml

        package = OpcPackage.open(io.BytesIO(data))
        for part in package.iter_parts():
            if size > limit:
                break
            if part.content_type.endswith(_DOCX_TEXT_PARTS):
                text = _wordml_text(parse_xml(part.blob))
                chunks.append(text)
                size += len(text) + 1
            for rel in part.rels.values():
                if rel.is_external and rel.target_ref:
                    chunks.append(rel.target_ref)
                    size += len(rel.target_ref) + 1
    return "\n".join(c for c in chunks if c)[:limit]


def _zip_is_sane(data: bytes) -> bool:
    """False for archives that are not zip files or would inflate too far (zip bombs)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception:  # BadZipFile, truncated central directory, ...
        return False
    total = sum(member.file_size for member in members)
    return len(members) <= MAX_ZIP_MEMBERS and total <= MAX_UNZIPPED_BYTES


def _wordml_text(root: object) -> str:
    """Text of a WordprocessingML tree: runs, tabs, breaks; one line per paragraph."""
    from lxml import etree

    out: list[str] = []
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag
        if event == "end":
            if tag == _W + "p":
                out.append("\n")
        elif tag in _DOCX_TEXT_TAGS:
            out.append(element.text or "")
        elif tag == _W + "tab":
            out.append("\t")
        elif tag in _DOCX_BREAK_TAGS:
            out.append("\n")
    return "".join(out).strip("\n")
