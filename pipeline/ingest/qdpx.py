"""REFI-QDA projects (.qdpx: a zip holding `project.qde`, the project XML that NVivo, MAXQDA,
ATLAS.ti and QualCoder export) read as one of three tables, chosen by the source's
`options.part`:

- `sources`: one row per source (TextSource, PDFSource, …): `name`, `guid`, `kind`, `sets`
  (the sets it belongs to, «; »-separated), and one column per project variable, its value
  given on the source or, failing that, on the case that holds the source;
- `codings`: one row per Coding: `source`, `sets`, `code` (the code's path in the codebook,
  «\\»-separated as MAXQDA writes it), `begin` and `end` (characters, 1-based and inclusive:
  startPosition + 1 and endPosition), `coder` (the coding's user, else the selection's);
- `codes`: one row per Code, the hierarchy kept: `code` (path), `theme` (its top-level
  code), `name`, `parent` (the parent's path, empty at the top), `codable`, `description`.

A row the file holds but cannot give faithfully (a coding of a code the codebook lacks, a
selection without a text position) is kept with `_parse_error` naming the element, and is
quarantined. `_source_row` is the element's number among its kind in document order. A file
that is not a well-formed project stops the run naming the element (or line) at fault.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from pipeline.errors import UserError, first_line
from pipeline.ingest.result import ReadResult, check_every_row_read
from pipeline.ingest.sniff import check_format

NS = "urn:QDA-XML:project:1.0"
PROJECT_XML = "project.qde"
PARTS = ("sources", "codings", "codes")
SOURCE_KINDS = ("TextSource", "PDFSource", "PictureSource", "AudioSource", "VideoSource")
VALUE_KINDS = (
    "TextValue",
    "BooleanValue",
    "IntegerValue",
    "FloatValue",
    "DateValue",
    "DateTimeValue",
)
SEPARATOR = "\\"
# the element each part has one row per, as a start tag in the XML text (any prefix)
COUNTED = {
    "sources": r"<(?:[\w.-]+:)?(?:" + "|".join(SOURCE_KINDS) + r")[\s/>]",
    "codings": r"<(?:[\w.-]+:)?Coding[\s/>]",
    "codes": r"<(?:[\w.-]+:)?Code[\s/>]",
}
HINT = "Export the project again from the QDA program (REFI-QDA project, .qdpx)"


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _tag(element: ET.Element) -> str:
    """The element's name without the REFI-QDA namespace."""
    return element.tag.removeprefix(f"{{{NS}}}")


def _bad(path: Path, message: str, element: str, found: str | None = None) -> UserError:
    return UserError(
        f"The REFI-QDA project is malformed: {message}",
        file=path,
        expected=f"a valid {element} element (REFI-QDA project 1.0)",
        found=found,
        hint=HINT,
    )


@dataclass
class Project:
    path: Path
    text: bytes
    root: ET.Element
    codes: dict[str, tuple[str, ET.Element]]  # guid -> (path, element)
    users: dict[str, str] | None  # guid -> name; None: the project lists no users
    sets: dict[str, list[str]]  # source guid -> set names


def _open(path: Path) -> Project:
    check_format(path, "qdpx")
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        if PROJECT_XML not in names:
            raise _bad(
                path,
                f"the zip holds no {PROJECT_XML}",
                "project.qde",
                found=", ".join(names[:5]) or "an empty zip",
            )
        text = z.read(PROJECT_XML)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line, column = exc.position
        raise UserError(
            f"The REFI-QDA project's XML is not well-formed ({first_line(exc).split(':')[0]} "
            f"at character {column + 1})",
            file=f"{path} › {PROJECT_XML}",
            line=line,
            hint=HINT,
        ) from exc
    if root.tag != _q("Project"):
        raise _bad(
            path, "the root element is not a REFI-QDA Project", "<Project>", found=f"<{root.tag}>"
        )
    return Project(path, text, root, _codes(path, root), _users(path, root), _sets(root))


def _guid(path: Path, element: ET.Element, where: str) -> str:
    guid = element.get("guid")
    if not guid:
        raise _bad(path, f"{where} has no guid attribute", _tag(element))
    return guid.upper()


