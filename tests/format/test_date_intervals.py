"""EDTF intervals ("2022/2023"): parsing, ranges, order and filtering."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from exilecases.format.dates import DateError, normalise_date, parse_date, sort_key_or_last


def test_an_interval_spans_from_its_first_to_its_last_day() -> None:
    date = parse_date("2022/2023")
    assert (date.earliest, date.latest) == (dt.date(2022, 1, 1), dt.date(2023, 12, 31))
    assert date.year == 2022
    assert str(date) == "2022/2023"


def test_each_end_keeps_its_own_qualifier() -> None:
    date = parse_date("2022?/2023-06~")
    assert str(date) == "2022?/2023-06~"
    assert date.uncertain and date.approximate
    assert date.latest == dt.date(2023, 6, 30)
    assert normalise_date("2024-01-05/2024-02") == "2024-01-05/2024-02"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2023/2022", "impossible-date"),
        ("2022/", "invalid-date"),
        ("/2022", "invalid-date"),
        ("2022/2023/2024", "invalid-date"),
        ("2022/2023-13", "impossible-date"),
        ("2022 to 2023", "invalid-date"),
    ],
)
def test_a_bad_interval_is_refused_with_a_reason(text: str, code: str) -> None:
    with pytest.raises(DateError) as raised:
        parse_date(text)
    assert raised.value.code == code


def test_intervals_sort_by_their_earliest_day_and_overlap_like_partial_dates() -> None:
    dates = ["2023-05", "2022/2023", "2022-06-01", "2021?"]
    assert sorted(dates, key=sort_key_or_last) == ["2021?", "2022/2023", "2022-06-01", "2023-05"]
    interval = parse_date("2022/2023")
    assert interval.overlaps(dt.date(2023, 1, 1), None)  # --since 2023
    assert not interval.overlaps(dt.date(2024, 1, 1), None)
    assert interval.overlaps(None, dt.date(2022, 1, 1))  # --until 2022-01-01


def test_validate_accepts_intervals_and_names_a_reversed_one(cli, repo, tmp_path) -> None:
    from conftest import FIXTURES

    root = repo(FIXTURES / "format2" / "epsilon-case.toml")
    assert cli("validate", "--root", root).exit_code == 0
    path = root / "data" / "cases" / "epsilon-case.toml"
    path.write_text(path.read_text().replace('"2022/2023"', '"2023/2022"'))
    result = cli("validate", "--root", root)
    assert result.exit_code == 1
    assert "epsilon-case.toml:10:1: error E031" in result.stdout
    assert "ends before it starts" in result.stdout


@pytest.mark.parametrize("cache", ["0", "1"])
def test_since_2023_includes_between_2022_and_2023(cli, repo, monkeypatch, cache: str) -> None:
    from conftest import FIXTURES

    monkeypatch.setenv("EXILECASES_NO_CACHE", cache)
    root = repo(FIXTURES / "format2")
    result = cli("list", "--since", "2023", "--until", "2023", "--format", "json", "--root", root)
    assert [case["id"] for case in json.loads(result.stdout)] == ["epsilon-case"]
