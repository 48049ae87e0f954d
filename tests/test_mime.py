"""Tests for gateway.mime: defensive decoding, careful re-encoding, structure, safe output."""

from __future__ import annotations

import base64
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway import mime

DATA = Path(__file__).parent / "data" / "mime"


def load(name: str) -> bytes:
    """Return the bytes of a fixture under tests/data/mime/."""
    return (DATA / name).read_bytes()


def text_mail(
    body: bytes,
    *,
    ctype: str = "text/plain",
    params: str = "",
    cte: str | None = None,
    extra: str = "",
) -> bytes:
    """Build a one-part message the way a mail program would send it."""
    head = f"From: a@client.example\r\nSubject: t\r\nMIME-Version: 1.0\r\nContent-Type: {ctype}"
    head += params + "\r\n"
    if cte:
        head += f"Content-Transfer-Encoding: {cte}\r\n"
    return (head + extra + "\r\n").encode("ascii") + body


def roundtrip(msg: EmailMessage) -> EmailMessage:
    """Serialize and parse again, the way the recipient's side will see the message."""
    return mime.parse(mime.serialize(msg))


def raw_body(msg_bytes: bytes) -> bytes:
    """Return the bytes after the first blank line of a one-part message."""
    return msg_bytes.split(b"\r\n\r\n", 1)[1]


def assert_wire_safe(data: bytes) -> None:
    """Every line ends in CRLF and none is longer than 998 octets (RFC 5322 2.1.1)."""
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 998


# --------------------------------------------------------------------------- parse, part_text

CHARSET_CASES = [
    ("us-ascii", "7bit", "Hello Bob,\nthe logo is ready.\n"),
    ("utf-8", "8bit", "Grüße aus Köln – 日本語 ✓\n"),
    ("iso-8859-1", "quoted-printable", "Déjà vu, ça va? Grüße.\n"),
    ("koi8-r", "8bit", "Привет, как дела?\n"),
    ("shift_jis", "base64", "こんにちは、ロゴの件です。\n"),
    ("utf-8", "base64", "Ünïcödé in base64\nsecond line\n"),
    ("windows-1251", "quoted-printable", "Здравствуйте\n"),
]


def encode_body(text: str, charset: str, cte: str) -> bytes:
    """Encode text as a sender would: canonical CRLF, then the transfer encoding."""
    import quopri

    data = text.replace("\n", "\r\n").encode(charset)
    if cte == "base64":
        return base64.encodebytes(data).replace(b"\n", b"\r\n")
    if cte == "quoted-printable":
        return quopri.encodestring(data.replace(b"\r\n", b"\n")).replace(b"\n", b"\r\n")
    return data


@pytest.mark.parametrize(("charset", "cte", "text"), CHARSET_CASES)
def test_part_text_decodes_charset_and_transfer_encoding(charset: str, cte: str, text: str) -> None:
    """part_text undoes the transfer encoding and the charset and returns LF line ends."""
    raw = text_mail(encode_body(text, charset, cte), params=f'; charset="{charset}"', cte=cte)
    assert mime.part_text(mime.parse(raw)) == text


@pytest.mark.parametrize(
    ("params", "body", "expected"),
    [
        ('; charset="x-no-such-charset"', "Grüße".encode(), "Grüße"),
        ('; charset="us-ascii"', "Grüße".encode(), "Grüße"),
        ("", "Grüße".encode(), "Grüße"),
        ('; charset="base64"', b"plain words", "plain words"),
        ('; charset="unicode-escape"', b"a\\nb", "a\\nb"),
        ('; charset="undefined"', b"caf\xe9", "café"),
        ('; charset="idna"', b"\xff\xfe", "ÿþ"),
        ('; charset="utf-8"', b"caf\xe9 ok", "caf\ufffd ok"),
        ('; charset="us-ascii"', b"caf\xe9", "café"),
        ("; charset*=''%FF%FE", b"text", "text"),
    ],
)
def test_part_text_survives_unknown_or_wrong_charsets(
    params: str, body: bytes, expected: str
) -> None:
    """Unknown, lying or hostile charset labels fall back instead of raising."""
    raw = text_mail(body, params=params, cte="8bit")
    assert mime.part_text(mime.parse(raw)) == expected


