"""Binary sample files without a write time: the same seed gives byte-identical files.

Excel and SPSS files embed the time they were written (zip entry times and document
properties in .xlsx; the header's creation date in .sav), so every regenerated sample had new
sha256 values in the reports' provenance although its data were the same. These helpers pin
those fields to one fixed moment after the file is written, whichever library wrote it.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

FIXED = (2024, 1, 1, 0, 0, 0)
FIXED_ISO = "2024-01-01T00:00:00Z"
SAV_STAMP = slice(92, 109)  # creation date "dd Mmm yy" and time "hh:mm:ss" in the SPSS header


def pin_xlsx(path: Path) -> None:
    """Rewrite the workbook's zip with fixed entry times and fixed created/modified times."""
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    tmp = path.with_name(path.name + ".pinning")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rb"\g<1>" + FIXED_ISO.encode() + rb"\g<2>",
                    data,
                )
            pinned = zipfile.ZipInfo(info.filename, date_time=FIXED)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = info.external_attr
            dst.writestr(pinned, data)
    os.replace(tmp, path)


def write_sav(frame: pd.DataFrame, path: Path, **kwargs: Any) -> None:
    """pyreadstat.write_sav with a fixed creation stamp; a full disk is said as such
    (pyreadstat only says 'Unable to write data')."""
    import pyreadstat

    try:
        pyreadstat.write_sav(frame, str(path), **kwargs)
    except pyreadstat.ReadstatError as exc:
        if shutil.disk_usage(path.parent).free < (1 << 20):
            raise OSError(errno.ENOSPC, "No space left on device", str(path)) from exc
        raise
    with path.open("r+b") as fh:
        head = fh.read(4)
        if head in (b"$FL2", b"$FL3"):
            fh.seek(SAV_STAMP.start)
            fh.write(b"01 Jan 2400:00:00")
