"""The hostile-input corpus: malformed mail the internet sends, each with the answer we promise.

Every case is raw bytes as a client would send them inside DATA (CRLF line ends unless the case
is about line ends; the end marker is added by the test) and an expectation:
  - `code` 250: relayed; `marker` must appear in what Bo receives, and `attachment` (if any)
    must arrive byte-identical;
  - a 5xx code with its enhanced code: refused precisely, nothing stored.
Never a 4xx (the sender would retry forever), never a crash or a hung session.

`{TO}` and `{FROM}` are replaced with the test conversation's addresses. `python -m
tests.hostile.build` writes the cases to tests/hostile/cases/*.eml for use with swaks.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

HEAD = b"From: Ann Lee <{FROM}>\r\nTo: {TO}\r\nSubject: hostile case\r\nMessage-ID: <h@example.org>\r\n"
MIME = b"MIME-Version: 1.0\r\n"
ATTACHMENT = bytes(range(256)) * 64  # every byte value, 16 KB


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    code: int = 250
    enhanced: str = "2.0.0"
    marker: str = ""
    attachment: bytes | None = None
    why: str = ""

    def for_conversation(self, sender: str, to: str) -> bytes:
        return self.data.replace(b"{FROM}", sender.encode()).replace(b"{TO}", to.encode())


def _crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8", "surrogateescape")


def _b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def _attachment_part(boundary: str) -> bytes:
    return (
        f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
        'Content-Disposition: attachment; filename="all-bytes.bin"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode() + _b64(ATTACHMENT)


def nested(depth: int, marker: str) -> bytes:
    """`depth` multiparts inside each other, the marker text in the innermost one."""
    opening = b"".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode()
        for i in range(depth)
    )
    closing = b"".join(f"\r\n--b{i}--\r\n".encode() for i in reversed(range(depth)))
    return HEAD + MIME + opening + f"Content-Type: text/plain\r\n\r\n{marker}".encode() + closing


def cases() -> list[Case]:
    """Every case of the corpus (deterministic: same bytes on every call)."""
    out = [
        Case(
            "missing-boundary-parameter",
            HEAD
            + MIME
            + _crlf(
                "Content-Type: multipart/mixed\n\n--x\nContent-Type: text/plain\n\nMARK-NOBOUNDARY\n--x--\n"
            ),
            marker="MARK-NOBOUNDARY",
            why="multipart without boundary: kept as one opaque body",
        ),
        Case(
            "boundary-never-used",
            HEAD
            + MIME
            + _crlf(
                'Content-Type: multipart/mixed; boundary="zzz"\n\nMARK-UNUSED text with no parts\n'
            ),
            marker="MARK-UNUSED",
        ),
        Case(
            "unterminated-multipart",
            HEAD
            + MIME
            + _crlf(
                'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nMARK-UNTERMINATED\n'
            )
            + _attachment_part("b"),
            marker="MARK-UNTERMINATED",
            attachment=ATTACHMENT,
            why="no closing delimiter: the parts that are there are relayed",
        ),
        Case(
            "boundary-with-spaces-and-quotes",
            HEAD
            + MIME
            + _crlf(
                'Content-Type: multipart/mixed; boundary="a b\\"c"\n\n--a b"c\nContent-Type: text/plain\n\nMARK-QUOTED\n--a b"c--\n'
            ),
            marker="MARK-QUOTED",
        ),
        Case("nesting-40-deep", nested(40, "MARK-DEEP40"), marker="MARK-DEEP40"),
        Case(
            "nesting-100-deep",
            nested(100, "MARK-DEEP100"),
            code=554,
            enhanced="5.6.0",
            why="[limits] max_mime_depth = 50",
        ),
        Case(
            "nesting-3000-deep",
            nested(3000, "MARK-DEEP3000"),
            code=554,
            enhanced="5.6.0",
            why="deeper than the email package can recurse: still a precise 5xx",
        ),
        Case(
            "nul-bytes-in-body",
            HEAD + b"\r\nMARK-NUL before\x00after\x00\x00\r\n",
            marker="MARK-NUL",
        ),
        Case(
            "nul-byte-in-subject",
            b"From: Ann Lee <{FROM}>\r\nTo: {TO}\r\nSubject: a\x00b\r\n\r\nMARK-NULSUBJECT\r\n",
            marker="MARK-NULSUBJECT",
        ),
        Case(
            "8bit-headers",
            b"From: Ann L\xe9e <{FROM}>\r\nTo: {TO}\r\nSubject: caf\xc3\xa9 \xff\xfe\r\n"
            b"X-Junk: \x80\x81\x82\r\n\r\nMARK-8BITHEADERS\r\n",
            marker="MARK-8BITHEADERS",
        ),
        Case(
            "bare-lf-line-ends",
            HEAD.replace(b"\r\n", b"\n") + b"\n" + b"MARK-BARELF line\n" * 200,
            marker="MARK-BARELF",
        ),
        Case(
            "bare-cr-line-ends",
            HEAD.replace(b"\r\n", b"\r") + b"\r" + b"MARK-BARECR line\r" * 200 + b"\r\n",
            marker="MARK-BARECR",
        ),
        Case(
            "mixed-line-ends",
            HEAD + b"\r\nMARK-MIXED one\nline two\rline three\r\n",
            marker="MARK-MIXED",
        ),
        Case(
            "line-over-998",
            HEAD + b"\r\n" + b"x" * 5000 + b"\r\n",
            code=554,
            enhanced="5.6.0",
        ),
        Case(
            "header-line-over-998",
            HEAD + b"X-Long: " + b"y" * 2000 + b"\r\n\r\nbody\r\n",
            code=554,
            enhanced="5.6.0",
        ),
        Case(
            "900-headers",
            HEAD + b"".join(b"X-H%d: v\r\n" % i for i in range(900)) + b"\r\nMARK-900\r\n",
            marker="MARK-900",
        ),
        Case(
            "5000-headers",
            HEAD + b"".join(b"X-H%d: v\r\n" % i for i in range(5000)) + b"\r\nbody\r\n",
            code=552,
            enhanced="5.3.4",
        ),
        Case(
            "broken-encoded-words",
            b"From: =?utf-8?q?Ann_=E2=80?= <{FROM}>\r\nTo: {TO}\r\n"
            b"Subject: =?utf-8?b?####?= =?x-unknown?q?abc?= =?utf-8?q?unterminated\r\n"
            b"X-Other: =?=?=?\r\n\r\nMARK-ENCWORDS\r\n",
            marker="MARK-ENCWORDS",
        ),
        Case(
            "unknown-charset-body",
            HEAD + MIME + b"Content-Type: text/plain; charset=x-no-such-charset-42\r\n"
            b"Content-Transfer-Encoding: 8bit\r\n\r\nMARK-CHARSET \xe9\xe8\xff\r\n",
            marker="MARK-CHARSET",
        ),
        Case(
            "codec-that-is-not-a-charset",
            HEAD + MIME + b"Content-Type: text/plain; charset=rot13\r\n\r\nMARK-ROT13\r\n",
            marker="MARK-ROT13",
        ),
        Case(
            "utf-16-body",
            HEAD
            + MIME
            + b"Content-Type: text/plain; charset=utf-16\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + _b64("MARK-UTF16 text".encode("utf-16")),
            marker="MARK-UTF16",
        ),
        Case("empty-body", HEAD + b"\r\n", marker="hostile case"),
        Case("headers-only-no-blank-line", HEAD, marker="hostile case"),
        Case(
            "no-headers-at-all",
            b"\r\nMARK-NOHEADERS\r\n",
            marker="MARK-NOHEADERS",
            why="no From: the envelope sender (Ann) is the sender",
        ),
        Case(
            "broken-base64",
            HEAD
            + MIME
            + b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
            b"MARK-B64\r\n--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            b"!!!! not base64 ====\r\n--b--\r\n",
            marker="MARK-B64",
        ),
        Case(
            "broken-quoted-printable",
            HEAD
            + MIME
            + b"Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            b"MARK-QP =ZZ =\r\n=4\r\n",
            marker="MARK-QP",
        ),
        Case(
            "unknown-transfer-encoding",
            HEAD
            + MIME
            + b"Content-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode-ish\r\n\r\nMARK-CTE\r\n",
            marker="MARK-CTE",
        ),
        Case(
            "broken-attached-message",
            HEAD
            + MIME
            + b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
            b"MARK-RFC822\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nnot: a\r\n message \x00 at all\r\n--b--\r\n",
            marker="MARK-RFC822",
        ),
        Case(
            "junk-header-lines",
            b"From: Ann Lee <{FROM}>\r\n no header before this continuation\r\nTo: {TO}\r\n"
            b"this line has no colon\r\n: empty name\r\nSubject: x\r\n\r\nMARK-JUNK\r\n",
            marker="MARK-JUNK",
        ),
        Case(
            "smuggled-end-markers",
            HEAD + b"\r\nMARK-SMUGGLE start\n.\nMAIL FROM:<evil@example.com>\r\n"
            b"x\r.\rRCPT TO:<victim@example.com>\r\n.\nDATA\r\ny\n.\r\nQUIT\r\n",
            marker="MARK-SMUGGLE",
            why="bare <LF>.<LF> and <CR>.<CR> are content, never the end of DATA",
        ),
        Case(
            "attachment-with-broken-sibling",
            HEAD + MIME + b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
            b"Content-Type: text/html; charset=utf-8\r\n\r\n<p>MARK-HTML<b><i></div></p>\r\n"
            + _attachment_part("b")
            + b'\r\n--b\r\nContent-Type: text/plain; charset="\r\n\r\nhalf\r\n--b--\r\n',
            marker="MARK-HTML",
            attachment=ATTACHMENT,
        ),
    ]
    return out


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
