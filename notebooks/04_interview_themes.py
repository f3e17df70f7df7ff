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
# # Intervjutema og felles visning (joint display)
#
# Andelen intervjuer som berører hvert tema per kommune (`metrics.interview_themes`), ved
# siden av et tall fra spørreundersøkelsen for de samme kommunene — kjennskap til
# OT-arbeidet (`metrics.anchoring_by_role`, etter kommune) — i én tabell: den kvalitative og
# den kvantitative kilden side om side. Kodernes samsvar (Cohens kappa,
# `pipeline.stats.agreement`) regnes på nytt for én kode.

# %%
import plotly.express as px

from pipeline.notebook_env import offline_plots, warehouse

offline_plots()
con = warehouse()

# %%
themes = con.sql(
    """
    select theme, "group" as kommune, n as interviews, estimate as share
    from metrics.interview_themes
    where dimension = 'kommune' and code = '(hele temaet)'
    """
).df()
known = con.sql(
    """
    select "group" as kommune, estimate as share_known
    from metrics.anchoring_by_role
    where indicator = 'kjent_ot' and dimension = 'kommune'
      and answer = 'Godt eller svært godt kjent'
      and wave = (select max(wave) from metrics.anchoring_by_role where wave ~ '^[0-9]+$')
    """
).df()
joint = themes.pivot_table(index="kommune", columns="theme", values="share").reset_index()
joint = joint.merge(known, on="kommune", how="left")
joint.round(3)

# %%
px.imshow(
    themes.pivot_table(index="theme", columns="kommune", values="share"),
    text_auto=".2f",
    color_continuous_scale="Blues",
    labels={"color": "Andel intervjuer"},
    title="Temaene etter kommune",
)

# %% [markdown]
# ## Samsvar mellom kodere, regnet på nytt for én kode

# %%
from pipeline.stats.agreement import cohens_kappa

pairs = con.sql(
    "select code, a_coded, b_coded from marts.fct_interview_coder_pairs where coders = 'A–B'"
).df()
code = "Forankring"
one = pairs[pairs["code"] == code]
kappa = cohens_kappa(one["a_coded"].to_numpy(), one["b_coded"].to_numpy())
metric = con.sql(
    "select estimate from metrics.interview_agreement "
    "where statistic = 'Cohens kappa' and coders = 'A–B' and code = ?",
    params=[code],
).df()
assert abs(kappa.estimate - float(metric["estimate"].iloc[0])) < 1e-12
print(f"{code}: kappa {kappa.estimate:.3f} ({kappa.ci_low:.3f}–{kappa.ci_high:.3f}), n = {kappa.n}")
