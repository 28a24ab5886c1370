"""The root Query: thin fields that validate arguments and call services."""
