"""Validate: data contracts (YAML) run through Great Expectations; failing rows quarantined."""

from pipeline.validate.run import validate_all, validate_source

__all__ = ["validate_all", "validate_source"]
