"""Exports: JSON, CSV and SQLite, public unless asked otherwise (``privacy.public_view``).

Dates stay the EDTF strings of the files (``2024`` is exported as ``2024``, never as a day);
the tabular formats add ``*_earliest`` / ``*_latest`` ISO days beside each date, for range
queries. By default (``public=True``) every case goes through ``public_view`` before
anything is written: private data never reaches the output, not even as deleted bytes in a
SQLite file. ``public=False`` (``--private``) exports everything, the entries of
``[[private.TABLE]]`` joined to their tables with ``private = true``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from exilecases.errors import ExilecasesError
from exilecases.format import chars, fields
from exilecases.format.dates import DateError, parse_date, sort_key_or_last
from exilecases.format.fields import KEY_ORDER
from exilecases.format.privacy import private_view, public_view
from exilecases.format.vocabulary import Vocabulary
from exilecases.store.write import sync_folder, temporary_name

#: The arrays of tables, each exported as its own table.
ENTRY_TABLES: tuple[str, ...] = fields.ENTRY_TABLES
#: The date fields of each table that has some (each gets ISO bounds beside it).
DATE_FIELDS: dict[str, tuple[str, ...]] = {
    "events": ("date",),
    "charges": ("date",),
    "sources": ("published",),
    "proceedings": ("opened", "closed"),
    "deadlines": ("due",),
}
#: Keys renamed in the tabular formats (a source's ``id`` is not unique across cases).
RENAMED: dict[str, dict[str, str]] = {"sources": {"id": "source_id"}}
#: Separator of list items in CSV cells.
CSV_LIST_SEPARATOR = "; "
#: Cells a spreadsheet would run as a formula start with one of these (``format.chars``).
FORMULA_STARTS = chars.FORMULA_STARTS

Case = dict[str, Any]


def public_cases(
    cases: Iterable[Case],
    vocabulary: Vocabulary,
    *,
    public: bool = True,
    extra_private_fields: Iterable[str] = (),
) -> Iterator[Case]:
    """The cases as they are exported, one at a time: their public views unless ``public``
    is False."""
    extra = tuple(extra_private_fields)
    if not public:
        yield from cases
        return
    for case in cases:
        yield public_view(case, vocabulary, extra_private_fields=extra)


# --- JSON -------------------------------------------------------------------------------


def export_json(
    cases: Iterable[Case],
    vocabulary: Vocabulary,
    *,
    public: bool = True,
    extra_private_fields: Iterable[str] = (),
) -> str:
    """A JSON array of case objects with the same keys as the files (one final newline)."""
    chosen = public_cases(
        cases, vocabulary, public=public, extra_private_fields=extra_private_fields
    )
    return json.dumps(list(chosen), ensure_ascii=False, indent=2) + "\n"


# --- rows shared by CSV and SQLite --------------------------------------------------------


def date_bounds(value: Any) -> tuple[str | None, str | None]:
    """The first and last ISO day an EDTF date may stand for; ``(None, None)`` if unreadable."""
    if value is None:
        return None, None
    try:
        parsed = parse_date(value)
    except DateError:
        return None, None
    return parsed.earliest.isoformat(), parsed.latest.isoformat()


def _with_bounds(row: dict[str, Any], field: str, value: Any, prefix: str) -> None:
    row[field] = None if value is None else str(value)
    row[f"{prefix}_earliest"], row[f"{prefix}_latest"] = date_bounds(value)


def entry_columns(table: str, *, public: bool = True) -> list[str]:
    """The columns of one entry table: ``case_id``, ``position``, the fields in canonical
    order (dates followed by their ISO bounds), then ``extra`` (unknown keys, as JSON). A
    public table has no ``private`` column: it holds no private entry."""
    columns = ["case_id", "position"]
    date_fields = DATE_FIELDS.get(table, ())
    for key in KEY_ORDER[table]:
        if public and key == "private":
            continue
        columns.append(RENAMED.get(table, {}).get(key, key))
        if key in date_fields:
            columns += [f"{key}_earliest", f"{key}_latest"]
    extra = ["derived"] if table == "deadlines" else []
    return [*columns, *extra, "extra"]


def entry_rows(case: Case, table: str) -> list[dict[str, Any]]:
    """One row per entry of ``case[table]`` (lists kept as lists), ``position`` from 1; the
    entries of ``[[private.TABLE]]`` follow those of ``[[TABLE]]``, marked private (a public
    view has none)."""
    case = private_view(case)
    rows = []
    known = KEY_ORDER[table]
    renamed = RENAMED.get(table, {})
    date_fields = DATE_FIELDS.get(table, ())
    for position, entry in enumerate(case.get(table) or [], start=1):
        if not isinstance(entry, dict):
            continue
        row: dict[str, Any] = {"case_id": case.get("id"), "position": position}
        for key in known:
            value = entry.get(key, False if key == "private" else None)
            if key in date_fields:
                _with_bounds(row, key, value, key)
            else:
                row[renamed.get(key, key)] = value
        extra = {k: v for k, v in entry.items() if k not in known}
        row["extra"] = extra or None
        rows.append(row)
    return rows


def table_rows(case: Case, table: str, vocabulary: Vocabulary) -> list[dict[str, Any]]:
    """The rows of one entry table; ``deadlines`` adds the deadlines the rules derive from
    the case's (public) events, flagged ``derived``, numbered after the recorded ones."""
    rows = entry_rows(case, table)
    if table != "deadlines":
        return rows
    from exilecases.format.model import Deadline
    from exilecases.ops.deadlines import deadline_items

    for row in rows:
        row["derived"] = False
        row["state"] = Deadline.state_of(row)  # the state in force, written or implied
    position = len(rows)
    for item in deadline_items(case, vocabulary):
        if not item.derived:
            continue
        position += 1
        row = {"case_id": case.get("id"), "position": position, "derived": True}
        row.update(type=item.type, proceeding=item.proceeding, what=item.what)
        row.update(owner=item.owner, state="open", rule=item.rule)
        row["trigger"] = (item.trigger or {}).get("date")
        row.update(due=item.due, due_earliest=item.earliest.isoformat())
        row["due_latest"] = item.latest.isoformat()
        rows.append(row)
    return rows


