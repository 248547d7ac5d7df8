"""The git diff driver's command line, without typer: git runs ``exilecases
git-diff-driver FILE`` once for every file version that ``git diff`` or ``git log -p``
shows, so this path imports only what printing one file's public view needs
(``ops/textconv``): no typer, no rich, no pydantic.

:func:`exilecases.cli.main` comes here for exactly ``git-diff-driver FILE`` (what git
runs); any other form (``--help``, a missing or extra argument) goes through the typer
command ``cli/git.git_diff_driver``, which prints through the same function, so the bytes,
messages and exit codes are the same either way.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

COMMAND = "git-diff-driver"


def print_textconv(path: Path) -> None:
    """Print ``path`` one field per line, the public view only (``ops/textconv``), with
    the repository's redaction rules; every control and bidi character made visible."""
    from exilecases.cli.text import safe
    from exilecases.errors import ExilecasesError
    from exilecases.format.vocabulary import VocabularyError
    from exilecases.ops.textconv import textconv_file
    from exilecases.store.files import find_root, load_vocabulary

    # git runs the driver at the top of the work tree: the repository's redaction rules
    # ([fields] private) come from there. Unreadable rules print nothing of the file.
    try:
        vocabulary = load_vocabulary(find_root(None))
    except ExilecasesError:
        vocabulary = None
    except VocabularyError:
        sys.stdout.write(
            "(data/vocabulary.toml is broken, so which fields are private is unknown: "
            "fix it to see this file's fields)\n"
        )
        return
    # git shows this output as it is: every control and bidi character made visible.
    sys.stdout.write(safe(textconv_file(path, vocabulary), layout=True))


def is_driver_call(args: Sequence[str]) -> bool:
    """True for exactly ``git-diff-driver FILE``, the form git runs."""
    return len(args) == 2 and args[0] == COMMAND and (args[1] == "-" or not args[1].startswith("-"))


def run(file: str) -> int:
    """``exilecases git-diff-driver FILE`` without typer: the exit code (0, or a failure's
    code after its ``error:`` line, as every command ends: ``cli/failure``)."""
    from exilecases.cli.failure import failure_exit_code

    try:
        print_textconv(Path(file))
        sys.stdout.flush()
    except Exception as error:
        code = failure_exit_code(error)
        if code is None:
            raise
        return code
    return 0
