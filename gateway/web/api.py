"""The platform API, /api/v1: create conversations, read them, set their stage, exempt them.

Bearer tokens from [api] tokens. Input is validated by pydantic models (unknown fields, control
characters and malformed addresses are refused with 422), every error is a JSON body
`{"error": code, "message": text, "details": [...]}`, and the OpenAPI description at
/api/v1/openapi.json is generated from the same models (tests run schemathesis against it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from gateway.conversations import ConversationError, open_thread, thread_json
from gateway.web.deps import ApiClient, Web
from gateway.web.thread import load_thread
from storage.threads import (
    ExemptionNotFound,
    NewParticipant,
    ThreadNotFound,
    add_exemption,
    get_thread,
    list_exemptions,
    remove_exemption,
    set_stage,
)

# The same rules as the JSON schema patterns below, so the OpenAPI description tells the truth.
ADDRESS_PATTERN = r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"  # one line of text: no control characters
SOME_TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*[^\x00-\x20\x7f][^\x00-\x1f\x7f]*$"  # not blank


def _clean(value: str | None) -> str | None:
    """Refuse text that is not valid Unicode (lone surrogates; the patterns do the rest)."""
    if value is None:
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParticipantIn(_In):
    """A person in the conversation and the real address the gateway relays to."""

    role: str = Field(
        min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_-]*$", examples=["client"]
    )
    name: str = Field(default="", max_length=255, pattern=LINE_PATTERN, examples=["Ann Lee"])
    address: str = Field(
        min_length=3, max_length=320, pattern=ADDRESS_PATTERN, examples=["ann@example.org"]
    )

    _name = field_validator("name")(_clean)


class ThreadIn(_In):
    """A new conversation."""

    subject: str = Field(
        min_length=1, max_length=998, pattern=SOME_TEXT_PATTERN, examples=["Logo design"]
    )
    external_ref: str | None = Field(
        default=None, min_length=1, max_length=255, pattern=LINE_PATTERN, examples=["order-4711"]
    )
    participants: list[ParticipantIn] = Field(min_length=2, max_length=20)

    _subject = field_validator("subject", "external_ref")(lambda v: v if v is None else _clean(v))


class ParticipantOut(BaseModel):
    role: str
    name: str
    address: str
    relay_address: str = Field(description="Give this address to the other participants.")


class ThreadOut(BaseModel):
    id: str
    subject: str
    status: Literal["open", "closed"]
    stage: str
    external_ref: str | None
    created_at: datetime
    participants: list[ParticipantOut]


class FindingOut(BaseModel):
    category: str
    kind: str
    part: str
    confidence: float


class DeliveryOut(BaseModel):
    recipient_role: str | None
    recipient: str
    status: str
    attempts: int
    finished_at: datetime | None


class MessageOut(BaseModel):
    id: int
    kind: str
    received_at: datetime
    subject: str
    sender_role: str | None
    status: str
    action: str
    decision: dict[str, Any]
    sha256: str
    findings: list[FindingOut]
    deliveries: list[DeliveryOut]


class ExemptionOut(BaseModel):
    id: int
    scope: str
    reason: str
    actor: str
    created_at: datetime


class ThreadDetail(ThreadOut):
    messages: list[MessageOut]
    exemptions: list[ExemptionOut]


class StageIn(_In):
    stage: Literal["inquiry", "contract", "closed"]


class ExemptionIn(_In):
    scope: str = Field(
        pattern=r"^[a-z][a-z_]{0,31}$",
        description=(
            "Which findings the policy ignores in this thread: a category (contact, payment), "
            "a finding kind (e.g. phone, iban) or all."
        ),
    )
    reason: str = Field(min_length=1, max_length=2000, pattern=SOME_TEXT_PATTERN)

    _reason = field_validator("reason")(_clean)


class ErrorDetail(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(BaseModel):
    """Every 4xx answer of the API."""

    error: str = Field(examples=["not_found"])
    message: str
    details: list[ErrorDetail] | None = None


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The body could not be read (not JSON)"},
    401: {"model": ErrorOut, "description": "Missing or invalid bearer token"},
    422: {"model": ErrorOut, "description": "The request does not match the schema"},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "No such thread (or exemption)"}
}

router = APIRouter(prefix="/api/v1", tags=["threads"], responses=_ERRORS)

ThreadId = Annotated[str, Path(min_length=1, max_length=32, description="A thread id (th_...)")]


class ApiError(Exception):
    """A 4xx answer with a machine-readable code."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message


def _not_found(thread_id: str) -> ApiError:
    return ApiError(404, "not_found", f"no thread {thread_id!r}")


@router.post(
    "/threads",
    status_code=201,
    response_model=ThreadOut,
    responses={
        409: {
            "model": ErrorOut,
            "description": "Participants conflict: two with one address, or a relay address",
        }
    },
    summary="Create a conversation; returns every participant's relay address",
)
async def create_thread(
    web: Web, client: ApiClient, body: Annotated[ThreadIn, Body()], response: Response
) -> dict[str, Any]:
    relay_domain = "@" + web.settings.relay.domain
    for p in body.participants:
        if p.address.endswith(relay_domain):
            raise ApiError(
                409, "conflict", f"{p.address} is a relay address, not a participant's own address"
            )
    try:
        data = await web.write(
            open_thread,
            web.writer,
            web.services.relay,
            subject=body.subject,
            participants=[NewParticipant(p.role, p.name, p.address) for p in body.participants],
            external_ref=body.external_ref,
            actor=f"api:{client.name}",
            default_stage=web.settings.policy.default_stage,
        )
    except ConversationError as exc:
        raise ApiError(409, "conflict", str(exc)) from None
    response.headers["Location"] = f"/api/v1/threads/{data['id']}"
    return data


