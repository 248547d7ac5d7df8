"""The git-native workflow through the CLI, with real git in temporary repositories:
init, set, event add, fmt, log, diff and the diff driver."""

from __future__ import annotations

import difflib
import json
import subprocess
import tomllib
from pathlib import Path

import pytest

from conftest import PROJECT

COMMENTED = """# Case opened by the Almaty group; see the shared drive for scans.
id = "ivanov-dmitry"
name = "Dmitry Ivanov"   # as in the court papers
origin_country = "RU"
host_country = "KZ"
categories = ["deserter"]
status = "detained"      # since the raid in March

# The first hearing.
[[events]]
date = "2026-03-02"
type = "detention"
outcome = "detained"
sources = ["hrw"]

[[sources]]
id = "hrw"
outlet = "Human Rights Watch"
"""


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def case_repo(tmp_path: Path, cli) -> Path:
    root = tmp_path / "cases-repo"
    result = cli("init", root)
    assert result.exit_code == 0, result.stderr
    git(root, "config", "user.name", "Aida K")
    git(root, "config", "user.email", "aida@example.org")
    (root / "data/cases/ivanov-dmitry.toml").write_text(COMMENTED)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "ivanov-dmitry: add case", "--no-verify")
    return root


def test_init_makes_the_repository_and_is_safe_to_run_twice(tmp_path: Path, cli) -> None:
    root = tmp_path / "new"
    assert cli("init", root).exit_code == 0
    assert (root / "data/cases").is_dir() and (root / ".git").is_dir()
    vocabulary = (root / "data/vocabulary.toml").read_text()
    assert vocabulary.startswith("#") and tomllib.loads(vocabulary) == {}
    assert "data/cases/*.toml diff=exilecases" in (root / ".gitattributes").read_text()
    assert "git-diff-driver" in git(root, "config", "diff.exilecases.textconv")
    (root / "data/vocabulary.toml").write_text('[categories.lawyer]\nlabel = "Lawyer"\n')
    again = cli("init", root)
    assert again.exit_code == 0 and "kept    data/vocabulary.toml" in again.stderr
    assert (root / "data/vocabulary.toml").read_text().startswith("[categories.lawyer]")
    assert (root / ".gitattributes").read_text().count("diff=exilecases") == 1


def test_set_on_a_commented_file_changes_exactly_one_line(case_repo: Path, cli) -> None:
    path = case_repo / "data/cases/ivanov-dmitry.toml"
    result = cli("set", "ivanov-dmitry", "status", "released", "--root", case_repo)
    assert result.exit_code == 0, result.stderr
    after = path.read_text()
    changed = [
        line
        for line in difflib.ndiff(COMMENTED.splitlines(), after.splitlines())
        if line[:1] in "+-"
    ]
    assert changed == [
        '- status = "detained"      # since the raid in March',
        '+ status = "released"      # since the raid in March',
    ]
    assert "ivanov-dmitry: status: detained -> released" in result.stderr


def test_set_lists_add_and_remove(case_repo: Path, cli) -> None:
    path = case_repo / "data/cases/ivanov-dmitry.toml"
    cli("set", "ivanov-dmitry", "categories", "mobilised", "--add", "--root", case_repo)
    assert tomllib.loads(path.read_text())["categories"] == ["deserter", "mobilised"]
    cli("set", "ivanov-dmitry", "categories", "deserter", "--remove", "--root", case_repo)
    assert tomllib.loads(path.read_text())["categories"] == ["mobilised"]


def test_set_refuses_an_invalid_value_and_writes_nothing(case_repo: Path, cli) -> None:
    path = case_repo / "data/cases/ivanov-dmitry.toml"
    result = cli("set", "ivanov-dmitry", "status", "jailed", "--root", case_repo)
    assert result.exit_code == 2 and "E020" in result.stderr
    assert path.read_text() == COMMENTED


def test_set_refuses_tables_and_the_id(case_repo: Path, cli) -> None:
    for field in ("events", "id"):
        result = cli("set", "ivanov-dmitry", field, "x", "--root", case_repo)
        assert result.exit_code == 2, field


def test_edits_log_and_diff(case_repo: Path, cli) -> None:
    root = case_repo
    assert (
        cli(
            "event",
            "add",
            "ivanov-dmitry",
            "--date",
            "2026-04-10",
            "--type",
            "deportation",
            "--outcome",
            "deported",
            "--place",
            "Almaty",
            "--source",
            "hrw",
            "--keep-status",
            "--root",
            root,
        ).exit_code
        == 0
    )
    done = cli("set", "ivanov-dmitry", "status", "deported", "--commit", "--root", root)
    assert done.exit_code == 0, done.stderr
    assert git(root, "log", "-1", "--format=%s").strip() == (
        "ivanov-dmitry: status detained -> deported; events + 2026-04-10 deportation -> "
        "deported (Almaty)"
    )
    assert (
        cli(
            "charge",
            "add",
            "ivanov-dmitry",
            "--basis",
            "RU-CC-338",
            "--source",
            "hrw",
            "--root",
            root,
        ).exit_code
        == 0
    )
    diff = cli("diff", "--root", root)
    assert diff.stdout.splitlines() == [
        "data/cases/ivanov-dmitry.toml (changed)",
        "    charges: + RU-CC-338",
    ]
    git(root, "commit", "-qam", "charge", "--no-verify")
    log = cli("log", "ivanov-dmitry", "--root", root, "--format", "json")
    entries = json.loads(log.stdout)
    assert [e["message"] for e in entries][1:] == [
        "ivanov-dmitry: status detained -> deported; events + 2026-04-10 deportation -> "
        "deported (Almaty)",
        "ivanov-dmitry: add case",
    ]
    assert [c["text"] for c in entries[0]["changes"]] == ["charges: + RU-CC-338"]
    assert entries[0]["author"] == "Aida K"
    between = cli("diff", "HEAD~2", "HEAD", "--root", root, "--format", "json")
    (changed,) = json.loads(between.stdout)
    assert {c["text"] for c in changed["changes"]} == {
        "status: detained -> deported",
        "events: + 2026-04-10 deportation -> deported (Almaty)",
        "charges: + RU-CC-338",
    }


