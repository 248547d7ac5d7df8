"""Where every statement of a TOML text stands: pairs, table headers, comments, blanks.

``tomllib`` gives values without positions. This scanner walks a text that ``tomllib``
accepted and says, for each statement, its lines, its data path (``("events", 2, "date")``)
and its trailing comment. ``positions.py`` uses it to put findings on the right line,
``edit.py`` to edit files without losing a comment.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

#: Where a statement's value lives in the parsed data: keys, and indexes of array entries.
Path = tuple[str | int, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
#: A key of bare names only (``a``, ``a.b``, ``a . b``), read without the TOML parser.
_BARE_DOTTED = re.compile(r"[ \t]*[A-Za-z0-9_-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9_-]+)*[ \t]*")


@dataclass(eq=False)
class Statement:
    """One statement of a TOML text: a comment line, a blank line, a pair or a header."""

    kind: str  # "comment", "blank", "pair", "table" ([name]) or "array" ([[name]])
    first: int  # index of its first line
    last: int  # index of its last line
    path: Path = ()
    code: str = ""  # its last line without the trailing comment
    gap: str = ""  # the blanks between code and trailing comment
    comment: str = ""  # the trailing comment, "#" included; "" when there is none
    inner: list[str] = field(default_factory=list)  # comments inside a multi-line array
    table: Path = ()  # the table a pair belongs to; a header's own path

    @property
    def real(self) -> bool:
        """A pair or a header, not a comment or blank line."""
        return self.kind not in ("comment", "blank")


class Scanner:
    """Splits a valid TOML text into statements and works out the data path of each."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.arrays: dict[Path, int] = {}  # arrays of tables: entries seen so far
        self.table: Path = ()  # the table the following pairs belong to

    def statements(self, *, top_level: bool = False) -> list[Statement]:
        """Every statement of the text, in order; with ``top_level``, only those up to and
        including the first table header (what an edit of a top-level field needs)."""
        pos, found = 0, []
        while pos < len(self.text):
            statement, pos = self._statement(pos)
            found.append(statement)
            if top_level and statement.kind in ("table", "array"):
                break
        return found

    def _line(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos) - 1

    def _line_end(self, pos: int) -> int:
        end = self.text.find("\n", pos)
        return len(self.text) if end == -1 else end

    def _statement(self, pos: int) -> tuple[Statement, int]:
        end = self._line_end(pos)
        stripped = self.text[pos:end].strip(" \t\r")
        line = self._line(pos)
        if not stripped:
            return Statement("blank", line, line), end + 1
        if stripped.startswith("#"):
            return Statement("comment", line, line, code=self.text[pos:end].rstrip("\r")), end + 1
        start = pos + len(self.text[pos:end]) - len(self.text[pos:end].lstrip(" \t"))
        if stripped.startswith("["):
            return self._header(start)
        return self._pair(start)

    def _header(self, pos: int) -> tuple[Statement, int]:
        array = self.text.startswith("[[", pos)
        names, after = self._key(pos + (2 if array else 1))
        value_end = after + (2 if array else 1)
        self.table = self._resolve(names, array)
        kind = "array" if array else "table"
        statement = Statement(kind, self._line(pos), 0, self.table, table=self.table)
        return self._finish(statement, value_end)

    def _pair(self, pos: int) -> tuple[Statement, int]:
        names, after = self._key(pos)
        value_start = self._skip_blanks(after + 1)  # after "="
        value_end, inner = self._value(value_start)
        path = self.table + names
        statement = Statement("pair", self._line(pos), 0, path, inner=inner, table=self.table)
        return self._finish(statement, value_end)

    def _finish(self, statement: Statement, value_end: int) -> tuple[Statement, int]:
        """Fill in the last line, the code and the trailing comment of a statement."""
        end = self._line_end(value_end)
        rest = self.text[value_end:end].rstrip("\r")
        comment = rest.lstrip(" \t")
        statement.last = self._line(value_end)
        statement.code = self.text[self.starts[statement.last] : value_end]
        statement.gap = rest[: len(rest) - len(comment)] if comment else ""
        statement.comment = comment
        return statement, end + 1

    def _resolve(self, names: tuple[str, ...], array: bool) -> Path:
        """The data path of a ``[table]`` or ``[[array]]`` header."""
        path: Path = ()
        for name in names[:-1]:
            path += (name,)
            if path in self.arrays:
                path += (self.arrays[path] - 1,)
        path += (names[-1],)
        if array:
            index = self.arrays.get(path, 0)
            self.arrays[path] = index + 1
            path += (index,)
        return path

    def _skip_blanks(self, pos: int) -> int:
        while pos < len(self.text) and self.text[pos] in " \t":
            pos += 1
        return pos

    def _key(self, pos: int) -> tuple[tuple[str, ...], int]:
        """The key names of a (dotted) key starting at ``pos``, and where the key ends."""
        start = pos
        while True:
            pos = self._skip_blanks(pos)
            if self.text[pos] in "\"'":
                pos, _ = self._value(pos)
            else:
                match = _BARE.match(self.text, pos)
                pos = match.end() if match else pos
            pos = self._skip_blanks(pos)
            if self.text[pos] != ".":
                break
            pos += 1
        return _key_names(self.text[start:pos]), pos

    def _value(self, pos: int) -> tuple[int, list[str]]:
        """Where the value starting at ``pos`` ends, and the comments inside it."""
        text = self.text
        for quote in ('"""', "'''"):
            if text.startswith(quote, pos):
                return self._end_multiline(pos, quote[0]), []
        if text[pos] == '"':
            index = pos + 1
            while text[index] != '"':
                index += 2 if text[index] == "\\" else 1
            return index + 1, []
        if text[pos] == "'":
            return text.index("'", pos + 1) + 1, []
        if text[pos] in "[{":
            return self._end_bracket(pos)
        end = self._line_end(pos)
        hash_mark = text.find("#", pos, end)
        end = end if hash_mark == -1 else hash_mark
        return pos + len(text[pos:end].rstrip(" \t\r")), []

    def _end_multiline(self, pos: int, quote: str) -> int:
        index = pos + 3
        while True:
            if quote == '"' and self.text[index] == "\\":
                index += 2
            elif self.text.startswith(quote * 3, index):
                end = index + 3
                while end < len(self.text) and self.text[end] == quote and end - index < 5:
                    end += 1
                return end
            else:
                index += 1

    def _end_bracket(self, pos: int) -> tuple[int, list[str]]:
        depth, index, inner = 0, pos, []
        while True:
            char = self.text[index]
            if char in "[{":
                depth, index = depth + 1, index + 1
            elif char in "]}":
                depth, index = depth - 1, index + 1
                if depth == 0:
                    return index, inner
            elif char in "\"'":
                index, _ = self._value(index)
            elif char == "#":
                end = self._line_end(index)
                inner.append(self.text[index:end].rstrip(" \t\r"))
                index = end
            else:
                index += 1


def _key_names(raw: str) -> tuple[str, ...]:
    """The names of a dotted key as TOML reads them (quotes and escapes resolved)."""
    if _BARE_DOTTED.fullmatch(raw):  # the usual key, without a parser call per line
        return tuple(name.strip(" \t") for name in raw.split("."))
    data: Any = tomllib.loads(raw.strip() + " = 0")
    names = []
    while isinstance(data, dict):
        name = next(iter(data))
        names.append(name)
        data = data[name]
    return tuple(names)
