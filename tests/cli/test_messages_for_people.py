"""Messages a caseworker reads: plurals, empty results, ids that are nearly right, syntax
errors in words (issue 11, item 19)."""

from __future__ import annotations

import csv
import os
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES

BROKEN = FIXTURES / "broken"
VALID = FIXTURES / "valid"


def test_an_unknown_filter_value_names_its_kind_in_the_singular(cli, bundled: Path) -> None:
    for option, noun in (
        ("--status", "a status"),
        ("--category", "a category"),
        ("--basis", "a legal basis"),
        ("--outcome", "an outcome"),
    ):
        result = cli("list", option, "nosuch", "--root", bundled)
        assert result.exit_code == 2
        expected = f"Error: Invalid value for '{option}': 'nosuch' is not {noun}. Known: "
        assert expected in result.stderr, result.stderr


def _scrambled(root: Path, name: str) -> None:
    path = root / "data" / "cases" / name
    path.write_text(path.read_text("utf-8").replace(" = ", "   =   ", 1), "utf-8")


def test_fmt_check_counts_files_in_words(cli, repo) -> None:
    root = repo(VALID)
    assert cli("fmt", "--root", root).exit_code == 0
    assert cli("fmt", "--check", "--root", root).exit_code == 0
    _scrambled(root, "gusev-maksim.toml")
    result = cli("fmt", "--check", "--root", root)
    assert result.exit_code == 1
    assert "1 file would change; run exilecases fmt" in result.stderr
    _scrambled(root, "zhukov-roman.toml")
    assert "2 files would change" in cli("fmt", "--check", "--root", root).stderr


@pytest.mark.parametrize(
    "table,noun", [("events", "events"), ("charges", "charges"), ("contacts", "contacts")]
)
def test_an_export_of_a_table_counts_its_rows(
    cli, bundled: Path, tmp_path: Path, table: str, noun: str
) -> None:
    target = tmp_path / f"{table}.csv"
    result = cli("export", "--format", "csv", "--table", table, "-o", target, "--root", bundled)
    assert result.exit_code == 0
    with target.open(newline="", encoding="utf-8") as handle:
        count = sum(1 for _ in csv.reader(handle)) - 1
    assert count > 1
    assert f"wrote {count} {noun} to {target} (public csv)" in result.stderr


def test_one_exported_row_is_singular(cli, repo, tmp_path: Path) -> None:
    root = repo(VALID / "gusev-maksim.toml")
    target = tmp_path / "c.csv"
    result = cli("export", "--format", "csv", "--table", "charges", "-o", target, "--root", root)
    charges = target.read_text("utf-8").count("gusev-maksim")
    noun = "charge" if charges == 1 else "charges"
    assert f"wrote {charges} {noun} to" in result.stderr
    result = cli("export", "--format", "json", "-o", tmp_path / "c.json", "--root", root)
    assert "wrote 1 case to" in result.stderr


def test_an_empty_search_says_there_is_no_match(cli, bundled: Path) -> None:
    result = cli("search", "qwxzv", "--root", bundled)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.strip() == "no match for 'qwxzv'"
    assert cli("search", "qwxzv", "--format", "json", "--root", bundled).stdout.strip() == "[]"


def test_show_suggests_the_id_that_was_meant(cli, bundled: Path) -> None:
    result = cli("show", "korobov", "--root", bundled)
    assert result.exit_code == 1
    assert "no case 'korobov'" in result.stderr
    assert "did you mean korobov-evgenij?" in result.stderr
    result = cli("show", "korobov-evgeni", "--root", bundled)
    assert "did you mean korobov-evgenij?" in result.stderr
    result = cli("show", "qqqqq", "--root", bundled)
    assert "did you mean" not in result.stderr
    assert "exilecases search NAME" in result.stderr


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def test_log_of_an_unknown_id_says_there_is_no_such_case(cli, repo) -> None:
    root = repo(VALID)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=A", "-c", "user.email=a@b.c", "commit", "-qm", "cases")
    result = cli("log", "nosuch", "--root", root)
    assert result.exit_code == 1
    assert "error: no case 'nosuch' (no file data/cases/nosuch.toml)" in result.stderr
    assert "did you mean gusev-maksim" in cli("log", "gusev", "--root", root).stderr
    assert cli("log", "gusev-maksim", "--root", root).exit_code == 0


@pytest.mark.parametrize(
    "fixture,hint",
    [
        ("syntax-unclosed-string.toml", '^ the text opened with " at column 8 has no closing "'),
        ("syntax-unquoted-value.toml", '^ a text value needs quotes: "detained"'),
        ("syntax-missing-equals.toml", "^ put = between the key and its value"),
        ("syntax-duplicate-key.toml", "^ this key is set twice; keep one"),
        ("syntax-bad-table-header.toml", "^ close the name of the table with ]]"),
    ],
)
def test_show_source_explains_a_syntax_error_beside_the_caret(
    cli, repo, fixture: str, hint: str
) -> None:
    root = repo(BROKEN / fixture)
    lines = cli("validate", "--show-source", "--root", root).stdout.splitlines()
    caret = next(line for line in lines if "^" in line and line.lstrip().startswith("|"))
    assert caret.endswith(hint), caret
    assert cli("validate", "--root", root).stdout.count("\n") == 1  # the one-line form stays
