"""The audit trail as support sees it: who viewed, exported, released or rejected what.

`record` writes one AuditEvent (the same table the CLI and storage functions write to);
the /audit page lists them newest first, filtered by actor, action or target (admins only:
it tells who looked at which conversation).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.engine import Engine
from sqlmodel import select

from gateway.web.deps import Web, require
from gateway.web.security import User
from storage.db import session_scope
from storage.models import AuditEvent

router = APIRouter(include_in_schema=False)


def _add(engine: Engine, actor: str, action: str, target_type: str, target_id: str, details):
    with session_scope(engine) as session:
        session.add(
            AuditEvent(
                actor=actor[:255],
                action=action,
                target_type=target_type,
                target_id=str(target_id)[:64],
                details=details,
            )
        )


async def record(web, actor: str, action: str, target_type: str, target_id: str, **details: Any):
    """Write one audit event through the gateway's writer."""
    await web.write(_add, web.writer, actor, action, target_type, target_id, details)


def audit_page(
    engine: Engine, *, actor: str, action: str, target: str, limit: int, offset: int
) -> list[AuditEvent]:
    with session_scope(engine) as session:
        query = select(AuditEvent)
        if actor:
            query = query.where(AuditEvent.actor == actor)
        if action:
            query = query.where(AuditEvent.action.startswith(action))
        if target:
            query = query.where(AuditEvent.target_id == target)
        query = query.order_by(AuditEvent.id.desc()).limit(limit + 1).offset(offset)
        return list(session.exec(query).all())


@router.get("/audit", response_class=HTMLResponse)
async def audit(
    request: Request,
    web: Web,
    user: Annotated[User, Depends(require("admin"))],
    actor: Annotated[str, Query(max_length=255)] = "",
    action: Annotated[str, Query(max_length=64)] = "",
    target: Annotated[str, Query(max_length=64)] = "",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    size = web.settings.web.page_size
    rows = await web.read(
        audit_page,
        web.reader,
        actor=actor,
        action=action,
        target=target,
        limit=size,
        offset=(page - 1) * size,
    )
    return web.templates.TemplateResponse(
        request,
        "audit.html",
        {
            "user": user,
            "events": rows[:size],
            "has_more": len(rows) > size,
            "page": page,
            "filters": {"actor": actor, "action": action, "target": target},
        },
    )
