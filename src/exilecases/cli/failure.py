"""How a command ends when something goes wrong: one ``error:`` line on standard error
and an exit code (``errors.py``: 2 for usage, 1 for the rest), never a traceback.

Typer-free, so that the git diff driver's lean path (``cli/driver``) ends exactly as the
commands do; ``cli/common._handles_errors`` uses the same function.
"""

from __future__ import annotations

import sys

from exilecases.errors import ExilecasesError


def message(text: str) -> None:
    """A message for the person at the terminal, on standard error. Messages quote ids,
    paths and values from files and the command line: every character that could take over
    the terminal is shown visibly (``cli/text.safe``), line breaks stay."""
    from exilecases.cli.text import safe

    sys.stdout.flush()  # keep the order of data and messages on a shared terminal
    sys.stderr.write(safe(text, layout=True) + "\n")
    sys.stderr.flush()


def failure_exit_code(error: BaseException) -> int | None:
    """Say what went wrong, for the errors a command ends on, and return its exit code;
    None for any other exception (a bug: its traceback is printed)."""
    from exilecases.format.vocabulary import VocabularyError

    if isinstance(error, ExilecasesError):
        message(f"error: {error.message}")
        return error.exit_code
    if isinstance(error, VocabularyError):
        message(f"error: {error}; fix that file, then run exilecases validate")
        return 1
    if isinstance(error, BrokenPipeError):
        sys.stderr.close()
        return 0
    if isinstance(error, OSError):  # a full disk, a read-only folder, a file in use
        where = f"{error.filename}: " if error.filename else ""
        message(f"error: {where}{error.strerror or error}; nothing was half-written")
        return 1
    return None
