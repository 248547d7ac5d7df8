"""Edits of case files that keep every comment: format, set a field, add a table entry.

People edit case files by hand and review them in ``git diff``, so the tool edits text, not
data: ``set_field`` and ``add_entry`` change only the lines they must, and ``format_text``
rewrites a file in the canonical form of ``canonical.py`` while every comment moves with the
key or table it belongs to.

How comments belong (the rules ``format_text`` applies):

- a comment after a value or a table header stays on that line;
- comment lines directly above a key or table header (no blank line between) move with it;
- comment lines inside a multi-line array go above the key of the array;
- a comment block followed by a blank line stays below the key it follows, or at the end
  of the table when a table header comes next;
- comment blocks at the top of the file, separated by a blank line from what follows, stay
  at the top; comments after the last key stay at the end.

The text is scanned line by line here only to find where statements and comments are; the
data always comes from ``tomllib`` and is written by ``canonical.py``.
"""

from __future__ import annotations

import difflib
import itertools
import tomllib
from dataclasses import dataclass, field
from typing import Any, get_origin

from exilecases.errors import ExilecasesError
from exilecases.format.canonical import (
    TABLE_ORDER,
    canonical_text,
    format_pair,
    sub_tables,
    table_pairs,
)
from exilecases.format.model import KEY_ORDER, REQUIRED_FIELDS, TABLE_MODELS, Case
from exilecases.format.scan import Path, Scanner, Statement
from exilecases.store.write import Update

#: Top-level fields that are tables, not values: edited with ``add_entry`` or by hand.
TABLE_FIELDS = (*TABLE_MODELS, "private")
#: Top-level fields that hold a list of strings.
LIST_FIELDS = tuple(
    name
    for name, info in Case.model_fields.items()
    if name not in TABLE_FIELDS and get_origin(info.annotation) is list
)
_HEADER_KINDS = ("table", "array")


# --- scanning: where each statement and comment of a TOML text is -----------------------


def _scan(text: str) -> list[Statement]:
    return Scanner(text).statements()


def _load(text: str) -> dict[str, Any]:
    """The data of a case text; ``ExilecasesError`` when it is not valid TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ExilecasesError(f"not valid TOML: {error}; fix the file by hand first") from None


# --- where comments belong ---------------------------------------------------------------


@dataclass
class _Notes:
    """The comments that belong to one statement."""

    above: list[str] = field(default_factory=list)
    trailing: tuple[str, str, str] | None = None  # (code, gap, comment) as written
    after: list[str] = field(default_factory=list)

    def merge(self, other: _Notes) -> None:
        """Add another statement's comments (when its own statement is gone)."""
        self.above.extend(other.above)
        if other.trailing and self.trailing:
            self.above.append(other.trailing[2])
        elif other.trailing:
            self.trailing = other.trailing
        self.after.extend(other.after)


@dataclass
class _Comments:
    """Every comment of a text, by the statement it belongs to."""

    top: list[str] = field(default_factory=list)
    notes: dict[Path, _Notes] = field(default_factory=dict)
    tails: dict[Path, list[str]] = field(default_factory=dict)  # at the end of a table
    end: list[str] = field(default_factory=list)
    blank_before_end: bool = False


def _split_region(region: list[Statement]) -> tuple[list[str], list[str]]:
    """Comment lines between two statements: (detached ones, the block right above the next).

    The block right above is the run of comment lines with no blank line below it.
    """
    attached: list[str] = []
    for statement in reversed(region):
        if statement.kind != "comment":
            break
        attached.insert(0, statement.code)
    detached = [s.code for s in region[: len(region) - len(attached)] if s.kind == "comment"]
    return detached, attached


