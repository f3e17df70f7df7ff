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
# # PSFS-forløp per person ("Hva er viktig for deg?")
#
# Hver persons gjennomsnittlige skår per samtale over tid, anonymisert: personene får et
# løpenummer i tilfeldig rekkefølge, og verken pseudonym, kommune eller alder vises.
# Endringen fra første til siste samtale testes med de samme funksjonene som
# `metrics.psfs_change` bruker (`pipeline.stats.means`).

# %%
import numpy as np
import plotly.express as px

from pipeline.notebook_env import offline_plots, warehouse
from pipeline.stats.means import mean_t, wilcoxon_signed_rank

offline_plots()
con = warehouse()

# %%
scores = con.sql(
    """
    select person_id, conversation_no, avg(score) as mean_score
    from intermediate.int_psfs__activity_scores
    group by person_id, conversation_no
    order by person_id, conversation_no
    """
).df()
rng = np.random.default_rng(2018)
people = scores["person_id"].unique()
number = dict(zip(people, rng.permutation(len(people)) + 1, strict=True))
scores["person"] = scores["person_id"].map(number)
scores = scores.drop(columns="person_id")  # the pseudonym stays in the warehouse
shown = scores[scores["person"] <= 40]
px.line(
    shown,
    x="conversation_no",
    y="mean_score",
    line_group="person",
    labels={"conversation_no": "Samtale nr.", "mean_score": "Gjennomsnittlig skår (0–10)"},
    title=f"40 av {len(people)} personer, tilfeldig valgt (anonymisert)",
).update_traces(line={"width": 1}, opacity=0.5).update_xaxes(dtick=1)

# %% [markdown]
# ## Endring fra første til siste samtale

# %%
# one row per person: `period` is the year of the person's last conversation
change = con.sql("select mean_change from marts.fct_psfs_person_change").df()["mean_change"]
t = mean_t(change.to_numpy())
metric = con.sql(
    """
    select estimate, ci_low, ci_high, p_value from metrics.psfs_change
    where indicator = 'gjennomsnittlig_endring' and kommune = 'Alle' and age_band = 'Alle'
      and period = 'Alle'
    """
).df()
assert abs(t.estimate - float(metric["estimate"].iloc[0])) < 1e-12
print(
    f"Gjennomsnittlig endring {t.estimate:.2f} ({t.ci_low:.2f}–{t.ci_high:.2f}), n = {t.n}; "
    f"Wilcoxon p = {wilcoxon_signed_rank(change.to_numpy()):.2g}"
)
px.histogram(
    x=change,
    nbins=30,
    labels={"x": "Endring i gjennomsnittlig skår"},
    title="Endring fra første til siste samtale, alle personer",
).update_yaxes(title="Personer")
