"""The one exception type core functions raise; only the CLI turns it into a message."""

from __future__ import annotations


class ExilecasesError(Exception):
    """A problem the user can fix: the message says what and how; ``exit_code`` is 1 or 2."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
