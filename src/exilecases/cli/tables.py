"""Flat rows of cases for CSV and tables (no rich here: CSV output must stay light)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from exilecases.format.dates import sort_key_or_last
from exilecases.format.vocabulary import Vocabulary


def events_in_order(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The events by date (earliest possible day first), undated ones last, ties in file
    order."""
    indexed = list(enumerate(case.get("events", [])))
    indexed.sort(key=lambda pair: (sort_key_or_last(pair[1].get("date")), pair[0]))
    return [event for _, event in indexed]


def last_event(case: dict[str, Any]) -> dict[str, Any] | None:
    """The latest dated event of a case."""
    events = events_in_order(case)
    return events[-1] if events else None


LIST_CSV_COLUMNS = (
    "id",
    "name",
    "status",
    "outcome",
    "origin_country",
    "host_country",
    "categories",
    "bases",
    "last_event_date",
    "last_event_type",
)


def list_rows(cases: Sequence[dict[str, Any]], vocabulary: Vocabulary) -> list[list[Any]]:
    """One flat row per case, in the order of ``LIST_CSV_COLUMNS``."""
    rows = []
    for case in cases:
        event = last_event(case) or {}
        bases = sorted({c.get("basis", "") for c in case.get("charges", [])})
        rows.append(
            [
                case.get("id"),
                case.get("name"),
                case.get("status"),
                vocabulary.outcome_of(case.get("status", "")),
                case.get("origin_country"),
                case.get("host_country"),
                "; ".join(case.get("categories", [])),
                "; ".join(bases),
                event.get("date"),
                event.get("type"),
            ]
        )
    return rows
