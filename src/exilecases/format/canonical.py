"""The canonical text of a case file.

Two owners, each for what it does well. The layout is ours: the key order of the format,
one blank line between tables, ``\"\"\"`` for text with line breaks, arrays on one line
while short, ``[private]`` last (and ``ops/edit.py`` keeps the comments). No library
writes that layout, and people review these files line by line in ``git diff``.

Every key and every value is written by tomli-w (one ``tomli_w.dumps`` call per key or
value, public API only): it knows the quoting and escaping rules of TOML (a key ending in
a newline, control characters, quotes, dates and times, floats such as ``inf``), which a
home-made writer got wrong. ``canonical_text(parse(text))`` is stable: formatting a
formatted file changes nothing, and it parses back to exactly the data it was given.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import tomli_w

from exilecases.format.fields import ENTRY_TABLES, KEY_ORDER

#: Longest line an array is kept on one line for.
LINE_LIMIT = 88
#: Arrays of tables in the order they are written; ``[private]`` comes last of all.
TABLE_ORDER = ENTRY_TABLES
_SCALARS = (str, bool, int, float, dt.date, dt.time)  # dt.datetime is a dt.date


def format_key(key: str) -> str:
    """One key as TOML writes it: bare when it can be, a quoted string otherwise."""
    if not isinstance(key, str):
        raise TypeError(f"a TOML key must be text, not {type(key).__name__}")
    # The same few keys come back in every file; only short ones are kept, so that a
    # hostile file's huge keys cannot fill the memory.
    return _short_key(key) if len(key) <= 64 else _quoted_key(key)


def _quoted_key(key: str) -> str:
    return tomli_w.dumps({key: 0}).removesuffix(" = 0\n")


_short_key = lru_cache(maxsize=1024)(_quoted_key)


def _scalar(value: Any, multiline: bool) -> str:
    """A string, number, boolean, date or time, as tomli-w writes it."""
    # tomli-w writes "\r\n" inside a """ string as a bare line break, which a reader takes
    # for "\n": such a text stays on one line, with "\r\n" escaped, so nothing is lost.
    multiline = multiline and not (isinstance(value, str) and "\r\n" in value)
    return tomli_w.dumps({"v": value}, multiline_strings=multiline)[len("v = ") : -1]


def format_value(value: Any, *, multiline: bool = True) -> str:
    """Any TOML value, arrays and inline tables on one line (``format_pair`` breaks long
    arrays). Text with line breaks becomes a ``\"\"\"`` string unless ``multiline`` is
    false; inside an inline table it always stays on one line.
    """
    if isinstance(value, _SCALARS):
        return _scalar(value, multiline)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(item, multiline=multiline) for item in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(
            f"{format_key(k)} = {format_value(v, multiline=False)}" for k, v in value.items()
        )
        return "{" + inner + "}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def format_pair(key: str, value: Any) -> str:
    """``key = value``; an array too long for one line (or holding multi-line text) gets
    one item per line."""
    line = f"{format_key(key)} = {format_value(value)}"
    if isinstance(value, list) and value and (len(line) > LINE_LIMIT or "\n" in line):
        items = "".join(f"    {format_value(item)},\n" for item in value)
        return f"{format_key(key)} = [\n{items}]"
    return line


def _ordered(table: dict[str, Any], order: list[str]) -> list[str]:
    known = [key for key in order if key in table]
    return known + [key for key in table if key not in order]


def table_pairs(table: dict[str, Any], order: list[str]) -> list[str]:
    """The ``key = value`` lines of a table, keys in ``order`` first (sub-tables and arrays
    of tables excluded: ``sub_tables`` writes them)."""
    return [
        format_pair(key, table[key])
        for key in _ordered(table, order)
        if not _is_table(table[key]) and not _is_table_array(table[key])
    ]


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _lines(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def _table_blocks(prefix: str, table: dict[str, Any], order: list[str]) -> list[str]:
    """``[prefix]`` with its pairs, then its own sub-tables, each as a block."""
    blocks = [f"[{prefix}]\n" + _lines(table_pairs(table, order))]
    blocks.extend(sub_tables(prefix, table))
    return blocks


def _entry_blocks(name: str, entry: dict[str, Any], order: list[str]) -> list[str]:
    """``[[name]]`` with the pairs of one entry, then the entry's own sub-tables."""
    return [f"[[{name}]]\n" + _lines(table_pairs(entry, order)), *sub_tables(name, entry)]


def sub_tables(prefix: str, table: dict[str, Any]) -> list[str]:
    """The blocks (``[prefix.key]``, ``[[prefix.key]]``) of a table's sub-tables and arrays
    of tables, in the table's order; ``prefix`` is the table's header name ("" at the top)."""
    blocks = []
    for key, value in table.items():
        name = f"{prefix}.{format_key(key)}" if prefix else format_key(key)
        if _is_table(value):
            blocks.extend(_table_blocks(name, value, []))
        elif _is_table_array(value):
            for entry in value:
                blocks.extend(_entry_blocks(name, entry, []))
    return blocks


def canonical_text(case: dict[str, Any]) -> str:
    """The canonical TOML text of a case (a dict as parsed from a case file).

    Any TOML data is written, whatever its shape: a key of the format holding a table
    where the format wants an array of tables (``[events]``) is written as it is, after
    the arrays of tables, never dropped.
    """
    head = _lines(table_pairs(case, KEY_ORDER["case"]))
    blocks = [head] if head else []
    written = [name for name in TABLE_ORDER if _is_table_array(case.get(name))]
    for name in written:
        for entry in case[name]:
            blocks.extend(_entry_blocks(name, entry, KEY_ORDER[name]))
    others = {
        key: value
        for key, value in case.items()
        if key not in written and key != "private" and (_is_table(value) or _is_table_array(value))
    }
    blocks.extend(sub_tables("", others))
    private = case.get("private")
    if _is_table(private) or _is_table_array(private):
        blocks.extend(sub_tables("", {"private": private}))
    return "\n".join(blocks)
