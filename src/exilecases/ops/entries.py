"""Edits of the entries of a case file and of its ``[private]`` table, comments kept.

``edit.py`` sets top-level fields and appends entries; this module does the rest of what a
caseworker would otherwise do by hand in the TOML: set or clear keys of one entry
(``event edit``, ``charge edit``, citing a source), remove one entry (``event remove``,
``charge remove``, ``source remove``), set a key of ``[private]`` (``set ID private.KEY``)
and append a ``[[private.TABLE]]`` entry (``event add --private``). Each function returns a
``store.write.Update``: the new text, changing only the lines it must, and the data that
text must parse to, which the one write path checks before it writes anything.

Entries are numbered as ``show`` numbers them: ``3`` is the third ``[[events]]`` entry of
the file, ``p1`` the first ``[[private.events]]`` one.
"""

from __future__ import annotations

import copy
import re
import tomllib
from dataclasses import dataclass
from typing import Any

from exilecases.errors import ExilecasesError
from exilecases.format.canonical import table_pairs
from exilecases.format.fields import ENTRY_TABLES, KEY_ORDER, PRIVATE_TABLES
from exilecases.format.scan import Scanner, Statement
from exilecases.ops.edit import (
    _block_start,
    _end_with_detached,
    _ending,
    _insert_after,
    _load,
    _newline,
    _pair_lines,
    _split_lines,
)
from exilecases.store.write import Update

#: What one entry of each table is called in messages.
SINGULAR = {
    "events": "event",
    "charges": "charge",
    "sources": "source",
    "contacts": "contact",
    "proceedings": "proceeding",
    "deadlines": "deadline",
}
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")


# --- numbers as show prints them ---------------------------------------------------------


@dataclass(frozen=True)
class EntryRef:
    """One entry of a table: where it lives (``("events",)`` or ``("private", "events")``),
    its 0-based index there, and the number the user typed (``3``, ``p1``)."""

    where: tuple[str, ...]
    index: int
    number: str

    @property
    def table(self) -> str:
        """The table's own name: ``events`` for both ``[[events]]`` and its private room."""
        return self.where[-1]

    @property
    def private(self) -> bool:
        """True for an entry of ``[private]``."""
        return self.where[0] == "private"

    def label(self) -> str:
        """``event 3``, ``private event p1``."""
        noun = SINGULAR.get(self.table, "entry")
        return f"private {noun} {self.number}" if self.private else f"{noun} {self.number}"


def parse_number(number: str, table: str) -> EntryRef:
    """``"3"`` -> the third entry of ``[[table]]``; ``"p1"`` -> the first of
    ``[[private.table]]``. Raises ``ExilecasesError`` (usage) for anything else."""
    text = number.strip().lower()
    where: tuple[str, ...] = (table,)
    if text.startswith("p") and table in PRIVATE_TABLES:
        where, text = ("private", table), text[1:]
    if not text.isdigit() or int(text) < 1 or len(text) > 9:
        private = ", and p1, p2, ... for private ones" if table in PRIVATE_TABLES else ""
        raise ExilecasesError(
            f"{number!r} is not {_a(SINGULAR[table])} number; show numbers them 1, 2, ...{private}",
            2,
        )
    return EntryRef(where, int(text) - 1, f"p{text}" if where[0] == "private" else text)


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def entries_of(data: dict[str, Any], where: tuple[str, ...]) -> list[Any]:
    """The entries at ``where`` in a case's data (an empty list when there are none)."""
    value: Any = data
    for part in where:
        value = value.get(part) if isinstance(value, dict) else None
    return value if isinstance(value, list) else []


def entry_at(data: dict[str, Any], ref: EntryRef, case_id: str) -> dict[str, Any]:
    """The entry ``ref`` names; ``ExilecasesError`` saying how many there are when it does
    not exist."""
    entries = entries_of(data, ref.where)
    if ref.index >= len(entries) or not isinstance(entries[ref.index], dict):
        noun = SINGULAR[ref.table]
        kind = f"private {noun}" if ref.private else noun
        count = len(entries)
        raise ExilecasesError(
            f"{case_id} has no {kind} {ref.number} (it has {count} {kind}"
            f"{'s' * (count != 1)}); `exilecases show {case_id}` numbers them"
        )
    return entries[ref.index]


