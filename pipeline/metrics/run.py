"""Every metric, with its declared definition, and the stage that writes `metrics.<name>`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from pipeline.catalogue import comments
from pipeline.catalogue.describe import metric_columns, metric_text, texts
from pipeline.metrics import interviews, ke, psfs, registry, survey_staff, survey_users, teams
from pipeline.metrics.definition import Definition
from pipeline.sqlutil import ident


@dataclass(frozen=True)
class Metric:
    definition: Definition
    compute: Callable[[duckdb.DuckDBPyConnection], pd.DataFrame]


METRICS: dict[str, Metric] = {
    m.definition.table: m
    for m in (
        Metric(survey_staff.ANCHORING, survey_staff.anchoring_by_role),
        Metric(survey_staff.ADEQUACY, survey_staff.coordinator_adequacy),
        Metric(survey_staff.RECRUITMENT, survey_staff.leader_recruitment),
        Metric(survey_staff.MEASURES, survey_staff.leader_measures),
        Metric(survey_staff.TESTS, survey_staff.tests),
        Metric(teams.DEFINITION, teams.team_counts),
        Metric(teams.FLOWS, teams.team_flows),
        Metric(teams.IP_SHARE, teams.team_ip_share),
        Metric(teams.COORDINATORS, teams.team_coordinators),
        Metric(teams.SECTORS, teams.coordinator_sectors),
        Metric(ke.DEFINITION, ke.ke_process),
        Metric(psfs.DEFINITION, psfs.psfs_change),
        Metric(survey_users.DEFINITION, survey_users.user_benefit),
        Metric(survey_users.ADJUSTED, survey_users.user_benefit_adjusted),
        Metric(registry.DEFINITION, registry.registry_did),
        Metric(registry.EVENT, registry.registry_event_study),
        Metric(interviews.THEMES, interviews.interview_themes),
        Metric(interviews.AGREEMENT, interviews.interview_agreement),
    )
}


def run_metrics(
    con: duckdb.DuckDBPyConnection, names: Sequence[str] | None = None
) -> dict[str, int]:
    """Compute every metric (or those named) from the marts and write `metrics.<name>`;
    rows per table."""
    out = {}
    for name in METRICS if names is None else names:
        result = METRICS[name].compute(con)
        con.execute(f"create or replace table {ident('metrics', name)} as select * from result")
        d = METRICS[name].definition
        comments.apply(con, "metrics", name, metric_text(d), texts(metric_columns(con, d)))
        out[name] = len(result)
    return out
