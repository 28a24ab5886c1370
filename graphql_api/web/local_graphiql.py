"""Serve Strawberry's GraphiQL page with its CDN URLs pointed at local copies.

An ASGI middleware around the app: when ``GET /graphql`` answers with HTML (the
GraphiQL page; Strawberry decides when), the page is rewritten on its way out.
Every other request and response passes through untouched.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphql_api.http_contract import GRAPHQL_PATH
from graphql_api.web.graphiql_assets import local_graphiql_page


class LocalGraphiQL:
    def __init__(self, app: ASGIApp, *, graphql_path: str = GRAPHQL_PATH) -> None:
        self.app = app
        self.graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._may_render_graphiql(scope):
            await self.app(scope, receive, send)
            return

        held_start: list[Message] = []
        body = bytearray()

        async def rewrite_html(message: Message) -> None:
            if message["type"] == "http.response.start":
                content_type = Headers(raw=message["headers"]).get("content-type", "")
                if content_type.startswith("text/html"):
                    held_start.append(message)
                    return
            elif message["type"] == "http.response.body" and held_start:
                body.extend(message.get("body", b""))
                if message.get("more_body", False):
                    return
                page = local_graphiql_page(body.decode("utf-8")).encode("utf-8")
                start = held_start[0]
                MutableHeaders(raw=start["headers"])["content-length"] = str(len(page))
                await send(start)
                await send({"type": "http.response.body", "body": page})
                return
            await send(message)

        await self.app(scope, receive, rewrite_html)

    def _may_render_graphiql(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "GET":
            return False
        path: str = scope["path"]
        return path.rstrip("/") == self.graphql_path
