"""Format-1 shapes moved into the private room: a pure function, data in, data out.

Format 1 marked a secret entry where it stood (``[[contacts]]`` with ``private = true``);
format 2 keeps every secret under ``[private]`` (``[[private.contacts]]``,
``[[private.events]]``, ``[[private.sources]]``), where no public output looks. ``exilecases
fmt`` calls :func:`migrate_private` on each file and writes the result through the write
path, printing the messages: what moved where, never a value (they reach logs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exilecases.format.privacy import PRIVATE_KEY, TABLES, is_marked_private

#: A data path (as ``format.scan`` gives them): keys and indexes of array entries.
Path = tuple[str | int, ...]

_SINGULAR = {"events": "event", "charges": "charge", "sources": "source", "contacts": "contact"}


@dataclass
class Migration:
    """The migrated data, where each moved or renumbered entry went, and what to say."""

    data: dict[str, Any]
    #: ``(TABLE, old index) -> new path`` of every entry that moved or was renumbered, so
    #: that the comments of an entry go with it.
    moves: dict[Path, Path] = field(default_factory=dict)
    #: One line per table that gave up entries (no private value in them).
    messages: list[str] = field(default_factory=list)


def migrate_private(data: dict[str, Any]) -> Migration:
    """Move every entry marked ``private = true`` (any value but false counts, as in the
    public view) from ``[[TABLE]]`` to ``[[private.TABLE]]``, after the entries already
    there, without its marker. ``data`` is not changed.

    Nothing moves when ``[private]`` is not a table, or for a table whose ``private.TABLE``
    is not an array of tables (a shape ``validate`` reports): nothing is ever dropped.
    """
    started = _start(data)
    if started is None:
        return Migration(data)
    result, room = started
    new = result.data
    for table in TABLES:
        entries = data.get(table)
        if not isinstance(entries, list):
            continue
        moved = [(i, entry) for i, entry in enumerate(entries) if is_marked_private(entry)]
        existing = room.get(table, [])
        if not moved or not _is_table_list(existing):
            continue
        target = list(existing)
        for old_index, entry in moved:
            result.moves[(table, old_index)] = (PRIVATE_KEY, table, len(target))
            target.append({k: v for k, v in entry.items() if k != "private"})
        kept = [(i, entry) for i, entry in enumerate(entries) if not is_marked_private(entry)]
        for new_index, (old_index, _) in enumerate(kept):
            if new_index != old_index:
                result.moves[(table, old_index)] = (table, new_index)
        if kept:
            new[table] = [entry for _, entry in kept]
        else:
            del new[table]
        room[table] = target
        count = len(moved)
        noun = _SINGULAR.get(table, "entry") + ("s" if count != 1 else "")
        result.messages.append(
            f"moved {count} {noun} marked private = true from [[{table}]] to [[private.{table}]]"
        )
    if result.messages:
        new[PRIVATE_KEY] = room
    return result


def _start(data: dict[str, Any]) -> tuple[Migration, dict[str, Any]] | None:
    """A migration of ``data`` (holding a copy of it) and a copy of its ``[private]`` table
    to fill; None when ``[private]`` is not a table (nothing can move then)."""
    room = data.get(PRIVATE_KEY, {})
    if not isinstance(room, dict):
        return None
    return Migration(dict(data)), dict(room)


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def move_into_private(data: dict[str, Any], keys: list[str]) -> Migration:
    """Move the top-level ``keys`` of ``data`` into ``[private]`` (a sealed repository keeps
    nothing secret outside it, privacy.md): ``born = ...`` becomes ``private.born``, an
    array of tables joins ``[[private.TABLE]]`` after the entries there. ``data`` is not
    changed; a key is moved only when nothing is lost: one that ``[private]`` holds already
    with another value stays where it is (a message says so), as does everything when
    ``[private]`` is not a table. The messages name the keys, never a value.
    """
    started = _start(data)
    if started is None:
        return Migration(data)
    result, room = started
    new = result.data
    moved: list[str] = []
    for key in keys:
        if key not in data or key == PRIVATE_KEY:
            continue
        value = data[key]
        existing = room.get(key)
        if key in room and _is_table_list(value) and _is_table_list(existing):
            for index in range(len(value)):
                result.moves[(key, index)] = (PRIVATE_KEY, key, len(existing) + index)
            room[key] = [*existing, *value]
        elif key not in room or room[key] == value:
            result.moves[(key,)] = (PRIVATE_KEY, key)
            if isinstance(value, dict):
                for inner in value:
                    result.moves[(key, inner)] = (PRIVATE_KEY, key, inner)
            elif _is_table_list(value):
                for index in range(len(value)):
                    result.moves[(key, index)] = (PRIVATE_KEY, key, index)
            room[key] = value
        else:
            result.messages.append(
                f"left `{key}` at the top level: [private] holds a `{key}` of its own with "
                "another value; keep one (`exilecases private edit ID`), then run this again"
            )
            continue
        del new[key]
        moved.append(key)
    if moved:
        new[PRIVATE_KEY] = room
        names = ", ".join(f"`{key}`" for key in moved)
        result.messages.append(
            f"moved {names} from the top level into [private] (a redaction rule keeps "
            f"{'it' if len(moved) == 1 else 'them'} private, and a sealed repository keeps "
            "nothing private outside the sealed block)"
        )
    return result