@router.get(
    "/threads/{thread_id}",
    response_model=ThreadDetail,
    responses=_NOT_FOUND,
    summary="A conversation with its messages' metadata, decisions and deliveries",
)
async def read_thread(web: Web, client: ApiClient, thread_id: ThreadId) -> dict[str, Any]:
    view = await web.read(load_thread, web.reader, thread_id)
    if view is None:
        raise _not_found(thread_id)
    data = thread_json(
        web.services.relay,
        view.thread,
        view.people,
        default_stage=web.settings.policy.default_stage,
    )
    data["messages"] = [
        {
            "id": mv.message.id,
            "kind": mv.message.kind,
            "received_at": mv.message.received_at,
            "subject": mv.message.subject,
            "sender_role": mv.sender.role if mv.sender else None,
            "status": mv.message.status,
            "action": mv.message.action,
            "decision": mv.message.decision,
            "sha256": mv.message.sha256,
            "findings": [
                {"category": f.category, "kind": f.kind, "part": f.part, "confidence": f.confidence}
                for f in mv.findings
            ],
            "deliveries": [
                {
                    "recipient_role": person.role if person else None,
                    "recipient": d.recipient,
                    "status": d.status,
                    "attempts": d.attempts,
                    "finished_at": d.finished_at,
                }
                for d, person in mv.deliveries
            ],
        }
        for mv in view.messages
    ]
    data["exemptions"] = [_exemption(e) for e in view.exemptions]
    return data


@router.put(
    "/threads/{thread_id}/stage",
    response_model=ThreadOut,
    responses=_NOT_FOUND,
    summary="Set the stage: inquiry, contract or closed (closed refuses further mail)",
)
async def put_stage(
    web: Web, client: ApiClient, thread_id: ThreadId, body: Annotated[StageIn, Body()]
) -> dict[str, Any]:
    try:
        await web.write(set_stage, web.writer, thread_id, body.stage, actor=f"api:{client.name}")
        thread, people = await web.read(get_thread, web.reader, thread_id)
    except ThreadNotFound:
        raise _not_found(thread_id) from None
    return thread_json(
        web.services.relay, thread, people, default_stage=web.settings.policy.default_stage
    )


def _exemption(row) -> dict[str, Any]:
    return {
        "id": row.id,
        "scope": row.scope,
        "reason": row.reason,
        "actor": row.actor,
        "created_at": row.created_at,
    }


@router.get(
    "/threads/{thread_id}/exemptions",
    response_model=list[ExemptionOut],
    responses=_NOT_FOUND,
    summary="The conversation's policy exemptions",
)
async def get_exemptions(web: Web, client: ApiClient, thread_id: ThreadId) -> list[dict[str, Any]]:
    try:
        await web.read(get_thread, web.reader, thread_id)
    except ThreadNotFound:
        raise _not_found(thread_id) from None
    return [_exemption(e) for e in await web.read(list_exemptions, web.reader, thread_id)]


@router.post(
    "/threads/{thread_id}/exemptions",
    status_code=201,
    response_model=ExemptionOut,
    responses=_NOT_FOUND,
    summary="Exempt the conversation from the policy for a category, a kind or all",
)
async def post_exemption(
    web: Web,
    client: ApiClient,
    thread_id: ThreadId,
    body: Annotated[ExemptionIn, Body()],
    response: Response,
) -> dict[str, Any]:
    try:
        exemption_id = await web.write(
            add_exemption,
            web.writer,
            thread_id,
            scope=body.scope,
            actor=f"api:{client.name}",
            reason=body.reason,
        )
    except ThreadNotFound:
        raise _not_found(thread_id) from None
    rows = await web.read(list_exemptions, web.reader, thread_id)
    response.headers["Location"] = f"/api/v1/threads/{thread_id}/exemptions/{exemption_id}"
    return next(_exemption(e) for e in rows if e.id == exemption_id)


@router.delete(
    "/threads/{thread_id}/exemptions/{exemption_id}",
    status_code=204,
    responses=_NOT_FOUND,
    summary="Remove one exemption",
)
async def delete_exemption(
    web: Web,
    client: ApiClient,
    thread_id: ThreadId,
    exemption_id: Annotated[int, Path(ge=1, le=2**62)],
) -> Response:
    try:
        await web.write(
            remove_exemption, web.writer, thread_id, exemption_id, actor=f"api:{client.name}"
        )
    except ThreadNotFound:
        raise _not_found(thread_id) from None
    except ExemptionNotFound:
        raise ApiError(
            404, "not_found", f"thread {thread_id!r} has no exemption {exemption_id}"
        ) from None
    return Response(status_code=204)
