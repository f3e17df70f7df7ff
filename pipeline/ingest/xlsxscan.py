"""A second look at a worksheet, straight from its XML, independent of openpyxl.

openpyxl in read-only mode trusts the sheet's stored dimension (rows past it are never read),
reads merged cells as empty and a formula Excel never calculated as empty. This scan reads the
sheet's XML itself: which rows hold a value (the count the reader must match), the merged
ranges, and the formulas without a stored result. Workbooks are register-sized, so a plain
streaming XML parse is enough.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from openpyxl.utils.cell import range_boundaries

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
M = "{" + NS["m"] + "}"


@dataclass
class SheetScan:
    rows: set[int] = field(default_factory=set)  # rows with at least one non-empty cell
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # c1, r1, c2, r2
    uncalculated: dict[int, list[str]] = field(default_factory=dict)  # row -> cell references
    dimension: str | None = None  # as stored in the file


def _sheet_paths(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> path of its XML inside the workbook."""
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", NS)}
    paths = {}
    for sheet in workbook.iterfind("m:sheets/m:sheet", NS):
        target = targets.get(sheet.get(f"{{{NS['r']}}}id"), "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        paths[sheet.get("name", "")] = posixpath.normpath(path)
    return paths


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{M}t")) for si in root.iterfind("m:si", NS)]


def _text(cell: ElementTree.Element, shared: list[str]) -> str:
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{M}t"))
    value = cell.find("m:v", NS)
    text = value.text if value is not None and value.text else ""
    if kind == "s" and text:
        return shared[int(text)] if int(text) < len(shared) else text
    return text


def _uncalculated(cell: ElementTree.Element) -> bool:
    """A formula without a stored result: no <v>, or an empty one that is not an empty text
    result (t="str")."""
    if cell.find("m:f", NS) is None:
        return False
    value = cell.find("m:v", NS)
    return value is None or (not value.text and cell.get("t") != "str")


def scan_sheet(path: Path, sheet: str) -> SheetScan:
    out = SheetScan()
    with zipfile.ZipFile(path) as book:
        shared = _shared_strings(book)
        xml = _sheet_paths(book)[sheet]
        with book.open(xml) as fh:
            number = 0
            for _event, elem in ElementTree.iterparse(fh, events=("end",)):
                if elem.tag == f"{M}row":
                    number = int(elem.get("r") or number + 1)
                    for cell in elem.iterfind("m:c", NS):
                        if _uncalculated(cell):
                            ref = cell.get("r") or "?"
                            out.uncalculated.setdefault(number, []).append(ref)
                            out.rows.add(number)
                        elif _text(cell, shared).strip():
                            out.rows.add(number)
                    elem.clear()
                elif elem.tag == f"{M}mergeCell":
                    c1, r1, c2, r2 = range_boundaries(elem.get("ref", ""))
                    if None not in (c1, r1, c2, r2):
                        out.merged.append((c1, r1, c2, r2))
                elif elem.tag == f"{M}dimension":
                    out.dimension = elem.get("ref")
    return out
