"""Tests for gateway.scanning.text: what the scanner reads from a message (guideline section 1)."""

from __future__ import annotations

import base64
import io
import quopri
import time
from email.message import EmailMessage
from email.policy import EmailPolicy

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import parse_xml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from gateway import mime
from gateway.scanning import attachments
from gateway.scanning.text import ScanText, extract, html_to_text

ADDRESS = "ann.lee@gmail.com"

# --------------------------------------------------------------------------- builders


def mail(
    body: bytes | str,
    *,
    ctype: str = "text/plain; charset=utf-8",
    cte: str | None = None,
    subject: str = "hello",
    extra: str = "",
) -> EmailMessage:
    """Parse a one-part message built the way a mail program sends it."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    head = f"From: bob@client.example\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
    head += f"Content-Type: {ctype}\r\n"
    if cte:
        head += f"Content-Transfer-Encoding: {cte}\r\n"
    return mime.parse((head + extra + "\r\n").encode("ascii") + data)


def part(
    body: bytes, ctype: str, *, cte: str = "7bit", name: str | None = None, inline: bool = False
) -> bytes:
    """One MIME part (headers and body) for `multipart`."""
    head = f"Content-Type: {ctype}\r\nContent-Transfer-Encoding: {cte}\r\n"
    if name is not None:
        disposition = "inline" if inline else "attachment"
        head += f'Content-Disposition: {disposition}; filename="{name}"\r\n'
    return head.encode("ascii") + b"\r\n" + body


def b64(data: bytes) -> bytes:
    """Base64 body lines, as mail programs write attachments."""
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def multipart(*parts: bytes, subject: str = "files", kind: str = "mixed") -> EmailMessage:
    """Parse a multipart message holding `parts` (the first is usually the body)."""
    head = (
        f"From: bob@client.example\r\nTo: ann@relay.gigbridge.io\r\nSubject: {subject}\r\n"
        f'MIME-Version: 1.0\r\nContent-Type: multipart/{kind}; boundary="BOUND"\r\n\r\n'
    ).encode("ascii")
    body = b"".join(b"--BOUND\r\n" + p + b"\r\n" for p in parts) + b"--BOUND--\r\n"
    return mime.parse(head + body)


def joined(texts: list[ScanText]) -> str:
    """All extracted text, one piece a line."""
    return "\n".join(t.text for t in texts)


def by_part(texts: list[ScanText]) -> dict[str, str]:
    """Extracted texts keyed by their part name."""
    return {t.part: t.text for t in texts}


def pdf_bytes(text: str, uri: str | None = None) -> bytes:
    """A minimal one-page PDF with `text` in a content stream (and a link annotation to `uri`)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    annots = " /Annots [6 0 R]" if uri else ""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            f"/Resources << /Font << /F1 5 0 R >> >>{annots} >>"
        ).encode("ascii"),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if uri:
        objects.append(
            b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 730] "
            b"/A << /S /URI /URI (" + uri.encode("ascii") + b") >> >>"
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def encrypted_pdf(user_password: str) -> bytes:
    """The minimal PDF encrypted with pypdf (owner password always set)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(f"Mail {ADDRESS}"))))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    """A Word document with text in a paragraph, a table, the header and a hyperlink target."""
    document = docx.Document()
    document.add_paragraph(f"Reach me at {ADDRESS}")
    document.add_table(rows=1, cols=1).cell(0, 0).text = "phone +49 30 1234567"
    document.sections[0].header.paragraphs[0].text = "header: t.me/annlee"
    rel_id = document.part.relate_to(
        "https://wa.me/4930123456", RELATIONSHIP_TYPE.HYPERLINK, is_external=True
    )
    paragraph = document.add_paragraph()
    paragraph._p.append(
        parse_xml(
            '<w:hyperlink xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
            f'r:id="{rel_id}"><w:r><w:t>chat with me</w:t></w:r></w:hyperlink>'
        )
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- Subject


def test_subject_is_first_and_rfc2047_decoded() -> None:
    """The top-level Subject comes first, its encoded-words decoded (here KOI8-R)."""
    texts = extract(mail("body", subject="=?koi8-r?q?=F0=C9=DB=C9?= ann at gmail"))
    assert texts[0] == ScanText("subject", "Пиши ann at gmail")


def test_undecodable_encoded_word_falls_back_to_raw_subject() -> None:
    """An encoded-word the decoder drops (bad base64) leaves its raw text to scan."""
    texts = extract(mail("body", subject="=?utf-8?b?!!!?= ann@gmail.com"))
    assert "ann@gmail.com" in texts[0].text


def test_raw_utf8_subject_is_read_as_utf8() -> None:
    """An 8-bit UTF-8 Subject (SMTPUTF8 mail) is decoded, not replaced by U+FFFD."""
    raw = "Subject: Привет, пиши на ann@gmail.com\r\n\r\nbody".encode()
    assert extract(mime.parse(raw))[0].text == "Привет, пиши на ann@gmail.com"


def test_latin1_bytes_in_subject_are_kept() -> None:
    """8-bit bytes that are not UTF-8 are read as Latin-1 next to the lossy decoding."""
    texts = extract(mime.parse(b"Subject: caf\xe9 ann@gmail.com\r\n\r\nbody"))
    assert "café ann@gmail.com" in texts[0].text


def test_subject_never_raises_when_the_header_parser_does() -> None:
    """A Subject the header parser crashes on is read raw instead of failing the scan."""

    class CrashingPolicy(EmailPolicy):
        def header_fetch_parse(self, name: str, value: str) -> str:
            raise ValueError("boom")

    message = mail("body", subject="=?utf-8?q?call_me?= ann@gmail.com")
    message.policy = CrashingPolicy()
    assert extract(message)[0].text == "=?utf-8?q?call_me?= ann@gmail.com"


def test_every_subject_field_is_content() -> None:
    """A second Subject field (some programs show the last one) is scanned too."""
    raw = b"Subject: hello\r\nSubject: ann@gmail.com\r\n\r\nbody"
    assert extract(mime.parse(raw))[0].text == "hello\nann@gmail.com"


def test_missing_subject_gives_empty_subject_text() -> None:
    """A message without Subject still yields the "subject" entry first, empty."""
    texts = extract(mime.parse(b"From: a@b.example\r\n\r\nbody"))
    assert texts[0] == ScanText("subject", "")
    assert texts[1] == ScanText("part.0", "body")


def test_other_headers_are_not_content() -> None:
    """From, To, Reply-To and the like are never extracted."""
    message = mail("body", extra="Reply-To: ann@gmail.com\r\nX-Phone: +49 30 1234567\r\n")
    assert "gmail" not in joined(extract(message))
    assert "bob@client.example" not in joined(extract(message))


# --------------------------------------------------------------------------- HTML


@pytest.mark.parametrize(
    "style",
    [
        "display:none",
        "font-size:0",
        "color:#ffffff;background:#ffffff",
        "position:absolute;left:-9999px",
        "opacity:0",
        "visibility:hidden;max-height:0;overflow:hidden",
    ],
)
def test_hidden_html_text_is_content(style: str) -> None:
    """Text hidden by CSS is extracted like visible text."""
    html = f'<p>Thanks!</p><div style="{style}">write to {ADDRESS}</div>'
    assert ADDRESS in html_to_text(html)


def test_html_comment_is_content() -> None:
    """Comment text is extracted, without splitting the text around it."""
    text = html_to_text(f"<p>Hi<!-- {ADDRESS} -->there</p>")
    assert text.splitlines() == ["Hithere", ADDRESS]


def test_conditional_comment_markup_is_rendered() -> None:
    """Outlook-only content in a conditional comment is rendered as HTML, not kept as tags."""
    text = html_to_text("<!--[if mso]><p>call <b>+49 30 1234567</b></p><![endif]-->")
    assert "call +49 30 1234567" in text.splitlines()


def test_css_content_strings_are_content() -> None:
    """CSS `content:` strings in <style> and style attributes, escapes decoded, are extracted."""
    html = (
        '<style>.m::after { content: "ann.lee\\40 gmail" ".com"; color: red }</style>'
        "<p class=m>mail me</p>"
        "<span style=\"content:'+49 30 \\31 234567'\">x</span>"
    )
    lines = html_to_text(html).splitlines()
    assert ADDRESS in lines
    assert "+49 30 1234567" in lines


def test_mailto_href_with_innocent_anchor_text() -> None:
    """The address of a mailto: link is content even when the anchor says "click here"."""
    text = html_to_text(f'<p>Questions? <a href="mailto:{ADDRESS}">click here</a>.</p>')
    assert text.splitlines() == ["Questions? click here.", f"mailto:{ADDRESS}"]


def test_percent_encoded_link_target_is_decoded() -> None:
    """`mailto:ann%40gmail.com` is read as the mail program opens it."""
    assert "mailto:ann@gmail.com" in html_to_text('<a href="mailto:ann%40gmail.com">me</a>')


def test_whatsapp_link_is_content() -> None:
    """A wa.me link target is extracted next to the line it sits in."""
    text = html_to_text('<p>ping me <a href="https://wa.me/4930123456">here</a></p><p>bye</p>')
    assert text.splitlines() == ["ping me here", "https://wa.me/4930123456", "bye"]


def test_address_split_by_inline_tags_is_joined() -> None:
    """Inline tags add no space, so an address split by them reads as one word."""
    html = "<p>ann.lee<span>@</span><b>gm</b><font color=red>ail</font><i>.</i>com</p>"
    assert html_to_text(html) == ADDRESS


def test_block_tags_separate_lines() -> None:
    """Block elements and <br> end a line; inline ones do not."""
    html = "<div>one</div><p>two<br>three</p><ul><li>four</li></ul><table><tr><td>5</td><td>6</td>"
    assert html_to_text(html).splitlines() == ["one", "two", "three", "four", "5", "6"]


def test_source_whitespace_collapses_to_one_space() -> None:
    """Line breaks and runs of spaces in the source are one space, as a browser shows them."""
    assert html_to_text("<p>call\n   me\tat   +49 30\r\n1234567</p>") == "call me at +49 30 1234567"


@pytest.mark.parametrize(
    "html",
    [
        "ann.lee&#64;gmail.com",
        "ann.lee&#x40;gmail&#46;com",
        "ann.lee&commat;gmail&period;com",
        "&#97;nn.lee@gmail.com",
    ],
)
def test_character_references_are_decoded(html: str) -> None:
    """Numeric and named character references are decoded before scanning."""
    assert html_to_text(f"<p>{html}</p>") == ADDRESS


def test_text_attributes_are_content() -> None:
    """title, alt, value, placeholder, aria-label and data-* values are extracted."""
    html = (
        '<p title="t1">x</p><input value="v2" placeholder="p3"><span aria-label="a4">y</span>'
        '<div data-contact="d5"></div><img src="logo.png" alt="a6">'
    )
    text = html_to_text(html)
    for value in ("t1", "v2", "p3", "a4", "d5", "a6"):
        assert value in text


def test_meta_settings_are_skipped_but_refresh_target_is_kept() -> None:
    """<meta> settings (Content-Type, viewport) are noise; a refresh URL and a description are not."""
    html = (
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        '<meta name="viewport" content="width=device-width">'
        '<meta http-equiv="refresh" content="0;url=https://wa.me/4930123">'
        '<meta name="description" content="Ann Lee, designer">hello'
    )
    assert html_to_text(html).splitlines() == [
        "hello",
        "0;url=https://wa.me/4930123",
        "Ann Lee, designer",
    ]


def test_img_alt_is_inline_text() -> None:
    """An image's alt text stands in its place, as shown with images blocked."""
    assert html_to_text('<p>ann.lee<img src="at.png" alt="@">gmail.com</p>') == ADDRESS


