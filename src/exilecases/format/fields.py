"""The shape of a case file in one list: its keys in canonical order, its tables, the
required keys, and one way to walk a case's entries.

Plain data, no pydantic: the writer, the exporter, the diff and the queries read these
without paying for the schema. ``format/model.py`` declares its fields in the same order,
and a test holds the two together.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

#: The arrays of tables of a case (``[[events]]``), in the order a file lists them.
ENTRY_TABLES: tuple[str, ...] = (
    "charges",
    "proceedings",
    "events",
    "deadlines",
    "sources",
    "contacts",
)
#: The arrays of tables inside ``[private]`` (``[[private.events]]``).
PRIVATE_TABLES: tuple[str, ...] = ("contacts", "events", "sources", "proceedings", "deadlines")

#: Canonical key order: of the case (top level) and of each entry table.
KEY_ORDER: dict[str, list[str]] = {
    "case": [
        "id",
        "name",
        "name_original",
        "aliases",
        "born",
        "citizenship",
        "origin_country",
        "host_country",
        "categories",
        "status",
        "risk",
        "summary",
        "distinct_from",
        "private_fields",
        "import_key",
        *ENTRY_TABLES,
        "private",
    ],
    "charges": ["basis", "date", "note", "sources"],
    "proceedings": [
        "id",
        "type",
        "authority",
        "reference",
        "opened",
        "closed",
        "lawyer",
        "note",
        "sources",
    ],
    "events": [
        "date",
        "type",
        "place",
        "authority",
        "outcome",
        "proceeding",
        "note",
        "sources",
        "private",
    ],
    "deadlines": [
        "due",
        "type",
        "proceeding",
        "what",
        "owner",
        "done",
        "state",
        "rule",
        "trigger",
        "note",
        "sources",
    ],
    "sources": [
        "id",
        "outlet",
        "title",
        "url",
        "archive_url",
        "published",
        "language",
        "confidence",
        "note",
        "private",
    ],
    "contacts": ["name", "role", "organisation", "note", "private"],
}
#: The keys every case must have.
REQUIRED_FIELDS: tuple[str, ...] = ("id", "name", "origin_country", "host_country", "status")


def entries(case: dict[str, Any], table: str) -> list[dict[str, Any]]:
    """The entries of one array of tables (``events``, ...) that are tables; anything else a
    broken file holds there is skipped."""
    value = case.get(table)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def numbered_entries(case: dict[str, Any], table: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(position, entry)`` for every entry of ``table`` that is a table, position counted
    in file order (0-based) among all its items, so that it points at the file's entry."""
    value = case.get(table)
    if isinstance(value, list):
        for position, item in enumerate(value):
            if isinstance(item, dict):
                yield position, item
