"""Full-text and filtered search over the archive, for the support pages and the benchmark.

Why here and not in the web package: the text index is written at archive time, inside the
transaction that stores the message (`storage.archive.write_message` inserts `index_body`'s
text; `index_message` for other callers), so a message is searchable exactly when it is
archived and never indexed without being stored.

One table name, two engines: SQLite has an FTS5 table `message_fts(body)` keyed by rowid =
message id; PostgreSQL has `message_fts(message_id, tsv)` with a GIN index. Both use a simple
Unicode word tokenizer without stemming (mail is multilingual; support searches exact words).
Results are ordered newest first by message id (ids grow with arrival), which both engines can
walk backwards on the primary key and stop after one page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, column, func, or_, select, table, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage import rawsql
from storage.db import session_scope
from storage.models import Finding, Message, Participant, Thread

MAX_INDEXED_CHARS = 200_000  # beyond this a message's text is not indexed (tsvector's 1 MB cap)


def message_text(raw: bytes, subject: str = "") -> str:
    """The searchable text of a message: its From/To/Cc names and addresses, then the Subject
    and every scannable text as the scanner reads it.

    Uses the scanner's own extraction (HTML to text, attachments, nested messages), so what
    support can find is what the scanner looked at; the address headers make a bare name in
    the search box ("Lee") find the mail that person sent or received.
    """
    from gateway import mime
    from gateway.scanning.text import extract

    try:
        message = mime.parse(raw)
        texts = extract(message, max_chars=MAX_INDEXED_CHARS)
    except Exception:  # a message that cannot be parsed is still searchable by its bytes
        return subject + "\n" + raw[:MAX_INDEXED_CHARS].decode("utf-8", "replace")
    return texts_text(message, texts, subject)


def texts_text(message: Any, texts: Any, subject: str = "") -> str:
    """`message_text` from a parsed message and the texts the scanner already extracted.

    Why: the gateway's scan stage has both in hand; building the index text from them saves
    a second parse and extraction of every message (about 3 ms of CPU each for 5 KB).
    """
    people = " ".join(_header_text(message, name) for name in ("from", "to", "cc"))
    body = "\n".join(t.text for t in texts)
    if subject not in body:
        body = f"{subject}\n{body}"
    return f"{people}\n{body}" if people.strip() else body


def _header_text(message: Any, name: str) -> str:
    """A header's decoded value, or its raw text when the header parser chokes on it."""
    try:
        return " ".join(str(v) for v in message.get_all(name, ()))
    except Exception:  # malformed address headers: index what was written
        return " ".join(str(v) for _, v in message.raw_items() if _.lower() == name)


def index_message(
    session: Session, message_id: int, raw: bytes, subject: str = "", body: str | None = None
) -> None:
    """Add one message's text to the full-text index, in the caller's transaction.

    `body`: the message's searchable text when the caller has it already (`texts_text`);
    without it the raw bytes are parsed here.
    """
    body = index_body(raw, subject, body)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            text("INSERT INTO message_fts(rowid, body) VALUES (:id, :body)"),
            {"id": message_id, "body": body},
        )
    else:
        session.execute(
            text(
                "INSERT INTO message_fts(message_id, tsv) "
                "VALUES (:id, to_tsvector('simple', :body))"
            ),
            {"id": message_id, "body": body},
        )


def index_body(raw: bytes, subject: str = "", body: str | None = None) -> str:
    """The text index_message stores for a message (`body`: its text, if already known)."""
    if body is None:
        body = message_text(raw, subject)
    return body[:MAX_INDEXED_CHARS].replace("\x00", " ")


@rawsql.register
def _statements(sql: rawsql.Statements) -> None:
    """index_message's INSERT as driver SQL (storage.archive.write_message)."""
    sql.add(
        "search.index",
        "INSERT INTO message_fts(rowid, body) VALUES (?, ?)",
        "INSERT INTO message_fts(message_id, tsv) VALUES (?, to_tsvector('simple', ?))",
    )


@dataclass(frozen=True)
class SearchFilters:
    """What to look for; every field narrows the result (AND), values within a field are OR."""

    words: tuple[str, ...] = ()  # full-text words, all required
    phrases: tuple[str, ...] = ()  # full-text phrases, all required
    senders: tuple[str, ...] = ()  # address or part of a name of the message's sender
    participants: tuple[str, ...] = ()  # address or part of a name of anyone in the thread
    relays: tuple[str, ...] = ()  # relay address (or its local part) of anyone in the thread
    external_refs: tuple[str, ...] = ()
    thread_ids: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()  # part of the message or thread subject
    categories: tuple[str, ...] = ()  # finding categories: contact | payment | limit
    kinds: tuple[str, ...] = ()  # finding kinds: iban, phone, ...
    statuses: tuple[str, ...] = ()  # message status: accepted | held | released | rejected
    actions: tuple[str, ...] = ()  # decision: deliver | flag | redact | hold | reject
    stages: tuple[str, ...] = ()  # thread stage
    after: datetime | None = None  # received at or after
    before: datetime | None = None  # received before

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


@dataclass(frozen=True)
class SearchHit:
    """One matching message with what a result list shows about it."""

    message_id: int
    thread_id: str
    received_at: datetime
    subject: str
    status: str
    action: str
    kind: str
    sender_name: str
    sender_address: str
    sender_role: str
    thread_subject: str
    external_ref: str | None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit] = field(default_factory=list)
    has_more: bool = False