def _event_dates(case: Case) -> list[str]:
    """The dates of the case's events, oldest first (unreadable dates left out)."""
    events = [e for e in case.get("events") or [] if isinstance(e, dict)]
    keyed = sorted((sort_key_or_last(e.get("date")), str(e.get("date"))) for e in events)
    return [date for key, date in keyed if key[0] == 0]


#: Columns of the one-row-per-case CSV, after the case fields and before ``extra``.
CASE_SUMMARY_COLUMNS = (
    "outcome",
    "bases",
    "charge_count",
    "event_count",
    "first_event",
    "last_event",
    "source_count",
    "contact_count",
    "interim_measures_breach",
)


def case_columns(*, public: bool, summary: bool) -> list[str]:
    """The columns of the cases table. ``summary`` (CSV) adds the summaries of the tables
    and, when not ``public``, the ``[private]`` table as JSON (SQLite has a table for it)."""
    columns = []
    for key in KEY_ORDER["case"]:
        if key in ENTRY_TABLES or key == "private":
            continue
        columns.append(key)
        if key == "born":
            columns += ["born_earliest", "born_latest"]
    columns += list(CASE_SUMMARY_COLUMNS if summary else ("outcome", "interim_measures_breach"))
    columns.append("extra")
    if summary and not public:
        columns.append("private")
    return columns


def case_row(case: Case, vocabulary: Vocabulary) -> dict[str, Any]:
    """The flat row of a case: its fields, ``outcome``, summaries of its tables, ``extra``."""
    row: dict[str, Any] = {}
    for key in KEY_ORDER["case"]:
        if key in ENTRY_TABLES or key == "private":
            continue
        if key == "born":
            _with_bounds(row, key, case.get(key), "born")
        else:
            row[key] = case.get(key)
    row["outcome"] = vocabulary.outcome_of(str(case.get("status", "unknown")))
    charges = [c for c in case.get("charges") or [] if isinstance(c, dict)]
    row["bases"] = list(dict.fromkeys(str(c.get("basis")) for c in charges if c.get("basis")))
    row["charge_count"] = len(charges)
    row["event_count"] = len(case.get("events") or [])
    dates = _event_dates(case)
    row["first_event"] = dates[0] if dates else None
    row["last_event"] = dates[-1] if dates else None
    row["source_count"] = len(case.get("sources") or [])
    row["contact_count"] = len(case.get("contacts") or [])
    from exilecases.ops.deadlines import breach

    # The case as exported: the public view when the export is public.
    row["interim_measures_breach"] = breach(case)
    extra = {k: v for k, v in case.items() if k not in KEY_ORDER["case"]}
    row["extra"] = extra or None
    row["private"] = case.get("private") or None
    return row


