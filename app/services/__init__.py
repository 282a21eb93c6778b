"""Use cases. Each public method is one unit of work in one transaction and returns dataclasses."""
