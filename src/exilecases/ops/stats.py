"""Counts of cases by one field, or a cross-table by two.

The result is the ``stats --format json`` contract of ``cli.md``::

    {"by": ["status"], "total": 6, "rows": [{"status": "deported", "count": 3}, ...]}

``total`` counts cases. A case with several values of a field (categories, the legal bases
of its charges, the years of its events) counts once under each distinct value; a case with
none counts under ``None``. Rows are sorted by count, largest first, then by value (``None``
last).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from itertools import product

from exilecases.format.dates import DateError, parse_date
from exilecases.format.fields import entries
from exilecases.format.vocabulary import Vocabulary

#: The fields ``stats --by`` accepts, in the order they are documented.
STATS_FIELDS: tuple[str, ...] = (
    "status",
    "outcome",
    "basis",
    "category",
    "origin",
    "host",
    "year",
    "proceeding",
    "breach",
)

#: At most this many ``--by`` fields (one count or one cross-table).
MAX_FIELDS = 2

Value = str | int | None
_Extractor = Callable[[dict], set[Value]]


def _scalar(value: object) -> set[Value]:
    """A one-value set for a string value; the empty set for anything else."""
    return {value} if isinstance(value, str) and value else set()


def _strings(value: object) -> set[Value]:
    """The distinct non-empty strings of a list value (a lone string counts as a list)."""
    if isinstance(value, str):
        return _scalar(value)
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str) and item}
    return set()


def _year(value: object) -> int | None:
    """The year of a case-file date, or None when it is not a readable date."""
    try:
        return parse_date(value).year
    except DateError:
        return None


def _extractors(vocabulary: Vocabulary, event_type: str | None) -> dict[str, _Extractor]:
    """For each field, the function giving a case's set of values of that field."""

    def outcome(case: dict) -> set[Value]:
        status = case.get("status")
        return {vocabulary.outcome_of(status)} if isinstance(status, str) and status else set()

    def basis(case: dict) -> set[Value]:
        return set().union(*(_scalar(charge.get("basis")) for charge in entries(case, "charges")))

    def year(case: dict) -> set[Value]:
        events = entries(case, "events")
        if event_type is not None:
            events = [event for event in events if event.get("type") == event_type]
        return {y for event in events if (y := _year(event.get("date"))) is not None}

    def proceeding(case: dict) -> set[Value]:
        return set().union(*(_scalar(p.get("type")) for p in entries(case, "proceedings")))

    def breach(case: dict) -> set[Value]:
        # Outlines from the index carry the value; a whole case is judged on its public view.
        if "interim_measures_breach" in case:
            return {case["interim_measures_breach"]}
        from exilecases.format.privacy import redact
        from exilecases.ops.deadlines import breach as judge

        return {judge(redact(case, vocabulary))}

    return {
        "status": lambda case: _scalar(case.get("status")),
        "outcome": outcome,
        "basis": basis,
        "category": lambda case: _strings(case.get("categories")),
        "origin": lambda case: _scalar(case.get("origin_country")),
        "host": lambda case: _scalar(case.get("host_country")),
        "year": year,
        "proceeding": proceeding,
        "breach": breach,
    }


def check_fields(by: Sequence[str], event_type: str | None = None) -> None:
    """Raise ``ValueError`` (naming the allowed fields) unless ``by`` can be counted."""
    allowed = ", ".join(STATS_FIELDS)
    if isinstance(by, str):
        raise ValueError(f"give the fields as a list, e.g. [{by!r}]; the fields are {allowed}")
    if not by:
        raise ValueError(f"count by one or two fields; the fields are {allowed}")
    if len(by) > MAX_FIELDS:
        raise ValueError(
            f"count by at most {MAX_FIELDS} fields (got {len(by)}: {', '.join(by)}); "
            f"the fields are {allowed}"
        )
    for field in by:
        if field not in STATS_FIELDS:
            raise ValueError(f"cannot count by {field!r}; the fields are {allowed}")
    if len(set(by)) != len(by):
        raise ValueError(f"count by two different fields, not {by[0]!r} twice")
    if event_type is not None and "year" not in by:
        raise ValueError("an event type only applies when counting by year")


def _sort_value(value: Value) -> tuple[int, int, str]:
    """Order values ascending: numbers by size, then strings, ``None`` last."""
    if value is None:
        return (2, 0, "")
    if isinstance(value, int):
        return (0, value, "")
    return (1, 0, value)


def _row_key(item: tuple[tuple[Value, ...], int]) -> tuple:
    """Sort rows by count descending, then by their values ascending (``None`` last)."""
    values, number = item
    return (-number, *(_sort_value(v) for v in values))


def count(
    cases: Iterable[dict],
    by: Sequence[str],
    vocabulary: Vocabulary,
    *,
    event_type: str | None = None,
) -> dict:
    """Count cases by one field, or cross-tabulate them by two.

    ``by`` holds one or two of :data:`STATS_FIELDS`; ``event_type`` limits ``year`` to the
    events of that type. Returns ``{"by": [...], "total": N, "rows": [{FIELD: VALUE, ...,
    "count": N}, ...]}``, one row per value (or combination of values) that occurs. Raises
    ``ValueError`` for an unknown field, a repeated field or more than two fields.
    """
    check_fields(by, event_type)
    extract = [_extractors(vocabulary, event_type)[field] for field in by]
    counter: Counter[tuple[Value, ...]] = Counter()
    total = 0
    for case in cases:
        total += 1
        value_sets = [extractor(case) or {None} for extractor in extract]
        counter.update(product(*value_sets))
    rows = [
        {**dict(zip(by, values, strict=True)), "count": number}
        for values, number in sorted(counter.items(), key=_row_key)
    ]
    return {"by": list(by), "total": total, "rows": rows}


def share(number: int, total: int) -> float:
    """``number / total`` rounded to 3 places (0.0 when there are no cases)."""
    return round(number / total, 3) if total else 0.0


def shares(result: dict) -> list[float]:
    """The share of all cases in each row of a :func:`count` result, in row order.

    With multi-valued fields the shares may add up to more than 1: a case counts in each row
    it belongs to.
    """
    return [share(row["count"], result["total"]) for row in result["rows"]]
