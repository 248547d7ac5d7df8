"""Tests of stats.py: counts by one field, cross-tables by two, the JSON contract."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from exilecases.format.vocabulary import Vocabulary, default_vocabulary
from exilecases.ops.stats import STATS_FIELDS, count, share, shares


def event(date: object, type_: str) -> dict:
    """One timeline event."""
    return {"date": date, "type": type_}


CASES: list[dict] = [
    {
        "id": "korobov-evgenij",
        "name": "Evgenij Korobov",
        "status": "asylum_denied",
        "origin_country": "RU",
        "host_country": "KZ",
        "categories": ["deserter", "officer"],
        # The same basis twice: the case counts once under it.
        "charges": [{"basis": "RU-CC-338", "date": "2023"}, {"basis": "RU-CC-338", "date": "2024"}],
        "events": [event("2024-04", "asylum_application"), event("2025-02-05?", "court_ruling")],
    },
    {
        "id": "bazhukov-semyon",
        "name": "Semyon Bazhukov",
        "status": "handed_over",
        "origin_country": "RU",
        "host_country": "KZ",
        "categories": ["deserter", "contract_soldier"],
        "charges": [{"basis": "RU-CC-338"}],
        "events": [
            event("2024", "asylum_application"),
            event("2025-11~", "detention"),
            event("2026-02-02", "handover"),
        ],
    },
    {
        "id": "kachkurkin-alexander",
        "name": "Alexander Kachkurkin",
        "status": "deported",
        "origin_country": "RU",
        "host_country": "KZ",
        "categories": ["it_specialist"],
        "charges": [{"basis": "KZ-AOC"}, {"basis": "RU-CC-275"}],
        "events": [
            event("2026-01~", "expulsion_order"),
            event(dt.date(2026, 1, 20), "deportation"),
        ],
    },
    {
        "id": "baltatarova-yevgeniya",
        "name": "Yevgeniya Baltatarova",
        "status": "asylum_pending",
        "origin_country": "RU",
        "host_country": "KZ",
        "categories": ["journalist"],
        "charges": [{"basis": "RU-CC-207.3"}],
        # Two detentions in one year: the case counts once under 2023.
        "events": [
            event("2022-03", "arrival"),
            event("2023", "detention"),
            event("2023-06", "detention"),
        ],
    },
    {
        "id": "movlayev-mansur",
        "name": "Mansur Movlayev",
        "status": "extradited",
        "origin_country": "RU",
        "host_country": "KZ",
        "categories": ["activist"],
        "charges": [{"basis": "RU-CC-282.3"}],
        "events": [event("2025", "detention"), event("2026-02", "extradition")],
    },
    {
        # No categories, no charges, no events: counts under None for those fields.
        "id": "unnamed-deserter",
        "name": "Unnamed deserter",
        "status": "deported",
        "origin_country": "RU",
        "host_country": "KG",
    },
]


@pytest.fixture
def vocabulary() -> Vocabulary:
    """The vocabulary shipped with exilecases."""
    return default_vocabulary()


def rows(by: list[str], vocabulary: Vocabulary, **options: object) -> list[tuple]:
    """The rows of a count as (value, ..., count) tuples, in order."""
    result = count(CASES, by, vocabulary, **options)
    assert result["total"] == len(CASES)
    assert result["by"] == by
    return [tuple(row[field] for field in [*by, "count"]) for row in result["rows"]]


def test_count_by_status(vocabulary: Vocabulary) -> None:
    assert count(CASES, ["status"], vocabulary) == {
        "by": ["status"],
        "total": 6,
        "rows": [
            {"status": "deported", "count": 2},
            {"status": "asylum_denied", "count": 1},
            {"status": "asylum_pending", "count": 1},
            {"status": "extradited", "count": 1},
            {"status": "handed_over", "count": 1},
        ],
    }


def test_count_by_outcome_uses_the_vocabulary(vocabulary: Vocabulary) -> None:
    assert rows(["outcome"], vocabulary) == [("returned", 4), ("pending", 2)]


def test_outcome_follows_a_repository_status_and_unknown_statuses(
    vocabulary: Vocabulary,
) -> None:
    vocabulary.merge({"statuses": {"under_surveillance": {"outcome": "protected"}}}, "test")
    cases = [
        {"id": "a", "status": "under_surveillance"},
        {"id": "b", "status": "no_such_status"},
        {"id": "c"},
    ]
    result = count(cases, ["outcome"], vocabulary)
    assert result["rows"] == [
        {"outcome": "protected", "count": 1},
        {"outcome": "unknown", "count": 1},
        {"outcome": None, "count": 1},
    ]


def test_count_by_category_counts_each_value_and_none(vocabulary: Vocabulary) -> None:
    assert rows(["category"], vocabulary) == [
        ("deserter", 2),
        ("activist", 1),
        ("contract_soldier", 1),
        ("it_specialist", 1),
        ("journalist", 1),
        ("officer", 1),
        (None, 1),
    ]


def test_count_by_basis_counts_a_repeated_basis_once(vocabulary: Vocabulary) -> None:
    assert rows(["basis"], vocabulary) == [
        ("RU-CC-338", 2),
        ("KZ-AOC", 1),
        ("RU-CC-207.3", 1),
        ("RU-CC-275", 1),
        ("RU-CC-282.3", 1),
        (None, 1),
    ]


def test_count_by_origin_and_host(vocabulary: Vocabulary) -> None:
    assert rows(["origin"], vocabulary) == [("RU", 6)]
    assert rows(["host"], vocabulary) == [("KZ", 5), ("KG", 1)]


def test_count_by_year_of_any_event_in_time_order(vocabulary: Vocabulary) -> None:
    assert rows(["year"], vocabulary) == [
        (2022, 1),
        (2023, 1),
        (2024, 2),
        (2025, 3),
        (2026, 3),
        (None, 1),
    ]


def test_count_events_of_one_type_by_year(vocabulary: Vocabulary) -> None:
    # Events are counted, not cases: the two detentions of 2023 are two; a case without a
    # detention is not counted at all (no None row).
    result = count(CASES, ["year"], vocabulary, event_type="detention")
    assert result == {
        "by": ["year"],
        "counted": "events",
        "event": "detention",
        "total": 4,
        "cases": 3,
        "rows": [{"year": 2023, "count": 2}, {"year": 2025, "count": 2}],
    }
    deportations = count(CASES, ["year"], vocabulary, event_type="deportation")
    assert deportations["rows"] == [{"year": 2026, "count": 1}]
    assert deportations["total"] == deportations["cases"] == 1


def test_count_events_of_one_type_by_year_and_host(vocabulary: Vocabulary) -> None:
    result = count(CASES, ["host", "year"], vocabulary, event_type="detention")
    assert [(r["host"], r["year"], r["count"]) for r in result["rows"]] == [
        ("KZ", 2023, 2),
        ("KZ", 2025, 2),
    ]


def test_unreadable_dates_are_skipped(vocabulary: Vocabulary) -> None:
    cases = [{"id": "a", "events": [event("sometime", "arrival"), event("2024-13", "arrival")]}]
    assert count(cases, ["year"], vocabulary)["rows"] == [{"year": None, "count": 1}]


def test_cross_table_of_year_and_outcome(vocabulary: Vocabulary) -> None:
    assert rows(["year", "outcome"], vocabulary) == [
        (2022, "pending", 1),
        (2023, "pending", 1),
        (2024, "pending", 1),
        (2024, "returned", 1),
        (2025, "returned", 2),
        (2025, "pending", 1),
        (2026, "returned", 3),
        (None, "returned", 1),
    ]


def test_cross_table_of_outcome_and_category(vocabulary: Vocabulary) -> None:
    result = count(CASES, ["outcome", "category"], vocabulary)
    assert result["total"] == 6
    assert result["rows"] == [
        {"outcome": "pending", "category": "deserter", "count": 1},
        {"outcome": "pending", "category": "journalist", "count": 1},
        {"outcome": "pending", "category": "officer", "count": 1},
        {"outcome": "returned", "category": "activist", "count": 1},
        {"outcome": "returned", "category": "contract_soldier", "count": 1},
        {"outcome": "returned", "category": "deserter", "count": 1},
        {"outcome": "returned", "category": "it_specialist", "count": 1},
        {"outcome": "returned", "category": None, "count": 1},
    ]


def test_result_is_json_with_null_for_no_value(vocabulary: Vocabulary) -> None:
    text = json.dumps(count(CASES, ["category"], vocabulary))
    assert json.loads(text)["rows"][-1] == {"category": None, "count": 1}
    assert '"category": null' in text


def test_total_counts_cases_from_any_iterable(vocabulary: Vocabulary) -> None:
    result = count((case for case in CASES), ["category"], vocabulary)
    assert result["total"] == 6
    assert sum(row["count"] for row in result["rows"]) == 8  # two cases have two categories


def test_no_cases(vocabulary: Vocabulary) -> None:
    assert count([], ["status"], vocabulary) == {"by": ["status"], "total": 0, "rows": []}


def test_odd_values_are_tolerated(vocabulary: Vocabulary) -> None:
    cases = [
        {"id": "a", "categories": "deserter", "charges": [{"note": "no basis"}, "junk"]},
        {"id": "b", "categories": ["deserter", 3, ""], "charges": "RU-CC-338"},
    ]
    assert count(cases, ["category"], vocabulary)["rows"] == [{"category": "deserter", "count": 2}]
    assert count(cases, ["basis"], vocabulary)["rows"] == [{"basis": None, "count": 2}]


@pytest.mark.parametrize(
    ("by", "message"),
    [
        (["colour"], "cannot count by 'colour'"),
        (["status", "outcome", "year"], "at most 2 fields"),
        ([], "one or two fields"),
        (["status", "status"], "two different fields"),
        ("status", "as a list"),
    ],
)
def test_bad_fields_are_refused_naming_the_allowed_ones(
    by: list[str], message: str, vocabulary: Vocabulary
) -> None:
    with pytest.raises(ValueError, match=message) as error:
        count(CASES, by, vocabulary)
    if by != ["status", "status"]:
        assert "status, outcome, basis, category, origin, host, year" in str(error.value)


def test_event_type_needs_year(vocabulary: Vocabulary) -> None:
    with pytest.raises(ValueError, match="counting by year"):
        count(CASES, ["status"], vocabulary, event_type="detention")


def test_stats_fields() -> None:
    assert STATS_FIELDS == (
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


def test_shares(vocabulary: Vocabulary) -> None:
    assert shares(count(CASES, ["outcome"], vocabulary)) == [0.667, 0.333]
    assert shares(count(CASES, ["host"], vocabulary)) == [0.833, 0.167]
    assert shares(count([], ["host"], vocabulary)) == []
    assert share(1, 3) == 0.333
    assert share(0, 0) == 0.0
