"""Format 2 through the command line: proceeding add, deadline add|done|set, validate's
checks of references and dates, show by proceeding, list, stats and export."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES

FORMAT2 = FIXTURES / "format2"


@pytest.fixture
def root(repo) -> Path:
    return repo(FORMAT2)


def _text(root: Path, case: str) -> str:
    return (root / "data" / "cases" / f"{case}.toml").read_text("utf-8")


def _validate(cli, root: Path) -> list[str]:
    result = cli("validate", "--root", root)
    return result.stdout.splitlines()


# --- the edit commands --------------------------------------------------------------------


def test_proceeding_and_deadline_add_keep_comments_and_validate(cli, root) -> None:
    before = _text(root, "beta-case")
    added = cli(
        "proceeding", "add", "beta-case", "--id", "asylum", "--type", "asylum",
        "--lawyer", "Boris Counsel", "--authority", "Migration office", "--root", root,
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    deadline = cli(
        "deadline", "add", "beta-case", "--due", "2026-05-01", "--type", "appeal",
        "--proceeding", "asylum", "--owner", "Boris Counsel", "--what", "Appeal", "--root", root,
    )  # fmt: skip
    assert deadline.exit_code == 0, deadline.stderr
    text = _text(root, "beta-case")
    assert text.startswith("# One overdue deadline, one two months away, one moot.\n")
    assert text.count("[[proceedings]]") == 2 and text.count("[[deadlines]]") == 4
    assert before.splitlines()[0] in text
    assert 'id = "asylum"\ntype = "asylum"\nauthority = "Migration office"' in text
    assert _validate(cli, root) == []
    assert cli("fmt", "--check", "--root", root).exit_code == 0


def test_a_bad_reference_is_refused_and_nothing_is_written(cli, root) -> None:
    before = _text(root, "beta-case")
    result = cli(
        "deadline", "add", "beta-case", "--due", "2026-05-01", "--type", "appeal",
        "--proceeding", "asylum", "--root", root,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "E072" in result.stderr and "nothing was written" in result.stderr
    owner = cli(
        "deadline", "add", "beta-case", "--due", "2026-05-01", "--type", "appeal",
        "--owner", "Nobody", "--root", root,
    )  # fmt: skip
    assert owner.exit_code == 2 and "E074" in owner.stderr
    assert _text(root, "beta-case") == before


def test_deadline_done_by_number_prints_the_entry(cli, root) -> None:
    result = cli("deadline", "done", "beta-case", "1", "--on", "2026-02-19", "--root", root)
    assert result.exit_code == 0, result.stderr
    assert "beta-case: deadline 1: due 2026-02-20, submission, Reply to the prosecutor: met on " \
        "2026-02-19" in result.stderr  # fmt: skip
    assert 'what = "Reply to the prosecutor"\nowner = "Boris Counsel"\ndone = "2026-02-19"\n' in (
        _text(root, "beta-case")
    )
    listed = cli("due", "--as-of", "2026-03-01", "--format", "json", "--root", root)
    assert "beta-case" not in listed.stdout
    missing = cli("deadline", "done", "beta-case", "9", "--root", root)
    assert missing.exit_code == 1 and "has no deadline 9 (it has 3 deadlines)" in missing.stderr
    bad = cli("deadline", "done", "beta-case", "x1", "--root", root)
    assert bad.exit_code == 2


def test_deadline_set_and_private_numbers(cli, root) -> None:
    moot = cli("deadline", "set", "alpha-case", "p1", "--state", "moot", "--root", root)
    assert moot.exit_code == 0, moot.stderr
    assert 'what = "SECRET-DEADLINE-ALPHA"\nstate = "moot"\n' in _text(root, "alpha-case")
    private = cli("due", "--as-of", "2026-03-01", "--private", "--format", "json", "--root", root)
    assert "SECRET" not in private.stdout
    public = cli("due", "--as-of", "2026-03-01", "--format", "json", "--root", root)
    assert "not shown" not in public.stderr  # no open private deadline is left


def test_a_derived_deadline_is_recorded_by_rule_and_trigger(cli, root) -> None:
    result = cli(
        "deadline", "done", "alpha-case", "--rule", "leave-after-refusal-in-force",
        "--trigger", "2026-02", "--on", "2026-03-10", "--root", root,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = _text(root, "alpha-case")
    assert 'due = "2026-03-03/2026-03-30"\ntype = "leave_country"\nproceeding = "asylum"' in text
    assert 'rule = "leave-after-refusal-in-force"\ntrigger = "2026-02"' in text
    listed = json.loads(
        cli("due", "--as-of", "2026-03-01", "--all", "--format", "json", "--root", root).stdout
    )
    assert not [i for i in listed if i["case"] == "alpha-case" and i["derived"]]
    wrong = cli(
        "deadline", "done", "gamma-case", "--rule", "handover-after-extradition-in-force",
        "--trigger", "2026-01-31", "--root", root,
    )  # fmt: skip
    assert wrong.exit_code == 1 and "--trigger 2026-01-30" in wrong.stderr
    neither = cli("deadline", "done", "gamma-case", "--root", root)
    assert neither.exit_code == 2


def test_commit_names_the_change(cli, root) -> None:
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
        return done.stdout

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    result = cli(
        "deadline", "set", "beta-case", "2", "--state", "missed", "--commit", "--root", root
    )
    assert result.exit_code == 0, result.stderr
    message = git("log", "-1", "--format=%s")
    assert message.startswith("beta-case: deadlines[2026-04-30 detention_limit].state")
    secret = cli(
        "deadline", "set", "alpha-case", "p1", "--state", "moot", "--commit", "--root", root
    )
    assert secret.exit_code == 0
    assert "SECRET" not in git("log", "-1", "--format=%B")


# --- validate -------------------------------------------------------------------------------


def _write(root: Path, name: str, text: str) -> None:
    (root / "data" / "cases" / f"{name}.toml").write_text(text, "utf-8")


HEAD = 'id = "{id}"\nname = "X Y"\norigin_country = "RU"\nhost_country = "KZ"\nstatus = "at_risk"\n'


def test_validate_checks_every_reference_with_its_line(cli, repo) -> None:
    root = repo(FORMAT2 / "zeta-case.toml")
    _write(
        root,
        "bad-refs",
        HEAD.format(id="bad-refs")
        + '\n[[proceedings]]\nid = "asylum"\ntype = "asylm"\nlawyer = "Secret Friend"\n'
        + '\n[[proceedings]]\nid = "asylum"\ntype = "asylum"\n'
        + '\n[[events]]\ndate = "2025"\ntype = "hearing"\nproceeding = "nope"\n'
        + '\n[[deadlines]]\ndue = "2026-01"\ntype = "apeal"\nowner = "Nobody"\n'
        + '\n[[contacts]]\nname = "Secret Friend"\nprivate = true\n',
    )
    lines = _validate(cli, root)
    assert any(line.startswith("data/cases/bad-refs.toml:9:1: error E070") for line in lines)
    assert any(line.startswith("data/cases/bad-refs.toml:10:1: error E075") for line in lines)
    assert any(line.startswith("data/cases/bad-refs.toml:13:1: error E073") for line in lines)
    assert any(line.startswith("data/cases/bad-refs.toml:19:1: error E072") for line in lines)
    assert any(line.startswith("data/cases/bad-refs.toml:23:1: error E071") for line in lines)
    assert any(line.startswith("data/cases/bad-refs.toml:24:1: error E074") for line in lines)


def test_a_public_entry_may_not_name_a_private_proceeding(cli, repo) -> None:
    root = repo(FORMAT2 / "zeta-case.toml")
    _write(
        root,
        "hidden-ref",
        HEAD.format(id="hidden-ref")
        + '\n[[deadlines]]\ndue = "2026-01"\ntype = "appeal"\nproceeding = "un"\n'
        + '\n[private]\nnotes = "x"\n'
        + '\n[[private.proceedings]]\nid = "un"\ntype = "un_communication"\n'
        + '\n[[private.deadlines]]\ndue = "2026-02"\ntype = "submission"\nproceeding = "un"\n',
    )
    lines = _validate(cli, root)
    assert [line.split(": ", 2)[1] for line in lines] == ["error E072"]
    assert "private proceeding 'un'" in lines[0] and ":10:1:" in lines[0]


def test_warnings_on_deadline_states_and_dates(cli, repo) -> None:
    root = repo(FORMAT2 / "zeta-case.toml")
    _write(
        root,
        "warned",
        HEAD.format(id="warned")
        + '\n[[proceedings]]\nid = "ext"\ntype = "extradition"\nclosed = "2025-12"\n'
        + '\n[[events]]\ndate = "2072-05-01"\ntype = "release"\n'
        + '\n[[events]]\ndate = "2072-05-02"\ntype = "hearing"\n'
        + '\n[[deadlines]]\ndue = "2026-01"\ntype = "appeal"\nproceeding = "ext"\n'
        + '\n[[deadlines]]\ndue = "2026-01"\ntype = "appeal"\ndone = "2025-01-01"\n'
        + 'trigger = "2025-06"\nrule = "no-such-rule"\nstate = "open"\n',
    )
    codes = {line.split(": ", 2)[1].split()[1]: line for line in _validate(cli, root)}
    assert set(codes) == {"W120", "W121", "W122", "W123", "W124"}
    assert ":13:1:" in codes["W122"] and "2072-05-01" in codes["W122"]  # a hearing may be later
    assert ":21:1:" in codes["W120"]
    # A file with a future date is checked again on every run: the warning is not cached stale.
    again = _validate(cli, root)
    assert any("W122" in line for line in again)


def test_a_rule_of_the_wrong_shape_stops_with_its_line(cli, repo) -> None:
    root = repo(FORMAT2 / "zeta-case.toml")
    (root / "data" / "vocabulary.toml").write_text(
        '[event_types.travel_ban]\nlabel = "Travel ban"\n\n'
        "[deadline_rules.bad]\n"
        'when = { event = "decison_in_force" }\ntype = "leave_country"\ndays = 30\nmonths = 1\n'
    )
    result = cli("validate", "--root", root)
    assert result.exit_code == 1
    assert "data/vocabulary.toml:4: deadline rule 'bad'" in result.stderr
    assert "'decison_in_force' is not a known event type" in result.stderr
    assert "exactly one of days = N or months = N" in result.stderr
    assert "needs basis" in result.stderr
    due = cli("due", "--root", root)
    assert due.exit_code == 1 and "deadline rule 'bad'" in due.stderr


def test_a_repository_rule_derives_deadlines(cli, repo) -> None:
    root = repo(FORMAT2 / "beta-case.toml")
    (root / "data" / "vocabulary.toml").write_text(
        "[deadline_rules.detention-review]\n"
        'when = { event = "detention", proceeding_type = "extradition" }\n'
        'type = "submission"\nmonths = 2\nwhat = "Ask for a review of the arrest"\n'
        'basis = "A test rule"\n'
    )
    listed = json.loads(
        cli("due", "--as-of", "2026-02-15", "--format", "json", "--root", root).stdout
    )
    derived = [item for item in listed if item["derived"]]
    assert [(d["rule"], d["due"], d["days_left"]) for d in derived] == [
        ("detention-review", "2026-02-20", 5)
    ]


# --- show, list, stats, export --------------------------------------------------------------


def test_show_groups_the_timeline_by_proceeding_and_numbers_everything(cli, root) -> None:
    result = cli("show", "gamma-case", "--root", root)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.index("Extradition  [extradition]") < out.index("UN communication  [hrc]")
    assert out.index("UN communication  [hrc]") < out.index("Other")
    assert "#1" in out and "#3" in out
    assert "returned in breach of interim measures" in out
    assert "handover-after-extradition-in-force" in out
    alpha = cli("show", "alpha-case", "--root", root).stdout
    assert "#p1" in alpha and "(private)" in alpha and "met 2025-10-20" in alpha


def test_list_breached_and_sort_by_next_deadline(cli, root) -> None:
    breached = cli("list", "--breached", "--format", "json", "--root", root)
    assert [case["id"] for case in json.loads(breached.stdout)] == ["delta-case", "gamma-case"]
    ordered = cli("list", "--sort", "next-deadline", "--format", "csv", "--root", root)
    ids = [line.split(",")[0] for line in ordered.stdout.splitlines()[1:]]
    assert ids[:3] == ["beta-case", "alpha-case", "gamma-case"]


def test_stats_by_proceeding_and_by_breach(cli, root) -> None:
    by_breach = json.loads(
        cli("stats", "--by", "breach", "--format", "json", "--root", root).stdout
    )
    assert {row["breach"]: row["count"] for row in by_breach["rows"]} == {
        "none": 4,
        "breach": 1,
        "possible_breach": 1,
    }
    kinds = json.loads(
        cli("stats", "--by", "proceeding", "--format", "json", "--root", root).stdout
    )
    assert {row["proceeding"]: row["count"] for row in kinds["rows"]} == {
        None: 3,
        "extradition": 2,
        "asylum": 1,
        "un_communication": 1,
    }


def test_exports_carry_proceedings_deadlines_and_the_breach(cli, root, tmp_path) -> None:
    target = tmp_path / "cases.sqlite"
    result = cli("export", "--format", "sqlite", "-o", target, "--public", "--root", root)
    assert result.exit_code == 0, result.stderr
    db = sqlite3.connect(target)
    breach = dict(db.execute("SELECT id, interim_measures_breach FROM cases"))
    assert breach["gamma-case"] == "breach" and breach["delta-case"] == "possible_breach"
    rows = db.execute(
        "SELECT case_id, due, state, derived, rule FROM deadlines ORDER BY case_id, position"
    ).fetchall()
    assert ("alpha-case", "2025-10-31", "met", 0, None) in rows
    assert (
        "alpha-case",
        "2026-03-03/2026-03-30",
        "open",
        1,
        "leave-after-refusal-in-force",
    ) in rows
    assert ("beta-case", "2026-03-02", "moot", 0, None) in rows
    assert db.execute("SELECT count(*) FROM proceedings").fetchone() == (4,)
    assert all("SECRET" not in str(row) for row in db.execute("SELECT * FROM deadlines"))
    csv = cli("export", "--format", "csv", "--table", "deadlines", "--public", "--root", root)
    assert "derived" in csv.stdout.splitlines()[0] and "SECRET" not in csv.stdout
