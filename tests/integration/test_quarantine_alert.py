"""A quarantine that could move a headline is never silent: banner, summary line, exit 4."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import main
from tests.runs import REPORTS

pytestmark = pytest.mark.integration
HEADER = "person;kommunenr;samtale_nr;dato;skala;aktivitet_1;poeng_1"


def _project(tmp_path: Path, rows: int, bad: int, extra: str = "") -> Path:
    lines = [HEADER]
    for i in range(rows):
        day = "2023-02-30" if i < bad else "2023-01-10"  # an impossible date is quarantined
        lines.append(f"P{i};5530;1;{day};0=kan ikke utføre;Gå;3")
    (tmp_path / "psfs.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = tmp_path / "c.toml"
    config.write_text(
        "[evaluation]\nintervention_date = 2018-09-01\n"
        f"[validation]\n{extra}\n"
        '[sources.psfs_forms]\npath = "psfs.csv"\nformat = "csv"\n',
        encoding="utf-8",
    )
    return config


def _banner(tmp_path: Path) -> list[bool]:
    return [
        'id="karantene-varsel"' in (tmp_path / "reports" / name).read_text(encoding="utf-8")
        for name in REPORTS
    ]


@pytest.mark.parametrize(
    ("rows", "bad", "extra", "above", "code"),
    [
        (100, 1, "", False, 0),  # exactly the default 1 %: allowed
        (100, 2, "", True, 4),  # above it
        # 29 of 100 is not above 0.29, but in floating point 100 * 0.29 = 28.999999999999996
        (100, 29, "max_quarantine_share = 0.29", False, 0),
        (100, 30, "max_quarantine_share = 0.29", True, 4),
        (100, 2, "accept_quarantine = true", True, 0),  # accepted in the config, still shown
    ],
)
def test_exit_status_and_banner_follow_the_exact_share(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rows: int,
    bad: int,
    extra: str,
    above: bool,
    code: int,
) -> None:
    config = _project(tmp_path, rows, bad, extra)
    assert main(["ingest", "--config", str(config)]) == 0
    assert main(["validate", "--config", str(config)]) == code
    out, err = capsys.readouterr()
    assert ("QUARANTINE ABOVE THE ALLOWED SHARE – psfs_forms" in out) == above
    assert _banner(tmp_path) == [above] * len(REPORTS)
    if code == 4:
        assert f"{bad} of {rows} rows quarantined" in err and "--accept-quarantine" in err
        assert "dato.type" in err


def test_accept_quarantine_on_the_command_line(tmp_path: Path) -> None:
    config = _project(tmp_path, 50, 5)
    assert main(["ingest", "--config", str(config)]) == 0
    assert main(["validate", "--config", str(config), "--accept-quarantine"]) == 0
    assert _banner(tmp_path) == [True] * len(REPORTS)  # accepted, but the reports still say so
