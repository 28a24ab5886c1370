"""Wire observability into an app: the middleware and `GET /metrics`."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from graphql_api.observability.metrics import ApiMetrics
from graphql_api.observability.middleware import ObservabilityMiddleware

METRICS_PATH = "/metrics"


def install_observability(app: FastAPI) -> ApiMetrics:
    """Add the request log and metrics middleware (call it after every other middleware,
    so it is the outermost) and the Prometheus endpoint; return the app's metrics."""
    metrics = ApiMetrics()
    app.state.metrics = metrics

    async def prometheus_metrics() -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route(METRICS_PATH, prometheus_metrics, methods=["GET"], include_in_schema=False)
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)
    return metrics
