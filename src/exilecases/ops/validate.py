"""Findings for case files: every rule of the format, per file and across files.

``check_file`` turns the bytes of one file into a normalised case (or none) and its findings;
``cross_file`` adds the rules that need every case at once. Nothing here raises for bad
input: every problem becomes a ``Finding`` at the line of the offending key or table.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exilecases.errors import ExilecasesError
from exilecases.format.dates import DateError, parse_date, sort_key_or_last
from exilecases.format.fields import numbered_entries
from exilecases.format.findings import ERROR, Finding, finding
from exilecases.format.positions import KeyPositions, toml_lines, top_level_position
from exilecases.format.vocabulary import KIND_NOUNS, Vocabulary
from exilecases.store.files import MAX_FILE_BYTES

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_CONFLICT_START = re.compile(r"^<{7}(?: |\Z)")
_CONFLICT_MIDDLE = re.compile(r"^={7}\Z")
_CONFLICT_END = re.compile(r"^>{7}(?: |\Z)")
#: Deepest nesting of arrays and tables a case may have (a case needs three).
MAX_NESTING = 32
#: The top-level keys whose lines cross-file findings need (E042 at ``id``, W104 at
#: ``name``).
PLACED = ("id", "name")
#: At most this many cases are named in one W104 finding; the others are counted.
W104_NAMED = 5
#: Spellings of names (folded keys) compared pairwise within one block at most; a larger
#: block is matched on exact keys only, so no block costs more than this squared.
FUZZY_BLOCK_LIMIT = 200
#: Words shorter than this must be equal for two names to match.
FUZZY_MIN_LENGTH = 5


@dataclass
class FileCheck:
    """The outcome of checking one file: its case (when readable) and its findings."""

    rel: str
    case: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)
    #: The file on disk, read again only when a cross-file finding needs a line.
    path: Path | None = None
    #: Line and column of the top-level keys the cross-file rules point at (``PLACED``),
    #: found while the text was at hand (the index stores them too).
    places: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: True when a finding depends on today's date (an event dated in the future): the
    #: index checks such a file again on every run instead of keeping its findings.
    volatile: bool = False

    @property
    def ok(self) -> bool:
        """True when the file has no error (warnings allowed): other commands may use it."""
        return self.case is not None and not any(f.severity == ERROR for f in self.findings)

    @property
    def first_error(self) -> Finding | None:
        """The first error, for one-line "skipped" warnings."""
        return next((f for f in self.findings if f.severity == ERROR), None)


class _Reporter:
    """Collects findings for one file, locating keys lazily (only when there is a finding)."""

    def __init__(self, rel: str, text: str) -> None:
        self.rel = rel
        self.text = text
        self.findings: list[Finding] = []
        self._positions: KeyPositions | None = None

    def at(self, path: Sequence[str | int], code: str, message: str) -> None:
        if self._positions is None:
            self._positions = KeyPositions(self.text)
        line, col = self._positions.locate(path)
        self.findings.append(finding(self.rel, line, col, code, message))


def check_file(
    raw: bytes,
    rel: str,
    stem: str,
    vocabulary: Vocabulary,
    path: Path | None = None,
    today: dt.date | None = None,
    *,
    parsed: dict[str, Any] | None = None,
) -> FileCheck:
    """Check the bytes of one case file named ``stem``.toml; ``rel`` is its display path.

    ``today`` (default: the real today) is the day after which only scheduled events may
    be dated. ``parsed`` is what ``tomllib`` made of these very bytes, when the caller has
    it already (the write path parses every new text): it saves parsing a large file twice.
    """
    result = FileCheck(rel, path=path)
    text = _decode(raw, rel, result)
    if text is None:
        return result
    data = _parse(text, rel, result, parsed)
    if data is None:
        return result
    for key in PLACED:
        if key in data and (where := top_level_position(text, key)) is not None:
            result.places[key] = where
    reporter = _Reporter(rel, text)
    case = _check_schema(data, reporter)
    _check_unknown_keys(data, reporter)
    _check_numbers(data, reporter)
    _check_rules(case if case is not None else data, stem, vocabulary, reporter)
    future = _check_future_events(
        case if case is not None else data, vocabulary, reporter, today or dt.date.today()
    )
    result.volatile = future
    result.findings.extend(reporter.findings)
    result.case = case
    result.findings.sort(key=Finding.sort_key)
    return result


def _decode(raw: bytes, rel: str, result: FileCheck) -> str | None:
    if len(raw) > MAX_FILE_BYTES:
        result.findings.append(
            finding(
                rel,
                1,
                1,
                "E005",
                f"the file is {len(raw):,} bytes; a case file may hold at most "
                f"{MAX_FILE_BYTES:,} (move attachments out of the case file)",
            )
        )
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        result.findings.append(
            finding(
                rel,
                line,
                col,
                "E003",
                f"byte 0x{raw[error.start]:02x} is not UTF-8; save the file as UTF-8 "
                "(in most editors: Save with encoding > UTF-8)",
            )
        )
        return None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        result.findings.append(
            finding(rel, 1, 1, "E002", "the file is empty; write a case or delete the file")
        )
        return None
    conflicts = _conflicts(text, rel)
    if conflicts:
        result.findings.extend(conflicts)
        return None
    return text


def _conflicts(text: str, rel: str) -> list[Finding]:
    """One finding per block of git conflict markers."""
    if "<<<<<<<" not in text and "=======" not in text and ">>>>>>>" not in text:
        return []
    found = []
    start: int | None = None
    for number, line in enumerate(toml_lines(text), start=1):
        if _CONFLICT_START.match(line):
            start = number
        elif _CONFLICT_END.match(line) and start is not None:
            found.append(_conflict_finding(rel, start, number))
            start = None
    if start is not None:
        found.append(_conflict_finding(rel, start, None))
    if not found and any(_CONFLICT_MIDDLE.match(line) for line in toml_lines(text)):
        line = next(n for n, t in enumerate(toml_lines(text), start=1) if _CONFLICT_MIDDLE.match(t))
        found.append(_conflict_finding(rel, line, None))
    return found


def _conflict_finding(rel: str, start: int, end: int | None) -> Finding:
    lines = f"lines {start}-{end}" if end else f"from line {start}"
    return finding(
        rel,
        start,
        1,
        "E004",
        f"conflict in {rel} {lines}: keep the right version between the <<<<<<< ======= "
        ">>>>>>> markers, delete the markers, then run exilecases validate",
    )


def _parse(
    text: str, rel: str, result: FileCheck, parsed: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(text) if parsed is None else parsed
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _TOML_POSITION.search(message)
        line, col = (int(match[1]), int(match[2])) if match else (text.count("\n") + 1, 1)
        summary = _TOML_POSITION.sub("", message).strip()
        result.findings.append(
            finding(
                rel,
                line,
                col,
                "E001",
                f"TOML syntax: {summary}; see https://toml.io for the syntax "
                '(strings in "quotes", one key = value per line, tables as [name])',
            )
        )
        return None
    except RecursionError:
        result.findings.append(
            finding(rel, 1, 1, "E005", "the file is nested too deeply to be a case file")
        )
        return None
    if not data:
        result.findings.append(
            finding(rel, 1, 1, "E002", "the file holds no keys, only comments; write a case")
        )
        return None
    if any(_depth_exceeds(value, MAX_NESTING) for _, value in _free_form_values(data)):
        result.findings.append(
            finding(rel, 1, 1, "E005", "the file is nested too deeply to be a case file")
        )
        return None
    return data


def _free_form_values(data: dict[str, Any]) -> Iterable[tuple[tuple[str | int, ...], Any]]:
    """The values whose shape the schema does not fix (``[private]`` and unknown keys, at
    the top and in table entries), with their paths: the only places a file can nest
    without bound, or hold a number. Every other value is a string, a list of strings or a
    table of those, or a schema error."""
    from exilecases.format.fields import KEY_ORDER

    for key, value in data.items():
        if key == "private" or key not in KEY_ORDER["case"]:
            yield (key,), value
    for table in _TABLE_ARRAYS:
        entries = data.get(table)
        if isinstance(entries, list):
            for index, entry in enumerate(entries):
                if isinstance(entry, dict):
                    for key, value in entry.items():
                        if key not in KEY_ORDER[table]:
                            yield (table, index, key), value
                else:
                    yield (table, index), entry


def _depth_exceeds(value: Any, limit: int) -> bool:
    """True when tables and arrays nest deeper than ``limit`` (dotted keys such as
    ``a.b.c...`` can nest a table thousands deep without any recursion in the parser)."""
    if not isinstance(value, dict | list):
        return False
    stack = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if level > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return False


# --- the schema (pydantic) -------------------------------------------------------------

_TYPE_WORDS = {
    "string_type": "text in quotes",
    "list_type": 'a list, e.g. ["..."]',
    "bool_type": "true or false",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "int_type": "a whole number",
}
_TABLE_ARRAYS = {"charges", "proceedings", "events", "deadlines", "sources", "contacts"}


def _check_schema(data: dict[str, Any], reporter: _Reporter) -> dict[str, Any] | None:
    from pydantic import ValidationError

    from exilecases.format.model import Case, normalise_case

    try:
        return normalise_case(Case.model_validate(data))
    except ValidationError as error:
        seen: set[tuple] = set()
        for item in error.errors(include_url=False):
            loc = tuple(item["loc"])
            # One message per key: a union type reports each alternative that failed.
            if loc in seen:
                continue
            seen.add(loc)
            code, message = _schema_message(item["type"], loc, item)
            reporter.at(loc, code, message)
        return None


def _schema_message(kind: str, loc: tuple, item: dict) -> tuple[str, str]:
    keys = [part for part in loc if isinstance(part, str)]
    key = keys[-1] if keys else "?"
    table = loc[0] if len(loc) > 2 and loc[0] in _TABLE_ARRAYS else None
    if len(loc) > 3 and loc[0] == "private" and loc[1] in _TABLE_ARRAYS:
        table = f"private.{loc[1]}"
    where = f" in this [[{table}]] entry" if table else ""
    value = item.get("input")
    if kind == "missing":
        if table:
            return "E010", f"this [[{table}]] entry has no `{key}`, which is required"
        return "E010", f"required field `{key}` is missing; add `{key} = ...` to the file"
    if kind in ("invalid-date", "impossible-date"):
        return ("E030" if kind == "invalid-date" else "E031"), f"`{key}`{where}: {item['msg']}"
    if kind == "string_pattern_mismatch":
        if key in ("origin_country", "host_country", "citizenship"):
            return "E012", (
                f"`{key}`: {value!r} is not a country code; use the two capital letters of "
                'ISO 3166-1, e.g. "RU", "KZ" ("XX" = stateless)'
            )
        return "E012", f"`{key}`{where}: {value!r} is not allowed ({item['msg']})"
    if kind == "literal_error":
        expected = item.get("ctx", {}).get("expected", "")
        return "E012", f"`{key}`{where}: {value!r} is not allowed; use {expected}"
    if kind == "string_too_long":
        return "E005", f"`{key}`{where} is too long ({len(str(value)):,} characters)"
    if key in _TABLE_ARRAYS and len(loc) <= 2:
        return "E011", f"`{key}` must be an array of tables, each written [[{key}]]"
    wanted = _TYPE_WORDS.get(kind, item["msg"].lower())
    if isinstance(loc[-1], int):
        return "E011", f"`{key}`{where} must be a list of {wanted.split(',')[0]}s" if (
            kind == "string_type"
        ) else f"`{key}`{where}: item {loc[-1] + 1} must be {wanted}"
    return "E011", f"`{key}`{where} must be {wanted}, not {_toml_type(value)}"


def _toml_type(value: Any) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list"}
    for python_type, name in names.items():
        if isinstance(value, python_type):
            return name
    return "a table" if isinstance(value, dict) else type(value).__name__


def _check_unknown_keys(data: dict[str, Any], reporter: _Reporter) -> None:
    from exilecases.format.fields import KEY_ORDER

    for key in data:
        if key not in KEY_ORDER["case"]:
            reporter.at((key,), "W101", _unknown_key_message(key, KEY_ORDER["case"], "the case"))
    for table in _TABLE_ARRAYS:
        entries = data.get(table)
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            for key in entry:
                if key not in KEY_ORDER[table]:
                    reporter.at(
                        (table, index, key),
                        "W101",
                        _unknown_key_message(key, KEY_ORDER[table], f"[[{table}]]"),
                    )


def _check_numbers(data: dict[str, Any], reporter: _Reporter) -> None:
    """E013 for every ``inf``, ``-inf`` and ``nan``: JSON has no such numbers (an export
    would write ``null``). Only free-form values can hold a number: anywhere else a number
    is already a wrong type (E011)."""
    stack = list(_free_form_values(data))
    while stack:
        path, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            reporter.at(path, "E013", _non_finite_message(path, value))
        elif isinstance(value, dict):
            stack.extend(((*path, key), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in enumerate(value))


def _non_finite_message(path: tuple[str | int, ...], value: float) -> str:
    spelling = "nan" if math.isnan(value) else repr(value)  # TOML's own spelling
    entry = path[0] in _TABLE_ARRAYS and len(path) > 2
    keys = ".".join(part for part in path[2 if entry else 0 :] if isinstance(part, str))
    where = f" in this [[{path[0]}]] entry" if entry else ""
    item = f" (item {path[-1] + 1})" if isinstance(path[-1], int) else ""
    return (
        f"`{keys}`{where}{item} is {spelling}, a number that is not finite: JSON cannot "
        f'hold it (an export would write null); write it as text in quotes, "{spelling}", '
        "or remove it"
    )


def _unknown_key_message(key: str, known: list[str], where: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean `{close[0]}`? " if close else ""
    return (
        f"unknown key `{key}` in {where} ({hint}it is kept, but no command reads it; "
        "put free notes in `summary` or `[private]`)"
    )


# --- the rules ------------------------------------------------------------------------


def _check_rules(case: dict[str, Any], stem: str, vocabulary: Vocabulary, r: _Reporter) -> None:
    from exilecases.format.model import ID_PATTERN, ID_RULE

    case_id = case.get("id")
    if isinstance(case_id, str):
        if not ID_PATTERN.match(case_id):
            r.at(("id",), "E041", f"id {case_id!r} is not valid: an id is {ID_RULE}")
        if case_id != stem:
            r.at(
                ("id",),
                "E040",
                f"id {case_id!r} differs from the file name {stem!r}.toml; an id is the file "
                f'name without .toml: rename the file or write id = "{stem}"',
            )
    _check_vocabulary(case, vocabulary, r)
    _check_sources(case, r)
    _check_status_consistency(case, r)
    _check_proceedings(case, vocabulary, r)
    _check_private_fields(case, r)
    _check_hidden_characters(case, r)


def _check_hidden_characters(case: dict[str, Any], r: _Reporter) -> None:
    """W106 where a name, alias or id holds characters a reader cannot see (zero-width,
    bidi overrides and isolates, other format characters, controls): two files for one
    person can look different to the tool and the same on screen, or the reverse."""
    from exilecases.format.chars import hidden_characters

    names: list[tuple[tuple[str | int, ...], Any]] = [
        (("id",), case.get("id")),
        (("name",), case.get("name")),
        (("name_original",), case.get("name_original")),
    ]
    aliases = case.get("aliases")
    if isinstance(aliases, list):
        names += [(("aliases",), alias) for alias in aliases]
    for path, value in names:
        if not isinstance(value, str):
            continue
        hidden = hidden_characters(value)
        if hidden:
            r.at(
                path,
                "W106",
                f"`{path[0]}` holds characters that do not show on screen "
                f"({', '.join(hidden)}): {value!r}; retype it without them (search and the "
                "duplicate check ignore the invisible ones)",
            )


def _vocabulary_message(vocabulary: Vocabulary, kind: str, key: str) -> str:
    noun = KIND_NOUNS[kind]
    suggestion = vocabulary.suggest(kind, key)
    hint = f"did you mean {suggestion!r}? " if suggestion else ""
    return (
        f"unknown {noun} {key!r}; {hint}if it is new, define it in "
        f'{vocabulary.extension_file} as [{kind}."{key}"] with a label'
    )


_entries = numbered_entries


def _all_entries(case: dict[str, Any], table: str) -> Iterable[tuple[tuple, dict[str, Any]]]:
    """The entries of ``[[TABLE]]`` and of ``[[private.TABLE]]``, each with its key path."""
    for index, entry in _entries(case, table):
        yield (table, index), entry
    room = case.get("private")
    if isinstance(room, dict):
        for index, entry in _entries(room, table):
            yield ("private", table, index), entry


def _public_entries(case: dict[str, Any], table: str) -> Iterable[tuple[int, dict[str, Any]]]:
    """The entries of ``[[TABLE]]`` not marked private (what the public view keeps)."""
    from exilecases.format.privacy import is_marked_private

    for index, entry in _entries(case, table):
        if not is_marked_private(entry):
            yield index, entry


def _check_vocabulary(case: dict[str, Any], vocabulary: Vocabulary, r: _Reporter) -> None:
    def check(kind: str, value: Any, path: tuple, code: str) -> None:
        if isinstance(value, str) and not vocabulary.has(kind, value):
            r.at(path, code, _vocabulary_message(vocabulary, kind, value))

    check("statuses", case.get("status"), ("status",), "E020")
    room = case.get("private")
    if isinstance(room, dict):
        check("statuses", room.get("status"), ("private", "status"), "E020")
    categories = case.get("categories")
    if isinstance(categories, list):
        for category in categories:
            check("categories", category, ("categories",), "E021")
    for where, event in _all_entries(case, "events"):
        check("event_types", event.get("type"), (*where, "type"), "E022")
        check("statuses", event.get("outcome"), (*where, "outcome"), "E020")
    for index, charge in _entries(case, "charges"):
        check("legal_bases", charge.get("basis"), ("charges", index, "basis"), "E023")
    for where, index, entry in _format2_entries(case, "proceedings"):
        check("proceeding_types", entry.get("type"), (*where, index, "type"), "E070")
    for where, index, entry in _format2_entries(case, "deadlines"):
        check("deadline_types", entry.get("type"), (*where, index, "type"), "E071")


def _check_sources(case: dict[str, Any], r: _Reporter) -> None:
    # A private source may be cited by a public entry: the public view drops the citation.
    defined: set[str] = set()
    for where, source in _all_entries(case, "sources"):
        source_id = source.get("id")
        if not isinstance(source_id, str):
            continue
        if source_id in defined:
            r.at(
                (*where, "id"),
                "E051",
                f"source id {source_id!r} is defined twice in this file; give each "
                "[[sources]] entry its own id",
            )
        defined.add(source_id)
    for table in ("events", "charges", "proceedings", "deadlines"):
        for where, entry in _all_entries(case, table):
            cited = entry.get("sources")
            if not isinstance(cited, list):
                continue
            for source_id in cited:
                if isinstance(source_id, str) and source_id not in defined:
                    known = ", ".join(sorted(defined)) or "none yet"
                    r.at(
                        (*where, "sources"),
                        "E050",
                        f"cites source {source_id!r}, which this file does not define "
                        f"(defined: {known}); add a [[sources]] entry with "
                        f'id = "{source_id}"',
                    )


def _check_status_consistency(case: dict[str, Any], r: _Reporter) -> None:
    # The public status is compared with public events only: a private event's outcome
    # (a relocation) must never be what the public status follows (privacy.md, Rule 1).
    with_outcome = [
        (index, event)
        for index, event in _public_entries(case, "events")
        if isinstance(event.get("outcome"), str)
    ]
    for index, event in with_outcome:
        if not event.get("sources"):
            r.at(
                ("events", index, "outcome"),
                "W103",
                f"this event changes the status to {event['outcome']!r} but cites no source; "
                'add sources = ["..."] so others can check it',
            )
    dated = [(sort_key_or_last(e.get("date")), i, e) for i, e in with_outcome]
    dated = [item for item in dated if item[0][0] == 0]
    status = case.get("status")
    if not dated or not isinstance(status, str):
        return
    _, _, latest = max(dated, key=lambda item: (item[0], item[1]))
    if latest["outcome"] != status:
        r.at(
            ("status",),
            "W102",
            f"status is {status!r}, but the latest event with an outcome ({latest['date']}, "
            f"{latest.get('type')}) says {latest['outcome']!r}; update the status or add the "
            "event that changed it",
        )


# --- proceedings and deadlines (format 2) ---------------------------------------------


def _format2_entries(
    case: dict[str, Any], table: str
) -> Iterable[tuple[tuple[str | int, ...], int, dict[str, Any]]]:
    """``_all_entries`` with the path of each entry's array apart from its index
    (``("deadlines",)`` or ``("private", "deadlines")``)."""
    for path, entry in _all_entries(case, table):
        yield path[:-1], int(path[-1]), entry


def _contact_names(case: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The names of the case's public contacts, and of its private ones."""
    public: set[str] = set()
    private: set[str] = set()
    for _, contact in _entries(case, "contacts"):
        name = contact.get("name")
        if isinstance(name, str):
            (private if contact.get("private") else public).add(name)
    hidden = case.get("private")
    if isinstance(hidden, dict):
        for _, contact in _entries(hidden, "contacts"):
            if isinstance(contact.get("name"), str):
                private.add(contact["name"])
    return public, private


