"""Finding the repository, hostile ids, atomic writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from exilecases.errors import ExilecasesError
from exilecases.ops.newcase import id_from_name
from exilecases.store.files import case_files, case_path, check_id, find_root
from exilecases.store.write import replace_file as atomic_write


def test_find_root_walks_up(tmp_path: Path) -> None:
    (tmp_path / "data" / "cases").mkdir(parents=True)
    deep = tmp_path / "data" / "cases" / "sub"
    deep.mkdir()
    assert find_root(cwd=deep) == tmp_path.resolve()


def test_find_root_explicit_must_hold_cases(tmp_path: Path) -> None:
    with pytest.raises(ExilecasesError) as error:
        find_root(tmp_path)
    assert error.value.exit_code == 2 and "EXILECASES_ROOT" in error.value.message


@pytest.mark.parametrize(
    "bad", ["../x", "a/b", "/etc/passwd", "ab", "-abc", "abc-", "Abc", "a" * 65, "a.b"]
)
def test_hostile_ids_are_refused(bad: str) -> None:
    with pytest.raises(ExilecasesError):
        check_id(bad)


def test_case_path_stays_in_the_cases_folder(tmp_path: Path) -> None:
    assert (
        case_path(tmp_path, "ivanov-dmitry") == tmp_path / "data" / "cases" / "ivanov-dmitry.toml"
    )


def test_symlinks_in_the_cases_folder_are_never_listed_as_cases(tmp_path: Path) -> None:
    cases = tmp_path / "data" / "cases"
    cases.mkdir(parents=True)
    secret = tmp_path / "secret.toml"
    secret.write_text('id = "secret"\n')
    (cases / "leak.toml").symlink_to(secret)
    (cases / "real.toml").write_text('id = "real"\n')
    (cases / "alias.toml").symlink_to(cases / "real.toml")
    # Pointing in or out, a link is a stray that validate names (E006), never a case.
    assert [p.name for p in case_files(tmp_path)] == ["real.toml"]


def test_atomic_write_replaces_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "a.toml"
    target.write_text("old")
    atomic_write(target, "new")
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["a.toml"]


def test_atomic_create_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "a.toml"
    target.write_text("precious")
    with pytest.raises(ExilecasesError, match="already exists"):
        atomic_write(target, "new", create_only=True)
    assert target.read_text() == "precious"
    assert os.listdir(tmp_path) == ["a.toml"]


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Evgenij Korobov", "korobov-evgenij"),
        ("Дмитрий Иванов", "ivanov-dmitry"),
        ("Yevgeniya Baltatarova", "baltatarova-yevgeniya"),
        ("José María Núñez", "nunez-jose-maria"),
        ("Murtazov", "murtazov"),
        # Surname = the last word; a hyphen inside a word stays, an apostrophe joins.
        ("Фёдор Мамедов-Оглы", "mamedov-ogly-fyodor"),
        ("Seryozha O'Brien", "obrien-seryozha"),
        ("Seryozha O’Brien", "obrien-seryozha"),
        ("Jean-Paul Sartre", "sartre-jean-paul"),
    ],
)
def test_ids_from_names(name: str, expected: str) -> None:
    assert id_from_name(name) == expected
