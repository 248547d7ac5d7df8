"""The EDTF subset: parsing, ranges, ordering, and never padding a partial date."""

from __future__ import annotations

import datetime as dt

import pytest

from exilecases.format.dates import (
    DateError,
    date_range,
    normalise_date,
    parse_date,
    sort_key_or_last,
)


@pytest.mark.parametrize(
    "text,earliest,latest",
    [
        ("2024", "2024-01-01", "2024-12-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2023-02", "2023-02-01", "2023-02-28"),
        ("2025-02-05", "2025-02-05", "2025-02-05"),
        ("2025-02-05?", "2025-02-05", "2025-02-05"),
        ("2022~", "2022-01-01", "2022-12-31"),
        ("2026-01%", "2026-01-01", "2026-01-31"),
    ],
)
def test_range_of_a_date(text: str, earliest: str, latest: str) -> None:
    date = parse_date(text)
    assert (date.earliest.isoformat(), date.latest.isoformat()) == (earliest, latest)
    assert str(date) == text  # never padded, qualifier kept


def test_qualifiers() -> None:
    assert parse_date("2024?").uncertain and not parse_date("2024?").approximate
    assert parse_date("2024~").approximate and not parse_date("2024~").uncertain
    both = parse_date("2024%")
    assert both.uncertain and both.approximate


def test_toml_date_literal_means_the_same_day() -> None:
    assert normalise_date(dt.date(2025, 2, 5)) == "2025-02-05"


@pytest.mark.parametrize("text", ["05/02/2025", "2025-2-5", "2025-02-05T10:00", "1990s", "", 2024])
def test_invalid(text: object) -> None:
    with pytest.raises(DateError) as error:
        parse_date(text)
    assert error.value.code == "invalid-date"


@pytest.mark.parametrize("text", ["2025-02-30", "2025-13", "2023-02-29", "0000"])
def test_impossible(text: str) -> None:
    with pytest.raises(DateError) as error:
        parse_date(text)
    assert error.value.code == "impossible-date"


def test_a_time_of_day_is_refused() -> None:
    with pytest.raises(DateError, match="time of day"):
        parse_date(dt.datetime(2025, 2, 5, 10, 0))


def test_sorting_by_earliest_day_then_precision_and_undated_last() -> None:
    values = ["2024-05", "2024", "bad", "2023-12-31", "2024-01-01"]
    ordered = sorted(values, key=sort_key_or_last)
    assert ordered == ["2023-12-31", "2024-01-01", "2024", "2024-05", "bad"]


def test_filter_ranges_count_a_partial_date_in_full() -> None:
    start, end = date_range("2024", "2024")
    assert parse_date("2024").overlaps(start, end)
    assert parse_date("2024-06?").overlaps(*date_range("2024-06-30", None))
    assert not parse_date("2023").overlaps(*date_range("2024", None))
    assert not parse_date("2025-01").overlaps(*date_range(None, "2024"))