def _codes(path: Path, root: ET.Element) -> dict[str, tuple[str, ET.Element]]:
    """Every code by GUID with its path; a code without a name or GUID, or a GUID used
    twice, stops the run (the codings could not be placed)."""
    out: dict[str, tuple[str, ET.Element]] = {}

    def walk(parent: ET.Element, prefix: str) -> None:
        for number, code in enumerate(parent.findall(_q("Code")), start=1):
            name = code.get("name")
            where = f"Code {number} under «{prefix or 'CodeBook'}»"
            if not name:
                raise _bad(path, f"{where} has no name attribute", "Code")
            guid = _guid(path, code, f"Code «{name}»")
            if guid in out:
                raise _bad(
                    path,
                    f"two codes have the GUID {guid} («{out[guid][0]}» and «{prefix + name}»)",
                    "Code",
                )
            here = f"{prefix}{name}"
            out[guid] = (here, code)
            walk(code, here + SEPARATOR)

    codes = root.find(f"{_q('CodeBook')}/{_q('Codes')}")
    if codes is not None:
        walk(codes, "")
    return out


def _users(path: Path, root: ET.Element) -> dict[str, str] | None:
    users = root.find(_q("Users"))
    if users is None:
        return None
    return {_guid(path, u, "a User"): u.get("name") or u.get("id") or "" for u in users}


def _sets(root: ET.Element) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for s in root.iterfind(f"{_q('Sets')}/{_q('Set')}"):
        for member in s.iterfind(_q("MemberSource")):
            out.setdefault((member.get("targetGUID") or "").upper(), []).append(s.get("name", ""))
    return out


def _sources(project: Project) -> Iterator[ET.Element]:
    holder = project.root.find(_q("Sources"))
    for element in holder if holder is not None else ():
        if element.tag in {_q(k) for k in SOURCE_KINDS}:
            yield element


def _value(element: ET.Element) -> str | None:
    for kind in VALUE_KINDS:
        found = element.find(_q(kind))
        if found is not None:
            return found.text
    return None


def _source_rows(project: Project) -> tuple[list[str], list[dict[str, Any]]]:
    variables = {
        (v.get("guid") or "").upper(): v.get("name") or ""
        for v in project.root.iterfind(f"{_q('Variables')}/{_q('Variable')}")
    }
    by_case: dict[str, dict[str, list[str | None]]] = {}  # source guid -> variable -> values
    for case in project.root.iterfind(f"{_q('Cases')}/{_q('Case')}"):
        values = _variable_values(case, variables)
        for ref in case.iterfind(_q("SourceRef")):
            held = by_case.setdefault((ref.get("targetGUID") or "").upper(), {})
            for name, value in values.items():
                held.setdefault(name, []).append(value)
    rows = []
    for element in _sources(project):
        guid = (element.get("guid") or "").upper()
        row: dict[str, Any] = {
            "name": element.get("name"),
            "guid": guid,
            "kind": _tag(element),
            "sets": "; ".join(project.sets.get(guid, [])) or None,
        }
        errors = []
        own = _variable_values(element, variables)
        for name in variables.values():
            if name in own:
                row[name] = own[name]
                continue
            given = sorted({v for v in by_case.get(guid, {}).get(name, []) if v is not None})
            if len(given) > 1:
                errors.append(f"the cases holding this source give {name} = {' and '.join(given)}")
            row[name] = given[0] if len(given) == 1 else None
        if not row["name"]:
            errors.append(f"{row['kind']} {guid} has no name attribute")
        row["_parse_error"] = "; ".join(errors) or None
        rows.append(row)
    return ["name", "guid", "kind", "sets", *variables.values()], rows


def _variable_values(element: ET.Element, variables: dict[str, str]) -> dict[str, str | None]:
    out = {}
    for vv in element.iterfind(_q("VariableValue")):
        ref = vv.find(_q("VariableRef"))
        name = variables.get((ref.get("targetGUID") or "").upper()) if ref is not None else None
        if name is not None:
            out[name] = _value(vv)
    return out


