"""Tests for gateway.footer: template rendering and the three ways a footer goes into mail."""

from __future__ import annotations

import base64
import copy
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import jinja2
import pytest

from gateway import mime
from gateway.footer import BUILTIN_TEMPLATES, Footer, FooterRenderer, add_footer

DATA = Path(__file__).parent / "data" / "mime"
FOOTER = Footer(
    text="Sent through Acme Work.\nA copy is kept as the support record.\n",
    html='<div style="border-top:1px solid #ccc">Sent through Acme Work – café.</div>',
)


def load(name: str) -> bytes:
    """Return the bytes of a fixture under tests/data/mime/."""
    return (DATA / name).read_bytes()


def variables(**changes: Any) -> dict[str, Any]:
    """The variables the gateway passes to the footer templates, with some replaced."""
    values: dict[str, Any] = {
        "platform": {"name": "Acme Work", "support_url": "https://help.acme.example/"},
        "thread": {"id": "T-42", "subject": "Logo"},
        "sender": {"name": "Ann", "role": "client", "relay_address": "ann.x7@relay.acme.example"},
        "recipient": {
            "name": "Bob",
            "role": "freelancer",
            "relay_address": "bob@relay.acme.example",
        },
        "decision": {"action": "deliver", "reasons": []},
        "findings": [],
        "warnings": [],
    }
    values.update(changes)
    return values


def send(raw: bytes, footer: Footer = FOOTER) -> tuple[bytes, EmailMessage]:
    """Add the footer, serialize, and parse the bytes again as the recipient would."""
    data = mime.serialize(add_footer(mime.parse(raw), footer))
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    return data, mime.parse(data)


def text_mail(
    body: bytes, *, ctype: str = "text/plain", params: str = "", cte: str = "7bit"
) -> bytes:
    """Build a one-part message with the given type, parameters and transfer encoding."""
    head = f"From: a@client.example\r\nSubject: t\r\nMIME-Version: 1.0\r\nContent-Type: {ctype}"
    head += f"{params}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
    return head.encode("ascii") + body


def section(raw: bytes, start: bytes, end: bytes) -> bytes:
    """Return raw[start ... end] inclusive, failing loudly if either marker is missing."""
    i = raw.index(start)
    return raw[i : raw.index(end, i) + len(end)]


# --------------------------------------------------------------------------- rendering


def test_footer_says_the_platform_keeps_a_copy() -> None:
    """Every footer tells the reader the platform keeps the conversation as its support record."""
    footer = FooterRenderer().render(**variables())
    assert "A copy of this conversation is kept by Acme Work" in footer.text
    assert "support record" in footer.html
    assert "Warning" not in footer.text + footer.html


@pytest.mark.parametrize(
    ("category", "phrase"),
    [
        ("contact", "appears to share contact details"),
        ("payment", "Payments outside Acme Work are not protected"),
    ],
)
def test_warning_variant_is_included_per_category(category: str, phrase: str) -> None:
    """A category in `warnings` adds that category's warning to both footers."""
    footer = FooterRenderer().render(**variables(warnings=[category]))
    assert phrase in footer.text
    assert phrase in footer.html


def test_both_warnings_appear_once_each() -> None:
    """Two categories give two warnings; a repeated category is shown once."""
    footer = FooterRenderer().render(**variables(warnings=["contact", "payment", "contact"]))
    assert footer.text.count("Warning:") == 2
    assert footer.html.count("Warning:") == 2


def test_unknown_category_uses_the_generic_warning() -> None:
    """A category without its own template still shows a warning instead of failing."""
    footer = FooterRenderer().render(**variables(warnings=["../../etc/passwd"]))
    assert "flagged for review by Acme Work" in footer.text