def _paragraphs(region: list[Statement]) -> list[str]:
    """Comment lines of a region with at most one blank line between them."""
    lines: list[str] = []
    for statement in region:
        if statement.kind == "comment":
            lines.append(statement.code)
        elif lines and lines[-1] != "":
            lines.append("")
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def _collect(statements: list[Statement]) -> _Comments:
    """Assign every comment of a scanned text to a statement, the top or the end."""
    real = [i for i, s in enumerate(statements) if s.real]
    if not real:
        return _Comments(top=_paragraphs(statements))
    comments = _Comments()
    for index in real:
        statement = statements[index]
        notes = comments.notes.setdefault(statement.path, _Notes())
        if statement.comment:
            notes.trailing = (statement.code, statement.gap, statement.comment)
    lead = statements[: real[0]]
    _, attached = _split_region(lead)
    comments.top = _paragraphs(lead[: len(lead) - len(attached)])
    comments.notes[statements[real[0]].path].above.extend(attached)
    for before, after in itertools.pairwise(real):
        detached, attached = _split_region(statements[before + 1 : after])
        if statements[after].kind in _HEADER_KINDS:
            comments.tails.setdefault(statements[before].table, []).extend(detached)
        else:
            comments.notes[statements[before].path].after.extend(detached)
        comments.notes[statements[after].path].above.extend(attached)
    for index in real:
        comments.notes[statements[index].path].above.extend(statements[index].inner)
    tail = statements[real[-1] + 1 :]
    comments.end = _paragraphs(tail)
    comments.blank_before_end = bool(comments.end) and tail[0].kind == "blank"
    return comments


def _target(path: Path, present: list[Path]) -> Path | None:
    """The output statement that takes the comments of ``path``: itself, else the first one
    inside it (an inline array written as tables), else the nearest one around it."""
    if path in present:
        return path
    for candidate in present:
        if candidate[: len(path)] == path:
            return candidate
    for length in range(len(path) - 1, 0, -1):
        if path[:length] in present:
            return path[:length]
    return None


def _relocate(comments: _Comments, present: list[Path]) -> dict[Path, _Notes]:
    """The notes by output statement; comments of vanished statements go to the end."""
    placed: dict[Path, _Notes] = {}
    for path, notes in comments.notes.items():
        target = _target(path, present)
        if target is None:
            trailing = [notes.trailing[2]] if notes.trailing else []
            comments.end.extend(notes.above + trailing + notes.after)
        else:
            placed.setdefault(target, _Notes()).merge(notes)
    return placed


def _with_comment(code: str, trailing: tuple[str, str, str]) -> str:
    """``code`` followed by a trailing comment, keeping the comment's column when it was
    aligned (more than two blanks before it), else the blanks as written."""
    old_code, gap, comment = trailing
    if len(gap) > 2 and "\t" not in gap:
        gap = " " * max(len(old_code) + len(gap) - len(code), 2)
    return f"{code}{gap or ' '}{comment}"


# --- format ------------------------------------------------------------------------------


def format_text(
    text: str, data: dict[str, Any] | None = None, moves: dict[Path, Path] | None = None
) -> str:
    """The canonical form of a case text, with every comment kept.

    Keys and tables are ordered and values written exactly as ``canonical_text`` does (for a
    text without comments the result is ``canonical_text(tomllib.loads(text))``); comments
    move with the key or table they belong to (see the module docstring). Idempotent.
    Raises ``ExilecasesError`` when the text is not valid TOML.

    ``data`` (with ``moves``, from ``migrate.migrate_private``) writes other data than the
    text holds: the comments of an entry that moved go to its new place.
    """
    if data is None:
        data = _load(text)
    comments = _collect(_scan(text))
    if moves:
        _move_comments(comments, moves)
    canonical = canonical_text(data)
    output = _scan(canonical)
    placed = _relocate(comments, [s.path for s in output if s.real])
    tails = _tails(comments, output)
    source = canonical.split("\n")
    lines: list[str] = []
    if comments.top:
        lines.extend([*comments.top, ""] if output else comments.top)
    for index, statement in enumerate(output):
        lines.extend(_render(statement, source, placed.get(statement.path)))
        lines.extend(tails.get(index, []))
    if comments.end:
        lines.extend(["", *comments.end] if comments.blank_before_end and lines else comments.end)
    return "".join(line + "\n" for line in lines)


