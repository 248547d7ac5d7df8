"""Tests of export.py: JSON, CSV and SQLite, and above all that ``public`` leaks nothing."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from conftest import FIXTURES, PROJECT
from exilecases.errors import ExilecasesError
from exilecases.format.privacy import redact
from exilecases.format.vocabulary import default_vocabulary
from exilecases.ops import export as export_module
from exilecases.ops.export import (
    ENTRY_TABLES,
    case_columns,
    entry_columns,
    export_csv,
    export_json,
    export_sqlite,
)
from exilecases.ops.load import load
from exilecases.ops.query import Filters, select
from exilecases.ops.validate import check_file
from exilecases.store.files import load_vocabulary

# A case whose every private piece is a distinctive string: none may reach a public export.
SECRET_CASE = """\
id = "secret-case"
name = "Timur Openname"
born = "1987-03-14"
citizenship = ["RU"]
origin_country = "RU"
host_country = "KZ"
categories = ["deserter"]
status = "deported"
risk = "Risk-QZX-marked-private-by-the-case"
summary = "Public summary of the case."
private_fields = ["risk"]
home_address_typo = "Unknown-key-QZX-value"

[[charges]]
basis = "RU-CC-338"
date = "2024"
sources = ["public-src"]

[[events]]
date = "2024"
type = "fled"
sources = ["public-src"]

[[events]]
date = "2025-02-05?"
type = "deportation"
outcome = "deported"
note = "Removed by plane"
sources = ["public-src", "secret-src"]

[[sources]]
id = "public-src"
outlet = "Public Outlet"

[[sources]]
id = "secret-src"
outlet = "Informant-QZX-outlet"
private = true

[[contacts]]
name = "Dana Publiclawyer"
role = "lawyer"
phone = "+7 701 000 11 22"

[[contacts]]
name = "Zarina Qwertyuiop"
role = "relative"
private = true
note = "Sister-QZX-note"

