"""The search page: one box with the query language, plus fields for the common filters."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from gateway.web.deps import CurrentUser, Web
from gateway.web.query import CATEGORIES, KEYS, STATUSES, QueryError, parse_date, parse_query
from storage.search import search

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def search_page(
    request: Request,
    web: Web,
    user: CurrentUser,
    q: Annotated[str, Query(max_length=1000)] = "",
    category: Annotated[str, Query(max_length=16)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    after: Annotated[str, Query(max_length=10)] = "",
    before: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
) -> Response:
    size = web.settings.web.page_size
    error = ""
    results = None
    try:
        filters = parse_query(q, relay_domain=web.settings.relay.domain)
        if category:
            filters = replace(filters, categories=(*filters.categories, _known(category)))
        if status:
            filters = replace(filters, statuses=(*filters.statuses, _known_status(status)))
        if after:
            filters = replace(filters, after=parse_date("after", after))
        if before:
            filters = replace(filters, before=parse_date("before", before))
        results = await web.read(search, web.reader, filters, limit=size, offset=(page - 1) * size)
    except QueryError as exc:
        error = str(exc)
    params = {"q": q, "category": category, "status": status, "after": after, "before": before}
    kept = {k: v for k, v in params.items() if v}
    return web.templates.TemplateResponse(
        request,
        "search.html",
        {
            "user": user,
            "error": error,
            "results": results,
            "page": page,
            "form": params,
            "categories": CATEGORIES,
            "statuses": STATUSES,
            "keys": KEYS,
            "prev_url": "/?" + urlencode({**kept, "page": page - 1}) if page > 1 else "",
            "next_url": "/?" + urlencode({**kept, "page": page + 1})
            if results and results.has_more
            else "",
        },
        status_code=400 if error else 200,
    )


def _known(category: str) -> str:
    if category not in CATEGORIES:
        raise QueryError(f"category {category!r} is not known; use one of {', '.join(CATEGORIES)}")
    return category


def _known_status(status: str) -> str:
    if status not in STATUSES:
        raise QueryError(f"status {status!r} is not known; use one of {', '.join(STATUSES)}")
    return status
