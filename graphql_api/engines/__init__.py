"""Query engines: one async protocol, an embedded DuckDB and Athena."""
