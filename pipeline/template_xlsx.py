"""`ot-eval template team-register|psfs --out FILE.xlsx`: an Excel template laid out as the
contract expects (the contract's column names as the header of the first sheet), with
drop-down lists of the allowed values, date cells, and a Norwegian instructions sheet. A file
filled in from it is read with no column mapping."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.errors import UserError
from pipeline.settings import Settings
from pipeline.validate.contracts import load_contract

TEMPLATES = {"team-register": "team_register", "psfs": "psfs_forms"}
ROWS = 2000  # rows the drop-downs and date formats cover
INSTRUCTIONS = {
    "team_register": [
        "Teamregister for koordinerende enhet (KE): én rad per oppfølgingsteam.",
        "Fyll ut arket «Data». Ikke endre kolonnenavnene i første rad.",
        "Datoer skrives som dato (dd.mm.åååå). Sluttdato står tom så lenge teamet er aktivt.",
        "kommune: firesifret kommunenummer (f.eks. 5530 for Senja).",
        "Kolonner med nedtrekksliste tar bare verdiene i listen.",
        "Eksportdato: lagre filen med datoen i navnet, f.eks. teamregister_5530_2024-01-05.xlsx. "
        "ot-eval teller aldri team på en dato etter eksportdatoen.",
        "Personer og koordinatorer skrives med pseudonym (løpenummer), aldri navn eller "
        "fødselsnummer.",
    ],
    "psfs_forms": [
        "PSFS – «Hva er viktig for deg?»: én rad per samtale.",
        "Fyll ut arket «Data». Ikke endre kolonnenavnene i første rad.",
        "skala: velg retningen skjemaet ble fylt ut i (0 = kan ikke utføre, eller 0 = ingen "
        "vansker). En rad uten skala kan ikke brukes.",
        "aktivitet_1–5 og poeng_1–5: aktivitetene personen valgte og poeng 0–10. Bruk samme "
        "tekst for samme aktivitet i alle samtalene.",
        "person: pseudonym (løpenummer), aldri navn eller fødselsnummer.",
    ],
}


def write_template(settings: Settings, which: str, out: Path) -> Path:
    if which not in TEMPLATES:
        raise UserError(
            f"No template called {which!r}",
            expected=" or ".join(TEMPLATES),
            found=which,
        )
    name = TEMPLATES[which]
    contract = load_contract(settings.contracts_dir / f"{name}.yml")
    allowed = {
        r.columns[0]: [str(v) for v, _ in r.allowed]
        for r in contract.rules
        if r.kind == "allowed" and r.allowed
    }
    book = openpyxl.Workbook()
    data = book.active
    data.title = "Data"
    columns = list(contract.columns.values())
    data.append([c.name for c in columns])
    for i, column in enumerate(columns, start=1):
        letter = openpyxl.utils.get_column_letter(i)
        data[f"{letter}1"].font = Font(bold=True)
        data.column_dimensions[letter].width = max(14, len(column.name) + 4)
        cells = f"{letter}2:{letter}{ROWS + 1}"
        if column.name in allowed:
            check = DataValidation(
                type="list", formula1='"' + ",".join(allowed[column.name]) + '"',
                allow_blank=not column.required, showErrorMessage=True,
                errorTitle="Ugyldig verdi", error="Velg en verdi fra listen",
            )  # fmt: skip
            data.add_data_validation(check)
            check.add(cells)
        elif column.type == "date":
            check = DataValidation(
                type="date", operator="greaterThan", formula1="1", showErrorMessage=True,
                error="Skriv en dato (dd.mm.åååå)",
            )  # fmt: skip
            data.add_data_validation(check)
            check.add(cells)
            for row in range(2, ROWS + 2):
                data[f"{letter}{row}"].number_format = "DD.MM.YYYY"
    data.freeze_panes = "A2"
    guide = book.create_sheet("Veiledning")
    guide.append(["Veiledning"])
    guide["A1"].font = Font(bold=True, size=14)
    for line in INSTRUCTIONS[name]:
        guide.append([line])
    guide.append([])
    guide.append(["Kolonne", "Type", "Påkrevd", "Tillatte verdier"])
    for column in columns:
        guide.append([column.name, column.type, "ja" if column.required else "nei",
                      ", ".join(allowed.get(column.name, []))])  # fmt: skip
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["D"].width = 60
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out