def _check_proceedings(case: dict[str, Any], vocabulary: Vocabulary, r: _Reporter) -> None:
    """Proceeding ids unique and cited only where they exist; lawyers and owners named
    among the contacts (public entries among the public ones); deadline states that agree
    with their dates."""
    public_ids: dict[str, dict[str, Any]] = {}
    private_ids: dict[str, dict[str, Any]] = {}
    for where, index, entry in _format2_entries(case, "proceedings"):
        proceeding_id = entry.get("id")
        if not isinstance(proceeding_id, str):
            continue
        if proceeding_id in public_ids or proceeding_id in private_ids:
            r.at(
                (*where, index, "id"),
                "E073",
                f"proceeding id {proceeding_id!r} is defined twice in this file; give each "
                "proceeding its own id",
            )
        (private_ids if where[0] == "private" else public_ids)[proceeding_id] = entry
    public_names, private_names = _contact_names(case)
    for where, index, entry in _format2_entries(case, "proceedings"):
        _check_person(
            entry, "lawyer", (*where, index), where[0] == "private", public_names, private_names, r
        )
    cited: list[tuple[tuple, dict[str, Any], bool]] = [
        (("events", i), e, False) for i, e in _entries(case, "events")
    ]
    private = case.get("private")
    if isinstance(private, dict):
        cited += [(("private", "events", i), e, True) for i, e in _entries(private, "events")]
    for where, index, entry in _format2_entries(case, "deadlines"):
        cited.append(((*where, index), entry, where[0] == "private"))
    known = ", ".join(sorted(public_ids)) or "none yet"
    for path, entry, is_private in cited:
        proceeding_id = entry.get("proceeding")
        if not isinstance(proceeding_id, str):
            continue
        if proceeding_id in public_ids or (is_private and proceeding_id in private_ids):
            continue
        if proceeding_id in private_ids:
            message = (
                f"names the private proceeding {proceeding_id!r}: a public entry cannot "
                "point at a private one; make this entry private too"
            )
        else:
            message = (
                f"names proceeding {proceeding_id!r}, which this file does not define "
                f"(defined: {known}); add a [[proceedings]] entry with "
                f'id = "{proceeding_id}"'
            )
        r.at((*path, "proceeding"), "E072", message)
    for where, index, entry in _format2_entries(case, "deadlines"):
        path = (*where, index)
        _check_person(entry, "owner", path, where[0] == "private", public_names, private_names, r)
        _check_deadline_dates(entry, path, {**public_ids, **private_ids}, vocabulary, r)


