"""What never leaves the repository through a public export, and what looks like it should not.

``redact`` makes the public copy of a case: it is the only door between a case and
``export --public``. It works as an allow-list: besides dropping everything marked private
(the ``[private]`` table, contacts with ``private = true``, fields named private by default,
by the repository or by the case itself), it drops every key the format does not define,
because an unknown key may hold anything (a ``phone = ...`` typed at the top level).

``personal_data_findings`` is the W105 check: public free-text fields that look like they
hold a phone number, an e-mail address or a street address.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from exilecases.format.findings import Finding, finding
from exilecases.format.model import KEY_ORDER, TABLE_MODELS

#: Fields no public export carries, whatever the repository says. A path is a top-level key
#: (``born``) or ``TABLE.KEY`` for a key of every entry of an array of tables
#: (``contacts.phone``). Unknown keys are dropped anyway; they are listed so that a call
#: with ``keep_unknown=True`` still leaves them out.
DEFAULT_PRIVATE_FIELDS: tuple[str, ...] = (
    "born",
    "private",
    "sealed",
    "phone",
    "email",
    "address",
    "passport",
    "contacts.phone",
    "contacts.email",
    "contacts.address",
)

#: A top-level key by which a case names more of its own fields private:
#: ``private_fields = ["risk", "events.place"]``. It is itself never exported publicly.
CASE_PRIVATE_FIELDS_KEY = "private_fields"

#: The arrays of tables of a case.
TABLES: tuple[str, ...] = tuple(TABLE_MODELS)

PositionLocator = Callable[[Sequence[str | int]], tuple[int, int]]


# --- redaction --------------------------------------------------------------------------


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
    if declared is None:
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


def redact(
    case: dict[str, Any],
    vocabulary: Any = None,
    *,
    extra_private_fields: Iterable[str] = (),
    keep_unknown: bool = False,
) -> dict[str, Any]:
    """The public copy of a case (a deep copy; ``case`` is not changed).

    Leaves out the ``[private]`` table, every entry of an array of tables marked
    ``private = true`` (contacts, and any other entry so marked), the citations of sources
    left out that way, every field in ``DEFAULT_PRIVATE_FIELDS``, in the vocabulary's
    private list, in ``extra_private_fields`` or in the case's own ``private_fields``, and,
    unless ``keep_unknown``, every key the format does not define.
    """
    paths = private_fields(vocabulary, extra_private_fields, case)
    public = copy.deepcopy(case)
    public.pop("private", None)
    public.pop(CASE_PRIVATE_FIELDS_KEY, None)
    _drop_private_entries(public)
    for path in paths:
        _drop_path(public, path.split("."))
    if not keep_unknown:
        _drop_unknown_keys(public)
    return public


def _is_marked_private(entry: Any) -> bool:
    """True unless the entry is plainly public: anything but false/absent counts as private."""
    if not isinstance(entry, dict):
        return False
    marker = entry.get("private", False)
    return marker is not None and marker is not False


def _drop_private_entries(case: dict[str, Any]) -> None:
    dropped_sources: set[str] = set()
    for table in TABLES:
        entries = case.get(table)
        if not isinstance(entries, list):
            continue
        kept = [entry for entry in entries if not _is_marked_private(entry)]
        if table == "sources":
            dropped_sources = {
                str(entry.get("id")) for entry in entries if _is_marked_private(entry)
            }
        case[table] = kept
    if dropped_sources:
        _drop_citations(case, dropped_sources)


def _drop_citations(case: dict[str, Any], source_ids: set[str]) -> None:
    for table in TABLES:
        for entry in case.get(table) or []:
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
        allowed = set(KEY_ORDER[table])
        case[table] = [
            {k: v for k, v in entry.items() if k in allowed}
            for entry in entries
            if isinstance(entry, dict)
        ]


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
            if not isinstance(entry, dict) or _is_marked_private(entry):
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
