"""Line and column of every key and table header in a TOML text.

``tomllib`` gives values without positions; findings need the line of the offending key or
table, so this module maps key paths such as ``("events", 2, "date")`` to where they stand,
from the statements ``scan.py`` finds. It reads only texts that ``tomllib`` accepted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

Path = tuple[str | int, ...]


def toml_lines(text: str) -> list[str]:
    """The lines of a TOML text as TOML counts them: split at ``\n`` only (``str.splitlines``
    also splits at characters such as U+2028, which are plain text in TOML)."""
    return [line.removesuffix("\r") for line in text.split("\n")]


class KeyPositions:
    """Where each key and table header of one TOML text stands (1-based line and column)."""

    def __init__(self, text: str, *, top_level: bool = False) -> None:
        from exilecases.format.scan import Scanner

        self._positions: dict[Path, tuple[int, int]] = {}
        lines = toml_lines(text)
        for statement in Scanner(text).statements(top_level=top_level):
            if not statement.real:
                continue
            line = lines[statement.first]
            where = (statement.first + 1, len(line) - len(line.lstrip(" \t")) + 1)
            self._positions.setdefault(statement.path, where)
            if statement.kind == "array":  # [[events]]: also the whole array, at its first
                self._positions.setdefault(statement.path[:-1], where)

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]:
        """Position of ``path``, or of its nearest enclosing key or table; (1, 1) at worst."""
        key = tuple(path)
        while key:
            if key in self._positions:
                return self._positions[key]
            key = key[:-1]
        return (1, 1)

    def has(self, path: Sequence[str | int]) -> bool:
        """True when exactly this key or table header appears in the text."""
        return tuple(path) in self._positions


_HEADER_LINE = re.compile(r"^[ \t]*\[", re.M)


def top_level_position(text: str, key: str) -> tuple[int, int] | None:
    """Where the top-level bare key ``key`` stands in a text ``tomllib`` accepted, or None
    when it is not there. A line search, checked against what could fool it (a multi-line
    string or a table header before the match); the statement scanner decides then."""
    match = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text, re.M)
    if match is not None:
        before = text[: match.start()]
        if '"""' not in before and "'''" not in before and not _HEADER_LINE.search(before):
            line = before.count("\n") + 1
            indent = len(match.group()) - len(match.group().lstrip(" \t"))
            return line, indent + 1
    positions = KeyPositions(text, top_level=True)
    return positions.locate((key,)) if positions.has((key,)) else None
