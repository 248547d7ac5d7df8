"""The one privacy rule: what a public output may hold, made in one place.

``public_view`` makes the public copy of a case, and every public output and every
computation for one (exports, ``list``, ``search``, ``stats``, ``--as-of`` and ``--since``,
commit messages, ``log``, ``diff``, the git diff driver, the index) is made from it. It works
as an allow-list: it leaves out ``[private]`` (the one room for secrets, with its
``[[private.contacts]]``, ``[[private.events]]`` and ``[[private.sources]]``), every entry
marked ``private = true`` (format 1) with the citations of private sources, the fields a
redaction rule names (``born`` and any ``phone``, ``email``, ``address`` or ``passport`` key
by default, a repository's ``[fields] private``, a case's own ``private_fields``), and every
key the format does not define, because an unknown key may hold anything.

``private_part`` is what the public view leaves out, by top-level field: what a history may
say *changed* without showing it. ``private_view`` is the whole case for the user's own
computations (``--private``): private entries joined to their tables, ``private.status`` as
the status. ``check_private_paths`` checks redaction rules against the schema.

``personal_data_findings`` is the W105 check: public free-text fields that look like they
hold a phone number, an e-mail address or a street address.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from exilecases.format.fields import ENTRY_TABLES, KEY_ORDER, PRIVATE_TABLES, REQUIRED_FIELDS
from exilecases.format.findings import Finding, finding

#: Keys that are private wherever they stand (at the top level or in any entry).
PERSONAL_KEYS: tuple[str, ...] = ("phone", "email", "address", "passport")
#: Fields no public output carries, whatever the repository says. A path is a top-level key
#: (``born``) or ``TABLE.KEY`` for a key of every entry of an array of tables
#: (``contacts.phone``). Unknown keys are dropped anyway; they are listed so that a call
#: with ``keep_unknown=True`` still leaves them out.
DEFAULT_PRIVATE_FIELDS: tuple[str, ...] = (
    "born",
    "private",
    "sealed",
    *PERSONAL_KEYS,
    *(f"{table}.{key}" for table in ENTRY_TABLES for key in PERSONAL_KEYS),
)

#: A top-level key by which a case names more of its own fields private:
#: ``private_fields = ["risk", "events.place"]``. It is itself never published.
CASE_PRIVATE_FIELDS_KEY = "private_fields"
#: The top-level key of the private room.
PRIVATE_KEY = "private"

#: The arrays of tables of a case.
TABLES: tuple[str, ...] = ENTRY_TABLES
#: The arrays of tables inside ``[private]``.
PRIVATE_SUBTABLES: tuple[str, ...] = PRIVATE_TABLES
#: Fields a redaction rule may not name: the id is the file's name, published with it.
NEVER_PRIVATE: frozenset[str] = frozenset({"id"})

PositionLocator = Callable[[Sequence[str | int]], tuple[int, int]]


# --- the redaction rules ------------------------------------------------------------------


def private_fields(
    vocabulary: Any = None,
    extra_private_fields: Iterable[str] = (),
    case: dict[str, Any] | None = None,
) -> list[str]:
    """Every private field path in force: the defaults, the repository's, the caller's and
    the case's own ``private_fields`` list, without duplicates, in that order.

    The repository's list is read from ``vocabulary.private_fields`` (or, equivalently, a
    ``fields`` entry with a ``private`` list in ``vocabulary.entries``) when it exists.
    """
    paths: list[str] = list(DEFAULT_PRIVATE_FIELDS)
    paths += _vocabulary_private_fields(vocabulary)
    paths += [p for p in extra_private_fields if isinstance(p, str)]
    if case is not None:
        paths += case_private_fields(case)
    return list(dict.fromkeys(p.strip() for p in paths if p.strip()))


def _vocabulary_private_fields(vocabulary: Any) -> list[str]:
    if vocabulary is None:
        return []
    declared = getattr(vocabulary, "private_fields", None)
    if not declared:
        entries = getattr(vocabulary, "entries", {}) or {}
        fields = entries.get("fields", {}) if isinstance(entries, dict) else {}
        declared = fields.get("private") if isinstance(fields, dict) else None
    if isinstance(declared, str):
        declared = [declared]
    if not isinstance(declared, list | tuple | set):
        return []
    return [p for p in declared if isinstance(p, str)]


def case_private_fields(case: dict[str, Any]) -> list[str]:
    """The field paths a case marks private itself (``private_fields = [...]``)."""
    declared = case.get(CASE_PRIVATE_FIELDS_KEY)
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return [p for p in declared if isinstance(p, str)]
    return []


def known_field_paths() -> list[str]:
    """Every path a redaction rule may name: the schema's top-level fields, ``TABLE.KEY``
    for the fields of each array of tables, and the personal keys anywhere."""
    paths = [key for key in KEY_ORDER["case"] if key not in NEVER_PRIVATE]
    paths += [f"{table}.{key}" for table in TABLES for key in KEY_ORDER[table]]
    paths += list(PERSONAL_KEYS)
    paths += [f"{table}.{key}" for table in TABLES for key in PERSONAL_KEYS]
    return list(dict.fromkeys(paths))


def check_private_paths(paths: Iterable[Any]) -> list[tuple[int, str]]:
    """The problems of a list of redaction rules: ``(position in the list, message)`` for
    each path the schema does not define (with the nearest known path) and for ``id``.

    A typo must not publish a field: ``event.place`` for ``events.place`` is an error.
    """
    known = known_field_paths()
    problems = []
    for position, path in enumerate(paths):
        if not isinstance(path, str):
            problems.append((position, f"item {position + 1} must be a field path in quotes"))
            continue
        name = path.strip()
        if name in NEVER_PRIVATE:
            problems.append(
                (position, f"{name!r} cannot be private: the id is the file name, published "
                           "with every case; give the case a neutral id instead")
            )  # fmt: skip
        elif name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(
                (position, f"{path!r} is not a field of a case file; {hint}a path is a "
                           "top-level field (risk) or TABLE.FIELD (events.place), and a "
                           "typo would publish the field it meant")
            )  # fmt: skip
    return problems


# --- a sealed repository: nothing secret outside the sealed block --------------------------

#: Top-level keys no rule moves into ``[private]``: the rooms themselves, the id (the file
#: name), and the case's own rule list (moved, it would stop hiding what it names).
NEVER_MOVED: frozenset[str] = frozenset({PRIVATE_KEY, "sealed", CASE_PRIVATE_FIELDS_KEY, "id"})


@dataclass(frozen=True)
class Unsealed:
    """A secret that stands outside ``[private]`` (privacy.md: in a sealed repository it
    would be in plaintext in git).

    ``kind`` is ``field`` (a top-level field a rule keeps private: ``seal`` and ``fmt`` move
    it into ``[private]``), ``required`` (the same, but the format needs it at the top
    level, so it cannot move), ``entry-field`` (a field of a public entry, such as
    ``events.place``) or ``marked`` (a format-1 entry marked ``private = true``: ``fmt``
    moves it). ``path`` is where it stands (for a marked entry, its marker), ``rule``
    which rule covers it (words for a message).
    """

    kind: str
    path: tuple[str | int, ...]
    rule: str


def rule_origin(path: str, vocabulary: Any, case: dict[str, Any]) -> str:
    """Which redaction rule names ``path``, in words: the default rules, the repository's
    ``[fields] private`` or the case's own ``private_fields``."""
    if path in DEFAULT_PRIVATE_FIELDS:
        return "a default rule"
    if path in _vocabulary_private_fields(vocabulary):
        return "[fields] private in data/vocabulary.toml"
    return "its private_fields"