[private]
phone = "+7 777 123 45 67"
address = "ул. Потайная, д. 99, кв. 13"
notes = "Meets the lawyer on Tuesdays at the QZX café"
"""

SECRETS = [
    "1987-03-14",
    "Risk-QZX",
    "Unknown-key-QZX",
    "Informant-QZX",
    "secret-src",
    "+7 701 000 11 22",
    "Zarina Qwertyuiop",
    "Sister-QZX",
    "+7 777 123 45 67",
    "Потайная",
    "Tuesdays at the QZX",
    # from tests/fixtures/valid/lebedev-arkadij.toml
    "Irina Lebedeva",
    "Mother lives in Astana",
    "1991?",
]


def _checked(text: str, stem: str) -> dict:
    result = check_file(text.encode(), f"{stem}.toml", stem, default_vocabulary())
    assert result.ok, [f.format() for f in result.findings]
    return result.case


@pytest.fixture
def vocabulary():
    return default_vocabulary()


@pytest.fixture
def secret_cases() -> list[dict]:
    lebedev = FIXTURES / "valid" / "lebedev-arkadij.toml"
    return [
        _checked(SECRET_CASE, "secret-case"),
        _checked(lebedev.read_text("utf-8"), "lebedev-arkadij"),
    ]


@pytest.fixture(scope="module")
def bundled_cases() -> list[dict]:
    return load(PROJECT, load_vocabulary(PROJECT)).cases


def _forms(secret: str) -> list[str]:
    """The secret as it may be written: raw, JSON-escaped, CSV-quoted."""
    return list({secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]})


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if any(form in text for form in _forms(s))]


def _byte_leaks(data: bytes) -> list[str]:
    return [
        s
        for s in SECRETS
        if any(form.encode(enc) in data for form in _forms(s) for enc in ("utf-8", "utf-16-le"))
    ]


def test_every_secret_is_in_the_fixture(secret_cases, vocabulary) -> None:
    # The control: without --public every secret is exported, so the checks below bite.
    everything = export_json(secret_cases, vocabulary, public=False)
    everything += export_csv(secret_cases, vocabulary, public=False)
    everything += "".join(
        export_csv(secret_cases, vocabulary, public=False, table=t) for t in ENTRY_TABLES
    )
    assert _leaks(everything) == SECRETS


# --- public exports leak nothing --------------------------------------------------------


def test_public_json_holds_no_private_data(secret_cases, vocabulary) -> None:
    text = export_json(secret_cases, vocabulary, public=True)
    assert _leaks(text) == []
    data = json.loads(text)
    assert [c["id"] for c in data] == ["secret-case", "lebedev-arkadij"]
    assert data == [redact(c, vocabulary) for c in secret_cases]
    assert data[0]["contacts"] == [{"name": "Dana Publiclawyer", "role": "lawyer"}]
    assert data[0]["events"][1]["sources"] == ["public-src"]


@pytest.mark.parametrize("table", [None, *ENTRY_TABLES])
def test_public_csv_holds_no_private_data(secret_cases, vocabulary, table) -> None:
    text = export_csv(secret_cases, vocabulary, public=True, table=table)
    assert _leaks(text) == []
    assert "private" not in next(csv.reader(io.StringIO(text))) or table == "contacts"


def test_public_sqlite_holds_no_private_data(secret_cases, vocabulary, tmp_path) -> None:
    path = tmp_path / "public.db"
    export_sqlite(secret_cases, vocabulary, path, public=True)
    assert _byte_leaks(path.read_bytes()) == []
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert "private" not in tables
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):
                assert _leaks(" ".join(str(cell) for cell in row)) == [], table
        assert db.execute("PRAGMA freelist_count").fetchone()[0] == 0
        assert db.execute("SELECT value FROM export_info WHERE key='public'").fetchone() == (
            "true",
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public.db"]


def test_private_sqlite_has_the_private_table(secret_cases, vocabulary, tmp_path) -> None:
    path = tmp_path / "all.db"
    export_sqlite(secret_cases, vocabulary, path, public=False)
    assert b"Zarina Qwertyuiop" in path.read_bytes()
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT case_id, key, value FROM private ORDER BY 1, 2").fetchall()
        assert ("secret-case", "phone", "+7 777 123 45 67") in rows
        private = db.execute("SELECT name FROM contacts WHERE private = 1").fetchall()
        assert sorted(private) == [("Irina Lebedeva",), ("Zarina Qwertyuiop",)]
        (extra,) = db.execute("SELECT extra FROM cases WHERE id = 'secret-case'").fetchone()
        assert json.loads(extra)["home_address_typo"] == "Unknown-key-QZX-value"


# --- JSON -------------------------------------------------------------------------------


def test_json_keeps_the_keys_and_dates_of_the_files(bundled_cases, vocabulary) -> None:
    data = json.loads(export_json(bundled_cases, vocabulary, public=False))
    assert data == bundled_cases
    kozak = next(c for c in data if c["id"] == "kozak-denis")
    assert kozak["events"][0]["date"] == "2022/2023"  # never padded to a day


# --- CSV --------------------------------------------------------------------------------


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_one_row_per_case(bundled_cases, vocabulary) -> None:
    text = export_csv(bundled_cases, vocabulary, public=True)
    rows = _rows(text)
    assert [r["id"] for r in rows] == [c["id"] for c in bundled_cases]
    assert list(rows[0]) == case_columns(public=True, summary=True)
    by_id = {r["id"]: r for r in rows}
    baltatarova = by_id["baltatarova-yevgeniya"]
    assert baltatarova["categories"] == "journalist; activist"
    assert baltatarova["outcome"] == "protected"
    assert baltatarova["first_event"] == "2022-03"
    assert baltatarova["last_event"] == "2025-07"
    zhilin = by_id["zhilin-mikhail"]
    assert zhilin["bases"] == "KZ-CC-392; RU-CC-338; RU-CC-322"
    assert (zhilin["charge_count"], zhilin["event_count"]) == ("3", "4")


def test_csv_entry_tables_have_a_case_id(bundled_cases, vocabulary) -> None:
    for table in ENTRY_TABLES:
        rows = _rows(export_csv(bundled_cases, vocabulary, public=True, table=table))
        expected = sum(len(c.get(table, [])) for c in bundled_cases)
        assert len(rows) == expected, table
        if rows:
            assert list(rows[0]) == entry_columns(table)
    events = _rows(export_csv(bundled_cases, vocabulary, public=True, table="events"))
    first = next(r for r in events if r["case_id"] == "kozak-denis")
    assert (first["position"], first["date"]) == ("1", "2022/2023")
    assert (first["date_earliest"], first["date_latest"]) == ("2022-01-01", "2023-12-31")


def test_csv_refuses_an_unknown_table(bundled_cases, vocabulary) -> None:
    with pytest.raises(ExilecasesError, match="events"):
        export_csv(bundled_cases, vocabulary, public=True, table="people")


def test_csv_cells_never_start_a_formula(vocabulary) -> None:
    case = {"id": "a-b", "name": "=HYPERLINK(1)", "status": "at_risk", "summary": "+7 1"}
    (row,) = _rows(export_csv([case], vocabulary, public=True))
    assert row["name"] == "'=HYPERLINK(1)"
    assert row["summary"] == "'+7 1"
    (raw,) = _rows(export_csv([case], vocabulary, public=True, formula_guard=False))
    assert raw["name"] == "=HYPERLINK(1)"


# --- SQLite -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled_db(bundled_cases, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "cases.db"
    export_sqlite(bundled_cases, load_vocabulary(PROJECT), path, public=True)
    return path


def test_sql_returned_cases_per_legal_basis(bundled_db, bundled_cases) -> None:
    vocabulary = load_vocabulary(PROJECT)
    expected: Counter[str] = Counter()
    for case in bundled_cases:
        if vocabulary.outcome_of(case["status"]) == "returned":
            expected.update({c["basis"] for c in case.get("charges", [])})
    with sqlite3.connect(bundled_db) as db:
        rows = db.execute(
            """SELECT ch.basis, COUNT(DISTINCT c.id)
               FROM cases c JOIN charges ch ON ch.case_id = c.id
               WHERE c.outcome = 'returned'
               GROUP BY ch.basis ORDER BY ch.basis"""
        ).fetchall()
        deserters = db.execute(
            """SELECT DISTINCT c.id FROM cases c
               JOIN charges ch ON ch.case_id = c.id
               JOIN statuses s ON s.key = c.status
               WHERE s.outcome = 'returned' AND ch.basis = 'RU-CC-338' ORDER BY c.id"""
        ).fetchall()
    assert dict(rows) == dict(expected)
    assert expected["RU-CC-338"] >= 2
    assert {"kasimov-kamil", "zhilin-mikhail"} <= {r[0] for r in deserters}


def test_sql_date_range_matches_the_list_filter(bundled_db, bundled_cases) -> None:
    vocabulary = load_vocabulary(PROJECT)
    wanted = select(bundled_cases, Filters(since="2023", until="2023-06"), vocabulary)
    with sqlite3.connect(bundled_db) as db:
        rows = db.execute(
            """SELECT DISTINCT case_id FROM events
               WHERE date_latest >= '2023-01-01' AND date_earliest <= '2023-06-30'
               ORDER BY case_id"""
        ).fetchall()
    assert [r[0] for r in rows] == sorted(c["id"] for c in wanted)


def test_sqlite_tables_keys_and_indexes(bundled_db, bundled_cases) -> None:
    with sqlite3.connect(bundled_db) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {
            "cases",
            "events",
            "charges",
            "sources",
            "contacts",
            "aliases",
            "categories",
            "statuses",
            "event_types",
            "category_labels",
            "legal_bases",
            "outcomes",
        } <= tables
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        for table in ("events", "charges", "sources", "contacts", "aliases", "categories"):
            targets = {(r[2], r[3], r[4]) for r in db.execute(f"PRAGMA foreign_key_list({table})")}
            assert ("cases", "case_id", "id") in targets, table
        indexes = {
            (r[1], r[2]) for r in db.execute("SELECT type, tbl_name, name FROM sqlite_master")
        }
        for table, column in (
            ("events", "case_id"),
            ("events", "type"),
            ("events", "date_earliest"),
            ("charges", "basis"),
        ):
            assert (table, f"idx_{table}_{column}") in indexes
        assert db.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == len(bundled_cases)
        (label,) = db.execute(
            "SELECT s.label FROM cases c JOIN statuses s ON s.key = c.status "
            "WHERE c.id = 'kozak-denis'"
        ).fetchone()
        assert label == "Released"
        (categories,) = db.execute(
            "SELECT categories FROM cases WHERE id = 'baltatarova-yevgeniya'"
        ).fetchone()
        assert json.loads(categories) == ["journalist", "activist"]
        rows = db.execute(
            "SELECT category FROM categories WHERE case_id = 'baltatarova-yevgeniya' "
            "ORDER BY position"
        ).fetchall()
        assert rows == [("journalist",), ("activist",)]
        row = db.execute(
            "SELECT date, date_earliest, date_latest FROM events "
            "WHERE case_id = 'kozak-denis' AND position = 1"
        ).fetchone()
        assert row == ("2022/2023", "2022-01-01", "2023-12-31")


def test_sqlite_opens_with_sqlite_utils(bundled_db) -> None:
    sqlite_utils = pytest.importorskip("sqlite_utils")
    db = sqlite_utils.Database(bundled_db)
    assert "cases" in db.table_names()
    assert any(fk.other_table == "cases" for fk in db["events"].foreign_keys)


def test_sqlite_refuses_to_overwrite(bundled_cases, vocabulary, tmp_path) -> None:
    path = tmp_path / "out.db"
    path.write_bytes(b"keep me")
    with pytest.raises(ExilecasesError, match="already exists"):
        export_sqlite(bundled_cases, vocabulary, path, public=True)
    assert path.read_bytes() == b"keep me"
    export_sqlite(bundled_cases, vocabulary, path, public=True, overwrite=True)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == len(bundled_cases)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.db"]


def test_sqlite_failure_leaves_no_half_written_file(
    bundled_cases, vocabulary, tmp_path, monkeypatch
) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_module, "build_database", broken)
    path = tmp_path / "out.db"
    with pytest.raises(RuntimeError):
        export_sqlite(bundled_cases, vocabulary, path, public=True)
    assert list(tmp_path.iterdir()) == []
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        export_sqlite(bundled_cases, vocabulary, path, public=True, overwrite=True)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.db"]


def test_sqlite_refuses_a_missing_folder(bundled_cases, vocabulary, tmp_path) -> None:
    with pytest.raises(ExilecasesError, match="does not exist"):
        export_sqlite(bundled_cases, vocabulary, tmp_path / "no" / "x.db", public=True)


def test_repository_vocabulary_entries_are_exported(vocabulary, tmp_path) -> None:
    vocabulary.merge({"statuses": {"hiding": {"label": "Hiding", "outcome": "pending"}}}, "x")
    case = {
        "id": "a-b",
        "name": "A",
        "status": "hiding",
        "origin_country": "RU",
        "host_country": "KZ",
    }
    path = tmp_path / "x.db"
    export_sqlite([case], vocabulary, path, public=True)
    with sqlite3.connect(path) as db:
        sql = "SELECT c.outcome, s.label FROM cases c JOIN statuses s ON s.key = c.status"
        row = db.execute(sql).fetchone()
    assert row == ("pending", "Hiding")


def test_any_field_may_be_made_private(secret_cases, vocabulary, tmp_path) -> None:
    hidden = ["name", "status", "events.date", "events.type", "charges.basis", "sources.id"]
    path = tmp_path / "anonymous.db"
    export_sqlite(secret_cases, vocabulary, path, public=True, extra_private_fields=hidden)
    assert b"Timur Openname" not in path.read_bytes()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM events WHERE date IS NULL").fetchone()[0] > 0
    text = export_csv(secret_cases, vocabulary, public=True, extra_private_fields=hidden)
    assert "Timur Openname" not in text
    assert "Timur Openname" not in export_json(
        secret_cases, vocabulary, public=True, extra_private_fields=hidden
    )
