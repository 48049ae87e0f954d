"""A participant's real address quoted in a case variant that `str.lower()` does not map back.

The rewrite's regex matches keys case-insensitively by simple case folding, so "kİm@x.org"
(dotted capital I), "ſam@x.org" (long s) and a Kelvin sign match "kim@x.org" / "sam@x.org",
but their `lower()` is not the key's. Before the fix the replacement lookup raised KeyError and
the message got a 451; now the real address is replaced like any other spelling of it.
"""

from __future__ import annotations

import pytest

from gateway import mime, rewrite

REPLACEMENTS = {"kim@x.org": "kim.r1@relay.example", "sam@x.org": "sam.r2@relay.example"}


@pytest.mark.parametrize(
    ("quoted", "relay"),
    [
        ("kİm@x.org", "kim.r1@relay.example"),
        ("ſam@x.org", "sam.r2@relay.example"),
        ("\u212aim@x.org", "kim.r1@relay.example"),
        ("KIM@X.ORG", "kim.r1@relay.example"),
    ],
)
def test_a_case_variant_of_a_real_address_is_replaced_in_the_body(quoted, relay):
    message = mime.parse(
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + f"write to {quoted} please\r\n".encode()
    )
    assert rewrite.replace_in_body(message, REPLACEMENTS) is True
    text = mime.part_text(message)
    assert relay in text
    assert quoted not in text


def test_a_case_variant_in_the_subject_is_replaced():
    message = mime.parse(
        b"Subject: =?utf-8?q?mail_k=C4=B0m=40x=2Eorg?=\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
    )
    assert rewrite.rewritten_subject(message, REPLACEMENTS) == "mail kim.r1@relay.example"