def _check_person(
    entry: dict[str, Any],
    key: str,
    path: tuple,
    is_private: bool,
    public_names: set[str],
    private_names: set[str],
    r: _Reporter,
) -> None:
    name = entry.get(key)
    if not isinstance(name, str):
        return
    if name in public_names or (is_private and name in private_names):
        return
    if name in private_names:
        r.at(
            (*path, key),
            "E075",
            f"{key} {name!r} is a private contact, but this entry is public: a public "
            "export would name them; make the entry private, or name a public contact",
        )
        return
    known = ", ".join(
        repr(n) for n in sorted(public_names | (private_names if is_private else set()))
    )
    r.at(
        (*path, key),
        "E074",
        f"{key} {name!r} is not the name of one of this case's contacts (contacts: "
        f"{known or 'none yet'}); add a [[contacts]] entry with name = {name!r}, or fix "
        "the spelling",
    )


def _date_or_none(value: Any) -> Any:
    try:
        return parse_date(value) if value is not None else None
    except DateError:
        return None


def _check_deadline_dates(
    entry: dict[str, Any],
    path: tuple,
    proceedings: dict[str, dict[str, Any]],
    vocabulary: Vocabulary,
    r: _Reporter,
) -> None:
    from exilecases.format.model import Deadline

    state = Deadline.state_of(entry)
    proceeding = proceedings.get(str(entry.get("proceeding")))
    if state == "open" and proceeding is not None and proceeding.get("closed"):
        r.at(
            (*path, "due"),
            "W120",
            f"this deadline is open, but its proceeding {entry['proceeding']!r} closed on "
            f"{proceeding['closed']}; set its state (exilecases deadline set ... --state "
            "moot) or reopen the proceeding",
        )
    if entry.get("state") == "open" and entry.get("done"):
        r.at(
            (*path, "state"),
            "W124",
            f'state is "open" but the deadline was done on {entry["done"]}; remove the state '
            'or write state = "met"',
        )
    done, trigger = _date_or_none(entry.get("done")), _date_or_none(entry.get("trigger"))
    if done is not None and trigger is not None and done.latest < trigger.earliest:
        r.at(
            (*path, "done"),
            "W121",
            f"done on {entry['done']}, before the event that triggered it ({entry['trigger']});"
            " check both dates",
        )
    rule = entry.get("rule")
    if isinstance(rule, str) and not vocabulary.has("deadline_rules", rule):
        r.at((*path, "rule"), "W123", _vocabulary_message(vocabulary, "deadline_rules", rule))


