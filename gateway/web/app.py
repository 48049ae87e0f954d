"""The web application: support pages and the platform API in one FastAPI app.

`create_app(services)` is what `gateway serve` mounts next to SMTP (sharing the gateway's
Services: one database pool, one outbox doorbell); `create_app(settings)` builds its own
Services for `gateway web` alone. Every route needs a login (pages) or a bearer token (API)
except the login form and the stylesheet; every response carries a strict
Content-Security-Policy; no page uses JavaScript.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from gateway.config import Settings
from gateway.services import Services
from gateway.web import api, audit, auth, holds, search, thread
from gateway.web.context import TEMPLATES, WebContext
from gateway.web.deps import ApiAuthError, ApiClient
from gateway.web.security import SECURITY_HEADERS, LoginRequired, User

API_PREFIX = "/api/"


def create_app(services_or_settings: Services | Settings) -> FastAPI:
    """The app for a running gateway's Services, or for Settings (opens its own database)."""
    if isinstance(services_or_settings, Settings):
        from gateway.server import open_database

        services = Services.build(services_or_settings, open_database(services_or_settings))
        owns_services = True
    else:
        services = services_or_settings
        owns_services = False
    web = WebContext.build(services)
    app = FastAPI(
        title="relay gateway platform API",
        version="1",
        description=(
            "Create conversations and get relay addresses, read what was archived and "
            "decided, set a conversation's stage and its policy exemptions. "
            "Authenticate with `Authorization: Bearer <token>` ([api] tokens)."
        ),
        openapi_url=None,  # served below, behind the bearer token
        docs_url=None,  # Swagger UI loads remote scripts; the CSP forbids them anyway
        redoc_url=None,
    )
    app.state.web = web
    app.state.owns_services = owns_services
    for module in (auth, search, thread, holds, audit, api):
        app.include_router(module.router)
    _install_handlers(app)

    @app.get("/api/v1/openapi.json", include_in_schema=False)
    async def openapi(client: ApiClient) -> dict[str, Any]:
        return openapi_schema(app)

    @app.get("/static/support.css", include_in_schema=False)
    async def stylesheet() -> FileResponse:
        return FileResponse(TEMPLATES / "support.css", media_type="text/css")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.scheme == "https":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    return app


def openapi_schema(app: FastAPI) -> dict[str, Any]:
    """The API's OpenAPI description (pages are excluded), generated once."""
    if app.openapi_schema is None:
        app.openapi_schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
    return app.openapi_schema


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _error_json(status: int, error: str, message: str, details: Any = None, headers=None):
    body: dict[str, Any] = {"error": error, "message": message}
    if details is not None:
        body["details"] = details
    return JSONResponse(body, status_code=status, headers=headers)


def _error_page(request: Request, status: int, message: str) -> Response:
    web: WebContext = request.app.state.web
    return web.templates.TemplateResponse(
        request,
        "error.html",
        {"user": None, "status": status, "title": HTTPStatus(status).phrase, "message": message},
        status_code=status,
    )


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if _is_api(request):
            return _error_json(401, "unauthorized", "log in or send a bearer token")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/"
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(ApiAuthError)
    async def api_auth(request: Request, exc: ApiAuthError) -> Response:
        return _error_json(
            401, "unauthorized", exc.message, headers={"WWW-Authenticate": 'Bearer realm="api"'}
        )

    @app.exception_handler(api.ApiError)
    async def api_error(request: Request, exc: api.ApiError) -> Response:
        return _error_json(exc.status, exc.error, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        details = [
            {
                "loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
                "msg": str(e.get("msg", "")).removeprefix("Value error, "),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors()
        ]
        if _is_api(request):
            first = details[0] if details else {"loc": [], "msg": "invalid"}
            where = ".".join(str(p) for p in first["loc"][1:]) or "request"
            return _error_json(422, "invalid_request", f"{where}: {first['msg']}", details)
        text = "; ".join(f"{'.'.join(map(str, d['loc'][1:]))}: {d['msg']}" for d in details)
        return _error_page(request, 400, text or "The request was not understood.")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request) or request.url.path.startswith("/static/"):
            code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_")
            return _error_json(exc.status_code, code, str(exc.detail), headers=exc.headers)
        return _error_page(request, exc.status_code, str(exc.detail))


__all__ = ["User", "create_app", "openapi_schema"]
