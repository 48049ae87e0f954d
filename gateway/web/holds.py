"""The holds queue: held messages oldest first, released or rejected by moderators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway import holds
from gateway.web.deps import CurrentUser, Web, form_user
from gateway.web.security import User

router = APIRouter(include_in_schema=False)


@router.get("/holds", response_class=HTMLResponse)
async def holds_page(
    request: Request,
    web: Web,
    user: CurrentUser,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
    done: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    size = web.settings.web.page_size
    rows = await web.read(holds.list_holds, web.reader, limit=size + 1, offset=(page - 1) * size)
    return web.templates.TemplateResponse(
        request,
        "holds.html",
        {
            "user": user,
            "holds": rows[:size],
            "has_more": len(rows) > size,
            "page": page,
            "done": done,
        },
    )


async def _moderator_form(user: Annotated[User, Depends(form_user)]) -> User:
    if not user.can("moderator"):
        raise HTTPException(
            403, f"Releasing and rejecting needs the moderator role; you are {user.role}."
        )
    return user


Moderator = Annotated[User, Depends(_moderator_form)]


def _back(form_next: str, message: str) -> RedirectResponse:
    from urllib.parse import quote

    target = form_next if form_next.startswith("/") and not form_next.startswith("//") else "/holds"
    sep = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{sep}done={quote(message)}", status_code=303)


@router.post("/holds/{message_id}/release")
async def release(
    web: Web,
    user: Moderator,
    message_id: int,
    reason: Annotated[str, Form(max_length=2000)] = "",
    next: Annotated[str, Form(max_length=500)] = "/holds",
) -> Response:
    try:
        await web.write(
            holds.release_hold, web.services, message_id, actor=user.name, reason=reason
        )
    except holds.HoldError as exc:
        raise HTTPException(409, str(exc)) from None
    web.services.outbox_wakeup.set()  # on the loop's own thread: wakes the worker at once
    return _back(next, f"Message {message_id} released.")


@router.post("/holds/{message_id}/reject")
async def reject(
    web: Web,
    user: Moderator,
    message_id: int,
    reason: Annotated[str, Form(max_length=2000)] = "",
    next: Annotated[str, Form(max_length=500)] = "/holds",
) -> Response:
    if not reason.strip():
        raise HTTPException(400, "A reason is required to reject a held message.")
    try:
        await web.write(holds.reject_hold, web.services, message_id, actor=user.name, reason=reason)
    except holds.HoldError as exc:
        raise HTTPException(409, str(exc)) from None
    return _back(next, f"Message {message_id} rejected.")
