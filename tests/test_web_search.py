"""Search: the query language parser, and the index written at archive time (FTS5/tsvector)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from gateway.web.query import QueryError, parse_query
from storage.db import session_scope
from storage.search import SearchFilters, search
from storage.threads import set_stage
from tests.conftest import asend, new_conversation

# ---------------------------------------------------------------- the parser


def test_the_documented_example():
    f = parse_query(
        'from:ann@example.org category:payment is:held after:2026-01-01 "bank transfer"'
    )
    assert f.senders == ("ann@example.org",)
    assert f.categories == ("payment",)
    assert f.statuses == ("held",)
    assert f.after == datetime(2026, 1, 1, tzinfo=UTC)
    assert f.phrases == ("bank transfer",)
    assert f.words == ()


def test_words_addresses_and_quoted_values():
    f = parse_query(
        'invoice Ann@Example.org bo-chen.x1@relay.gigbridge.io subject:"logo draft" ref:ORD-7 '
        "with:chen is:flagged stage:contract kind:iban before:2026-02-01",
        relay_domain="relay.gigbridge.io",
    )
    assert f.words == ("invoice",)
    assert f.participants == ("ann@example.org", "chen")
    assert f.relays == ("bo-chen.x1@relay.gigbridge.io",)
    assert f.subjects == ("logo draft",)
    assert f.external_refs == ("ORD-7",)  # references keep their case
    assert f.actions == ("flag",)
    assert f.stages == ("contract",)
    assert f.kinds == ("iban",)
    assert f.before == datetime(2026, 2, 1, tzinfo=UTC)


def test_empty_and_punctuation_only_queries_have_no_filters():
    assert parse_query("").empty
    assert parse_query('  -- "" ').empty


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("colour:red", "unknown filter 'colour:'; use one of from:,"),
        ("https://example.org", "unknown filter 'https:'"),
        ("is:lost", "is:lost is not known; use is: with one of held, released"),
        ("category:spam", "category:spam is not known; use category: with one of contact"),
        ("after:2026-13-01", "after:2026-13-01 is not a date; write it as YYYY-MM-DD"),
        ("after:2026-02-01 before:2026-01-01", "after: must be earlier than before:"),
        ('"bank transfer', "a quotation mark is not closed"),
        ('from:""', "from: needs a value"),
        ("x" * 1001, "longer than 1000 characters"),
    ],
)
def test_errors_say_what_to_write(query, message):
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert message in str(caught.value)


# ---------------------------------------------------------------- the index, on both databases


def _mail(conv, subject: str, body: str, *, html: bool = False, sender: str = "ann") -> str:
    real, to = (conv.ann_real, conv.bo) if sender == "ann" else (conv.bo_real, conv.ann)
    real = f"Ann Lee <{real}>" if sender == "ann" else f"Bo Chen <{real}>"
    kind = "text/html; charset=utf-8" if html else "text/plain; charset=utf-8"
    return (
        f"From: {real}\nTo: {to}\nSubject: {subject}\nMIME-Version: 1.0\n"
        f"Content-Type: {kind}\n\n{body}\n"
    )


@pytest.fixture
async def archive(relay):
    """Two threads with a handful of messages sent through the relay."""
    engine = relay.engine
    logo = new_conversation(engine, subject="Logo design")
    site = new_conversation(engine, subject="Website")
    with session_scope(engine) as session:
        session.execute(
            text("UPDATE thread SET external_ref = 'ORD-7' WHERE id = :id"), {"id": site.thread_id}
        )
    sent = [
        (logo, "First sketch", "Here is the first sketch of the logo", False, "ann"),
        (
            logo,
            "Payment",
            "Please pay by bank transfer to IBAN DE89 3704 0044 0532 0130 00",
            False,
            "bo",
        ),
        (
            logo,
            "Colours",
            '<p>The <b>turquoise</b> variant <img src="cid:x" alt="preview"></p>',
            True,
            "ann",
        ),
        (site, "Call me", "Call me at +1 415 555 0123 about the bank details", False, "bo"),
        (site, "Löwenzahn", "Grüße aus Köln, die Übersetzung ist fertig", False, "ann"),
    ]
    for conv, subject, body, html, sender in sent:
        real = conv.ann_real if sender == "ann" else conv.bo_real
        to = conv.bo if sender == "ann" else conv.ann
        code, _ = await asend(
            relay, real, [to], _mail(conv, subject, body, html=html, sender=sender)
        )
        assert code == 250
    return engine, logo, site


def _subjects(engine, filters: SearchFilters, **kwargs) -> list[str]:
    return [h.subject for h in search(engine, filters, **kwargs).hits]


def _q(engine, query: str) -> list[str]:
    return _subjects(engine, parse_query(query, relay_domain="relay.gigbridge.io"))


async def test_every_archived_message_is_indexed_in_the_same_transaction(archive):
    """Every received message (the held one's notice to its sender is not searched)."""
    engine, _, _ = archive
    with session_scope(engine) as session:
        messages = session.execute(
            text("SELECT count(*) FROM message WHERE kind = 'inbound'")
        ).scalar_one()
        indexed = session.execute(text("SELECT count(*) FROM message_fts")).scalar_one()
    assert messages == indexed == 5


async def test_full_text_words_phrases_html_and_accents(archive):
    engine, _, _ = archive
    assert _q(engine, "sketch") == ["First sketch"]
    assert _q(engine, "turquoise") == ["Colours"]  # HTML reduced to text by the scanner's code
    assert _q(engine, "preview") == ["Colours"]  # alt text is content too
    assert _q(engine, '"bank transfer"') == ["Payment"]
    assert _q(engine, "bank") == ["Call me", "Payment"]  # newest first
    assert _q(engine, '"transfer bank"') == []
    assert _q(engine, "grüße") == ["Löwenzahn"]
    assert _q(engine, "sketch turquoise") == []  # every word must match
    assert _q(engine, 'NEAR OR "AND"') == []  # FTS operators in input are plain words


async def test_a_bare_name_finds_the_mail_of_that_person(archive):
    """From/To/Cc names and addresses are indexed too ("Lee" is in no body or subject)."""
    engine, _, _ = archive
    # everything Ann Lee sent (SQLite's tokenizer also splits her relay address ann-lee.x@...
    # in the To of mail to her; PostgreSQL keeps an address as one token)
    assert set(_q(engine, "lee")) >= {"Löwenzahn", "Colours", "First sketch"}
    assert _q(engine, "lee turquoise") == ["Colours"]


async def test_filters_by_people_thread_and_decision(archive):
    engine, logo, site = archive
    assert _q(engine, "from:bo@example.net") == ["Call me", "Payment"]
    assert _q(engine, "from:chen") == ["Call me", "Payment"]  # part of the display name
    assert _q(engine, f"{logo.bo}") == ["Colours", "Payment", "First sketch"]
    assert _q(engine, f"relay:{site.ann}") == ["Löwenzahn", "Call me"]
    assert _q(engine, "ref:ORD-7 bank") == ["Call me"]
    assert _q(engine, f"thread:{logo.thread_id} subject:sketch") == ["First sketch"]
    assert _q(engine, "category:payment") == ["Payment"]
    assert _q(engine, "category:contact") == ["Call me"]
    assert _q(engine, "kind:iban") == ["Payment"]
    assert _q(engine, "is:held") == ["Payment"]
    assert _q(engine, "is:flagged") == ["Call me"]
    assert _q(engine, "is:accepted from:ann") == ["Löwenzahn", "Colours", "First sketch"]
    set_stage(engine, site.thread_id, "contract", actor="test")
    assert _q(engine, "stage:contract") == ["Löwenzahn", "Call me"]


async def test_date_range_and_pagination(archive):
    engine, _, _ = archive
    today = datetime.now(UTC).date()
    assert len(_q(engine, f"after:{today}")) == 5
    assert _q(engine, f"before:{today}") == []
    assert _q(engine, f"after:{today + timedelta(days=1)}") == []
    page1 = search(engine, SearchFilters(), limit=2)
    page3 = search(engine, SearchFilters(), limit=2, offset=4)
    assert page1.has_more
    assert [h.subject for h in page1.hits] == ["Löwenzahn", "Call me"]
    assert not page3.has_more
    assert [h.subject for h in page3.hits] == ["First sketch"]
    hit = page1.hits[1]
    assert hit.sender_role == "freelancer"
    assert hit.categories == ("contact",)
    assert hit.external_ref == "ORD-7"


# ---------------------------------------------------------------- the search page's own fields


async def test_search_page_fields_narrow_like_the_query_language(
    db_url, tmp_path, dkim_key, sink, start_gateway
):
    import httpx

    from tests.web_helpers import login, send_plain, start_support, web_settings

    support = await start_support(
        start_gateway, web_settings(db_url, tmp_path, dkim_key[0], sink_port=sink.port)
    )
    await send_plain(support, "Deposit", "Pay by IBAN DE89 3704 0044 0532 0130 00", "f1")
    await send_plain(support, "Hello", "Just saying hello", "f2")
    today = datetime.now(UTC).date()
    async with httpx.AsyncClient(base_url=support.base_url) as client:
        await login(client, "vera")
        r = await client.get("/", params={"category": "payment", "status": "held"})
        assert r.status_code == 200
        assert "Deposit" in r.text
        assert "Hello" not in r.text
        r = await client.get("/", params={"q": "hello", "after": str(today)})
        assert "Hello" in r.text
        r = await client.get("/", params={"q": "hello", "before": str(today)})
        assert "No messages match." in r.text
        r = await client.get("/", params={"category": "spam"})
        assert r.status_code == 400
        assert "category &#39;spam&#39; is not known" in r.text
        r = await client.get("/", params={"after": "yesterday"})
        assert r.status_code == 400
        assert "after:yesterday is not a date" in r.text


def test_the_scanners_texts_give_the_same_index_text_as_a_second_parse():
    """The scan stage hands the archive texts_text(...) instead of a reparse: same words."""
    from gateway import mime
    from gateway.scanning.text import extract
    from storage.search import message_text, texts_text

    raw = (
        b"From: Ana Lee <ana@example.com>\r\nTo: Bo <bo@relay.example>\r\nSubject: Plans\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nSee the drawings on Tuesday\r\n"
        b"--b\r\nContent-Type: text/html\r\n\r\n<p>See the <b>drawings</b> on Tuesday</p>\r\n"
        b"--b--\r\n"
    )
    message = mime.parse(raw)
    given = texts_text(message, extract(message, max_chars=2_000_001), "Plans")
    assert given == message_text(raw, "Plans")
    assert "Ana Lee" in given
    assert "drawings" in given
