"""The command line: one Typer app, its commands split by job.

``common`` holds the app and the options the commands share; ``cases``, ``publish``,
``git``, ``editing``, ``deadlines``, ``imports`` and ``seal`` register their commands on it
when imported, in the order ``--help`` lists them.
"""

import importlib

from exilecases.cli.common import app

for _module in ("cases", "publish", "git", "editing", "deadlines", "imports", "seal"):
    importlib.import_module(f"exilecases.cli.{_module}")


def main() -> None:
    """The console script entry point."""
    app()


__all__ = ["app", "main"]
