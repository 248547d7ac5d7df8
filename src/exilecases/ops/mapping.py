"""The mapping file of ``import``: which column of a spreadsheet fills which field.

A mapping is TOML (see docs/import.md)::

    [source]
    sheet = "Дела"
    date_format = "DD.MM.YYYY"
    id_column = "№"

    [defaults]
    origin_country = "RU"

    [columns]
    "ФИО" = "name"
    "Статус" = { field = "status", values = { "депортирован" = "deported" } }
    "Статья" = { field = "charges.basis", split = ";", prefix = "RU-CC-" }
    "Дата задержания" = { field = "events", type = "detention" }
    "Суд" = { field = "events.authority", of = "Дата задержания" }

``load_mapping`` reads one and reports its own mistakes at their own lines (codes I001 to
I004); ``CellReader`` turns one cell into the value of its field (a date from
``31.03.2025``, a vocabulary key from a word, a list from ``338; 275``) or says, in the
spreadsheet's words, why it cannot.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exilecases.errors import ExilecasesError
from exilecases.format.vocabulary import Vocabulary

#: Top-level fields a column may fill with one value.
SCALAR_FIELDS = (
    "id",
    "name",
    "name_original",
    "born",
    "origin_country",
    "host_country",
    "status",
    "risk",
    "summary",
)
#: Top-level fields that hold a list (a cell may hold several values with ``split``).
LIST_FIELDS = ("aliases", "citizenship", "categories", "distinct_from")
#: Arrays of tables a column starts an entry of (its "anchor" field), and the fields of an
#: entry other columns may fill (with ``of`` naming the anchor column).
ANCHORS = {"events": "date", "charges": "basis", "sources": "url", "contacts": "name"}
PROPERTIES = {
    "events": ("place", "authority", "outcome", "note"),
    "charges": ("date", "note"),
    "sources": ("outlet", "title", "archive_url", "published", "language", "confidence"),
    "contacts": ("role", "organisation", "note"),
}
#: Which vocabulary each field's values come from.
VOCABULARY_OF = {
    "status": "statuses",
    "categories": "categories",
    "private.status": "statuses",
    "events.outcome": "statuses",
    "charges.basis": "legal_bases",
}
DATE_FIELDS = frozenset({"born", "private.born", "events", "charges.date", "sources.published"})
COUNTRY_FIELDS = frozenset({"origin_country", "host_country", "citizenship"})
#: Keys ``[private]`` holds as tables: not fillable from one column.
_PRIVATE_TABLES = frozenset({"contacts", "events", "sources", "proceedings", "deadlines"})
_PRIVATE_KEY = re.compile(r"\A[A-Za-z][A-Za-z0-9_]{0,63}\Z")
_SOURCE_KEYS = ("sheet", "header_row", "encoding", "delimiter", "date_format", "id_column")
_RULE_KEYS = ("field", "values", "split", "prefix", "type", "of", "date_format")

#: The import findings' codes: code -> (name, severity, meaning); docs/findings.md lists them.
IMPORT_CODES: dict[str, tuple[str, str, str]] = {
    "I001": ("mapping-syntax", "error", "the mapping file is not valid TOML or not UTF-8"),
    "I002": ("mapping-key", "error", "the mapping file has a key import does not know"),
    "I003": ("mapping-field", "error", "a column is mapped to a field that cannot be imported"),
    "I004": ("mapping-value", "error", "a setting of the mapping file has a wrong value"),
    "I010": ("sheet-unreadable", "error", "the spreadsheet cannot be read"),
    "I011": ("missing-column", "error", "a mapped column is not in the sheet's header"),
    "I012": ("unmapped-column", "warning", "a column of the sheet is not mapped (not imported)"),
    "I013": ("duplicate-header", "error", "two columns of the sheet have the same name"),
    "I020": ("unmapped-value", "error", "a cell's word is not mapped to a vocabulary key"),
    "I021": ("invalid-date", "error", "a cell of a date column is not a date"),
    "I022": ("hidden-character", "error", "a cell holds a control or direction character"),
    "I023": ("cell-too-large", "error", "a cell holds more text than a field may"),
    "I024": ("formula-text", "warning", "a cell's text looks like a spreadsheet formula"),
    "I025": ("orphan-value", "error", "a cell belongs to an entry whose own column is empty"),
    "I026": ("invalid-id", "error", "a row's id cannot be made or is not a valid id"),
    "I027": ("duplicate-key", "error", "two rows have the same id_column key"),
    "I030": ("exists", "warning", "the row's case exists already (not overwritten)"),
    "I031": ("duplicate-row-id", "warning", "two rows would get the same id"),
    "I032": ("likely-duplicate", "warning", "the row looks like an existing person"),
    "I033": ("sealed-shut", "error", "a row's private values need a sealed part you cannot open"),
}
#: Longest cell text accepted (the longest text field of the format).
MAX_CELL_CHARS = 100_000
_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)


@dataclass(frozen=True)
class ImportFinding:
    """One problem of an import, where the spreadsheet (or the mapping file) has it.

    ``row`` is 1-based as the spreadsheet shows it (for the mapping file: its line);
    ``column`` is the header's text (None for a whole row or file)."""

    file: str
    row: int | None
    column: str | None
    severity: str
    code: str
    message: str

    def format(self) -> str:
        """``FILE:ROW:COLUMN: severity CODE: message`` (empty parts left out)."""
        place = self.file
        if self.row is not None:
            place += f":{self.row}"
        if self.column:
            place += f":{self.column}"
        return f"{place}: {self.severity} {self.code}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: file, row, column, severity, code, message."""
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