def test_part_text_reads_shift_jis_with_one_bad_byte_in_its_own_charset() -> None:
    """One broken byte in a multi-byte text costs one character, not the whole text."""
    body = "日本語".encode("shift_jis") + b"\xff" + "です".encode("shift_jis")
    text = mime.part_text(mime.parse(text_mail(body, params="; charset=shift_jis", cte="8bit")))
    assert text.startswith("日本語")
    assert text.endswith("です")


def test_part_text_recovers_from_broken_base64() -> None:
    """Truncated base64 yields the decodable text instead of an exception."""
    raw = text_mail(b"SGVsbG8gd29y!!bGQ", params="; charset=utf-8", cte="base64")
    assert mime.part_text(mime.parse(raw)).startswith("Hello wor")


def test_part_text_of_a_multipart_is_empty() -> None:
    """Asking a container for its text answers "" rather than raising."""
    assert mime.part_text(mime.parse(load("nested.eml"))) == ""


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe\r\n\r\n\x80",
        b"no header at all, just words\r\n",
        b"Content-Type: multipart/mixed\r\n\r\n--x\r\nno boundary declared\r\n",
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n',
        b'Content-Type: text/plain; charset="\r\nContent-Transfer-Encoding: base64\r\n\r\n===',
        b"Content-Type: ;;;==\r\nContent-Disposition: ;\r\n\r\nbody",
    ],
)
def test_parse_and_read_never_raise_on_malformed_input(raw: bytes) -> None:
    """Malformed mail parses, and its body parts can be listed, read and serialized."""
    msg = mime.parse(raw)
    texts = [mime.part_text(part) for part in mime.body_parts(msg)]
    assert all(isinstance(text, str) for text in texts)
    assert_wire_safe(mime.serialize(msg) + b"\r\n")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_parse_never_raises_on_random_bytes(raw: bytes) -> None:
    """Any bytes at all parse, list their body parts, decode and serialize with CRLF only."""
    msg = mime.parse(b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + raw)
    assert isinstance(mime.part_text(msg), str)
    out = mime.serialize(msg)
    assert b"\n" not in out.replace(b"\r\n", b"")


# --------------------------------------------------------------------------- set_part_text


@pytest.mark.parametrize(("charset", "cte", "text"), CHARSET_CASES)
def test_set_part_text_keeps_charset_and_transfer_encoding(
    charset: str, cte: str, text: str
) -> None:
    """New text that the charset can hold keeps the part's charset and transfer encoding."""
    msg = mime.parse(
        text_mail(encode_body(text, charset, cte), params=f'; charset="{charset}"', cte=cte)
    )
    mime.set_part_text(msg, text + text)
    again = roundtrip(msg)
    assert again.get_content_charset() == charset
    assert str(again.get("content-transfer-encoding", "7bit")).lower() == cte
    assert mime.part_text(again) == text + text


@pytest.mark.parametrize("cte", ["base64", "quoted-printable"])
def test_encoded_lines_are_at_most_76_with_crlf(cte: str) -> None:
    """base64 and quoted-printable output keeps lines <= 76 and CRLF line ends (RFC 2045)."""
    text = ("A long line with trailing blanks and é " * 12 + "  \n") * 3 + "=end=\n"
    msg = mime.parse(text_mail(b"x", params="; charset=utf-8", cte=cte))
    mime.set_part_text(msg, text)
    data = mime.serialize(msg)
    body_lines = raw_body(data).split(b"\r\n")
    assert_wire_safe(data)
    assert max(len(line) for line in body_lines) <= 76
    assert mime.part_text(mime.parse(data)) == text


