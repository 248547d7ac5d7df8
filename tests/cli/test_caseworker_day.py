"""A caseworker's day (issue 11, items 1-3, 5-8, 12, 13, 15, 16), through the CLI as a
caseworker types it, in temporary repositories with real git."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

EXILECASES = Path(sys.executable).with_name("exilecases")


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=check)


@pytest.fixture
def team_repo(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh repository made by ``init`` (hook and diff driver installed), nothing
    committed yet, git isolated from the user's own configuration."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = tmp_path / "cases"
    assert cli("init", root).exit_code == 0
    git(root, "config", "user.name", "Aida K")
    git(root, "config", "user.email", "aida@example.org")
    return root


def add_marina(cli, root: Path, *extra: str):
    return cli(
        "add", "--root", root, "--name", "Marina Kuznetsova", "--status", "at_risk",
        "--origin", "RU", "--host", "KZ", *extra,
    )  # fmt: skip


def log_messages(root: Path) -> list[str]:
    return git(root, "log", "--format=%s").stdout.splitlines()


# --- 1. --commit on a case that was never committed --------------------------------------


def test_set_commit_on_a_case_never_committed_makes_its_first_commit(team_repo: Path, cli):
    assert add_marina(cli, team_repo).exit_code == 0
    result = cli("set", "kuznetsova-marina", "status", "detained", "--commit", "--root", team_repo)
    assert result.exit_code == 0, result.stderr
    assert "cat-file" not in result.stderr
    assert "committed: kuznetsova-marina: add case (detained)" in result.stderr
    assert log_messages(team_repo) == ["kuznetsova-marina: add case (detained)"]
    assert git(team_repo, "status", "--porcelain", "data/cases").stdout == ""
    # The next edit is an ordinary change again.
    result = cli("set", "kuznetsova-marina", "status", "released", "--commit", "--root", team_repo)
    assert result.exit_code == 0, result.stderr
    assert log_messages(team_repo)[0] == "kuznetsova-marina: status detained -> released"


def test_source_add_commit_on_a_case_never_committed(team_repo: Path, cli) -> None:
    assert add_marina(cli, team_repo).exit_code == 0
    git(team_repo, "add", "-A")
    git(team_repo, "commit", "-qm", "setup", "--", ".gitattributes", "data/vocabulary.toml")
    result = cli(
        "source", "add", "kuznetsova-marina", "--id", "vlast", "--outlet", "Vlast.kz",
        "--commit", "--root", team_repo,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert log_messages(team_repo)[0] == "kuznetsova-marina: add case (at_risk)"
    committed = git(team_repo, "show", "HEAD:data/cases/kuznetsova-marina.toml").stdout
    assert tomllib.loads(committed)["sources"] == [{"id": "vlast", "outlet": "Vlast.kz"}]


# --- 2. the pre-commit hook checks what is staged ----------------------------------------


def test_the_hook_refuses_a_staged_typo_fixed_only_in_the_working_copy(team_repo: Path, cli):
    assert add_marina(cli, team_repo, "--commit").exit_code == 0
    case = team_repo / "data/cases/kuznetsova-marina.toml"
    case.write_text(case.read_text().replace('"at_risk"', '"relased"'))
    git(team_repo, "add", str(case))
    case.write_text(case.read_text().replace('"relased"', '"released"'))  # not staged
    commit = git(team_repo, "commit", "-m", "release", check=False)
    assert commit.returncode != 0
    assert "E020" in commit.stderr and "relased" in commit.stderr
    assert log_messages(team_repo) == ["kuznetsova-marina: add case (at_risk)"]
    # validate --staged says the same; plain validate looks at the (fixed) working copy.
    staged = cli("validate", "--staged", "--root", team_repo)
    assert staged.exit_code == 1
    assert staged.stdout.startswith("data/cases/kuznetsova-marina.toml:")
    assert "git add" in staged.stderr
    assert cli("validate", "--root", team_repo).exit_code == 0
    git(team_repo, "add", str(case))
    assert git(team_repo, "commit", "-qm", "release", check=False).returncode == 0
    assert cli("validate", "--staged", "--root", team_repo).stderr == "no case file is staged\n"


def test_the_hook_checks_the_staged_formatting_too(team_repo: Path, cli) -> None:
    assert add_marina(cli, team_repo, "--commit").exit_code == 0
    case = team_repo / "data/cases/kuznetsova-marina.toml"
    good = case.read_text()
    case.write_text(good.replace('status = "at_risk"', 'status   =   "detained"'))
    git(team_repo, "add", str(case))
    case.write_text(good.replace('"at_risk"', '"detained"'))  # formatted, not staged
    result = cli("fmt", "--check", "--staged", "--root", team_repo)
    assert result.exit_code == 1 and result.stdout == "data/cases/kuznetsova-marina.toml\n"
    assert cli("fmt", "--check", "--root", team_repo).exit_code == 0
    assert git(team_repo, "commit", "-qm", "detained", check=False).returncode != 0


def test_init_brings_an_old_hook_up_to_date_and_keeps_a_foreign_one(team_repo: Path, cli):
    hook = team_repo / ".git/hooks/pre-commit"
    old = "#!/bin/sh\n# Installed by `exilecases init`: check\nexilecases validate $files\n"
    hook.write_text(old)
    result = cli("init", team_repo)
    assert "updated: checks what is staged" in result.stderr
    assert "validate --staged" in hook.read_text() and os.access(hook, os.X_OK)
    hook.write_text("#!/bin/sh\nmy-own-check\n")
    cli("init", team_repo)
    assert hook.read_text() == "#!/bin/sh\nmy-own-check\n"


# --- 7. ids from compound names ----------------------------------------------------------


def test_add_makes_the_id_from_a_compound_name(tmp_path: Path, cli) -> None:
    root = tmp_path / "r"
    (root / "data/cases").mkdir(parents=True)
    result = cli(
        "add", "--root", root, "--name", "Фёдор Мамедов-Оглы", "--status", "at_risk",
        "--origin", "RU", "--host", "KZ",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "created data/cases/mamedov-ogly-fyodor.toml" in result.stderr


# --- 8. --root before the command name --------------------------------------------------


def test_root_before_the_command_name(bundled: Path, cli, tmp_path: Path) -> None:
    before = cli("--root", bundled, "export", "--format", "json")
    after = cli("export", "--format", "json", "--root", bundled)
    assert before.exit_code == 0, before.stderr
    assert before.stdout == after.stdout and before.stdout.startswith("[")
    assert cli("--root", bundled, "show", "korobov-evgenij").exit_code == 0
    # The one after the command name wins; the next command does not inherit it.
    elsewhere = tmp_path / "empty"
    (elsewhere / "data/cases").mkdir(parents=True)
    assert "0 cases" in cli("--root", bundled, "list", "--root", elsewhere).stdout
    assert cli("list", "--root", elsewhere).exit_code == 0


def test_root_before_the_command_name_in_a_subprocess(bundled: Path, tmp_path: Path) -> None:
    if not EXILECASES.exists():
        pytest.skip("the exilecases script is not installed beside this Python")
    result = subprocess.run(
        [str(EXILECASES), "--root", str(bundled), "stats", "--by", "status"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "cases by status" in result.stdout


# --- 13. dates as people type them -------------------------------------------------------


@pytest.mark.parametrize("typed", ["31.03.2025", "31/03/2025"])
def test_dates_typed_by_hand_are_refused_with_the_iso_form(bundled: Path, cli, typed: str):
    event = cli(
        "event", "add", "korobov-evgenij", "--date", typed, "--type", "detention",
        "--root", bundled,
    )  # fmt: skip
    assert event.exit_code == 2
    assert "did you mean 2025-03-31?" in event.stderr
    since = cli("list", "--since", typed, "--root", bundled)
    assert since.exit_code == 2 and "--since" in since.stderr
    assert "did you mean 2025-03-31?" in since.stderr
    as_of = cli("stats", "--by", "status", "--as-of", typed, "--root", bundled)
    assert as_of.exit_code == 2 and "did you mean 2025-03-31?" in as_of.stderr


def test_validate_suggests_the_iso_form_for_a_typed_date_in_a_file(bundled: Path, cli):
    case = bundled / "data/cases/korobov-evgenij.toml"
    text = case.read_text()
    first = tomllib.loads(text)["events"][0]["date"]
    case.write_text(text.replace(f'date = "{first}"', 'date = "05.02.2026"', 1))
    result = cli("validate", case, "--root", bundled)
    assert result.exit_code == 1
    assert "E030" in result.stdout and "did you mean 2026-02-05?" in result.stdout


@pytest.mark.parametrize("command", ["list", "due"])
@pytest.mark.parametrize("day", ["2025-03-31?", "2025~", "2022/2023", "someday"])
def test_as_of_errors_do_not_offer_uncertain_dates(bundled: Path, cli, day: str, command: str):
    result = cli(command, "--as-of", day, "--root", bundled)
    assert result.exit_code == 2
    assert "--as-of" in result.stderr and "YYYY-MM-DD" in result.stderr
    assert "? (uncertain)" not in result.stderr and "~ (approximate)" not in result.stderr
    assert "interval" not in result.stderr


# --- a small repository of our own (the bundled cases change as they are corrected) -------


@pytest.fixture
def office(tmp_path: Path, cli) -> Path:
    """Three cases with timelines, made through the CLI."""
    root = tmp_path / "office"
    (root / "data/cases").mkdir(parents=True)
    people = [
        ("Dmitry Ivanov", "deported", "deserter"),
        ("Марина Кузнецова", "asylum_pending", "journalist"),
        ("Oleg Vasin", "at_risk", "activist"),
    ]
    for name, status, category in people:
        result = cli(
            "add", "--root", root, "--name", name, "--status", status, "--origin", "RU",
            "--host", "KZ", "--category", category,
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
    events = [
        ("ivanov-dmitry", "2022-10-01", "arrival", None),
        ("ivanov-dmitry", "2024-03-05", "detention", "detained"),
        ("ivanov-dmitry", "2025-01-10", "deportation", "deported"),
        ("kuznetsova-marina", "2023-02", "arrival", None),
        ("kuznetsova-marina", "2024-07-01", "asylum_application", "asylum_pending"),
        ("vasin-oleg", "2022", "arrival", None),
        ("vasin-oleg", "2023-05-05", "deportation", "deported"),
        ("vasin-oleg", "2025-06-06", "deportation", "deported"),
    ]
    for case_id, date, kind, outcome in events:
        extra = ["--outcome", outcome] if outcome else []
        result = cli(
            "event", "add", case_id, "--date", date, "--type", kind, *extra, "--root", root
        )
        assert result.exit_code == 0, result.stderr
    assert cli("set", "vasin-oleg", "status", "deported", "--root", root).exit_code == 0
    deadline = cli(
        "deadline", "add", "kuznetsova-marina", "--due", "2025-02-01", "--type", "appeal",
        "--what", "Обжаловать отказ", "--root", root,
    )  # fmt: skip
    assert deadline.exit_code == 0, deadline.stderr
    return root


# --- 3. personal data: a public export refuses, edits warn ------------------------------

PHONE_SUMMARY = "Lives in Almaty; his sister answers on +7 701 234 56 78."


def test_a_public_export_refuses_personal_data_naming_file_line_and_kind(office: Path, cli):
    result = cli("set", "vasin-oleg", "summary", PHONE_SUMMARY, "--root", office)
    assert result.exit_code == 0
    assert "data/cases/vasin-oleg.toml:" in result.stderr and "W105" in result.stderr
    assert "a phone number" in result.stderr
    for args in (["--format", "json"], ["--public", "--format", "csv"]):
        refused = cli("export", *args, "--root", office)  # public by default
        assert refused.exit_code == 1
        assert refused.stdout == ""
        line = next(n for n, text in enumerate(
            (office / "data/cases/vasin-oleg.toml").read_text().splitlines(), 1
        ) if text.startswith("summary"))  # fmt: skip
        assert f"data/cases/vasin-oleg.toml:{line}:1: warning W105: `summary`" in refused.stderr
        assert "a phone number" in refused.stderr and "--allow-personal-data" in refused.stderr
        assert "701" not in refused.stderr  # the kind of data, never the data itself
    target = office.parent / "public.json"
    assert cli("export", "--public", "-o", target, "--root", office).exit_code == 1
    assert not target.exists()
    allowed = cli("export", "--public", "--allow-personal-data", "--root", office)
    assert allowed.exit_code == 0 and PHONE_SUMMARY in allowed.stdout
    # A private export is for the user's own machine: no check.
    assert cli("export", "--private", "--root", office).exit_code == 0
    # Once the number is in [private], the export goes through.
    assert cli("set", "vasin-oleg", "summary", "Lives in Almaty.", "--root", office).exit_code == 0
    assert cli("export", "--public", "--root", office).exit_code == 0


def test_add_and_event_add_warn_when_they_write_personal_data(office: Path, cli) -> None:
    added = cli(
        "add", "--root", office, "--name", "Anna Belova", "--status", "at_risk", "--origin",
        "RU", "--host", "KZ", "--risk", "write to anna.belova@example.org",
    )  # fmt: skip
    assert added.exit_code == 0
    assert "data/cases/belova-anna.toml:" in added.stderr
    assert "W105: `risk` looks like it holds an e-mail address" in added.stderr
    event = cli(
        "event", "add", "belova-anna", "--date", "2025-01-01", "--type", "detention",
        "--place", "ул. Абая 12, кв. 4", "--root", office,
    )  # fmt: skip
    assert event.exit_code == 0
    assert "a street address" in event.stderr
    # A warning already there is not repeated by the next, unrelated edit.
    quiet = cli("set", "belova-anna", "status", "detained", "--root", office)
    assert "W105" not in quiet.stderr


# --- 5. list --as-of: the last event of that day ----------------------------------------


def test_list_as_of_shows_the_last_event_of_that_day(office: Path, cli) -> None:
    table = cli("list", "--as-of", "2024-06-01", "--root", office).stdout
    assert "as of 2024-06-01" in table
    assert "2024-03-05" in table and "2025-01-10" not in table  # Ivanov: detained then
    rows = {
        row.split(",")[0]: row.split(",")
        for row in cli(
            "list", "--as-of", "2024-06-01", "--format", "csv", "--root", office
        ).stdout.splitlines()[1:]
    }
    assert rows["ivanov-dmitry"][2] == "detained"
    assert rows["ivanov-dmitry"][-2:] == ["2024-03-05", "detention"]
    assert rows["kuznetsova-marina"][-2:] == ["2023-02", "arrival"]
    assert rows["vasin-oleg"][-2:] == ["2023-05-05", "deportation"]
    today = cli("list", "--format", "csv", "--root", office).stdout
    assert "2025-01-10,deportation" in today


# --- 6. stats by year in time order; events of one type per year -------------------------


def test_stats_by_year_in_time_order(office: Path, cli) -> None:
    table = cli("stats", "--by", "year", "--root", office).stdout
    years = [line.split()[0] for line in table.splitlines() if line.strip()[:2] == "20"]
    assert years == ["2022", "2023", "2024", "2025"]


def test_stats_by_year_of_one_event_type_counts_those_events(office: Path, cli) -> None:
    result = cli("stats", "--by", "year", "--event", "deportation", "--root", office)
    assert result.exit_code == 0
    assert "3 deportations by year" in result.stdout
    assert "—" not in result.stdout  # Kuznetsova was never deported: no row for her
    data = cli(
        "stats", "--by", "year", "--event", "deportation", "--format", "json", "--root", office
    )
    parsed = json.loads(data.stdout)
    assert parsed["counted"] == "events" and parsed["total"] == 3 and parsed["cases"] == 2
    assert parsed["rows"] == [
        {"year": 2023, "count": 1},
        {"year": 2025, "count": 2},
    ]


# --- 12. add warns about a look-alike before writing -------------------------------------


def test_add_refuses_a_look_alike_and_distinct_from_proceeds(office: Path, cli) -> None:
    again = [
        "add", "--root", office, "--name", "Marina Kuznetsova", "--name-original",
        "Кузнецова Марина", "--status", "at_risk", "--origin", "RU", "--host", "KZ",
        "--id", "kuznetsova-marina-2",
    ]  # fmt: skip
    refused = cli(*again)
    assert refused.exit_code == 1
    assert "data/cases/kuznetsova-marina.toml" in refused.stderr
    assert "--distinct-from kuznetsova-marina" in refused.stderr
    assert not (office / "data/cases/kuznetsova-marina-2.toml").exists()
    proceeded = cli(*again, "--distinct-from", "kuznetsova-marina")
    assert proceeded.exit_code == 0, proceeded.stderr
    written = tomllib.loads((office / "data/cases/kuznetsova-marina-2.toml").read_text())
    assert written["distinct_from"] == ["kuznetsova-marina"]
    check = cli("validate", "--root", office)
    assert check.exit_code == 0 and "W104" not in check.stdout


# --- 15. show prints contact notes -------------------------------------------------------


def test_show_prints_contact_notes_and_marks_private_contacts(office: Path, cli) -> None:
    for extra in (
        ["--name", "Yevgeny Smirnov", "--role", "lawyer", "--note", "Comments on the case."],
        ["--name", "Sister", "--role", "relative", "--note", "Calls on Sundays.", "--private"],
    ):
        assert cli("contact", "add", "vasin-oleg", *extra, "--root", office).exit_code == 0
    shown = cli("show", "vasin-oleg", "--root", office).stdout
    assert "Yevgeny Smirnov, lawyer" in shown and "Comments on the case." in shown
    sister = next(line for line in shown.splitlines() if "Sister" in line)
    assert "(private)" in sister
    assert "Calls on Sundays." in shown


# --- 16. CSV that opens in Excel -----------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["list", "--format", "csv"],
        ["search", "Кузнецова", "--format", "csv"],
        ["stats", "--by", "status", "--format", "csv"],
        ["export", "--format", "csv"],
        ["export", "--format", "csv", "--table", "events"],
        ["due", "--all", "--as-of", "2025-01-01", "--format", "csv"],
    ],
)
def test_excel_csv_is_utf8_with_a_bom(office: Path, command: list[str]) -> None:
    if not EXILECASES.exists():
        pytest.skip("the exilecases script is not installed beside this Python")

    def run(*extra: str) -> bytes:
        done = subprocess.run(
            [str(EXILECASES), *command, *extra, "--root", str(office)],
            capture_output=True, timeout=60, check=True,
        )  # fmt: skip
        return done.stdout

    plain, excel = run(), run("--excel")
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert excel == b"\xef\xbb\xbf" + plain
    if command[0] != "stats" and "--table" not in command:
        assert "Марина Кузнецова".encode() in plain  # UTF-8, which the BOM announces


def test_excel_to_a_file_and_refused_without_csv(office: Path, cli) -> None:
    target = office.parent / "cases.csv"
    result = cli("export", "--format", "csv", "--excel", "-o", target, "--root", office)
    assert result.exit_code == 0
    assert target.read_bytes().startswith(b"\xef\xbb\xbfid,")
    refused = cli("list", "--excel", "--root", office)
    assert refused.exit_code == 2 and "--excel goes with --format csv" in refused.stderr
