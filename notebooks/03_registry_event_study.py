# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Registerutfall: hendelsesstudie for akutte innleggelser
#
# Kommune-år-panelet (`marts.fct_registry_municipality_year`, årene estimeringen bruker) og
# de offentlige estimatorene pipelinen selv kaller: `pipeline.stats.did.estimate` (TWFE med
# CR1 og wild cluster bootstrap) og `event_study`. Tallene må bli de samme som i
# `metrics.registry_did`.

# %%
import plotly.express as px

from pipeline.notebook_env import offline_plots, warehouse
from pipeline.stats.did import estimate, event_study

offline_plots()
con = warehouse()
panel = con.sql(
    "select * from marts.fct_registry_municipality_year where in_estimation order by kommune, year"
).df()
seed, draws = con.execute(
    "select seed, bootstrap_replications from meta.cfg_parameters"
).fetchall()[0]
design = {
    "frame": panel,
    "outcome": "emergency_admissions_per_1000",
    "unit": "kommune",
    "time": "year",
    "weights": "person_years",
}

# %%
trend = con.sql("select * from marts.fct_registry_group_year order by year").df()
px.line(
    trend,
    x="year",
    y="emergency_admissions_per_1000",
    color="evaluation_group",
    markers=True,
    labels={"emergency_admissions_per_1000": "Per 1 000 personår", "year": "År"},
    title="Akutte innleggelser, piloter og sammenligningskommuner",
)

# %%
did = estimate(
    **design,
    treated="is_treated",
    inference=["cluster", "wild"],
    seed=seed,
    replications=draws,
    bootstrap_weights="webb",
)
metric = con.sql(
    """
    select inference, estimate, ci_low, ci_high from metrics.registry_did
    where outcome = 'emergency_admissions_per_1000' and estimator = 'twfe'
      and inference in ('cluster', 'wild') order by inference
    """
).df()
for row in metric.itertuples():
    mine = did[(did["inference"] == row.inference) & (did["term"] == "is_treated")].iloc[0]
    assert abs(mine["ci_low"] - row.ci_low) < 1e-9 and abs(mine["ci_high"] - row.ci_high) < 1e-9
did[["inference", "estimate", "ci_low", "ci_high", "p_value"]]

# %%
coefficients, pre_trend = event_study(
    **design, relative="relative_year", seed=seed, replications=draws
)
print(pre_trend.note)
px.scatter(
    coefficients,
    x="relative",
    y="estimate",
    error_y=coefficients["ci_high"] - coefficients["estimate"],
    error_y_minus=coefficients["estimate"] - coefficients["ci_low"],
    labels={"relative": "År fra start", "estimate": "Koeffisient (95 % KI)"},
    title="Hendelsesstudie (referanse: året før start)",
).add_hline(y=0, line_dash="dot")
