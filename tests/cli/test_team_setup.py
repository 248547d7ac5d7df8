"""Issue 11, item 11: a team joins by cloning.

``init`` commits what it makes (or, in a repository with other work, stages and names it);
in a fresh clone it installs the diff driver and the hook and rewrites nothing already set;
any command in a clone without them says once, on stderr, how to set them up.
"""

from __future__ import annotations

from pathlib import Path

from conftest import run_git

NOTE = "run `exilecases init` here to set them up"
CASE = """\
id = "orlova-anna"
name = "Anna Orlova"
origin_country = "RU"
host_country = "KZ"
status = "detained"
"""


def _init(cli, root: Path):
    result = cli("init", root)
    assert result.exit_code == 0, result.stderr
    return result


def test_init_in_a_new_folder_commits_what_it_made(tmp_path: Path, cli) -> None:
    root = tmp_path / "cases"
    result = _init(cli, root)
    assert run_git(root, "status", "--porcelain") == ""  # nothing left to commit
    assert run_git(root, "log", "--format=%s").strip() == "exilecases init: a case repository"
    files = run_git(root, "ls-files").split()
    assert files == [
        ".gitattributes",
        ".taplo.toml",
        "data/cases/.gitkeep",
        "data/vocabulary.toml",
        "schema/case.schema.json",
    ]
    assert "committed " in result.stderr and "data/vocabulary.toml" in result.stderr


def test_init_inside_a_repository_with_other_work_stages_and_names(tmp_path: Path, cli) -> None:
    root = tmp_path / "project"
    root.mkdir()
    run_git(root, "init", "-q")
    (root / "README").write_text("our notes\n")
    run_git(root, "add", "README")
    run_git(root, "commit", "-qm", "notes")
    result = _init(cli, root)
    assert run_git(root, "log", "--format=%s").strip() == "notes"  # no commit made
    staged = run_git(root, "diff", "--cached", "--name-only").split()
    assert "data/vocabulary.toml" in staged and ".gitattributes" in staged
    assert "staged for your next commit" in result.stderr
    assert 'git commit -m "exilecases init" --' in result.stderr


def test_init_run_again_rewrites_nothing(tmp_path: Path, cli) -> None:
    root = tmp_path / "cases"
    _init(cli, root)
    watched = [root / ".git" / "config", root / ".git" / "hooks" / "pre-commit",
               root / ".gitattributes", root / "data" / "vocabulary.toml"]  # fmt: skip
    before = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in watched}
    again = _init(cli, root)
    assert {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in watched} == before
    assert "created" not in again.stderr and "committed" not in again.stderr
    assert "kept    .git/config (the diff driver)" in again.stderr


def test_a_clone_is_told_once_and_init_sets_it_up(tmp_path: Path, cli) -> None:
    origin = tmp_path / "origin"
    _init(cli, origin)
    (origin / "data" / "cases" / "orlova-anna.toml").write_text(CASE)
    run_git(origin, "add", "-A")
    run_git(origin, "commit", "-qm", "orlova-anna: add case")
    clone = tmp_path / "clone"
    run_git(tmp_path, "clone", "-q", str(origin), str(clone))
    first = cli("list", "--root", clone)
    assert first.exit_code == 0 and first.stderr.count(NOTE) == 1
    assert "diff driver and no pre-commit hook" in first.stderr
    assert NOTE not in cli("show", "orlova-anna", "--root", clone).stderr  # once per clone
    set_up = _init(cli, clone)
    assert "created .git/config (the diff driver)" in set_up.stderr
    assert "created .git/hooks/pre-commit" in set_up.stderr
    assert "exilecases" in run_git(clone, "config", "diff.exilecases.textconv")
    assert run_git(clone, "status", "--porcelain") == ""  # the clone had every shared file
    # The driver works: git diff shows fields, not TOML lines.
    path = clone / "data" / "cases" / "orlova-anna.toml"
    path.write_text(CASE.replace('"detained"', '"released"'))
    assert "+status = released\n" in run_git(clone, "diff")  # raw TOML quotes it
    # Set up, a clone whose note was never given says nothing.
    (clone / ".git" / "exilecases" / "setup-noted").unlink()
    assert NOTE not in cli("list", "--root", clone).stderr


def test_a_clone_of_a_repository_without_cases_is_a_case_repository(tmp_path: Path, cli) -> None:
    origin = tmp_path / "origin"
    _init(cli, origin)
    clone = tmp_path / "clone"
    run_git(tmp_path, "clone", "-q", str(origin), str(clone))
    assert (clone / "data" / "cases").is_dir()
    listed = cli("list", "--format", "json", "--root", clone)
    assert listed.exit_code == 0 and listed.stdout.strip() == "[]"


def test_a_repository_outside_git_is_never_told(tmp_path: Path, cli) -> None:
    root = tmp_path / "plain"
    (root / "data" / "cases").mkdir(parents=True)
    assert NOTE not in cli("list", "--root", root).stderr