def _move_comments(comments: _Comments, moves: dict[Path, Path]) -> None:
    """Re-key the comments of entries that moved (``(TABLE, i)`` -> their new path)."""

    def moved(path: Path) -> Path:
        target = moves.get(path[:2])
        return path if target is None else (*target, *path[2:])

    comments.notes = {moved(path): notes for path, notes in comments.notes.items()}
    comments.tails = {moved(path): lines for path, lines in comments.tails.items()}


def migrate_and_format(text: str) -> tuple[str, list[str]]:
    """``format_text`` after ``migrate.migrate_private``: the new text and what moved where.
    Raises ``ExilecasesError`` when the text is not valid TOML."""
    from exilecases.format.migrate import migrate_private

    migration = migrate_private(_load(text))
    if not migration.messages:
        return format_text(text), []
    return format_text(text, migration.data, migration.moves), migration.messages


def _tails(comments: _Comments, output: list[Statement]) -> dict[int, list[str]]:
    """The comments at the end of each table, by the output statement they follow (the
    table's last one); those of a table no longer written go to the end of the file."""
    last = {s.table: i for i, s in enumerate(output) if s.real}
    tails: dict[int, list[str]] = {}
    for table, lines in comments.tails.items():
        if table in last:
            tails.setdefault(last[table], []).extend(lines)
        else:
            comments.end.extend(lines)
    return tails


def _render(statement: Statement, source: list[str], notes: _Notes | None) -> list[str]:
    """The lines of one statement of the canonical text, with its comments."""
    if statement.kind == "blank":
        return [""]
    lines = source[statement.first : statement.last + 1]
    if notes is None:
        return lines
    if notes.trailing:
        lines[-1] = _with_comment(lines[-1], notes.trailing)
    return [*notes.above, *lines, *notes.after]


# --- set a field -------------------------------------------------------------------------


def set_field(
    text: str, field: str, values: list[str], *, add: bool = False, remove: bool = False
) -> str:
    """The case text with one top-level field set (see ``set_field_update``), checked to
    hold exactly the intended data."""
    update = set_field_update(text, field, values, add=add, remove=remove)
    _verify(update.text, update.data)
    return update.text


def set_field_update(
    text: str, field: str, values: list[str], *, add: bool = False, remove: bool = False
) -> Update:
    """The change of ``set``: the case text with one top-level field set, changing only that
    field's lines, and the data it must parse to (for ``store/write``).

    A scalar field takes exactly one value; an empty value removes an optional field. A list
    field (``aliases``, ``citizenship``, ``categories``, ``distinct_from``) takes the values
    as the new list, or with ``add`` appends those not there yet, with ``remove`` removes
    them; a list left empty removes the field. A new field goes to its canonical place,
    after the nearest known field before it. The trailing comment of the changed line is
    kept; every other line is unchanged.

    ``private.KEY`` sets one text value of ``[private]`` (``entries.set_private_update``).

    Raises ``ExilecasesError`` (exit code 2) for unknown fields, tables, ``id``, several
    values for a scalar field, ``add``/``remove`` on a scalar field or both at once, and an
    empty value for a required field.
    """
    if field.startswith("private."):
        return _set_private(text, field.removeprefix("private."), values, add, remove)
    _check_request(field, values, add, remove)
    data = _load(text)
    new = _new_value(data, field, values, add, remove)
    if new == data.get(field) or (new is None and field not in data):
        return Update(text, data, before=data)
    statements = Scanner(text).statements(top_level=True)  # the tables need no scan
    lines = _split_lines(text)
    newline = _newline(text)
    current = _top_level_pair(statements, field)
    if current is not None:
        _replace_pair(lines, current, field, new, newline)
    else:
        _insert_pair(lines, statements, field, new, newline)
    expected = {key: value for key, value in data.items() if key != field}
    if new is not None:
        expected[field] = new
    return Update("".join(lines), expected, before=data)


def _set_private(text: str, key: str, values: list[str], add: bool, remove: bool) -> Update:
    """``set ID private.KEY VALUE``: one text value in ``[private]`` (empty: removed)."""
    from exilecases.ops.entries import set_private_update

    if add or remove:
        raise ExilecasesError("--add and --remove work on the list fields, not on private.KEY", 2)
    if len(values) != 1:
        raise ExilecasesError(
            f"private.{key} holds one value, got {len(values)}; quote a value with spaces", 2
        )
    return set_private_update(text, key, values[0] or None)


