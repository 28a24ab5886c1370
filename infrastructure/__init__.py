"""The CDK app that deploys the data pipeline and the GraphQL API."""
