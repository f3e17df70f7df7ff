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
# # Forankring etter rolle og bølge (survey deep-dive)
#
# Andelen ansatte som kjenner OT-arbeidet godt eller svært godt, etter rolle og bølge, fra
# `metrics.anchoring_by_role`. Én andel regnes på nytt fra svarene i
# `marts.fct_survey_staff_answers` med den samme funksjonen pipelinen bruker
# (`pipeline.stats.proportions.wilson`), og må gi samme tall.

# %%
import plotly.express as px

from pipeline.notebook_env import offline_plots, warehouse
from pipeline.stats.proportions import wilson

offline_plots()
con = warehouse()

# %%
known = con.sql(
    """
    select wave, "group" as role, n, estimate, ci_low, ci_high
    from metrics.anchoring_by_role
    where indicator = 'kjent_ot' and dimension = 'rolle'
      and answer = 'Godt eller svært godt kjent'
    order by wave, role
    """
).df()
known

# %%
px.scatter(
    known,
    x="role",
    y="estimate",
    color="wave",
    error_y=known["ci_high"] - known["estimate"],
    error_y_minus=known["estimate"] - known["ci_low"],
    labels={"estimate": "Andel godt/svært godt kjent", "role": "Rolle", "wave": "Bølge"},
    title="Kjennskap til OT-arbeidet etter rolle (95 % KI, Wilson)",
)

# %% [markdown]
# ## Samme tall fra svarene
#
# Koordinatorene i første bølge: andelen med svar 4 eller 5 blant de gyldige svarene ("vet
# ikke" og ubesvart utenfor), Wilson-intervall.

# %%
answers = con.sql(
    """
    select wave, answer, is_valid
    from marts.fct_survey_staff_answers
    where item = 'kjent_ot' and role = 'Koordinator'
      and wave = (select min(wave) from marts.fct_survey_staff_answers)
    """
).df()
valid = answers[answers["is_valid"]]
again = wilson(float((valid["answer"] >= 4).sum()), float(len(valid)))
metric = known[(known["role"] == "Koordinator") & (known["wave"] == str(answers["wave"].iloc[0]))]
assert abs(again.estimate - float(metric["estimate"].iloc[0])) < 1e-12, (again, metric)
print(
    f"Koordinator: {again.estimate:.3f} ({again.ci_low:.3f}–{again.ci_high:.3f}), n = {len(valid)}"
)
