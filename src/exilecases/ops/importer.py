"""``import``: a spreadsheet's rows become case files, all of them or none.

The steps, in order, so that nothing is written before everything is known:

1. read the mapping file (``ops/mapping``) and the sheet (``store/sheets``);
2. map every row to a case (``RowMapper``), each value remembered with the column it came
   from, so that every problem is reported at ``FILE:ROW:COLUMN`` in the sheet's words;
3. give each row its id: from an ``id`` column or the name; two rows with one id get
   ``-2``, ``-3``; a row whose id or ``import_key`` an existing case has is that case
   (reported as ``I030 exists``, or merged into it with ``update``);
4. check every case with the validator of ``validate`` (``validate.check_file``), and the
   rows together with the existing cases with its duplicate rule (``validate.cross_file``);
5. unless a row has an error (or ``skip_invalid`` leaves such rows out), write every file
   through the one write path under one hold of the repository's lock; if a write fails
   midway, the files this run created are removed and those it changed are put back.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exilecases.errors import ExilecasesError
from exilecases.format.vocabulary import Vocabulary
from exilecases.ops.mapping import (
    ANCHORS,
    LIST_FIELDS,
    CellError,
    CellReader,
    ImportFinding,
    Mapping,
    Rule,
    cell_text,
    import_finding,
    load_mapping,
)

#: The id of the source entry that records the import (file, sheet, row).
IMPORT_SOURCE = "import"
_MARKER = "~import-row-"  # sorts after data/cases/: see _likely_duplicates
_MARKED = re.compile(re.escape(_MARKER) + r"0*(\d+)")


class ImportStopped(ExilecasesError):
    """An import that cannot start (the sheet cannot be read, a column is missing);
    ``findings`` says each problem."""

    def __init__(self, findings: list[ImportFinding], message: str | None = None) -> None:
        super().__init__(message or findings[0].message, kind="data")
        self.findings = findings


@dataclass
class Row:
    """One row of the sheet on its way to a case file."""

    number: int
    case: dict[str, Any] = field(default_factory=dict)
    #: Which column each value came from: key path -> header ("[defaults]" for defaults).
    origin: dict[tuple[str | int, ...], str] = field(default_factory=dict)
    findings: list[ImportFinding] = field(default_factory=list)
    #: "create", "update", "unchanged", "exists" or "invalid".
    action: str = "create"
    case_id: str | None = None
    text: str = ""
    existing: Path | None = None
    changes: list[Any] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        """True when a finding of this row is an error."""
        return any(f.severity == "error" for f in self.findings)


@dataclass
class ImportReport:
    """What an import found and did."""

    file: str
    sheet: str | None
    rows: list[Row]
    findings: list[ImportFinding]
    created: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    dry_run: bool = False

    @property
    def errors(self) -> int:
        """How many findings are errors."""
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def written(self) -> list[Path]:
        """Every file this import wrote."""
        return [*self.created, *self.updated]

    def diffs(self, root: Path) -> list[Any]:
        """The updated cases as ``exilecases diff`` shows them (``history.CaseDiff``)."""
        from exilecases.ops.history import CaseDiff
        from exilecases.store.files import relative

        return [
            CaseDiff(relative(root, row.existing), row.case_id or "", "changed", row.changes)
            for row in self.rows
            if row.action == "update" and row.existing is not None and row.changes
        ]


# --- mapping rows ----------------------------------------------------------------------------


class RowMapper:
    """Maps the rows of one sheet with one mapping."""

    def __init__(self, mapping: Mapping, sheet: Any, vocabulary: Vocabulary) -> None:
        self.mapping, self.sheet, self.vocabulary = mapping, sheet, vocabulary
        self.reader = CellReader(mapping, vocabulary)
        self.file = sheet.file
        self.columns = self._columns()
        self.source_title_base = sheet.where

    def _columns(self) -> dict[str, int]:
        """The index of each mapped column; ``ImportStopped`` for a column the sheet lacks
        or a header used twice. Unmapped columns are warned about (I012)."""
        found: list[ImportFinding] = []
        index: dict[str, int] = {}
        twice: set[str] = set()
        for number, header in enumerate(self.sheet.headers):
            if header in index:
                twice.add(header)
            index.setdefault(header, number)
        wanted = [rule.header for rule in self.mapping.rules]
        if self.mapping.id_column:
            wanted.append(self.mapping.id_column)
        row = self.sheet.header_row
        for header in dict.fromkeys(wanted):
            if header in twice:
                found.append(
                    import_finding(
                        self.file,
                        row,
                        header,
                        "I013",
                        f"two columns are named {header!r}; rename one in the sheet",
                    )
                )
            elif header not in index:
                import difflib

                close = difflib.get_close_matches(header, [h for h in index if h], n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                found.append(
                    import_finding(
                        self.file,
                        row,
                        header,
                        "I011",
                        f"the mapping names the column {header!r}, which the header (row "
                        f"{row}) does not have{hint}",
                    )
                )
        for header in index:
            if header and header not in wanted:
                found.append(
                    import_finding(
                        self.file,
                        row,
                        header,
                        "I012",
                        f"the column {header!r} is not mapped, so it is not imported; map it "
                        f"under [columns] in {self.mapping.name} if it should be",
                    )
                )
        if any(f.severity == "error" for f in found):
            raise ImportStopped(found, "the mapping does not fit the sheet's columns")
        self.warnings = found
        return index

    def cell(self, cells: list[Any], header: str) -> Any:
        """The cell of ``header`` in a row (None past the row's end)."""
        position = self.columns[header]
        return cells[position] if position < len(cells) else None

    def map(self, number: int, cells: list[Any]) -> Row | None:
        """The case of one row (None for a row with no mapped value at all)."""
        row = Row(number)
        values: dict[str, Any] = {}
        for rule in self.mapping.rules:
            cell = self.cell(cells, rule.header)
            try:
                value = self.reader.value(rule, cell)
            except CellError as error:
                row.findings.append(
                    import_finding(self.file, number, rule.header, error.code, error.message)
                )
                continue
            if value is not None:
                values[rule.header] = value
                text = cell_text(cell)
                if text and text.startswith("="):
                    row.findings.append(
                        import_finding(
                            self.file,
                            number,
                            rule.header,
                            "I024",
                            f"{text[:40]!r} looks like a formula but is imported as the text "
                            "it is (a spreadsheet computes nothing here)",
                        )
                    )
        key = None
        if self.mapping.id_column:
            key = cell_text(self.cell(cells, self.mapping.id_column))
        if not values and not row.findings:
            return None
        self._fill(row, values)
        if key is not None:
            row.case["import_key"] = key
            row.origin[("import_key",)] = self.mapping.id_column or ""
        for name, value in self.mapping.defaults.items():
            if name not in row.case:
                row.case[name] = list(value) if isinstance(value, list) else value
                row.origin[(name,)] = "[defaults]"
        return row

    def _fill(self, row: Row, values: dict[str, Any]) -> None:
        case, origin = row.case, row.origin
        entries: dict[str, list[tuple[Rule, list[dict[str, Any]]]]] = {}
        for rule in self.mapping.rules:
            if rule.is_anchor and rule.header in values:
                value = values[rule.header]
                items = value if isinstance(value, list) else [value]
                made = [{ANCHORS[rule.table or ""]: item} for item in items]
                if rule.table == "events":
                    for entry in made:
                        entry["type"] = rule.type
                entries.setdefault(rule.table or "", []).append((rule, made))
        made_by = {rule.header: made for group in entries.values() for rule, made in group}
        for rule in self.mapping.rules:
            if rule.header not in values or rule.is_anchor:
                continue
            value = values[rule.header]
            if rule.table is not None:
                targets = made_by.get(rule.of or "")
                if not targets:
                    row.findings.append(
                        import_finding(
                            self.file,
                            row.number,
                            rule.header,
                            "I025",
                            f"{_short(value)} belongs to the {rule.table} entry of column "
                            f"{rule.of!r}, which is empty in this row; fill that cell, or "
                            "move the text to a note",
                        )
                    )
                    continue
                for entry in targets:
                    entry[rule.key] = value
                continue
            if rule.field.startswith("private."):
                room = case.setdefault("private", {})
                room[rule.field.removeprefix("private.")] = value
                origin[("private", rule.field.removeprefix("private."))] = rule.header
            elif rule.field in LIST_FIELDS:
                known = case.setdefault(rule.field, [])
                known.extend(item for item in value if item not in known)
                origin.setdefault((rule.field,), rule.header)
            else:
                case[rule.field] = value
                origin[(rule.field,)] = rule.header
        cited = []
        sources = []
        for number, (rule, made) in enumerate(entries.get("sources", []), start=1):
            for entry in made:
                entry_id = f"source-{number}" if len(made) == 1 else f"source-{len(sources) + 1}"
                sources.append((rule, {"id": entry_id, **entry}))
                cited.append(entry_id)
        cited.append(IMPORT_SOURCE)
        for table in ("charges", "events", "contacts"):
            listed = []
            for rule, made in entries.get(table, []):
                for entry in made:
                    if table != "contacts":
                        entry["sources"] = list(cited)
                    listed.append((rule, entry))
            if table == "events":
                from exilecases.format.dates import sort_key_or_last

                listed.sort(key=lambda pair: sort_key_or_last(pair[1]["date"]))
            if listed:
                case[table] = [entry for _, entry in listed]
                for position, (rule, entry) in enumerate(listed):
                    self._origins(origin, table, position, rule, entry)
        title = f"{self.source_title_base}, row {row.number}"
        record = {"id": IMPORT_SOURCE, "outlet": "spreadsheet import", "title": title}
        case["sources"] = [entry for _, entry in sources] + [record]
        for position, (rule, entry) in enumerate(sources):
            self._origins(origin, "sources", position, rule, entry)

    def _origins(
        self, origin: dict, table: str, position: int, anchor: Rule, entry: dict[str, Any]
    ) -> None:
        origin[(table, position, ANCHORS[table])] = anchor.header
        for rule in self.mapping.rules:
            if rule.table == table and rule.of == anchor.header and rule.key in entry:
                origin[(table, position, rule.key)] = rule.header


def _short(value: Any) -> str:
    text = ", ".join(value) if isinstance(value, list) else str(value)
    return repr(text if len(text) <= 40 else text[:39] + "…")


# --- ids --------------------------------------------------------------------------------------


def _base_id(row: Row, file: str) -> str | None:
    from exilecases.format.model import ID_PATTERN, ID_RULE
    from exilecases.ops.newcase import id_from_name

    column = row.origin.get(("id",))
    given = row.case.get("id")
    if isinstance(given, str):
        if ID_PATTERN.match(given):
            return given
        row.findings.append(
            import_finding(
                file, row.number, column, "I026", f"{given!r} is not an id: an id is {ID_RULE}"
            )
        )
        return None
    name = row.case.get("name")
    if not isinstance(name, str):
        row.findings.append(
            import_finding(
                file,
                row.number,
                None,
                "I026",
                "the row has no name to make its id from; map a column to name (or to id)",
            )
        )
        return None
    try:
        return id_from_name(name)
    except ExilecasesError as error:
        message = error.message.replace("; pass --id", "; map a column to id")
        row.findings.append(
            import_finding(file, row.number, row.origin.get(("name",)), "I026", message)
        )
        return None


def _suffixed(base: str, number: int) -> str:
    suffix = f"-{number}"
    return base[: 64 - len(suffix)].rstrip("-") + suffix


@dataclass
class _Existing:
    """The repository's cases as the import sees them: public views, by id and key."""

    checks: list[Any]
    keys: dict[str, list[str]] | None
    by_id: dict[str, Any]
    by_key: dict[str, Any]


def _existing(root: Path, vocabulary: Vocabulary, progress: Any) -> _Existing:
    from exilecases.format.privacy import private_fields
    from exilecases.ops.load import load

    # import_key is public unless a rule redacts it: then only the files know it.
    private = "import_key" in private_fields(vocabulary)
    result = load(root, vocabulary, progress=progress, private=private)
    by_id, by_key = {}, {}
    for check in result.checks:
        case = check.case
        if case is None:
            continue
        if isinstance(case.get("id"), str):
            by_id.setdefault(case["id"], check)
        if isinstance(case.get("import_key"), str):
            by_key.setdefault(case["import_key"], check)
    return _Existing(result.checks, result.name_keys, by_id, by_key)


def _assign_ids(rows: list[Row], existing: _Existing, file: str, key_column: str | None) -> None:
    """Give each row its id, or its existing case: by ``import_key`` first, then by id (a
    case with another ``import_key`` is someone else). Two rows of one id get -2, -3."""
    claimed: dict[str, int] = {}  # id -> the row that has it
    keys: dict[str, int] = {}
    for row in rows:
        key = row.case.get("import_key")
        if isinstance(key, str):
            if key in keys:
                row.findings.append(
                    import_finding(
                        file,
                        row.number,
                        key_column,
                        "I027",
                        f"row {keys[key]} has the same {key_column} {key!r}; each row needs its "
                        "own key (it is how a re-import finds the case again)",
                    )
                )
                continue
            keys[key] = row.number
            match = existing.by_key.get(key)
            if match is not None and match.case["id"] not in claimed:
                row.case_id = match.case["id"]
                row.existing = match.path
                claimed[row.case_id] = row.number
                continue
        base = _base_id(row, file)
        if base is None:
            continue
        candidate, number = base, 1
        while True:
            if candidate in claimed:
                first = claimed[candidate]
                number += 1
                following = _suffixed(base, number)
                if first != row.number:
                    row.findings.append(
                        import_finding(
                            file,
                            row.number,
                            row.origin.get(("id",)) or row.origin.get(("name",)),
                            "I031",
                            f"rows {first} and {row.number} would both get the id "
                            f"{candidate!r}; row {row.number} is tried as {following!r} (if "
                            "they are one person, merge the two rows)",
                        )
                    )
                candidate = following
                continue
            match = existing.by_id.get(candidate)
            other_key = match.case.get("import_key") if match is not None else None
            if isinstance(key, str) and isinstance(other_key, str) and other_key != key:
                number += 1  # another row of the sheet had that id: someone else
                candidate = _suffixed(base, number)
                continue
            break
        row.case_id = candidate
        claimed[candidate] = row.number
        if match is not None:
            row.existing = match.path
    for row in rows:
        if row.case_id is not None and row.existing is None:
            row.case["id"] = row.case_id
            row.origin.setdefault(("id",), row.origin.get(("name",), ""))


# --- checking ---------------------------------------------------------------------------------


def _order(case: dict[str, Any]) -> dict[str, Any]:
    """The case with ``id`` first (the rest is ordered by the canonical writer)."""
    return {"id": case["id"], **{k: v for k, v in case.items() if k != "id"}}


def _cell_findings(row: Row, findings: list[Any], text: str, file: str) -> None:
    """The validator's findings of a row's case text, at the cells they come from."""
    from exilecases.format.positions import KeyPositions

    if not findings:
        return
    positions = KeyPositions(text)
    by_line: dict[int, str] = {}
    for path, header in row.origin.items():
        if positions.has(path):
            by_line.setdefault(positions.locate(path)[0], header)
    for item in findings:
        column = by_line.get(item.line)
        message = item.message
        if item.code == "E010":
            message += " (map a column to it, or give it under [defaults] in the mapping)"
        if column == "[defaults]":
            column, message = None, f"{message} (the value comes from [defaults])"
        row.findings.append(import_finding(file, row.number, column, item.code, message))


def _check_new(row: Row, vocabulary: Vocabulary, file: str) -> Any:
    from exilecases.format.canonical import canonical_text
    from exilecases.ops.validate import check_file

    assert row.case_id is not None
    row.case = _order(row.case)
    row.text = canonical_text(row.case)
    rel = f"data/cases/{row.case_id}.toml"
    checked = check_file(row.text.encode("utf-8"), rel, row.case_id, vocabulary)
    _cell_findings(row, checked.findings, row.text, file)
    return checked


def merge_case(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``old`` with the values of ``new`` merged in, field by field: a value replaces the
    old one, a list gains the items it lacked, an entry of an array of tables (matched as
    ``diff`` matches them: events by date and type, charges by basis, sources by id,
    contacts by name) gets the new values of its fields, or is added when it is new (events
    in date order), and ``[private]`` gets the new keys' values."""
    import copy

    from exilecases.format.dates import sort_key_or_last
    from exilecases.ops.changes import IDENTITY

    merged = copy.deepcopy(old)
    for key, value in new.items():
        if key == "id":
            continue
        if key == "private":
            room = merged.get("private")
            merged["private"] = {**room, **value} if isinstance(room, dict) else dict(value)
        elif key in IDENTITY:
            entries = merged.get(key)
            entries = list(entries) if isinstance(entries, list) else []
            for entry in value:
                identity = tuple(entry.get(part) for part in IDENTITY[key])
                same = next(
                    (
                        e
                        for e in entries
                        if isinstance(e, dict)
                        and tuple(e.get(part) for part in IDENTITY[key]) == identity
                    ),
                    None,
                )
                if same is not None:
                    for name, item in entry.items():
                        if name == "sources" and isinstance(same.get("sources"), list):
                            same["sources"] = same["sources"] + [
                                s for s in item if s not in same["sources"]
                            ]
                        else:
                            same[name] = item
                elif key == "events":
                    after = sort_key_or_last(entry.get("date"))
                    place = next(
                        (
                            i
                            for i, e in enumerate(entries)
                            if isinstance(e, dict) and sort_key_or_last(e.get("date")) > after
                        ),
                        len(entries),
                    )
                    entries.insert(place, entry)
                else:
                    entries.append(entry)
            merged[key] = entries
        elif key in LIST_FIELDS and isinstance(merged.get(key), list):
            merged[key] = merged[key] + [item for item in value if item not in merged[key]]
        else:
            merged[key] = value
    return merged


def _check_update(
    row: Row, vocabulary: Vocabulary, file: str, root: Path, keys: Any = None
) -> None:
    """Plan the merge of a row into its existing case (``row.changes``, ``row.text``). In a
    sealed repository (``keys``) a row with private values is merged into the case with its
    sealed private part open in memory; a part this person cannot open is ``I033``."""
    from exilecases.ops.changes import public_changes
    from exilecases.ops.edit import format_text
    from exilecases.ops.validate import check_file
    from exilecases.store.files import read_for_edit, relative
    from exilecases.store.write import split_bom

    assert row.existing is not None and row.case_id is not None
    rel = relative(root, row.existing)
    try:
        old_text = split_bom(read_for_edit(row.existing, rel)[0].decode("utf-8"))[0]
        old = tomllib.loads(old_text)
    except (ExilecasesError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        reason = error.message if isinstance(error, ExilecasesError) else str(error)
        row.findings.append(
            import_finding(
                file, row.number, None, "I030", f"{rel} cannot be read ({reason}); fix it first"
            )
        )
        row.action = "invalid"
        return
    if _opens_private(row, keys, vocabulary):
        from exilecases.ops.seal import open_text

        try:
            old_text = open_text(old_text, keys, rel).whole  # in memory only
        except ExilecasesError as error:  # no identity, not for it, damaged, a conflict
            row.findings.append(_sealed_shut(file, row, rel, error.message))
            row.action = "invalid"
            return
        old = tomllib.loads(old_text)
    merged = merge_case(old, row.case)
    if merged == old:
        row.action = "unchanged"
        return
    row.text = format_text(old_text, merged)
    before = {
        (f.code, f.message)
        for f in check_file(old_text.encode(), rel, row.case_id, vocabulary).findings
    }
    checked = check_file(row.text.encode("utf-8"), rel, row.case_id, vocabulary)
    new_findings = [f for f in checked.findings if (f.code, f.message) not in before]
    _cell_findings(row, new_findings, row.text, file)
    row.changes = public_changes(old, merged, vocabulary)
    row.action = "update"


def _opens_private(row: Row, keys: Any, vocabulary: Vocabulary) -> bool:
    """Whether merging ``row`` in a sealed repository (``keys``) must open the case's
    private part: the row has private columns or a field a redaction rule keeps private."""
    if keys is None:
        return False
    from exilecases.format.privacy import movable_fields

    return "private" in row.case or bool(movable_fields(row.case, vocabulary))


def _sealed_shut(file: str, row: Row, rel: str, reason: str) -> ImportFinding:
    return import_finding(
        file,
        row.number,
        None,
        "I033",
        f"{rel} has a sealed private part, and this row has private values to merge into "
        f"it, but {reason.removeprefix(rel + ': ')}; nothing was merged (import never writes "
        "a private value in plaintext in a sealed repository): run the import again with "
        "an identity among data/recipients.toml's keys, or leave the private columns out",
    )


def _likely_duplicates(
    rows: list[Row], existing: _Existing, vocabulary: Vocabulary, file: str
) -> None:
    """W104's rule (``validate.cross_file``) over the existing cases and the new rows: a new
    row that looks like a case (or another row) is warned about as I032."""
    from exilecases.ops.load import identity, public_case, public_name_keys
    from exilecases.ops.validate import FileCheck, cross_file

    new = [row for row in rows if row.action == "create" and row.case_id and not row.has_errors]
    if not new:
        return
    checks = list(existing.checks)
    keys = dict(existing.keys) if existing.keys is not None else None
    by_marker: dict[str, Row] = {}
    for row in new:
        marker = f"{_MARKER}{row.number:09d}"
        public = public_case(row.case, vocabulary)
        checks.append(FileCheck(marker, identity(public)))
        if keys is not None:
            keys[marker] = public_name_keys(public)
        by_marker[marker] = row
    for item in cross_file(checks, keys):
        row = by_marker.get(item.path)
        if item.code != "W104" or row is None:
            continue
        message = _MARKED.sub(lambda m: f"row {int(m[1])} of {file}", item.message)
        row.findings.append(
            import_finding(
                file,
                row.number,
                row.origin.get(("name",)),
                "I032",
                f"{message} (the import goes ahead; to make the row that case instead, give "
                "it the same id, or map an id_column and use --update)",
            )
        )


# --- the import --------------------------------------------------------------------------------


def import_sheet(
    root: Path,
    sheet_path: Path,
    mapping_path: Path,
    vocabulary: Vocabulary,
    *,
    dry_run: bool = False,
    update: bool = False,
    skip_invalid: bool = False,
    progress: Any = None,
) -> ImportReport:
    """Import the rows of a spreadsheet as cases (see the module docstring).

    Returns the report; nothing is written when a row has an error (unless
    ``skip_invalid``), for a dry run, or when every row's case exists already. Raises
    ``MappingError`` or ``ImportStopped`` (with findings) when the import cannot start,
    ``ExilecasesError`` when a write fails (after undoing the writes of this run).
    """
    from exilecases.store.sheets import read_sheet

    mapping = load_mapping(Path(mapping_path), vocabulary)
    try:
        sheet = read_sheet(
            Path(sheet_path),
            sheet=mapping.sheet,
            header_row=mapping.header_row,
            encoding=mapping.encoding,
            delimiter=mapping.delimiter,
        )
    except ExilecasesError as error:
        if isinstance(error, ImportStopped):
            raise
        raise ImportStopped(
            [import_finding(Path(sheet_path).name, None, None, "I010", error.message)]
        ) from None
    mapper = RowMapper(mapping, sheet, vocabulary)
    rows = [row for number, cells in sheet.rows if (row := mapper.map(number, cells))]
    existing = _existing(root, vocabulary, None)
    keys = _sealing_keys(root)
    _assign_ids(rows, existing, sheet.file, mapping.id_column)
    if progress is not None:
        progress.start(len(rows))
    try:
        for row in rows:
            if row.case_id is None or row.has_errors:
                row.action = "invalid"
            elif row.existing is not None:
                if update:
                    _check_update(row, vocabulary, sheet.file, root, keys)
                else:
                    row.action = "exists"
                    row.findings.append(_exists(root, row, sheet.file))
            else:
                _check_new(row, vocabulary, sheet.file)
            if row.has_errors:
                row.action = "invalid"
            if progress is not None:
                progress.advance(1)
    finally:
        if progress is not None:
            progress.stop()
    _likely_duplicates(rows, existing, vocabulary, sheet.file)
    findings = list(mapper.warnings)
    for row in rows:
        findings.extend(row.findings)
    report = ImportReport(sheet.file, sheet.name, rows, findings, dry_run=dry_run)
    if dry_run or (report.errors and not skip_invalid):
        return report
    _write(root, rows, vocabulary, report, progress, sealed=keys is not None)
    return report


def _exists(root: Path, row: Row, file: str) -> ImportFinding:
    assert row.existing is not None
    key = row.case.get("import_key")
    how = f"import key {key!r}" if isinstance(key, str) else f"id {row.case_id!r}"
    return import_finding(
        file,
        row.number,
        None,
        "I030",
        f"exists: {_rel(root, row.existing)} has this row's {how}; not overwritten "
        "(--update merges the row into it)",
    )


def _rel(root: Path, path: Path) -> str:
    from exilecases.store.files import relative

    return relative(root, path)


def _write(
    root: Path,
    rows: list[Row],
    vocabulary: Vocabulary,
    report: ImportReport,
    progress: Any,
    *,
    sealed: bool = False,
) -> None:
    """Write every planned file under one hold of the lock; undo them all on a failure. In
    a sealed repository every private value is sealed before it is written, for the keys
    data/recipients.toml lists under the lock."""
    from exilecases.ops.update import _import_before_the_lock, edit_case
    from exilecases.store.files import case_path
    from exilecases.store.write import CaseWriter, replace_file, repository_lock

    planned = [row for row in rows if row.action in ("create", "update")]
    if not planned:
        return
    _import_before_the_lock()
    writer = CaseWriter(root)
    restore: list[tuple[Path, str]] = []
    if progress is not None:
        progress.start(len(planned))
    try:
        with repository_lock(root, notice=writer.notice):
            try:
                keys = _sealing_keys(root)  # read again under the lock
                if sealed and keys is None:
                    raise ExilecasesError(
                        "data/recipients.toml changed while the import was checked (it lists "
                        "no keys now)"
                    )
                for row in planned:
                    assert row.case_id is not None
                    if row.action == "create":
                        path = case_path(root, row.case_id)
                        rel = _rel(root, path)
                        text = _sealed(row.text, keys, rel, vocabulary) if keys else row.text
                        writer.write(path, _new_file(text), create_only=True, rel=rel)
                        report.created.append(path)
                    else:
                        seen: list[str] = []
                        rel = _rel(root, case_path(root, row.case_id))
                        transform = _merge_into(row, seen, keys, vocabulary, rel)
                        result = edit_case(root, row.case_id, transform, vocabulary, writer=writer)
                        if result.written:
                            restore.append((result.path, seen[-1]))
                            report.updated.append(result.path)
                    if progress is not None:
                        progress.advance(1)
            except (ExilecasesError, OSError) as error:
                undone = _undo(report.created, restore, replace_file)
                reason = error.message if isinstance(error, ExilecasesError) else str(error)
                report.created.clear()
                report.updated.clear()
                raise ExilecasesError(
                    f"{reason}; the import was undone ({undone}): no case of this sheet was "
                    "written",
                    kind=getattr(error, "kind", "system"),
                ) from None
    finally:
        if progress is not None:
            progress.stop()


def _new_file(text: str) -> Callable[[str | None], Any]:
    from exilecases.store.write import Update

    data = tomllib.loads(text)
    return lambda _old: Update(text, data)


def _merge_into(
    row: Row, seen: list[str], keys: Any, vocabulary: Vocabulary, rel: str
) -> Callable[[str], Any]:
    """The edit of ``--update``: the row merged into the file as it is on disk now (that
    text is kept in ``seen``, to put it back if a later write fails). In a sealed
    repository (``keys``) a row with private values is merged into the opened private part,
    which is sealed again."""
    from exilecases.ops.edit import format_text
    from exilecases.store.write import Update

    def transform(text: str) -> Update:
        seen.append(text)
        old = tomllib.loads(text)
        if not _opens_private(row, keys, vocabulary):
            merged = merge_case(old, row.case)
            return Update(format_text(text, merged), merged, before=old)
        from exilecases.format.migrate import move_into_private
        from exilecases.format.privacy import movable_fields
        from exilecases.ops.seal import close, open_text

        opened = open_text(text, keys, rel)
        merged = merge_case(opened.data, row.case)
        moved = move_into_private(merged, movable_fields(merged, vocabulary))
        whole = format_text(opened.whole, moved.data, moved.moves)
        new, data = close(opened, whole, keys, rel, moved.data)
        return Update(new, data, before=old)

    return transform


def _undo(created: list[Path], restore: list[tuple[Path, str]], replace_file: Any) -> str:
    import contextlib
    import os

    for path in created:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    for path, text in restore:
        with contextlib.suppress(OSError, ExilecasesError):
            replace_file(path, text)
    return f"{len(created)} new file(s) removed, {len(restore)} changed file(s) put back"


def _sealing_keys(root: Path) -> Any:
    """The keys of a sealed repository (``data/recipients.toml`` lists some; the identity
    is read only when a sealed part must be opened), None for one that is not sealed."""
    from exilecases.ops.seal import load_keys

    keys = load_keys(root)
    return keys if keys.sealed else None


def _sealed(text: str, keys: Any, rel: str, vocabulary: Vocabulary) -> str:
    """A new case's text with its private part sealed, and the top-level fields a rule
    keeps private moved into it (``ops.seal.seal_case``)."""
    from exilecases.ops.seal import seal_case

    return seal_case(text, keys, rel, vocabulary).text
