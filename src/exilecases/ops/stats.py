"""Counts of cases by one field, or a cross-table by two.

The result is the ``stats --format json`` contract of ``cli.md``::

    {"by": ["status"], "total": 6, "rows": [{"status": "deported", "count": 3}, ...]}

``total`` counts cases. A case with several values of a field (categories, the legal bases
of its charges, the years of its events) counts once under each distinct value; a case with
none counts under ``None``. Rows are sorted by count, largest first, then by value (``None``
last); years are in time order, earliest first.

With an event type (``stats --by year --event deportation``) the events of that type are
counted, not cases: each counts once, in its year, and the result says so with
``"counted": "events"``, ``"event": TYPE`` and ``"cases"`` (how many cases have such an
event); ``total`` is then the number of those events. Cases without one are not counted.
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


def _row_key(by: Sequence[str]) -> Callable[[tuple[tuple[Value, ...], int]], tuple]:
    """Sort rows by year (time order) when counting by year, then by count descending, then
    by the other values ascending (``None`` last)."""

    def key(item: tuple[tuple[Value, ...], int]) -> tuple:
        values, number = item
        years = [_sort_value(v) for f, v in zip(by, values, strict=True) if f == "year"]
        others = [_sort_value(v) for f, v in zip(by, values, strict=True) if f != "year"]
        return (*years, -number, *others)

    return key


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
    if event_type is not None:
        return _count_events(cases, by, vocabulary, event_type)
    extract = [_extractors(vocabulary, event_type)[field] for field in by]
    counter: Counter[tuple[Value, ...]] = Counter()
    total = 0
    for case in cases:
        total += 1
        value_sets = [extractor(case) or {None} for extractor in extract]
        counter.update(product(*value_sets))
    return _result(by, total, counter)


def _result(by: Sequence[str], total: int, counter: Counter[tuple[Value, ...]]) -> dict:
    rows = [
        {**dict(zip(by, values, strict=True)), "count": number}
        for values, number in sorted(counter.items(), key=_row_key(by))
    ]
    return {"by": list(by), "total": total, "rows": rows}


def _count_events(
    cases: Iterable[dict], by: Sequence[str], vocabulary: Vocabulary, event_type: str
) -> dict:
    """Count the events of one type: each in its year (``None``: its date is unreadable),
    under the values of its case for the other field."""
    extractors = _extractors(vocabulary, None)
    counter: Counter[tuple[Value, ...]] = Counter()
    events_counted = cases_counted = 0
    for case in cases:
        events = [e for e in entries(case, "events") if e.get("type") == event_type]
        if not events:
            continue
        cases_counted += 1
        others = {f: extractors[f](case) or {None} for f in by if f != "year"}
        for event in events:
            events_counted += 1
            value_sets = [{_year(event.get("date"))} if f == "year" else others[f] for f in by]
            counter.update(product(*value_sets))
    return {
        "by": list(by),
        "counted": "events",
        "event": event_type,
        "total": events_counted,
        "cases": cases_counted,
        "rows": _result(by, events_counted, counter)["rows"],
    }


def counted_noun(result: dict, number: int) -> str:
    """What the rows of a :func:`count` result count, for a title: ``cases``, or the event
    type (``deportations``; ``refused_entry events``), singular for one."""
    if result.get("counted") != "events":
        return "case" if number == 1 else "cases"
    event = str(result.get("event"))
    if "_" in event or event.endswith(("s", "y")):
        return f"{event} event" if number == 1 else f"{event} events"
    return event if number == 1 else f"{event}s"


# --- the same counts as SQL over the index -------------------------------------------------
#
# Each field's values as ``(file, value)`` rows over ``chosen`` (the files passing the
# filters), NULL for a case with none, exactly as the extractors above give them: the
# index's ``tags`` hold each case's distinct categories and bases, ``event_ranges`` each
# dated event's first possible day (whose year is the event's year) and type.


#: The fields counted by SQL over the index; the others (``proceeding``, ``breach``) are
#: counted in Python over the selected cases.
SQL_FIELDS = frozenset({"status", "outcome", "basis", "category", "origin", "host", "year"})


def _values_sql(field: str, event_type: str | None) -> tuple[str, list[Value]]:
    if field in ("status", "outcome"):
        return "SELECT file, NULLIF(status, '') AS value FROM chosen", []
    if field in ("origin", "host"):
        return f"SELECT file, NULLIF({field}, '') AS value FROM chosen", []
    if field in ("basis", "category"):
        return (
            "SELECT c.file, t.value FROM chosen c LEFT JOIN tags t "
            "ON t.file = c.file AND t.field = ? AND t.value != ''",
            [field],
        )
    typed = " WHERE type = ?" if event_type is not None else ""
    return (
        "SELECT c.file, y.value FROM chosen c LEFT JOIN (SELECT DISTINCT file, "
        f"CAST(substr(earliest, 1, 4) AS INTEGER) AS value FROM event_ranges{typed}) y "
        "ON y.file = c.file",
        [event_type] if event_type is not None else [],
    )


def count_sql(
    run: Callable[[str, Sequence[Value]], Iterable[tuple]],
    by: Sequence[str],
    vocabulary: Vocabulary,
    where: str = "",
    params: Sequence[Value] = (),
    *,
    event_type: str | None = None,
) -> dict:
    """What :func:`count` gives, counted by SQL over the index (``run`` executes a query on
    it) for the usable files passing ``where`` (``query.sql_where``): a GROUP BY over the
    index's columns and tag table, decoding no case."""
    check_fields(by, event_type)
    if not SQL_FIELDS.issuperset(by):
        raise ValueError(f"no SQL counts by {', '.join(sorted(set(by) - SQL_FIELDS))}")
    chosen = f"WITH chosen AS (SELECT file, status, origin, host FROM files WHERE ok = 1 {where})"
    (total,) = next(iter(run(f"{chosen} SELECT count(*) FROM chosen", list(params))))
    parts = [_values_sql(field, event_type) for field in by]
    arguments = [*params, *(value for _, values in parts for value in values)]
    names = [f"v{number}" for number in range(len(by))]
    ctes = ", ".join(f"{name} AS ({sql})" for name, (sql, _) in zip(names, parts, strict=True))
    joined = names[0] + "".join(f" JOIN {name} USING (file)" for name in names[1:])
    columns = ", ".join(f"{name}.value" for name in names)
    sql = f"{chosen}, {ctes} SELECT {columns}, count(*) FROM {joined} GROUP BY {columns}"
    counter: Counter[tuple[Value, ...]] = Counter()
    for *values, number in run(sql, arguments):
        key = tuple(
            vocabulary.outcome_of(value) if field == "outcome" and value is not None else value
            for field, value in zip(by, values, strict=True)
        )
        counter[key] += number
    return _result(by, total, counter)


def share(number: int, total: int) -> float:
    """``number / total`` rounded to 3 places (0.0 when there are no cases)."""
    return round(number / total, 3) if total else 0.0


def shares(result: dict) -> list[float]:
    """The share of all cases in each row of a :func:`count` result, in row order.

    With multi-valued fields the shares may add up to more than 1: a case counts in each row
    it belongs to.
    """
    return [share(row["count"], result["total"]) for row in result["rows"]]