def _check_future_events(
    case: dict[str, Any], vocabulary: Vocabulary, r: _Reporter, today: dt.date
) -> bool:
    """W122 for every event dated certainly after today whose type is not ``scheduled``
    (a typo such as 2072 for 2027). True when there was one."""
    found = False
    events = [(("events", i), e) for i, e in _entries(case, "events")]
    private = case.get("private")
    if isinstance(private, dict):
        events += [(("private", "events", i), e) for i, e in _entries(private, "events")]
    for path, event in events:
        date = _date_or_none(event.get("date"))
        kind = event.get("type")
        if date is None or date.earliest <= today or not isinstance(kind, str):
            continue
        if vocabulary.scheduled(kind):
            continue
        found = True
        r.at(
            (*path, "date"),
            "W122",
            f"this {kind} event is dated {event['date']}, after today ({today.isoformat()}); "
            "only scheduled events (such as a hearing) may lie in the future: check the year "
            "for a typo",
        )
    return found


def _check_private_fields(case: dict[str, Any], r: _Reporter) -> None:
    """E061 for each path of ``private_fields`` that names no field of the format."""
    from exilecases.format.privacy import check_private_paths

    declared = case.get("private_fields")
    if isinstance(declared, list):
        for _, message in check_private_paths(declared):
            r.at(("private_fields",), "E061", f"private_fields: {message}")


