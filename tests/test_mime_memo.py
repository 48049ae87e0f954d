"""mime.part_text remembers a part's text only while what it was decoded from is unchanged."""

from __future__ import annotations

import copy

from gateway import mime

RAW = (
    b"Content-Type: text/plain; charset=iso-8859-1\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b"caf\xe9 au lait\r\n"
)


def test_text_follows_payload_charset_and_encoding_changes():
    part = mime.parse(RAW)
    assert mime.part_text(part) == "café au lait\n"
    assert mime.part_text(part) is mime.part_text(part)  # remembered

    mime.set_part_text(part, "thé vert\n")  # a new payload
    assert mime.part_text(part) == "thé vert\n"

    mime._put_raw_header(part, "Content-Type", "text/plain; charset=koi8-r")  # new charset
    assert mime.part_text(part) == bytes(part.get_payload(decode=True)).decode("koi8-r")

    part.replace_header("Content-Transfer-Encoding", "base64")  # the payload now reads as base64
    assert mime.part_text(part) == mime._decode_bytes(part.get_payload(decode=True), "koi8-r")


def test_a_deep_copy_edited_apart_keeps_its_own_text():
    part = mime.parse(RAW)
    assert mime.part_text(part) == "café au lait\n"
    twin = copy.deepcopy(part)
    mime.set_part_text(twin, "other text\n")
    assert mime.part_text(twin) == "other text\n"
    assert mime.part_text(part) == "café au lait\n"


def test_large_parts_are_not_remembered():
    big = b"Content-Type: text/plain\r\n\r\n" + b"x" * (mime._MEMO_MAX_CHARS + 10) + b"\r\n"
    part = mime.parse(big)
    assert mime.part_text(part).startswith("xxx")
    assert not hasattr(part, "_relay_text")
