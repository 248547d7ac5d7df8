"""The command line: one Typer app, its commands split by job.

``common`` holds the app and the options the commands share; ``cases``, ``publish``,
``git``, ``editing``, ``deadlines``, ``imports`` and ``seal`` register their commands on it
when imported, in the order ``--help`` lists them. ``exilecases.cli.app`` is the whole app
(every module imported).

Typer builds the click parameters of every command it is given, on every run (about 17 ms
for the whole tree, more than the work of a quick command). So :func:`main`, the console
script, gives it only the command the command line names, with just the modules that
define it imported (:data:`COMMAND_MODULES`); the whole tree is built for everything else:
``--help``, no arguments, an unknown or mistyped command, shell completion. The help pages,
messages and exit codes are the same either way (``tests/cli/test_lean_command_tree.py``).
"""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

#: The modules that register commands, in the order ``--help`` lists their commands.
MODULES = ("cases", "publish", "git", "editing", "deadlines", "imports", "seal")

#: Each command (or group of commands) of the app and the modules that register it and its
#: subcommands (``editing`` adds ``event edit`` to the ``event`` group of ``git``). A test
#: holds this to the registrations of the whole app.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "add": ("cases",),
    "list": ("cases",),
    "show": ("cases",),
    "validate": ("cases",),
    "search": ("cases",),
    "stats": ("cases",),
    "export": ("publish",),
    "schema": ("publish",),
    "init": ("git",),
    "set": ("git",),
    "fmt": ("git",),
    "log": ("git",),
    "diff": ("git",),
    "git-diff-driver": ("git",),
    "event": ("git", "editing"),
    "charge": ("git", "editing"),
    "source": ("git", "editing"),
    "contact": ("git",),
    "remove": ("editing",),
    "due": ("deadlines",),
    "proceeding": ("deadlines",),
    "deadline": ("deadlines",),
    "import": ("imports",),
    "seal": ("seal",),
    "keys": ("seal",),
    "private": ("seal",),
}

#: Options of the app itself that take a value (``exilecases --root DIR list``).
_APP_OPTIONS_WITH_VALUE = ("--root",)


def _import(modules: Sequence[str]) -> typer.Typer:
    """The app with the commands of ``modules`` registered on it."""
    from exilecases.cli.common import app

    for module in modules:
        # __import__, not importlib.import_module: python -X importtime (which the
        # start-up tests read) sees only imports made through the import statement's path.
        __import__(f"exilecases.cli.{module}")
    return app


def whole_app() -> typer.Typer:
    """The app with every command."""
    return _import(MODULES)


def invoked_command(args: Sequence[str], environ: dict[str, str] | None = None) -> str | None:
    """The command that ``args`` (the arguments after the program's name) name, when the
    app's own options before it are all ``--root DIR`` (or ``--root=DIR``); None for
    anything else (no arguments, ``--help``, an unknown command, a missing value, shell
    completion), which gets the whole tree."""
    environ = os.environ if environ is None else environ
    if any(key.startswith("_") and key.endswith("_COMPLETE") for key in environ):
        return None
    position = 0
    while position < len(args):
        arg = args[position]
        if arg in _APP_OPTIONS_WITH_VALUE:
            position += 2
        elif arg.startswith(tuple(f"{option}=" for option in _APP_OPTIONS_WITH_VALUE)):
            position += 1
        else:
            break
    if position >= len(args):
        return None
    name = args[position]
    return name if name in COMMAND_MODULES else None


def app_for(args: Sequence[str], environ: dict[str, str] | None = None) -> typer.Typer:
    """The app to run for ``args``: only the command they name (see the module's doc),
    else the whole app."""
    name = invoked_command(args, environ)
    if name is None:
        return whole_app()
    from typer.main import get_command_name

    full = _import(COMMAND_MODULES[name])
    lean = copy.copy(full)  # the same callback, settings and help; one command
    lean.registered_commands = [
        info
        for info in full.registered_commands
        if (info.name or get_command_name(info.callback.__name__)) == name  # type: ignore[union-attr]
    ]
    lean.registered_groups = [info for info in full.registered_groups if info.name == name]
    return lean


def main() -> None:
    """The console script entry point (``git-diff-driver FILE``, which git runs for every
    file version it shows, takes the typer-free path of ``cli/driver``)."""
    args = sys.argv[1:]
    from exilecases.cli.driver import is_driver_call

    if is_driver_call(args) and invoked_command(args) is not None:
        from exilecases.cli.driver import run

        sys.exit(run(args[1]))
    app_for(args)()


def __getattr__(name: str) -> Any:
    """``exilecases.cli.app``: the whole app (every command module imported on first use)."""
    if name == "app":
        return whole_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["COMMAND_MODULES", "app", "app_for", "main", "whole_app"]