def _coding_rows(project: Project) -> tuple[list[str], list[dict[str, Any]]]:
    """Every Coding in the project, in document order, wherever it sits: a coding of a text
    selection is a segment; one elsewhere (an audio transcript, a PDF region) is kept as a row
    that says why it cannot be placed."""
    parents = {child: parent for parent in project.root.iter() for child in parent}
    selections: dict[ET.Element, str] = {}  # selection -> its name, numbered in its source
    for source in _sources(project):
        where = f"{_tag(source)} «{source.get('name')}»"
        held = [e for e in source.iter() if _tag(e).endswith("Selection")]
        for number, selection in enumerate(held, start=1):
            selections[selection] = f"{where} › {_tag(selection)} {number}"
    rows = []
    for coding in project.root.iter(_q("Coding")):
        holder = parents.get(coding, project.root)
        source = holder
        while source is not project.root and _tag(source) not in SOURCE_KINDS:
            source = parents.get(source, project.root)
        codings = list(holder.iterfind(_q("Coding")))
        here = f"{selections.get(holder, _tag(holder))} › Coding {codings.index(coding) + 1}"
        in_source = source is not project.root
        rows.append(
            _coding(
                project,
                coding,
                holder,
                _tag(holder),
                source.get("name") if in_source else None,
                (source.get("guid") or "").upper() if in_source else "",
                here,
            )
        )
    return ["source", "sets", "code", "begin", "end", "coder"], rows


def _coding(
    project: Project,
    coding: ET.Element,
    selection: ET.Element,
    kind: str,
    source: str | None,
    source_guid: str,
    here: str,
) -> dict[str, Any]:
    errors = []
    ref = coding.find(_q("CodeRef"))
    target = (ref.get("targetGUID") or "").upper() if ref is not None else ""
    code = project.codes.get(target)
    if ref is None:
        errors.append(f"{here} has no CodeRef")
    elif code is None:
        errors.append(f"{here} refers to code GUID {target or '(none)'}, not in the CodeBook")
    begin = end = None
    if kind == "PlainTextSelection":
        try:
            begin = int(selection.get("startPosition", "")) + 1
            end = int(selection.get("endPosition", ""))
        except ValueError:
            errors.append(
                f"{here}: the selection's startPosition/endPosition are not whole "
                f"numbers ({selection.get('startPosition')!r}, "
                f"{selection.get('endPosition')!r})"
            )
    else:
        errors.append(f"{here}: a {kind} has no text position (ot-eval reads coded text)")
    if source is None:
        errors.append(f"{here} belongs to no source")
    user = (coding.get("creatingUser") or selection.get("creatingUser") or "").upper()
    coder: str | None = user or None
    if project.users is not None and user:
        coder = project.users.get(user)
        if coder is None:
            errors.append(f"{here}: creatingUser {user} is not among the project's Users")
    return {
        "source": source,
        "sets": "; ".join(project.sets.get(source_guid, [])) or None,
        "code": code[0] if code else None,
        "begin": None if begin is None else str(begin),
        "end": None if end is None else str(end),
        "coder": coder,
        "_parse_error": "; ".join(errors) or None,
    }


def _code_rows(project: Project) -> tuple[list[str], list[dict[str, Any]]]:
    rows = []
    for code_path, element in project.codes.values():  # document order (depth first)
        parts = code_path.split(SEPARATOR)
        description = element.find(_q("Description"))
        codable = element.get("isCodable")
        rows.append(
            {
                "code": code_path,
                "theme": parts[0],
                "name": parts[-1],
                "parent": SEPARATOR.join(parts[:-1]) or None,
                "codable": codable,
                "description": description.text if description is not None else None,
                "_parse_error": None,
            }
        )
    return ["code", "theme", "name", "parent", "codable", "description"], rows


def read_qdpx(path: Path, options: dict[str, Any]) -> ReadResult:
    """One part of a REFI-QDA project as text columns, every element of that kind a row."""
    part = options.get("part")
    if part not in PARTS:
        raise UserError(
            "A REFI-QDA source needs the part of the project it reads",
            file=path,
            expected="options.part = " + " | ".join(f'"{p}"' for p in PARTS),
            found=repr(part),
        )
    project = _open(path)
    columns, rows = {"sources": _source_rows, "codings": _coding_rows, "codes": _code_rows}[part](
        project
    )
    result = ReadResult(columns, iter(()), dialect={"part": part})

    def batches() -> Iterator[pa.RecordBatch]:
        arrays = [pa.array([r.get(c) for r in rows], pa.string()) for c in columns]
        numbers = pa.array(np.arange(1, len(rows) + 1), pa.int64())
        errors = pa.array([r["_parse_error"] for r in rows], pa.string())
        yield pa.RecordBatch.from_arrays(
            [*arrays, numbers, errors], [*columns, "_source_row", "_parse_error"]
        )
        in_file = len(re.findall(COUNTED[part].encode(), project.text))
        how = f"{part} elements in {PROJECT_XML}, counted in its text"
        check_every_row_read(path, in_file, how, len(rows), HINT)
        result.rows_in_file, result.counted_by = in_file, how

    result.batches = batches()
    return result