def test_redacted_mail_says_so() -> None:
    """The redact action adds a sentence saying parts were removed, without the removed text."""
    findings = [{"category": "contact", "kind": "phone", "text": "+44 20 7946 0958"}]
    footer = FooterRenderer().render(
        **variables(decision={"action": "redact", "reasons": ["phone"]}, findings=findings)
    )
    assert "were removed" in footer.text
    assert "7946" not in footer.text + footer.html


def test_html_is_escaped_and_text_is_not() -> None:
    """Names reach the HTML footer escaped and the text footer as written."""
    sender = {"name": "Ann <b>&", "role": "client", "relay_address": "ann@relay.acme.example"}
    footer = FooterRenderer().render(**variables(sender=sender))
    assert "Ann &lt;b&gt;&amp;" in footer.html
    assert "Ann <b>&" in footer.text
    assert footer.html.startswith("<div")
    assert footer.html.endswith("</div>")


def test_missing_variable_is_an_error() -> None:
    """StrictUndefined turns a variable the gateway forgot into an error, not an empty string."""
    values = variables()
    del values["platform"]
    with pytest.raises(jinja2.UndefinedError):
        FooterRenderer().render(**values)


def test_text_footer_has_no_trailing_spaces_or_edge_blank_lines() -> None:
    """Rendered text is tidy: safe for format=flowed and ends in exactly one newline."""
    text = FooterRenderer().render(**variables(warnings=["contact"])).text
    assert all(line == line.rstrip() for line in text.split("\n"))
    assert text.endswith("\n")
    assert not text.endswith("\n\n")
    assert not text.startswith("\n")


def test_templates_document_every_variable() -> None:
    """Both footer templates list every variable the gateway passes, in their header comment."""
    for name in ("footer.txt.j2", "footer.html.j2"):
        comment = (BUILTIN_TEMPLATES / name).read_text().split("-#}")[0]
        for variable in variables():
            assert variable in comment, (name, variable)


def test_admin_templates_override_the_built_ins(tmp_path: Path) -> None:
    """A footer in the admins' folder wins; templates they do not override still come from ours."""
    (tmp_path / "footer.txt.j2").write_text("Custom footer for {{ platform.name }}\n")
    footer = FooterRenderer(tmp_path).render(**variables())
    assert footer.text == "Custom footer for Acme Work\n"
    assert "support record" in footer.html


def test_admin_warning_snippet_overrides_only_that_snippet(tmp_path: Path) -> None:
    """Overriding footers/warning_payment.txt.j2 changes the warning but not the main footer."""
    (tmp_path / "footers").mkdir()
    (tmp_path / "footers" / "warning_payment.txt.j2").write_text("Pay on-site only.\n")
    text = FooterRenderer(tmp_path).render(**variables(warnings=["payment"])).text
    assert "Pay on-site only." in text
    assert "A copy of this conversation is kept" in text


def test_admin_template_can_extend_the_default(tmp_path: Path) -> None:
    """The built-ins stay reachable as "default:<name>", so admins can wrap rather than copy."""
    (tmp_path / "footer.txt.j2").write_text(
        'Hello from the admins.\n{% include "default:footer.txt.j2" %}'
    )
    text = FooterRenderer(tmp_path).render(**variables()).text
    assert text.startswith("Hello from the admins.\nSent by Ann")


def test_environment_is_shared_with_other_templates(tmp_path: Path) -> None:
    """`env` resolves any template (e.g. notices) through the same admins-first folders."""
    (tmp_path / "notices").mkdir()
    (tmp_path / "notices" / "probe.txt.j2").write_text("<{{ who }}>")
    env = FooterRenderer(tmp_path).env
    assert env.get_template("notices/probe.txt.j2").render(who="x&y") == "<x&y>"
    assert env.get_template("footer.html.j2").render(**variables()).startswith("<div")


# --------------------------------------------------------------------------- plain text bodies