def test_script_is_skipped_but_fallback_containers_are_kept() -> None:
    """<script> is never shown; <noscript>, <template>, <textarea> and <title> are content."""
    html = (
        "<title>T1</title><script>var x = '<p>not shown</p>';</script>"
        "<noscript><b>N2</b></noscript><template><p>T3</p></template><textarea>A&amp;4</textarea>"
    )
    lines = html_to_text(html).splitlines()
    assert lines == ["T1", "N2", "T3", "A&4"]


def test_address_in_angle_brackets_is_kept() -> None:
    """`<ann@gmail.com>` in HTML source, which a browser hides as a tag, is still content."""
    assert ADDRESS in html_to_text(f"<p>On Tue, Ann <{ADDRESS}> wrote:</p>").splitlines()


def test_blockquote_reply_text_is_content() -> None:
    """Quoted reply text in a <blockquote> is content (it is sent again)."""
    text = html_to_text(f"<p>ok</p><blockquote>old mail: {ADDRESS}</blockquote>")
    assert text.splitlines() == ["ok", f"old mail: {ADDRESS}"]


def test_broken_markup_keeps_text() -> None:
    """Unclosed tags, stray "<" and a comment left open never lose the text after them."""
    assert html_to_text("a < b and <p>c<!-- d") == "a < b and\nc\nd"
    assert html_to_text('<a href="mailto:x@y.example') == "mailto:x@y.example"


