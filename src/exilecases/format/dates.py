"""The EDTF subset used by case files: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, and intervals.

Each may end in ``?`` (uncertain), ``~`` (approximate) or ``%`` (both). A partial date is
never padded: ``"2024"`` stays ``2024`` when shown or exported. It sorts and filters by the
range of days it may stand for (``earliest`` .. ``latest``). An interval ``"2022/2023"``
("between 2022 and 2023") joins two such dates, each with its own qualifier; it stands for
every day from the first day of its start to the last day of its end.

This module imports nothing from the rest of the package.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([?~%])?\Z")


class DateError(ValueError):
    """A date string that is not in the EDTF subset, or names a day that does not exist.

    ``code`` is ``"invalid-date"`` for a malformed string and ``"impossible-date"`` for a
    well-formed one that cannot exist (month 13, 30 February).
    """

    def __init__(self, message: str, code: str = "invalid-date") -> None:
        super().__init__(message)
        self.code = code


class _Days:
    """What a date and an interval share: a range of days, ``earliest`` .. ``latest``."""

    __slots__ = ()
    earliest: dt.date
    latest: dt.date

    def sort_key(self) -> tuple[dt.date, dt.date]:
        """Order by earliest possible day, then the narrower range first."""
        return (self.earliest, self.latest)

    def overlaps(self, start: dt.date | None, end: dt.date | None) -> bool:
        """True when some day this date may stand for lies within ``start .. end``."""
        if start is not None and self.latest < start:
            return False
        return not (end is not None and self.earliest > end)


@dataclass(frozen=True, slots=True)
class EdtfDate(_Days):
    """A parsed date of day, month or year precision, possibly uncertain or approximate."""

    year: int
    month: int | None = None
    day: int | None = None
    uncertain: bool = False
    approximate: bool = False

    @property
    def earliest(self) -> dt.date:
        """The first day the date may stand for."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> dt.date:
        """The last day the date may stand for."""
        if self.day is not None:
            return dt.date(self.year, self.month or 1, self.day)
        if self.month is not None:
            return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return dt.date(self.year, 12, 31)

    @property
    def precision(self) -> str:
        """``"day"``, ``"month"`` or ``"year"``."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        if self.uncertain and self.approximate:
            text += "%"
        elif self.uncertain:
            text += "?"
        elif self.approximate:
            text += "~"
        return text

    @property
    def exact(self) -> bool:
        """True for one certain day (no range, no qualifier)."""
        return self.day is not None and not (self.uncertain or self.approximate)


@dataclass(frozen=True, slots=True)
class EdtfInterval(_Days):
    """``START/END``: some day between the first day of ``start`` and the last of ``end``."""

    start: EdtfDate
    end: EdtfDate

    @property
    def year(self) -> int:
        """The year of the first possible day (what ``stats --by year`` counts)."""
        return self.start.year

    @property
    def earliest(self) -> dt.date:
        """The first day the interval may stand for."""
        return self.start.earliest

    @property
    def latest(self) -> dt.date:
        """The last day the interval may stand for."""
        return self.end.latest

    @property
    def uncertain(self) -> bool:
        """True when either end is uncertain."""
        return self.start.uncertain or self.end.uncertain

    @property
    def approximate(self) -> bool:
        """True when either end is approximate."""
        return self.start.approximate or self.end.approximate

    @property
    def precision(self) -> str:
        """Always ``"interval"``."""
        return "interval"

    @property
    def exact(self) -> bool:
        """Never: an interval is a range of days."""
        return False

    def __str__(self) -> str:
        return f"{self.start}/{self.end}"


#: What ``parse_date`` returns: one date, or an interval of two.
AnyDate = EdtfDate | EdtfInterval


def parse_date(value: object) -> AnyDate:
    """Parse a case-file date (an EDTF string or a TOML date literal).

    Raises ``DateError`` naming what is wrong and the accepted forms.
    """
    if isinstance(value, str | dt.date):
        try:
            return _parse_cached(value)
        except DateError as error:
            hint = typed_date_hint(value) if isinstance(value, str) else None
            if hint is None:
                raise
            raise DateError(hint, error.code) from None
    raise DateError(f'a date must be a string such as "2024-05", not {value!r}')


# Dates as people type them: 31.03.2025, 31/03/2025, 3-31-2025, 2025.03.31, 03.2025.
_TYPED_DAY_FIRST = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})([?~%])?\Z")
_TYPED_YEAR_FIRST = re.compile(r"(\d{4})[./](\d{1,2})(?:[./](\d{1,2}))?([?~%])?\Z")
_TYPED_MONTH_YEAR = re.compile(r"(\d{1,2})[./](\d{4})([?~%])?\Z")


def typed_date_hint(value: str) -> str | None:
    """For a date typed the way people write it (``31.03.2025``, ``31/03/2025``,
    ``2025.03.31``, ``03.2025``): a message naming the ISO form to write instead
    (``did you mean 2025-03-31?``). None when ``value`` is not such a date.

    Day first, as in Russia and Kazakhstan (``01.02.2025`` is 1 February), unless the
    second number cannot be a month (``03/31/2025``).
    """
    text = value.strip()
    year: str | None
    if match := _TYPED_DAY_FIRST.match(text):
        first, second, year, qualifier = match.groups()
        day, month = (first, second) if int(second) <= 12 else (second, first)
    elif match := _TYPED_YEAR_FIRST.match(text):
        year, month, day, qualifier = match.groups()
    elif match := _TYPED_MONTH_YEAR.match(text):
        month, year, qualifier = match.groups()
        day = None
    else:
        return None
    iso = f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
    try:
        _parse_cached(iso)
    except DateError as error:
        return (
            f"{value!r} is not a date in the form case files use (YYYY-MM-DD), and {iso} "
            f"does not exist either: {str(error).split(': ', 1)[-1]}"
        )
    suggestion = f'"{iso}{qualifier}"' if qualifier else iso
    return f"{value!r} is not a date in the form case files use: did you mean {suggestion}?"


def as_of_day(value: str, *, first: bool = False) -> dt.date:
    """The day of an ``--as-of`` option (or ``--on``): ``YYYY-MM-DD``, or ``YYYY-MM`` or
    ``YYYY`` for their last day (their first with ``first``). Such a day is one day: ``?``,
    ``~`` and intervals are refused.

    Raises ``DateError`` naming the forms to use.
    """
    text = value.strip() if isinstance(value, str) else value
    which = "first" if first else "last"
    forms = f"write YYYY-MM-DD (or YYYY-MM or YYYY, meaning its {which} day), e.g. 2025-03-31"
    if isinstance(text, str) and text[-1:] in ("?", "~", "%"):
        raise DateError(f"{value!r}: give one day, not an uncertain one; {forms}")
    try:
        parsed = parse_date(text)
    except DateError as error:
        hint = typed_date_hint(text) if isinstance(text, str) else None
        if hint is not None:
            raise DateError(hint, error.code) from None
        if error.code == "impossible-date":
            raise
        raise DateError(f"{value!r} is not a date; {forms}") from None
    if not isinstance(parsed, EdtfDate) or parsed.uncertain or parsed.approximate:
        raise DateError(f"{value!r}: give one day, not a range of days; {forms}")
    return parsed.earliest if first else parsed.latest


# The same dates recur across thousands of cases, and EdtfDate is immutable.
@functools.lru_cache(maxsize=8192)
def _parse_cached(value: str | dt.date) -> AnyDate:
    if isinstance(value, str) and "/" in value:
        return _parse_interval(value)
    return _parse_one(value)


def _parse_interval(value: str) -> EdtfInterval:
    parts = value.strip().split("/")
    if len(parts) != 2 or not all(parts):
        raise DateError(
            f"{value!r} is not a date interval; write START/END, each YYYY, YYYY-MM or "
            'YYYY-MM-DD with an optional ? or ~, e.g. "2022/2023" (between 2022 and 2023)'
        )
    start, end = (_parse_one(part) for part in parts)
    if end.latest < start.earliest:
        raise DateError(
            f"{value!r}: the interval ends before it starts; write the earlier date first",
            code="impossible-date",
        )
    return EdtfInterval(start, end)


def _parse_one(value: str | dt.date) -> EdtfDate:
    if isinstance(value, dt.datetime):
        raise DateError(
            f"{value.isoformat()!r} has a time of day; write the day only, e.g. "
            f'"{value.date().isoformat()}"'
        )
    if isinstance(value, dt.date):
        return EdtfDate(value.year, value.month, value.day)
    if not isinstance(value, str):
        raise DateError(f'a date must be a string such as "2024-05", not {value!r}')
    match = _PATTERN.match(value.strip())
    if match is None:
        raise DateError(
            f"{value!r} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD, optionally "
            'followed by ? (uncertain), ~ (approximate) or % (both), e.g. "2025-02-05?", '
            'or an interval START/END such as "2022/2023"'
        )
    year_text, month_text, day_text, qualifier = match.groups()
    year = int(year_text)
    month = int(month_text) if month_text else None
    day = int(day_text) if day_text else None
    if year == 0:
        raise DateError(f"{value!r}: there is no year 0", code="impossible-date")
    if month is not None and not 1 <= month <= 12:
        raise DateError(f"{value!r}: month {month} does not exist", code="impossible-date")
    if day is not None:
        assert month is not None
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise DateError(
                f"{value!r}: {calendar.month_name[month]} {year} has {last} days",
                code="impossible-date",
            )
    return EdtfDate(
        year,
        month,
        day,
        uncertain=qualifier in ("?", "%"),
        approximate=qualifier in ("~", "%"),
    )


def normalise_date(value: object) -> str:
    """The canonical string of a date value (TOML date literals become ``YYYY-MM-DD``)."""
    return str(parse_date(value))


def date_range(since: str | None, until: str | None) -> tuple[dt.date | None, dt.date | None]:
    """The day range of a ``--since``/``--until`` pair; each bound may be partial."""
    start = parse_date(since).earliest if since else None
    end = parse_date(until).latest if until else None
    return start, end


def sort_key_or_last(value: object) -> tuple[int, dt.date, dt.date]:
    """A sort key that puts missing or unreadable dates after every real one."""
    try:
        parsed = parse_date(value)
    except DateError:
        return (1, dt.date.max, dt.date.max)
    return (0, *parsed.sort_key())