# --- across files -----------------------------------------------------------------------


def name_keys(case: dict[str, Any]) -> set[str]:
    """The case's name, original-script name and aliases folded to the form in which
    spellings meet (transliterated, variants folded, word order ignored)."""
    from exilecases.ops.search import normalise

    names = {case.get("name") or "", case.get("name_original") or ""}
    names.update(a for a in case.get("aliases", []) if isinstance(a, str))
    keys = {" ".join(sorted(normalise(name).split())) for name in names if name}
    return {key for key in keys if key}


def block_key(key: str) -> str:
    """The blocking key of a folded name key: the first three letters of each word. Two
    spellings are compared letter by letter only when their blocking keys are equal."""
    return " ".join(word[:3] for word in key.split())


def _gendered(short: str, long: str) -> bool:
    """True for the male and female forms of one Russian name (Ivanov / Ivanova,
    Evgeni / Evgenia, Petrovskii / Petrovskaia): relatives, not a misspelling."""
    return long == short + "a" or (short.endswith(("ii", "oi")) and long == short[:-2] + "aia")


def _near_words(first: str, second: str) -> bool:
    """True when two folded words are one letter apart, by a letter left out or added
    (Kachkurin / Kachkurkin), both long enough for that to be a slip of the pen."""
    if first == second:
        return True
    short, long = (first, second) if len(first) < len(second) else (second, first)
    if len(long) != len(short) + 1 or len(short) < FUZZY_MIN_LENGTH or _gendered(short, long):
        return False
    for index, (a, b) in enumerate(zip(short, long, strict=False)):
        if a != b:
            return short[index:] == long[index + 1 :]
    return True  # the extra letter is the last one