@pytest.mark.parametrize("pattern", ["<a ", "<a x=", "</", "<!--", "<!", '<a href="', "<b></b>"])
def test_pathological_markup_is_linear(pattern: str) -> None:
    """Unfinished markup repeated 300 KB is read quickly (html.parser is quadratic on some)."""
    started = time.perf_counter()
    html_to_text(pattern * (300_000 // len(pattern)))
    assert time.perf_counter() - started < 2.0


def test_html_part_of_a_message_is_rendered() -> None:
    """A text/html part is turned into text, hidden parts and link targets included."""
    html = f'<div style="display:none">{ADDRESS}</div><a href="tel:+4930123">call</a>'
    texts = extract(mail(html, ctype="text/html; charset=utf-8"))
    assert by_part(texts)["part.0"] == f"{ADDRESS}\ncall\ntel:+4930123"


def test_both_alternatives_are_scanned() -> None:
    """multipart/alternative: the plain and the HTML version are both content."""
    message = multipart(
        part(b"plain version", "text/plain"),
        part(b"<p>html <b>version</b></p>", "text/html"),
        kind="alternative",
    )
    assert by_part(extract(message)) == {
        "subject": "files",
        "part.1": "plain version",
        "part.2": "html version",
    }


# --------------------------------------------------------------------------- attachments


def test_attached_message_subject_and_body_are_content() -> None:
    """A forwarded message/rfc822: its Subject and text leaves, not its other headers."""
    inner = (
        b"From: carol@elsewhere.example\r\nReply-To: carol@gmail.com\r\n"
        b"Subject: my number +49 30 1234567\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/alternative; boundary="IN"\r\n\r\n'
        b"--IN\r\nContent-Type: text/plain\r\n\r\nwrite to " + ADDRESS.encode() + b"\r\n"
        b"--IN\r\nContent-Type: text/html\r\n\r\n<p>see <b>you</b></p>\r\n--IN--\r\n"
    )
    message = multipart(part(b"see attached", "text/plain"), part(inner, "message/rfc822"))
    texts = extract(message)
    assert [t.part for t in texts] == ["subject", "part.1", "part.3.subject", "part.4", "part.5"]
    assert by_part(texts)["part.3.subject"] == "my number +49 30 1234567"
    assert by_part(texts)["part.4"] == f"write to {ADDRESS}"
    assert "carol" not in joined(texts)


def test_part_numbers_are_walk_indexes() -> None:
    """part.N names the part message.walk() yields at index N."""
    inner = b"Subject: in\r\n\r\ninner body"
    message = multipart(
        part(b"body", "text/plain"),
        part(b"\x89PNG", "image/png", name="a.png"),
        part(inner, "message/rfc822"),
        part(b"tail", "text/plain", name="t.txt"),
    )
    walked = list(message.walk())
    for text in extract(message)[1:]:
        index = int(text.part.split(".")[1])
        if not text.part.endswith(".subject"):
            assert mime.part_text(walked[index]) == text.text


def test_base64_encoded_attached_message_is_decoded() -> None:
    """A message/rfc822 sent base64-encoded (invalid, but sent) is decoded and parsed again."""
    inner = b"Subject: hidden subject\r\nContent-Type: text/plain\r\n\r\nmail " + ADDRESS.encode()
    message = multipart(
        part(b"fwd", "text/plain"), part(b64(inner), "message/rfc822", cte="base64")
    )
    found = by_part(extract(message))
    assert found["part.2.0.subject"] == "hidden subject"
    assert found["part.2.0"] == f"mail {ADDRESS}"


def test_eml_file_sent_as_octet_stream_is_parsed() -> None:
    """An .eml attachment sent as application/octet-stream is read as an attached message."""
    inner = b"Subject: eml subject\r\n\r\ncall +49 30 1234567"
    message = multipart(
        part(b"fwd", "text/plain"),
        part(b64(inner), "application/octet-stream", cte="base64", name="old.eml"),
    )
    found = by_part(extract(message))
    assert found["part.2.0.subject"] == "eml subject"
    assert found["part.2.0"] == "call +49 30 1234567"


def test_rfc822_headers_part_yields_only_its_subject() -> None:
    """text/rfc822-headers (bounces): the Subject is content, the addresses are not."""
    headers = b"From: carol@gmail.com\r\nSubject: about the logo\r\n"
    message = multipart(part(b"bounce", "text/plain"), part(headers, "text/rfc822-headers"))
    found = by_part(extract(message))
    assert found["part.2.subject"] == "about the logo"
    assert "carol" not in joined(extract(message))


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        ("notes.txt", f"mail {ADDRESS}".encode(), f"mail {ADDRESS}"),
        ("contacts.csv", f"name,email\nAnn,{ADDRESS}\n".encode(), f"Ann,{ADDRESS}"),
        ("ann.vcf", f"BEGIN:VCARD\nEMAIL:{ADDRESS}\nEND:VCARD\n".encode(), f"EMAIL:{ADDRESS}"),
        ("README.md", b"# Me\n\n+49 30 1234567\n", "+49 30 1234567"),
        ("invite.ics", b"BEGIN:VCALENDAR\nLOCATION:https://zoom.us/j/123\n", "zoom.us/j/123"),
        ("NOTES.TXT. ", b"call +49 30 1234567", "call +49 30 1234567"),
    ],
)
def test_octet_stream_attachment_with_text_name_is_read(
    name: str, body: bytes, expected: str
) -> None:
    """A file whose name says text is read even when sent as application/octet-stream."""
    message = multipart(
        part(b"see file", "text/plain"),
        part(b64(body), "application/octet-stream", cte="base64", name=name),
    )
    texts = extract(message)
    assert texts[-1].part == f"part.2.attachment:{name.strip()}"
    assert expected in texts[-1].text