TEXT_CASES = [
    ("us-ascii", "7bit", b"Hello Bob\r\n"),
    ("utf-8", "8bit", "Grüße, 日本\r\n".encode()),
    ("iso-8859-1", "quoted-printable", b"Gr=FC=DFe, d=E9j=E0 vu\r\n"),
    ("koi8-r", "8bit", "Привет\r\n".encode("koi8-r")),
    ("shift_jis", "base64", base64.encodebytes("こんにちは\r\n".encode("shift_jis"))),
    ("utf-8", "base64", base64.encodebytes("Ünïcödé\r\n".encode())),
]


@pytest.mark.parametrize(("charset", "cte", "body"), TEXT_CASES)
def test_plain_text_gets_footer_in_its_own_charset_and_encoding(
    charset: str, cte: str, body: bytes
) -> None:
    """The footer follows the body after "-- "; charset and transfer encoding are kept."""
    original = mime.part_text(mime.parse(text_mail(body, params=f"; charset={charset}", cte=cte)))
    _, msg = send(text_mail(body, params=f"; charset={charset}", cte=cte))
    assert mime.part_text(msg) == original + "\n-- \n" + FOOTER.text
    assert msg.get_content_charset() == charset
    assert msg["Content-Transfer-Encoding"] == cte


def test_format_flowed_footer_has_no_soft_breaks() -> None:
    """In format=flowed text no footer line ends with a space except the "-- " separator."""
    footer = Footer(text="Line with trailing space \nFrom the platform\n", html="")
    body = b"A flowed paragraph that goes \r\non here.\r\n"
    data, msg = send(text_mail(body, params="; charset=utf-8; format=flowed; delsp=yes"), footer)
    lines = mime.part_text(msg).split("\n")
    tail = lines[lines.index("-- ") + 1 :]
    assert tail[:2] == ["Line with trailing space", " From the platform"]  # RFC 3676 4.4 stuffing
    assert (msg.get_param("format"), msg.get_param("delsp")) == ("flowed", "yes")
    assert b"format=flowed; delsp=yes" in data


def test_body_without_final_newline_gets_one_before_the_separator() -> None:
    """The separator always starts its own line."""
    _, msg = send(text_mail(b"no newline at end"))
    assert mime.part_text(msg).startswith("no newline at end\n\n-- \n")


def test_footer_that_old_charset_cannot_hold_moves_part_to_utf8() -> None:
    """A Latin-1 body with a footer holding "€" is re-encoded as UTF-8, both texts intact."""
    footer = Footer(text="Fees: 5 € — 手数料\n", html="")
    _, msg = send(
        text_mail(b"Gr=FC=DFe\r\n", params="; charset=iso-8859-1", cte="quoted-printable"), footer
    )
    assert msg.get_content_charset() == "utf-8"
    assert mime.part_text(msg) == "Grüße\n\n-- \nFees: 5 € — 手数料\n"


def test_broken_charset_gets_footer_without_error() -> None:
    """An unknown charset label does not stop the footer; the part is relabelled UTF-8."""
    _, msg = send(text_mail("Grüße\r\n".encode(), params="; charset=x-broken", cte="8bit"))
    assert msg.get_content_charset() == "utf-8"
    assert mime.part_text(msg).startswith("Grüße\n\n-- \nSent through Acme Work.")


# --------------------------------------------------------------------------- html bodies


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<html><BODY><p>x</p></Body ></HTML>", "<html><BODY><p>x</p>{F}\n</Body ></HTML>"),
        ("<p>a</p></body><p>b</p></body>", "<p>a</p></body><p>b</p>{F}\n</body>"),
        ("<html><p>x</p></html>", "<html><p>x</p>{F}\n</html>"),
        ("<p>fragment</p>", "<p>fragment</p>\n{F}\n"),
    ],
    ids=["body", "last-body", "html-only", "fragment"],
)
def test_html_footer_goes_before_the_last_body_or_html_tag(html: str, expected: str) -> None:
    """HTML gets the fragment before the last </body>, else </html>, else at the end."""
    _, msg = send(text_mail(html.encode(), ctype="text/html", params="; charset=utf-8"))
    assert mime.part_text(msg) == expected.replace("{F}", FOOTER.html)


