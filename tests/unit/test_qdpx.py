"""The REFI-QDA reader on small projects written here: variables from cases, a three-level
codebook, codings outside text selections; every element of the part is a row."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from pipeline.errors import UserError
from pipeline.ingest.qdpx import read_qdpx

PROJECT = """<?xml version="1.0" encoding="utf-8"?>
<Project name="t" xmlns="urn:QDA-XML:project:1.0">
  <Users><User guid="u1" name="Kari"/></Users>
  <CodeBook><Codes>
    <Code guid="c1" name="Tema" isCodable="false">
      <Code guid="c2" name="Under" isCodable="true">
        <Description>Nivå to</Description>
        <Code guid="c3" name="Dypt" isCodable="true"/>
      </Code>
    </Code>
  </Codes></CodeBook>
  <Variables><Variable guid="v1" name="rolle" typeOfVariable="Text"/></Variables>
  <Cases>
    <Case guid="k1" name="Leder 1">
      <VariableValue><VariableRef targetGUID="v1"/><TextValue>Leder</TextValue></VariableValue>
      <SourceRef targetGUID="s1"/><SourceRef targetGUID="s2"/>
    </Case>
    <Case guid="k2" name="Bruker 1">
      <VariableValue><VariableRef targetGUID="v1"/><TextValue>Bruker</TextValue></VariableValue>
      <SourceRef targetGUID="s2"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="s1" name="INT-1">
      <Description>intervju</Description>
      <PlainTextSelection guid="p1" startPosition="0" endPosition="4" creatingUser="u1">
        <Coding guid="g1" creatingUser="u1"><CodeRef targetGUID="c3"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <AudioSource guid="s2" name="INT-2">
      <Transcript guid="t1">
        <TranscriptSelection guid="p2" fromSyncPoint="a" toSyncPoint="b">
          <Coding guid="g2" creatingUser="u1"><CodeRef targetGUID="c2"/></Coding>
        </TranscriptSelection>
      </Transcript>
    </AudioSource>
  </Sources>
</Project>
"""


def _read(tmp_path: Path, part: str, text: str = PROJECT) -> list[dict[str, Any]]:
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", text)
    result = read_qdpx(path, {"part": part})
    rows = pa.Table.from_batches(list(result.batches)).to_pylist()
    assert result.rows_in_file == len(rows)
    return rows


def test_codebook_keeps_the_hierarchy(tmp_path: Path) -> None:
    rows = _read(tmp_path, "codes")
    assert [(r["code"], r["theme"], r["parent"], r["codable"]) for r in rows] == [
        ("Tema", "Tema", None, "false"),
        ("Tema\\Under", "Tema", "Tema", "true"),
        ("Tema\\Under\\Dypt", "Tema", "Tema\\Under", "true"),
    ]
    assert rows[1]["description"] == "Nivå to"


def test_variables_come_from_the_case_and_conflicts_are_named(tmp_path: Path) -> None:
    rows = _read(tmp_path, "sources")
    assert [(r["name"], r["kind"], r["rolle"]) for r in rows] == [
        ("INT-1", "TextSource", "Leder"),
        ("INT-2", "AudioSource", None),
    ]
    assert rows[0]["_parse_error"] is None
    assert "give rolle = Bruker and Leder" in rows[1]["_parse_error"]


def test_a_coding_outside_a_text_selection_is_a_row_saying_why(tmp_path: Path) -> None:
    text, audio = _read(tmp_path, "codings")
    assert (text["code"], text["begin"], text["end"], text["coder"]) == (
        "Tema\\Under\\Dypt", "1", "4", "Kari",
    )  # fmt: skip
    assert audio["code"] == "Tema\\Under" and audio["begin"] is None
    assert audio["_parse_error"].startswith(
        "AudioSource «INT-2» › TranscriptSelection 1 › Coding 1: a TranscriptSelection has no"
    )


def test_two_codes_with_one_guid_stop_the_run(tmp_path: Path) -> None:
    with pytest.raises(
        UserError,
        match="two codes have the GUID C3 \\(«Tema\\\\Under» and «Tema\\\\Under\\\\Dypt»\\)",
    ):
        _read(tmp_path, "codes", PROJECT.replace('guid="c2"', 'guid="c3"'))
