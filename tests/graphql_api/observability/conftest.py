"""The moto server fixtures of the engine tests, for the Athena stats tests."""

from tests.graphql_api.engines.conftest import aws_credentials, moto, moto_endpoint

__all__ = ["aws_credentials", "moto", "moto_endpoint"]