def movable_fields(case: dict[str, Any], vocabulary: Any = None) -> list[str]:
    """The top-level keys of ``case`` that a redaction rule keeps private and that may move
    into ``[private]`` (a required field may not: the format needs it at the top level)."""
    return [
        path
        for path in private_fields(vocabulary, case=case)
        if "." not in path
        and path in case
        and path not in NEVER_MOVED
        and path not in REQUIRED_FIELDS
    ]


def unsealed_values(case: dict[str, Any], vocabulary: Any = None) -> list[Unsealed]:
    """Every secret of ``case`` (as parsed) outside ``[private]``: values a redaction rule
    covers (the defaults, the repository's ``[fields] private``, the case's
    ``private_fields``) and entries marked ``private = true``, in file order of kind.
    Survives any shape of input."""
    found: list[Unsealed] = []
    paths = private_fields(vocabulary, case=case)
    for path in paths:
        if "." in path or path not in case or path in NEVER_MOVED:
            continue
        kind = "required" if path in REQUIRED_FIELDS else "field"
        found.append(Unsealed(kind, (path,), rule_origin(path, vocabulary, case)))
    for table in TABLES:
        entries = case.get(table)
        if not isinstance(entries, list) or table in paths:
            continue
        keys = [p.split(".", 1)[1] for p in paths if p.startswith(f"{table}.")]
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            if is_marked_private(entry):
                found.append(Unsealed("marked", (table, index, "private"), "private = true"))
                continue
            for key in keys:
                if key in entry:
                    rule = rule_origin(f"{table}.{key}", vocabulary, case)
                    found.append(Unsealed("entry-field", (table, index, key), rule))
    return found


