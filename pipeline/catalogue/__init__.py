"""The warehouse's catalogue: a COMMENT on every table and column of `valid`, `staging`,
`intermediate`, `marts` and `metrics`, each drawn from the one place that defines it, and
`ot-eval catalogue`, which writes them out with each table's lineage."""