def _check_request(field: str, values: list[str], add: bool, remove: bool) -> None:
    """Refuse what ``set_field`` cannot do, saying what to do instead."""
    if field == "id":
        raise ExilecasesError(
            "the id is the file name: rename the file (data/cases/<id>.toml) and its id "
            "together instead of setting the id",
            2,
        )
    if field in TABLE_FIELDS:
        raise ExilecasesError(
            f"{field!r} is a table, not a field: add an entry to it (e.g. `event add`) or "
            "edit the file by hand",
            2,
        )
    if field not in KEY_ORDER["case"]:
        settable = ", ".join(k for k in KEY_ORDER["case"] if k not in (*TABLE_FIELDS, "id"))
        raise ExilecasesError(
            f"unknown field {field!r}; fields that can be set: {settable}, and private.KEY "
            "(e.g. private.notes)",
            2,
        )
    if add and remove:
        raise ExilecasesError("choose either --add or --remove, not both", 2)
    if field in LIST_FIELDS:
        return
    if add or remove:
        raise ExilecasesError(
            f"{field!r} holds one value: --add and --remove work only on the list fields "
            f"{', '.join(LIST_FIELDS)}",
            2,
        )
    if len(values) != 1:
        raise ExilecasesError(
            f"{field!r} holds one value, got {len(values)}; quote a value with spaces", 2
        )
    if values[0] == "" and field in REQUIRED_FIELDS:
        raise ExilecasesError(f"{field!r} is required and cannot be removed", 2)


def _new_value(data: dict[str, Any], field: str, values: list[str], add: bool, remove: bool) -> Any:
    """The field's new value; ``None`` when the field goes away."""
    if field not in LIST_FIELDS:
        return values[0] or None
    current = data.get(field, [])
    if not isinstance(current, list):
        raise ExilecasesError(f"{field!r} in the file is not a list; fix it by hand first", 1)
    given = [value for value in dict.fromkeys(values) if value != ""]
    if add:
        new = current + [value for value in given if value not in current]
    elif remove:
        new = [value for value in current if value not in given]
    else:
        new = given
    return new or None


def _top_level_pair(statements: list[Statement], field: str) -> Statement | None:
    for statement in statements:
        if statement.kind == "pair" and statement.path == (field,):
            return statement
    return None


def _pair_lines(field: str, value: Any, current: Statement | None, newline: str) -> list[str]:
    """The lines of ``field = value`` as canonical.py writes it, with the comments of the
    pair it replaces (inner comments of a multi-line array go above it)."""
    lines = format_pair(field, value).split("\n")
    if current is not None:
        if current.comment:
            lines[-1] = _with_comment(lines[-1], (current.code, current.gap, current.comment))
        lines = [*current.inner, *lines]
    return [line + newline for line in lines]


def _replace_pair(
    lines: list[str], current: Statement, field: str, value: Any, newline: str
) -> None:
    """Replace (or, for ``None``, remove) the lines of a pair in place."""
    ending = _ending(lines[current.last])
    if value is None:
        kept = current.inner + ([current.comment] if current.comment else [])
        new = [line + newline for line in kept]
    else:
        new = _pair_lines(field, value, current, newline)
    if new:
        new[-1] = new[-1][: -len(newline)] + ending
    lines[current.first : current.last + 1] = new


def _insert_pair(
    lines: list[str], statements: list[Statement], field: str, value: Any, newline: str
) -> None:
    """Insert a new top-level pair at its canonical place."""
    new = _pair_lines(field, value, None, newline)
    order = KEY_ORDER["case"]
    position = order.index(field)
    for key in reversed(order[:position]):
        before = _top_level_pair(statements, key)
        if before is not None:
            _insert_after(lines, before.last, new)
            return
    for key in order[position + 1 :]:
        after = _top_level_pair(statements, key)
        if after is not None:
            start = _block_start(statements, after)
            lines[start:start] = new
            return
    pairs = [s for s in statements if s.kind == "pair" and len(s.path) == 1]
    if pairs:
        _insert_after(lines, pairs[-1].last, new)
        return
    headers = [s for s in statements if s.kind in _HEADER_KINDS]
    if headers:
        start = _block_start(statements, headers[0])
        lines[start:start] = [*new, newline]
        return
    _insert_after(lines, len(lines) - 1, new)


