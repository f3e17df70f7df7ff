"""ot-eval: evaluation pipeline for strukturert tverrfaglig oppfølgingsteam (OT)."""

__version__ = "0.1.0"
