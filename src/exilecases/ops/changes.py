"""The field-level changes between two versions of a case: pure, no git, no files.

A line diff of TOML shows which lines moved; this module says which *fields* changed
(``status: asylum_pending -> deported``, ``events: + 2026-02-02 handover -> handed_over``).
Entries of the arrays of tables are matched by identity (events by date and type, charges by
basis, sources by id, contacts by name), so reordering them is not a change.

``public_changes`` is what every output of the tool shows (commit messages, ``log``,
``diff``, the messages of ``set`` and the ``add`` commands): the changes of the public views
(``privacy.public_view``), then one value-less line per field whose private part changed
(``born: changed (private, not shown)``). ``field_changes`` compares two dicts as they are;
even so it never shows a value of ``[private]`` or of an entry marked ``private = true``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from exilecases.format.fields import ENTRY_TABLES as TABLE_ORDER
from exilecases.format.fields import KEY_ORDER

ChangeKind = Literal["added", "removed", "changed"]

#: Longest value shown in one change line (longer ones end in "…").
MAX_VALUE = 80
#: What ``textconv`` writes instead of a private value.
HIDDEN = "(hidden)"
#: The fields that identify an entry of each array of tables.
IDENTITY: dict[str, tuple[str, ...]] = {
    "events": ("date", "type"),
    "proceedings": ("id",),
    "deadlines": ("due", "type"),
    "charges": ("basis",),
    "sources": ("id",),
    "contacts": ("name",),
}
#: Fields whose values are keys or codes: shown bare, not quoted, when they are one word.
_KEY_FIELDS = frozenset(
    {
        "case",
        "id",
        "status",
        "origin_country",
        "host_country",
        "citizenship",
        "categories",
        "distinct_from",
        "type",
        "outcome",
        "basis",
        "sources",
        "language",
        "confidence",
    }
)
_TOKEN = re.compile(r"^[\w.+-]+\Z")
_SINGULAR = {"events": "event", "charges": "charge", "sources": "source", "contacts": "contact"}
_NO_FIELD_CHANGED = "(no field changed: formatting or comments only)"
_MISSING: Any = object()
#: What a change of private data says instead of its values.
PRIVATE_NOTE = "changed (private, not shown)"


# --- changes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One field-level change between two versions of a case.

    ``field`` names the field: ``status``, ``aliases``, ``events`` (a whole entry added or
    removed; ``old``/``new`` is the entry), ``events[2026-02-02 handover].note`` (a field of a
    matched entry), ``private.notes``. ``note``, when set, is shown instead of the values:
    private values (``old`` and ``new`` are then None) and unreadable versions.
    """

    kind: ChangeKind
    field: str
    old: Any = None
    new: Any = None
    note: str | None = None

    def format(self) -> str:
        """One line: ``status: a -> b``, ``risk: + "..."``, ``categories: - mobilised``."""
        if self.note is not None:
            return f"{self.field}: {self.note}"
        if self.kind == "added":
            return f"{self.field}: + {_show(self.field, self.new)}"
        if self.kind == "removed":
            return f"{self.field}: - {_show(self.field, self.old)}"
        old, new = _show_pair(self.field, self.old, self.new)
        return f"{self.field}: {old} -> {new}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: kind, field, old, new, note and the formatted ``text``."""
        return {
            "kind": self.kind,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "note": self.note,
            "text": self.format(),
        }


def field_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Change]:
    """The field-level changes from case ``old`` to case ``new`` (plain dicts of case files).

    ``None`` stands for a case that does not exist: a created case is one change
    ``case: + <id>`` (compare with ``{}`` instead to list every field as added). Top-level
    fields come first in the canonical key order, then the arrays of tables, then
    ``[private]``.
    """
    if old is None and new is None:
        return []
    if old is None:
        return [Change("added", "case", new=_case_id(new))]
    if new is None:
        return [Change("removed", "case", old=_case_id(old))]
    changes: list[Change] = []
    for key in _top_level_fields(old, new):
        changes.extend(_value_changes(key, old.get(key, _MISSING), new.get(key, _MISSING)))
    for table in TABLE_ORDER:
        changes.extend(_table_changes(table, old.get(table, _MISSING), new.get(table, _MISSING)))
    changes.extend(_private_changes(old.get("private", _MISSING), new.get("private", _MISSING)))
    return changes


