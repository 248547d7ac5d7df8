"""``exilecases import``: one fixture sheet, written by real writers (openpyxl for XLSX,
odfpy for ODS, the csv module for UTF-8-with-BOM and cp1251-with-semicolons CSV), imported
through the command line as a caseworker would."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import tomllib
from pathlib import Path

import pytest

from conftest import run_git

MAPPING = """\
# The mapping of an NGO's sheet
[source]
sheet = "Дела"
date_format = "DD.MM.YYYY"
id_column = "№"

[defaults]
origin_country = "RU"
host_country = "KZ"

[columns]
"ФИО" = "name"
"ФИО (кириллица)" = "name_original"
{status}
"Статья" = { field = "charges.basis", split = ";", prefix = "RU-CC-" }
"Дата задержания" = { field = "events", type = "detention" }
"Суд" = { field = "events.authority", of = "Дата задержания" }
"Телефон" = "private.phone"
"Источник" = "sources.url"
"Примечание" = "summary"
""".replace(
    "{status}",
    '"Статус" = { field = "status", values = { "депортирован" = "deported", '
    '"задержан" = "detained", "экстрадирован" = "extradited" } }',
)
HEADER = [
    "№",
    "ФИО",
    "ФИО (кириллица)",
    "Статус",
    "Статья",
    "Дата задержания",
    "Суд",
    "Телефон",
    "Источник",
    "Примечание",
]
PHONE = "+7 701 555 0199"
#: The sheet, with XLSX/ODS cells typed as a spreadsheet program types them (numbers,
#: dates); CSV holds their text as Excel saves it.
ROWS: list[list[object]] = [
    [
        1,
        "Ivan Petrov",
        "Иван Петров",
        "задержан",
        "338; 275",
        dt.date(2025, 3, 31),
        "Суд Астаны",
        PHONE,
        "https://example.org/petrov",
        "Дезертир; задержан в Астане",
    ],
    [
        2,
        "Oleg Sidorov",
        "Олег Сидоров",
        "Депортирован",
        328,
        dt.date(2024, 11, 2),
        None,
        None,
        None,
        None,
    ],
    [
        3,
        "Anna Kuznetsova",
        "Анна Кузнецова",
        "экстрадирован",
        "207.3",
        None,
        None,
        None,
        None,
        "Журналист",
    ],
]


def csv_text(row: list[object]) -> list[str]:
    return [
        v.strftime("%d.%m.%Y") if isinstance(v, dt.date) else "" if v is None else str(v)
        for v in row
    ]


def write_csv(path: Path, rows: list[list[object]], encoding: str, delimiter: str) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(csv_text(row))
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    first.title = "Сводка"  # not the sheet the mapping names
    first.append(["nothing here"])
    sheet = book.create_sheet("Дела")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_ods(path: Path, rows: list[list[object]]) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    document.spreadsheet.addElement(Table(name="Сводка"))
    table = Table(name="Дела")
    for values in [HEADER, *rows]:
        line = TableRow()
        for value in values:
            if value is None:
                cell = TableCell()
            elif isinstance(value, dt.date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat())
                cell.addElement(P(text=value.strftime("%d.%m.%Y")))
            elif isinstance(value, int):
                cell = TableCell(valuetype="float", value=value)
                cell.addElement(P(text=str(value)))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=str(value)))
            line.addElement(cell)
        table.addElement(line)
    document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def make_sheet(folder: Path, kind: str, rows: list[list[object]] | None = None) -> Path:
    rows = ROWS if rows is None else rows
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "xlsx":
        return write_xlsx(folder / "cases.xlsx", rows)
    if kind == "ods":
        return write_ods(folder / "cases.ods", rows)
    if kind == "csv-bom":
        return write_csv(folder / "cases.csv", rows, "utf-8-sig", ",")
    if kind == "csv-cp1251":
        return write_csv(folder / "cases.csv", rows, "cp1251", ";")
    raise AssertionError(kind)


def make_repo(path: Path, git: bool = True) -> Path:
    (path / "data" / "cases").mkdir(parents=True)
    if git:
        run_git(path, "init", "-q")
        (path / "README").write_text("cases\n")
        run_git(path, "add", "README")
        run_git(path, "commit", "-qm", "start")
    return path


def mapping(folder: Path, text: str = MAPPING) -> Path:
    path = folder / "map.toml"
    path.write_text(text, encoding="utf-8")
    return path


def case_files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "data" / "cases").glob("*.toml"))}


def tree_state(root: Path) -> tuple[str, dict[str, str]]:
    status = run_git(root, "status", "--porcelain", "--untracked-files=all")
    hashes = {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }
    return status, hashes


@pytest.mark.parametrize("kind", ["xlsx", "ods", "csv-bom", "csv-cp1251"])
def test_each_format_imports_the_sheet(tmp_path: Path, cli, kind: str) -> None:
    root = make_repo(tmp_path / "repo")
    sheet = make_sheet(tmp_path / "in", kind)
    result = cli("import", sheet, "--map", mapping(tmp_path), "--root", root)
    assert result.exit_code == 0, result.stdout + result.stderr
    files = case_files(root)
    assert sorted(files) == ["kuznetsova-anna.toml", "petrov-ivan.toml", "sidorov-oleg.toml"]
    petrov = tomllib.loads(files["petrov-ivan.toml"].decode())
    assert petrov["status"] == "detained" and petrov["import_key"] == "1"
    assert [c["basis"] for c in petrov["charges"]] == ["RU-CC-338", "RU-CC-275"]
    assert petrov["events"] == [
        {
            "date": "2025-03-31",
            "type": "detention",
            "authority": "Суд Астаны",
            "sources": ["source-1", "import"],
        }
    ]
    where = {"xlsx": "cases.xlsx, sheet Дела", "ods": "cases.ods, sheet Дела"}
    assert petrov["sources"][-1] == {
        "id": "import",
        "outlet": "spreadsheet import",
        "title": f"{where.get(kind, 'cases.csv')}, row 2",
    }
    sidorov = tomllib.loads(files["sidorov-oleg.toml"].decode())
    assert sidorov["status"] == "deported"  # "Депортирован": the map ignores letter case
    assert sidorov["charges"][0]["basis"] == "RU-CC-328"  # a number cell in XLSX and ODS
    check = cli("validate", "--root", root)
    assert check.exit_code == 0, check.stdout
    assert cli("fmt", "--check", "--root", root).exit_code == 0


def test_the_four_formats_give_byte_identical_files(tmp_path: Path, cli) -> None:
    outputs = {}
    for kind in ("xlsx", "ods", "csv-bom", "csv-cp1251"):
        root = make_repo(tmp_path / kind / "repo", git=False)
        sheet = make_sheet(tmp_path / kind / "in", kind)
        assert cli("import", sheet, "--map", mapping(tmp_path), "--root", root).exit_code == 0
        outputs[kind] = {
            name: b"\n".join(
                line for line in raw.split(b"\n") if not line.startswith(b'title = "cases.')
            )
            for name, raw in case_files(root).items()
        }
    assert outputs["xlsx"] == outputs["ods"] == outputs["csv-bom"] == outputs["csv-cp1251"]
    assert len(outputs["xlsx"]) == 3


BAD_ROWS = [
    ROWS[0],
    [2, "Oleg Sidorov", "", "депортирована", "328", "31.02.2024", "", "", "", ""],
    [3, "Anna Kuznetsova", "", "экстрадирован", "207.3", "весной 2023", "", "", "", ""],
]


def test_dry_run_writes_nothing_and_reports_every_bad_cell(tmp_path: Path, cli) -> None:
    root = make_repo(tmp_path / "repo")
    sheet = make_sheet(tmp_path, "csv-bom", BAD_ROWS)
    before = tree_state(root)
    result = cli("import", sheet, "--map", mapping(tmp_path), "--dry-run", "--root", root)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert (
        "cases.csv:3:Статус: error I020: 'депортирована' is not mapped; add it under "
        "[columns.\"Статус\".values] (did you mean 'депортирован'?)"
    ) in lines
    assert any(x.startswith("cases.csv:3:Дата задержания: error I021: ") for x in lines)
    assert any(
        x.startswith("cases.csv:4:Дата задержания: error I021: 'весной 2023' is not a date")
        for x in lines
    )
    assert "Traceback" not in result.stdout + result.stderr
    assert tree_state(root) == before
    # A good sheet's dry run writes nothing either, and says what it would do.
    good = make_sheet(tmp_path / "good", "csv-bom")
    result = cli("import", good, "--map", mapping(tmp_path), "--dry-run", "--root", root)
    assert result.exit_code == 0 and "3 cases would be created" in result.stderr
    assert tree_state(root) == before


def test_one_bad_row_writes_nothing_unless_skip_invalid(tmp_path: Path, cli) -> None:
    root = make_repo(tmp_path / "repo")
    rows = [ROWS[0], ROWS[1], [3, "Anna Kuznetsova", "", "исчезла", "", "", "", "", "", ""]]
    sheet = make_sheet(tmp_path, "xlsx", rows)
    before = tree_state(root)
    result = cli("import", sheet, "--map", mapping(tmp_path), "--root", root)
    assert result.exit_code == 1
    assert "cases.xlsx:4:Статус: error I020: 'исчезла' is not mapped" in result.stdout
    assert "nothing was written" in result.stderr
    assert tree_state(root) == before
    result = cli("import", sheet, "--map", mapping(tmp_path), "--skip-invalid", "--root", root)
    assert result.exit_code == 1  # a row was left out: the run reports an error
    assert sorted(case_files(root)) == ["petrov-ivan.toml", "sidorov-oleg.toml"]


def test_importing_twice_creates_no_duplicate(tmp_path: Path, cli) -> None:
    root = make_repo(tmp_path / "repo")
    sheet = make_sheet(tmp_path, "ods")
    assert cli("import", sheet, "--map", mapping(tmp_path), "--root", root).exit_code == 0
    first = case_files(root)
    again = cli("import", sheet, "--map", mapping(tmp_path), "--root", root)
    assert again.exit_code == 0
    assert case_files(root) == first
    assert again.stdout.count(" warning I030: exists: ") == 3
    # Without an id column the ids match instead (they are made from the names).
    keyless = MAPPING.replace('id_column = "№"\n', "")
    folder = tmp_path / "keyless"
    folder.mkdir()
    result = cli("import", sheet, "--map", mapping(folder, keyless), "--root", root)
    assert result.exit_code == 0 and case_files(root) == first
    assert "3 existing left alone" in result.stderr


def test_update_after_a_changed_cell_changes_exactly_that_field(tmp_path: Path, cli) -> None:
    root = make_repo(tmp_path / "repo")
    sheet = make_sheet(tmp_path / "one", "xlsx")
    assert cli("import", sheet, "--map", mapping(tmp_path), "--root", root).exit_code == 0
    run_git(root, "add", "-A")
    run_git(root, "commit", "-qm", "import")
    before = case_files(root)
    changed = [list(row) for row in ROWS]
    changed[0][3] = "депортирован"
    sheet = make_sheet(tmp_path / "two", "xlsx", changed)
    result = cli("import", sheet, "--map", mapping(tmp_path), "--update", "--root", root)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "data/cases/petrov-ivan.toml (changed)\n    status: detained -> deported" in (
        result.stdout
    )
    after = case_files(root)
    assert {k for k in after if after[k] != before[k]} == {"petrov-ivan.toml"}
    old = before["petrov-ivan.toml"].decode().splitlines()
    new = after["petrov-ivan.toml"].decode().splitlines()
    assert [a for a, b in zip(old, new, strict=True) if a != b] == ['status = "detained"']
    assert [b for a, b in zip(old, new, strict=True) if a != b] == ['status = "deported"']
    diff = cli("diff", "--root", root)
    assert (
        diff.stdout.strip()
        == "data/cases/petrov-ivan.toml (changed)\n    status: detained -> deported"
    )
    # The same sheet again changes nothing.
    result = cli("import", sheet, "--map", mapping(tmp_path), "--update", "--root", root)
    assert result.exit_code == 0 and case_files(root) == after
    assert "3 unchanged" in result.stderr


def test_update_adds_a_new_event_and_keeps_comments(tmp_path: Path, cli) -> None:
    root = make_repo(tmp_path / "repo")
    sheet = make_sheet(tmp_path / "one", "csv-bom")
    assert cli("import", sheet, "--map", mapping(tmp_path), "--root", root).exit_code == 0
    path = root / "data" / "cases" / "kuznetsova-anna.toml"
    path.write_text("# checked by Aida\n" + path.read_text())
    changed = [list(row) for row in ROWS]
    changed[2][5] = dt.date(2026, 1, 15)
    sheet = make_sheet(tmp_path / "two", "csv-bom", changed)
    result = cli("import", sheet, "--map", mapping(tmp_path), "--update", "--root", root)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "events: + 2026-01-15 detention" in result.stdout
    text = path.read_text()
    assert text.startswith("# checked by Aida\n")
    assert tomllib.loads(text)["events"][0]["date"] == "2026-01-15"


def test_private_columns_land_under_private_and_in_no_public_output(tmp_path: Path, cli) -> None:
    root = make_repo(tmp_path / "repo")
    sheet = make_sheet(tmp_path, "xlsx")
    result = cli("import", sheet, "--map", mapping(tmp_path), "--commit", "--root", root)
    assert result.exit_code == 0, result.stderr
    data = tomllib.loads((root / "data" / "cases" / "petrov-ivan.toml").read_text())
    assert data["private"] == {"phone": PHONE}
    assert PHONE not in json.dumps({k: v for k, v in data.items() if k != "private"})
    outputs = [
        result.stdout + result.stderr,
        cli("list", "--format", "json", "--root", root).stdout,
        cli("show", "petrov-ivan", "--format", "json", "--root", root).stdout,
        cli("show", "petrov-ivan", "--format", "toml", "--root", root).stdout,
        cli("export", "--format", "csv", "--root", root).stdout,
        cli("export", "--format", "json", "--root", root).stdout,
        cli("search", "Petrov", "--format", "json", "--root", root).stdout,
        cli("log", "petrov-ivan", "--root", root).stdout,
        run_git(root, "log", "--format=%B"),
    ]
    for output in outputs:
        assert PHONE not in output and "555 0199" not in output
    assert "Ivan Petrov" in outputs[1]
    assert "import cases.xlsx: 3 cases added" in run_git(root, "log", "-1", "--format=%s")
    assert run_git(root, "status", "--porcelain") == ""


def sealed_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository sealed for one key, whose identity this test uses."""
    from exilecases.store.keys import new_identity

    identity = tmp_path / "keys" / "aida.txt"
    public = new_identity(identity)
    monkeypatch.setenv("EXILECASES_IDENTITY", str(identity))
    root = make_repo(tmp_path / "repo")
    (root / "data" / "recipients.toml").write_text(
        f'[[recipients]]\nname = "Aida K"\nkey = "{public}"\n'
    )
    return root