def import_finding(
    file: str, row: int | None, column: str | None, code: str, message: str
) -> ImportFinding:
    """An import finding; its severity comes from the catalogue (``IMPORT_CODES``), or for
    the validator's codes from their letter."""
    if code in IMPORT_CODES:
        severity = IMPORT_CODES[code][1]
    elif code[:1] in ("E", "W"):  # the validator's codes
        severity = "error" if code.startswith("E") else "warning"
    else:
        raise KeyError(f"unknown finding code {code}")
    return ImportFinding(file, row, column, severity, code, message)


class MappingError(ExilecasesError):
    """A mapping file with errors; ``findings`` says each at its line."""

    def __init__(self, findings: list[ImportFinding]) -> None:
        super().__init__(f"{len(findings)} error(s) in the mapping file", kind="usage")
        self.findings = findings


@dataclass
class Rule:
    """How one column becomes part of a case."""

    header: str
    field: str
    line: int
    values: dict[str, str] = field(default_factory=dict)
    split: str | None = None
    prefix: str | None = None
    type: str | None = None  # the event type of an ``events`` column
    of: str | None = None  # the anchor column of a property
    date_format: str | None = None

    @property
    def table(self) -> str | None:
        """The array of tables this column fills (``events``), or None."""
        head = self.field.split(".", 1)[0]
        return head if head in ANCHORS else None

    @property
    def is_anchor(self) -> bool:
        """True for the column that starts an entry (an event's date, a charge's basis)."""
        table = self.table
        return table is not None and (
            self.field == table or self.field == f"{table}.{ANCHORS[table]}"
        )

    @property
    def key(self) -> str:
        """The entry's key this column fills (``authority``; ``date`` for an event column)."""
        table = self.table
        if table is None:
            return self.field
        return ANCHORS[table] if self.field == table else self.field.split(".", 1)[1]