def _case_id(case: dict[str, Any] | None) -> str:
    case_id = (case or {}).get("id")
    return case_id if isinstance(case_id, str) else "?"


def _top_level_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Every top-level key except the tables: canonical order, then unknown keys."""
    skip = {*TABLE_ORDER, "private"}
    return [key for key in _ordered_keys(old, new, KEY_ORDER["case"]) if key not in skip]


def _ordered_keys(old: dict[str, Any], new: dict[str, Any], order: Sequence[str]) -> list[str]:
    present = {**dict.fromkeys(new), **dict.fromkeys(old)}
    known = [key for key in order if key in present]
    return (
        known
        + [key for key in new if key not in order]
        + [key for key in old if key not in order and key not in new]
    )


def _kind(old: Any, new: Any) -> ChangeKind:
    if old is _MISSING:
        return "added"
    return "removed" if new is _MISSING else "changed"


def _value_changes(name: str, old: Any, new: Any, hidden: bool = False) -> list[Change]:
    """The changes of one field (a missing side is ``_MISSING``)."""
    if old is new or (old is not _MISSING and new is not _MISSING and old == new):
        return []
    kind = _kind(old, new)
    if hidden:
        return [Change(kind, name, note=kind)]
    if _is_mapping_pair(old, new):
        old_map = {} if old is _MISSING else old
        new_map = {} if new is _MISSING else new
        return _mapping_changes(name, old_map, new_map, ())
    if _is_scalar_list_pair(old, new):
        return _list_changes(name, [] if old is _MISSING else old, [] if new is _MISSING else new)
    return [Change(kind, name, old=None if old is _MISSING else old, new=_or_none(new))]


def _or_none(value: Any) -> Any:
    return None if value is _MISSING else value


def _is_mapping_pair(old: Any, new: Any) -> bool:
    return all(side is _MISSING or isinstance(side, dict) for side in (old, new))


def _is_scalar_list(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, str | int | float | bool) for item in value
    )


def _is_scalar_list_pair(old: Any, new: Any) -> bool:
    return all(side is _MISSING or _is_scalar_list(side) for side in (old, new))


def _mapping_changes(
    prefix: str,
    old: dict[str, Any],
    new: dict[str, Any],
    order: Sequence[str],
    hidden: bool = False,
    visible: frozenset[str] = frozenset(),
) -> list[Change]:
    """The changes of every key of a table, named ``prefix.key``."""
    changes: list[Change] = []
    for key in _ordered_keys(old, new, order):
        changes.extend(
            _value_changes(
                f"{prefix}.{key}",
                old.get(key, _MISSING),
                new.get(key, _MISSING),
                hidden=hidden and key not in visible,
            )
        )
    return changes


def _list_changes(name: str, old: list[Any], new: list[Any]) -> list[Change]:
    """One change per item removed or added; a pure reordering is one ``changed``."""
    old_count, new_count = Counter(map(_hashable, old)), Counter(map(_hashable, new))
    removed, added = old_count - new_count, new_count - old_count
    changes = [Change("removed", name, old=item) for item in _take(old, removed)]
    changes += [Change("added", name, new=item) for item in _take(new, added)]
    if not changes and old != new:
        changes.append(Change("changed", name, old=old, new=new))
    return changes


def _hashable(item: Any) -> Any:
    return (type(item).__name__, item)


def _take(items: list[Any], wanted: Counter) -> list[Any]:
    """The items of ``wanted`` in the order they appear in ``items``."""
    left = Counter(wanted)
    taken = []
    for item in items:
        if left[_hashable(item)] > 0:
            left[_hashable(item)] -= 1
            taken.append(item)
    return taken


def _private_changes(old: Any, new: Any) -> list[Change]:
    """``private.KEY: changed`` for every key that differs, never a value."""
    if not _is_mapping_pair(old, new):
        return _value_changes("private", old, new, hidden=True)
    old_map = {} if old is _MISSING else old
    new_map = {} if new is _MISSING else new
    return _mapping_changes("private", old_map, new_map, (), hidden=True)


# --- arrays of tables ---------------------------------------------------------------------


def _table_changes(table: str, old: Any, new: Any) -> list[Change]:
    """Entries removed, added, and the changed fields of entries found in both versions."""
    if not all(side is _MISSING or isinstance(side, list) for side in (old, new)):
        return _value_changes(table, old, new)
    old_entries = _keyed(table, [] if old is _MISSING else old)
    new_entries = _keyed(table, [] if new is _MISSING else new)
    changes = [
        _entry_change("removed", table, entry)
        for key, (_, entry) in old_entries.items()
        if key not in new_entries
    ]
    for key, (label, entry) in new_entries.items():
        if key not in old_entries:
            changes.append(_entry_change("added", table, entry))
        else:
            changes.extend(_entry_field_changes(table, label, old_entries[key][1], entry))
    return changes


def _keyed(table: str, entries: list[Any]) -> dict[tuple, tuple[str, Any]]:
    """Entries by identity (a repeated identity gets ``#2``, ``#3``), with their labels."""
    return {key: (label, entry) for key, label, entry in _labelled(table, entries)}


def _labelled(table: str, entries: list[Any]) -> Iterator[tuple[tuple, str, Any]]:
    seen: Counter = Counter()
    private_seen = 0
    for entry in entries:
        identity = _identity(table, entry)
        seen[identity] += 1
        label = _identity_label(identity)
        if _is_private_entry(table, entry):
            private_seen += 1
            label = _private_label(table) + (f" {private_seen}" if private_seen > 1 else "")
        elif seen[identity] > 1:
            label += f" #{seen[identity]}"
        yield (*identity, seen[identity]), label, entry


def _identity(table: str, entry: Any) -> tuple:
    if not isinstance(entry, dict):
        return (_compact(entry),)
    return tuple(_identity_part(entry.get(key)) for key in IDENTITY[table])


def _identity_part(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return _compact(value)


def _identity_label(identity: tuple) -> str:
    return " ".join("?" if part is None else " ".join(part.split()) for part in identity)


def _is_private_entry(table: str, entry: Any) -> bool:
    """An entry marked ``private`` (anything but false counts, as in the public export)."""
    return isinstance(entry, dict) and entry.get("private", False) not in (None, False)


def _private_label(table: str) -> str:
    return f"private {_SINGULAR.get(table, 'entry')}"


def _entry_change(kind: ChangeKind, table: str, entry: Any) -> Change:
    if _is_private_entry(table, entry):
        sign = "+" if kind == "added" else "-"
        return Change(kind, table, note=f"{sign} {_private_label(table)}")
    return Change(kind, table, **{"new" if kind == "added" else "old": entry})


def _entry_field_changes(table: str, label: str, old: Any, new: Any) -> list[Change]:
    name = f"{table}[{label}]"
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return _value_changes(name, old, new)
    hidden = _is_private_entry(table, old) or _is_private_entry(table, new)
    return _mapping_changes(
        name, old, new, KEY_ORDER[table], hidden=hidden, visible=frozenset({"private"})
    )


# --- showing values -----------------------------------------------------------------------


def _leaf(name: str) -> str:
    """The field's own key: ``note`` of ``events[2026-02-02 handover].note``."""
    tail = name.rsplit("]", 1)[-1]
    return tail.rsplit(".", 1)[-1] if tail else name.split("[", 1)[0]


def _show(name: str, value: Any, limit: int = MAX_VALUE) -> str:
    """A value as one short line: keys bare, text in quotes, entries in words."""
    if isinstance(value, dict) and name in IDENTITY:
        return _shorten(describe_entry(name, value), limit)
    if isinstance(value, str):
        return _show_text(_leaf(name), _one_line(value), limit)
    if isinstance(value, list):
        return _shorten("[" + ", ".join(_show(name, item, limit) for item in value) + "]", limit)
    return _shorten(_scalar_text(value), limit)


def _show_text(leaf: str, text: str, limit: int) -> str:
    if leaf in _KEY_FIELDS and _TOKEN.match(text) and len(text) <= limit:
        return text
    return json.dumps(_shorten(text, limit), ensure_ascii=False)


def _show_pair(name: str, old: Any, new: Any) -> tuple[str, str]:
    """Both values of a change; two long texts are cut near their first difference."""
    if not (isinstance(old, str) and isinstance(new, str)):
        return _show(name, old), _show(name, new)
    old_line, new_line = _one_line(old), _one_line(new)
    if max(len(old_line), len(new_line)) <= MAX_VALUE:
        return _show(name, old_line), _show(name, new_line)
    same = next(
        (i for i, (a, b) in enumerate(zip(old_line, new_line, strict=False)) if a != b),
        min(len(old_line), len(new_line)),
    )
    start = max(0, same - MAX_VALUE // 4) if same > MAX_VALUE // 2 else 0
    leaf = _leaf(name)
    return _show_text(leaf, _window(old_line, start), MAX_VALUE), _show_text(
        leaf, _window(new_line, start), MAX_VALUE
    )


def _window(text: str, start: int) -> str:
    return ("…" + text[start:]) if start else text


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _shorten(text: str, limit: int = MAX_VALUE) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _scalar_text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value
    return _compact(value)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def describe_entry(table: str, entry: dict[str, Any]) -> str:
    """An entry of an array of tables in words: ``2026-02-02 handover -> handed_over
    (Priozersk)``, ``RU-CC-338``, ``meduza-ro-2026-02-22``, ``Artur Alkhastov (lawyer)``.

    An entry marked private is ``private contact`` (``private event``, ...), whatever it holds.
    """
    if _is_private_entry(table, entry):
        return _private_label(table)
    text = _identity_label(_identity(table, entry))
    if table == "events":
        if isinstance(entry.get("outcome"), str):
            text += f" -> {entry['outcome']}"
        if isinstance(entry.get("place"), str):
            text += f" ({_shorten(_one_line(entry['place']), 40)})"
    elif table == "contacts" and isinstance(entry.get("role"), str):
        text += f" ({_shorten(_one_line(entry['role']), 40)})"
    return text


def render_changes(changes: Sequence[Change]) -> list[str]:
    """One line per change."""
    return [change.format() for change in changes]


def public_changes(
    old: dict[str, Any] | None, new: dict[str, Any] | None, vocabulary: Any = None
) -> list[Change]:
    """The changes from ``old`` to ``new`` that any output may show: those of their public
    views, then ``FIELD: changed (private, not shown)`` for each top-level field whose
    private part changed (``born``, ``private``, ``events`` when a private event or a
    private field of an event changed). ``None`` stands for a case that does not exist."""
    from exilecases.format.privacy import private_part, public_view

    if old is None or new is None:
        return field_changes(old, new)
    changes = field_changes(public_view(old, vocabulary), public_view(new, vocabulary))
    old_rest, new_rest = private_part(old, vocabulary), private_part(new, vocabulary)
    for key in _ordered_keys(old_rest, new_rest, [*KEY_ORDER["case"]]):
        if old_rest.get(key, _MISSING) != new_rest.get(key, _MISSING):
            changes.append(Change("changed", key, note=PRIVATE_NOTE))
    return changes
