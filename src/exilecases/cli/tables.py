"""Flat rows of cases for CSV and tables (no rich here: CSV output must stay light)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from exilecases.format.dates import DateError, parse_date, sort_key_or_last
from exilecases.format.vocabulary import Vocabulary


def events_in_order(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The events by date (earliest possible day first), undated ones last, ties in file
    order."""
    indexed = list(enumerate(case.get("events", [])))
    indexed.sort(key=lambda pair: (sort_key_or_last(pair[1].get("date")), pair[0]))
    return [event for _, event in indexed]


def last_event(case: dict[str, Any], as_of: str | None = None) -> dict[str, Any] | None:
    """The latest dated event of a case; with ``as_of`` (a ``--as-of`` day), the latest that
    had certainly happened by then (as ``--as-of`` derives the status)."""
    events = events_in_order(case)
    if as_of is not None:
        day = parse_date(as_of).latest
        events = [e for e in events if _latest(e.get("date")) <= day]
    return events[-1] if events else None


def _latest(value: Any) -> dt.date:
    """The last day a date may stand for; unreadable dates never come before a day."""
    try:
        return parse_date(value).latest
    except DateError:
        return dt.date.max


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


def list_rows(
    cases: Sequence[dict[str, Any]], vocabulary: Vocabulary, as_of: str | None = None
) -> list[list[Any]]:
    """One flat row per case, in the order of ``LIST_CSV_COLUMNS`` (the last event as of
    ``as_of`` when given)."""
    rows = []
    for case in cases:
        event = last_event(case, as_of) or {}
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