def test_html_file_sent_as_octet_stream_is_rendered() -> None:
    """A .html attachment is rendered like a text/html part."""
    body = b"<p>ann.lee<span>@</span>gmail.com</p>"
    message = multipart(part(body, "application/octet-stream", name="page.htm"))
    assert extract(message)[-1].text == ADDRESS


@pytest.mark.parametrize("ctype", ["text/calendar", "text/vcard", "text/csv", "text/markdown"])
def test_every_text_subtype_is_content(ctype: str) -> None:
    """text/* leaves of any subtype are extracted, inline or attached."""
    message = multipart(part(b"body", "text/plain"), part(ADDRESS.encode(), ctype, name="x"))
    assert extract(message)[-1] == ScanText("part.2.attachment:x", ADDRESS)


def test_binary_image_attachment_is_not_content() -> None:
    """An image is binary: text-looking bytes inside it are not extracted."""
    png = b"\x89PNG\r\n\x1a\n" + f"tEXtComment\x00{ADDRESS}".encode() + bytes(range(256))
    message = multipart(
        part(b"logo attached", "text/plain"),
        part(b64(png), "image/png", cte="base64", name="logo.png"),
        part(b64(b"PK\x03\x04" + ADDRESS.encode()), "application/zip", cte="base64", name="a.zip"),
    )
    texts = extract(message)
    assert [t.part for t in texts] == ["subject", "part.1"]
    assert ADDRESS not in joined(texts)


