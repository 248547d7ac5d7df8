"""Selecting and ordering cases: the filters of ``list`` (and of ``stats`` and ``export``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
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
from exilecases.format.vocabulary import KIND_NOUNS, Vocabulary

#: The fields ``--sort`` accepts.
SORT_FIELDS = (
    "id",
    "name",
    "status",
    "outcome",
    "origin",
    "host",
    "first-event",
    "last-event",
    "next-deadline",
)
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
    #: Only cases returned in breach (or possibly in breach) of interim measures.
    breached: bool = False

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
                        f"unknown {KIND_NOUNS[kind]} {value!r}{hint}; known: {known}",
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


def _has_event_in(case: dict[str, Any], start: dt.date | None, end: dt.date | None) -> bool:
    for event in case.get("events", []):
        try:
            if parse_date(event["date"]).overlaps(start, end):
                return True
        except (DateError, KeyError):
            continue
    return False


# --- the filters: each one's Python test and its SQL over the index, side by side ---------
#
# The SQL runs over the index's tables (``store.index``): ``files`` (one row per file, with
# ``status``, ``origin`` and ``host`` columns), ``tags`` (``field`` is "basis" or "category")
# and ``event_ranges`` (each dated event's first and last possible day). Both sides see the
# same cases (public views), so they choose the same ones; tests/store/test_cache.py checks that.

Sql = tuple[str, list[Any]]


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def _column_in(column: str, values: set[str]) -> Sql:
    if not values:
        return "0", []
    ordered = sorted(values)
    return f"{column} IN ({_marks(ordered)})", ordered


def _tag_in(field_name: str, values: set[str]) -> Sql:
    ordered = sorted(values)
    return (
        f"file IN (SELECT file FROM tags WHERE field = ? AND value IN ({_marks(ordered)}))",
        [field_name, *ordered],
    )


def _statuses_with(outcomes: set[str], vocabulary: Vocabulary) -> set[str]:
    return set().union(*(vocabulary.statuses_with_outcome(o) for o in outcomes))


def _events_sql(bounds: tuple[dt.date | None, dt.date | None]) -> Sql:
    start, end = bounds
    condition, params = "SELECT 1 FROM event_ranges e WHERE e.file = files.file", []
    if start is not None:
        condition += " AND e.latest >= ?"
        params.append(start.isoformat())
    if end is not None:
        condition += " AND e.earliest <= ?"
        params.append(end.isoformat())
    return f"EXISTS ({condition})", params


def _event_bounds(filters: Filters) -> tuple[dt.date | None, dt.date | None] | None:
    if filters.since is None and filters.until is None:
        return None
    bounds = date_range(filters.since, filters.until)
    return bounds if bounds != (None, None) else None


@dataclass(frozen=True)
class Filter:
    """One filter of ``list``, ``stats`` and ``export``, defined once.

    ``wanted`` reads what the user asked for from ``Filters`` (falsy: the filter is off);
    ``test`` is its Python test of one case; ``sql`` the same test as an SQL condition on a
    row of the index's ``files`` table, or None where SQL cannot express it.
    """

    name: str
    wanted: Callable[[Filters], Any]
    test: Callable[[dict[str, Any], Any, Vocabulary], bool]
    sql: Callable[[Any, Vocabulary], Sql] | None


FILTERS: tuple[Filter, ...] = (
    Filter(
        "status",
        lambda f: set(f.status),
        lambda case, wanted, _: case.get("status", "") in wanted,
        lambda wanted, _: _column_in("status", wanted),
    ),
    Filter(
        "outcome",
        lambda f: set(f.outcome),
        lambda case, wanted, vocabulary: outcome_of(case, vocabulary) in wanted,
        lambda wanted, vocabulary: _column_in("status", _statuses_with(wanted, vocabulary)),
    ),
    Filter(
        "basis",
        lambda f: set(f.basis),
        lambda case, wanted, _: any(c.get("basis", "") in wanted for c in case.get("charges", [])),
        lambda wanted, _: _tag_in("basis", wanted),
    ),
    Filter(
        "category",
        lambda f: set(f.category),
        lambda case, wanted, _: not wanted.isdisjoint(case.get("categories", [])),
        lambda wanted, _: _tag_in("category", wanted),
    ),
    Filter(
        "origin",
        lambda f: {v.upper() for v in f.origin},
        lambda case, wanted, _: case.get("origin_country", "") in wanted,
        lambda wanted, _: _column_in("origin", wanted),
    ),
    Filter(
        "host",
        lambda f: {v.upper() for v in f.host},
        lambda case, wanted, _: case.get("host_country", "") in wanted,
        lambda wanted, _: _column_in("host", wanted),
    ),
    Filter(
        # --since and --until together: an event that may fall between them.
        "since/until",
        _event_bounds,
        lambda case, bounds, _: _has_event_in(case, *bounds),
        lambda bounds, _: _events_sql(bounds),
    ),
    Filter(
        # Returned after interim measures were granted and before any were lifted, certainly
        # or possibly (ops/deadlines.breach; the index keeps its verdict as a "breach" tag).
        "breached",
        lambda f: f.breached,
        lambda case, _, vocabulary: _breached(case, vocabulary),
        lambda _, __: (
            "file IN (SELECT file FROM tags WHERE field = 'breach' AND value != 'none')",
            [],
        ),
    ),
    Filter(
        # --as-of is a view more than a test: the other filters then see the status each
        # case had on that day (``as_of``), which needs every event's outcome, so no SQL.
        "as_of",
        lambda f: f.as_of,
        lambda case, day, _: True,
        None,
    ),
)


def sql_where(filters: Filters, vocabulary: Vocabulary) -> Sql | None:
    """The ``AND ...`` clause that selects, over the index, the cases ``select`` chooses;
    None when a filter in use has no SQL (``--as-of``: those runs filter in Python)."""
    clauses: list[str] = []
    params: list[Any] = []
    for item in FILTERS:
        wanted = item.wanted(filters)
        if not wanted:
            continue
        if item.sql is None:
            return None
        clause, values = item.sql(wanted, vocabulary)
        clauses.append(f"AND {clause}")
        params.extend(values)
    return " ".join(clauses), params


def select(
    cases: Iterable[dict[str, Any]], filters: Filters, vocabulary: Vocabulary
) -> list[dict[str, Any]]:
    """The cases that pass every filter (statuses as of ``filters.as_of`` when given)."""
    if filters.as_of:
        cases = as_of(cases, filters.as_of)
    tests = [(item.test, wanted) for item in FILTERS if (wanted := item.wanted(filters))]
    return [case for case in cases if all(test(case, wanted, vocabulary) for test, wanted in tests)]


def _breached(case: dict[str, Any], vocabulary: Vocabulary) -> bool:
    """The Python side of ``--breached``: the case's public events (the SQL side reads the
    index's breach tag)."""
    from exilecases.ops.deadlines import breach

    return breach(case) != "none"


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
        elif by == "next-deadline":
            from exilecases.ops.deadlines import next_deadline

            day = next_deadline(case, vocabulary)
            value = (0, day) if day is not None else (1,)
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
