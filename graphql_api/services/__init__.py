"""SQL text + parameters, run on a QueryEngine; rows checked (rows.py) into the records of
graphql_api/types, which GraphQL and the REST aliases both serve."""
