"""Ingest: read each configured source file into `raw.<source>` with lineage columns."""

from pipeline.ingest.load import ingest_all, ingest_source

__all__ = ["ingest_all", "ingest_source"]
