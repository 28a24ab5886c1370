from __future__ import annotations

import strawberry


@strawberry.type(description="Whether the service is up, and which engine answers queries.")
class Health:
    status: str = strawberry.field(description="`ok` when the service can take queries.")
    engine: str = strawberry.field(description="The query engine: `duckdb` or `athena`.")
