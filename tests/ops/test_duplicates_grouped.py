"""W104 grouped: one finding per file naming the cases it looks like, in linear time;
``distinct_from`` silences exactly the pairs it names."""

from __future__ import annotations

from pathlib import Path

import pytest

from exilecases.format.vocabulary import default_vocabulary
from exilecases.ops.validate import check_file, cross_file, near_keys


def case_text(case_id: str, name: str, *extra: str) -> str:
    lines = [
        f'id = "{case_id}"',
        f'name = "{name}"',
        *extra,
        'origin_country = "RU"',
        'host_country = "KZ"',
        'categories = ["mobilised"]',
        'status = "at_risk"',
    ]
    return "\n".join(lines) + "\n"


def write(root: Path, case_id: str, name: str, *extra: str) -> None:
    folder = root / "data" / "cases"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{case_id}.toml").write_text(case_text(case_id, name, *extra))


def w104(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if " W104: " in line]


@pytest.fixture
def ivanovs(tmp_path: Path) -> Path:
    """Four files for one Ivan Ivanov in four spellings, and a Petr Ivanov."""
    root = tmp_path / "repo"
    write(root, "ivanov-ivan", "Ivan Ivanov")
    write(root, "ivanov-ivan-2", "Иван Иванов", "# a second caseworker's file")
    write(root, "ivanov-ivan-3", "Ivanov Ivan")
    write(root, "iwanow-iwan", "Iwan Iwanow", 'aliases = ["I. Ivanov"]')
    write(root, "ivanov-petr", "Petr Ivanov")
    return root


def test_one_finding_per_file_naming_the_others(ivanovs: Path, cli) -> None:
    result = cli("validate", "--root", ivanovs)
    assert result.exit_code == 0
    assert w104(result) == [
        "data/cases/ivanov-ivan-2.toml:2:1: warning W104: looks like the same person as 3 "
        "other cases: ivanov-ivan-3 ('Ivanov Ivan'), ivanov-ivan ('Ivan Ivanov'), iwanow-iwan "
        "('Iwan Iwanow'); merge the files of one person, and list the ids of different people "
        "in distinct_from in this file",
        "data/cases/ivanov-ivan-3.toml:2:1: warning W104: looks like the same person as 3 "
        "other cases: ivanov-ivan-2 ('Иван Иванов'), ivanov-ivan ('Ivan Ivanov'), iwanow-iwan "
        "('Iwan Iwanow'); merge the files of one person, and list the ids of different people "
        "in distinct_from in this file",
        "data/cases/ivanov-ivan.toml:2:1: warning W104: looks like the same person as 3 "
        "other cases: ivanov-ivan-2 ('Иван Иванов'), ivanov-ivan-3 ('Ivanov Ivan'), "
        "iwanow-iwan ('Iwan Iwanow'); merge the files of one person, and list the ids of "
        "different people in distinct_from in this file",
        "data/cases/iwanow-iwan.toml:2:1: warning W104: looks like the same person as 3 "
        "other cases: ivanov-ivan-2 ('Иван Иванов'), ivanov-ivan-3 ('Ivanov Ivan'), "
        "ivanov-ivan ('Ivan Ivanov'); merge the files of one person, and list the ids of "
        "different people in distinct_from in this file",
    ]


def test_a_pair_names_the_other_file_and_how_to_silence_it(tmp_path: Path, cli) -> None:
    root = tmp_path / "repo"
    write(root, "korobov-a", "Evgenij Korobov")
    write(root, "korobov-b", "Евгений Коробов")
    assert w104(cli("validate", "--root", root)) == [
        "data/cases/korobov-a.toml:2:1: warning W104: looks like the same person as korobov-b "
        "('Евгений Коробов'); merge the two files, or if they are different people add "
        'distinct_from = ["korobov-b"] to this file',
        "data/cases/korobov-b.toml:2:1: warning W104: looks like the same person as korobov-a "
        "('Evgenij Korobov'); merge the two files, or if they are different people add "
        'distinct_from = ["korobov-a"] to this file',
    ]


def test_a_large_group_names_five_and_counts_the_rest(tmp_path: Path, cli) -> None:
    root = tmp_path / "repo"
    for number in range(12):
        write(root, f"petrov-sergei-{number:02}", "Sergei Petrov")
    lines = w104(cli("validate", "--root", root))
    assert len(lines) == 12
    assert lines[0] == (
        "data/cases/petrov-sergei-00.toml:2:1: warning W104: looks like the same person as 11 "
        "other cases: petrov-sergei-01 ('Sergei Petrov'), petrov-sergei-02 ('Sergei Petrov'), "
        "petrov-sergei-03 ('Sergei Petrov'), petrov-sergei-04 ('Sergei Petrov'), "
        "petrov-sergei-05 ('Sergei Petrov') and 6 more; merge the files of one person, and "
        "list the ids of different people in distinct_from in this file"
    )


