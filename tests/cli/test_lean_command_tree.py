"""The console script builds only the command its command line names (``cli.app_for``):
every help page, every error and every exit code is the same as with the whole tree, and
the map of commands to modules is the app's own registrations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from conftest import PROJECT
from exilecases.cli import COMMAND_MODULES, app_for, invoked_command, whole_app

EXILECASES = Path(sys.executable).with_name("exilecases")


#: Every command of a click group: its parameters' names, or its own commands (source
#: text, run here and in a fresh interpreter).
TREE = """
def _tree(group):
    shape = {}
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            shape[name] = _tree(command)
        else:
            shape[name] = [param.name for param in command.params]
    return shape
"""
_space: dict = {}
exec(TREE, _space)
_tree = _space["_tree"]


def _paths(group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if hasattr(command, "commands"):
            found += _paths(command, (*prefix, name))
    return found


WHOLE = typer.main.get_command(whole_app())
EVERY_COMMAND = _paths(WHOLE)


def test_the_map_names_every_command_of_the_app() -> None:
    assert sorted(COMMAND_MODULES) == sorted(WHOLE.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("modules", sorted(set(COMMAND_MODULES.values())))
def test_the_modules_named_register_the_whole_command(modules: tuple[str, ...]) -> None:
    """In a fresh interpreter that imports only the modules the map names, each of their
    commands has every parameter and subcommand it has in the whole app."""
    names = [name for name, named in COMMAND_MODULES.items() if named == modules]
    code = (
        "import json, sys, typer\n"
        "from exilecases.cli import app_for\n"
        f"{TREE}\n"
        f"names = {names!r}\n"
        "shapes = {name: _tree(typer.main.get_command(app_for([name]))) for name in names}\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('exilecases.cli.'))\n"
        "print(json.dumps({'shapes': shapes, 'loaded': loaded}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    whole = _tree(WHOLE)
    for name in names:
        assert result["shapes"][name] == {name: whole[name]}, name
    command_modules = {m.rsplit(".", 1)[1] for m in result["loaded"]} & set(
        sum(COMMAND_MODULES.values(), ())
    )
    assert command_modules <= set(modules) | {"git"}  # editing imports git's groups


def _invoke(application: typer.Typer, args: list[str]) -> tuple[int, str, str]:
    runner = CliRunner(env={"COLUMNS": "100", "NO_COLOR": "1"})
    result = runner.invoke(application, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _same_both_ways(args: list[str]) -> tuple[int, str, str]:
    lean = _invoke(app_for(args, environ={}), args)
    assert lean == _invoke(whole_app(), args), args
    return lean


@pytest.mark.parametrize("path", EVERY_COMMAND, ids=" ".join)
def test_every_help_page_is_the_same(path: tuple[str, ...]) -> None:
    assert invoked_command(list(path), {}) == path[0]
    code, out, err = _same_both_ways([*path, "--help"])
    assert code == 0 and out.startswith(f"Usage: exilecases {' '.join(path)} ") and not err


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--help"],
        ["-h"],
        ["lst"],
        ["LIST"],
        ["evnt", "add"],
        ["event"],
        ["event", "ad"],
        ["event", "add", "--help"],
        ["list", "--stauts", "deported"],
        ["list", "--format", "xml"],
        ["show"],
        ["show", "a", "b", "c"],
        ["stats", "--by"],
        ["due", "--within", "-3"],
        ["--root"],
        ["--root", "list"],
        ["--root", "/nowhere", "list", "--help"],
        ["--root=/nowhere", "list", "--help"],
        ["--root", "/nowhere", "--root", "/elsewhere", "lst"],
        ["--bogus", "list"],
        ["--", "list", "--help"],
        ["list", "--status", "deportd", "--root", str(PROJECT)],
        ["--install-completion", "--help"],
    ],
    ids=repr,
)
def test_errors_and_help_are_the_same(args: list[str]) -> None:
    _same_both_ways(args)


def test_a_command_runs_the_same(tmp_path: Path) -> None:
    args = ["list", "--format", "json", "--root", str(PROJECT)]
    code, out, _ = _same_both_ways(args)
    assert code == 0 and json.loads(out)


def test_what_gets_the_whole_tree() -> None:
    assert invoked_command([], {}) is None
    assert invoked_command(["--help"], {}) is None
    assert invoked_command(["lst"], {}) is None
    assert invoked_command(["--root", "list"], {}) is None
    assert invoked_command(["--root", "x", "list"], {}) == "list"
    assert invoked_command(["--root=x", "event", "add"], {}) == "event"
    assert invoked_command(["list"], {"_EXILECASES_COMPLETE": "complete_bash"}) is None


def test_the_console_script_imports_only_the_command_it_runs() -> None:
    env = {**os.environ, "EXILECASES_ROOT": str(PROJECT), "COLUMNS": "100"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "exilecases", "list", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    loaded = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "exilecases.cli.cases" in loaded
    assert not loaded & {f"exilecases.cli.{m}" for m in ("git", "seal", "deadlines", "imports")}
    assert done.stdout.startswith("Usage: python -m exilecases list [OPTIONS]")


@pytest.mark.skipif(not EXILECASES.exists(), reason="the console script")
def test_the_console_script_says_the_same_for_a_mistyped_command() -> None:
    env = {**os.environ, "COLUMNS": "100"}
    done = subprocess.run(
        [str(EXILECASES), "evnt", "add"], capture_output=True, text=True, env=env, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == _invoke(whole_app(), ["evnt", "add"])
