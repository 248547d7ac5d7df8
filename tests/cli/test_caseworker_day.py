"""A caseworker's day (issue 11, items 1-3, 5-8, 12, 13, 15, 16), through the CLI as a
caseworker types it, in temporary repositories with real git."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from exilecases.ops.newcase import id_from_name

EXILECASES = Path(sys.executable).with_name("exilecases")


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=check)


@pytest.fixture
def team_repo(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh repository made by ``init`` (hook and diff driver installed), nothing
    committed yet, git isolated from the user's own configuration."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = tmp_path / "cases"
    assert cli("init", root).exit_code == 0
    git(root, "config", "user.name", "Aida K")
    git(root, "config", "user.email", "aida@example.org")
    return root


def add_marina(cli, root: Path, *extra: str):
    return cli(
        "add", "--root", root, "--name", "Marina Kuznetsova", "--status", "at_risk",
        "--origin", "RU", "--host", "KZ", *extra,
    )  # fmt: skip


def log_messages(root: Path) -> list[str]:
    return git(root, "log", "--format=%s").stdout.splitlines()


# --- 1. --commit on a case that was never committed --------------------------------------


def test_set_commit_on_a_case_never_committed_makes_its_first_commit(team_repo: Path, cli):
    assert add_marina(cli, team_repo).exit_code == 0
    result = cli("set", "kuznetsova-marina", "status", "detained", "--commit", "--root", team_repo)
    assert result.exit_code == 0, result.stderr
    assert "cat-file" not in result.stderr
    assert "committed: kuznetsova-marina: add case (detained)" in result.stderr
    assert log_messages(team_repo) == ["kuznetsova-marina: add case (detained)"]
    assert git(team_repo, "status", "--porcelain", "data/cases").stdout == ""
    # The next edit is an ordinary change again.
    result = cli("set", "kuznetsova-marina", "status", "released", "--commit", "--root", team_repo)
    assert result.exit_code == 0, result.stderr
    assert log_messages(team_repo)[0] == "kuznetsova-marina: status detained -> released"


def test_source_add_commit_on_a_case_never_committed(team_repo: Path, cli) -> None:
    assert add_marina(cli, team_repo).exit_code == 0
    git(team_repo, "add", "-A")
    git(team_repo, "commit", "-qm", "setup", "--", ".gitattributes", "data/vocabulary.toml")
    result = cli(
        "source", "add", "kuznetsova-marina", "--id", "vlast", "--outlet", "Vlast.kz",
        "--commit", "--root", team_repo,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert log_messages(team_repo)[0] == "kuznetsova-marina: add case (at_risk)"
    committed = git(team_repo, "show", "HEAD:data/cases/kuznetsova-marina.toml").stdout
    assert tomllib.loads(committed)["sources"] == [{"id": "vlast", "outlet": "Vlast.kz"}]


# --- 2. the pre-commit hook checks what is staged ----------------------------------------


def test_the_hook_refuses_a_staged_typo_fixed_only_in_the_working_copy(team_repo: Path, cli):
    assert add_marina(cli, team_repo, "--commit").exit_code == 0
    case = team_repo / "data/cases/kuznetsova-marina.toml"
    case.write_text(case.read_text().replace('"at_risk"', '"relased"'))
    git(team_repo, "add", str(case))
    case.write_text(case.read_text().replace('"relased"', '"released"'))  # not staged
    commit = git(team_repo, "commit", "-m", "release", check=False)
    assert commit.returncode != 0
    assert "E020" in commit.stderr and "relased" in commit.stderr
    assert log_messages(team_repo) == ["kuznetsova-marina: add case (at_risk)"]
    # validate --staged says the same; plain validate looks at the (fixed) working copy.
    staged = cli("validate", "--staged", "--root", team_repo)
    assert staged.exit_code == 1
    assert staged.stdout.startswith("data/cases/kuznetsova-marina.toml:")
    assert "git add" in staged.stderr
    assert cli("validate", "--root", team_repo).exit_code == 0
    git(team_repo, "add", str(case))
    assert git(team_repo, "commit", "-qm", "release", check=False).returncode == 0
    assert cli("validate", "--staged", "--root", team_repo).stderr == "no case file is staged\n"


def test_the_hook_checks_the_staged_formatting_too(team_repo: Path, cli) -> None:
    assert add_marina(cli, team_repo, "--commit").exit_code == 0
    case = team_repo / "data/cases/kuznetsova-marina.toml"
    good = case.read_text()
    case.write_text(good.replace('status = "at_risk"', 'status   =   "detained"'))
    git(team_repo, "add", str(case))
    case.write_text(good.replace('"at_risk"', '"detained"'))  # formatted, not staged
    result = cli("fmt", "--check", "--staged", "--root", team_repo)
    assert result.exit_code == 1 and result.stdout == "data/cases/kuznetsova-marina.toml\n"
    assert cli("fmt", "--check", "--root", team_repo).exit_code == 0
    assert git(team_repo, "commit", "-qm", "detained", check=False).returncode != 0


def test_init_brings_an_old_hook_up_to_date_and_keeps_a_foreign_one(team_repo: Path, cli):
    hook = team_repo / ".git/hooks/pre-commit"
    old = "#!/bin/sh\n# Installed by `exilecases init`: check\nexilecases validate $files\n"
    hook.write_text(old)
    result = cli("init", team_repo)
    assert "updated: checks what is staged" in result.stderr
    assert "validate --staged" in hook.read_text() and os.access(hook, os.X_OK)
    hook.write_text("#!/bin/sh\nmy-own-check\n")
    cli("init", team_repo)
    assert hook.read_text() == "#!/bin/sh\nmy-own-check\n"


# --- 7. ids from compound names ----------------------------------------------------------


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Фёдор Мамедов-Оглы", "mamedov-ogly-fyodor"),
        ("Seryozha O'Brien", "obrien-seryozha"),
        ("Seryozha O’Brien", "obrien-seryozha"),
        ("Jean-Paul Sartre", "sartre-jean-paul"),
        ("Evgenij Korobov", "korobov-evgenij"),
    ],
)
def test_ids_from_compound_names(name: str, expected: str) -> None:
    assert id_from_name(name) == expected


def test_add_makes_the_id_from_a_compound_name(tmp_path: Path, cli) -> None:
    root = tmp_path / "r"
    (root / "data/cases").mkdir(parents=True)
    result = cli(
        "add", "--root", root, "--name", "Фёдор Мамедов-Оглы", "--status", "at_risk",
        "--origin", "RU", "--host", "KZ",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "created data/cases/mamedov-ogly-fyodor.toml" in result.stderr


# --- 8. --root before the command name --------------------------------------------------


def test_root_before_the_command_name(bundled: Path, cli, tmp_path: Path) -> None:
    before = cli("--root", bundled, "export", "--format", "json")
    after = cli("export", "--format", "json", "--root", bundled)
    assert before.exit_code == 0, before.stderr
    assert before.stdout == after.stdout and before.stdout.startswith("[")
    assert cli("--root", bundled, "show", "korobov-evgenij").exit_code == 0
    # The one after the command name wins; the next command does not inherit it.
    elsewhere = tmp_path / "empty"
    (elsewhere / "data/cases").mkdir(parents=True)
    assert "0 cases" in cli("--root", bundled, "list", "--root", elsewhere).stdout
    assert cli("list", "--root", elsewhere).exit_code == 0


def test_root_before_the_command_name_in_a_subprocess(bundled: Path, tmp_path: Path) -> None:
    if not EXILECASES.exists():
        pytest.skip("the exilecases script is not installed beside this Python")
    result = subprocess.run(
        [str(EXILECASES), "--root", str(bundled), "stats", "--by", "status"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "cases by status" in result.stdout


# --- 13. dates as people type them -------------------------------------------------------


@pytest.mark.parametrize("typed", ["31.03.2025", "31/03/2025"])
def test_dates_typed_by_hand_are_refused_with_the_iso_form(bundled: Path, cli, typed: str):
    event = cli(
        "event", "add", "korobov-evgenij", "--date", typed, "--type", "detention",
        "--root", bundled,
    )  # fmt: skip
    assert event.exit_code == 2
    assert "did you mean 2025-03-31?" in event.stderr
    since = cli("list", "--since", typed, "--root", bundled)
    assert since.exit_code == 2 and "--since" in since.stderr
    assert "did you mean 2025-03-31?" in since.stderr
    as_of = cli("stats", "--by", "status", "--as-of", typed, "--root", bundled)
    assert as_of.exit_code == 2 and "did you mean 2025-03-31?" in as_of.stderr


def test_validate_suggests_the_iso_form_for_a_typed_date_in_a_file(bundled: Path, cli):
    case = bundled / "data/cases/korobov-evgenij.toml"
    text = case.read_text()
    first = tomllib.loads(text)["events"][0]["date"]
    case.write_text(text.replace(f'date = "{first}"', 'date = "05.02.2026"', 1))
    result = cli("validate", case, "--root", bundled)
    assert result.exit_code == 1
    assert "E030" in result.stdout and "did you mean 2026-02-05?" in result.stdout


@pytest.mark.parametrize("day", ["2025-03-31?", "2025~", "someday"])
def test_as_of_errors_do_not_offer_uncertain_dates(bundled: Path, cli, day: str) -> None:
    result = cli("list", "--as-of", day, "--root", bundled)
    assert result.exit_code == 2
    assert "--as-of" in result.stderr and "YYYY-MM-DD" in result.stderr
    assert "? (uncertain)" not in result.stderr and "~ (approximate)" not in result.stderr
