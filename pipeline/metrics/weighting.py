"""Whether a run weighted a survey, and the sentence the report states it with: read from
`meta.cfg_survey_weights`, the config the run was built with (one row per weighted survey)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

WEIGHTED_METHOD = (
    " Når konfigurasjonen vekter undersøkelsen ([evaluation.survey_weights]): vektet andel "
    "Σw·y/Σw, linearisert varians n/(n−1)·Σw²(y−p)²/(Σw)², Wilson-intervall ved effektiv n = "
    "p(1−p)/varians (metodekolonnen sier «design-weighted»); ellers uvektet."
)


@dataclass(frozen=True)
class Weighting:
    column: str | None  # the file's design-weight column (None: every respondent weighs 1)
    margins_file: str | None  # the raking totals (None: not raked)
    margins_sha256: str | None


def weighting(con: duckdb.DuckDBPyConnection, source: str) -> Weighting | None:
    """How the run weighted `source` (None: unweighted)."""
    found = con.execute(
        "select weight_column, margins_file, margins_sha256 from meta.cfg_survey_weights "
        "where source = ?",
        [source],
    ).fetchone()
    return Weighting(*found) if found else None


def note(w: Weighting | None) -> str:
    """The report's sentence on weighting (Norwegian)."""
    if w is None:
        return "Tallene er uvektede: de gjelder dem som svarte."
    how = []
    if w.column:
        how.append(f"designvekter fra kolonnen «{w.column}»")
    if w.margins_file:
        how.append(
            f"raket til antall ansatte per rolle og per kommune i hver runde ({w.margins_file}, "
            f"sha256 {(w.margins_sha256 or '')[:12]})"
        )
    return (
        f"Tallene er vektet ({' og '.join(how)}): andelen er Σw·y/Σw, variansen linearisert, "
        "intervallet Wilson ved effektiv utvalgsstørrelse; n er antall svar. "
        "Khikvadrattestene mellom grupper er ikke beregnet med vekter (en Rao–Scott-korreksjon "
        "er ikke bygd), og de justerte modellene for brukerne er uvektede."
    )
