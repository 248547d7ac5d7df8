"""search, stats and --as-of through the CLI, on the bundled cases."""

from __future__ import annotations

import csv
import io
import json

import pytest


def run_json(cli, *args):
    result = cli(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "query,expected",
    [
        ("Коробов", "korobov-evgenij"),
        ("Korobow", "korobov-evgenij"),
        ("Евгений Коробов", "korobov-evgenij"),
        ("Емельянова", "yemelyanova-yulia"),
        ("Emelianova", "yemelyanova-yulia"),
        ("Kachkurin", "kachkurkin-alexander"),
        ("Movlaev", "movlayev-mansur"),
        ("Мовлаев", "movlayev-mansur"),
        ("Балтатарова", "baltatarova-yevgeniya"),
        ("Lefortovo", "kachkurkin-alexander"),
    ],
)
def test_search_finds_the_case_first(bundled, cli, query: str, expected: str) -> None:
    hits = run_json(cli, "search", query, "--root", bundled)
    assert hits and hits[0]["id"] == expected
    assert set(hits[0]) == {"id", "name", "score", "matched"}
    assert 0 < hits[0]["score"] <= 1
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


@pytest.mark.parametrize("query", ["qwxzptl", "zzzz", "Smith Jones"])
def test_search_nonsense_returns_nothing(bundled, cli, query: str) -> None:
    assert run_json(cli, "search", query, "--root", bundled) == []


def test_search_table_says_why(bundled, cli) -> None:
    result = cli("search", "Коробов", "--root", bundled)
    assert 'original name "Евгений Коробов"' in result.stdout
    result = cli("search", "Korobow", "--root", bundled)
    assert 'alias "Evgeny Korobov"' in result.stdout


def test_stats_json_contract_with_a_filter(bundled, cli) -> None:
    result = run_json(cli, "stats", "--by", "basis", "--outcome", "returned", "--root", bundled)
    assert result["by"] == ["basis"] and result["total"] == 4
    counts = {row["basis"]: row["count"] for row in result["rows"]}
    assert counts == {
        "RU-CC-338": 2,
        "KZ-AOC": 1,
        "KZ-CC-392": 1,
        "RU-CC-322": 1,
        "RU-CC-275": 1,
        None: 1,
    }


def test_stats_cross_table_and_csv_rows_per_cell(bundled, cli) -> None:
    result = run_json(cli, "stats", "--by", "outcome", "--by", "category", "--root", bundled)
    assert result["by"] == ["outcome", "category"] and result["total"] == 14
    cell = {(r["outcome"], r["category"]): r["count"] for r in result["rows"]}
    assert cell[("returned", "deserter")] == 3
    assert cell[("protected", "activist")] == 4
    text = cli(
        "stats", "--by", "outcome", "--by", "category", "--format", "csv", "--root", bundled
    ).stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(result["rows"])
    assert rows[0] == {
        "outcome": "protected",
        "category": "activist",
        "count": "4",
        "share": "0.286",
    }


def test_stats_deportations_per_year(bundled, cli) -> None:
    result = run_json(cli, "stats", "--by", "year", "--event", "deportation", "--root", bundled)
    years = {row["year"]: row["count"] for row in result["rows"]}
    assert years[2026] == 1 and years[2022] == 1


def test_stats_table_shows_counts_shares_and_bars(bundled, cli) -> None:
    result = cli("stats", "--by", "outcome", "--root", bundled)
    assert result.exit_code == 0
    line = next(x for x in result.stdout.splitlines() if x.strip().startswith("protected"))
    assert "5" in line and "36%" in line and "█" in line


def test_stats_refuses_bad_fields(bundled, cli) -> None:
    for args in (
        ["--by", "colour"],
        ["--by", "status", "--by", "basis", "--by", "year"],
        ["--by", "status", "--event", "deportation"],
        ["--by", "year", "--event", "deportaton"],
    ):
        result = cli("stats", *args, "--root", bundled)
        assert result.exit_code == 2, args
        assert "Traceback" not in result.stderr


def test_as_of_answers_who_was_detained_on_a_day(bundled, cli) -> None:
    cases = run_json(
        cli, "list", "--as-of", "2025-08-31", "--status", "detained", "--root", bundled
    )
    assert [c["id"] for c in cases] == ["yemelyanova-yulia"]  # detained at Almaty airport
    assert cases[0]["status"] == "detained"
    later = run_json(
        cli, "list", "--as-of", "2026-02-01", "--status", "extradition_approved", "--root", bundled
    )
    assert [c["id"] for c in later] == ["movlayev-mansur", "yemelyanova-yulia"]


def test_stats_as_of(bundled, cli) -> None:
    now = run_json(cli, "stats", "--by", "outcome", "--root", bundled)
    before = run_json(cli, "stats", "--by", "outcome", "--as-of", "2021", "--root", bundled)
    assert {r["outcome"]: r["count"] for r in before["rows"]} == {"unknown": 14}
    assert before["total"] == now["total"] == 14