@dataclass
class Mapping:
    """A parsed mapping file."""

    path: Path
    sheet: str | None = None
    header_row: int = 1
    encoding: str = "auto"
    delimiter: str = "auto"
    date_format: str | None = None
    id_column: str | None = None
    defaults: dict[str, Any] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The file name shown in findings."""
        return self.path.name


# --- reading the mapping file -------------------------------------------------------------


def importable_fields() -> list[str]:
    """Every field a column may be mapped to (``private.KEY`` stands for any key)."""
    fields = [*SCALAR_FIELDS, *LIST_FIELDS]
    for table, anchor in ANCHORS.items():
        fields.append("events" if table == "events" else f"{table}.{anchor}")
        fields.extend(f"{table}.{key}" for key in PROPERTIES[table])
    return [*fields, "private.KEY"]


def load_mapping(path: Path, vocabulary: Vocabulary) -> Mapping:
    """Read and check a mapping file. Raises ``MappingError`` with every mistake at its
    line, or ``ExilecasesError`` when the file cannot be read at all."""
    from exilecases.store.sheets import read_bytes

    path = Path(path)
    raw = read_bytes(path, 1_000_000)
    name = path.name
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise MappingError(
            [
                import_finding(
                    name, line, None, "I001", "the mapping file is not UTF-8; save it as UTF-8"
                )
            ]
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        line = int(match[1]) if match else 1
        summary = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise MappingError(
            [import_finding(name, line, None, "I001", f"TOML syntax: {summary}")]
        ) from None
    return _MappingReader(path, text, data, vocabulary).read()


class _MappingReader:
    def __init__(self, path: Path, text: str, data: dict[str, Any], vocabulary: Vocabulary):
        from exilecases.format.positions import KeyPositions

        self.mapping = Mapping(path)
        self.text, self.data, self.vocabulary = text, data, vocabulary
        self.positions = KeyPositions(text)
        self.findings: list[ImportFinding] = []

    def line(self, *path: str) -> int:
        return self.positions.locate(path)[0]

    def error(self, path: tuple[str, ...], code: str, message: str) -> None:
        self.findings.append(
            import_finding(self.mapping.name, self.line(*path), None, code, message)
        )

    def read(self) -> Mapping:
        for key in self.data:
            if key not in ("source", "defaults", "columns"):
                self.error((key,), "I002", _unknown("", key, ("source", "defaults", "columns")))
        self._source(self.data.get("source", {}))
        columns = self.data.get("columns")
        if not isinstance(columns, dict) or not columns:
            self.error(
                ("columns",),
                "I002" if columns is None else "I004",
                'the mapping has no [columns] table; map at least one column, e.g. "ФИО" = "name"',
            )
        else:
            for header, rule in columns.items():
                self._column(header, rule)
            self._links()
        self._defaults(self.data.get("defaults", {}))
        if self.findings:
            raise MappingError(self.findings)
        return self.mapping

    def _source(self, source: Any) -> None:
        if not isinstance(source, dict):
            self.error(("source",), "I004", "[source] must be a table")
            return
        for key, value in source.items():
            where = ("source", key)
            if key not in _SOURCE_KEYS:
                self.error(where, "I002", _unknown("[source]", key, _SOURCE_KEYS))
            elif key == "header_row":
                if type(value) is not int or not 1 <= value <= 1000:
                    self.error(
                        where, "I004", "header_row is the number of the header's row, e.g. 1"
                    )
                else:
                    self.mapping.header_row = value
            elif not isinstance(value, str) or not value.strip():
                self.error(where, "I004", f"{key} must be text in quotes")
            elif key == "date_format" and (problem := _date_format_problem(value)):
                self.error(where, "I004", problem)
            elif key == "encoding" and value.strip().lower() not in (
                "auto",
                "utf-8",
                "utf8",
                "utf-8-sig",
                "cp1251",
                "windows-1251",
            ):
                self.error(where, "I004", f"unknown encoding {value!r}; use auto, utf-8 or cp1251")
            elif key == "delimiter" and value.lower() not in ("auto", ",", ";", "tab", "\t"):
                self.error(
                    where, "I004", f'unknown delimiter {value!r}; use auto, ",", ";" or "tab"'
                )
            else:
                setattr(self.mapping, key, value)

    def _column(self, header: str, rule: Any) -> None:
        where = ("columns", header)
        if isinstance(rule, str):
            rule = {"field": rule}
        if not isinstance(rule, dict):
            self.error(
                where,
                "I004",
                'a column maps to a field name in quotes or a table { field = "..." }',
            )
            return
        for key in rule:
            if key not in _RULE_KEYS:
                self.error(where, "I002", _unknown(f'[columns."{header}"]', key, _RULE_KEYS))
        target = rule.get("field")
        if not isinstance(target, str):
            self.error(where, "I004", f'column "{header}" needs field = "..." (the field it fills)')
            return
        line = self.line(*where)
        parsed = Rule(header.strip(), target.strip(), line)
        if not self._known_field(parsed.field, where):
            return
        for key in ("split", "prefix", "type", "of", "date_format"):
            value = rule.get(key)
            if value is None:
                continue
            if not isinstance(value, str) or (key != "split" and not value.strip()):
                self.error(where, "I004", f'{key} must be text in quotes, e.g. {key} = ";"')
                continue
            setattr(parsed, key, value if key == "split" else value.strip())
        values = rule.get("values", {})
        if not isinstance(values, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in values.items()
        ):
            self.error(
                where, "I004", 'values maps words to keys: values = { "депортирован" = "deported" }'
            )
        else:
            parsed.values = {k.strip(): v.strip() for k, v in values.items()}
            kind = VOCABULARY_OF.get(parsed.field)
            if kind:
                for word, key in parsed.values.items():
                    if not self.vocabulary.has(kind, (parsed.prefix or "") + key) and not (
                        self.vocabulary.has(kind, key)
                    ):
                        suggestion = self.vocabulary.suggest(kind, key)
                        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
                        self.error(
                            where,
                            "I004",
                            f"values: {word!r} maps to {key!r}, which is not in the vocabulary "
                            f"of {kind}{hint}",
                        )
        if parsed.split is not None and not (
            parsed.field in LIST_FIELDS or parsed.field == "charges.basis"
        ):
            self.error(
                where, "I004", f"split works on list fields and charges.basis, not {parsed.field}"
            )
        if parsed.prefix is not None and parsed.field != "charges.basis":
            self.error(where, "I004", "prefix works on charges.basis only")
        if parsed.field == "events":
            if parsed.type is None:
                self.error(
                    where, "I004", 'an events column needs the event type: type = "detention"'
                )
            elif not self.vocabulary.has("event_types", parsed.type):
                suggestion = self.vocabulary.suggest("event_types", parsed.type)
                hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
                self.error(where, "I004", f"unknown event type {parsed.type!r}{hint}")
        elif parsed.type is not None:
            self.error(where, "I004", 'type works on events columns only: field = "events"')
        if parsed.of is not None and (parsed.table is None or parsed.is_anchor):
            self.error(where, "I004", "of works on the fields of an entry (events.authority, ...)")
        if parsed.date_format and (problem := _date_format_problem(parsed.date_format)):
            self.error(where, "I004", problem)
        self.mapping.rules.append(parsed)

    def _known_field(self, target: str, where: tuple[str, ...]) -> bool:
        if target in SCALAR_FIELDS or target in LIST_FIELDS:
            return True
        if target.startswith("private."):
            key = target.removeprefix("private.")
            if _PRIVATE_KEY.match(key) and key not in _PRIVATE_TABLES:
                return True
            self.error(
                where,
                "I003",
                f"{target!r}: a private column fills one key, private.NAME (letters, digits, _)",
            )
            return False
        head = target.split(".", 1)[0]
        if head in ANCHORS:
            anchor = "events" if head == "events" else f"{head}.{ANCHORS[head]}"
            allowed = [anchor, *(f"{head}.{key}" for key in PROPERTIES[head])]
            if target in allowed:
                return True
            self.error(where, "I003", _unknown(f"[[{head}]]", target, allowed, "field"))
            return False
        self.error(where, "I003", _unknown("", target, importable_fields(), "field"))
        return False

    def _links(self) -> None:
        """Each property column names its anchor with ``of``, unless its table has one."""
        anchors: dict[str, list[Rule]] = {}
        seen: dict[str, Rule] = {}
        for rule in self.mapping.rules:
            if rule.is_anchor:
                anchors.setdefault(rule.table or "", []).append(rule)
            single = rule.table is None and rule.field not in LIST_FIELDS
            if single and rule.field in seen:
                self.error(
                    ("columns", rule.header),
                    "I004",
                    f'columns "{seen[rule.field].header}" and "{rule.header}" both fill '
                    f"{rule.field}, which holds one value; map one of them elsewhere",
                )
            seen.setdefault(rule.field, rule)
        by_header = {rule.header: rule for rule in self.mapping.rules}
        for rule in self.mapping.rules:
            if rule.table is None or rule.is_anchor:
                continue
            where = ("columns", rule.header)
            choices = anchors.get(rule.table, [])
            if rule.of is None:
                if len(choices) == 1:
                    rule.of = choices[0].header
                else:
                    what = "no column starts" if not choices else "several columns start"
                    self.error(
                        where,
                        "I004",
                        f"{what} a [[{rule.table}]] entry; say which one this column belongs "
                        'to with of = "COLUMN"',
                    )
                continue
            target = by_header.get(rule.of)
            if target is None or target.table != rule.table or not target.is_anchor:
                names = ", ".join(f'"{r.header}"' for r in choices) or "none mapped"
                self.error(
                    where,
                    "I004",
                    f'of = "{rule.of}" names no column that starts a [[{rule.table}]] entry '
                    f"(those that do: {names})",
                )

    def _defaults(self, defaults: Any) -> None:
        if not isinstance(defaults, dict):
            self.error(("defaults",), "I004", "[defaults] must be a table")
            return
        for key, value in defaults.items():
            where = ("defaults", key)
            if key in ("id", "name") or key not in (*SCALAR_FIELDS, *LIST_FIELDS):
                allowed = [k for k in (*SCALAR_FIELDS, *LIST_FIELDS) if k not in ("id", "name")]
                self.error(where, "I002", _unknown("[defaults]", key, allowed, "field"))
            elif key in LIST_FIELDS and not (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            ):
                self.error(where, "I004", f'{key} is a list: {key} = ["..."]')
            elif key not in LIST_FIELDS and not isinstance(value, str):
                self.error(where, "I004", f"{key} must be text in quotes")
            else:
                self.mapping.defaults[key] = value


def _unknown(where: str, key: str, known: Any, noun: str = "key") -> str:
    import difflib

    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    shown = f" in {where}" if where else ""
    return f"unknown {noun} {key!r}{shown}{hint}; known: {', '.join(known)}"


# --- dates ------------------------------------------------------------------------------------

_DATE_TOKENS = {"YYYY": r"(?P<y>\d{4})", "MM": r"(?P<m>\d{1,2})", "DD": r"(?P<d>\d{1,2})"}
_TOKEN = re.compile("YYYY|MM|DD")


def _date_format_problem(spec: str) -> str | None:
    tokens = _TOKEN.findall(spec)
    if "YYYY" not in tokens or len(tokens) != len(set(tokens)):
        return (
            f"date_format {spec!r} needs YYYY once, and MM and DD at most once, e.g. "
            '"DD.MM.YYYY" or "MM/DD/YYYY"'
        )
    if "DD" in tokens and "MM" not in tokens:
        return f"date_format {spec!r} has a day (DD) without a month (MM)"
    return None


def date_patterns(spec: str) -> list[re.Pattern[str]]:
    """Regular expressions for a date format such as ``DD.MM.YYYY``: the full form, then
    the same without the day (``MM.YYYY``), then the year alone; each may end in ``?``,
    ``~`` or ``%`` as EDTF does."""
    forms = [spec]
    without_day = re.sub(r"DD[^A-Z]?|[^A-Z]?DD", "", spec, count=1) if "DD" in spec else None
    if without_day:
        forms.append(without_day)
    forms.append("YYYY")
    patterns = []
    for form in dict.fromkeys(forms):
        parts = []
        for piece in re.split("(YYYY|MM|DD)", form):
            parts.append(_DATE_TOKENS.get(piece, re.escape(piece)))
        patterns.append(re.compile(r"\A" + "".join(parts) + r"\s*(?P<q>[?~%])?\Z"))
    return patterns


# --- cells ---------------------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot become its field's value: ``code`` and a message in the sheet's
    words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def cell_text(cell: Any) -> str | None:
    """The text of a cell as a person reads it (None for an empty one): numbers without a
    trailing ``.0``, dates as ISO, line breaks as ``\\n``, outer blanks removed."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        text = "true" if cell else "false"
    elif isinstance(cell, float):
        text = str(int(cell)) if cell.is_integer() and abs(cell) < 1e16 else repr(cell)
    elif isinstance(cell, dt.datetime):
        text = cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
    elif isinstance(cell, dt.date | dt.time):
        text = cell.isoformat()
    elif isinstance(cell, dt.timedelta):
        text = str(cell)
    else:
        text = str(cell)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


