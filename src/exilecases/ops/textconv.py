"""The field-per-line view of a case file that the git diff driver prints
(``exilecases git-diff-driver FILE``, set up by ``init``), so that ``git diff`` and
``git log -p`` show field-level changes.

git runs the driver once for every file version it shows, so this module stays lean: the
TOML parser, the public view (``format/privacy``) and the field order, no pydantic, no
rich, no typer (``cli/driver`` is its typer-free command line). Every output is public
(privacy.md, Rule 1): a private value is written ``(hidden)``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exilecases.format.fields import ENTRY_TABLES as TABLE_ORDER
from exilecases.format.fields import KEY_ORDER
from exilecases.ops.changes import (
    HIDDEN,
    IDENTITY,
    _labelled,
    _ordered_keys,
    _scalar_text,
    _top_level_fields,
)
from exilecases.store.files import MAX_FILE_BYTES, read_regular

if TYPE_CHECKING:
    from exilecases.format.vocabulary import Vocabulary

_MISSING: Any = object()


def plain(value: Any) -> Any:
    """TOML values with dates and times as strings (as the loader gives them)."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def textconv(text: str, vocabulary: Vocabulary | None = None) -> str:
    """The field-per-line view of a case file's text that git diffs instead of the TOML.

    ``status = deported``, ``aliases = A; B``, one header line per table entry
    (``events[2026-02-02 handover]``) followed by its fields
    (``events[2026-02-02 handover].outcome = handed_over``): the fields of the public view
    (with ``vocabulary``'s redaction rules), then ``FIELD = (hidden)`` for each top-level
    field with a private part (``born``, ``private``; ``events (private part)`` for a table).
    A text that is not TOML is returned unchanged.
    """
    from exilecases.format.privacy import private_part, public_view

    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
        case = plain(data)
        lines = _textconv_lines(public_view(case, vocabulary))
        for key in _ordered_keys(private_part(case, vocabulary), {}, KEY_ORDER["case"]):
            name = f"{key} (private part)" if key in TABLE_ORDER else key
            lines.append(f"{name} = {HIDDEN}")
    except (tomllib.TOMLDecodeError, RecursionError):  # too deep: E005 in validate
        return text
    return "".join(f"{line}\n" for line in lines)


def textconv_file(path: Path, vocabulary: Vocabulary | None = None) -> str:
    """``textconv`` of a file (what ``exilecases git-diff-driver FILE`` prints). Only a
    regular file is read (``NotAFileError`` otherwise); one over the size limit of a case
    file is one line saying so."""
    raw = read_regular(path, MAX_FILE_BYTES)
    if len(raw) > MAX_FILE_BYTES:
        return f"(not shown: larger than {MAX_FILE_BYTES:,} bytes, the limit of a case file)\n"
    return textconv(raw.decode("utf-8", "replace"), vocabulary)


def _textconv_lines(case: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for key in _top_level_fields(case, {}):
        lines += _value_lines(key, case[key])
    for table in TABLE_ORDER:
        entries = case.get(table, _MISSING)
        if isinstance(entries, list):
            lines += _table_lines(table, entries)
        elif entries is not _MISSING:
            lines += _value_lines(table, entries)
    return lines


def _table_lines(table: str, entries: list[Any]) -> list[str]:
    lines = []
    for _, label, entry in _labelled(table, entries):
        name = f"{table}[{label}]"
        if not isinstance(entry, dict):
            lines += _value_lines(name, entry)
            continue
        lines.append(name)
        identity = set(IDENTITY[table])
        for key in _ordered_keys(entry, {}, KEY_ORDER[table]):
            if key not in identity:
                lines += _value_lines(f"{name}.{key}", entry[key])
    return lines


def _value_lines(name: str, value: Any) -> list[str]:
    if isinstance(value, dict):
        nested = [
            line for key, item in value.items() for line in _value_lines(f"{name}.{key}", item)
        ]
        return nested or [f"{name} = {{}}"]
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return [
            line
            for index, item in enumerate(value, start=1)
            for line in _value_lines(f"{name}[{index}]", item)
        ]
    if isinstance(value, list):
        return [f"{name} = {'; '.join(_scalar_text(item) for item in value)}".rstrip()]
    text = _scalar_text(value)
    first, *rest = text.splitlines() or [""]
    return [f"{name} = {first}".rstrip()] + [f"{name} | {line}".rstrip() for line in rest]
