"""Logging in and out of the support pages (accounts from [[web.users]] in the config)."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.web.audit import record
from gateway.web.deps import FormUser, Web
from gateway.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    create_session,
    end_session,
    is_https,
    verify_password,
)

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a local path may follow a login (no open redirect to another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def _login_page(
    request: Request, web: Web, *, error: str = "", status: int = 200, next_url: str = "/"
) -> Response:
    token = secrets.token_urlsafe(32)
    response = web.templates.TemplateResponse(
        request,
        "login.html",
        {"csrf_token": token, "error": error, "next": next_url, "user": None},
        status_code=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
        path="/login",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, web: Web, next: str = "/") -> Response:
    return _login_page(request, web, next_url=_safe_next(next))


@router.post("/login")
async def login(
    request: Request,
    web: Web,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    check_csrf(request.cookies.get(LOGIN_CSRF_COOKIE, ""), csrf_token)
    client = request.client.host if request.client else "unknown"
    keys = (f"ip:{client}", f"user:{username.lower()}")
    wait = web.limiter.retry_after(*keys)
    if wait:
        response = _login_page(
            request,
            web,
            error=f"Too many failed attempts. Try again in {wait} seconds.",
            status=429,
            next_url=_safe_next(next),
        )
        response.headers["Retry-After"] = str(wait)
        return response
    account = await web.read(verify_password, web.users, username, password)
    if account is None:
        web.limiter.failed(*keys)
        await record(web, username[:64] or "-", "login.failed", "user", username[:64], ip=client)
        return _login_page(
            request,
            web,
            error="Unknown user or wrong password.",
            status=401,
            next_url=_safe_next(next),
        )
    web.limiter.succeeded(keys[1])
    token, _csrf = await web.write(
        create_session, web.writer, account.name, web.settings.web.session_lifetime
    )
    await record(web, account.name, "login", "user", account.name, ip=client)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(web.settings.web.session_lifetime),
        httponly=True,
        samesite="strict",
        secure=is_https(request),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, web: Web, user: FormUser) -> Response:
    await web.write(end_session, web.writer, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
