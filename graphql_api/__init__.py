"""The GraphQL API: FastAPI + Strawberry over a query engine (DuckDB or Athena)."""
