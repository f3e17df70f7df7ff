"""What a file really is, by its content, whatever its name says.

Readers call `check_format` before reading, so a wrong file is named for what it is (an
encrypted workbook, an .xlsb, an old .xls, UTF-16 text, a LibreOffice sheet) with what to do,
instead of a parser's error about something else.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from pipeline.errors import UserError

SNIFF_BYTES = 1 << 16
BOMS = {
    b"\xef\xbb\xbf": "utf-8-sig",
    b"\xff\xfe": "utf-16",
    b"\xfe\xff": "utf-16",
}
WHAT_TO_DO = {
    "csv": "Export the data as CSV (text), or set the source's format to what the file is",
    "xlsx": "Save the workbook as .xlsx (Excel 2007 or later, «Excel-arbeidsbok»), or set the "
    "source's format to what the file is",
    "sav": "Export an SPSS .sav file, or set the source's format to what the file is",
    "parquet": "Point the source at the Parquet file, or set its format to what the file is",
    "qdpx": "Export the project from NVivo, MAXQDA or ATLAS.ti as a REFI-QDA project (.qdpx), "
    "or set the source's format to what the file is",
}
KINDS = {  # what each sniffed kind is called in messages
    "empty": "an empty file",
    "parquet": "a Parquet file",
    "xlsx": "an Excel workbook (.xlsx)",
    "xlsb": "an Excel binary workbook (.xlsb)",
    "xlsm": "an Excel workbook with macros (.xlsm)",
    "ods": "a LibreOffice/OpenDocument spreadsheet (.ods)",
    "docx": "a Word document",
    "qdpx": "a REFI-QDA project (.qdpx)",
    "zip": "a zip archive",
    "encrypted": "a password-protected (encrypted) Office file",
    "xls": "an old Excel 97-2003 workbook (.xls)",
    "doc": "an old Word document (.doc)",
    "ole": "an old Office file (OLE2)",
    "sav": "an SPSS data file",
    "pdf": "a PDF document",
    "gzip": "a gzip-compressed file",
    "utf-16": "text in UTF-16",
    "csv": "text",
    "binary": "binary data, not text",
}


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            mimetype = z.read("mimetype").decode(errors="replace") if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError):
        return "zip"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "xl/workbook.xml" in names:
        return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
    if "opendocument.spreadsheet" in mimetype:
        return "ods"
    if "word/document.xml" in names:
        return "docx"
    if "project.qde" in names:
        return "qdpx"
    return "zip"


def _ole_kind(path: Path) -> str:
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(s) for s in ole.listdir()}
    except OSError:
        return "ole"
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        return "encrypted"
    if streams & {"Workbook", "Book"}:
        return "xls"
    if "WordDocument" in streams:
        return "doc"
    return "ole"


def _text_kind(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" not in head:
        return "csv"
    even, odd = head[0::2], head[1::2]
    # UTF-16 without a BOM: every other byte of Latin text is zero
    if odd.count(0) > 0.4 * len(odd) > 0 and even.count(0) < 0.05 * len(even):
        return "utf-16"
    if even.count(0) > 0.4 * len(even) > 0 and odd.count(0) < 0.05 * len(odd):
        return "utf-16"
    return "binary" if head.count(0) > 0.01 * len(head) else "csv"  # a few stray NUL bytes


def sniff(path: Path) -> str:
    """One of the KINDS keys, by the file's first bytes (and its inner names for zip/OLE)."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head:
        return "empty"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _ole_kind(path)
    if head.startswith((b"$FL2", b"$FL3")):
        return "sav"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    return _text_kind(head)


ACCEPTS = {"csv": ("csv", "utf-16"), "xlsx": ("xlsx", "xlsm"), "sav": ("sav",),
           "parquet": ("parquet",), "qdpx": ("qdpx", "zip")}  # fmt: skip
ADVICE = {
    "encrypted": "Remove the password (in Excel: File > Info > Protect Workbook > Encrypt with "
    "Password, clear it) and save again, or export the sheet as CSV",
    "xlsb": "Open it in Excel and save it as .xlsx («Excel-arbeidsbok»)",
    "xls": "Open it in Excel and save it as .xlsx («Excel-arbeidsbok»)",
    "ods": "Save it as .xlsx from LibreOffice (File > Save As > Excel 2007-365)",
    "gzip": "Unpack it first (gunzip), then point the source at the unpacked file",
}


def check_format(path: Path, expected: str) -> str:
    """Stop with a message naming what the file really is, unless it is `expected`."""
    found = sniff(path)
    if found == "empty":
        raise UserError(
            "The file is empty (0 bytes)",
            file=path,
            expected=f"a {expected} file with a header and data rows",
            found="nothing",
            hint="Check that the export finished, then export again",
        )
    if found not in ACCEPTS[expected]:
        raise UserError(
            f"The file is not a {expected} file",
            file=path,
            expected=KINDS.get(expected, expected),
            found=KINDS[found],
            hint=ADVICE.get(found, WHAT_TO_DO[expected]),
        )
    return found
