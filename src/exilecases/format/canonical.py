"""The canonical text of a case file.

Key order of the format, one blank line between tables, strings in ``"`` unless they hold
newlines (then ``\"\"\"``), arrays on one line while short. ``canonical_text(parse(text))`` is
stable: formatting a formatted file changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from exilecases.format.model import KEY_ORDER

#: Longest line an array is kept on one line for.
LINE_LIMIT = 88
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
#: Arrays of tables in the order they are written; ``[private]`` comes last of all.
TABLE_ORDER = ("charges", "proceedings", "events", "deadlines", "sources", "contacts")


def format_key(key: str) -> str:
    """A key as TOML writes it: bare when it can be, quoted otherwise."""
    return key if _BARE_KEY.match(key) else f'"{_escape(key)}"'


def _escape(text: str, keep: str = "") -> str:
    out = []
    for char in text:
        if char in keep:
            out.append(char)
        elif char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return "".join(out)


def format_string(text: str) -> str:
    """A basic string; a text with line breaks becomes a multi-line string."""
    if "\n" in text:
        body = _escape(text, keep="\n")
        return f'"""\n{body}"""'
    return f'"{_escape(text)}"'


def format_value(value: Any) -> str:
    """Any TOML value, arrays on one line (see ``_format_array`` for long ones)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return format_string(value)
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{format_key(k)} = {format_value(v)}" for k, v in value.items())
        return "{" + inner + "}" if inner else "{}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _format_pair(key: str, value: Any) -> str:
    line = f"{format_key(key)} = {format_value(value)}"
    if isinstance(value, list) and value and (len(line) > LINE_LIMIT or "\n" in line):
        items = "".join(f"    {format_value(item)},\n" for item in value)
        return f"{format_key(key)} = [\n{items}]"
    return line


def _ordered(table: dict[str, Any], order: list[str]) -> list[str]:
    known = [key for key in order if key in table]
    return known + [key for key in table if key not in order]


def _pairs(table: dict[str, Any], order: list[str]) -> list[str]:
    """The ``key = value`` lines of a table (sub-tables excluded)."""
    return [
        _format_pair(key, table[key])
        for key in _ordered(table, order)
        if not _is_table(table[key]) and not _is_table_array(table[key])
    ]


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _table_blocks(prefix: str, table: dict[str, Any], order: list[str]) -> list[str]:
    """``[prefix]`` with its pairs, then its own sub-tables, each as a block."""
    blocks = [f"[{prefix}]\n" + "".join(line + "\n" for line in _pairs(table, order))]
    blocks.extend(_sub_tables(prefix, table))
    return blocks


def _sub_tables(prefix: str, table: dict[str, Any]) -> list[str]:
    blocks = []
    for key, value in table.items():
        name = f"{prefix}.{format_key(key)}" if prefix else format_key(key)
        if _is_table(value):
            blocks.extend(_table_blocks(name, value, []))
        elif _is_table_array(value):
            for entry in value:
                blocks.append(f"[[{name}]]\n" + "".join(line + "\n" for line in _pairs(entry, [])))
                blocks.extend(_sub_tables(name, entry))
    return blocks


def canonical_text(case: dict[str, Any]) -> str:
    """The canonical TOML text of a case (a dict as parsed from a case file)."""
    head = "".join(line + "\n" for line in _pairs(case, KEY_ORDER["case"]))
    blocks = [head] if head else []
    for name in TABLE_ORDER:
        entries = case.get(name)
        if not _is_table_array(entries):
            continue
        for entry in entries:
            body = "".join(line + "\n" for line in _pairs(entry, KEY_ORDER[name]))
            blocks.append(f"[[{name}]]\n{body}")
            blocks.extend(_sub_tables(f"{name}", entry))
    others = {
        key: value
        for key, value in case.items()
        if key not in TABLE_ORDER
        and key != "private"
        and (_is_table(value) or _is_table_array(value))
    }
    blocks.extend(_sub_tables("", others))
    private = case.get("private")
    if isinstance(private, dict):
        blocks.extend(_table_blocks("private", private, []))
    return "\n".join(blocks)