def near_keys(first: str, second: str) -> bool:
    """True when two folded name keys (same blocking key) name the same person with a
    slip: every word equal or one letter apart, not all equal."""
    words, others = first.split(), second.split()
    return len(words) == len(others) and all(map(_near_words, words, others))


def cross_file(
    checks: Sequence[FileCheck], keys: dict[str, Iterable[str]] | None = None
) -> list[Finding]:
    """Findings that need every case: ids used twice, two files for one person.

    ``keys`` maps a check's ``rel`` to its folded names when they are known already (the
    index stores them); otherwise they are computed with ``name_keys``.
    """
    found: list[Finding] = []
    by_id: dict[str, list[FileCheck]] = defaultdict(list)
    usable: list[FileCheck] = []
    folded: list[set[str]] = []
    for check in sorted(checks, key=lambda c: c.rel):
        # A public identity may lack the id or name its case marks private.
        if check.case is None or not isinstance(check.case.get("id"), str):
            continue
        by_id[check.case["id"]].append(check)
        usable.append(check)
        folded.append(set(keys.get(check.rel, ())) if keys is not None else name_keys(check.case))
    for case_id, group in by_id.items():
        for check in group[1:]:
            found.append(
                _at_key(
                    check,
                    "id",
                    "E042",
                    f"id {case_id!r} is also used by {group[0].rel}; ids must be unique",
                )
            )
    found.extend(_likely_duplicates(usable, folded))
    return found