# --- CSV --------------------------------------------------------------------------------


def _csv_cell(value: Any, formula_guard: bool) -> str:
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = CSV_LIST_SEPARATOR.join(
            json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else str(v)
            for v in value
        )
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    # One guard for every CSV writer: controls made visible, formulas neutralised.
    return chars.csv_cell(text) if formula_guard else chars.visible(text, layout=True)


def _csv_text(columns: Sequence[str], rows: Iterable[dict[str, Any]], guard: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(column), guard) for column in columns])
    return buffer.getvalue()


def export_csv(
    cases: Iterable[Case],
    vocabulary: Vocabulary,
    *,
    public: bool = True,
    table: str | None = None,
    formula_guard: bool = True,
    extra_private_fields: Iterable[str] = (),
) -> str:
    """CSV text: one row per case, or with ``table`` one row per entry of that table
    (``events``, ``charges``, ``sources``, ``contacts``) with a ``case_id`` column.

    Lists are joined with "; "; tables and unknown keys are JSON. Every cell goes through
    ``chars.csv_cell``: control and bidi characters are made visible (``\\x1b``,
    ``<U+202E>``; newlines and tabs stay) and, with ``formula_guard``, a cell starting with
    ``= + - @``, tab or CR gets a leading ``'`` so that a spreadsheet shows it instead of
    running it as a formula.
    """
    chosen = public_cases(
        cases, vocabulary, public=public, extra_private_fields=extra_private_fields
    )
    if table is None:
        columns = case_columns(public=public, summary=True)
        return _csv_text(columns, (case_row(c, vocabulary) for c in chosen), formula_guard)
    if table not in ENTRY_TABLES:
        raise ExilecasesError(
            f"no table {table!r} to export; choose one of {', '.join(ENTRY_TABLES)}", 2
        )
    rows = (row for case in chosen for row in table_rows(case, table, vocabulary))
    return _csv_text(entry_columns(table, public=public), rows, formula_guard)


# --- SQLite -----------------------------------------------------------------------------

_VOCABULARY_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    # kind: (table, columns after key and label; others go to `extra`)
    "outcomes": ("outcomes", ("description",)),
    "statuses": ("statuses", ("outcome", "description")),
    "event_types": ("event_types", ("description",)),
    "categories": ("category_labels", ("description",)),
    "legal_bases": ("legal_bases", ("jurisdiction", "code", "max_penalty", "description")),
    "proceeding_types": ("proceeding_types", ("description",)),
    "deadline_types": ("deadline_types", ("description",)),
}

_TYPES: dict[str, str] = {"position": "INTEGER", "private": "INTEGER", "derived": "INTEGER"}
_REFERENCES: dict[tuple[str, str], str] = {
    ("cases", "status"): "statuses(key)",
    ("cases", "outcome"): "outcomes(key)",
    ("events", "type"): "event_types(key)",
    ("events", "outcome"): "statuses(key)",
    ("charges", "basis"): "legal_bases(key)",
    ("proceedings", "type"): "proceeding_types(key)",
    ("deadlines", "type"): "deadline_types(key)",
    ("categories", "category"): "category_labels(key)",
    ("statuses", "outcome"): "outcomes(key)",
}
#: NOT NULL only where no redaction can empty the column: a repository may make any field
#: private (even ``name`` or ``events.date``), and the public export must still be written.
_NOT_NULL: dict[str, set[str]] = {"cases": {"outcome"}}
#: Indexes beyond the primary keys: (table, column).
_INDEXES: tuple[tuple[str, str], ...] = (
    ("cases", "status"),
    ("cases", "outcome"),
    ("events", "case_id"),
    ("events", "type"),
    ("events", "outcome"),
    ("events", "date_earliest"),
    ("events", "date_latest"),
    ("charges", "case_id"),
    ("charges", "basis"),
    ("charges", "date_earliest"),
    ("sources", "case_id"),
    ("contacts", "case_id"),
    ("proceedings", "case_id"),
    ("deadlines", "case_id"),
    ("deadlines", "due_earliest"),
    ("aliases", "case_id"),
    ("categories", "case_id"),
    ("categories", "category"),
    ("private", "case_id"),
)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column_sql(table: str, column: str, primary: str | None = None) -> str:
    parts = [_quote(column), _TYPES.get(column, "TEXT")]
    if column == primary:
        parts.append("PRIMARY KEY")
    elif column in _NOT_NULL.get(table, ()) or column in ("case_id", "position"):
        parts.append("NOT NULL")
    if column == "case_id":
        parts.append("REFERENCES cases(id)")
    elif (table, column) in _REFERENCES:
        parts.append(f"REFERENCES {_REFERENCES[(table, column)]}")
    return " ".join(parts)


