"""The thread page (the conversation as received or as delivered) and raw message downloads.

Opening a thread and downloading a message are audit events: support reads private mail, and
the record says who read what.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.engine import Engine
from sqlmodel import select

from gateway.evidence import ExportError, build_export, write_zip
from gateway.web.audit import record
from gateway.web.deps import CurrentUser, Web
from gateway.web.render import Mark, RenderedMessage, render_message
from storage.archive import get_message, opened_deliveries, opened_messages
from storage.db import session_scope
from storage.models import Delivery, Finding, Message, Participant, Thread, ThreadExemption

router = APIRouter(include_in_schema=False)


@dataclass
class MessageView:
    message: Message
    sender: Participant | None
    findings: list[Finding]
    deliveries: list[tuple[Delivery, Participant | None]]
    received: RenderedMessage | None = None
    delivered: list[tuple[Delivery, RenderedMessage]] = field(default_factory=list)


@dataclass
class ThreadView:
    thread: Thread
    people: list[Participant]
    exemptions: list[ThreadExemption]
    messages: list[MessageView]


def load_thread(engine: Engine, thread_id: str) -> ThreadView | None:
    """Everything the page shows, in a handful of queries (not one per message)."""
    with session_scope(engine) as session:
        thread = session.get(Thread, thread_id)
        if thread is None:
            return None
        people = list(
            session.exec(
                select(Participant)
                .where(Participant.thread_id == thread_id)
                .order_by(Participant.id)
            ).all()
        )
        by_id = {p.id: p for p in people}
        messages = opened_messages(  # bodies are sealed at rest (storage.bodies)
            session,
            list(
                session.exec(
                    select(Message).where(Message.thread_id == thread_id).order_by(Message.id)
                ).all()
            ),
        )
        ids = [m.id for m in messages]
        findings: dict[int, list[Finding]] = {}
        for f in session.exec(select(Finding).where(Finding.message_id.in_(ids))).all():
            findings.setdefault(f.message_id, []).append(f)
        deliveries: dict[int, list[Delivery]] = {}
        rows = list(
            session.exec(
                select(Delivery).where(Delivery.message_id.in_(ids)).order_by(Delivery.id)
            ).all()
        )
        for d in opened_deliveries(session, rows, {d.id: thread_id for d in rows}):
            deliveries.setdefault(d.message_id, []).append(d)
        exemptions = list(
            session.exec(
                select(ThreadExemption).where(ThreadExemption.thread_id == thread_id)
            ).all()
        )
        views = [
            MessageView(
                message=m,
                sender=by_id.get(m.sender_id),
                findings=findings.get(m.id, []),
                deliveries=[(d, by_id.get(d.recipient_id)) for d in deliveries.get(m.id, [])],
            )
            for m in messages
        ]
        return ThreadView(thread, people, exemptions, views)


def _render(view: ThreadView, mode: str, max_chars: int, documents: bool) -> None:
    """Fill in the rendered bodies for the chosen view (CPU work, off the event loop)."""
    for mv in view.messages:
        if mode == "received":
            marks = [Mark(f.part, f.start, f.end, f"{f.category}: {f.kind}") for f in mv.findings]
            mv.received = render_message(
                mv.message.raw, marks, max_chars=max_chars, documents=documents
            )
        else:
            mv.delivered = [
                (d, render_message(d.outgoing, [], max_chars=max_chars)) for d, _ in mv.deliveries
            ]


@router.get("/threads/{thread_id}", response_class=HTMLResponse)
async def thread_page(
    request: Request,
    web: Web,
    user: CurrentUser,
    thread_id: str,
    view: Annotated[Literal["received", "delivered"], Query()] = "received",
) -> Response:
    found = await web.read(load_thread, web.reader, thread_id)
    if found is None:
        raise HTTPException(404, f"No thread {thread_id!r}.")
    scanner = web.settings.scanner
    await web.read(_render, found, view, scanner.max_chars, scanner.documents)
    await record(web, user.name, "thread.view", "thread", thread_id, view=view)
    return web.templates.TemplateResponse(
        request,
        "thread.html",
        {"user": user, "t": found, "view": view, "relay": web.services.relay},
    )


def _export_zip(engine: Engine, thread_id: str) -> bytes | None:
    """The thread's evidence export (gateway/evidence.py) as zip bytes, or None: no thread."""
    try:
        export = build_export(engine, thread_id)
    except ExportError:
        return None
    buffer = io.BytesIO()
    write_zip(export, buffer)
    return buffer.getvalue()


@router.get("/threads/{thread_id}/export")
async def thread_export(request: Request, web: Web, user: CurrentUser, thread_id: str) -> Response:
    """The same evidence zip as `gateway threads export ID`, checked offline by
    `gateway archive verify-export`; downloading it is an audit event."""
    data = await web.read(_export_zip, web.reader, thread_id)
    if data is None:
        raise HTTPException(404, f"No thread {thread_id!r}.")
    digest = hashlib.sha256(data).hexdigest()
    await record(web, user.name, "thread.export", "thread", thread_id, format="zip", sha256=digest)
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="thread-{thread_id}.zip"'},
    )


def _raw(engine: Engine, message_id: int) -> tuple[str, bytes] | None:
    """(thread id, the bytes as received); b"" once the body was purged or erased."""
    message = get_message(engine, message_id)
    return (message.thread_id, message.raw) if message else None


@router.get("/messages/{message_id}/raw")
async def raw_message(request: Request, web: Web, user: CurrentUser, message_id: int) -> Response:
    """The message exactly as received, as an .eml download (never rendered by the browser)."""
    found = await web.read(_raw, web.reader, message_id)
    if found is None:
        raise HTTPException(404, f"No message {message_id}.")
    thread_id, raw = found
    await record(
        web, user.name, "message.download", "message", str(message_id), thread_id=thread_id
    )
    return Response(
        raw,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="message-{message_id}.eml"'},
    )