def test_plain_git_diff_shows_fields_through_the_driver(case_repo: Path, cli) -> None:
    cli("set", "ivanov-dmitry", "status", "released", "--root", case_repo)
    shown = git(case_repo, "diff")
    assert "-status = detained" in shown and "+status = released" in shown


def test_log_and_diff_refuse_outside_git(bundled: Path, cli) -> None:
    for args in (("log", "korobov-evgenij"), ("diff",)):
        result = cli(*args, "--root", bundled)
        assert result.exit_code == 1
        assert "not a git repository" in result.stderr


def test_fmt_is_idempotent_on_every_bundled_case(bundled: Path, cli) -> None:
    before = {p.name: p.read_bytes() for p in (bundled / "data/cases").glob("*.toml")}
    result = cli("fmt", "--check", "--root", bundled)
    assert result.exit_code == 0, result.stdout
    assert cli("fmt", "--root", bundled).exit_code == 0
    after = {p.name: p.read_bytes() for p in (bundled / "data/cases").glob("*.toml")}
    assert after == before


def test_fmt_check_lists_files_and_changes_nothing(case_repo: Path, cli) -> None:
    path = case_repo / "data/cases/ivanov-dmitry.toml"
    scrambled = COMMENTED.replace('status = "detained"      # since the raid in March\n', "")
    scrambled = 'status = "detained"  # moved\n' + scrambled
    path.write_text(scrambled)
    result = cli("fmt", "--check", "--root", case_repo)
    assert result.exit_code == 1
    assert result.stdout == "data/cases/ivanov-dmitry.toml\n"
    assert path.read_text() == scrambled
    assert cli("fmt", "--root", case_repo).exit_code == 0
    formatted = path.read_text()
    assert "# moved" in formatted and "# as in the court papers" in formatted
    assert tomllib.loads(formatted) == tomllib.loads(scrambled)
    assert cli("fmt", "--check", "--root", case_repo).exit_code == 0


def test_the_pre_commit_hook_stops_a_broken_case(case_repo: Path) -> None:
    path = case_repo / "data/cases/ivanov-dmitry.toml"
    path.write_text(COMMENTED.replace('"detained"      #', '"jailed"      #'))
    git(case_repo, "add", "-A")
    done = subprocess.run(
        ["git", "commit", "-qm", "bad"], cwd=case_repo, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0
    assert "E020" in done.stdout + done.stderr


def test_pre_commit_framework_hooks_name_real_commands(cli) -> None:
    text = (PROJECT / ".pre-commit-hooks.yaml").read_text()
    assert "entry: exilecases validate" in text and "entry: exilecases fmt --check" in text
    assert cli("fmt", "--help").exit_code == 0 and "--check" in cli("fmt", "--help").stdout


def test_validate_explains_a_merge_conflict(case_repo: Path, cli) -> None:
    path = case_repo / "data/cases/ivanov-dmitry.toml"
    path.write_text(
        COMMENTED.replace(
            'status = "detained"      # since the raid in March\n',
            '<<<<<<< HEAD\nstatus = "released"\n=======\nstatus = "deported"\n>>>>>>> theirs\n',
        )
    )
    result = cli("validate", "--root", case_repo)
    assert result.exit_code == 1
    assert (
        "conflict in data/cases/ivanov-dmitry.toml lines 7-11: keep the right version"
        in result.stdout
    )


def test_an_edit_refuses_to_write_over_a_file_changed_meanwhile(case_repo: Path) -> None:
    from exilecases.errors import ExilecasesError
    from exilecases.ops.edit import set_field
    from exilecases.ops.update import edit_case
    from exilecases.store.files import load_vocabulary

    path = case_repo / "data/cases/ivanov-dmitry.toml"
    theirs = COMMENTED.replace("# The first hearing.", "# Edited in another editor.")

    def transform_while_someone_saves(text: str) -> str:
        path.write_text(theirs)  # another editor saves while the command works
        return set_field(text, "status", ["released"])

    with pytest.raises(ExilecasesError, match="changed on disk"):
        edit_case(
            case_repo, "ivanov-dmitry", transform_while_someone_saves, load_vocabulary(case_repo)
        )
    assert path.read_text() == theirs  # their save survives; ours was not written
