"""`ot-eval export`: one warehouse table to Parquet, CSV, Excel, Stata or SPSS — the metric
tables through the reports' disclosure control, any other table only on request, for use
inside the secure environment."""
