"""The import through the library: ``Repository.import_sheet``, the mapping's cell rules,
the readers' detection, and a write failing midway."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from exilecases import Repository
from exilecases.errors import ExilecasesError
from exilecases.format.vocabulary import default_vocabulary
from exilecases.ops.importer import merge_case
from exilecases.ops.mapping import CellError, CellReader, Mapping, Rule, cell_text
from exilecases.store.sheets import detect_delimiter, detect_encoding, read_bytes, read_sheet

MAP = """\
[defaults]
origin_country = "RU"
host_country = "KZ"
status = "at_risk"

[columns]
"Name" = "name"
"Detained" = { field = "events", type = "detention" }
"""


def _repo(tmp_path: Path) -> Repository:
    (tmp_path / "repo" / "data" / "cases").mkdir(parents=True)
    return Repository(tmp_path / "repo")


def _sheet(tmp_path: Path, rows: list[str]) -> tuple[Path, Path]:
    sheet = tmp_path / "people.csv"
    sheet.write_text("Name,Detained\n" + "".join(row + "\n" for row in rows), encoding="utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text(MAP, encoding="utf-8")
    return sheet, mapping


def test_repository_import_sheet(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    sheet, mapping = _sheet(tmp_path, ["Ivan Petrov,2025-03", "Oleg Sidorov,"])
    report = repo.import_sheet(sheet, mapping, dry_run=True)
    assert report.errors == 0 and report.written == []
    assert not list((repo.root / "data" / "cases").iterdir())
    report = repo.import_sheet(sheet, mapping)
    assert sorted(p.name for p in report.created) == ["petrov-ivan.toml", "sidorov-oleg.toml"]
    case = repo.case("petrov-ivan")
    assert case["events"][0] == {"date": "2025-03", "type": "detention", "sources": ["import"]}
    assert repo.check() == []


def test_a_write_failing_midway_removes_what_the_run_created(tmp_path: Path, monkeypatch) -> None:
    from exilecases.store import write

    repo = _repo(tmp_path)
    sheet, mapping = _sheet(tmp_path, ["Ivan Petrov,", "Oleg Sidorov,", "Anna Kuznetsova,"])
    real = write.CaseWriter.write
    calls = []

    def failing(self, path, change, **kwargs):
        calls.append(path.name)
        if len(calls) == 3:
            raise ExilecasesError(f"cannot write {path.name}: No space left on device")
        return real(self, path, change, **kwargs)

    monkeypatch.setattr(write.CaseWriter, "write", failing)
    with pytest.raises(ExilecasesError, match="the import was undone") as raised:
        repo.import_sheet(sheet, mapping)
    assert "No space left on device" in raised.value.message
    assert len(calls) == 3
    assert sorted(os.listdir(repo.root / "data" / "cases")) == []


def test_dates_in_the_sheets_forms() -> None:
    vocabulary = default_vocabulary()
    reader = CellReader(Mapping(Path("m.toml"), date_format="DD.MM.YYYY"), vocabulary)
    rule = Rule("Дата", "events", 1, type="detention")
    assert reader.value(rule, "31.03.2025") == "2025-03-31"
    assert reader.value(rule, "1.3.2025") == "2025-03-01"
    assert reader.value(rule, "03.2025") == "2025-03"
    assert reader.value(rule, "2025") == "2025"
    assert reader.value(rule, "2025-03-31") == "2025-03-31"  # ISO is always understood
    assert reader.value(rule, "31.03.2025?") == "2025-03-31?"
    assert reader.value(rule, dt.datetime(2025, 3, 31, 0, 0)) == "2025-03-31"
    assert reader.value(rule, 1990.0) == "1990"
    for bad, words in [
        ("31.02.2025", "February 2025 has 28 days"),
        ("2022-2023", "a range of dates cannot be imported"),
        (45000.0, "is a number, not a date"),
    ]:
        with pytest.raises(CellError, match=words) as raised:
            reader.value(rule, bad)
        assert raised.value.code == "I021"
    us = CellReader(Mapping(Path("m.toml"), date_format="MM/DD/YYYY"), vocabulary)
    assert us.value(rule, "03/31/2025") == "2025-03-31"


def test_words_lists_and_prefixes() -> None:
    vocabulary = default_vocabulary()
    reader = CellReader(Mapping(Path("m.toml")), vocabulary)
    basis = Rule("Статья", "charges.basis", 1, split=";", prefix="RU-CC-")
    assert reader.value(basis, "338; 275;; KZ-CC-392") == ["RU-CC-338", "RU-CC-275", "KZ-CC-392"]
    status = Rule("Статус", "status", 1, values={"Задержан": "detained"})
    assert reader.value(status, "  задержан ") == "detained"
    assert reader.value(status, "deported") == "deported"  # a key needs no mapping
    with pytest.raises(CellError) as raised:
        reader.value(status, "задержана")
    assert raised.value.code == "I020" and "did you mean 'Задержан'?" in raised.value.message
    country = Rule("Страна", "citizenship", 1, split=",", values={"Россия": "RU"})
    assert reader.value(country, "Россия, kz") == ["RU", "KZ"]
    assert cell_text(338.0) == "338" and cell_text(" a\r\nb ") == "a\nb" and cell_text("") is None


def test_merge_field_by_field() -> None:
    old = {
        "id": "x",
        "name": "X",
        "aliases": ["A"],
        "events": [{"date": "2024", "type": "fled"}, {"date": "2026", "type": "detention"}],
        "private": {"notes": "n"},
    }
    new = {
        "id": "x",
        "aliases": ["B", "A"],
        "status": "detained",
        "events": [
            {"date": "2025", "type": "arrival"},
            {"date": "2026", "type": "detention", "place": "Astana"},
        ],
        "private": {"phone": "1"},
    }
    merged = merge_case(old, new)
    assert merged["aliases"] == ["A", "B"] and merged["status"] == "detained"
    assert [e["date"] for e in merged["events"]] == ["2024", "2025", "2026"]
    assert merged["events"][2]["place"] == "Astana"
    assert merged["private"] == {"notes": "n", "phone": "1"}
    assert old["aliases"] == ["A"]  # the old case is not changed


def test_encoding_and_delimiter_detection(tmp_path: Path) -> None:
    text = "ФИО\tСтатус\nИван\tзадержан\n"
    assert detect_encoding(text.encode("utf-8")) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbf" + text.encode("utf-8")) == "utf-8-sig"
    assert detect_encoding(text.encode("cp1251")) == "cp1251"
    assert detect_delimiter(text) == "\t"
    assert detect_delimiter("a;b;c\n1;2;3\n") == ";"
    path = tmp_path / "t.tsv"
    path.write_bytes(text.encode("cp1251"))
    sheet = read_sheet(path)
    assert sheet.headers == ["ФИО", "Статус"] and sheet.rows == [(2, ["Иван", "задержан"])]
    assert (sheet.encoding, sheet.delimiter) == ("cp1251", "tab")


def test_oversize_and_odd_files_are_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" * 100)
    with pytest.raises(ExilecasesError, match=r"big\.csv is 400 bytes; import reads at most 10 "):
        read_bytes(big, limit=10)
    with pytest.raises(ExilecasesError, match="is not a regular file"):
        read_sheet(tmp_path)
    other = tmp_path / "cases.docx"
    other.write_text("hello")
    with pytest.raises(ExilecasesError, match=r"import reads \.csv, \.xlsx and \.ods"):
        read_sheet(other)


def test_every_import_code_is_documented() -> None:
    from exilecases.ops.mapping import IMPORT_CODES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "findings.md").read_text()
    for code, (name, severity, _) in IMPORT_CODES.items():
        assert f"| `{code}` | `{name}` | {severity} |" in doc, code
