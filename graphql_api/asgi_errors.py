"""A GraphQL-shaped JSON error sent straight from an ASGI middleware."""

from __future__ import annotations

import json

from starlette.types import Send

from graphql_api.observability.stats import record_error_code


def error_body(code: str, message: str, **extensions: str) -> dict[str, object]:
    """The one shape of every error answer outside GraphQL execution."""
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


async def send_error(
    send: Send,
    status: int,
    code: str,
    message: str,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Answer `status` with `{"errors": [{"message", "extensions": {"code"}}]}`."""
    record_error_code(code)
    body = json.dumps(error_body(code, message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
