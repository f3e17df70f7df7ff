"""The catalogue's mechanism on small, hand-made warehouses: a column passed through unchanged
carries its upstream description (through CTEs, joins and aliases), a computed one does not,
the model's YAML wins, a shared description fills in, and every shipped contract and model
YAML is well-formed and current."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from pipeline.catalogue import comments
from pipeline.catalogue.describe import model_columns, model_yaml, passthrough
from pipeline.errors import UserError
from pipeline.transform import Model, discover
from pipeline.validate.contracts import load_contract
from tests.conftest import REPO


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute("create schema valid; create schema staging")
    c.execute('create table valid.people (lopenr int, komnr varchar, "innmateHast" int)')
    c.execute("create table valid.places (komnr varchar, name varchar)")
    comments.apply(
        c,
        "valid",
        "people",
        "People.",
        {"lopenr": "Pseudonym.", "komnr": "Code as delivered.", "innmateHast": "Urgency."},
    )
    comments.apply(c, "valid", "places", "Places.", {"name": "Place name."})
    return c


SQL = """-- One row per person.
-- materialize: view
with named as (
    select p.lopenr as person_id, p.komnr, l.name, p."innmateHast" as urgency
    from valid.people as p
    left join valid.places as l on l.komnr = p.komnr
)
select person_id, n.komnr as kommune_code, upper(name) as shout, name, urgency,
    1 as one
from named as n
"""


def test_passthrough_follows_plain_columns_through_ctes_joins_and_aliases(con) -> None:  # type: ignore[no-untyped-def]
    found = passthrough(con, SQL)
    assert found == {
        "person_id": ("valid", "people", "lopenr"),
        "kommune_code": ("valid", "people", "komnr"),
        "name": ("valid", "places", "name"),
        "urgency": ("valid", "people", "innmatehast"),  # (folded: DuckDB matches any case)
    }  # `shout` is computed, `one` a literal: neither passes anything through


def test_an_unanalysable_model_passes_nothing(con) -> None:  # type: ignore[no-untyped-def]
    unpivot = "select * from (unpivot valid.people on (lopenr, komnr) into name k value v)"
    assert passthrough(con, unpivot) == {}
    assert passthrough(con, "select a from b union select c from d") == {}


def test_model_columns_inherit_then_shared_then_own_yaml_wins(con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    layer = tmp_path / "sql" / "staging"
    layer.mkdir(parents=True)
    (tmp_path / "sql" / "_columns.yml").write_text(
        "columns:\n  one: Always one.\n  name: Shared name text (loses to the pass-through).\n"
    )
    path = layer / "stg_people.sql"
    path.write_text(SQL)
    (layer / "stg_people.yml").write_text("columns:\n  urgency: Own text wins.\n")
    m = Model("staging", "stg_people", path, SQL)
    got = model_columns(con, m)
    assert got["person_id"].text == "Pseudonym."
    assert got["person_id"].origin == "valid.people.lopenr"
    assert model_columns(con, Model("staging", "x", layer / "x.sql", SQL))["urgency"].origin == (
        "valid.people.innmateHast"  # the upstream column as DuckDB names it
    )
    assert got["urgency"].text == "Own text wins."  # the model's YAML over the pass-through
    assert got["urgency"].origin == "sql/staging/stg_people.yml"
    assert got["name"].text == "Place name."  # a pass-through over the shared text
    assert got["one"].origin == "sql/_columns.yml"
    assert "shout" not in got  # nobody described it: the coverage test would fail
    assert comments.header(SQL) == "One row per person."


def test_comments_land_on_tables_views_and_columns(con) -> None:  # type: ignore[no-untyped-def]
    con.execute("create view staging.v as select lopenr from valid.people")
    comments.apply(con, "staging", "v", "A view.", {"lopenr": "It's quoted 'safely'."})
    assert comments.column_comments(con, "staging", "v") == {"lopenr": "It's quoted 'safely'."}
    view = con.execute("select comment from duckdb_views() where view_name = 'v'").fetchall()
    assert view == [("A view.",)]
    comments.apply(con, "staging", "no_such", "x", {})  # a relation not built: nothing to do


def test_a_malformed_model_yaml_names_its_file(tmp_path: Path) -> None:
    bad = tmp_path / "m.yml"
    bad.write_text("columns:\n  a: x: y\n")
    with pytest.raises(UserError, match="not valid YAML") as caught:
        model_yaml(bad)
    assert str(bad) in str(caught.value)
    bad.write_text("columns: [a, b]\n")
    with pytest.raises(UserError, match="mapping each column name"):
        model_yaml(bad)


def test_every_shipped_contract_column_has_a_description() -> None:
    for path in sorted((REPO / "data_contracts").glob("*.yml")):
        contract = load_contract(path)
        assert contract.description.strip(), path.name
        missing = [n for n, c in contract.columns.items() if not c.description]
        assert missing == [], f"{path.name}: no description for {missing}"


def test_every_model_yaml_names_only_columns_its_model_makes() -> None:
    """A description for a column the model no longer has is a stale doc: caught here."""
    sql_dir = REPO / "sql"
    models = {m.path.with_suffix(".yml"): m for m in discover(sql_dir)}
    for path in sorted(sql_dir.glob("*/*.yml")):
        assert path in models, f"{path}: no model of that name"
        sql = models[path].sql.lower()
        for column in yaml.safe_load(path.read_text(encoding="utf-8"))["columns"]:
            assert column.lower() in sql, f"{path.name}: {column} is not in the model"
    assert all(m.sql.startswith("--") for m in models.values()), "a model without a header"