def test_html_footer_in_a_narrow_charset_uses_character_references() -> None:
    """Characters a Latin-1 HTML part cannot hold become &#NNN; and the charset stays."""
    raw = text_mail(
        b"<body>caf\xe9</body>", ctype="text/html", params="; charset=iso-8859-1", cte="8bit"
    )
    _, msg = send(raw)
    assert msg.get_content_charset() == "iso-8859-1"
    assert "Acme Work &#8211; café.</div>" in mime.part_text(msg)


# --------------------------------------------------------------------------- multipart


def alternative() -> bytes:
    """A typical text + html message."""
    return (
        b'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="alt"\r\n\r\n'
        b"--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHi Bob\r\n"
        b"--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><body>Hi Bob</body></html>\r\n"
        b"--alt--\r\n"
    )


def test_alternative_gets_footer_in_both_versions() -> None:
    """Both the plain and the HTML alternative carry their own footer."""
    _, msg = send(alternative())
    plain, html = msg.get_payload()
    assert mime.part_text(plain) == "Hi Bob\n\n-- \n" + FOOTER.text
    assert mime.part_text(html) == f"<html><body>Hi Bob{FOOTER.html}\n</body></html>"


def test_mixed_with_binary_attachment_keeps_it_byte_identical() -> None:
    """Only the body text changes; the attachment's bytes and headers are exactly as sent."""
    raw = load("nested.eml")
    before = mime.parse(raw).get_payload()[1]
    data, msg = send(raw)
    after = msg.get_payload()[1]
    assert after.get_payload(decode=True) == before.get_payload(decode=True)
    assert list(after.raw_items()) == list(before.raw_items())
    assert section(data, b"--mix-1\r\nContent-Type: application", b"--mix-1--") == section(
        raw, b"--mix-1\r\nContent-Type: application", b"--mix-1--"
    )


def test_nested_related_keeps_inline_image_and_its_content_id() -> None:
    """In mixed > alternative > related, the cid: image, its Content-ID and `start` survive."""
    raw = load("nested.eml")
    data, msg = send(raw)
    related = msg.get_payload()[0].get_payload()[1]
    image, html = related.get_payload()
    assert image["Content-ID"] == "<logo@client.example>"
    sent_image = mime.parse(raw).get_payload()[0].get_payload()[1].get_payload()[0]
    assert image.get_payload(decode=True) == sent_image.get_payload(decode=True)
    assert related.get_param("start") == "<body@client.example>"
    assert 'src="cid:logo@client.example"' in mime.part_text(html)
    assert FOOTER.html.replace("–", "&#8211;") + "\n</BODY>" in mime.part_text(html)
    assert section(data, b"--rel-1\r\nContent-Type: image/png", b"--rel-1\r\n") == section(
        raw, b"--rel-1\r\nContent-Type: image/png", b"--rel-1\r\n"
    )


def test_nested_plain_part_keeps_latin1() -> None:
    """The ISO-8859-1 plain alternative keeps its charset and reads correctly."""
    _, msg = send(load("nested.eml"))
    plain = msg.get_payload()[0].get_payload()[0]
    assert plain.get_content_charset() == "iso-8859-1"
    assert mime.part_text(plain).startswith("Hi Bob, here is the logo. Grüße, Ann\n\n-- \n")


def test_attachment_only_mail_gets_a_new_inline_footer_part() -> None:
    """A multipart/mixed without body text gets the footer as an extra inline text part."""
    raw = load("attachment_only.eml")
    _, msg = send(raw)
    attachment, footer_part = msg.get_payload()
    sent = mime.parse(raw).get_payload()[0]
    assert attachment.get_payload(decode=True) == sent.get_payload(decode=True)
    assert footer_part.get_content_type() == "text/plain"
    assert footer_part.get_content_disposition() == "inline"
    assert mime.part_text(footer_part) == FOOTER.text


