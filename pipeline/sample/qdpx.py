"""The sample's interviews as one REFI-QDA project (.qdpx), as NVivo, MAXQDA or ATLAS.ti
would export them: the same records, codebook (themes as folders of codes) and coded
segments as the CSV files, so that both readers can be checked against each other."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pandas as pd

from pipeline.ingest.qdpx import NS, PROJECT_XML, SEPARATOR

GUIDS = uuid.UUID("6f0e8b8e-2f49-4a43-9d3c-0b7f3c1e5a10")  # fixed: same sample, same file
VARIABLES = ("kommune", "rolle", "dato", "modus")
FIXED_TIME = (2024, 6, 1, 0, 0, 0)


def _guid(kind: str, name: str) -> str:
    return str(uuid.uuid5(GUIDS, f"{kind}:{name}")).upper()


def _el(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, tag, attrs)


def write_qdpx(
    records: pd.DataFrame, codebook: pd.DataFrame, segments: pd.DataFrame, path: Path
) -> None:
    """`records` as the interview list (intervju_id + VARIABLES), `codebook` (kode, tema,
    beskrivelse), `segments` in the MAXQDA export's columns."""
    root = ET.Element(
        "Project", {"name": "OT-evaluering (syntetisk)", "origin": "ot-eval", "xmlns": NS}
    )
    users = _el(root, "Users")
    for coder in sorted(segments["Coder"].unique()):
        _el(users, "User", guid=_guid("user", coder), name=coder)
    codes = _el(_el(root, "CodeBook"), "Codes")
    folders: dict[str, ET.Element] = {}
    for row in codebook.itertuples():
        theme = str(row.tema)
        if theme not in folders:
            folders[theme] = _el(
                codes, "Code", guid=_guid("code", theme), name=theme, isCodable="false"
            )
        name = str(row.kode).split(SEPARATOR, 1)[1]
        _el(folders[theme], "Code", guid=_guid("code", str(row.kode)), name=name, isCodable="true")
    variables = _el(root, "Variables")
    for v in VARIABLES:
        _el(variables, "Variable", guid=_guid("variable", v), name=v, typeOfVariable="Text")
    sources = _el(root, "Sources")
    by_document = dict(tuple(segments.groupby("Dokumentname", sort=True)))
    for rec in records.itertuples():
        doc = str(rec.intervju_id)
        source = _el(
            sources,
            "TextSource",
            guid=_guid("source", doc),
            name=doc,
            plainTextPath=f"internal://{_guid('source', doc)}.txt",
        )
        held = by_document.get(doc, segments.iloc[:0])
        for k, seg in enumerate(held.itertuples()):
            selection = _el(
                source,
                "PlainTextSelection",
                guid=_guid("selection", f"{doc}:{k}"),
                startPosition=str(int(str(seg.Anfang)) - 1),
                endPosition=str(seg.Ende),
                creatingUser=_guid("user", str(seg.Coder)),
            )
            coding = _el(
                selection,
                "Coding",
                guid=_guid("coding", f"{doc}:{k}"),
                creatingUser=_guid("user", str(seg.Coder)),
            )
            _el(coding, "CodeRef", targetGUID=_guid("code", str(seg.Code)))
        for v in VARIABLES:
            value = _el(source, "VariableValue")
            _el(value, "VariableRef", targetGUID=_guid("variable", v))
            _el(value, "TextValue").text = str(getattr(rec, v))
    sets = _el(root, "Sets")
    for group, members in records.groupby("kommune", sort=True):
        s = _el(sets, "Set", guid=_guid("set", str(group)), name=str(group))
        for doc in members["intervju_id"]:
            _el(s, "MemberSource", targetGUID=_guid("source", str(doc)))
    ET.indent(root)
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(PROJECT_XML, FIXED_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, xml)