def _create_table(
    db: sqlite3.Connection, table: str, columns: Sequence[str], primary: Sequence[str]
) -> None:
    single = primary[0] if len(primary) == 1 else None
    lines = [_column_sql(table, column, single) for column in columns]
    if single is None:
        lines.append(f"PRIMARY KEY ({', '.join(_quote(c) for c in primary)})")
    db.execute(f"CREATE TABLE {_quote(table)} (\n  " + ",\n  ".join(lines) + "\n)")


def _sql_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _insert(
    db: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterable[dict[str, Any]]
) -> None:
    names = ", ".join(_quote(c) for c in columns)
    marks = ", ".join("?" for _ in columns)
    db.executemany(
        f"INSERT INTO {_quote(table)} ({names}) VALUES ({marks})",
        ([_sql_value(row.get(c)) for c in columns] for row in rows),
    )


def _vocabulary_rows(vocabulary: Vocabulary, kind: str, columns: Sequence[str]) -> list[dict]:
    rows = []
    for key, entry in vocabulary.entries.get(kind, {}).items():
        row = {"key": key, "label": vocabulary.label(kind, key)}
        row.update({c: entry.get(c) for c in columns})
        extra = {k: v for k, v in entry.items() if k not in ("label", *columns)}
        row["extra"] = extra or None
        rows.append(row)
    return rows


def _write_vocabularies(db: sqlite3.Connection, vocabulary: Vocabulary) -> None:
    for kind, (table, attributes) in _VOCABULARY_TABLES.items():
        columns = ["key", "label", *attributes, "extra"]
        _create_table(db, table, columns, ["key"])
        _insert(db, table, columns, _vocabulary_rows(vocabulary, kind, attributes))


def _list_rows(case: Case, field: str, column: str) -> list[dict[str, Any]]:
    values = case.get(field)
    if not isinstance(values, list):
        return []
    return [
        {"case_id": case.get("id"), "position": position, column: value}
        for position, value in enumerate(values, start=1)
    ]


def _private_rows(case: Case) -> list[dict[str, Any]]:
    table = case.get("private")
    if not isinstance(table, dict):
        return []
    rows = []
    for key, value in table.items():
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        rows.append({"case_id": case.get("id"), "key": key, "value": text})
    return rows


#: The tables made from each case's lists: (table, field, column).
_LIST_TABLES = (("aliases", "aliases", "alias"), ("categories", "categories", "category"))
#: Cases whose rows are written at once: enough for ``executemany`` to pay, few enough that
#: an export of 100,000 cases holds only these in memory.
_BATCH = 500


