"""Cross-tables at 80 columns: whole headers, no column dropped, totals (issue 11, item 18)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exilecases.cli import app


def run(*args: object, width: int = 80) -> str:
    runner = CliRunner(env={"COLUMNS": str(width), "NO_COLOR": "1"})
    result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def counts(root: Path, *by: str) -> dict:
    args = [part for field in by for part in ("--by", field)]
    return json.loads(run("stats", *args, "--format", "json", "--root", root))


@pytest.mark.parametrize("down,across", [("status", "basis"), ("category", "status")])
def test_every_column_is_shown_with_its_header_whole(bundled: Path, down: str, across: str):
    page = run("stats", "--by", down, "--by", across, "--root", bundled)
    assert all(len(line.rstrip()) <= 80 for line in page.splitlines()), page
    values = {row[across] for row in counts(bundled, down, across)["rows"]}
    tokens = set(page.split())
    for value in values:
        label = "—" if value is None else str(value)
        # The header is whole, or wrapped into lines that each end after a _ or a -.
        remaining = label
        while remaining:
            heads = [t for t in tokens if remaining.startswith(t)]
            head = max(heads, key=len, default="")
            assert head == remaining or head[-1:] in "_-", (label, head, page)
            remaining = remaining[len(head) :]


def test_the_refused_entry_column_and_the_none_column_stay(bundled: Path, cli) -> None:
    # A case without legal bases counts under —; give one the status refused_entry.
    result = cli("set", "ammosov-aikhal", "status", "refused_entry", "--root", bundled)
    assert result.exit_code == 0, result.stderr
    page = run("stats", "--by", "basis", "--by", "status", "--root", bundled)
    assert re.search(r"(^|\s)refused_(\s|$)", page, re.M) and "entry" in page, page
    first_column = [line.split()[0] for line in page.splitlines() if line.strip()]
    assert "—" in first_column


def test_rows_and_columns_have_totals_that_count_cases_once(bundled: Path) -> None:
    page = run("stats", "--by", "category", "--by", "status", "--root", bundled)
    by_category = {row["category"]: row["count"] for row in counts(bundled, "category")["rows"]}
    by_status = {row["status"]: row["count"] for row in counts(bundled, "status")["rows"]}
    total = counts(bundled, "category")["total"]
    lines = page.splitlines()
    for category, number in by_category.items():
        last = [line for line in lines if line.startswith(f"{category} ")][-1]
        assert last.split()[-1] == str(number), last  # the row total, in the last part
    total_rows = [line.split()[1:] for line in lines if line.startswith("total ")]
    numbers = [int(n) for row in total_rows for n in row]
    assert numbers[-1] == total  # the corner: every case once, not the sum of the cells
    assert sorted(numbers[:-1], reverse=True) == sorted(by_status.values(), reverse=True)
    assert sum(by_category.values()) > total  # a case in two categories counts under each


def test_years_run_down_in_time_order(bundled: Path) -> None:
    page = run("stats", "--by", "year", "--by", "outcome", "--root", bundled)
    years = [int(line.split()[0]) for line in page.splitlines() if re.match(r"^\d{4}\s", line)]
    assert years == sorted(years) and len(years) >= 3


def test_a_narrow_table_keeps_one_part(bundled: Path) -> None:
    page = run("stats", "--by", "status", "--by", "outcome", "--root", bundled)
    assert "columns" not in page
    assert re.search(r"^status \\ outcome\s+pending\s+protected\s+returned\s+total$", page, re.M)