def search(
    engine: Engine, filters: SearchFilters, *, limit: int = 50, offset: int = 0
) -> SearchPage:
    """One page of matching messages, newest first; `has_more` tells whether another follows."""
    sender = Participant.__table__.alias("sender")
    query = (
        select(
            Message.id,
            Message.thread_id,
            Message.received_at,
            Message.subject,
            Message.status,
            Message.action,
            Message.kind,
            sender.c.display_name,
            sender.c.address,
            sender.c.role,
            Thread.subject,
            Thread.external_ref,
        )
        .select_from(Message)
        .join(Thread, Thread.id == Message.thread_id)
        .outerjoin(sender, sender.c.id == Message.sender_id)
        .where(Message.kind != "notice")  # the gateway's own notices are shown in the thread
    )
    for condition in _conditions(engine, filters, sender):
        query = query.where(condition)
    query = query.order_by(Message.id.desc()).limit(limit + 1).offset(offset)
    with session_scope(engine) as session:
        rows = session.execute(query).all()
        ids = [r[0] for r in rows[:limit]]
        categories = _categories(session, ids)
    hits = [
        SearchHit(
            message_id=r[0],
            thread_id=r[1],
            received_at=r[2],
            subject=r[3],
            status=r[4],
            action=r[5],
            kind=r[6],
            sender_name=r[7] or "",
            sender_address=r[8] or "",
            sender_role=r[9] or ("gateway" if r[6] != "inbound" else ""),
            thread_subject=r[10],
            external_ref=r[11],
            categories=tuple(sorted(categories.get(r[0], ()))),
        )
        for r in rows[:limit]
    ]
    return SearchPage(hits, has_more=len(rows) > limit)


def _categories(session: Any, ids: list[int]) -> dict[int, set[str]]:
    """Finding categories of the messages on this page (one query, not one per row)."""
    if not ids:
        return {}
    found: dict[int, set[str]] = {}
    rows = session.execute(
        select(Finding.message_id, Finding.category).where(Finding.message_id.in_(ids)).distinct()
    ).all()
    for message_id, category in rows:
        found.setdefault(message_id, set()).add(category)
    return found


def _person(columns: Any, value: str) -> Any:
    """An address matches exactly (indexed); anything else is part of a name or address."""
    value = value.lower()
    if "@" in value:
        return columns.address == value
    pattern = "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(
        func.lower(columns.display_name).like(pattern, escape="\\"),
        columns.address.like(pattern, escape="\\"),
    )


def _like(value: str) -> str:
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(engine: Engine, f: SearchFilters, sender: Any) -> list[Any]:
    """The WHERE clauses for the filters; each uses an index or the full-text table."""
    people = Participant.__table__.c
    conditions: list[Any] = []
    if f.words or f.phrases:
        conditions.append(Message.id.in_(_fulltext(engine, f.words, f.phrases)))
    if f.senders:
        conditions.append(or_(*(_person(sender.c, v) for v in f.senders)))
    for value in f.participants:  # each named person must be in the thread
        conditions.append(
            Message.thread_id.in_(select(people.thread_id).where(_person(people, value)))
        )
    for value in f.relays:
        local = value.lower().split("@", 1)[0]
        conditions.append(
            Message.thread_id.in_(select(people.thread_id).where(people.relay_local == local))
        )
    if f.external_refs:
        conditions.append(Thread.external_ref.in_(f.external_refs))
    if f.thread_ids:
        conditions.append(Message.thread_id.in_(f.thread_ids))
    for value in f.subjects:
        pattern = _like(value)
        conditions.append(
            or_(
                func.lower(Message.subject).like(pattern, escape="\\"),
                func.lower(Thread.subject).like(pattern, escape="\\"),
            )
        )
    if f.categories or f.kinds:
        finding = select(Finding.message_id)
        if f.categories:
            finding = finding.where(Finding.category.in_(f.categories))
        if f.kinds:
            finding = finding.where(Finding.kind.in_(f.kinds))
        conditions.append(Message.id.in_(finding))
    if f.statuses:
        conditions.append(Message.status.in_(f.statuses))
    if f.actions:
        conditions.append(Message.action.in_(f.actions))
    if f.stages:
        conditions.append(Thread.stage.in_(f.stages))
    if f.after is not None:
        conditions.append(Message.received_at >= f.after)
    if f.before is not None:
        conditions.append(Message.received_at < f.before)
    return conditions


def _fulltext(engine: Engine, words: tuple[str, ...], phrases: tuple[str, ...]) -> Any:
    """SELECT of the ids of messages containing every word and phrase."""
    fts = table("message_fts")
    if engine.dialect.name == "sqlite":
        # FTS5 syntax: each word or phrase quoted (so AND/OR/NEAR/* in input are just words).
        terms = [f'"{t.replace(chr(34), chr(34) * 2)}"' for t in (*words, *phrases)]
        return (
            select(column("rowid"))
            .select_from(fts)
            .where(text("message_fts MATCH :fts_query").bindparams(fts_query=" ".join(terms)))
        )
    parts = []
    params = []
    for i, word in enumerate(words):
        parts.append(f"plainto_tsquery('simple', :w{i})")
        params.append(bindparam(f"w{i}", word))
    for i, phrase in enumerate(phrases):
        parts.append(f"phraseto_tsquery('simple', :p{i})")
        params.append(bindparam(f"p{i}", phrase))
    condition = text("tsv @@ (" + " && ".join(parts) + ")").bindparams(*params)
    return select(column("message_id")).select_from(fts).where(condition)
