"""Round 4: what section 1 says is *not* content (header fields, binary attachments), and two
more HTML/attachment hiding places. Unlike rounds 1-3, written after the scanner was read."""

from __future__ import annotations

import io
import zipfile

from .case import C


def _zip(name: str, text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 3, 2, 9, 0, 0)), text)
    return buf.getvalue()


HEADERS: list[C] = [
    C(
        0,
        0,
        "en",
        "real address only in Reply-To and Cc headers: not content (§1)",
        "draft v3",
        "Draft v3 is uploaded to the contract.",
        headers={"Reply-To": "ben.harlow@protonmail.com", "Cc": "sam.tully@gmail.com"},
    ),
    C(
        0,
        0,
        "en",
        "List-Unsubscribe mailto header: not content (§1)",
        "weekly digest",
        "Your weekly project digest: 3 milestones open.",
        headers={"List-Unsubscribe": "<mailto:unsub.8812@lists.mailhost.net>"},
    ),
    C(
        0,
        0,
        "en",
        "address inside a .zip attachment: binary, not content (§1)",
        "source files",
        "Source files attached.",
        attachments=[
            ("src.zip", "application/zip", _zip("README.txt", "mail me: kai.lund@gmail.com"))
        ],
    ),
    C(
        0,
        0,
        "en",
        "phone inside a PDF attachment: binary, not content (§1)",
        "brochure",
        "Brochure attached.",
        attachments=[
            (
                "brochure.pdf",
                "application/pdf",
                b"%PDF-1.4\n1 0 obj<</Length 30>>stream\nBT (Call +44 7911 123456) Tj ET\nendstream\nendobj\n%%EOF\n",
            )
        ],
    ),
    C(
        1,
        0,
        "en",
        "phone in a text/html attachment (§1: every text/* leaf)",
        "offer",
        "Offer attached as HTML.",
        attachments=[
            ("offer.html", "text/html", "<html><body><p>Call me: +1 503 281 4476</p></body></html>")
        ],
    ),
    C(
        1,
        0,
        "en",
        "address in an <img alt> attribute (§1: everything the author put in the document)",
        "banner",
        html='<p>New banner:</p><img src="cid:b1" alt="questions? mail olga.brandt@gmx.net">',
    ),
    C(
        0,
        1,
        "en",
        "IBAN in a .csv attachment sent as octet-stream (§1, §3.2)",
        "payout",
        "payout details attached",
        attachments=[
            (
                "payout.csv",
                "application/octet-stream",
                b"name,iban\nTom Hughes,GB48 NWBK 6016 1348 2917 35\n",
            )
        ],
    ),
    C(
        0,
        0,
        "en",
        "attached message: real address in its From/To headers only (§1)",
        "Fwd: invoice",
        "Forwarding the invoice thread.",
        inner=("Invoice INV-2026-000417", "Invoice attached, due 2026-03-31."),
    ),
]