def look_alikes(
    case: dict[str, Any], checks: Sequence[FileCheck], keys: dict[str, Iterable[str]] | None
) -> list[FileCheck]:
    """The readable cases among ``checks`` that W104 would call the same person as
    ``case`` (a name, original-script name or alias in common, after the same folding),
    unless one of the two declares the other ``distinct_from``. ``keys`` as for
    ``cross_file``."""
    mine = name_keys(case)
    found = []
    for check in checks:
        other = check.case
        if other is None or other.get("id") == case.get("id"):
            continue
        folded = keys.get(check.rel, ()) if keys is not None else name_keys(other)
        if not mine.intersection(folded):
            continue
        if other["id"] in case.get("distinct_from", []) or case.get("id") in other.get(
            "distinct_from", []
        ):
            continue
        found.append(check)
    return found


def _likely_duplicates(usable: list[FileCheck], folded: list[set[str]]) -> list[Finding]:
    """W104, one finding per file naming every case it looks like (linear in the cases
    and in the output: files are grouped by folded name key, and keys one slip apart are
    linked within blocks of ``block_key``)."""
    members: dict[str, list[int]] = defaultdict(list)
    for number, names in enumerate(folded):
        for key in names:
            members[key].append(number)
    blocks: dict[str, list[str]] = defaultdict(list)
    for key in members:
        blocks[block_key(key)].append(key)
    linked: dict[str, list[str]] = defaultdict(list)
    for block in blocks.values():
        if 1 < len(block) <= FUZZY_BLOCK_LIMIT:
            for index, first in enumerate(block):
                for second in block[index + 1 :]:
                    if near_keys(first, second):
                        linked[first].append(second)
                        linked[second].append(first)
    ids = [check.case["id"] for check in usable]  # type: ignore[index]
    numbers_of: dict[str, list[int]] = defaultdict(list)
    for number, case_id in enumerate(ids):
        numbers_of[case_id].append(number)
    # Who is declared distinct from whom, either way round (by id).
    distinct: dict[str, set[str]] = defaultdict(set)
    for case_id, check in zip(ids, usable, strict=True):
        declared = check.case.get("distinct_from", [])  # type: ignore[union-attr]
        for other in declared if isinstance(declared, list) else ():
            if isinstance(other, str):
                distinct[case_id].add(other)
                distinct[other].add(case_id)
    # The cases reached from one combination of keys, computed once per combination (the
    # members of a large group share theirs).
    reached: dict[frozenset[str], tuple[list[int], set[int]]] = {}
    found = []
    for number, names in enumerate(folded):
        if not names:
            continue
        combination = frozenset(names.union(*(linked[key] for key in names if key in linked)))
        if combination not in reached:
            union = set().union(*(members[key] for key in combination))
            reached[combination] = (sorted(union), union)
        ordered, union = reached[combination]
        if len(union) < 2:
            continue
        unlike = distinct.get(ids[number], set())
        excluded = {number} | {
            other_number
            for other in unlike
            for other_number in numbers_of.get(other, ())
            if other_number in union
        }
        count = len(union) - len(excluded & union)
        if count < 1:
            continue
        named = []
        for other_number in ordered:
            if other_number not in excluded:
                named.append(other_number)
                if len(named) == W104_NAMED:
                    break
        found.append(
            _at_key(usable[number], "name", "W104", _duplicate_message(usable, named, count))
        )
    return found


