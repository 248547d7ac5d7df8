"""``list`` at 80 columns and narrower: an id is never cut (issue 11, item 17)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exilecases.cli import app
from exilecases.cli.layout import fit, pieces, wrap


def run(width: int, *args: object) -> str:
    runner = CliRunner(env={"COLUMNS": str(width), "NO_COLOR": "1"})
    result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def ids(root: Path) -> list[str]:
    cases = json.loads(run(200, "list", "--format", "json", "--root", root))
    return [case["id"] for case in cases]


@pytest.mark.parametrize("width", [80, 60, 40])
def test_every_id_is_whole_at_any_width(bundled: Path, width: int) -> None:
    page = run(width, "list", "--root", bundled)
    assert "…" not in page
    for case_id in ids(bundled):
        assert re.search(rf"^\s*{re.escape(case_id)}(\s|$)", page, re.M), (case_id, page)
    assert all(len(line.rstrip()) <= width for line in page.splitlines()), page


def test_at_80_columns_the_other_columns_wrap_at_word_breaks(bundled: Path) -> None:
    page = run(80, "list", "--root", bundled)
    header = page.splitlines()[1].split()
    assert header == ["id", "/", "name", "status", "last", "event", "categories", "legal", "bases"]
    # extradition_approved gives way at its underscore, never inside a word
    assert re.search(r"^yemelyanova-yulia\s+extradition_\s", page, re.M)
    assert re.search(r"^Yulia Yemelyanova\s+approved\s", page, re.M)
    assert "RU-CC-207.3" in page  # a legal basis stays whole
    for fragment in ("extradition_a ", "contract_s ", "RU-\n"):
        assert fragment not in page


def test_a_long_id_is_never_cut(cli, bundled: Path) -> None:
    long_id = "abdurakhmanov-" + "x" * 35 + "-ibragimovich"  # 62 characters
    result = cli(
        "add",
        *("--name", "Long Name", "--id", long_id, "--status", "detained"),
        *("--origin", "RU", "--host", "KZ", "--root", bundled),
    )
    assert result.exit_code == 0, result.stderr
    for width in (80, 60):
        page = run(width, "list", "--root", bundled)
        assert re.search(rf"^\s*{long_id}(\s|$)", page, re.M), page


def test_wrap_breaks_where_a_person_would() -> None:
    assert wrap("extradition_approved", 12) == ["extradition_", "approved"]
    assert wrap("KZ-NATIONAL-SECURITY", 12) == ["KZ-NATIONAL-", "SECURITY"]
    assert wrap("RU-CC-207.3", 8) == ["RU-CC-20", "7.3"]  # too narrow: folded, not lost
    assert wrap("Yevgeniya Baltatarova", 12) == ["Yevgeniya", "Baltatarova"]
    assert wrap("a b\nc", 10) == ["a b", "c"]
    found = [piece for piece, _ in pieces("RU-CC-207.3 it_specialist")]
    assert found == ["RU-CC-207.3", "it_", "specialist"]


def test_fit_shrinks_the_roomiest_column_and_gives_up_below_the_minimums() -> None:
    assert fit([20, 20, 10], [20, 5, 5], 40) == [20, 10, 10]
    assert fit([20, 20, 10], [20, 5, 5], 30) == [20, 5, 5]
    assert fit([20, 20, 10], [20, 5, 5], 29) is None
    assert fit([3, 4], [3, 4], 80) == [3, 4]