def build_database(
    db: sqlite3.Connection, cases: Iterable[Case], vocabulary: Vocabulary, *, public: bool
) -> None:
    """Create every table in an empty database and fill it, in one pass over ``cases``
    (already redacted when ``public``; the ``private`` table exists only when not), a batch
    at a time: the cases may be a stream."""
    _write_vocabularies(db, vocabulary)
    tables: dict[str, list[str]] = {"cases": case_columns(public=public, summary=False)}
    _create_table(db, "cases", tables["cases"], ["id"])
    for table in ENTRY_TABLES:
        tables[table] = entry_columns(table, public=public)
        _create_table(db, table, tables[table], ["case_id", "position"])
    for table, _, column in _LIST_TABLES:
        tables[table] = ["case_id", "position", column]
        _create_table(db, table, tables[table], ["case_id", "position"])
    if not public:
        tables["private"] = ["case_id", "key", "value"]
        _create_table(db, "private", tables["private"], ["case_id", "key"])
    waiting: dict[str, list[dict[str, Any]]] = {table: [] for table in tables}
    count = 0

    def flush() -> None:
        for table, rows in waiting.items():
            if rows:
                _insert(db, table, tables[table], rows)
                rows.clear()

    for case in cases:
        count += 1
        waiting["cases"].append(case_row(case, vocabulary))
        for table in ENTRY_TABLES:
            waiting[table] += table_rows(case, table, vocabulary)
        for table, field, column in _LIST_TABLES:
            waiting[table] += _list_rows(case, field, column)
        if not public:
            waiting["private"] += _private_rows(case)
        if count % _BATCH == 0:
            flush()
    flush()
    _create_table(db, "export_info", ["key", "value"], ["key"])
    _insert(
        db,
        "export_info",
        ["key", "value"],
        [
            {"key": "public", "value": "true" if public else "false"},
            {"key": "case_count", "value": str(count)},
            {"key": "dates", "value": "EDTF strings; *_earliest/*_latest are ISO days"},
        ],
    )
    for table, column in _INDEXES:
        if public and table == "private":
            continue
        db.execute(
            f"CREATE INDEX {_quote(f'idx_{table}_{column}')} ON {_quote(table)} ({_quote(column)})"
        )


def export_sqlite(
    cases: Iterable[Case],
    vocabulary: Vocabulary,
    path: Path,
    *,
    public: bool = True,
    overwrite: bool = False,
    extra_private_fields: Iterable[str] = (),
) -> None:
    """Write the cases to a new SQLite database at ``path``.

    The database is built in a temporary file in the same folder and renamed over ``path``
    only when complete, so ``path`` never holds a half-written database. An existing
    ``path`` is refused (``ExilecasesError``) unless ``overwrite``. The file is plain
    SQLite with declared foreign keys (Datasette and sqlite-utils open it as it is).
    """
    path = Path(path)
    chosen = public_cases(
        cases, vocabulary, public=public, extra_private_fields=extra_private_fields
    )
    if path.exists() and not overwrite:
        raise ExilecasesError(_exists_message(path))
    folder = path.parent
    if not folder.is_dir():
        raise ExilecasesError(f"cannot write {path}: the folder {folder} does not exist", 2)
    temporary = folder / temporary_name(path.name)  # a name git ignores (store/write)
    try:
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
    except OSError as error:  # a read-only folder
        raise ExilecasesError(
            f"cannot write {path}: {error.strerror or error}; nothing was written"
        ) from None
    try:
        _write_database(temporary, chosen, vocabulary, public=public)
        _move_into_place(temporary, path, overwrite=overwrite)
    except sqlite3.Error as error:  # a full disk, a read-only folder, a vanished folder
        raise ExilecasesError(f"cannot write {path}: {error}; nothing was written", 1) from None
    except OSError as error:
        raise ExilecasesError(
            f"cannot write {path}: {error.strerror or error}; nothing was written"
        ) from None
    finally:
        for leftover in (temporary, Path(f"{temporary}-journal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _write_database(
    target: Path, cases: Iterable[Case], vocabulary: Vocabulary, *, public: bool
) -> None:
    db = sqlite3.connect(target, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = MEMORY")
        db.execute("PRAGMA secure_delete = ON")
        db.execute("BEGIN")
        build_database(db, cases, vocabulary, public=public)
        db.execute("COMMIT")
        db.execute("VACUUM")
    finally:
        db.close()
    with target.open("rb+") as stream:
        os.fsync(stream.fileno())


def _exists_message(path: Path) -> str:
    return f"{path} already exists; nothing was written (choose another -o PATH, or overwrite it)"


def _move_into_place(temporary: Path, path: Path, *, overwrite: bool) -> None:
    if overwrite:
        os.replace(temporary, path)
    else:
        try:
            os.link(temporary, path)  # fails if path appeared meanwhile: never replaces it
        except FileExistsError:
            raise ExilecasesError(_exists_message(path)) from None
        except OSError:  # a file system without hard links
            if path.exists():
                raise ExilecasesError(_exists_message(path)) from None
            os.replace(temporary, path)
    sync_folder(path.parent)
