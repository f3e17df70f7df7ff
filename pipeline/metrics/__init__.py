"""Metrics: one module per evaluation question, each writing a tidy `metrics.<name>` table.

Every table has its dimension columns, then n, estimate, ci_low, ci_high and method, so the
report, notebooks and ad hoc SQL all read the same numbers.
"""

from pipeline.metrics.run import METRICS, run_metrics

__all__ = ["METRICS", "run_metrics"]