@pytest.mark.parametrize("name", ["image_only.eml", "smime.eml"])
def test_single_non_text_part_is_wrapped(name: str) -> None:
    """An image-only or S/MIME message becomes mixed(original entity, footer); bytes unchanged."""
    raw = load(name)
    original = mime.parse(raw)
    _, msg = send(raw)
    inner, footer_part = msg.get_payload()
    assert msg.get_content_type() == "multipart/mixed"
    assert inner.get_payload(decode=True) == original.get_payload(decode=True)
    content_headers = [(k, v) for k, v in original.raw_items() if k.lower().startswith("content-")]
    assert list(inner.raw_items()) == content_headers
    assert mime.part_text(footer_part) == FOOTER.text
    assert msg["Message-ID"] == original["Message-ID"]


def test_signed_mail_is_wrapped_with_the_signed_entity_byte_identical() -> None:
    """multipart/signed is never edited: its headers and body reappear byte for byte."""
    raw = load("signed.eml")
    data, msg = send(raw)
    entity = section(raw, b"Content-Type: multipart/signed", b"--sig-bound-1--")
    signed_part = section(raw, b"--sig-bound-1\r\n", b"\r\n--sig-bound-1\r\n")
    assert entity in data
    assert signed_part in data
    assert msg.get_content_type() == "multipart/mixed"
    inner, footer_part = msg.get_payload()
    assert inner.get_content_type() == "multipart/signed"
    assert mime.part_text(footer_part) == FOOTER.text
    assert footer_part.get_content_charset() == "utf-8"


def test_wrapper_copies_top_level_headers_raw_and_once() -> None:
    """The wrapper has the original's non-Content-* headers as received and one MIME-Version."""
    raw = load("signed.eml")
    data, msg = send(raw)
    head = data.split(b"\r\n\r\n", 1)[0]
    original_head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.startswith(original_head.split(b"Content-Type:")[0])
    assert msg.get_all("MIME-Version") == ["1.0"]
    assert not re.search(rb"(?m)^Bcc:", data)
    assert "Bcc" not in msg


def test_wrapping_leaves_the_callers_message_unchanged() -> None:
    """Wrapping builds a new message; the one passed in still serializes to the same bytes."""
    original = mime.parse(load("signed.eml"))
    snapshot = copy.deepcopy(original)
    wrapped = add_footer(original, FOOTER)
    assert wrapped is not original
    assert mime.serialize(original) == mime.serialize(snapshot)


def test_signed_mail_without_mime_version_gets_one() -> None:
    """A wrapper always declares MIME-Version: 1.0."""
    raw = load("signed.eml").replace(b"MIME-Version: 1.0\r\n", b"")
    _, msg = send(raw)
    assert msg.get_all("MIME-Version") == ["1.0"]


def test_footer_text_cannot_cut_the_message_at_a_boundary() -> None:
    """A footer line equal to the sender's boundary is encoded so no part is lost or split."""
    raw = load("nested.eml")
    footer = Footer(text="--alt-1\nstill the footer\n", html="")
    _, msg = send(raw, footer)
    assert len(msg.get_payload()) == 2
    plain = msg.get_payload()[0].get_payload()[0]
    assert mime.part_text(plain).endswith("-- \n--alt-1\nstill the footer\n")
    assert msg.get_payload()[1].get_filename() == "draft.bin"


def test_rendered_footer_goes_into_real_mail() -> None:
    """Rendering and insertion together: a flagged message shows the contact warning."""
    footer = FooterRenderer().render(**variables(warnings=["contact"]))
    _, msg = send(alternative(), footer)
    plain, html = msg.get_payload()
    assert "appears to share contact details" in mime.part_text(plain)
    assert "appears to share contact details" in mime.part_text(html)