def test_pdf_is_not_content_by_default() -> None:
    """The guideline lists PDF among binary attachments: not read unless documents=True."""
    message = multipart(
        part(b"invoice", "text/plain"),
        part(b64(pdf_bytes(f"Mail {ADDRESS}")), "application/pdf", cte="base64", name="i.pdf"),
    )
    assert ADDRESS not in joined(extract(message))
    assert ADDRESS in joined(extract(message, documents=True))


def test_pdf_text_and_link_targets() -> None:
    """A PDF's page text and its link annotations' URIs are extracted."""
    data = pdf_bytes(f"Write to {ADDRESS}", uri="https://wa.me/4930123456")
    message = multipart(
        part(b"see pdf", "text/plain"),
        part(b64(data), "application/octet-stream", cte="base64", name="brief.pdf"),
    )
    found = by_part(extract(message, documents=True))
    assert found["part.2.attachment:brief.pdf"] == f"Write to {ADDRESS}\nhttps://wa.me/4930123456"


def test_pdf_encrypted_with_empty_user_password_is_read() -> None:
    """An owner-password-only PDF opens for everyone, so its text is read."""
    assert ADDRESS in attachments.pdf_text(encrypted_pdf(""), 10_000)


def test_pdf_needing_a_password_yields_nothing() -> None:
    """A PDF locked with a user password yields no text and does not raise."""
    assert attachments.pdf_text(encrypted_pdf("s3cret"), 10_000) == ""


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n" + bytes(range(256)) * 20,
        pdf_bytes("truncated")[:120],
        pdf_bytes("x").replace(b"/Contents 4 0 R", b"/Contents 99 0 R"),
        b"not a pdf at all",
        b"",
    ],
)
def test_garbled_pdf_does_not_raise(data: bytes) -> None:
    """Malformed PDF bytes give (at most) partial text, never an exception."""
    assert isinstance(attachments.pdf_text(data, 10_000), str)
    message = multipart(part(b64(data), "application/pdf", cte="base64", name="x.pdf"))
    assert extract(message, documents=True)[0].part == "subject"