# --- the public view ------------------------------------------------------------------------


def public_view(
    case: dict[str, Any],
    vocabulary: Any = None,
    *,
    extra_private_fields: Iterable[str] = (),
    keep_unknown: bool = False,
) -> dict[str, Any]:
    """The public copy of a case (a deep copy; ``case`` is not changed): what any public
    output and any computation for one may see.

    Leaves out ``[private]`` and its sub-tables, ``private_fields``, every entry of an array
    of tables marked ``private = true``, the citations of private sources, every field in
    ``DEFAULT_PRIVATE_FIELDS``, in the vocabulary's private list, in
    ``extra_private_fields`` or in the case's own ``private_fields``, and, unless
    ``keep_unknown``, every key the format does not define. Survives any shape of input.
    """
    paths = private_fields(vocabulary, extra_private_fields, case)
    hidden_sources = _private_source_ids(case)
    public = _copy(case)
    public.pop(PRIVATE_KEY, None)
    public.pop(CASE_PRIVATE_FIELDS_KEY, None)
    _drop_private_entries(public)
    if hidden_sources:
        _drop_citations(public, hidden_sources)
    for path in paths:
        if path not in NEVER_PRIVATE:
            _drop_path(public, path.split("."))
    if not keep_unknown:
        _drop_unknown_keys(public)
    return public


#: The name the first version had; tests and scripts may still call it.
redact = public_view


_IMMUTABLE = (str, int, float, bool, type(None))