def test_quoted_printable_soft_breaks_and_trailing_blanks_are_correct() -> None:
    """Soft breaks end with "=", trailing blanks are encoded, and decoding restores the text."""
    text = "x" * 200 + "\nend with space \n"
    msg = mime.parse(text_mail(b"", params="; charset=us-ascii", cte="quoted-printable"))
    mime.set_part_text(msg, text)
    lines = raw_body(mime.serialize(msg)).split(b"\r\n")
    assert lines[0].endswith(b"=")
    assert len(lines[0]) == 76
    assert b"end with space=20" in lines
    decoded = mime.parse(mime.serialize(msg)).get_payload(decode=True)
    assert decoded == text.replace("\n", "\r\n").encode()


def test_base64_text_is_encoded_in_canonical_crlf_form() -> None:
    """Text inside base64 uses CRLF line breaks (RFC 2046 4.1.1)."""
    msg = mime.parse(text_mail(b"", params="; charset=utf-8", cte="base64"))
    mime.set_part_text(msg, "one\ntwo\n")
    assert roundtrip(msg).get_payload(decode=True) == b"one\r\ntwo\r\n"


def test_seven_bit_part_switches_to_quoted_printable_for_non_ascii() -> None:
    """A 7bit part that must hold non-ASCII text becomes quoted-printable UTF-8."""
    msg = mime.parse(text_mail(b"hi\r\n", params="; charset=us-ascii", cte="7bit"))
    mime.set_part_text(msg, "hi € 日本\n")
    again = roundtrip(msg)
    assert again["Content-Transfer-Encoding"] == "quoted-printable"
    assert again.get_content_charset() == "utf-8"
    assert mime.part_text(again) == "hi € 日本\n"


def test_part_without_cte_header_stays_seven_bit_for_ascii() -> None:
    """ASCII text in a part with no CTE header adds no header at all."""
    msg = mime.parse(text_mail(b"hi\r\n"))
    mime.set_part_text(msg, "hello\n")
    data = mime.serialize(msg)
    assert b"Content-Transfer-Encoding" not in data
    assert raw_body(data) == b"hello\r\n"


def test_eight_bit_part_stays_eight_bit_until_a_line_is_too_long() -> None:
    """8bit survives short lines and becomes quoted-printable past 998 octets."""
    msg = mime.parse(text_mail("é\r\n".encode(), params="; charset=utf-8", cte="8bit"))
    mime.set_part_text(msg, "ça\n")
    assert raw_body(mime.serialize(msg)) == "ça\r\n".encode()
    mime.set_part_text(msg, "é" * 600 + "\n")
    data = mime.serialize(msg)
    assert_wire_safe(data)
    assert mime.parse(data)["Content-Transfer-Encoding"] == "quoted-printable"
    assert mime.part_text(mime.parse(data)) == "é" * 600 + "\n"


def test_text_needing_another_charset_moves_to_utf8_keeping_other_params() -> None:
    """Text the old charset cannot hold switches to UTF-8; other params and headers stay."""
    params = '; name="a; charset=x.txt"; charset=iso-8859-1; format=flowed; delsp=yes'
    extra = "Content-ID: <part1@client.example>\r\nContent-Disposition: inline; filename=a.txt\r\n"
    msg = mime.parse(text_mail(b"caf\xe9\r\n", params=params, cte="quoted-printable", extra=extra))
    mime.set_part_text(msg, "café costs 5 € (五)\n")
    again = roundtrip(msg)
    assert again.get_content_charset() == "utf-8"
    assert again.get_param("name") == "a; charset=x.txt"
    assert (again.get_param("format"), again.get_param("delsp")) == ("flowed", "yes")
    assert again["Content-ID"] == "<part1@client.example>"
    assert extra.encode() in mime.serialize(msg)  # both headers byte for byte
    assert again["Content-Transfer-Encoding"] == "quoted-printable"
    assert mime.part_text(again) == "café costs 5 € (五)\n"


