"""Filters, sorting and the status on a past day."""

from __future__ import annotations

import datetime as dt

import pytest

from exilecases.errors import ExilecasesError
from exilecases.format.vocabulary import default_vocabulary
from exilecases.ops.query import Filters, as_of, select, sort_cases, status_on

VOCABULARY = default_vocabulary()
CASE = {
    "id": "a-b",
    "status": "deported",
    "events": [
        {"date": "2025-03", "type": "detention", "outcome": "detained"},
        {"date": "2024", "type": "asylum_application", "outcome": "asylum_pending"},
        {"date": "2026-01-15", "type": "deportation", "outcome": "deported"},
    ],
}


@pytest.mark.parametrize(
    "day,status",
    [
        ("2023-06-01", "unknown"),
        ("2024-06-30", "unknown"),  # "2024" has not certainly happened by June
        ("2024-12-31", "asylum_pending"),
        ("2025-03-31", "detained"),
        ("2026-01-14", "detained"),
        ("2026-01-15", "deported"),
    ],
)
def test_status_on_a_day(day: str, status: str) -> None:
    assert status_on(CASE, dt.date.fromisoformat(day)) == status


def test_as_of_a_partial_date_means_its_last_day() -> None:
    (case,) = as_of([CASE], "2025")
    assert case["status"] == "detained"
    assert CASE["status"] == "deported"  # the original is not changed


def test_as_of_in_filters() -> None:
    other = {"id": "c-d", "status": "refugee", "events": []}
    chosen = select([CASE, other], Filters(as_of="2025-06", status=["detained"]), VOCABULARY)
    assert [c["id"] for c in chosen] == ["a-b"]
    unknown = select([CASE, other], Filters(as_of="2025-06", outcome=["unknown"]), VOCABULARY)
    assert [c["id"] for c in unknown] == ["c-d"]


def test_filters_refuse_unknown_values_with_a_suggestion() -> None:
    with pytest.raises(ExilecasesError, match="did you mean 'RU-CC-338'"):
        Filters(basis=["RU-CC-388"]).check(VOCABULARY)
    with pytest.raises(ExilecasesError, match="--until"):
        Filters(until="soon").check(VOCABULARY)


def test_sort_unknown_field_is_a_usage_error() -> None:
    with pytest.raises(ExilecasesError) as error:
        sort_cases([CASE], "age", VOCABULARY)
    assert error.value.exit_code == 2