def _copy(value: Any) -> Any:
    """A deep copy of parsed TOML data (tables, arrays, scalars), several times faster than
    ``copy.deepcopy`` (which the public view of every case paid on a cold index build);
    anything else is copied by ``copy.deepcopy``."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    if isinstance(value, _IMMUTABLE):
        return value
    return copy.deepcopy(value)


def is_marked_private(entry: Any) -> bool:
    """True for an entry marked ``private`` (format 1): anything but false/absent counts."""
    if not isinstance(entry, dict):
        return False
    marker = entry.get("private", False)
    return marker is not None and marker is not False


_is_marked_private = is_marked_private


def private_entries(case: dict[str, Any], table: str) -> list[dict[str, Any]]:
    """The private entries of one table: ``[[private.TABLE]]`` and, in format 1, the
    entries of ``[[TABLE]]`` marked ``private = true``."""
    found = [e for e in _list(case.get(table)) if is_marked_private(e)]
    room = case.get(PRIVATE_KEY)
    if isinstance(room, dict):
        found += [e for e in _list(room.get(table)) if isinstance(e, dict)]
    return found


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _private_source_ids(case: dict[str, Any]) -> set[str]:
    return {str(s.get("id")) for s in private_entries(case, "sources") if "id" in s}


def _drop_private_entries(case: dict[str, Any]) -> None:
    for table in TABLES:
        entries = case.get(table)
        if isinstance(entries, list):
            case[table] = [entry for entry in entries if not is_marked_private(entry)]


def _drop_citations(case: dict[str, Any], source_ids: set[str]) -> None:
    for table in TABLES:
        for entry in _list(case.get(table)):
            cited = entry.get("sources") if isinstance(entry, dict) else None
            if isinstance(cited, list):
                entry["sources"] = [s for s in cited if s not in source_ids]


def _drop_path(value: Any, parts: list[str]) -> None:
    """Remove the key at ``parts``; a list on the way applies the rest to each item."""
    if isinstance(value, list):
        for item in value:
            _drop_path(item, parts)
        return
    if not isinstance(value, dict) or not parts:
        return
    head, rest = parts[0], parts[1:]
    if not rest:
        value.pop(head, None)
    elif head in value:
        _drop_path(value[head], rest)


def _drop_unknown_keys(case: dict[str, Any]) -> None:
    known = set(KEY_ORDER["case"])
    for key in [k for k in case if k not in known]:
        del case[key]
    for table in TABLES:
        entries = case.get(table)
        if not isinstance(entries, list):
            continue
        allowed = set(KEY_ORDER[table]) - {"private"}
        case[table] = [
            {k: v for k, v in entry.items() if k in allowed}
            for entry in entries
            if isinstance(entry, dict)
        ]


def private_part(case: dict[str, Any], vocabulary: Any = None) -> dict[str, Any]:
    """What ``public_view`` leaves out, by top-level field: the value of a field left out
    whole (``born``, ``private``), and for an array of tables its private entries and the
    fields left out of its public ones. Two versions of a case whose private parts are equal
    differ only in public data."""
    public = public_view(case, vocabulary)
    rest: dict[str, Any] = {}
    for key, value in case.items():
        if key not in public:
            rest[key] = value
        elif key in TABLES and isinstance(value, list):
            shown = [e for e in value if isinstance(e, dict) and not is_marked_private(e)]
            left_out = [
                {k: v for k, v in full.items() if k not in part or part[k] != v}
                for full, part in zip(shown, public[key], strict=False)
            ]
            marked = [e for e in value if is_marked_private(e)]
            odd = [e for e in value if not isinstance(e, dict)]
            if marked or odd or any(left_out):
                rest[key] = {"entries": marked + odd, "fields": left_out}
        elif value != public[key]:
            rest[key] = value
    return rest


def private_view(case: dict[str, Any]) -> dict[str, Any]:
    """The whole case for the user's own computations (``--private``): the entries of
    ``[[private.TABLE]]`` joined to ``TABLE`` (marked ``private = true``) and
    ``private.status``, when set, as the status. Never for a public output."""
    room = case.get(PRIVATE_KEY)
    if not isinstance(room, dict):
        return case
    view = dict(case)
    for table in PRIVATE_SUBTABLES:
        extra = [{**e, "private": True} for e in _list(room.get(table)) if isinstance(e, dict)]
        if extra:
            view[table] = [*_list(case.get(table)), *extra]
    if isinstance(room.get("status"), str) and room["status"]:
        view["status"] = room["status"]
    return view


# --- W105: personal data in public fields -------------------------------------------------

PHONE = "a phone number"
NUMBER = "a long personal number (phone, ID or passport number)"
EMAIL = "an e-mail address"
ADDRESS = "a street address"

_UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_START = rf"[{_UPPER}0-9«\"“]"

#: (kind, pattern) pairs; the first kinds found are named in the message.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (EMAIL, re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")),
    (
        EMAIL,
        re.compile(
            r"[\w.+-]+\s*[\[({]\s*(?:at|собака)\s*[\])}]\s*[\w-]+"
            r"(?:\s*(?:\.|[\[({]\s*(?:dot|точка)\s*[\])}])\s*[\w-]+)+",
            re.IGNORECASE,
        ),
    ),
    # International: + and 8 to 15 digits, with spaces, dashes, dots or brackets between.
    (PHONE, re.compile(r"(?<![\w+])\+\d(?:[\s\-.()]{0,2}\d){7,14}(?!\d)")),
    # Russian and Kazakh domestic: 8 (7xx) xxx-xx-xx.
    (
        PHONE,
        re.compile(r"(?<![\w.,])8[\s\-]?\(?\d{3}\)?[\s\-]?\d{3}[\s\-]?\d{2}[\s\-]?\d{2}(?!\d)"),
    ),
    # Any run of 10 or more digits, single separators allowed (IIN, passport, phone).
    (NUMBER, re.compile(r"(?<![\w.,])\d(?:[\s\-.()]?\d){9,}(?![\w])")),
    # Russian: ул. Абая, улица Абая, пр. / пр-т / проспект Абая, пер., мкр., д. 12, кв. 34.
    (ADDRESS, re.compile(rf"(?<!\w)[Уу]л(?:\.|ица|ице|ицу|ицы)\s*{_START}")),
    (ADDRESS, re.compile(rf"(?<!\w)[Пп](?:р\.|р-т|р-кт|роспект[а-я]?)\s*{_START}")),
    (ADDRESS, re.compile(rf"(?<!\w)[Пп]ер(?:\.|еулок|еулке)\s*{_START}")),
    (ADDRESS, re.compile(rf"(?<!\w)(?:мкр|мкрн|микрорайон[а-я]?)\.?\s*{_START}")),
    (ADDRESS, re.compile(r"(?<!\w)(?:[Дд]\.|[Дд]ом)\s*\d+")),
    (ADDRESS, re.compile(r"(?<!\w)[Кк](?:в\.?|вартир[аеуы])\s*\d+")),
    # Kazakh: Абай көшесі, Абай даңғылы, пәтер 34, үй 12.
    (ADDRESS, re.compile(rf"[{_UPPER}][\w-]*\s+(?:көшесі|даңғылы)")),
    (ADDRESS, re.compile(r"(?<!\w)(?:[Пп]әтер|[Үү]й)\s*\d+")),
    # English: 12 Abay Street, 12 Abay St., Abay Avenue 15, Satpayev St. 22.
    (
        ADDRESS,
        re.compile(
            r"(?<!\w)\d+[A-Za-z]?,?\s+(?:[A-Z][\w'-]*\s+){1,3}"
            r"(?:Street|St\.|Avenue|Ave\.?|Road|Rd\.|Boulevard|Blvd\.?|Lane|Prospekt|Drive)(?!\w)"
        ),
    ),
    (
        ADDRESS,
        re.compile(
            r"(?<!\w)(?:[A-Z][\w'-]*\s+){1,3}"
            r"(?:Street|St\.|Str\.|Avenue|Ave\.?|Road|Boulevard|Prospekt)\s*,?\s*(?:No\.?\s*)?\d+"
        ),
    ),
    (ADDRESS, re.compile(r"(?<!\w)(?:apt|apartment|flat)\.?\s*(?:no\.?|#)?\s*\d+", re.I)),
)

#: Public free-text fields checked for personal data: top-level keys, then per table.
PUBLIC_TEXT_FIELDS: dict[str | None, tuple[str, ...]] = {
    None: ("summary", "risk"),
    "events": ("place", "authority", "note"),
    "charges": ("note",),
    "sources": ("title", "note"),
    "contacts": ("organisation", "note"),
}


def personal_data_kinds(text: str) -> list[tuple[str, int]]:
    """The kinds of personal data ``text`` seems to hold, each with the offset of its first
    match, in the order of the text."""
    first: dict[str, int] = {}
    for kind, pattern in PATTERNS:
        match = pattern.search(text)
        if match is not None and (kind not in first or match.start() < first[kind]):
            first[kind] = match.start()
    if EMAIL in first or PHONE in first:
        # The digits of a phone number or an e-mail address are not a second kind.
        first.pop(NUMBER, None)
    return sorted(first.items(), key=lambda item: item[1])


def _public_texts(case: dict[str, Any]) -> Iterable[tuple[tuple[str | int, ...], str]]:
    """Every public free-text field of the case: ``(path, text)``."""
    hidden = set(case_private_fields(case))
    for key in PUBLIC_TEXT_FIELDS[None]:
        value = case.get(key)
        if isinstance(value, str) and key not in hidden:
            yield (key,), value
    for table in TABLES:
        entries = case.get(table)
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict) or is_marked_private(entry):
                continue
            for key in PUBLIC_TEXT_FIELDS.get(table, ()):
                value = entry.get(key)
                if isinstance(value, str) and f"{table}.{key}" not in hidden:
                    yield (table, index, key), value


def _field_name(path: tuple[str | int, ...]) -> str:
    if len(path) == 3:
        table, index, key = path
        return f"`{key}` of [[{table}]] entry {int(index) + 1}"
    return f"`{path[0]}`"


def _where_in_text(text: str, offset: int) -> str:
    if "\n" not in text.strip("\n"):
        return ""
    return f" (line {text.count(chr(10), 0, offset) + 1} of the text)"


def personal_data_findings(
    case: dict[str, Any], rel: str, locate: PositionLocator
) -> list[Finding]:
    """W105 findings: public text fields that look like a phone number, an e-mail address
    or a street address. ``locate`` maps a key path to ``(line, col)``.

    The message names the kind of data, never the data itself (findings end up in logs).
    """
    found = []
    for path, text in _public_texts(case):
        kinds = personal_data_kinds(text)
        if not kinds:
            continue
        line, col = locate(path)
        names = " and ".join(kind for kind, _ in kinds)
        found.append(
            finding(
                rel,
                line,
                col,
                "W105",
                f"{_field_name(path)} looks like it holds {names}"
                f"{_where_in_text(text, kinds[0][1])}; public fields are published by "
                "`export --public`: move it to the [private] table (e.g. [private] "
                'notes = "...") or to a contact marked private = true',
            )
        )
    return found