def test_unknown_charset_is_replaced_by_utf8_when_writing() -> None:
    """A label Python cannot encode with is not kept; the new text is labelled UTF-8."""
    msg = mime.parse(text_mail("Grüße".encode(), params="; charset=x-unknown", cte="8bit"))
    mime.set_part_text(msg, mime.part_text(msg) + " ✓")
    again = roundtrip(msg)
    assert again.get_content_charset() == "utf-8"
    assert mime.part_text(again) == "Grüße ✓"


def test_set_part_text_keeps_header_order_and_unrelated_headers_byte_for_byte() -> None:
    """Only the headers that must change change; the others keep their exact source text."""
    extra = "X-Folded: one\r\n two\r\nContent-Description: =?utf-8?q?n=C3=B6te?=\r\n"
    raw = text_mail(b"x\r\n", params=";\r\n\tcharset=us-ascii", cte="7bit", extra=extra)
    msg = mime.parse(raw)
    mime.set_part_text(msg, "ä\n")
    head = mime.serialize(msg).split(b"\r\n\r\n")[0]
    assert b"X-Folded: one\r\n two\r\nContent-Description: =?utf-8?q?n=C3=B6te?=" in head
    assert [k for k, _ in msg.raw_items()] == [k for k, _ in mime.parse(raw).raw_items()]


@settings(max_examples=120, deadline=None)
@given(
    text=st.text(max_size=400),
    charset=st.sampled_from(["us-ascii", "utf-8", "iso-8859-1", "koi8-r", "shift_jis"]),
    cte=st.sampled_from(["7bit", "8bit", "base64", "quoted-printable"]),
)
def test_any_text_survives_set_serialize_parse(text: str, charset: str, cte: str) -> None:
    """Whatever the text, charset and encoding, the recipient reads back the same text."""
    msg = mime.parse(text_mail(b"", params=f"; charset={charset}", cte=cte))
    mime.set_part_text(msg, text)
    data = mime.serialize(msg)
    assert_wire_safe(data + b"\r\n")
    expected = re.sub(r"\r\n|\r", "\n", text)
    assert mime.part_text(mime.parse(data)) == expected


# --------------------------------------------------------------------------- structure


def mixed(*parts: str, boundary: str = "b1", ctype: str = "multipart/mixed") -> bytes:
    """Build a multipart message from raw part texts (headers, blank line, body)."""
    body = "".join(f"--{boundary}\r\n{part}\r\n" for part in parts) + f"--{boundary}--\r\n"
    head = f'MIME-Version: 1.0\r\nContent-Type: {ctype}; boundary="{boundary}"\r\n\r\n'
    return (head + body).encode()


PLAIN = "Content-Type: text/plain\r\n\r\nplain body"
HTML = "Content-Type: text/html\r\n\r\n<p>html body</p>"
ATTACHED = (
    "Content-Type: text/plain\r\nContent-Disposition: attachment; filename=n.txt\r\n\r\nnotes"
)
PDF = "Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERg=="


def texts(parts: list[EmailMessage]) -> list[str]:
    """Return the decoded text of each part, for compact assertions."""
    return [mime.part_text(part) for part in parts]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (text_mail(b"just text"), ["just text"]),
        (text_mail(b"<b>x</b>", ctype="text/html"), ["<b>x</b>"]),
        (text_mail(b"x", extra="Content-Disposition: attachment\r\n"), []),
        (text_mail(b"\x89PNG", ctype="image/png"), []),
        (mixed(PLAIN, HTML, ctype="multipart/alternative"), ["plain body", "<p>html body</p>"]),
        (mixed(PLAIN, PDF, PLAIN), ["plain body"]),
        (mixed(ATTACHED, PLAIN), []),
        (mixed(PDF), []),
        (mixed(PLAIN, HTML, ctype="multipart/x-unknown"), ["plain body"]),
        (mixed("Content-Type: message/rfc822\r\n\r\n" + PLAIN), []),
        (
            mixed(
                PLAIN,
                "Content-Type: application/pgp-signature\r\n\r\nsig",
                ctype="multipart/signed",
            ),
            [],
        ),
    ],
    ids=[
        "plain",
        "html",
        "attachment",
        "image",
        "alternative",
        "mixed",
        "mixed-attachment-first",
        "mixed-pdf-only",
        "unknown-multipart",
        "rfc822",
        "signed",
    ],
)
def test_body_parts_finds_what_a_reader_sees(raw: bytes, expected: list[str]) -> None:
    """body_parts returns exactly the inline text leaves a mail program shows as the body."""
    assert texts(mime.body_parts(mime.parse(raw))) == expected