def source_ref(data: dict[str, Any], source_id: str, case_id: str) -> EntryRef:
    """The ``[[sources]]`` or ``[[private.sources]]`` entry with this id."""
    for where in (("sources",), ("private", "sources")):
        for index, entry in enumerate(entries_of(data, where)):
            if isinstance(entry, dict) and entry.get("id") == source_id:
                prefix = "p" if where[0] == "private" else ""
                return EntryRef(where, index, f"{prefix}{index + 1}")
    known = [
        str(entry.get("id"))
        for where in (("sources",), ("private", "sources"))
        for entry in entries_of(data, where)
        if isinstance(entry, dict) and isinstance(entry.get("id"), str)
    ]
    listed = ", ".join(known) if known else "none"
    raise ExilecasesError(f"{case_id} has no source {source_id!r} (its sources: {listed})")


def citing(data: dict[str, Any], source_id: str) -> list[tuple[EntryRef, dict[str, Any]]]:
    """Every entry (public or private, of every table) whose ``sources`` cite
    ``source_id``, in table order."""
    found = []
    for table in ENTRY_TABLES:
        for where in ((table,), ("private", table)):
            for index, entry in enumerate(entries_of(data, where)):
                cited = entry.get("sources") if isinstance(entry, dict) else None
                if isinstance(cited, list) and source_id in cited:
                    prefix = "p" if where[0] == "private" else ""
                    found.append((EntryRef(where, index, f"{prefix}{index + 1}"), entry))
    return found


def describe(ref: EntryRef, entry: dict[str, Any]) -> str:
    """The entry in words for a message: ``event 3 (2026-02-02 handover -> handed_over)``;
    a private entry shows no value (``private event p1``): messages are never private."""
    from exilecases.ops.changes import describe_entry

    if ref.private:
        return ref.label()
    return f"{ref.label()} ({describe_entry(ref.table, entry)})"