class CellReader:
    """Turns the cells of one mapping's columns into field values."""

    def __init__(self, mapping: Mapping, vocabulary: Vocabulary) -> None:
        self.mapping = mapping
        self.vocabulary = vocabulary
        self._patterns: dict[str, list[re.Pattern[str]]] = {}
        self._folded: dict[int, dict[str, str]] = {}

    def check_text(self, text: str) -> None:
        """Refuse hidden characters and huge cells (``CellError``)."""
        if len(text) > MAX_CELL_CHARS:
            raise CellError(
                "I023",
                f"the cell holds {len(text):,} characters; a field holds at most "
                f"{MAX_CELL_CHARS:,} (keep long documents outside and link them as a source)",
            )
        hidden = _HIDDEN.search(text)
        if hidden:
            where = hidden.start() + 1
            raise CellError(
                "I022",
                f"the cell holds the invisible character U+{ord(hidden.group()):04X} at "
                f"character {where}; delete it in the spreadsheet (it can hide or reorder "
                "text on screen)",
            )

    def value(self, rule: Rule, cell: Any) -> Any:
        """The value a cell gives its field: text, a list of texts, or None when empty.
        Raises ``CellError`` when the cell cannot be that field's value."""
        if (
            rule.field in DATE_FIELDS
            or (rule.table == "charges" and rule.key == "date")
            or (rule.table == "sources" and rule.key == "published")
        ):
            return self.date(rule, cell)
        text = cell_text(cell)
        if text is None:
            return None
        self.check_text(text)
        if rule.field in LIST_FIELDS or rule.field == "charges.basis":
            items = text.split(rule.split) if rule.split else [text]
            values = [self.word(rule, item.strip()) for item in items if item.strip()]
            return list(dict.fromkeys(values)) or None
        return self.word(rule, text)

    def word(self, rule: Rule, text: str) -> str:
        """One value through the column's value map and the field's rules: the prefix of a
        legal basis (unless the cell names a known basis already), capitals for country
        codes. A word of a status or category column that is neither mapped nor a key is
        an error (I020); an unknown legal basis is left to the validator (E023)."""
        mapped = rule.values.get(text)
        if mapped is None and rule.values:
            mapped = self._fold(rule).get(_folded(text))
        kind = VOCABULARY_OF.get(rule.field)
        if mapped is None:
            mapped = text
            if kind in ("statuses", "categories") and not self.vocabulary.has(kind, text):
                raise CellError("I020", self._unmapped(rule, kind, text))
        known = kind is not None and self.vocabulary.has(kind, mapped)
        if rule.prefix and not mapped.startswith(rule.prefix) and not known:
            mapped = rule.prefix + mapped
        if rule.field in COUNTRY_FIELDS:
            mapped = mapped.upper()
        return mapped

    def _fold(self, rule: Rule) -> dict[str, str]:
        key = id(rule)
        if key not in self._folded:
            self._folded[key] = {_folded(word): value for word, value in rule.values.items()}
        return self._folded[key]

    def _unmapped(self, rule: Rule, kind: str, text: str) -> str:
        import difflib

        candidates = list(rule.values)
        close = difflib.get_close_matches(_folded(text), [_folded(c) for c in candidates], n=1)
        suggestion = next((c for c in candidates if close and _folded(c) == close[0]), None)
        if suggestion is None:
            suggestion = self.vocabulary.suggest(kind, (rule.prefix or "") + text)
        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        return f'{text!r} is not mapped; add it under [columns."{rule.header}".values]{hint}'

    def date(self, rule: Rule, cell: Any) -> str | None:
        """An EDTF date from a date cell: a spreadsheet date, an ISO or EDTF text, or text
        in the column's (else the mapping's) ``date_format``."""
        from exilecases.format.dates import DateError, normalise_date

        if cell is None or cell == "":
            return None
        if isinstance(cell, dt.datetime):
            return cell.date().isoformat()
        if isinstance(cell, dt.date):
            return cell.isoformat()
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            if float(cell).is_integer() and 1000 <= cell <= 2999:
                return str(int(cell))
            raise CellError("I021", f"{cell!r} is a number, not a date; format the cell as a date")
        text = cell_text(cell)
        if text is None:
            return None
        self.check_text(text)
        try:
            return normalise_date(text)
        except DateError as error:
            iso_problem = str(error)
        spec = rule.date_format or self.mapping.date_format
        if spec:
            if spec not in self._patterns:
                self._patterns[spec] = date_patterns(spec)
            for pattern in self._patterns[spec]:
                match = pattern.match(text)
                if match is None:
                    continue
                parts = match.groupdict()
                edtf = parts["y"]
                if parts.get("m"):
                    edtf += f"-{int(parts['m']):02d}"
                if parts.get("d"):
                    edtf += f"-{int(parts['d']):02d}"
                edtf += parts.get("q") or ""
                try:
                    return normalise_date(edtf)
                except DateError as error:
                    raise CellError("I021", f"{text!r}: {error}") from None
            raise CellError(
                "I021",
                f"{text!r} is not a date in the form {spec} (nor YYYY-MM-DD); a partial date "
                "leaves out the day, or is the year alone, and may end in ? (uncertain) or ~ "
                "(approximate); a range of dates cannot be imported: write its first date "
                "and the rest in a note",
            )
        raise CellError("I021", f"{iso_problem}; or set date_format in the mapping's [source]")


def _folded(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())
