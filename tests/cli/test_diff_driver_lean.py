"""The git diff driver (``exilecases git-diff-driver FILE``, run by git for every file
version ``git log -p`` shows) takes a path without typer, rich or pydantic, and prints the
same bytes, messages and exit codes as the typer command: the public view only."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import BUNDLED_CASES, FIXTURES, bind_socket, run_git
from exilecases.cli import whole_app

SECRET = "Secret Street 7"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The hostile corpus and the bundled cases side by side, with things that are not
    files, a file over the size limit and a repository rule that makes `summary` private."""
    root = tmp_path / "repo"
    cases = root / "data" / "cases"
    cases.mkdir(parents=True)
    for source in (FIXTURES / "hostile" / "cases", BUNDLED_CASES):
        for path in source.glob("*.toml"):
            shutil.copyfile(path, cases / path.name)
    vocabulary = (FIXTURES / "hostile" / "vocabulary.toml").read_text("utf-8")
    (root / "data" / "vocabulary.toml").write_text(
        vocabulary + '\n[fields]\nprivate = ["summary"]\n', "utf-8"
    )
    (cases / "with-private.toml").write_text(
        'id = "with-private"\nname = "A B"\norigin_country = "RU"\nhost_country = "KZ"\n'
        f'status = "at_risk"\nsummary = "public?"\n\n[private]\naddress = "{SECRET}"\n',
        "utf-8",
    )
    os.mkfifo(cases / "fifo.toml")
    bind_socket(cases / "socket.toml")
    (cases / "zero.toml").symlink_to("/dev/zero")
    (cases / "folder.toml").mkdir()
    (cases / "big.toml").write_bytes(b"#" * 1_000_001)
    return root


def _lean(root: Path, *args: str) -> tuple[int, bytes, str]:
    done = subprocess.run(
        [sys.executable, "-m", "exilecases", *args],
        cwd=root,
        capture_output=True,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr.decode()


def _typer(root: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, bytes, str]:
    monkeypatch.chdir(root)
    result = CliRunner().invoke(whole_app(), list(args), catch_exceptions=False)
    return result.exit_code, result.stdout_bytes, result.stderr


def test_every_file_prints_the_same_both_ways(repo: Path, monkeypatch) -> None:
    names = sorted(p.name for p in (repo / "data" / "cases").iterdir())
    assert len(names) > 30
    for name in [*names, "missing.toml"]:
        args = ("git-diff-driver", f"data/cases/{name}")
        lean = _lean(repo, *args)
        assert lean == _typer(repo, *args, monkeypatch=monkeypatch), name
        assert "Traceback" not in lean[2] and b"\x1b" not in lean[1]
    code, out, _ = _lean(repo, "git-diff-driver", "data/cases/with-private.toml")
    assert code == 0 and SECRET.encode() not in out and b"public?" not in out
    assert b"summary = (hidden)" in out and b"private = (hidden)" in out


def test_other_forms_go_through_the_typer_command(repo: Path, monkeypatch) -> None:
    for args in (["git-diff-driver"], ["git-diff-driver", "--help"], ["git-diff-driver", "a", "b"]):
        assert _lean(repo, *args)[0] == _typer(repo, *args, monkeypatch=monkeypatch)[0]
    assert b"Usage: python -m exilecases git-diff-driver" in _lean(repo, "git-diff-driver", "-h")[1]


def test_a_broken_vocabulary_shows_nothing_of_the_file(repo: Path, monkeypatch) -> None:
    (repo / "data" / "vocabulary.toml").write_text("[broken\n", "utf-8")
    args = ("git-diff-driver", "data/cases/with-private.toml")
    lean = _lean(repo, *args)
    assert lean == _typer(repo, *args, monkeypatch=monkeypatch)
    assert lean[0] == 0 and lean[1].startswith(b"(data/vocabulary.toml is broken")


def test_the_driver_imports_neither_typer_nor_rich_nor_pydantic(repo: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "exilecases",
            "git-diff-driver",
            "data/cases/with-private.toml",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "exilecases.ops.textconv" in loaded
    assert not loaded & {"typer", "rich", "pydantic", "exilecases.ops.validate"}


def test_git_log_shows_fields_through_the_driver(tmp_path: Path) -> None:
    root = tmp_path / "team"
    subprocess.run(
        [sys.executable, "-m", "exilecases", "init", str(root)], check=True, capture_output=True
    )
    case = root / "data" / "cases" / "a-b.toml"
    text = (
        'id = "a-b"\nname = "A B"\norigin_country = "RU"\nhost_country = "KZ"\n'
        f'status = "at_risk"\n\n[private]\naddress = "{SECRET}"\n'
    )
    for status in ("at_risk", "detained"):
        case.write_text(text.replace("at_risk", status), "utf-8")
        run_git(root, "add", "data/cases/a-b.toml")
        run_git(root, "commit", "-qm", status)
    log = run_git(root, "log", "-p", "--", "data/cases")
    assert "-status = at_risk\n+status = detained" in log
    assert SECRET not in log and "private = (hidden)" in log
