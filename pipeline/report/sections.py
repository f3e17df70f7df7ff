"""The evaluation report's sections, declared as data: what each shows, from which table.

A section has a lead note, figures and tables. A table names its `metrics.<table>`, the rows
it shows (`where`) and its columns with their format; a figure names its relation (a metrics
table, or a mart for a rate over time), rows and kind. `pipeline.report.shape` turns these
into template data; one Jinja macro renders every table. The definitions shown under each
table ("Hvor kommer tallet fra?") are the metrics' own declarations, not text repeated here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.metrics import registry

FOCUS = "@report.municipality"  # a `where` value: the config's [report] municipality
SNAPSHOTS = "@evaluation.team_snapshots"  # a `where` value: the configured snapshot dates
QUARTER = "@report.quarter"  # a `where` value: the config's [report] quarter
CHANGES = "@change"  # a `where` value: the change rows («Endring A–B»), whatever the waves


@dataclass(frozen=True)
class Col:
    key: str  # a column of the table ("ci": ci_low – ci_high)
    title: str
    fmt: str = "text"  # text | count | share | number


@dataclass(frozen=True)
class Table:
    metric: str
    columns: tuple[Col, ...]
    where: Mapping[str, Any] = field(default_factory=dict)  # column -> value or list of values
    fmt: str = "share"  # how estimate and ci are shown: share (per cent) | number
    # a count table as rows × columns with totals, one per value of split_by, small counts
    # suppressed (primary and secondary) unless [report] audience = "internal"
    pivot: tuple[str, str] | None = None
    split_by: str | None = None


@dataclass(frozen=True)
class Figure:
    kind: str  # a function of pipeline.report.figures
    title: str
    relation: str  # metrics.<table> or marts.<table>
    where: Mapping[str, Any] = field(default_factory=dict)
    x: str = "group"
    color: str | None = None
    y: str = "estimate"
    y_title: str = ""
    pivot: tuple[str, str] | None = None  # counts: drawn as the protected table shows them
    split_by: str | None = None


@dataclass(frozen=True)
class Side:
    """One side of a joint display: the rows of a metrics table (one per municipality,
    `dimension` = kommune) that `where` picks, shown under `title`."""

    metric: str
    where: Mapping[str, Any]
    title: str


@dataclass(frozen=True)
class Joint:
    """A joint display: per municipality, a survey figure beside the interview theme that
    may explain it, as a dot plot with CIs and a table (each side traced to its own table)."""

    title: str
    sides: tuple[Side, ...]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    note: str
    figures: tuple[Figure, ...]
    tables: tuple[Table, ...]
    joints: tuple[Joint, ...] = ()
    survey: str | None = None  # the survey its figures come from: the note says how weighted


BY_KOMMUNE = {"age_band": "Alle", "period": "Alle"}  # psfs_change: the per-municipality rows
SHARE_CI = (Col("n", "n", "count"), Col("estimate", "Andel"), Col("ci", "95 % KI"))
WITH_P = (*SHARE_CI, Col("p_holm", "p (Holm)", "p"))  # a change row's Holm-adjusted p
WAVES = ["2019", "2021", "2023"]  # the staff survey's rounds (the contract's waves)
SUBSTANTIVE = [1, 2, 3, 4, 5]  # answer_order of the answer options (not combined/missing)


def _adjusted_table(model: str, estimate: str, fmt: str) -> Table:
    """metrics.user_benefit_adjusted, one model's rows: its estimate is in its own unit."""
    columns = (
        Col("label", "Indikator"),
        Col("n", "n", "count"),
        Col("estimate", estimate),
        Col("ci", "95 % KI"),
        Col("p_value", "p", "p"),
    )
    return Table("user_benefit_adjusted", columns, {"model": model}, fmt=fmt)


