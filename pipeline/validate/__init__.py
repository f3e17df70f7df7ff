"""Validate: data contracts (YAML) run through Great Expectations; failing rows quarantined."""

from pipeline.validate.run import MODELS_READ, validate_all, validate_source

__all__ = ["MODELS_READ", "validate_all", "validate_source"]