def test_pdf_page_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """At most MAX_PDF_PAGES pages are read."""
    writer = PdfWriter()
    for _ in range(3):
        writer.add_page(PdfReader(io.BytesIO(pdf_bytes(ADDRESS))).pages[0])
    buffer = io.BytesIO()
    writer.write(buffer)
    monkeypatch.setattr(attachments, "MAX_PDF_PAGES", 2)
    assert attachments.pdf_text(buffer.getvalue(), 10_000).count(ADDRESS) == 2


def test_docx_text_tables_header_and_links() -> None:
    """A .docx yields paragraphs, table cells, header text and hyperlink targets."""
    message = multipart(
        part(b"cv attached", "text/plain"),
        part(b64(docx_bytes()), "application/octet-stream", cte="base64", name="cv.docx"),
    )
    text = by_part(extract(message, documents=True))["part.2.attachment:cv.docx"]
    for expected in (f"Reach me at {ADDRESS}", "+49 30 1234567", "t.me/annlee", "wa.me/4930123456"):
        assert expected in text
    assert ADDRESS not in joined(extract(message))  # documents are off by default


@pytest.mark.parametrize("data", [b"PK\x03\x04garbage", b"", bytes(range(256))])
def test_garbled_docx_does_not_raise(data: bytes) -> None:
    """Malformed .docx bytes yield "" instead of an exception."""
    assert attachments.docx_text(data, 10_000) == ""


def test_docx_zip_bomb_is_not_inflated(monkeypatch: pytest.MonkeyPatch) -> None:
    """A .docx that would inflate past MAX_UNZIPPED_BYTES is not read."""
    monkeypatch.setattr(attachments, "MAX_UNZIPPED_BYTES", 1_000)
    assert attachments.docx_text(docx_bytes(), 10_000) == ""