def _duplicate_message(usable: list[FileCheck], named: list[int], count: int) -> str:
    def who(number: int) -> str:
        case = usable[number].case
        assert case is not None
        name = case.get("name")
        return f"{case['id']} ({name!r})" if isinstance(name, str) else case["id"]

    listed = ", ".join(who(number) for number in named)
    if count == 1:
        only = usable[named[0]].case
        assert only is not None
        return (
            f"looks like the same person as {listed}; merge the two files, or if they are "
            f'different people add distinct_from = ["{only["id"]}"] to this file'
        )
    more = f" and {count - len(named)} more" if count > len(named) else ""
    return (
        f"looks like the same person as {count} other cases: {listed}{more}; merge the files "
        "of one person, and list the ids of different people in distinct_from in this file"
    )


def _at_key(check: FileCheck, key: str, code: str, message: str) -> Finding:
    """A cross-file finding at the line of a top-level key: where ``check_file`` (or the
    index) found it, else read back from the file."""
    where = check.places.get(key)
    if where is None and check.path is not None:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            where = top_level_position(check.path.read_text("utf-8"), key)
        check.places[key] = where or (1, 1)
    line, col = where or (1, 1)
    return finding(check.rel, line, col, code, message)


def _read_text(path: Path) -> str:
    """A case file's text read again for positions: a regular file only, BOM removed
    (``KeyPositions`` reads texts that ``tomllib`` accepted)."""
    from exilecases.store.files import read_regular

    return read_regular(path).decode("utf-8").removeprefix("\ufeff")


def vocabulary_findings(vocabulary: Vocabulary) -> list[Finding]:
    """W107 for each built-in entry whose outcome the repository's vocabulary changes."""
    return [
        finding(vocabulary.extension_file, item.line, 1, "W107", item.message())
        for item in vocabulary.redefinitions
    ]


class _LazyPositions:
    """Positions of one file's keys, read from disk only when first asked for."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._positions: KeyPositions | None = None

    def locate(self, key: Sequence[str | int]) -> tuple[int, int]:
        if self._positions is None:
            text = ""
            if self.path is not None:
                with contextlib.suppress(OSError, ValueError, RecursionError, ExilecasesError):
                    text = _read_text(self.path)
            self._positions = KeyPositions(text)
        return self._positions.locate(key)


def public_check(checks: Sequence[FileCheck]) -> list[Finding]:
    """``validate --public-check``: W105 where a public field looks like personal data (a
    phone number, an e-mail or street address) that a public export would publish."""
    from exilecases.format.privacy import personal_data_findings

    found: list[Finding] = []
    for check in checks:
        if check.case is not None:
            locate = _LazyPositions(check.path).locate
            found.extend(personal_data_findings(check.case, check.rel, locate))
    return found


#: A written schema larger than this is not one ``init`` wrote; it is not read.
MAX_SCHEMA_BYTES = 10_000_000


def schema_check(root: Path, vocabulary: Vocabulary) -> list[Finding]:
    """W110 when the JSON Schema that ``init`` wrote (``schema/case.schema.json``) no longer
    matches the vocabulary, so editors would flag valid keys or accept retired ones.

    Nothing is reported when the repository has no such file (it is optional)."""
    import json

    from exilecases.format.schema import stale_vocabularies
    from exilecases.ops.init import SCHEMA_FILE

    path = root / SCHEMA_FILE
    rel = SCHEMA_FILE.as_posix()
    fix = (
        f"write it again with `exilecases schema -o {rel}` (or delete it and run "
        "`exilecases init`), so editors check case files against the current vocabulary"
    )
    if path.is_symlink() or not path.exists():
        return []
    try:
        if not path.is_file() or path.stat().st_size > MAX_SCHEMA_BYTES:
            raise ValueError("not a schema file")
        schema = json.loads(path.read_bytes().decode("utf-8"))
        stale = stale_vocabularies(schema, vocabulary)
    except json.JSONDecodeError as error:
        message = f"{rel} is not JSON ({error.msg}); {fix}"
        return [finding(rel, error.lineno, error.colno, "W110", message)]
    except (OSError, UnicodeDecodeError, ValueError):
        message = f"{rel} cannot be read as a schema written by exilecases; {fix}"
        return [finding(rel, 1, 1, "W110", message)]
    if not stale:
        return []
    return [
        finding(
            rel,
            1,
            1,
            "W110",
            f"{rel} is out of date with the vocabulary ({'; '.join(stale)}); {fix}",
        )
    ]
