"""Shared fixtures: temporary case repositories and a CLI runner that keeps stdout and
stderr apart (scripts rely on data alone reaching stdout)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from exilecases.cli import app

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BUNDLED_CASES = PROJECT / "data" / "cases"
SHARED = PROJECT.parent / "shared"


def find_taplo() -> str | None:
    """The taplo CLI: on PATH, or beside this Python (a virtual environment not activated)."""
    beside = Path(sys.executable).with_name("taplo")
    return shutil.which("taplo") or (str(beside) if beside.exists() else None)


def run_git(root: Path, *args: str) -> str:
    """Run git in ``root`` with a throwaway identity; its standard output."""
    import subprocess

    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def make_repo(root: Path, *sources: Path) -> Path:
    """A case repository at ``root`` holding copies of the given files or folders' files."""
    cases = root / "data" / "cases"
    cases.mkdir(parents=True, exist_ok=True)
    for source in sources:
        files = sorted(source.glob("*.toml")) if source.is_dir() else [source]
        for file in files:
            shutil.copyfile(file, cases / file.name)
    return root


@pytest.fixture(autouse=True)
def _own_cache_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """Each test's user cache folder (where the index of a repository outside git lives) is
    a fresh temporary one, never the real ``~/.cache``."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


def bind_socket(path: Path) -> None:
    """Leave a Unix socket at ``path`` (bound by its name from inside its folder: socket
    paths are limited to about 100 bytes, temporary folders can be longer)."""
    import os
    import socket

    here = Path.cwd()
    os.chdir(path.parent)
    try:
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(path.name)
    finally:
        os.chdir(here)


@pytest.fixture
def repo(tmp_path: Path) -> Callable[..., Path]:
    """Build a case repository in a temporary folder from fixture files or folders."""

    def build(*sources: Path) -> Path:
        return make_repo(tmp_path / "repo", *sources)

    return build


@pytest.fixture
def bundled(tmp_path: Path) -> Path:
    """A copy of the bundled case repository (data/cases and data/vocabulary.toml)."""
    root = tmp_path / "bundled"
    shutil.copytree(PROJECT / "data", root / "data")
    return root


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run the CLI in-process: ``cli("list", "--root", path)``."""
    runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})

    def invoke(*args: object, input: str | None = None) -> Result:
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


@pytest.fixture(autouse=True)
def _cache_in_tmp(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A repository outside git keeps its lock and index in the user's cache folder: the
    tests' repositories keep theirs in a temporary one, not in the real ``~/.cache``."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
