"""Deployment units: they compose the constructs and wire the grants."""
