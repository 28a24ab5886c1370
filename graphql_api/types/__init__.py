"""GraphQL types: one module per type, each a thin adapter over a service's domain object."""