def test_private_columns_are_sealed_in_a_sealed_repository(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exilecases.ops.seal import BEGIN

    root = sealed_repo(tmp_path, monkeypatch)
    sheet = make_sheet(tmp_path / "one", "csv-bom")
    result = cli("import", sheet, "--map", mapping(tmp_path), "--root", root)
    assert result.exit_code == 0, result.stdout + result.stderr
    raw = (root / "data" / "cases" / "petrov-ivan.toml").read_text()
    assert PHONE not in raw and "[sealed]" in raw and "[private]" not in raw
    assert BEGIN in raw
    assert PHONE in cli("show", "petrov-ivan", "--root", root).stdout
    assert cli("validate", "--root", root).exit_code == 0
    # --update merges into the sealed part (a new value replaces the old one), and seals the
    # private part of a case that had none
    changed = [list(row) for row in ROWS]
    changed[0][7], changed[1][7] = "+7 701 000 0042", "+7 701 000 0043"
    sheet = make_sheet(tmp_path / "two", "csv-bom", changed)
    result = cli("import", sheet, "--map", mapping(tmp_path), "--update", "--root", root)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.count("private: changed (private, not shown)") == 2
    assert "0042" not in result.stdout + result.stderr
    for case_id, phone in (("petrov-ivan", "0042"), ("sidorov-oleg", "0043")):
        raw = (root / "data" / "cases" / f"{case_id}.toml").read_text()
        assert phone not in raw and "[private]" not in raw and BEGIN in raw
        shown = cli("show", case_id, "--root", root).stdout
        assert f"+7 701 000 {phone}" in shown and PHONE not in shown
    assert cli("validate", "--root", root).exit_code == 0
    # without an identity that opens the sealed part: refused at the row, nothing written
    before = case_files(root)
    monkeypatch.setenv("EXILECASES_IDENTITY", str(tmp_path / "keys" / "missing.txt"))
    changed[0][7] = "+7 701 000 0044"
    sheet = make_sheet(tmp_path / "three", "csv-bom", changed)
    result = cli("import", sheet, "--map", mapping(tmp_path), "--update", "--root", root)
    assert result.exit_code == 1
    assert (
        "cases.csv:2: error I033: data/cases/petrov-ivan.toml has a sealed private part, and "
        "this row has private values to merge into it, but EXILECASES_IDENTITY names"
    ) in result.stdout
    assert "run the import again with an identity among data/recipients.toml's keys" in (
        result.stdout
    )
    assert case_files(root) == before and "0044" not in result.stdout + result.stderr


def test_the_library_merges_into_a_sealed_part_and_refuses_without_an_identity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exilecases.repository import Repository

    root = sealed_repo(tmp_path, monkeypatch)
    repo = Repository(root)
    sheet = make_sheet(tmp_path / "one", "xlsx")
    assert repo.import_sheet(sheet, mapping(tmp_path)).errors == 0
    changed = [list(row) for row in ROWS]
    changed[0][7] = "+7 701 000 0042"
    sheet = make_sheet(tmp_path / "two", "xlsx", changed)
    monkeypatch.setenv("EXILECASES_IDENTITY", str(tmp_path / "keys" / "missing.txt"))
    refused = repo.import_sheet(sheet, mapping(tmp_path), update=True)
    assert [f.code for f in refused.findings if f.severity == "error"] == ["I033"]
    assert (
        refused.written == [] and "0042" not in (root / "data/cases/petrov-ivan.toml").read_text()
    )
    monkeypatch.setenv("EXILECASES_IDENTITY", str(tmp_path / "keys" / "aida.txt"))
    report = repo.import_sheet(sheet, mapping(tmp_path), update=True)
    assert report.errors == 0 and [p.name for p in report.updated] == ["petrov-ivan.toml"]
    assert repo.case("petrov-ivan", private=True)["private"]["phone"] == "+7 701 000 0042"
    assert "0042" not in (root / "data/cases/petrov-ivan.toml").read_text()


def test_findings_as_json(tmp_path: Path, cli) -> None:
    root = make_repo(tmp_path / "repo")
    sheet = make_sheet(tmp_path, "csv-cp1251", BAD_ROWS)
    result = cli("import", sheet, "--map", mapping(tmp_path), "--format", "json", "--root", root)
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert findings and all(
        set(f) == {"file", "row", "column", "severity", "code", "message"} for f in findings
    )
    assert {"file": "cases.csv", "row": 3, "column": "Статус", "severity": "error"}.items() <= (
        next(f for f in findings if f["code"] == "I020").items()
    )


def test_mapping_errors_are_reported_at_their_lines(tmp_path: Path, cli) -> None:
    root = make_repo(tmp_path / "repo")
    sheet = make_sheet(tmp_path, "csv-bom")
    broken = MAPPING.replace('"ФИО" = "name"', '"ФИО" = "nmae"').replace(
        'type = "detention"', 'type = "detension"'
    )
    result = cli("import", sheet, "--map", mapping(tmp_path, broken), "--root", root)
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert any(
        x.startswith("map.toml:12: error I003: unknown field 'nmae'") and "'name'" in x
        for x in lines
    )
    assert any(
        x.startswith("map.toml:16: error I004: unknown event type 'detension'")
        and "did you mean 'detention'?" in x
        for x in lines
    )
    assert case_files(root) == {}
    missing = MAPPING.replace('"Суд" = ', '"Суды" = ').replace(
        'of = "Дата задержания"', 'of = "Дата"'
    )
    result = cli("import", sheet, "--map", mapping(tmp_path, missing), "--root", root)
    assert result.exit_code == 2
    assert 'of = "Дата" names no column that starts a [[events]] entry' in result.stdout


def test_a_missing_column_and_an_unmapped_one(tmp_path: Path, cli) -> None:
    root = make_repo(tmp_path / "repo")
    sheet = make_sheet(tmp_path, "csv-bom")
    text = MAPPING.replace('"Примечание" = "summary"\n', '"Примечания" = "summary"\n')
    result = cli("import", sheet, "--map", mapping(tmp_path, text), "--root", root)
    assert result.exit_code == 1
    assert (
        "cases.csv:1:Примечания: error I011: the mapping names the column 'Примечания', which "
        "the header (row 1) does not have (did you mean 'Примечание'?)"
    ) in result.stdout
    assert "cases.csv:1:Примечание: warning I012: the column 'Примечание' is not mapped" in (
        result.stdout
    )
    assert case_files(root) == {}


def test_two_rows_with_one_name_get_suffixes_and_a_warning(tmp_path: Path, cli) -> None:
    root = make_repo(tmp_path / "repo")
    rows = [ROWS[0], [7, "Ivan Petrov", "", "задержан", "", "", "", "", "", ""]]
    sheet = make_sheet(tmp_path, "csv-bom", rows)
    keyless = MAPPING.replace('id_column = "№"\n', "")
    result = cli("import", sheet, "--map", mapping(tmp_path, keyless), "--root", root)
    assert result.exit_code == 0, result.stdout
    assert sorted(case_files(root)) == ["petrov-ivan-2.toml", "petrov-ivan.toml"]
    assert (
        "cases.csv:3:ФИО: warning I031: rows 2 and 3 would both get the id 'petrov-ivan'; row 3 "
        "is tried as 'petrov-ivan-2'"
    ) in result.stdout
    again = cli("import", sheet, "--map", mapping(tmp_path, keyless), "--root", root)
    assert again.exit_code == 0 and len(case_files(root)) == 2


def test_a_row_that_looks_like_an_existing_person_is_warned_about(tmp_path: Path, cli) -> None:
    root = make_repo(tmp_path / "repo")
    added = cli(
        "add", "--name", "Ivan Petrov", "--id", "ivan-petrov-1990", "--status", "at_risk",
        "--origin", "RU", "--host", "KZ", "--root", root,
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    sheet = make_sheet(tmp_path, "csv-bom", [["", "Петров Иван", "", "задержан"] + [""] * 6])
    result = cli("import", sheet, "--map", mapping(tmp_path), "--root", root)
    assert result.exit_code == 0
    line = next(x for x in result.stdout.splitlines() if " I032: " in x)
    assert line.startswith("cases.csv:2:ФИО: warning I032: ") and "ivan-petrov-1990" in line


def test_hostile_cells(tmp_path: Path, cli) -> None:
    root = make_repo(tmp_path / "repo")
    rows = [
        [1, "Ivan\x1b[31m Petrov", "", "задержан"] + [""] * 6,
        [2, "Oleg Sidorov", "", "задержан", "", "", "", "", "", '=HYPERLINK("http://x")'],
        [3, "Anna Kuznetsova", "", "задержан", "", "", "", "", "", "я" * 150_000],
        [4, "Petr \u202eSemenov", "", "задержан"] + [""] * 6,
    ]
    sheet = make_sheet(tmp_path, "csv-bom", rows)
    result = cli("import", sheet, "--map", mapping(tmp_path), "--root", root)
    assert result.exit_code == 1
    out = result.stdout
    assert "\x1b" not in out and "\u202e" not in out and "Traceback" not in out
    assert "cases.csv:2:ФИО: error I022: the cell holds the invisible character U+001B" in out
    assert "cases.csv:5:ФИО: error I022: the cell holds the invisible character U+202E" in out
    assert "cases.csv:3:Примечание: warning I024: " in out
    assert "cases.csv:4:Примечание: error I023: the cell holds 150,000 characters" in out
    assert case_files(root) == {}


def test_files_that_are_not_spreadsheets_are_refused(tmp_path: Path, cli) -> None:
    root = make_repo(tmp_path / "repo")
    fifo = tmp_path / "cases.csv"
    os.mkfifo(fifo)
    result = cli("import", fifo, "--map", mapping(tmp_path), "--root", root)
    assert result.exit_code == 1 and "is not a regular file" in result.stdout
    garbage = tmp_path / "cases.xlsx"
    garbage.write_bytes(b"PK\x03\x04 this is no workbook")
    result = cli("import", garbage, "--map", mapping(tmp_path), "--root", root)
    assert result.exit_code == 1
    assert "cases.xlsx: error I010: cases.xlsx cannot be read as a spreadsheet" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_template_writes_a_sheet_and_its_mapping(tmp_path: Path, cli) -> None:
    from openpyxl import load_workbook

    root = make_repo(tmp_path / "repo")
    target = tmp_path / "new.xlsx"
    result = cli("import", "--template", target)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "new.toml").is_file()
    assert cli("import", "--template", target).exit_code == 2  # never overwrites
    empty = cli("import", target, "--map", tmp_path / "new.toml", "--root", root)
    assert empty.exit_code == 0, empty.stdout + empty.stderr
    assert "0 rows read" in empty.stderr
    book = load_workbook(target)
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    row = {h: None for h in headers}
    row.update(
        {
            "No.": 1,
            "Name (Latin script)": "Ivan Petrov",
            "Status": "detained",
            "Legal bases": "338;328",
            "Detained on": "31.03.2025",
            "Place of detention": "Astana",
            "Phone (private)": PHONE,
        }
    )
    sheet.append([row[h] for h in headers])
    book.save(target)
    result = cli("import", target, "--map", tmp_path / "new.toml", "--root", root)
    assert result.exit_code == 0, result.stdout + result.stderr
    data = tomllib.loads((root / "data" / "cases" / "petrov-ivan.toml").read_text())
    assert data["events"][0]["place"] == "Astana" and data["private"]["phone"] == PHONE
    assert [c["basis"] for c in data["charges"]] == ["RU-CC-338", "RU-CC-328"]