def test_distinct_from_silences_a_group_whose_files_name_each_other(tmp_path: Path, cli):
    root = tmp_path / "repo"
    write(root, "orlov-a", "Oleg Orlov", 'distinct_from = ["orlov-b", "orlov-c"]')
    write(root, "orlov-b", "Олег Орлов", 'distinct_from = ["orlov-c"]')
    write(root, "orlov-c", "Orlov Oleg")
    assert w104(cli("validate", "--root", root)) == []


def test_marking_one_pair_never_hides_a_third_case(tmp_path: Path, cli) -> None:
    root = tmp_path / "repo"
    write(root, "orlov-a", "Oleg Orlov", 'distinct_from = ["orlov-b"]')
    write(root, "orlov-b", "Олег Орлов")
    write(root, "orlov-c", "Orlov Oleg")
    lines = w104(cli("validate", "--root", root))
    assert [line.split(":")[0] for line in lines] == [
        "data/cases/orlov-a.toml",
        "data/cases/orlov-b.toml",
        "data/cases/orlov-c.toml",
    ]
    assert "same person as orlov-c ('Orlov Oleg')" in lines[0]
    assert "same person as orlov-c ('Orlov Oleg')" in lines[1]
    assert "same person as 2 other cases: orlov-a ('Oleg Orlov'), orlov-b" in lines[2]


def test_one_slip_links_two_spellings_but_not_male_and_female_forms(tmp_path: Path, cli):
    root = tmp_path / "repo"
    write(root, "kachkurkin-a", "Alexander Kachkurkin")
    write(root, "kachkurin-a", "Alexander Kachkurin")
    write(root, "smirnov-a", "Alexander Smirnov")
    write(root, "smirnova-a", "Alexandra Smirnova")
    write(root, "zaitsev-ivan", "Ivan Zaitsev")
    write(root, "zaitseva-ivan", "Ivan Zaitseva")
    lines = w104(cli("validate", "--root", root))
    assert [line.split(":")[0] for line in lines] == [
        "data/cases/kachkurin-a.toml",
        "data/cases/kachkurkin-a.toml",
    ]
    assert "same person as kachkurkin-a ('Alexander Kachkurkin')" in lines[0]


@pytest.mark.parametrize(
    ("first", "second", "near"),
    [
        ("aleksandr kachkurin", "aleksandr kachkurkin", True),
        ("aleksandr kachkurkin", "aleksandr kachkurin", True),
        ("ivan ivanov", "ivan ivanova", False),  # the female form: a relative
        ("evgeni petrovskii", "evgeni petrovskaia", False),
        ("dmitri babadenov", "dmitri babadekov", False),  # another letter: another family
        ("ivan lev", "ivan levi", False),  # too short for a slip to count
        ("ivan orlov", "ivan orlov", True),
        ("ivan orlov", "orlov", False),
    ],
)
def test_near_keys(first: str, second: str, near: bool) -> None:
    assert near_keys(first, second) is near


def test_warm_validate_gives_the_same_lines_without_reading_the_files(ivanovs, cli, monkeypatch):
    # A comment line above the name: the line of each finding comes from the index.
    path = ivanovs / "data" / "cases" / "ivanov-ivan.toml"
    path.write_text("# moved down a line\n" + path.read_text())
    cold = cli("validate", "--root", ivanovs)
    warm = cli("validate", "--root", ivanovs)
    assert warm.stdout == cold.stdout
    assert "data/cases/ivanov-ivan.toml:3:1: warning W104" in warm.stdout
    monkeypatch.setenv("EXILECASES_NO_CACHE", "1")
    assert cli("validate", "--root", ivanovs).stdout == cold.stdout


def test_linear_in_a_group_of_thousands() -> None:
    """3,000 files of one name: 3,000 findings, each naming five (a pairwise check made
    4.5 million)."""
    vocabulary = default_vocabulary()
    checks = []
    for number in range(3000):
        case_id = f"ivanov-ivan-{number:04}"
        text = case_text(case_id, "Ivan Ivanov")
        checks.append(check_file(text.encode(), f"{case_id}.toml", case_id, vocabulary))
    found = cross_file(checks)
    assert len(found) == 3000
    assert all(" as 2999 other cases: " in item.message for item in found)
    assert all(" and 2994 more; " in item.message for item in found)
