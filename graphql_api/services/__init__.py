"""SQL text + parameters, run on a QueryEngine; rows turned into domain objects."""