def test_body_parts_never_enters_a_nested_signed_part() -> None:
    """A signed part inside mixed is left alone, so its signature stays valid."""
    signed = mixed(
        PLAIN,
        "Content-Type: application/pgp-signature\r\n\r\nsig",
        boundary="s",
        ctype="multipart/signed",
    ).decode()
    outer = mixed(signed.split("\r\n", 1)[1], PDF, boundary="o")
    assert mime.body_parts(mime.parse(outer)) == []


def test_body_parts_follows_the_related_start_parameter() -> None:
    """multipart/related's root is the part named by `start`, not simply the first part."""
    image = "Content-Type: image/png\r\nContent-ID: <img@x>\r\n\r\nPNG"
    root = "Content-Type: text/html\r\nContent-ID: <root@x>\r\n\r\n<img src=cid:img@x>"
    raw = mixed(image, root, ctype='multipart/related; start="<root@x>"')
    assert texts(mime.body_parts(mime.parse(raw))) == ["<img src=cid:img@x>"]


def test_body_parts_of_related_without_start_uses_the_first_part() -> None:
    """Without `start`, RFC 2387 makes the first part the root."""
    raw = mixed(HTML, "Content-Type: image/png\r\n\r\nPNG", ctype="multipart/related")
    assert texts(mime.body_parts(mime.parse(raw))) == ["<p>html body</p>"]


def test_body_parts_of_nested_fixture() -> None:
    """mixed > alternative > (plain, related > html) yields the plain and the html leaf."""
    parts = mime.body_parts(mime.parse(load("nested.eml")))
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]


@pytest.mark.parametrize(
    ("ctype", "protected"),
    [
        ("multipart/signed", True),
        ("multipart/encrypted", True),
        ("application/pkcs7-mime", True),
        ("application/x-pkcs7-mime", True),
        ("multipart/mixed", False),
        ("text/plain", False),
    ],
)
def test_is_protected_recognises_signed_and_encrypted_mail(ctype: str, protected: bool) -> None:
    """Only signed or encrypted top-level types count as protected."""
    assert mime.is_protected(mime.parse(text_mail(b"x", ctype=ctype))) is protected


# --------------------------------------------------------------------------- serialize


@pytest.mark.parametrize(
    "name", ["nested.eml", "signed.eml", "attachment_only.eml", "image_only.eml", "smime.eml"]
)
def test_serialize_of_an_unedited_message_is_byte_identical(name: str) -> None:
    """Parsing and serializing a CRLF message changes no byte at all."""
    raw = load(name)
    assert mime.serialize(mime.parse(raw)) == raw


def test_serialize_turns_bare_lf_into_crlf_and_keeps_lines_short() -> None:
    """A message received with LF line ends goes out with CRLF only, no line over 998."""
    raw = load("nested.eml").replace(b"\r\n", b"\n")
    data = mime.serialize(mime.parse(raw))
    assert_wire_safe(data)
    assert data == load("nested.eml")


def test_serialize_keeps_attachment_bytes() -> None:
    """The decoded attachment is the same before and after a round trip."""
    before = mime.parse(load("nested.eml")).get_payload()[1].get_payload(decode=True)
    after = roundtrip(mime.parse(load("nested.eml"))).get_payload()[1].get_payload(decode=True)
    assert before == after
    assert len(before) == 256 * 3 + 10


