"""Redaction leaves nothing of a finding: text and HTML parts, HTML source included, through SMTP."""

from __future__ import annotations

import email
import email.policy

import pytest

from gateway.redaction import redact_html, redact_text
from gateway.scanning.html_text import render
from storage import archive
from tests.conftest import asend, make_settings, new_conversation

MARK = "[removed by GigBridge]"
FOUND = ["ann.lee@gmail.com", "+1 415 555 2671"]


@pytest.mark.parametrize(
    "source",
    [
        "<p>mail ann.lee<b>@</b>gmail.com today</p>",
        "<p>ann.lee&#64;gmail.com</p>",
        "<p>ann.lee<!-- x -->@gmail<span>.com</span></p>",
        "<div>call +1 415 <span style='color:red'>555</span>\n 2671</div>",
        '<a href="mailto:ann.lee&#x40;gmail.com" title="+1 415 555 2671">write</a>',
        "<p>ANN.LEE@GMAIL.COM</p><!-- ann.lee@gmail.com -->",
        "<td>+1</td><td>415 555</td><td>2671</td>",
    ],
)
def test_findings_split_by_markup_are_removed_from_the_source(source):
    """Whatever the markup between its characters, a finding is gone from source and rendering."""
    result = redact_html(source, FOUND, MARK)
    flat = "".join(result.split()).lower()
    assert "gmail" not in flat
    assert "2671" not in flat
    assert MARK in result
    assert "gmail" not in render(result).lower()


def test_markup_around_the_finding_is_kept():
    """Only the finding's characters go; the tags and the words around them stay."""
    result = redact_html("<p>mail ann.lee<b>@</b>gmail.com today</p>", FOUND, MARK)
    assert result == f"<p>mail {MARK}<b></b> today</p>"


def test_plain_text_tolerates_whitespace_inside_the_finding():
    """A finding read across a line break in plain text is removed too."""
    assert redact_text("call +1 415\n555 2671 now", FOUND, MARK) == f"call {MARK} now"


HTML_MAIL = """\
From: Ann Lee <ann@example.org>
To: {to}
Subject: Contact
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

Call +1 415 555 2671 or write to ann.lee@gmail.com
--b1
Content-Type: text/html; charset=utf-8

<html><body><p>Call +1 415 <span>555</span> 2671 or write to
ann.lee<b>@</b>gmail.com (<a href="mailto:ann.lee&#64;gmail.com">mail</a>)</p></body></html>
--b1--
"""


async def test_redacted_mail_arrives_with_markers_in_text_and_html(
    db_url, tmp_path, dkim_key, sink, start_gateway
):
    """Through SMTP: both parts carry markers; the delivered bytes hold nothing of the findings."""
    settings = make_settings(
        db_url,
        tmp_path,
        dkim_key[0],
        policy={"contact": "redact"},
        policy__notices={"enabled": False},
        delivery__smtp={"port": sink.port},
    )
    running = await start_gateway(settings)
    conv = new_conversation(running.engine)
    code, _ = await asend(running, "ann@example.org", [conv.bo], HTML_MAIL.format(to=conv.bo))
    assert code == 250
    await sink.wait_for(1)
    delivered = sink.received[0][2]
    mail = email.message_from_bytes(delivered, policy=email.policy.default)
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert text.count(MARK) == 2
    assert MARK in html
    for content in (text, html, delivered.decode("ascii", "replace")):
        flat = "".join(content.split()).lower()
        assert "gmail" not in flat
        assert "2671" not in flat
        assert "ann.lee" not in flat
    assert "Call" in render(html)
    message = archive.messages_of(running.engine, conv.thread_id)[0]
    assert message.action == "redact"
    assert b"ann.lee<b>@</b>gmail.com" in message.raw  # the record keeps what was sent
