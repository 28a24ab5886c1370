"""DataLoaders for per-stock fields, made fresh for every request."""
