"""The command-line contracts of docs/commands.md (and ../shared/design/cli.md)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import BUNDLED_CASES, FIXTURES
from exilecases.cli import cases as cli_module

# --- list -----------------------------------------------------------------------------


def ids(result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return [case["id"] for case in json.loads(result.stdout)]


def test_list_deported_on_the_bundled_cases(bundled, cli) -> None:
    got = ids(cli("list", "--root", bundled, "--status", "deported", "--format", "json"))
    assert got == ["kachkurkin-alexander", "zhilin-mikhail"]


def test_list_returned_on_desertion_charges(bundled, cli) -> None:
    result = cli(
        "list",
        "--root",
        bundled,
        "--outcome",
        "returned",
        "--basis",
        "RU-CC-338",
        "--format",
        "json",
    )
    assert ids(result) == ["kasimov-kamil", "zhilin-mikhail"]


def test_json_cases_have_the_keys_of_the_files(bundled, cli) -> None:
    (case,) = json.loads(
        cli(
            "list",
            *("--root", bundled, "--status", "asylum_denied", "--category", "officer"),
            *("--format", "json"),
        ).stdout
    )
    on_disk = tomllib.loads((bundled / "data/cases/korobov-evgenij.toml").read_text())
    assert list(case) == list(on_disk)
    assert case["events"][-1]["date"] == "2026-02-05"


def test_repeated_filter_is_or_and_different_filters_are_and(bundled, cli) -> None:
    either = ids(
        cli(
            "list",
            "--root",
            bundled,
            "--status",
            "deported",
            "--status",
            "extradition_approved",
            "--format",
            "json",
        )
    )
    assert either == [
        "kachkurkin-alexander",
        "movlayev-mansur",
        "yemelyanova-yulia",
        "zhilin-mikhail",
    ]
    both = ids(
        cli(
            "list",
            "--root",
            bundled,
            "--status",
            "deported",
            "--status",
            "extradition_approved",
            "--category",
            "opposition",
            "--format",
            "json",
        )
    )
    assert both == ["movlayev-mansur", "yemelyanova-yulia"]


def test_since_until_treat_partial_dates_as_ranges(repo, cli) -> None:
    root = repo(FIXTURES / "valid")
    # lebedev-arkadij has events dated "2022~" .. "2025-03"; zhukov-roman on 2025-02-05.
    assert "lebedev-arkadij" in ids(
        cli("list", "--root", root, "--since", "2022", "--until", "2022", "--format", "json")
    )
    assert (
        ids(
            cli(
                "list",
                "--root",
                root,
                "--since",
                "2025-02-06",
                "--until",
                "2025-02",
                "--format",
                "json",
            )
        )
        == []
    )
    assert "zhukov-roman" in ids(
        cli("list", "--root", root, "--since", "2025-02", "--until", "2025-02", "--format", "json")
    )


def test_sort_and_reverse(bundled, cli) -> None:
    by_last = ids(cli("list", "--root", bundled, "--sort", "last-event", "--format", "json"))
    assert by_last[-1] == "movlayev-mansur"  # Supreme Court ruling of 2026-02-24, the latest event
    assert by_last[0] == "ammosov-aikhal"  # events dated only "2022?"
    result = cli("list", "--root", bundled, "--sort", "name", "--reverse", "--format", "json")
    names = [case["name"] for case in json.loads(result.stdout)]
    assert names == sorted(names, key=str.casefold, reverse=True)
    assert names[0] == "Zelimkhan Murtazov"


def test_list_csv(bundled, cli) -> None:
    result = cli("list", "--root", bundled, "--status", "handed_over", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == ["bazhukov-semyon", "kasimov-kamil"]
    assert rows[1]["bases"] == "RU-CC-338" and rows[1]["outcome"] == "returned"


def test_list_table_names_every_case(bundled, cli) -> None:
    result = cli("list", "--root", bundled)
    assert result.exit_code == 0
    assert "14 cases" in result.stdout and "Yulia Yemelyanova" in result.stdout


def test_unknown_filter_value_is_a_usage_error_with_a_hint(bundled, cli) -> None:
    result = cli("list", "--root", bundled, "--status", "deportd")
    assert result.exit_code == 2
    assert "did you mean 'deported'" in result.stderr and result.stdout == ""


def test_bad_date_filter_is_a_usage_error(bundled, cli) -> None:
    result = cli("list", "--root", bundled, "--since", "last year")
    assert result.exit_code == 2 and "--since" in result.stderr


def test_broken_file_is_skipped_with_one_warning(repo, cli) -> None:
    root = repo(
        FIXTURES / "valid",
        FIXTURES / "broken" / "unknown-status.toml",
        FIXTURES / "broken" / "syntax-missing-equals.toml",
    )
    result = cli("list", "--root", root, "--format", "json")
    assert ids(result) == ["gusev-maksim", "lebedev-arkadij", "zhukov-roman"]
    warnings = result.stderr.strip().splitlines()
    assert len(warnings) == 2
    assert warnings[0].startswith("warning: skipped data/cases/syntax-missing-equals.toml:6:8:")
    assert "unknown-status.toml:6:1: E020" in warnings[1]


# --- show -----------------------------------------------------------------------------


def test_show_table_has_the_timeline_in_date_order(bundled, cli) -> None:
    result = cli("show", "korobov-evgenij", "--root", bundled)
    assert result.exit_code == 0
    text = result.stdout
    assert "Evgenij Korobov" in text and "asylum_denied" in text
    # Grouped by proceeding (events without one under "Other"), each group in date order.
    asylum, other = text.index("Asylum  [asylum]"), text.index("Other")
    assert asylum < text.index("Applied for asylum") < text.index("Asylum decision") < other
    assert text.index("Asylum decision") < text.index("Court ruling") < other
    assert other < text.index("2022~") < text.index("2024?")


def test_show_json_is_one_case_object(bundled, cli) -> None:
    case = json.loads(cli("show", "movlayev-mansur", "--root", bundled, "--format", "json").stdout)
    assert case["id"] == "movlayev-mansur" and "Mansur Movlaev" in case["aliases"]


def test_show_toml_parses_to_the_same_case(bundled, cli) -> None:
    shown = cli("show", "bazhukov-semyon", "--root", bundled, "--format", "toml").stdout
    on_disk = (bundled / "data/cases/bazhukov-semyon.toml").read_text()
    assert tomllib.loads(shown) == tomllib.loads(on_disk)


def test_show_unknown_id_exits_1(bundled, cli) -> None:
    result = cli("show", "nobody-here", "--root", bundled)
    assert result.exit_code == 1 and "no case 'nobody-here'" in result.stderr


@pytest.mark.parametrize("hostile", ["../../etc/passwd", "/etc/passwd", "a/../../b", "UPPER"])
def test_show_refuses_ids_that_are_not_ids(bundled, cli, hostile: str) -> None:
    result = cli("show", hostile, "--root", bundled)
    assert result.exit_code == 2 and "is not a case id" in result.stderr


# --- add ------------------------------------------------------------------------------


def test_add_writes_a_canonical_valid_file(bundled, cli) -> None:
    result = cli(
        "add",
        "--root",
        bundled,
        "--name",
        "Дмитрий Иванов",
        "--status",
        "detained",
        "--origin",
        "ru",
        "--host",
        "KZ",
        "--category",
        "deserter",
        "--category",
        "mobilised",
        "--basis",
        "RU-CC-338",
        "--alias",
        "Dmitry Ivanov",
    )
    assert result.exit_code == 0, result.stderr
    path = bundled / "data/cases/ivanov-dmitry.toml"
    case = tomllib.loads(path.read_text())
    assert case["origin_country"] == "RU" and case["charges"] == [{"basis": "RU-CC-338"}]
    assert case["categories"] == ["deserter", "mobilised"]
    assert cli("validate", "--root", bundled).exit_code == 0


def test_add_refuses_to_overwrite(bundled, cli) -> None:
    before = (bundled / "data/cases/korobov-evgenij.toml").read_bytes()
    result = cli(
        "add",
        "--root",
        bundled,
        "--name",
        "Evgenij Korobov",
        "--status",
        "refugee",
        "--origin",
        "RU",
        "--host",
        "KZ",
    )
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert (bundled / "data/cases/korobov-evgenij.toml").read_bytes() == before


def test_add_without_a_terminal_names_what_is_missing(bundled, cli) -> None:
    result = cli("add", "--root", bundled, "--name", "Anna Petrova")
    assert result.exit_code == 2
    assert "--status" in result.stderr and "--origin" in result.stderr
    assert not (bundled / "data/cases/petrova-anna.toml").exists()


def test_add_asks_on_a_terminal(bundled, cli, monkeypatch) -> None:
    monkeypatch.setattr(cli_module, "_interactive", lambda: True)
    # name, status, origin and host (Enter: RU, KZ), then no categories, bases or event
    result = cli("add", "--root", bundled, input="Anna Petrova\nat_risk\n\n\n\n\n\n")
    assert result.exit_code == 0, result.stderr
    case = tomllib.loads((bundled / "data/cases/petrova-anna.toml").read_text())
    assert (case["status"], case["origin_country"], case["host_country"]) == ("at_risk", "RU", "KZ")


def test_add_refuses_an_unknown_status_and_writes_nothing(bundled, cli) -> None:
    result = cli(
        "add",
        "--root",
        bundled,
        "--name",
        "Anna Petrova",
        "--status",
        "jailed",
        "--origin",
        "RU",
        "--host",
        "KZ",
    )
    # Refused as the command line is parsed, before the case is made.
    assert result.exit_code == 2 and "'jailed' is not a status" in result.stderr
    assert not (bundled / "data/cases/petrova-anna.toml").exists()


def test_add_refuses_a_hostile_id(bundled, cli) -> None:
    result = cli(
        "add",
        "--root",
        bundled,
        "--name",
        "X Y",
        "--id",
        "../../evil",
        "--status",
        "at_risk",
        "--origin",
        "RU",
        "--host",
        "KZ",
    )
    assert result.exit_code == 2
    assert not list(bundled.parent.rglob("evil*"))


# --- finding the repository -----------------------------------------------------------


def test_root_from_environment_and_from_a_subfolder(bundled, cli, monkeypatch) -> None:
    monkeypatch.setenv("EXILECASES_ROOT", str(bundled))
    assert len(ids(cli("list", "--format", "json"))) == 14
    monkeypatch.delenv("EXILECASES_ROOT")
    monkeypatch.chdir(bundled / "data" / "cases")
    assert len(ids(cli("list", "--format", "json"))) == 14


def test_outside_a_repository_names_the_three_ways(tmp_path, cli, monkeypatch) -> None:
    monkeypatch.delenv("EXILECASES_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    result = cli("list")
    assert result.exit_code == 2
    for way in ("--root", "EXILECASES_ROOT", "data/cases"):
        assert way in result.stderr


def test_broken_vocabulary_is_reported_with_its_line(bundled, cli) -> None:
    (bundled / "data/vocabulary.toml").write_text('[statuses.hiding]\nlabel = "Hiding"\n')
    result = cli("list", "--root", bundled)
    assert result.exit_code == 1
    assert "data/vocabulary.toml:1:" in result.stderr and "outcome" in result.stderr


def test_repository_vocabulary_extends_the_defaults(bundled, cli) -> None:
    (bundled / "data/vocabulary.toml").write_text(
        '[statuses.under_surveillance]\nlabel = "Under police surveillance"\noutcome = "pending"\n'
    )
    path = bundled / "data/cases/murtazov.toml"
    path.write_text(
        path.read_text().replace('status = "asylum_denied"', 'status = "under_surveillance"')
    )
    result = cli("list", "--root", bundled, "--outcome", "pending", "--format", "json")
    assert "murtazov" in ids(result)


# --- the installed program ------------------------------------------------------------


def test_python_dash_m_runs_without_a_traceback(tmp_path) -> None:
    env = {**os.environ, "EXILECASES_ROOT": str(BUNDLED_CASES.parent.parent)}
    done = subprocess.run(
        [sys.executable, "-m", "exilecases", "list", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == len(list(BUNDLED_CASES.glob("*.toml")))


def test_help_lists_every_command(cli) -> None:
    result = cli("--help")
    for command in ("add", "list", "show", "validate"):
        assert command in result.stdout


def test_readme_commands_match_ci() -> None:
    project = Path(__file__).resolve().parents[2]
    readme = (project / "README.md").read_text()
    ci = (project / ".ci" / "run").read_text()
    setup = [line.strip() for line in ci.splitlines() if line.startswith("python3 -m venv")]
    assert len(setup) == 2
    for line in setup:
        assert line in readme


def test_a_system_error_is_a_message_not_a_traceback(bundled, cli, monkeypatch) -> None:
    import exilecases.store.write

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device", str(bundled / "data/cases"))

    monkeypatch.setattr(exilecases.store.write, "_open_temporary", full_disk)
    result = cli(
        "add",
        "--root",
        bundled,
        "--name",
        "Anna Petrova",
        "--status",
        "at_risk",
        "--origin",
        "RU",
        "--host",
        "KZ",
    )
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr and "Traceback" not in result.stderr
    assert not (bundled / "data/cases/petrova-anna.toml").exists()