EVIL_SUBJECT = b"Subject: =?utf-8?q?Hello=0D=0ABcc:_x@evil.example?=\r\n"


def evil_mail(subject_line: bytes = EVIL_SUBJECT) -> bytes:
    """A message whose Subject decodes to text holding CR/LF and a Bcc line."""
    return b"From: a@client.example\r\n" + subject_line + b"Content-Type: text/plain\r\n\r\nhi\r\n"


def header_names(data: bytes) -> list[str]:
    """Return the top-level header names a parser sees in serialized bytes."""
    return [name.lower() for name in mime.parse(data)]


def test_encoded_crlf_in_subject_cannot_add_a_header() -> None:
    """The CVE-2024-6923 Subject is written back as received: no Bcc line appears."""
    data = mime.serialize(mime.parse(evil_mail()))
    assert EVIL_SUBJECT in data
    assert not re.search(rb"(?m)^Bcc:", data)
    assert "bcc" not in header_names(data)


def test_re_stored_decoded_subject_cannot_add_a_header() -> None:
    """Even a header object re-stored by code (refolded by the stdlib) cannot inject a line."""
    msg = mime.parse(evil_mail())
    msg.replace_header("Subject", msg["Subject"])
    data = mime.serialize(msg)
    assert not re.search(rb"(?m)^Bcc:", data)
    assert header_names(data) == ["from", "subject", "content-type"]


@pytest.mark.parametrize("separator", [b"\x0c", b"\x0b", b"\x1c", b"\x1d", b"\x1e"])
def test_exotic_line_separators_in_source_headers_cannot_add_a_header(separator: bytes) -> None:
    """Characters str.splitlines() treats as line ends do not split a source header."""
    line = b"Subject: hi" + separator + b"Bcc: x@evil.example\r\n"
    data = mime.serialize(mime.parse(evil_mail(line)))
    assert line in data
    assert "bcc" not in header_names(data)


def test_serialize_utf8_writes_non_ascii_headers_raw() -> None:
    """utf8=True writes non-ASCII header text as UTF-8; the default uses encoded words."""
    msg = mime.parse(evil_mail(b"Subject: plain\r\n"))
    msg.replace_header("Subject", "Grüße")
    assert "Subject: Grüße\r\n".encode() in mime.serialize(msg, utf8=True)
    assert b"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n" in mime.serialize(msg)


def test_boundaryless_multipart_with_8bit_body_serializes() -> None:
    """A multipart with no boundary and 8-bit bytes goes out unchanged instead of crashing."""
    raw = b"Content-Type: multipart/mixed\r\n\r\nGr\xfc\xdfe\r\n"
    assert mime.serialize(mime.parse(raw)) == raw


# --------------------------------------------------------------------------- guard_boundaries


def test_guard_boundaries_re_encodes_text_that_looks_like_a_boundary() -> None:
    """Added text holding "--<boundary>" is moved into base64 so the structure survives."""
    msg = mime.parse(mixed(PLAIN, PDF, boundary="cut"))
    first = msg.get_payload()[0]
    mime.set_part_text(first, "before\n--cut\nafter\n")
    mime.guard_boundaries(msg, [first])
    again = roundtrip(msg)
    assert first["Content-Transfer-Encoding"] == "base64"
    assert len(again.get_payload()) == 2
    assert mime.part_text(again.get_payload()[0]) == "before\n--cut\nafter\n"


def test_guard_boundaries_leaves_harmless_text_alone() -> None:
    """Text with no boundary-like line keeps its transfer encoding."""
    msg = mime.parse(mixed(PLAIN, PDF, boundary="cut"))
    first = msg.get_payload()[0]
    mime.set_part_text(first, "before\n-- \nafter\n")
    mime.guard_boundaries(msg, [first])
    assert "Content-Transfer-Encoding" not in first
