"""Per-request bookkeeping (stats), the JSON request log, Prometheus metrics, X-Query-Stats."""
