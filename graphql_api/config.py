"""Typed settings, read from STOCK_ANALYTICS_* environment variables and a .env file."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from graphql_api.cost import DEFAULT_MAX_QUERY_COST
from graphql_api.service_contract import CONTAINER_PORT, SETTINGS_PREFIX


class Settings(BaseSettings):
    """Everything the API can be configured with; nothing else reads the environment."""

    model_config = SettingsConfigDict(
        env_prefix=SETTINGS_PREFIX,
        env_file=".env",
        extra="ignore",
        frozen=True,
        # A refused value is never echoed: it may be a secret (STOCK_ANALYTICS_API_KEYS).
        hide_input_in_errors=True,
    )

    engine: Literal["duckdb", "athena"] = "duckdb"
    warehouse: str = Field(
        default="warehouse",
        description="DuckDB: the local warehouse folder. Athena: s3://bucket/prefix of the "
        "warehouse, where the ETL writes _dataset.json.",
    )
    host: str = "127.0.0.1"
    port: int = Field(
        default=CONTAINER_PORT, ge=0, le=65535, description="0: any free port, printed at start"
    )
    log_level: str = "info"

    query_timeout_seconds: float = Field(default=30.0, gt=0)
    request_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        description="wall-clock budget of one request, from its first byte read to its "
        "answer; past it the request is stopped with QUERY_TIMEOUT (HTTP 504)",
    )
    max_range_days: int = Field(
        default=7305, ge=1, description="longest date range a query may ask for (20 years)"
    )

    cache_max_entries: int = Field(
        default=2048, ge=0, description="result cache size; 0 turns the cache off"
    )
    response_cache_max_entries: int = Field(
        default=1024,
        ge=0,
        description="whole GraphQL responses kept (graphql_api/response_cache.py); 0 turns "
        "that cache off",
    )
    response_cache_max_bytes: int = Field(default=32 * 1024 * 1024, ge=0)
    dataset_check_seconds: float = Field(
        default=1.0,
        ge=0,
        description="how often to re-read _dataset.json for a new dataset version",
    )

    max_query_depth: int = Field(default=10, ge=1)
    max_query_tokens: int = Field(default=2000, ge=1)
    max_query_aliases: int = Field(default=30, ge=1)
    max_query_cost: int = Field(
        default=DEFAULT_MAX_QUERY_COST,
        ge=1,
        description="largest static cost of an operation (about the values its answer "
        "holds, docs/api.md); over it the operation is refused with QUERY_TOO_COSTLY",
    )
    max_body_bytes: int = Field(
        default=64 * 1024, ge=1024, description="largest request body; larger is refused (413)"
    )
    body_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="a request's whole body must arrive within this long of the request's "
        "start, else 408",
    )
    max_header_bytes: int = Field(
        default=16 * 1024,
        ge=1024,
        description="largest request line plus headers, counted while they are incomplete "
        "(graphql_api/http_protocol.py); larger is refused (431)",
    )
    header_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="a request's line and headers must arrive within this long of their "
        "first byte (or of the connection's start), else 408 and the connection is closed",
    )
    keep_alive_seconds: int = Field(
        default=5,
        ge=1,
        description="an idle keep-alive connection is closed after this long (uvicorn's "
        "timeout_keep_alive); behind a load balancer, longer than its idle timeout",
    )

    graphiql_assets_dir: Path | None = Field(
        default=None,
        description="serve GraphiQL's files from this folder instead of a CDN "
        "(docs/landing-page.md)",
    )

    http_cache_max_age_seconds: int = Field(
        default=60,
        ge=0,
        description="Cache-Control max-age of a successful GET answer for the current "
        "dataset version (a pinned version's answer is immutable: a year)",
    )
    http_cache_stale_while_revalidate_seconds: int = Field(
        default=600,
        ge=0,
        description="Cache-Control stale-while-revalidate of the same answers",
    )
    persisted_queries_max_entries: int = Field(
        default=10_000,
        ge=0,
        description="automatic persisted queries remembered per process (least recently "
        "used out first); a client whose hash was forgotten sends its query again",
    )
    trusted_documents: Path | None = Field(
        default=None,
        description="an Apollo persisted query manifest (JSON): when set, only the "
        "operations it lists run, by hash or by text (docs/api.md)",
    )

    allow_introspection: bool = Field(
        default=True, description="answer __schema / __type queries (GraphiQL needs them)"
    )
    require_api_key: bool = Field(
        default=False, description="refuse requests without a valid key (/health stays open)"
    )
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="accepted API keys: comma-separated, or a JSON list of strings",
    )
    client_address_header: str | None = Field(
        default=None,
        description="a header a trusted CDN sets to the viewer's address (CloudFront: "
        "CloudFront-Viewer-Address), used for per-address limits and logs; set it only "
        "where no client can reach the API without passing that CDN",
    )
    rate_limit_per_second: float = Field(
        default=50.0, ge=0, description="requests per second per client; 0 turns limits off"
    )
    rate_limit_burst: int = Field(default=100, ge=1, description="requests a client may burst")
    failed_auth_per_second: float = Field(
        default=0.2,
        ge=0,
        description="wrong or missing API keys per second per address, after the burst; "
        "past it the address is refused with 429; 0 turns this limit off",
    )
    failed_auth_burst: int = Field(
        default=10, ge=1, description="wrong or missing API keys an address may send at once"
    )

    duckdb_threads: int = Field(default=4, ge=1, description="concurrent DuckDB queries")
    duckdb_worker_threads: int | None = Field(
        default=None,
        ge=1,
        description="DuckDB's own threads, that one query can use (None: one per core). "
        "With more than one, avg and stddev over many rows can differ in the last bits "
        "from one run to the next (the order partial sums are combined in varies); "
        "1 makes them reproducible",
    )
    duckdb_memory_max_table_bytes: int = Field(
        default=32 * 1024 * 1024,
        ge=0,
        description="DuckDB: a table of a dataset version with at most this many bytes of "
        "Parquet is loaded into memory when the version is first asked for, and freed when "
        "the version is no longer retained; larger tables are read from their files at each "
        "query; 0 loads none",
    )

    athena_database: str = "stock_analytics"
    athena_workgroup: str = "primary"
    athena_output: str | None = Field(
        default=None, description="s3:// location for results, when the workgroup sets none"
    )
    athena_result_reuse_minutes: int = Field(
        default=60, ge=0, description="Athena result reuse max age; 0 turns reuse off"
    )
    athena_bytes_scanned_cutoff: int | None = Field(
        default=None,
        ge=1,
        description="the workgroup's bytes-scanned cutoff per query: a statement whose "
        "estimated scan (the Parquet bytes of the partitions it reads) is over it is "
        "refused with QUERY_TOO_COSTLY before it starts; None: no estimate is checked",
    )
    athena_max_concurrent_queries: int = Field(default=5, ge=1)
    athena_poll_initial_seconds: float = Field(default=0.05, gt=0)
    athena_poll_max_seconds: float = Field(
        default=0.1,
        gt=0,
        description="polling cap: an answer follows SUCCEEDED within about this long",
    )
    athena_throttle_retries: int = Field(default=4, ge=0)
    aws_region: str = Field(
        default="us-east-1",
        validation_alias=AliasChoices("STOCK_ANALYTICS_AWS_REGION", "AWS_REGION"),
    )
    aws_endpoint_url: str | None = Field(
        default=None, description="a non-AWS endpoint for Athena and S3 (tests: moto)"
    )

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_api_keys(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if not text.startswith("["):
            keys: list[object] = list(text.split(","))
        else:
            try:
                keys = json.loads(text)
            except ValueError:
                raise ValueError("neither a JSON list of strings nor comma-separated") from None
        return [key.strip() for key in keys if isinstance(key, str) and key.strip()]

    @model_validator(mode="after")
    def _keys_when_required(self) -> Settings:
        if self.require_api_key and not self.api_keys:
            raise ValueError(
                "STOCK_ANALYTICS_REQUIRE_API_KEY is true, but STOCK_ANALYTICS_API_KEYS is empty"
            )
        return self

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse)


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once; tests pass their own Settings instead."""
    return Settings()
