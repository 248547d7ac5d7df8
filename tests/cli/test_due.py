"""exilecases due: the JSON contract, CSV, the calendar file, and what stays private."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES

FORMAT2 = FIXTURES / "format2"
AS_OF = "2026-03-01"
SECRETS = ("SECRET-DEADLINE-ALPHA", "SECRET-NOTE-ALPHA")

#: Exactly what `due --as-of 2026-03-01 --format json` prints for the fixtures.
EXPECTED = [
    {
        "case": "beta-case",
        "name": "Beta Case",
        "type": "submission",
        "what": "Reply to the prosecutor",
        "due": "2026-02-20",
        "earliest": "2026-02-20",
        "latest": "2026-02-20",
        "days_left": -9,
        "state": "overdue",
        "derived": False,
        "rule": None,
        "trigger": None,
        "proceeding": None,
        "owner": "Boris Counsel",
    },
    {
        "case": "alpha-case",
        "name": "Alpha Case",
        "type": "appeal",
        "what": "Appeal to the Supreme Court",
        "due": "2026-03?",
        "earliest": "2026-03-01",
        "latest": "2026-03-31",
        "days_left": 0,
        "state": "open",
        "derived": False,
        "rule": None,
        "trigger": None,
        "proceeding": "asylum",
        "owner": "Anna Advocate",
    },
    {
        "case": "gamma-case",
        "name": "Gamma Case",
        "type": "other",
        "what": "Hand-over to the requesting state within 30 days of the extradition "
        "decision entering into force",
        "due": "2026-03-01",
        "earliest": "2026-03-01",
        "latest": "2026-03-01",
        "days_left": 0,
        "state": "open",
        "derived": True,
        "rule": "handover-after-extradition-in-force",
        "trigger": {"date": "2026-01-30", "type": "decision_in_force"},
        "proceeding": "extradition",
        "owner": None,
    },
    {
        "case": "alpha-case",
        "name": "Alpha Case",
        "type": "leave_country",
        "what": "Leave the country within 30 days of the refusal of refugee status entering "
        "into force",
        "due": "2026-03-03/2026-03-30",
        "earliest": "2026-03-03",
        "latest": "2026-03-30",
        "days_left": 2,
        "state": "open",
        "derived": True,
        "rule": "leave-after-refusal-in-force",
        "trigger": {"date": "2026-02", "type": "decision_in_force"},
        "proceeding": "asylum",
        "owner": "Anna Advocate",
    },
]


@pytest.fixture
def root(repo):
    return repo(FORMAT2)


def test_due_json_is_exactly_the_expected_deadlines(cli, root, monkeypatch) -> None:
    result = cli("due", "--as-of", AS_OF, "--format", "json", "--root", root)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == EXPECTED
    # Without the index (every file parsed) the answer is the same.
    monkeypatch.setenv("EXILECASES_NO_CACHE", "1")
    again = cli("due", "--as-of", AS_OF, "--format", "json", "--root", root)
    assert json.loads(again.stdout) == EXPECTED


def test_a_public_due_says_how_many_private_deadlines_it_left_out(cli, root) -> None:
    result = cli("due", "--as-of", AS_OF, "--format", "json", "--root", root)
    assert "1 private deadline not shown; use --private" in result.stderr
    assert not any(secret in result.stdout for secret in SECRETS)
    private = cli("due", "--as-of", AS_OF, "--private", "--format", "json", "--root", root)
    assert "SECRET-DEADLINE-ALPHA" in private.stdout
    assert "reading the case files" in private.stderr
    assert "not shown" not in private.stderr


def test_options_of_due(cli, root) -> None:
    def cases(*options: str) -> list[tuple[str, str]]:
        result = cli("due", "--as-of", AS_OF, "--format", "json", "--root", root, *options)
        assert result.exit_code == 0, result.stderr
        return [(item["case"], item["type"]) for item in json.loads(result.stdout)]

    assert cases("--overdue") == [("beta-case", "submission")]
    assert ("beta-case", "detention_limit") in cases("--all")
    assert ("beta-case", "detention_limit") in cases("--within", "60")
    assert cases("--owner", "Boris Counsel") == [("beta-case", "submission")]
    assert cases("--type", "appeal", "--type", "other") == [
        ("alpha-case", "appeal"),
        ("gamma-case", "other"),
    ]
    assert cases("--breached") == [("gamma-case", "other")]
    assert cases("--status", "detained") == [("beta-case", "submission")]
    assert cases("--as-of", "2026-02-01") == []
    assert cases("--as-of", "2026-02-10") == [("beta-case", "submission")]


def test_bad_options_are_usage_errors(cli, root) -> None:
    unknown = cli("due", "--type", "apeal", "--root", root)
    assert unknown.exit_code == 2 and "did you mean 'appeal'" in unknown.stderr
    bad_day = cli("due", "--as-of", "2026-13-01", "--root", root)
    assert bad_day.exit_code == 2 and "--as-of" in bad_day.stderr
    calendar = cli("due", "--private", "--format", "ics", "--root", root)
    assert calendar.exit_code == 2 and "calendar" in calendar.stderr
    assert calendar.stdout == ""


def test_due_csv_has_the_json_columns(cli, root) -> None:
    import csv
    import io

    result = cli("due", "--as-of", AS_OF, "--format", "csv", "--root", root)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["case"] for row in rows] == [item["case"] for item in EXPECTED]
    assert rows[3]["trigger_date"] == "2026-02" and rows[3]["derived"] == "true"
    assert rows[0]["days_left"] == "-9" and rows[0]["state"] == "overdue"


def test_the_table_shows_derived_deadlines_with_their_rule_and_the_caveat(cli, root) -> None:
    result = cli("due", "--as-of", AS_OF, "--root", root)
    assert result.exit_code == 0
    assert "leave-after-refusal-in-force" in result.stdout
    assert "9 days overdue" in result.stdout and "in 2 days" in result.stdout
    assert "advice to a lawyer" in result.stderr


def _calendar(cli, root, *options: str):
    from icalendar import Calendar

    result = cli("due", "--as-of", AS_OF, "--format", "ics", "--root", root, *options)
    assert result.exit_code == 0, result.stderr
    return result.stdout, Calendar.from_ical(result.stdout)


def test_the_calendar_parses_back_with_each_deadline_once(cli, root) -> None:
    import datetime as dt

    text, calendar = _calendar(cli, root, "--all")
    events = calendar.walk("VEVENT")
    listed = json.loads(
        cli("due", "--as-of", AS_OF, "--all", "--format", "json", "--root", root).stdout
    )
    assert len(events) == len(listed) == 5
    uids = [str(event["UID"]) for event in events]
    assert len(set(uids)) == len(uids)
    starts = sorted(event.decoded("DTSTART") for event in events)
    assert starts == sorted(dt.date.fromisoformat(item["earliest"]) for item in listed)
    for event in events:
        start = event.decoded("DTSTART")
        assert isinstance(start, dt.date) and not isinstance(start, dt.datetime)  # all day
        assert event.decoded("DTEND") == start + dt.timedelta(days=1)
        alarms = event.walk("VALARM")
        assert len(alarms) == 1 and alarms[0].decoded("TRIGGER") == -dt.timedelta(days=3)
    derived = [e for e in events if "(derived)" in str(e["SUMMARY"])]
    assert len(derived) == 2
    assert all("advice to a lawyer" in str(e["DESCRIPTION"]) for e in derived)
    assert not any(secret in text for secret in SECRETS)


def test_the_calendar_keeps_its_uids_from_run_to_run(cli, root) -> None:
    first, one = _calendar(cli, root, "--all")
    second, two = _calendar(cli, root, "--all", "--alarm", "7")
    assert [str(e["UID"]) for e in one.walk("VEVENT")] == [
        str(e["UID"]) for e in two.walk("VEVENT")
    ]
    assert _calendar(cli, root, "--all")[0] == first  # the same file again, byte for byte
    assert second != first


def test_a_changed_due_date_keeps_the_uid(cli, root) -> None:
    _, before = _calendar(cli, root, "--all")
    path = root / "data" / "cases" / "beta-case.toml"
    path.write_text(path.read_text().replace('"2026-02-20"', '"2026-02-21"'))
    _, after = _calendar(cli, root, "--all")
    assert [str(e["UID"]) for e in before.walk("VEVENT")] == [
        str(e["UID"]) for e in after.walk("VEVENT")
    ]
