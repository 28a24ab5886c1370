"""Access control: optional API keys and per-client rate limits, before anything else runs."""