EVALUATION: tuple[Section, ...] = (
    Section(
        "forankring",
        "Forankring og modenhet",
        "Ansatteundersøkelsen, hver runde for seg (2019, 2021, 2023), etter rolle. Andelene av "
        "svaralternativene er av gyldige svar; «Vet ikke» er en andel av dem som svarte, "
        "«Ubesvart» av dem som fikk spørsmålet — ingen av dem går stille inn i eller ut av en "
        "nevner. «Endring A–B» er andelen i B minus andelen i A i prosentpoeng (Newcombe), med "
        "Holm-justert p-verdi. Tabellen metrics.anchoring_by_role har hele fordelingen også "
        "etter sektor og kommune.",
        (
            Figure(
                "stacked_bars",
                "Hvor godt kjent med pilotprosjektet, etter rolle og runde",
                "metrics.anchoring_by_role",
                {
                    "indicator": "kjent_pilot",
                    "dimension": "rolle",
                    "answer_order": SUBSTANTIVE,
                    "wave": WAVES,
                },
                x="group_navn",
                color="answer",
            ),
            Figure(
                "share_bars",
                "Ikke involvert/informert, etter rolle og runde",
                "metrics.anchoring_by_role",
                {"indicator": "involvert", "answer": "Nei", "dimension": "rolle", "wave": WAVES},
                x="group_navn",
                color="wave",
            ),
            Figure(
                "change_points",
                "Endring fra første til siste runde: ikke involvert/informert, etter rolle",
                "metrics.anchoring_by_role",
                {"indicator": "involvert", "answer": "Nei", "dimension": "rolle", "wave": CHANGES},
                x="group_navn",
                y_title="Endring (prosentpoeng)",
            ),
        ),
        (
            Table(
                "anchoring_by_role",
                (
                    Col("label", "Spørsmål"),
                    Col("answer", "Svar"),
                    Col("group_navn", "Rolle"),
                    Col("wave", "Runde"),
                    *WITH_P,
                ),
                {
                    "dimension": "rolle",
                    "answer": [
                        "Nei",
                        "Godt eller svært godt kjent",
                        "I stor eller svært stor grad",
                    ],
                },
            ),
        ),
        survey="survey_staff",
    ),
    Section(
        "koordinatorer",
        "Koordinatorenes tid, opplæring og støtte",
        "Koordinatorer som svarer «i stor» eller «i svært stor grad», per runde, og endringen "
        "fra første til siste runde. Etter kommune i metrics.coordinator_adequacy.",
        (
            Figure(
                "share_bars",
                "Koordinatorer: tilstrekkelig …",
                "metrics.coordinator_adequacy",
                {"dimension": "alle", "answer": "I stor eller svært stor grad", "wave": WAVES},
                x="label",
                color="wave",
            ),
            Figure(
                "change_points",
                "Endring fra første til siste runde (i stor eller svært stor grad)",
                "metrics.coordinator_adequacy",
                {"dimension": "alle", "answer": "I stor eller svært stor grad", "wave": CHANGES},
                x="label",
                y_title="Endring (prosentpoeng)",
            ),
        ),
        (
            Table(
                "coordinator_adequacy",
                (
                    Col("label", "Indikator"),
                    Col("wave", "Runde"),
                    *WITH_P,
                ),
                {"dimension": "alle", "answer": "I stor eller svært stor grad"},
            ),
        ),
        survey="survey_staff",
    ),
    Section(
        "ledere",
        "Ledere: rekruttering, ledergrep og endringer",
        "Ledernes vurdering av koordinatorrekrutteringen (fem svaralternativ), aktive grep "
        "(2023: andel «i liten eller svært liten grad»), og endringer siste tre år: nye "
        "grupper får IP/koordinator/team (ledere, koordinatorer og teammedlemmer som svarte) "
        "og endret arbeidsmåte (de av dem som jobber ofte eller av og til med målgruppen).",
        (
            Figure(
                "stacked_bars",
                "Hvordan er det å rekruttere koordinatorer?",
                "metrics.leader_recruitment",
                {"dimension": "alle", "answer_order": SUBSTANTIVE, "wave": WAVES},
                x="group_navn",
                color="answer",
            ),
        ),
        (
            Table(
                "leader_recruitment",
                (Col("answer", "Svar"), Col("wave", "Runde"), *SHARE_CI),
                {"dimension": "alle", "wave": WAVES},
            ),
            Table(
                "leader_measures",
                (Col("label", "Spørsmål"), Col("answer", "Svar"), Col("wave", "Runde"), *SHARE_CI),
                {
                    "dimension": "alle",
                    "answer": ["Ja", "I liten eller svært liten grad", "Vet ikke", "Ubesvart"],
                },
            ),
        ),
        survey="survey_staff",
    ),
    Section(
        "tester",
        "Tester av forskjeller i ansatteundersøkelsen",
        "Er svarfordelingen ulik mellom roller, sektorer eller kommuner innen en runde, eller "
        "mellom rundene? Khikvadrattest med Holm-justerte p-verdier innen hver familie "
        "(samme tabell og inndeling), og Cramérs V som effektstørrelse (0 = ingen "
        "sammenheng) med 95 % KI.",
        (),
        (
            Table(
                "survey_tests",
                (
                    Col("label", "Spørsmål"),
                    Col("dimension", "Mellom"),
                    Col("wave", "Runde"),
                    Col("n", "Svar", "count"),
                    Col("estimate", "Cramérs V"),
                    Col("ci", "95 % KI"),
                    Col("p_value", "p", "p"),
                    Col("p_holm", "p (Holm)", "p"),
                ),
                fmt="number",
            ),
        ),
        survey="survey_staff",
    ),
    Section(
        "team",
        "Aktive oppfølgingsteam etter alder",
        "Team som er aktive på de valgte datoene, etter kommune og aldersgruppe (tabellen "
        "metrics.team_counts har også hvert kvartalsslutt). Ingen telling etter datoen "
        "registeret ble eksportert.",
        (
            Figure(
                "team_bars",
                "Aktive team i {kommune_navn}",
                "metrics.team_counts",
                {"kommune": FOCUS, "snapshot_date": SNAPSHOTS},
                x="age_band",
                y="n",
                y_title="Aktive team",
                pivot=("kommune_navn", "age_band"),
                split_by="snapshot_date",
            ),
        ),
        (
            Table(
                "team_counts",
                (Col("kommune_navn", "Kommune"), Col("n", "Aktive team", "count")),
                {"snapshot_date": SNAPSHOTS},
                pivot=("kommune_navn", "age_band"),
                split_by="snapshot_date",
            ),
        ),
    ),
    Section(
        "ke",
        "Koordinerende enhet og team",
        "Dager fra henvisning til KE-vedtak og oppstart (median, kvartiler), team startet og "
        "avsluttet i rapportkvartalet, andel aktive team med individuell plan, og "
        "koordinatorene: antall, team per koordinator og sektor.",
        (),
        (
            Table(
                "ke_process",
                (
                    Col("indicator", "Indikator"),
                    Col("kommune_navn", "Kommune"),
                    Col("n", "Team", "count"),
                    Col("estimate", "Median (dager)"),
                    Col("ci", "95 % KI"),
                ),
                {
                    "quarter": "Alle",
                    "indicator": [
                        "dager_henvisning_vedtak",
                        "dager_vedtak_oppstart",
                        "dager_henvisning_oppstart",
                    ],
                },
                fmt="number",
            ),
            Table(
                "ke_process",
                (Col("kommune_navn", "Kommune"), *SHARE_CI),
                {"quarter": "Alle", "indicator": "andel_oppstart_innen_30_dager"},
            ),
            Table(
                "team_flows",
                (Col("kommune_navn", "Kommune"), Col("n", "Team", "count")),
                {"quarter": QUARTER},
                pivot=("kommune_navn", "flow"),
                split_by="quarter",
            ),
            Table(
                "team_ip_share",
                (
                    Col("kommune_navn", "Kommune"),
                    Col("snapshot_date", "Dato"),
                    *SHARE_CI,
                ),
                {"snapshot_date": SNAPSHOTS},
            ),
            Table(
                "team_coordinators",
                (
                    Col("indicator", "Indikator"),
                    Col("kommune_navn", "Kommune"),
                    Col("snapshot_date", "Dato"),
                    Col("n", "Koordinatorer", "count"),
                    Col("estimate", "Verdi"),
                ),
                {"snapshot_date": SNAPSHOTS},
                fmt="number",
            ),
            Table(
                "coordinator_sectors",
                (Col("kommune_navn", "Kommune"), Col("n", "Koordinatorer", "count")),
                {"snapshot_date": SNAPSHOTS},
                pivot=("kommune_navn", "coordinator_sector"),
                split_by="snapshot_date",
            ),
        ),
    ),
    Section(
        "psfs",
        "PSFS – «Hva er viktig for deg?»",
        "Endring i gjennomsnittlig aktivitetsskår fra første til siste samtale, og andeler med "
        "meningsfull bedring: 2 eller mer på gjennomsnittet, 3 eller mer på én aktivitet, og "
        "Abbott & Schmitts minste viktige endring – etter kommune, aldersgruppe og år.",
        (
            Figure(
                "mean_points",
                "Gjennomsnittlig endring",
                "metrics.psfs_change",
                {"indicator": "gjennomsnittlig_endring", **BY_KOMMUNE},
                x="kommune_navn",
                y_title="Endring (0–10)",
            ),
        ),
        (
            Table(
                "psfs_change",
                (
                    Col("kommune_navn", "Kommune"),
                    Col("n", "Personer", "count"),
                    Col("estimate", "Endring"),
                    Col("ci", "95 % KI"),
                ),
                {"indicator": "gjennomsnittlig_endring", **BY_KOMMUNE},
                fmt="number",
            ),
            Table(
                "psfs_change",
                (
                    Col("indicator", "Indikator"),
                    Col("age_band", "Aldersgruppe"),
                    Col("period", "År"),
                    Col("n", "Enheter", "count"),
                    Col("estimate", "Andel"),
                    Col("ci", "95 % KI"),
                ),
                {
                    "indicator": [
                        "andel_bedring_minst_2",
                        "andel_aktiviteter_bedring_minst_3",
                        "andel_mid_liten",
                        "andel_mid_middels",
                        "andel_mid_stor",
                    ],
                    "kommune": "Alle",
                },
            ),
            Table(
                "psfs_change",
                (
                    Col("kommune_navn", "Kommune"),
                    Col("n", "Personer", "count"),
                    Col("estimate", "Andel med bedring ≥ 2"),
                    Col("ci", "95 % KI"),
                ),
                {"indicator": "andel_bedring_minst_2", **BY_KOMMUNE},
            ),
        ),
    ),
    Section(
        "brukere",
        "Brukere og pårørende",
        "Andel med stort eller svært stort utbytte, etter om de har oppfølgingsteam, "
        "koordinator eller IP, og forskjellen Ja − Nei (alle år samlet); andelen som ikke vet "
        "om de har koordinering, per år. Forskjellen Ja − Nei er også justert for "
        "respondenttype, aldersgruppe, kommune og år (logistisk regresjon, i prosentpoeng), og "
        "som oddsratio for et høyere svar på hele skalaen (ordinal regresjon).",
        (
            Figure(
                "share_bars",
                "Stort utbytte av tjenestene (alle år)",
                "metrics.user_benefit",
                {"indicator": "utbytte", "group": ["Ja", "Nei", "Vet ikke"], "wave": "Alle"},
            ),
            Figure(
                "share_bars",
                "Vet ikke om de har oppfølgingsteam/koordinator/IP, per år",
                "metrics.user_benefit",
                {"indicator": "vet_ikke_om_koordinering"},
                x="wave",
            ),
        ),
        (
            Table(
                "user_benefit",
                (Col("label", "Indikator"), Col("group", "Gruppe"), *SHARE_CI),
                {"wave": "Alle"},
            ),
            Table(
                "user_benefit",
                (Col("label", "Indikator"), Col("wave", "År"), *SHARE_CI),
                {"group": "Alle"},
            ),
            _adjusted_table("Logistisk: justert forskjell Ja − Nei", "Justert forskjell", "points"),
            _adjusted_table("Ordinal: justert oddsratio Ja mot Nei", "Oddsratio", "number"),
        ),
        survey="survey_users",
    ),
    Section(
        "register",
        "Registerutfall: piloter mot sammenligningskommuner",
        "Forskjell-i-forskjeller mellom pilot- og sammenligningskommuner, vektet med personår. "
        "Med seks pilotkommuner (og Asker med mest av vekten) gir klyngerobuste standardfeil "
        "(CR1) for smale intervaller og for mange forkastninger; derfor står samme estimat "
        "også med wild cluster bootstrap og med randomiseringsinferens (pilotenes forløp gitt "
        "til sammenligningskommuner). Stol mest på de to siste når de skiller seg fra CR1; "
        "hovedmetoden er wild cluster bootstrap, og hvor godt intervallene holder på dette "
        "designet (dekning, forkastning, minste påviselige effekt) er sjekket ved simulering "
        "med ot-eval validate-stats (rapporten validation.html). "
        "Hver pilot har sin egen start og slutt (konfigurasjonen); et år piloten bare gikk "
        "deler av, og år etter at den sluttet, behandles som konfigurasjonen sier "
        "(partial_years, after_exit). Hendelsesstudien viser effekten år for år fra start; "
        "med bare ett år før start kan parallelle trender ikke testes, og tabellen sier det. "
        "«Grunnlag» er det estimatet bygger på (hendelser; for KPR-utfallene timedøgn og "
        "døgn): med få hendelser er selv en lav p-verdi et svakt grunnlag. Hva seks piloter "
        "kan og ikke kan vise: de kan vise en stor endring, men bare en stor — "
        "validation.html oppgir minste påviselige effekt; en mindre effekt kan finnes uten å "
        "synes, så et resultat uten signifikans er ikke bevis for at piloten ikke virket. Og "
        "de kan ikke skille piloten fra annet som skjedde i de samme kommunene i de samme "
        "årene. Imputasjonsestimatoren står ved siden av TWFE: den tåler at effekten er "
        "ulik mellom piloter og over tid; ligger de to nær hverandre, er det ikke det som "
        "driver TWFE-tallet. Syntetisk DiD vekter sammenligningskommunene slik at de ligner "
        "pilotene før start; den er uvektet og bruker bare årene alle kommunene har, og er "
        "derfor bredere. HonestDiD-radene spør hvor mye av effekten som står seg om pilotene "
        "allerede før start var på vei bort fra sammenligningskommunene: intervallet tillater "
        "at et slikt avvik fortsetter. De trenger minst ett år før referanseåret (året før "
        "start); finnes ikke det i registeret, står radene uten tall.",
        (
            *(
                Figure(
                    "trend_lines",
                    label,
                    "marts.fct_registry_group_year",
                    x="year",
                    color="evaluation_group",
                    y=outcome,
                    y_title="",
                )
                for outcome, (label, _count, _weight) in registry.OUTCOMES.items()
            ),
            *(
                Figure(
                    "event_points",
                    f"{label}: effekt per år fra start (hendelsesstudie)",
                    "metrics.registry_event_study",
                    {"outcome": outcome},
                    x="relative_year",
                    y_title="Koeffisient (95 % KI)",
                )
                for outcome, (label, _count, _weight) in registry.OUTCOMES.items()
            ),
        ),
        (
            Table(
                "registry_did",
                (
                    Col("label", "Utfall"),
                    Col("estimator_label", "Estimator"),
                    Col("inference_label", "Inferens"),
                    Col("n", "Kommune-år", "count"),
                    Col("n_clusters", "Kommuner", "count"),
                    Col("n_treated_clusters", "Piloter", "count"),
                    Col("events", "Grunnlag", "count"),
                    Col("estimate", "Effekt"),
                    Col("ci", "95 % KI"),
                    Col("p_value", "p", "p"),
                ),
                fmt="number",
            ),
            Table(
                "registry_event_study",
                (
                    Col("label", "Utfall"),
                    Col("relative_year", "År fra start"),
                    Col("estimate", "Koeffisient"),
                    Col("ci", "95 % KI"),
                    Col("p_value", "p", "p"),
                ),
                {"outcome": "emergency_admissions_per_1000"},
                fmt="number",
            ),
        ),
    ),
    Section(
        "intervjuer",
        "Intervjuer: tema",
        "Andel av alle intervjuer der koden forekommer (intervjuer uten koder teller med i "
        "nevneren); ledergrep er andeler av lederintervjuene. Temaene er gruppert etter "
        "Durlak & DuPres determinanter (tiltaket, omgivelser og kontekst, "
        "implementeringsprosessen). Samsvar mellom kodere: Cohens kappa per kode, samlet kappa "
        "og Krippendorffs alfa med konfidensintervall der hele intervjuer trekkes på nytt.",
        (
            Figure(
                "share_bars",
                "Intervjuer som berører temaet",
                "metrics.interview_themes",
                {"code": "(hele temaet)", "dimension": "alle"},
                x="theme",
            ),
            Figure(
                "heat_map",
                "Kodene etter kommune (andel intervjuer)",
                "metrics.interview_themes",
                {"dimension": "kommune"},
                x="group_navn",
                color="code",
            ),
        ),
        (
            Table(
                "interview_themes",
                (
                    Col("theme", "Tema"),
                    Col("code", "Kode"),
                    Col("n", "Intervjuer", "count"),
                    Col("estimate", "Andel"),
                    Col("ci", "95 % KI"),
                ),
                {"dimension": "alle"},
            ),
            Table(
                "interview_themes",
                (
                    Col("group_navn", "Kommune"),
                    Col("theme", "Tema"),
                    Col("n", "Intervjuer", "count"),
                    Col("estimate", "Andel"),
                    Col("ci", "95 % KI"),
                ),
                {"dimension": "kommune", "code": "(hele temaet)"},
            ),
            Table(
                "interview_agreement",
                (
                    Col("statistic", "Mål"),
                    Col("coders", "Kodere"),
                    Col("code", "Kode"),
                    Col("n", "Enheter", "count"),
                    Col("estimate", "Verdi"),
                    Col("ci", "95 % KI"),
                ),
                fmt="number",
            ),
        ),
    ),
    Section(
        "samlet",
        "Spørreundersøkelse og intervjuer side om side",
        "Per kommune: et tall fra spørreundersøkelsen (siste runde, 2023) ved siden av andelen "
        "intervjuer som berører temaet som kan forklare det. De to kildene har ulike utvalg "
        "og ulike nevnere; visningen viser samsvar eller sprik, ikke årsak.",
        (),
        (),
        (
            Joint(
                "Koordinatorenes tid og temaet kapasitet og ressurser",
                (
                    Side(
                        "coordinator_adequacy",
                        {
                            "indicator": "k_tid",
                            "wave": "2023",
                            "dimension": "kommune",
                            "answer": "I stor eller svært stor grad",
                        },
                        "Koordinatorer med nok tid (2023)",
                    ),
                    Side(
                        "interview_themes",
                        {"code": "Kapasitet og ressurser", "dimension": "kommune"},
                        "Intervjuer om kapasitet og ressurser",
                    ),
                ),
            ),
            Joint(
                "Koordinatorenes opplæring og temaet opplæring",
                (
                    Side(
                        "coordinator_adequacy",
                        {
                            "indicator": "k_opplaering",
                            "wave": "2023",
                            "dimension": "kommune",
                            "answer": "I stor eller svært stor grad",
                        },
                        "Koordinatorer med nok opplæring (2023)",
                    ),
                    Side(
                        "interview_themes",
                        {"code": "Opplæring", "dimension": "kommune"},
                        "Intervjuer om opplæring",
                    ),
                ),
            ),
        ),
    ),
)
