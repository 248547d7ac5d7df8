"""The library's face: what the README's three lines of Python promise."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from exilecases import ExilecasesError, Filters, Repository


def test_the_readme_lines_work_on_the_bundled_cases(bundled) -> None:
    repo = Repository(bundled)
    deported = [case["id"] for case in repo.cases(Filters(status=["deported"]))]
    assert deported == ["kachkurkin-alexander", "zhilin-mikhail"]


def test_cases_are_public_unless_asked(repo) -> None:
    root = repo(FIXTURES / "valid")
    cases = Repository(root).cases()
    assert cases and all("private" not in case for case in cases)
    assert any("private" in case for case in Repository(root).cases(private=True))


def test_case_add_check_and_search_round_trip(repo) -> None:
    root = repo(FIXTURES / "valid")
    library = Repository(root)
    path = library.add(name="Dmitry Ivanov", status="detained", origin_country="RU",
                       host_country="KZ")  # fmt: skip
    assert path.name == "ivanov-dmitry.toml"
    assert library.case("ivanov-dmitry")["status"] == "detained"
    assert not [f for f in library.check() if f.severity == "error"]
    assert library.search("Иванов")[0].id == "ivanov-dmitry"
    library.set("ivanov-dmitry", "status", "released")
    assert library.case("ivanov-dmitry")["status"] == "released"
    with pytest.raises(ExilecasesError):
        library.case("nobody-here")


def test_no_repository_is_an_error_naming_the_ways_to_point_at_one(tmp_path) -> None:
    with pytest.raises(ExilecasesError, match="--root"):
        Repository(tmp_path)