def latest_outcome(data: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
    """The public event whose outcome the status follows (the rule of ``W102``): the latest
    by date of the dated ``[[events]]`` with an outcome, the later in the file on a tie;
    None when there is none. Private events never count (privacy.md, Rule 1)."""
    from exilecases.format.dates import sort_key_or_last
    from exilecases.format.privacy import is_marked_private

    best: tuple[Any, int, dict[str, Any]] | None = None
    for index, event in enumerate(entries_of(data, ("events",))):
        if not isinstance(event, dict) or is_marked_private(event):
            continue
        if not isinstance(event.get("outcome"), str):
            continue
        key = sort_key_or_last(event.get("date"))
        if key[0] != 0:
            continue
        if best is None or (key, index) >= (best[0], best[1]):
            best = (key, index, event)
    return None if best is None else (best[1], best[2])


# --- editing one entry ---------------------------------------------------------------------


def _header(statements: list[Statement], ref: EntryRef) -> Statement:
    prefix = (*ref.where, ref.index)
    header = next((s for s in statements if s.kind == "array" and s.path == prefix), None)
    if header is None:
        raise ExilecasesError(
            f"{'.'.join(ref.where)} is written as an inline array; run `exilecases fmt` first",
            1,
        )
    return header


def set_entry_update(
    text: str, ref: EntryRef, changes: dict[str, Any], case_id: str = "the case"
) -> Update:
    """The case text with keys of one entry set (a value of ``None`` removes the key), only
    the changed lines changed. A new key goes after the nearest key before it in canonical
    order (right under the header when there is none); a changed key keeps its trailing
    comment. Raises ``ExilecasesError`` when the entry does not exist or is written inline."""
    data = _load(text)
    entry = entry_at(data, ref, case_id)
    statements = Scanner(text).statements()
    header = _header(statements, ref)
    prefix = (*ref.where, ref.index)
    order = KEY_ORDER.get(ref.table, [])
    newline = _newline(text)
    lines = _split_lines(text)
    own = [s for s in statements if s.kind == "pair" and s.path[:-1] == prefix]
    edits: list[tuple[int, int, list[str]]] = []  # (first, last, new lines): last < first inserts
    for key, value in changes.items():
        current = next((s for s in own if s.path[-1] == key), None)
        if current is not None:
            if value is None:
                kept = current.inner + ([current.comment] if current.comment else [])
                edits.append((current.first, current.last, [k + newline for k in kept]))
            else:
                edits.append(
                    (current.first, current.last, _pair_lines(key, value, current, newline))
                )
        elif value is not None:
            before = order[: order.index(key)] if key in order else order
            earlier = [s for s in own if s.path[-1] in before]
            anchor = earlier[-1] if earlier else header
            edits.append((anchor.last + 1, anchor.last, _pair_lines(key, value, None, newline)))
    # From the last line up, so that the line numbers of earlier edits stay true.
    ordered = sorted(enumerate(edits), key=lambda item: (item[1][0], item[0]), reverse=True)
    for _, (first, last, new) in ordered:
        if first > last and 0 <= last < len(lines) and not _ending(lines[last]):
            lines[last] += newline
        lines[first : last + 1] = new
    expected = copy.deepcopy(data)
    target = entries_of(expected, ref.where)
    target[ref.index] = {k: v for k, v in {**entry, **changes}.items() if v is not None}
    return Update("".join(lines), expected, before=data)


def remove_entry_update(text: str, ref: EntryRef, case_id: str = "the case") -> Update:
    """The case text without one entry: its header, its keys, the comments right above it
    and those below it before a blank line (the rules of ``edit.format_text``); one blank
    line is left between what came before and what follows. Raises ``ExilecasesError`` when
    the entry does not exist or is written inline."""
    data = _load(text)
    entry_at(data, ref, case_id)
    statements = Scanner(text).statements()
    header = _header(statements, ref)
    prefix = (*ref.where, ref.index)
    inside = [s for s in statements if s.real and s.path[: len(prefix)] == prefix]
    start = _block_start(statements, header)
    end = _end_with_detached(statements, inside[-1])
    lines = _split_lines(text)
    del lines[start : end + 1]
    # Keep one blank line between the neighbours, none at the end of the file.
    after_blank = start >= len(lines) or not lines[start].strip()
    if start > 0 and not lines[start - 1].strip() and after_blank:
        del lines[start - 1]
    if lines and start >= len(lines) and not _ending(lines[-1]):
        lines[-1] += _newline(text)
    expected = copy.deepcopy(data)
    target = entries_of(expected, ref.where)
    del target[ref.index]
    has_header = any(s.kind == "table" and s.path == ("private",) for s in statements)
    _drop_empty(expected, ref.where, has_header)
    return Update("".join(lines), expected, before=data)


def _drop_empty(data: dict[str, Any], where: tuple[str, ...], private_header: bool) -> None:
    """The data without the table that lost its last entry (the text has no header for it
    any more), and without an emptied ``[private]`` that had no header of its own."""
    parent: Any = data
    for part in where[:-1]:
        parent = parent[part]
    if parent.get(where[-1]) == []:
        del parent[where[-1]]
    if where[0] == "private" and data.get("private") == {} and not private_header:
        del data["private"]


# --- [private] --------------------------------------------------------------------------------


def check_private_key(key: str) -> None:
    """Refuse a key ``set ID private.KEY`` cannot set, saying what to do instead."""
    if key in PRIVATE_TABLES:
        raise ExilecasesError(
            f"private.{key} is a table of entries, not a field: add one with "
            f"`exilecases {SINGULAR.get(key, key.rstrip('s'))} add ID ... --private`",
            2,
        )
    if not _BARE_KEY.match(key):
        raise ExilecasesError(
            f"{key!r} cannot be a key of [private]: use letters, digits, _ and - "
            "(e.g. private.notes, private.phone)",
            2,
        )


def set_private_update(text: str, key: str, value: str | None) -> Update:
    """The case text with ``key = value`` set in ``[private]`` (``None`` removes the key),
    changing only that key's line. A new key goes after the last key of ``[private]``; a
    file without ``[private]`` gets one, before its ``[[private.TABLE]]`` entries or at the
    end. Raises ``ExilecasesError`` for a key that is a private table or not a bare key,
    and for a ``[private]`` written inline."""
    check_private_key(key)
    data = _load(text)
    room = data.get("private", {})
    if not isinstance(room, dict):
        raise ExilecasesError("private is not a table in this file; fix it by hand first", 1)
    if room.get(key) == value or (value is None and key not in room):
        return Update(text, data, before=data)
    statements = Scanner(text).statements()
    newline = _newline(text)
    lines = _split_lines(text)
    header = next((s for s in statements if s.kind == "table" and s.path == ("private",)), None)
    pairs = [s for s in statements if s.kind == "pair" and s.table == ("private",)]
    current = next((s for s in pairs if s.path == ("private", key)), None)
    # ``private.notes = ...`` at the top, or ``private = {...}``: no header to edit under.
    inline = any(
        s.kind == "pair" and s.path[:1] == ("private",) and s.table[:1] != ("private",)
        for s in statements
    )
    if header is None and inline:
        raise ExilecasesError(
            "[private] is written inline or with dotted keys in this file; run "
            "`exilecases fmt` first",
            1,
        )
    if current is not None:
        if value is None:
            kept = current.inner + ([current.comment] if current.comment else [])
            new = [line + newline for line in kept]
        else:
            new = _pair_lines(key, value, current, newline)
        ending = _ending(lines[current.last])
        if new:
            new[-1] = new[-1][: -len(newline)] + ending
        lines[current.first : current.last + 1] = new
    elif value is not None:
        new = _pair_lines(key, value, None, newline)
        if header is not None:
            _insert_after(lines, (pairs[-1] if pairs else header).last, new)
        else:
            block = [f"[private]{newline}", *new]
            arrays = [s for s in statements if s.kind == "array" and s.path[:1] == ("private",)]
            if arrays:
                start = _block_start(statements, arrays[0])
                lines[start:start] = [*block, newline]
            else:
                real = [s for s in statements if s.real]
                last = real[-1].last if real else len(lines) - 1
                _insert_after(lines, last, [newline, *block] if lines else block, separate=True)
    expected = copy.deepcopy(data)
    new_room = expected.setdefault("private", {})
    if value is None:
        del new_room[key]
        if not new_room and header is None:
            del expected["private"]
    else:
        new_room[key] = value
    return Update("".join(lines), expected, before=data)


def add_private_entry_update(text: str, table: str, entry: dict[str, Any]) -> Update:
    """The case text with one ``[[private.TABLE]]`` entry appended after the last one (or at
    the end of the file, where ``[private]`` belongs), every other line unchanged; keys with
    the value ``None`` are left out. Raises ``ExilecasesError`` (usage) for a table that has
    no private room or a missing required key."""
    if table not in PRIVATE_TABLES:
        raise ExilecasesError(
            f"[private] has no {table}; private tables: {', '.join(PRIVATE_TABLES)}", 2
        )
    entry = {key: value for key, value in entry.items() if value is not None}
    missing = [key for key in required_keys(table) if key not in entry]
    if missing:
        raise ExilecasesError(f"{_a(SINGULAR[table])} needs {', '.join(missing)}", 2)
    data = _load(text)
    room = data.get("private", {})
    if not isinstance(room, dict):
        raise ExilecasesError("private is not a table in this file; fix it by hand first", 1)
    statements = Scanner(text).statements()
    own = [s for s in statements if s.real and s.path[:2] == ("private", table)]
    if table in room and not any(s.kind == "array" for s in own):
        raise ExilecasesError(
            f"private.{table} is written as an inline array; run `exilecases fmt` first", 1
        )
    body = "".join(line + "\n" for line in table_pairs(entry, KEY_ORDER[table]))
    block = f"[[private.{table}]]\n{body}"
    newline = _newline(text)
    new = [line + newline for line in block.split("\n")[:-1]]
    lines = _split_lines(text)
    if own:
        _insert_after(lines, _end_with_detached(statements, own[-1]), [newline, *new], True)
    else:
        real = [s for s in statements if s.real]
        last = real[-1].last if real else len(lines) - 1
        _insert_after(lines, last, [newline, *new] if lines else new, separate=True)
    expected = copy.deepcopy(data)
    new_room = expected.setdefault("private", {})
    new_room[table] = [*new_room.get(table, []), tomllib.loads(body)]
    return Update("".join(lines), expected, before=data)


# --- the changes of the commands (transforms for ``update.edit_case``) ---------------------


def required_keys(table: str) -> list[str]:
    """The keys every entry of ``table`` must have (``date`` and ``type`` for events)."""
    from exilecases.format.model import TABLE_MODELS

    model = TABLE_MODELS[table]
    return [key for key, info in model.model_fields.items() if info.is_required()]


@dataclass
class EditEntry:
    """The change of ``event edit`` / ``charge edit``: set keys of entry ``ref`` (a value of
    ``""`` or ``None`` removes an optional key), cite the sources of ``cite`` and stop citing
    those of ``uncite``. Applied to the text on disk when the write path calls it; after
    that, ``entry`` is the entry as written."""

    ref: EntryRef
    case_id: str
    fields: dict[str, Any]
    cite: list[str]
    uncite: list[str]
    entry: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        for key, value in self.fields.items():
            if value in ("", None) and key in required_keys(self.ref.table):
                raise ExilecasesError(f"{_a(SINGULAR[self.ref.table])} needs its {key}", 2)
        both = sorted(set(self.cite) & set(self.uncite))
        if both:
            raise ExilecasesError(f"{', '.join(both)}: cite a source or drop it, not both", 2)
        if not (self.fields or self.cite or self.uncite):
            raise ExilecasesError(f"nothing to change in {self.ref.label()}: give a field", 2)

    def __call__(self, text: str) -> Update:
        entry = entry_at(_load(text), self.ref, self.case_id)
        changes = {k: (None if v == "" else v) for k, v in self.fields.items()}
        if self.cite or self.uncite:
            cited = entry.get("sources", [])
            if not isinstance(cited, list):
                raise ExilecasesError(
                    f"{self.ref.label()}: sources is not a list in the file; fix it by hand", 1
                )
            missing = [s for s in self.uncite if s not in cited]
            if missing:
                listed = ", ".join(map(str, cited)) or "none"
                raise ExilecasesError(
                    f"{self.ref.label()} does not cite {', '.join(missing)} (it cites {listed})",
                    2,
                )
            wanted = [*cited, *(s for s in dict.fromkeys(self.cite) if s not in cited)]
            changes["sources"] = [s for s in wanted if s not in self.uncite] or None
        update = set_entry_update(text, self.ref, changes, self.case_id)
        self.entry = entries_of(update.data, self.ref.where)[self.ref.index]
        return update


@dataclass
class RemoveEntry:
    """The change of ``event remove`` / ``charge remove``: remove entry ``ref``. After the
    write path called it, ``entry`` is the entry removed."""

    ref: EntryRef
    case_id: str
    entry: dict[str, Any] | None = None

    def __call__(self, text: str) -> Update:
        self.entry = entry_at(_load(text), self.ref, self.case_id)
        return remove_entry_update(text, self.ref, self.case_id)


@dataclass
class RemoveSource:
    """The change of ``source remove``: remove the source with id ``source_id``, refused
    while an entry cites it (naming each one and how to drop its citation)."""

    source_id: str
    case_id: str
    ref: EntryRef | None = None

    def __call__(self, text: str) -> Update:
        data = _load(text)
        self.ref = source_ref(data, self.source_id, self.case_id)
        cited_by = citing(data, self.source_id)
        if cited_by:
            first, _ = cited_by[0]
            command = f"exilecases {SINGULAR[first.table]} edit {self.case_id} {first.number}"
            names = ", ".join(describe(ref, entry) for ref, entry in cited_by)
            raise ExilecasesError(
                f"source {self.source_id!r} is still cited by {names}; nothing was removed. "
                f"Drop each citation first (`{command} --drop-source {self.source_id}`), "
                "then remove the source",
                1,
            )
        return remove_entry_update(text, self.ref, self.case_id)


@dataclass
class AddEvent:
    """The change of ``event add``: append the event (to ``[[private.events]]`` when
    ``private``) and, when it is a public event with an outcome that is now the latest such
    event by date, set ``status`` to that outcome too, unless ``keep_status``.

    After the write path called it: ``status`` is ``(old, new)`` when the status changed,
    ``latest`` the public event the status follows when this one is not it."""

    entry: dict[str, Any]
    private: bool = False
    keep_status: bool = False
    status: tuple[str, str] | None = None
    would_change: tuple[str, str] | None = None
    latest: dict[str, Any] | None = None

    def __call__(self, text: str) -> Update:
        from exilecases.ops.edit import add_entry_update, set_field_update

        self.status = self.would_change = self.latest = None
        if self.private:
            return add_private_entry_update(text, "events", self.entry)
        update = add_entry_update(text, "events", self.entry)
        outcome = self.entry.get("outcome")
        if not isinstance(outcome, str):
            return update
        found = latest_outcome(update.data)
        count = len(entries_of(update.data, ("events",)))
        if found is None or found[0] != count - 1:
            self.latest = found[1] if found else None
            return update
        old = update.data.get("status")
        if old == outcome or not isinstance(old, str):
            return update
        if self.keep_status:
            self.would_change = (old, outcome)
            return update
        self.status = (old, outcome)
        combined = set_field_update(update.text, "status", [outcome])
        combined.before = update.before
        return combined
