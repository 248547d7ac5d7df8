"""The one exception type core functions raise; only the CLI turns it into a message.

An error carries a kind: ``usage`` (the caller asked for something impossible: a bad id, an
unknown option value), ``data`` (a case file or the vocabulary is wrong) or ``system`` (the
disk, git, the operating system). The command line maps kinds to exit codes: 2 for usage,
1 for the others.
"""

from __future__ import annotations

from typing import Literal

ErrorKind = Literal["usage", "data", "system"]


class ExilecasesError(Exception):
    """A problem the user can fix: the message says what and how.

    ``kind`` says whose problem it is; ``exit_code`` (2 for usage, else 1) is what the
    command line exits with. Older callers give ``exit_code`` alone: 2 then means usage.
    """

    def __init__(
        self, message: str, exit_code: int | None = None, *, kind: ErrorKind | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if kind is None:
            kind = "usage" if exit_code == 2 else "data"
        self.kind: ErrorKind = kind
        self.exit_code = exit_code if exit_code is not None else (2 if kind == "usage" else 1)
