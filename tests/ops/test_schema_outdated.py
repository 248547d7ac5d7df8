"""W110: validate says when the JSON Schema that init wrote no longer matches the vocabulary."""

from __future__ import annotations

import json
from pathlib import Path

from exilecases import Repository
from exilecases.format.schema import schema_text, stale_vocabularies
from exilecases.format.vocabulary import default_vocabulary
from exilecases.ops.validate import schema_check
from exilecases.store.files import load_vocabulary

SCHEMA = Path("schema") / "case.schema.json"


def _init(cli, tmp_path: Path) -> Path:
    root = tmp_path / "cases"
    assert cli("init", root).exit_code == 0
    assert (root / SCHEMA).is_file()
    return root


def _w110(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if " W110: " in line]


def test_a_fresh_repository_has_a_current_schema(cli, tmp_path) -> None:
    root = _init(cli, tmp_path)
    result = cli("validate", "--root", root)
    assert result.exit_code == 0 and _w110(result.stdout) == []


def test_a_new_vocabulary_entry_makes_the_schema_outdated(cli, tmp_path) -> None:
    root = _init(cli, tmp_path)
    with (root / "data" / "vocabulary.toml").open("a", encoding="utf-8") as file:
        file.write('\n[legal_bases."RU-CC-212"]\nlabel = "Mass riots"\njurisdiction = "RU"\n')
    result = cli("validate", "--root", root)
    assert result.exit_code == 0  # a warning does not fail
    (line,) = _w110(result.stdout)
    assert line.startswith("schema/case.schema.json:1:1: warning W110: ")
    assert "legal bases: 1 new (RU-CC-212)" in line
    assert "exilecases schema -o schema/case.schema.json" in line and "exilecases init" in line
    # Writing the schema again, as the message says, clears the warning.
    assert cli("schema", "-o", root / SCHEMA, "--root", root).exit_code == 0
    assert _w110(cli("validate", "--root", root).stdout) == []


def test_a_schema_from_an_older_vocabulary_names_what_is_new_and_gone(tmp_path) -> None:
    schema = json.loads(schema_text(default_vocabulary()))
    basis = schema["$defs"]["Charge"]["properties"]["basis"]
    basis["enum"] = [k for k in basis["enum"] if k != "RU-CC-280.3"] + ["RU-CC-999"]
    (stale,) = stale_vocabularies(schema, default_vocabulary())
    assert stale == "legal bases: 1 new (RU-CC-280.3), 1 no longer defined (RU-CC-999)"


def test_a_changed_label_or_penalty_is_outdated_too() -> None:
    vocabulary = default_vocabulary()
    schema = json.loads(schema_text(vocabulary))
    vocabulary.entries["legal_bases"]["RU-CC-338"]["max_penalty"] = "20 years"
    assert stale_vocabularies(schema, vocabulary) == ["legal bases: labels or penalties changed"]


def test_a_broken_schema_file_is_a_warning_with_its_line_not_a_traceback(cli, tmp_path) -> None:
    root = _init(cli, tmp_path)
    (root / SCHEMA).write_text('{\n  "enum": [\n', encoding="utf-8")
    (line,) = _w110(cli("validate", "--root", root).stdout)
    assert line.startswith("schema/case.schema.json:3:1: warning W110: ")
    assert "is not JSON" in line
    for text in ("{}", "[1, 2]", '{"properties": 3}'):
        (root / SCHEMA).write_text(text, encoding="utf-8")
        (line,) = _w110(cli("validate", "--root", root).stdout)
        assert "cannot be read as a schema written by exilecases" in line
    (root / SCHEMA).write_bytes(b"\xff\xfe{}")
    assert len(_w110(cli("validate", "--root", root).stdout)) == 1


def test_no_schema_file_is_no_finding_and_a_folder_in_its_place_is_one(tmp_path) -> None:
    root = tmp_path / "cases"
    (root / "data" / "cases").mkdir(parents=True)
    assert schema_check(root, load_vocabulary(root)) == []
    (root / SCHEMA).mkdir(parents=True)
    (found,) = schema_check(root, load_vocabulary(root))
    assert (found.code, found.severity, found.name) == ("W110", "warning", "schema-outdated")


def test_validating_single_files_leaves_the_schema_out(cli, tmp_path) -> None:
    root = _init(cli, tmp_path)
    (root / SCHEMA).write_text("{}", encoding="utf-8")
    case = root / "data" / "cases" / "one-case.toml"
    case.write_text(
        'id = "one-case"\nname = "One Case"\norigin_country = "RU"\nhost_country = "KZ"\n'
        'status = "at_risk"\n',
        encoding="utf-8",
    )
    assert _w110(cli("validate", case, "--root", root).stdout) == []
    assert len(_w110(cli("validate", "--root", root).stdout)) == 1


def test_the_library_check_reports_it_too(cli, tmp_path) -> None:
    root = _init(cli, tmp_path)
    assert Repository(root).check() == []
    (root / SCHEMA).write_text("{}", encoding="utf-8")
    assert [f.code for f in Repository(root).check()] == ["W110"]
