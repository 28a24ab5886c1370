"""What the API's container promises whoever deploys it: its port, its health path, and
how its settings are named in the environment.

Plain Python on purpose: the CDK stack reads it (like etl/tables.py) to render the task
definition, the load balancer's health check and the container's environment, so the
two sides cannot drift apart.
"""

from __future__ import annotations

SETTINGS_PREFIX = "STOCK_ANALYTICS_"
CONTAINER_PORT = 8000
HEALTH_PATH = "/health"
GRAPHQL_PATH = "/graphql"
VIEWER_ADDRESS_HEADER = "CloudFront-Viewer-Address"
"""What the CDN in front of the API sends as the viewer's address (the client the per-address
limits count), when the deployment has one."""


def setting_variable(field: str) -> str:
    """The environment variable of the Settings field `field`: `engine` ->
    STOCK_ANALYTICS_ENGINE."""
    return f"{SETTINGS_PREFIX}{field.upper()}"