# --------------------------------------------------------------------------- decoding


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("koi8-r", "Пишите в Телеграм: @ann_lee"),
        ("iso-8859-1", "Écrivez-moi à ann.lee@gmail.com, merci"),
        ("windows-1252", "“Call me” – +49 30 1234567 €"),
        ("shift_jis", "メールはann.lee@gmail.comまで"),
    ],
)
def test_body_charsets_are_decoded(charset: str, text: str) -> None:
    """Bodies in legacy charsets are decoded with their declared charset."""
    message = mail(text.encode(charset), ctype=f'text/plain; charset="{charset}"', cte="8bit")
    assert by_part(extract(message))["part.0"] == text


def test_broken_charset_label_falls_back() -> None:
    """An unknown charset label does not lose the text (UTF-8, then Latin-1)."""
    message = mail("café ann.lee@gmail.com".encode(), ctype="text/plain; charset=x-bogus-42")
    assert by_part(extract(message))["part.0"] == "café ann.lee@gmail.com"


def test_base64_body_is_decoded() -> None:
    """A base64 body is transfer-decoded before scanning."""
    message = mail(b64(f"write {ADDRESS}".encode()), cte="base64")
    assert by_part(extract(message))["part.0"] == f"write {ADDRESS}"


def test_quoted_printable_soft_breaks_are_joined() -> None:
    """Quoted-printable soft line breaks inside an address disappear when decoding."""
    body = b"write ann.lee=40gm=\r\nail.com =E2=80=94 thanks"
    message = mail(body, cte="quoted-printable")
    assert by_part(extract(message))["part.0"] == f"write {ADDRESS} — thanks"


def test_quoted_printable_html_is_decoded_then_rendered() -> None:
    """An HTML body is transfer-decoded, charset-decoded, then rendered."""
    html = f'<p style="display:none">{ADDRESS}</p>'.encode()
    message = mail(
        quopri.encodestring(html), ctype="text/html; charset=utf-8", cte="quoted-printable"
    )
    assert by_part(extract(message))["part.0"] == ADDRESS


# --------------------------------------------------------------------------- limits


def test_total_is_truncated_at_max_chars() -> None:
    """A 3 MB text is cut so the total is max_chars, and nothing after it is added."""
    big = ("x" * 99 + "\n") * 30_000
    message = multipart(
        part(big.encode(), "text/plain"), part(ADDRESS.encode(), "text/plain", name="late.txt")
    )
    texts = extract(message, max_chars=2_000_000)
    assert sum(len(t.text) for t in texts) == 2_000_000
    assert [t.part for t in texts] == ["subject", "part.1"]
    assert ADDRESS not in joined(texts)


def test_small_max_chars_cuts_html_and_subject() -> None:
    """The budget counts every text, the Subject included; HTML stops early."""
    html = "<p>" + "word " * 10_000 + "</p>"
    texts = extract(mail(html, ctype="text/html", subject="0123456789"), max_chars=25)
    assert texts[0].text == "0123456789"
    assert sum(len(t.text) for t in texts) == 25


# --------------------------------------------------------------------------- robustness


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(max_size=3000))
def test_arbitrary_body_bytes_never_raise(body: bytes) -> None:
    """Any bytes as the body of a message (HTML, multipart, rfc822 or plain) extract cleanly."""
    for ctype in ("text/html; charset=utf-8", "multipart/mixed; boundary=b", "message/rfc822"):
        texts = extract(mail(body, ctype=ctype, cte="quoted-printable"))
        assert texts[0].part == "subject"
    assert extract(mime.parse(body))[0].part == "subject"


@settings(max_examples=300, deadline=None)
@given(
    html=st.one_of(
        st.text(),
        st.lists(
            st.sampled_from([*"<>/!-=\"' &#;ab@x\n\x00", "<a ", "<p>", "-->", "<style>", "&#64"])
        ).map("".join),
    )
)
def test_arbitrary_markup_never_raises(html: str) -> None:
    """html_to_text accepts any string and returns text without markup-made NULs."""
    assert "\x00" not in html_to_text(html)
