"""ops/deadlines: recorded and derived deadlines, what is due on a day, and breaches of
interim measures, on the format-2 fixtures (dates known, as-of day fixed)."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import FIXTURES
from exilecases.format.vocabulary import default_vocabulary
from exilecases.ops.deadlines import (
    DueQuery,
    add_months,
    breach,
    deadline_items,
    derived_due,
    due,
)
from exilecases.ops.load import select_deadlines
from exilecases.ops.query import Filters

FORMAT2 = FIXTURES / "format2"
AS_OF = dt.date(2026, 3, 1)
VOCABULARY = default_vocabulary()

#: What `due --as-of 2026-03-01` lists on the fixtures: (case, type, due, days_left, state,
#: derived).
EXPECTED = [
    ("beta-case", "submission", "2026-02-20", -9, "overdue", False),
    ("alpha-case", "appeal", "2026-03?", 0, "open", False),
    ("gamma-case", "other", "2026-03-01", 0, "open", True),
    ("alpha-case", "leave_country", "2026-03-03/2026-03-30", 2, "open", True),
]


def _case(name: str) -> dict:
    import tomllib

    return tomllib.loads((FORMAT2 / f"{name}.toml").read_text("utf-8"))


def _summary(listing: list[dict]) -> list[tuple]:
    return [
        (i["case"], i["type"], i["due"], i["days_left"], i["state"], i["derived"]) for i in listing
    ]


@pytest.mark.parametrize("cache", [True, False], ids=["index", "files"])
def test_due_from_the_index_and_from_the_files_agree(repo, cache: bool) -> None:
    root = repo(FORMAT2)
    selection = select_deadlines(root, VOCABULARY, Filters(), DueQuery(AS_OF), use_cache=cache)
    assert _summary([item.listing(AS_OF) for item in selection.items]) == EXPECTED
    assert selection.private_left_out == 1  # alpha-case's [[private.deadlines]]
    # Again, now from an index that exists already.
    again = select_deadlines(root, VOCABULARY, Filters(), DueQuery(AS_OF), use_cache=cache)
    assert again.items == selection.items


def test_a_derived_deadline_from_a_month_trigger_counts_from_its_earliest_day() -> None:
    items = [i for i in deadline_items(_case("alpha-case"), VOCABULARY) if i.derived]
    assert len(items) == 1
    listing = items[0].listing(AS_OF)
    assert listing["earliest"] == "2026-03-03"  # 1 February + 30 days
    assert listing["latest"] == "2026-03-30"  # 28 February + 30 days
    assert listing["rule"] == "leave-after-refusal-in-force"
    assert listing["trigger"] == {"date": "2026-02", "type": "decision_in_force"}
    assert listing["owner"] == "Anna Advocate"  # the proceeding's lawyer


def test_an_uncertain_deadline_counts_from_the_first_day_of_its_month() -> None:
    appeal = next(i for i in deadline_items(_case("alpha-case"), VOCABULARY) if i.number == "1")
    assert (appeal.earliest, appeal.latest) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert appeal.days_left(dt.date(2026, 2, 20)) == 9
    assert appeal.listing(dt.date(2026, 3, 2))["state"] == "overdue"


def test_options_select_by_horizon_owner_type_and_overdue(repo) -> None:
    root = repo(FORMAT2)

    def listed(**options) -> list[tuple]:
        query = DueQuery(AS_OF, **options)
        items = select_deadlines(root, VOCABULARY, Filters(), query).items
        return [(i.case, i.type) for i in items]

    everything = listed(every=True)
    assert ("beta-case", "detention_limit") in everything  # 30 April: 60 days away
    assert ("beta-case", "hearing") not in everything  # moot
    assert listed(overdue=True) == [("beta-case", "submission")]
    assert listed(owners=["boris counsel"], every=True) == [
        ("beta-case", "submission"),
        ("beta-case", "detention_limit"),
    ]
    assert listed(types=["leave_country"]) == [("alpha-case", "leave_country")]
    assert listed(within=60) == [
        *[(c, t) for c, t, *_ in EXPECTED],
        ("beta-case", "detention_limit"),
    ]
    # Met deadlines (alpha's city-court appeal, done) are never listed.
    assert ("alpha-case", "appeal") in everything and everything.count(
        ("alpha-case", "appeal")
    ) == 1


def test_filters_of_list_apply_to_the_cases_first(repo) -> None:
    root = repo(FORMAT2)
    items = select_deadlines(root, VOCABULARY, Filters(status=["detained"]), DueQuery(AS_OF)).items
    assert {i.case for i in items} == {"beta-case"}


def test_private_deadlines_only_with_private(repo) -> None:
    root = repo(FORMAT2)
    public = select_deadlines(root, VOCABULARY, Filters(), DueQuery(AS_OF, within=30))
    private = select_deadlines(
        root, VOCABULARY, Filters(), DueQuery(AS_OF, within=30), private=True
    )
    assert not any("SECRET" in (i.what or "") for i in public.items)
    secret = [i for i in private.items if i.private]
    assert [(i.number, i.what) for i in secret] == [("p1", "SECRET-DEADLINE-ALPHA")]
    assert private.private_left_out == 0


def test_a_recorded_deadline_of_the_same_type_ends_the_derived_one() -> None:
    case = _case("alpha-case")
    case["deadlines"].append(
        {"due": "2026-03-09", "type": "leave_country", "proceeding": "asylum", "done": "2026-03-05"}
    )
    assert not [i for i in deadline_items(case, VOCABULARY) if i.derived]
    # One dated before the trigger is an older deadline: the derived one stands.
    case["deadlines"][-1]["due"] = "2025-12-01"
    assert [i.rule for i in deadline_items(case, VOCABULARY) if i.derived] == [
        "leave-after-refusal-in-force"
    ]


def test_a_closed_proceeding_derives_nothing() -> None:
    case = _case("alpha-case")
    case["proceedings"][0]["closed"] = "2026-02-25"
    assert not [i for i in deadline_items(case, VOCABULARY) if i.derived]


def test_a_granted_claim_entering_into_force_yields_no_order_to_leave() -> None:
    case = _case("alpha-case")
    case["events"][1]["outcome"] = "refugee"
    assert not [i for i in deadline_items(case, VOCABULARY) if i.derived]


def test_a_rule_in_months_and_its_dates() -> None:
    from exilecases.format.dates import parse_date

    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 12, 15), 2) == dt.date(2025, 2, 15)
    rule = {"months": 1}
    assert derived_due(parse_date("2026-01-31"), rule)[0] == "2026-02-28"
    assert derived_due(parse_date("2025-02-05?"), {"days": 30})[0] == "2025-03-07?"
    assert derived_due(parse_date("2026-01~"), {"days": 30})[0] == "2026-01-31~/2026-03-02~"


def test_due_sorts_by_earliest_day() -> None:
    items = [
        i for name in ("beta-case", "alpha-case") for i in deadline_items(_case(name), VOCABULARY)
    ]
    listed = due(items, DueQuery(AS_OF, every=True))
    days = [i.earliest for i in listed]
    assert days == sorted(days)


# --- breach detection -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("gamma-case", "breach"),  # granted 10 Jan, extradited 15 Feb, never lifted
        ("delta-case", "possible_breach"),  # granted some day in Feb, deported 10 Feb
        ("epsilon-case", "none"),  # granted, lifted, then deported
        ("zeta-case", "none"),  # no interim measures
    ],
)
def test_breach_of_interim_measures(name: str, expected: str) -> None:
    assert breach(_case(name)) == expected


def test_a_lifting_that_may_fall_after_the_return_leaves_a_possible_breach() -> None:
    case = _case("gamma-case")
    case["events"].append({"date": "2026-02", "type": "interim_measures_lifted"})
    assert breach(case) == "possible_breach"
    case["events"][-1]["date"] = "2026-02-01"
    assert breach(case) == "none"


def test_a_return_before_the_measures_is_no_breach() -> None:
    case = _case("gamma-case")
    case["events"][0]["date"] = "2026-03-01"
    assert breach(case) == "none"


def test_private_events_count_only_for_a_private_judgement() -> None:
    case = _case("zeta-case")
    case["events"].append({"date": "2025-01-01", "type": "interim_measures_granted"})
    case["private"] = {"events": [{"date": "2025-02-01", "type": "deportation"}]}
    assert breach(case) == "none"
    assert breach(case, private=True) == "breach"


def test_the_fixtures_are_valid(repo, cli) -> None:
    root = repo(FORMAT2)
    result = cli("validate", "--root", root)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "0 errors, 0 warnings" in result.stderr


def test_the_library_answers_what_is_due(repo) -> None:
    from exilecases import Repository

    library = Repository(repo(FORMAT2))
    assert _summary(library.due("2026-03-01")) == EXPECTED
    assert [i["case"] for i in library.due("2026-03-01", overdue=True)] == ["beta-case"]
    private = library.due("2026-03-01", within=30, private=True)
    assert any(i["what"] == "SECRET-DEADLINE-ALPHA" for i in private)


def test_breached_chooses_the_same_cases_in_python_and_in_sql(repo) -> None:
    from exilecases.ops.load import select

    root = repo(FORMAT2)
    chosen = {
        cache: [
            c["id"] for c in select(root, VOCABULARY, Filters(breached=True), use_cache=cache).cases
        ]
        for cache in (False, True)
    }
    assert chosen[False] == chosen[True] == ["delta-case", "gamma-case"]
