"""An option taking a vocabulary value (a status, an event type, an outcome, a legal basis,
a category, a proceeding or deadline type, a deadline rule) or a country code is refused as
the command line is parsed: exit 2, the value, a did-you-mean and the allowed values, before
the command reads a case, asks a question or writes anything, and against the repository's
own vocabulary (data/vocabulary.toml) as well as the built-in one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import PROJECT

CASE = "korobov-evgenij"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the bundled repository, with one status of its own."""
    copy = tmp_path / "repo"
    shutil.copytree(PROJECT / "data", copy / "data")
    with (copy / "data" / "vocabulary.toml").open("a", encoding="utf-8") as stream:
        stream.write('\n[statuses.in_hiding]\nlabel = "In hiding"\noutcome = "pending"\n')
    return copy


def _files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "data" / "cases").iterdir())}


ADD = ["add", "--name", "Test Person", "--status", "at_risk", "--origin", "RU", "--host", "KZ"]

#: (command line, the option refused, the value, what the message suggests)
REFUSED = [
    (
        ["add", "--name", "Test Person", "--origin", "RU", "--host", "KZ"],
        "--status",
        "deportd",
        "did you mean 'deported'?",
    ),
    (ADD, "--category", "desertr", "did you mean 'deserter'?"),
    (ADD, "--basis", "RU-CC-3388", "did you mean 'RU-CC-338'?"),
    (
        ["add", "--name", "Test Person", "--status", "at_risk", "--host", "KZ"],
        "--origin",
        "Russia",
        "did you mean RU?",
    ),
    (ADD, "--citizenship", "Kazakstan", "did you mean KZ?"),
    (["list"], "--status", "deportd", "did you mean 'deported'?"),
    (["list"], "--outcome", "retuned", "did you mean 'returned'?"),
    (["list"], "--host", "Казахстан", "did you mean KZ?"),
    (["stats", "--by", "status"], "--category", "desertr", "did you mean 'deserter'?"),
    (["stats", "--by", "year"], "--event", "detentoin", "did you mean 'detention'?"),
    (["export", "--format", "json"], "--basis", "RU-CC-3388", "did you mean 'RU-CC-338'?"),
    (["due"], "--type", "apeal", "did you mean 'appeal'?"),
    (["event", "add", CASE, "--date", "2025"], "--type", "detentoin", "did you mean 'detention'?"),
    (
        ["event", "add", CASE, "--date", "2025", "--type", "detention"],
        "--outcome",
        "detaned",
        "did you mean 'detained'?",
    ),
    (["event", "edit", CASE, "1"], "--type", "detentoin", "did you mean 'detention'?"),
    (["event", "edit", CASE, "1"], "--outcome", "in_hidign", "did you mean 'in_hiding'?"),
    (["charge", "add", CASE], "--basis", "RU-CC-3388", "did you mean 'RU-CC-338'?"),
    (["charge", "edit", CASE, "1"], "--basis", "RU-CC-3388", "did you mean 'RU-CC-338'?"),
    (["proceeding", "add", CASE, "--id", "asylum2"], "--type", "asylm", "did you mean 'asylum'?"),
    (["deadline", "add", CASE, "--due", "2030-01-01"], "--type", "apeal", "did you mean 'appeal'?"),
    (
        ["deadline", "done", CASE, "--trigger", "2025-01-01"],
        "--rule",
        "leave-after-refusal",
        "did you mean 'leave-after-refusal-in-force'?",
    ),
]


@pytest.mark.parametrize(("args", "option", "value", "hint"), REFUSED)
def test_a_wrong_value_is_refused_when_parsed(
    cli, root: Path, args: list[str], option: str, value: str, hint: str
) -> None:
    before = _files(root)
    result = cli(*args, option, value, "--root", root)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}': '{value}' is not " in result.stderr
    assert hint in result.stderr
    assert "Known: " in result.stderr or "ISO 3166-1" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert _files(root) == before


def test_the_allowed_values_are_the_repositorys(cli, root: Path) -> None:
    typo = cli("add", "--name", "Test Person", "--status", "in_hidign", "--root", root)
    assert typo.exit_code == 2 and "did you mean 'in_hiding'?" in typo.stderr
    known = typo.stderr.split("Known: ", 1)[1]
    assert "at_risk" in known and "in_hiding" in known
    added = cli(*ADD[:4], "in_hiding", *ADD[5:], "--citizenship", "kz", "--root", root)
    assert added.exit_code == 0, added.stderr
    text = (root / "data" / "cases" / "person-test.toml").read_text("utf-8")
    assert 'status = "in_hiding"' in text and 'citizenship = ["KZ"]' in text


def test_the_check_comes_before_the_command_does_anything(cli, root: Path) -> None:
    """A case that does not exist, a date that is wrong: the option is refused first, so
    the person fixes the typo before anything else is read."""
    result = cli(
        "event", "add", "no-such-case", "--date", "2025-13", "--type", "detentoin", "--root", root
    )
    assert result.exit_code == 2 and "'detentoin' is not an event type" in result.stderr
    assert "no case" not in result.stderr


@pytest.mark.parametrize("where", ["before", "after", "environment"])
def test_the_repository_is_the_one_the_command_uses(
    cli, root: Path, where: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """--root before the command name, after the option, or $EXILECASES_ROOT."""
    monkeypatch.chdir(tmp_path)
    if where == "before":
        args = ["--root", root, "list", "--status", "in_hiding"]
    elif where == "after":
        args = ["list", "--status", "in_hiding", "--root", root]
    else:
        monkeypatch.setenv("EXILECASES_ROOT", str(root))
        args = ["list", "--status", "in_hiding"]
    result = cli(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_values_that_were_right_stay_right(cli, root: Path) -> None:
    for args in (
        ["list", "--status", "deported", "--status", "in_hiding", "--origin", "ru"],
        ["list", "--outcome", "returned", "--basis", "RU-CC-337", "--category", "deserter"],
        ["stats", "--by", "year", "--event", "detention"],
        ["due", "--type", "appeal", "--all"],
    ):
        result = cli(*args, "--format", "json", "--root", root)
        assert result.exit_code == 0, (args, result.stderr)
    removed = cli("event", "edit", CASE, "1", "--outcome", "", "--root", root)
    assert "Invalid value" not in removed.stderr


def test_a_wrong_value_in_a_command_asking_for_help_shows_the_help(cli, root: Path) -> None:
    result = cli("list", "--status", "deportd", "--help", "--root", root)
    assert result.exit_code == 0 and "Usage: exilecases list" in result.stdout


def test_outside_a_repository_the_command_says_so(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EXILECASES_ROOT", raising=False)
    result = cli("list", "--status", "deportd")
    assert result.exit_code == 2 and "no case repository" in result.stderr


def test_hostile_values_are_shown_visibly(cli, root: Path) -> None:
    result = cli("list", "--status", "\x1b[2Jx\u202e", "--root", root)
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert "\\x1b[2Jx<U+202E>" in result.stderr
