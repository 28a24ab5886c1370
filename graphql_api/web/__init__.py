"""The landing page and GraphiQL's locally served assets."""

from graphql_api.web.routes import GraphiQLAssetsMissing, install_web, web_router

__all__ = ["GraphiQLAssetsMissing", "install_web", "web_router"]
