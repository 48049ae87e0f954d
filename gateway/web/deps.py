"""FastAPI dependencies: the logged-in user, role checks, CSRF-checked forms, API clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gateway.config import ApiToken
from gateway.web.context import WebContext
from gateway.web.security import (
    SESSION_COOKIE,
    LoginRequired,
    User,
    check_csrf,
    load_session,
    token_matches,
)


def web_context(request: Request) -> WebContext:
    return request.app.state.web


Web = Annotated[WebContext, Depends(web_context)]


async def current_user(request: Request, web: Web) -> User:
    """The user of a valid session whose account still exists; else LoginRequired (-> /login)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    row = await web.read(load_session, web.reader, token) if token else None
    account = web.users.get(row.username.lower()) if row else None
    if row is None or account is None:
        raise LoginRequired()
    return User(name=account.name, role=account.role, csrf=row.csrf)


CurrentUser = Annotated[User, Depends(current_user)]


def require(role: str):
    """A dependency: the current user, who must have at least `role` (else 403)."""

    async def check(user: CurrentUser) -> User:
        if not user.can(role):
            raise HTTPException(403, f"This needs the {role} role; you are {user.role}.")
        return user

    return check


async def form_user(request: Request, user: CurrentUser) -> User:
    """The current user, for a POSTed form whose CSRF token must match the session's."""
    form = await request.form()
    token = form.get("csrf_token")
    check_csrf(user.csrf, token if isinstance(token, str) else None)
    return user


FormUser = Annotated[User, Depends(form_user)]

_bearer = HTTPBearer(auto_error=False, description="A token from [api] tokens in the config.")


class ApiAuthError(Exception):
    """Missing or wrong bearer token (401 with a JSON body and WWW-Authenticate)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


async def api_client(
    web: Web, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> ApiToken:
    """The API client named by a valid bearer token."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiAuthError("send 'Authorization: Bearer <token>' with a token from [api] tokens")
    client = token_matches(web.settings.api.tokens, credentials.credentials)
    if client is None:
        raise ApiAuthError("the bearer token is not valid")
    return client


ApiClient = Annotated[ApiToken, Depends(api_client)]