# --- add a table entry -------------------------------------------------------------------


def add_entry(text: str, table: str, entry: dict[str, Any]) -> str:
    """The case text with one ``[[table]]`` entry appended (see ``add_entry_update``),
    checked to hold exactly the intended data."""
    update = add_entry_update(text, table, entry)
    _verify(update.text, update.data)
    return update.text


def add_entry_update(text: str, table: str, entry: dict[str, Any]) -> Update:
    """The change of the ``add`` commands: the case text with one ``[[table]]`` entry
    appended, every other line unchanged, and the data it must parse to.

    ``table`` is ``charges``, ``events``, ``sources`` or ``contacts``; keys of ``entry``
    with the value ``None`` are left out, the others are written in canonical order as
    canonical.py writes them. The entry goes after the last entry of that table (events are
    not re-sorted), or, in a file without one, at the table's canonical place: before the
    tables that come after it and before ``[private]``; one blank line before it.

    Raises ``ExilecasesError`` (exit code 2) for another table or a missing required key.
    """
    entry = _check_entry(table, entry)
    data = _load(text)
    statements = _scan(text)
    if table in data and not any(s.kind == "array" and s.path[:1] == (table,) for s in statements):
        raise ExilecasesError(
            f"{table!r} is written as an inline array; run the formatter first", 1
        )
    block = _entry_text(table, entry)
    newline = _newline(text)
    new = [line + newline for line in block.split("\n")[:-1]]
    lines = _split_lines(text)
    _insert_entry(lines, statements, table, new, newline)
    expected = dict(data)
    expected[table] = [*data.get(table, []), tomllib.loads(block)[table][0]]
    return Update("".join(lines), expected, before=data)


def _check_entry(table: str, entry: dict[str, Any]) -> dict[str, Any]:
    """The entry without ``None`` values; refuses other tables and missing required keys."""
    if table not in TABLE_MODELS:
        raise ExilecasesError(
            f"cannot add an entry to {table!r}; tables: {', '.join(TABLE_MODELS)}", 2
        )
    entry = {key: value for key, value in entry.items() if value is not None}
    model = TABLE_MODELS[table]
    missing = [k for k, info in model.model_fields.items() if info.is_required() and k not in entry]
    if missing:
        raise ExilecasesError(f"a {table} entry needs {', '.join(missing)}", 2)
    return entry


def _entry_text(table: str, entry: dict[str, Any]) -> str:
    """``[[table]]`` and its pairs (and sub-tables) exactly as ``canonical_text`` writes
    them."""
    body = "".join(line + "\n" for line in table_pairs(entry, KEY_ORDER[table]))
    return "\n".join([f"[[{table}]]\n{body}", *sub_tables(table, entry)])


def _rank(name: str | int) -> int:
    """The place of a top-level table in the canonical order."""
    if name in TABLE_ORDER:
        return TABLE_ORDER.index(str(name))
    return len(TABLE_ORDER) + (1 if name == "private" else 0)


def _insert_entry(
    lines: list[str], statements: list[Statement], table: str, new: list[str], newline: str
) -> None:
    """Insert the lines of a new entry (see ``add_entry`` for where)."""
    real = [s for s in statements if s.real]
    own = [s for s in real if s.path[:1] == (table,) and len(s.path) > 1]
    if own:
        last = _end_with_detached(statements, own[-1])
        _insert_after(lines, last, [newline, *new], separate=True)
        return
    later = [s for s in real if s.kind in _HEADER_KINDS and _rank(s.path[0]) > _rank(table)]
    if later:
        start = _block_start(statements, later[0])
        before = [newline] if start > 0 and lines[start - 1].strip() else []
        lines[start:start] = [*before, *new, newline]
        return
    last = real[-1].last if real else len(lines) - 1
    _insert_after(lines, last, [newline, *new] if lines else new, separate=True)


