"""The report's short summary in plain bokmål, written from the tables as published: a hidden
figure is never put into words (the sentence says it is not shown, or is left out)."""

from __future__ import annotations

from pipeline.quarterly import numbers
from pipeline.quarterly.period import Quarter, norwegian_date
from pipeline.quarterly.tables import ALL, Cell, QTable


def _row(table: QTable | None, title: str) -> list[Cell] | None:
    if table is None:
        return None
    for row in table.rows:
        if row[0].text == title or row[0].text.startswith(title):
            return row
    return None


def _shown(cell: Cell | None) -> bool:
    return cell is not None and not cell.hidden and cell.value is not None


def _more_or_less(diff: int) -> str:
    if diff == 0:
        return "like mange som"
    return f"{numbers.count(abs(diff))} {'flere' if diff > 0 else 'færre'} enn"


def summary(tables: list[QTable], name: str, quarter: Quarter) -> list[str]:
    """Sentences for the top of the report."""
    by_id = {t.id: t for t in tables}
    out: list[str] = []
    teams = _row(by_id.get("aktive_team"), ALL)
    if teams and _shown(teams[1]):
        rates = "Per 1 000 innbyggere" in by_id["aktive_team"].header
        offset = 2 if rates else 1
        prev, prev_diff = teams[offset + 1], teams[offset + 2]
        year, year_diff = teams[offset + 3], teams[offset + 4]
        text = (
            f"Per {norwegian_date(quarter.end)} hadde {name} {teams[1].text} aktive oppfølgingsteam"
        )
        parts = []
        if _shown(prev) and _shown(prev_diff):
            parts.append(
                f"{_more_or_less(int(prev_diff.value or 0))} ved utgangen av forrige kvartal "
                f"({prev.text})"
            )
        if _shown(year) and _shown(year_diff):
            parts.append(f"{_more_or_less(int(year_diff.value or 0))} ett år før ({year.text})")
        out.append(text + (", " + " og ".join(parts) if parts else "") + ".")
    elif teams:
        out.append(
            f"Antall aktive team per {norwegian_date(quarter.end)} vises ikke (for få til å "
            "publiseres, eller ingen telling)."
        )
    started = _row(by_id.get("team_startet_avsluttet"), "Startet")
    ended = _row(by_id.get("team_startet_avsluttet"), "Avsluttet")
    if started and ended and _shown(started[1]) and _shown(ended[1]):
        out.append(f"I kvartalet startet {started[1].text} team, og {ended[1].text} ble avsluttet.")
    elif started and ended:
        out.append("Hvor mange team som startet og ble avsluttet i kvartalet, vises ikke (for få).")
    wait = _row(by_id.get("ke"), "Dager fra henvisning til teamstart")
    if wait and _shown(wait[1]):
        out.append(
            "For team som startet i kvartalet, var mediantiden fra henvisning til oppstart "
            f"{wait[1].text.split(' (')[0]} dager."
        )
    coordinators = _row(by_id.get("koordinatorer"), "Koordinatorer")
    load = _row(by_id.get("koordinatorer"), "Team per koordinator")
    ip = _row(by_id.get("koordinatorer"), "Aktive team med individuell plan")
    if coordinators and load and _shown(coordinators[1]) and _shown(load[1]):
        out.append(
            f"{coordinators[1].text} koordinatorer hadde i gjennomsnitt {load[1].text} team hver."
        )
    if ip and _shown(ip[1]):
        out.append(
            f"{numbers.percent(float(ip[1].value or 0))} av de aktive teamene hadde individuell "
            "plan."
        )
    psfs = by_id.get("psfs")
    persons, mean, improved = (
        _row(psfs, "Personer"), _row(psfs, "Gjennomsnittlig"), _row(psfs, "Personer med bedring")
    )  # fmt: skip
    if persons and mean and _shown(persons[1]) and _shown(mean[1]):
        text = (
            f"Blant {persons[1].text} personer med siste PSFS-samtale i {quarter.year} var "
            f"gjennomsnittlig endring i skår {mean[1].text.replace(' (', ' poeng (95 % KI ')}"
        )
        if improved and _shown(improved[1]):
            text += (
                f"; {numbers.percent(float(improved[1].value or 0))} bedret seg med 2 poeng "
                "eller mer"
            )
        out.append(text + ".")
    elif psfs:
        out.append(f"PSFS-resultatene for {quarter.year} vises ikke (for få personer).")
    return out
