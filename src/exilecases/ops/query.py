"""Selecting and ordering cases: the filters of ``list`` (and of ``stats`` and ``export``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from exilecases.errors import ExilecasesError
from exilecases.format.dates import (
    DateError,
    as_of_day,
    date_range,
    parse_date,
    sort_key_or_last,
)
from exilecases.format.vocabulary import Vocabulary

#: The fields ``--sort`` accepts.
SORT_FIELDS = ("id", "name", "status", "outcome", "origin", "host", "first-event", "last-event")
UNKNOWN_STATUS = "unknown"


@dataclass
class Filters:
    """Every filter of ``list``. A repeated filter matches any of its values (OR); different
    filters must all match (AND). Empty means "no filter"."""

    status: list[str] = field(default_factory=list)
    outcome: list[str] = field(default_factory=list)
    basis: list[str] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    origin: list[str] = field(default_factory=list)
    host: list[str] = field(default_factory=list)
    since: str | None = None
    until: str | None = None
    as_of: str | None = None

    def check(self, vocabulary: Vocabulary) -> None:
        """Refuse values no case can have (a typo), with the nearest known value."""
        for values, kind in (
            (self.status, "statuses"),
            (self.outcome, "outcomes"),
            (self.basis, "legal_bases"),
            (self.category, "categories"),
        ):
            for value in values:
                if not vocabulary.has(kind, value):
                    suggestion = vocabulary.suggest(kind, value)
                    hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
                    known = ", ".join(vocabulary.keys(kind))
                    raise ExilecasesError(
                        f"unknown {kind.rstrip('s').replace('_', ' ')} {value!r}{hint}; "
                        f"known: {known}",
                        2,
                    )
        for name, value in (
            ("--since", self.since),
            ("--until", self.until),
            ("--as-of", self.as_of),
        ):
            if value is not None:
                try:
                    as_of_day(value) if name == "--as-of" else parse_date(value)
                except DateError as error:
                    raise ExilecasesError(f"{name}: {error}", 2) from None


def outcome_of(case: dict[str, Any], vocabulary: Vocabulary) -> str:
    """The outcome class of the case's status."""
    return vocabulary.outcome_of(case.get("status", UNKNOWN_STATUS))


def status_on(case: dict[str, Any], day: dt.date) -> str:
    """The status a case had on ``day``: the outcome of the latest event with an outcome
    that had certainly happened by then (its latest possible day is on or before ``day``).

    A case with no such event was ``unknown`` on that day.
    """
    best: tuple | None = None
    status = UNKNOWN_STATUS
    for index, event in enumerate(case.get("events", [])):
        outcome = event.get("outcome")
        if not outcome:
            continue
        try:
            date = parse_date(event["date"])
        except (DateError, KeyError):
            continue
        if date.latest > day:
            continue
        key = (date.sort_key(), index)
        if best is None or key > best:
            best, status = key, outcome
    return status


def as_of(cases: Iterable[dict[str, Any]], day: str) -> list[dict[str, Any]]:
    """Copies of the cases with ``status`` replaced by the status each had on ``day``
    (a partial date means its last day: ``2025`` is 31 December 2025)."""
    last_day = parse_date(day).latest
    return [{**case, "status": status_on(case, last_day)} for case in cases]


def _values(case: dict[str, Any], name: str, vocabulary: Vocabulary) -> set[str]:
    if name == "status":
        return {case.get("status", "")}
    if name == "outcome":
        return {outcome_of(case, vocabulary)}
    if name == "basis":
        return {c.get("basis", "") for c in case.get("charges", [])}
    if name == "category":
        return set(case.get("categories", []))
    if name == "origin":
        return {case.get("origin_country", "")}
    if name == "host":
        return {case.get("host_country", "")}
    raise KeyError(name)


def _has_event_in(case: dict[str, Any], start: dt.date | None, end: dt.date | None) -> bool:
    for event in case.get("events", []):
        try:
            if parse_date(event["date"]).overlaps(start, end):
                return True
        except (DateError, KeyError):
            continue
    return False


def select(
    cases: Iterable[dict[str, Any]], filters: Filters, vocabulary: Vocabulary
) -> list[dict[str, Any]]:
    """The cases that pass every filter (statuses as of ``filters.as_of`` when given)."""
    if filters.as_of:
        cases = as_of(cases, filters.as_of)
    wanted = {
        "status": set(filters.status),
        "outcome": set(filters.outcome),
        "basis": set(filters.basis),
        "category": set(filters.category),
        "origin": {v.upper() for v in filters.origin},
        "host": {v.upper() for v in filters.host},
    }
    wanted = {name: values for name, values in wanted.items() if values}
    start, end = date_range(filters.since, filters.until)
    by_date = start is not None or end is not None
    chosen = []
    for case in cases:
        if any(not (_values(case, name, vocabulary) & values) for name, values in wanted.items()):
            continue
        if by_date and not _has_event_in(case, start, end):
            continue
        chosen.append(case)
    return chosen


def _event_dates(case: dict[str, Any]) -> list[tuple]:
    return sorted(sort_key_or_last(e.get("date")) for e in case.get("events", []))


def sort_cases(
    cases: Sequence[dict[str, Any]], by: str, vocabulary: Vocabulary, reverse: bool = False
) -> list[dict[str, Any]]:
    """Cases ordered by one of ``SORT_FIELDS`` (then by id); missing values go last."""
    if by not in SORT_FIELDS:
        raise ExilecasesError(f"cannot sort by {by!r}; choose one of {', '.join(SORT_FIELDS)}", 2)

    def key(case: dict[str, Any]) -> tuple:
        if by == "first-event":
            dates = _event_dates(case)
            value: Any = dates[0] if dates else (1,)
        elif by == "last-event":
            dates = [d for d in _event_dates(case) if d[0] == 0]
            value = dates[-1] if dates else (1,)
        elif by == "outcome":
            value = outcome_of(case, vocabulary)
        elif by in ("origin", "host"):
            value = case.get(f"{by}_country", "")
        else:
            value = str(case.get(by, "")).casefold()
        return (value, case.get("id", ""))

    return sorted(cases, key=key, reverse=reverse)


def find_case(cases: Iterable[dict[str, Any]], case_id: str) -> dict[str, Any] | None:
    """The case with this id, if any."""
    return next((case for case in cases if case.get("id") == case_id), None)
