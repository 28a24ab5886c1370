"""The landing page at ``/``, its static files, and (optionally) local GraphiQL assets."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from graphql_api.web.graphiql_assets import LOCAL_PREFIX, missing_assets
from graphql_api.web.local_graphiql import LocalGraphiQL

STATIC_DIR = Path(__file__).resolve().parent / "static"
FETCH_COMMAND = "python -m graphql_api.web.fetch_graphiql_assets"


class GraphiQLAssetsMissing(RuntimeError):
    """The configured folder lacks files the GraphiQL page loads."""


def web_router() -> APIRouter:
    """``GET /``: the landing page (its script and style are under ``/static``)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    async def landing_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    return router


def install_web(app: FastAPI, *, graphiql_assets_dir: Path | None = None) -> None:
    """Add the landing page to ``app``; with a folder, serve GraphiQL's assets from it.

    Call before the app starts. ``graphiql_assets_dir`` must hold the files written
    by ``python -m graphql_api.web.fetch_graphiql_assets DIR``.
    """
    if graphiql_assets_dir is not None:
        missing = missing_assets(graphiql_assets_dir)
        if missing:
            raise GraphiQLAssetsMissing(
                f"{graphiql_assets_dir} lacks GraphiQL files {', '.join(missing)}: "
                f"run `{FETCH_COMMAND} {graphiql_assets_dir}` where npm can reach its registry"
            )
        app.mount(
            LOCAL_PREFIX.rstrip("/"),
            StaticFiles(directory=graphiql_assets_dir),
            name="graphiql-assets",
        )
        app.add_middleware(LocalGraphiQL)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(web_router())
