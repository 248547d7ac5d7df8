"""Line and column of every key and table header in a TOML text.

``tomllib`` gives values without positions; findings need the line of the offending key or
table, so this module scans the text once and maps key paths such as ``("events", 2, "date")``
to where they stand. It reads only texts that ``tomllib`` already accepted, so it may stay
simple about malformed input.
"""

from __future__ import annotations

from collections.abc import Sequence

Path = tuple[str | int, ...]


def toml_lines(text: str) -> list[str]:
    """The lines of a TOML text as TOML counts them: split at ``\n`` only (``str.splitlines``
    also splits at characters such as U+2028, which are plain text in TOML)."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def _split_key(text: str) -> list[str]:
    """Split a possibly dotted, possibly quoted key into its parts."""
    parts: list[str] = []
    current = ""
    quote: str | None = None
    for char in text:
        if quote:
            if char == quote:
                quote = None
            else:
                current += char
        elif char in "\"'":
            quote = char
        elif char == ".":
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


def _key_end(line: str) -> int:
    """Index of the ``=`` that ends the key of a key/value line, or -1."""
    quote: str | None = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "=":
            return index
    return -1


class _ValueScanner:
    """Tracks multi-line strings and brackets across the lines of one value."""

    def __init__(self) -> None:
        self.open_string: str | None = None  # '"""' or "'''" while inside one
        self.depth = 0

    @property
    def busy(self) -> bool:
        return self.open_string is not None or self.depth > 0

    def feed(self, text: str) -> None:
        index = 0
        length = len(text)
        while index < length:
            if self.open_string:
                end = text.find(self.open_string, index)
                if end < 0:
                    return
                # A run of more than three quotes closes with the last three.
                end += 3
                while end < length and text[end] == self.open_string[0]:
                    end += 1
                self.open_string = None
                index = end
                continue
            char = text[index]
            if char == "#":
                return
            if char in "\"'":
                if text.startswith(char * 3, index):
                    self.open_string = char * 3
                    index += 3
                    continue
                index = self._skip_single_line_string(text, index, char)
                continue
            if char in "[{":
                self.depth += 1
            elif char in "]}":
                self.depth = max(0, self.depth - 1)
            index += 1

    @staticmethod
    def _skip_single_line_string(text: str, index: int, quote: str) -> int:
        index += 1
        while index < len(text):
            if quote == '"' and text[index] == "\\":
                index += 2
                continue
            if text[index] == quote:
                return index + 1
            index += 1
        return index


class KeyPositions:
    """Where each key and table header of one TOML text stands (1-based line and column)."""

    def __init__(self, text: str) -> None:
        self._positions: dict[Path, tuple[int, int]] = {}
        self._scan(text)

    def _scan(self, text: str) -> None:
        context: Path = ()
        array_counts: dict[tuple[str, ...], int] = {}
        scanner = _ValueScanner()
        for number, raw in enumerate(toml_lines(text), start=1):
            if scanner.busy:
                scanner.feed(raw)
                continue
            stripped = raw.strip()
            if not stripped or stripped.startswith("#"):
                continue
            column = len(raw) - len(raw.lstrip()) + 1
            if stripped.startswith("[["):
                name = tuple(_split_key(stripped[2 : stripped.find("]]")]))
                index = array_counts.get(name, -1) + 1
                array_counts[name] = index
                context = (*name, index)
                self._positions.setdefault(context, (number, column))
                self._positions.setdefault(name, (number, column))
            elif stripped.startswith("["):
                context = tuple(_split_key(stripped[1 : stripped.find("]")]))
                self._positions.setdefault(context, (number, column))
            else:
                equals = _key_end(stripped)
                if equals < 0:
                    continue
                key = (*context, *_split_key(stripped[:equals]))
                self._positions.setdefault(key, (number, column))
                scanner.feed(stripped[equals + 1 :])

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

    def line_of(self, path: Sequence[str | int]) -> int:
        """Line of ``path`` (or its nearest enclosing key)."""
        return self.locate(path)[0]