def _end_with_detached(statements: list[Statement], statement: Statement) -> int:
    """The last line of a statement and the detached comments below it (not the end of
    file comments: those stay at the end)."""
    index = statements.index(statement)
    following = [i for i in range(index + 1, len(statements)) if statements[i].real]
    if not following:
        return statement.last
    detached_lines = [s.last for s in statements[index + 1 : following[0]] if s.kind == "comment"]
    attached_start = _block_start(statements, statements[following[0]])
    below = [line for line in detached_lines if line < attached_start]
    return below[-1] if below else statement.last


# --- shared line helpers -----------------------------------------------------------------


def _block_start(statements: list[Statement], statement: Statement) -> int:
    """The first line of a statement with the comment lines right above it."""
    index = statements.index(statement)
    start = statement.first
    while index > 0 and statements[index - 1].kind == "comment":
        index -= 1
        start = statements[index].first
    return start


def _split_lines(text: str) -> list[str]:
    """The lines of a text with their line endings (only ``\\n`` ends a line)."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _ending(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    return "\n" if line.endswith("\n") else ""


def _newline(text: str) -> str:
    """The line ending a text uses (``\\r\\n`` when its first line ends so)."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def _insert_after(lines: list[str], index: int, new: list[str], separate: bool = False) -> None:
    """Insert lines after line ``index`` (-1: at the start); with ``separate``, keep a blank
    line between them and a non-blank line that follows."""
    newline = _ending(new[0]) or "\n"
    if 0 <= index < len(lines) and not _ending(lines[index]):
        lines[index] += newline
    following = lines[index + 1] if index + 1 < len(lines) else ""
    if separate and following.strip():
        new = [*new, newline]
    lines[index + 1 : index + 1] = new


def _verify(text: str, expected: dict[str, Any]) -> None:
    """Make sure an edit produced valid TOML with exactly the intended data."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ExilecasesError(f"internal error: the edit gave invalid TOML ({error})") from None
    if data != expected:
        raise ExilecasesError("internal error: the edit changed other data; nothing written")


def changed_lines(old: str, new: str) -> int:
    """How many lines differ between two texts (a replaced line counts once).

    The lines both texts start and end with are set aside first: an edit changes one place,
    so what is left to compare is small and the count takes time linear in the file's size
    (``difflib`` alone is quadratic on a case with thousands of alike events).
    """
    before, after = old.splitlines(), new.splitlines()
    start = 0
    limit = min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    end = 0
    while end < limit - start and before[-1 - end] == after[-1 - end]:
        end += 1
    before, after = before[start : len(before) - end], after[start : len(after) - end]
    if not before or not after:
        return max(len(before), len(after))
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    count = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            count += max(i2 - i1, j2 - j1)
    return count


# --- entries of private tables and fields of one entry -------------------------------------


def add_private_entry(text: str, table: str, entry: dict[str, Any]) -> str:
    """The case text with one ``[[private.TABLE]]`` entry appended, checked to hold exactly
    the intended data (``entries.add_private_entry_update``)."""
    from exilecases.ops.entries import add_private_entry_update

    update = add_private_entry_update(text, table, entry)
    _verify(update.text, update.data)
    return update.text


def set_entry_fields(text: str, where: tuple[str, ...], index: int, changes: dict[str, Any]) -> str:
    """The case text with keys of one array-of-tables entry set (``None`` removes a key):
    entry ``index`` (0-based) of ``where`` (``("deadlines",)`` or ``("private",
    "deadlines")``), checked to hold exactly the intended data
    (``entries.set_entry_update``)."""
    from exilecases.ops.entries import EntryRef, set_entry_update

    prefix = "p" if where[0] == "private" else ""
    update = set_entry_update(text, EntryRef(where, index, f"{prefix}{index + 1}"), changes)
    _verify(update.text, update.data)
    return update.text
