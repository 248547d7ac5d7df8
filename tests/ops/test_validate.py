"""The validator over the corpus of broken files: every finding at its line, exit 1, no
traceback, no file changed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import FIXTURES, SHARED
from exilecases.format.findings import CODES
from exilecases.format.vocabulary import default_vocabulary
from exilecases.ops.validate import check_file, cross_file, public_check

BROKEN = FIXTURES / "broken"
DUPLICATES = FIXTURES / "duplicates"
# W105 is the personal-data check of `validate --public-check`.
PUBLIC_CHECK_CODES = {"W105"}


def expected(folder: Path) -> dict[str, set[tuple[int, int, str]]]:
    """EXPECTED.txt: FILE LINE COL CODE per line (FILE may be "a.toml|b.toml")."""
    table: dict[str, set[tuple[int, int, str]]] = {}
    for raw in (folder / "EXPECTED.txt").read_text().splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        name, line, col, code = raw.split()
        table.setdefault(name, set()).add((int(line), int(col), code))
    return table


def check(path: Path):
    return check_file(path.read_bytes(), path.name, path.stem, default_vocabulary(), path=path)


BROKEN_EXPECTED = expected(BROKEN)


@pytest.mark.parametrize("name", sorted(BROKEN_EXPECTED))
def test_each_broken_file_gives_exactly_its_findings(name: str) -> None:
    result = check(BROKEN / name)
    found = result.findings + public_check([result])
    assert {(f.line, f.col, f.code) for f in found} == BROKEN_EXPECTED[name]


def test_every_broken_file_is_in_the_manifest() -> None:
    assert {p.name for p in BROKEN.glob("*.toml")} == set(BROKEN_EXPECTED)


@pytest.mark.parametrize("path", sorted((FIXTURES / "valid").glob("*.toml")), ids=str)
def test_valid_files_have_no_finding(path: Path) -> None:
    result = check(path)
    assert result.findings == []
    assert result.ok


def test_cross_file_findings_on_the_duplicates_folder() -> None:
    checks = [check(p) for p in sorted(DUPLICATES.glob("*.toml"))]
    found = {(f.path, f.line, f.col, f.code) for f in cross_file(checks)}
    found |= {(f.path, f.line, f.col, f.code) for c in checks for f in c.findings}
    for name, items in expected(DUPLICATES).items():
        for line, col, code in items:
            assert any((n, line, col, code) in found for n in name.split("|")), (name, code)
    assert len(found) == sum(len(v) for v in expected(DUPLICATES).values())


def test_declared_distinct_people_are_not_duplicates(tmp_path: Path) -> None:
    text = (DUPLICATES / "ivanov-dmitrii.toml").read_text()
    distinct = tmp_path / "ivanov-dmitrii.toml"
    distinct.write_text(text.replace("\nstatus", '\ndistinct_from = ["ivanov-dmitry"]\nstatus', 1))
    checks = [check(DUPLICATES / "ivanov-dmitry.toml"), check(distinct)]
    assert not [f for f in cross_file(checks) if f.code == "W104"]


def test_exact_text_of_an_unknown_status_finding() -> None:
    (item,) = check(BROKEN / "unknown-status.toml").findings
    assert item.format() == (
        "unknown-status.toml:6:1: error E020: unknown status 'deportd'; did you mean "
        "'deported'? if it is new, define it in data/vocabulary.toml as "
        '[statuses."deportd"] with a label'
    )


def test_exact_text_of_a_syntax_error() -> None:
    (item,) = check(BROKEN / "syntax-unclosed-string.toml").findings
    assert item.format().startswith("syntax-unclosed-string.toml:3:21: error E001: TOML syntax:")


def test_conflict_message_names_the_lines() -> None:
    (item,) = check(BROKEN / "merge-conflict.toml").findings
    assert "conflict in merge-conflict.toml lines 6-" in item.message
    assert "run exilecases validate" in item.message


def test_oversized_file_is_refused_without_parsing() -> None:
    raw = b'id = "big"\nsummary = "' + b"x" * 1_100_000 + b'"\n'
    (item,) = check_file(raw, "big.toml", "big", default_vocabulary()).findings
    assert item.code == "E005"


def test_deep_nesting_is_refused() -> None:
    raw = b"id = " + b"[" * 5000 + b"]" * 5000 + b"\n"
    (item,) = check_file(raw, "deep.toml", "deep", default_vocabulary()).findings
    assert item.code in ("E005", "E001")


def test_every_code_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "findings.md").read_text()
    for code, (name, _) in CODES.items():
        assert f"`{code}`" in doc and f"`{name}`" in doc, code


TOML_TEST = SHARED / "toml-test" / "tests" / "invalid"


@pytest.mark.skipif(not TOML_TEST.is_dir(), reason="../shared/toml-test is not here")
def test_every_toml_test_invalid_file_becomes_a_finding_with_a_line() -> None:
    vocabulary = default_vocabulary()
    files = sorted(p for p in TOML_TEST.rglob("*") if p.is_file())
    assert len(files) > 500
    for path in files:
        result = check_file(path.read_bytes(), path.name, path.stem, vocabulary)
        errors = [f for f in result.findings if f.severity == "error"]
        assert errors, path
        assert all(f.line >= 1 and f.col >= 1 for f in errors), path
        assert result.case is None or not result.ok, path


def test_validate_cli_reports_the_corpus_and_changes_nothing(repo, cli) -> None:
    root = repo(BROKEN)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*.toml")}
    result = cli("validate", "--root", root)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    for name, items in BROKEN_EXPECTED.items():
        for line, col, code in items:
            if code in PUBLIC_CHECK_CODES:
                continue
            prefix = f"data/cases/{name}:{line}:{col}: "
            assert any(x.startswith(prefix) and f" {code}: " in x for x in lines), prefix + code
    assert "Traceback" not in result.stdout + result.stderr
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*.toml")}
    assert after == before
    assert not list((root / "data" / "cases").glob(".*"))


def test_validate_json_format(repo, cli) -> None:
    root = repo(BROKEN / "unknown-status.toml", FIXTURES / "valid")
    result = cli("validate", "--root", root, "--format", "json")
    assert result.exit_code == 1
    (item,) = json.loads(result.stdout)
    assert item["path"] == "data/cases/unknown-status.toml"
    assert (item["line"], item["col"], item["severity"], item["code"]) == (6, 1, "error", "E020")
    assert item["name"] == "unknown-status"


def test_validate_exits_0_on_warnings_only(repo, cli) -> None:
    root = repo(BROKEN / "unknown-key-top.toml")
    result = cli("validate", "--root", root)
    assert result.exit_code == 0
    assert " warning W101: " in result.stdout


def test_validate_given_paths_only(repo, cli) -> None:
    root = repo(BROKEN / "unknown-status.toml", FIXTURES / "valid")
    result = cli("validate", "--root", root, root / "data/cases/gusev-maksim.toml")
    assert result.exit_code == 0
    assert result.stdout == ""


def test_validate_refuses_a_path_outside_the_cases(repo, cli, tmp_path: Path) -> None:
    root = repo(FIXTURES / "valid")
    outside = tmp_path / "elsewhere.toml"
    outside.write_text('id = "x"\n')
    result = cli("validate", "--root", root, outside)
    assert result.exit_code == 2
    assert "not a file in" in result.stderr


def test_a_huge_string_is_refused_with_a_message() -> None:
    raw = (
        'id = "huge"\nname = "A B"\norigin_country = "RU"\nhost_country = "KZ"\n'
        'status = "at_risk"\nsummary = "' + "x" * 200_000 + '"\n'
    ).encode()
    (item,) = check_file(raw, "huge.toml", "huge", default_vocabulary()).findings
    assert (item.line, item.code) == (6, "E005")
    assert "too long" in item.message


def test_deeply_nested_dotted_keys_are_refused() -> None:
    raw = ('id = "deep"\n[private]\n' + ".".join(["a"] * 200) + " = 1\n").encode()
    (item,) = check_file(raw, "deep.toml", "deep", default_vocabulary()).findings
    assert item.code == "E005"


def test_show_source_puts_the_line_under_each_finding(repo, cli) -> None:
    root = repo(BROKEN / "unknown-status.toml", BROKEN / "syntax-unclosed-string.toml")
    lines = cli("validate", "--show-source", "--root", root).stdout.splitlines()
    at = lines.index(next(x for x in lines if x.startswith("data/cases/unknown-status.toml:6:1")))
    assert lines[at + 1 : at + 3] == [' 6 | status = "deportd"', "   | ^"]
    at = lines.index(next(x for x in lines if "syntax-unclosed-string.toml:3:21" in x))
    assert (
        lines[at + 2]
        == "   | " + " " * 20 + '^ the text opened with " at column 8 has no closing "'
    )
