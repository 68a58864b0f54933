"""One error envelope for every failure the API reports, and the handlers that produce it.

``{"error": {"code": "...", "message": "...", "details": [...]}, "request_id": "..."}``. Codes are
stable (docs/api.md lists them); clients branch on ``code``, never on ``message``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CODES", "ApiError", "BodyLimitMiddleware", "RequestIdMiddleware", "envelope", "install_handlers"]

log = logging.getLogger("pactline.api")

# Default code for each status the API uses.
CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    500: "internal",
    503: "unavailable",
}


class ApiError(StarletteHTTPException):
    """Raise anywhere in a router: becomes the envelope with this status, code, message and details."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        details: list[Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=status, detail=message, headers=headers)
        self.code = code or CODES.get(status, "error")
        self.message = message
        self.details = details or []


def request_id(request: Request) -> str:
    rid = request.scope.get("state", {}).get("request_id")
    return str(rid) if rid else uuid.uuid4().hex


def envelope(
    status: int, code: str, message: str, details: list[Any], rid: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details}, "request_id": rid}
    out_headers = {"X-Request-ID": rid, **(headers or {})}
    return JSONResponse(body, status_code=status, headers=out_headers)


def _loc(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(p) for p in loc)


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc, ApiError):
            return envelope(exc.status_code, exc.code, exc.message, exc.details, request_id(request), exc.headers)
        status = exc.status_code
        message = str(exc.detail) if exc.detail else CODES.get(status, "error")
        if status == 404 and exc.detail == "Not Found":
            message = f"no such endpoint: {request.method} {request.url.path} (see /docs)"
        elif status == 405:
            message = f"{request.method} is not allowed on {request.url.path} (see /docs)"
        return envelope(status, CODES.get(status, "error"), message, [], request_id(request), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"location": _loc(e.get("loc", ())), "code": e.get("type", "invalid"), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        where = ", ".join(d["location"] for d in details[:5])
        return envelope(422, "invalid_request", f"invalid request: {where}", details, request_id(request))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        rid = request_id(request)
        log.exception("unhandled error in %s %s (request %s)", request.method, request.url.path, rid)
        return envelope(500, "internal", f"internal error; quote request id {rid} to the operator", [], rid)


class RequestIdMiddleware:
    """Gives every request an id (``X-Request-ID`` if the client sent a sane one) and echoes it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = given if 0 < len(given) <= 64 and all(c.isalnum() or c in "-_." for c in given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                headers.append((b"x-request-id", rid.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_id)


class BodyLimitMiddleware:
    """Refuses bodies past a limit: at once from Content-Length, else while reading (413 either way).

    ``limit_for(path)`` gives the limit of a path: batch uploads get ``--max-body-bytes``, other
    documents a smaller cap.
    """

    def __init__(self, app: ASGIApp, limit_for: Any) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit: int = self.limit_for(scope["path"])
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = -1
            if declared < 0:
                await self._reject(scope, send, 400, "bad_request", "the Content-Length header is not a number")
                return
            if declared > limit:
                await self._reject(scope, send, 413, "too_large", f"the body is {declared} bytes; the limit is {limit}")
                return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise ApiError(413, f"the body is larger than the limit of {limit} bytes", code="too_large")
            return message

        await self.app(scope, counting_receive, send)

    @staticmethod
    async def _reject(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
        rid = scope.get("state", {}).get("request_id") or uuid.uuid4().hex
        response = envelope(status, code, message, [], rid)
        await response({"type": "http"}, _noop_receive, send)


async def _noop_receive() -> Message:  # pragma: no cover - responses do not read
    return {"type": "http.disconnect"}
