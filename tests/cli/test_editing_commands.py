"""Issue 11, items 9 and 10: every edit from the tool, so nobody hand-edits TOML.

``set ID private.KEY``, ``event edit|remove``, ``charge edit|remove``, ``source remove``,
citing a source from an existing entry, ``remove ID`` through git, and the status that
follows an added event's outcome; through the CLI (what a caseworker types) and through
``Repository``.
"""

from __future__ import annotations

import difflib
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import run_git
from exilecases import ExilecasesError, Repository

EXE = str(Path(sys.executable).with_name("exilecases"))

CASE = """\
# Opened by the Almaty desk.
id = "orlova-anna"
name = "Anna Orlova"
origin_country = "RU"
host_country = "KZ"
status = "detained"       # since the raid

[[charges]]
basis = "RU-CC-207.3"
sources = ["hrw"]

[[events]]
date = "2025-03-01"
type = "detention"        # at the border
place = "Almaty"
outcome = "detained"
sources = ["hrw"]

# The hearing is not dated in any source yet.
[[events]]
date = "2025-04"
type = "court_ruling"
note = "Hearing on the extradition request"
# ask the lawyer for the date

[[sources]]
id = "hrw"
outlet = "Human Rights Watch"

[[sources]]
id = "unused"
outlet = "A local channel"
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A committed case repository holding ``orlova-anna``."""
    root = tmp_path / "repo"
    (root / "data" / "cases").mkdir(parents=True)
    (root / "data" / "cases" / "orlova-anna.toml").write_text(CASE)
    run_git(root, "init", "-q")
    run_git(root, "add", "-A")
    run_git(root, "commit", "-qm", "cases")
    return root


def _text(root: Path) -> str:
    return (root / "data" / "cases" / "orlova-anna.toml").read_text()


def _data(root: Path) -> dict:
    return tomllib.loads(_text(root))


def _diff(old: str, new: str) -> list[str]:
    return [line for line in difflib.ndiff(old.splitlines(), new.splitlines()) if line[:1] in "+-"]


# --- set ID private.KEY ------------------------------------------------------------------


def test_set_private_key_adds_a_private_room_and_never_shows_the_value(root: Path, cli) -> None:
    done = cli("set", "orlova-anna", "private.phone", "+7 701 555 0101", "--root", root)
    assert done.exit_code == 0, done.stderr
    assert _data(root)["private"] == {"phone": "+7 701 555 0101"}
    assert _text(root).startswith(CASE)  # every line before is as it was
    assert "+7 701 555 0101" not in done.stderr
    assert "orlova-anna: private.phone: set (not sealed)" in done.stderr
    again = cli("set", "orlova-anna", "private.notes", "Via the lawyer", "--commit", "--root", root)
    assert again.exit_code == 0, again.stderr
    assert _data(root)["private"] == {"phone": "+7 701 555 0101", "notes": "Via the lawyer"}
    message = run_git(root, "log", "-1", "--format=%B")
    assert "lawyer" not in message and "555" not in message
    # The public outputs hold none of it; show's table on the user's screen does.
    assert "555" not in cli("show", "orlova-anna", "--format", "json", "--root", root).stdout
    cleared = cli("set", "orlova-anna", "private.phone", "", "--root", root)
    assert cleared.exit_code == 0 and "phone" not in _data(root)["private"]


def test_set_private_status_is_checked_and_tables_are_refused(root: Path, cli) -> None:
    typo = cli("set", "orlova-anna", "private.status", "deportd", "--root", root)
    assert typo.exit_code == 2 and "did you mean 'deported'" in typo.stderr
    assert _text(root) == CASE
    table = cli("set", "orlova-anna", "private.events", "x", "--root", root)
    assert table.exit_code == 2 and "event add ID ... --private" in table.stderr
    odd = cli("set", "orlova-anna", "private.a b", "x", "--root", root)
    assert odd.exit_code == 2 and "cannot be a key of [private]" in odd.stderr


# --- event edit / remove -----------------------------------------------------------------


def test_event_edit_changes_only_its_lines_and_prints_the_event(root: Path, cli) -> None:
    done = cli(
        "event", "edit", "orlova-anna", "2", "--date", "2025-04-17", "--place", "Almaty",
        "--note", "", "--source", "hrw", "--root", root,
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert _diff(CASE, _text(root)) == [
        '- date = "2025-04"',
        '+ date = "2025-04-17"',
        '- note = "Hearing on the extradition request"',
        '+ place = "Almaty"',
        '+ sources = ["hrw"]',
    ]
    assert "orlova-anna: now event 2:" in done.stderr
    assert '    date = "2025-04-17"' in done.stderr and '    sources = ["hrw"]' in done.stderr
    # Both comments of the event are still where they were.
    assert "# The hearing is not dated" in _text(root) and "# ask the lawyer" in _text(root)


def test_event_edit_drops_a_citation_and_refuses_what_it_cannot_do(root: Path, cli) -> None:
    dropped = cli("event", "edit", "orlova-anna", "1", "--drop-source", "hrw", "--root", root)
    assert dropped.exit_code == 0, dropped.stderr
    assert "sources" not in _data(root)["events"][0]
    for args, code, words in [
        (["9", "--note", "x"], 1, "has no event 9 (it has 2 events)"),
        (["zz", "--note", "x"], 2, "'zz' is not an event number"),
        (["1", "--date", ""], 2, "an event needs its date"),
        (["1"], 2, "nothing to change"),
        (["2", "--source", "nosuch"], 2, "E050"),
        (["2", "--drop-source", "hrw"], 2, "does not cite hrw"),
        (["1", "--type", "detentoin"], 2, "'detentoin' is not an event type"),
    ]:
        before = _text(root)
        result = cli("event", "edit", "orlova-anna", *args, "--root", root)
        assert result.exit_code == code and words in result.stderr, (args, result.stderr)
        assert _text(root) == before


def test_event_remove_takes_its_comments_and_commits(root: Path, cli) -> None:
    done = cli("event", "remove", "orlova-anna", "2", "--commit", "--root", root)
    assert done.exit_code == 0, done.stderr
    assert [e["type"] for e in _data(root)["events"]] == ["detention"]
    assert "# The hearing" not in _text(root) and "# ask the lawyer" not in _text(root)
    assert "\n\n\n" not in _text(root)
    assert "removed event 2:" in done.stderr and 'note = "Hearing' in done.stderr
    assert run_git(root, "log", "-1", "--format=%s").strip() == (
        "orlova-anna: events - 2025-04 court_ruling"
    )
    # The last event gone, so is the [[events]] table.
    first = cli("event", "remove", "orlova-anna", "1", "--root", root)
    assert first.exit_code == 0 and "events" not in _data(root)


def test_a_private_event_is_numbered_p1_and_never_printed(root: Path, cli) -> None:
    added = cli(
        "event", "add", "orlova-anna", "--date", "2025-05-02", "--type", "release",
        "--outcome", "released", "--place", "Safehouse Kapchagay", "--private", "--root", root,
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    data = _data(root)
    assert data["status"] == "detained"  # a private event never changes the status
    assert data["private"]["events"][0]["place"] == "Safehouse Kapchagay"
    assert "a private event never changes the public status" in added.stderr
    edited = cli("event", "edit", "orlova-anna", "p1", "--note", "Moved", "--root", root)
    assert edited.exit_code == 0, edited.stderr
    assert _data(root)["private"]["events"][0]["note"] == "Moved"
    assert "Kapchagay" not in edited.stderr + added.stderr and "private event p1" in edited.stderr
    removed = cli("event", "remove", "orlova-anna", "p1", "--root", root)
    assert removed.exit_code == 0 and "private" not in _data(root)
    assert _text(root) == CASE


# --- charges and sources -----------------------------------------------------------------


def test_charge_edit_cites_a_source_and_charge_remove(root: Path, cli) -> None:
    cited = cli(
        "charge", "edit", "orlova-anna", "1", "--source", "unused", "--note", "Fakes law",
        "--root", root,
    )  # fmt: skip
    assert cited.exit_code == 0, cited.stderr
    assert _data(root)["charges"][0]["sources"] == ["hrw", "unused"]
    assert _data(root)["charges"][0]["note"] == "Fakes law"
    assert "#1" in cli("show", "orlova-anna", "--root", root).stdout  # show numbers charges
    gone = cli("charge", "remove", "orlova-anna", "1", "--root", root)
    assert gone.exit_code == 0, gone.stderr
    assert "charges" not in _data(root) and 'basis = "RU-CC-207.3"' in gone.stderr


def test_source_remove_is_refused_while_cited_naming_who_cites_it(root: Path, cli) -> None:
    refused = cli("source", "remove", "orlova-anna", "hrw", "--root", root)
    assert refused.exit_code == 1
    assert "charge 1 (RU-CC-207.3)" in refused.stderr
    assert "event 1 (2025-03-01 detention -> detained (Almaty))" in refused.stderr
    assert "charge edit orlova-anna 1 --drop-source hrw" in refused.stderr
    assert _text(root) == CASE
    unused = cli("source", "remove", "orlova-anna", "unused", "--root", root)
    assert unused.exit_code == 0, unused.stderr
    assert [s["id"] for s in _data(root)["sources"]] == ["hrw"]
    missing = cli("source", "remove", "orlova-anna", "nosuch", "--root", root)
    assert missing.exit_code == 1 and "its sources: hrw" in missing.stderr


# --- item 10: the status follows the latest outcome ---------------------------------------


def _add(cli, root: Path, date: str, kind: str, outcome: str, *extra: str):
    return cli(
        "event", "add", "orlova-anna", "--date", date, "--type", kind, "--outcome", outcome,
        "--source", "hrw", *extra, "--root", root,
    )  # fmt: skip


def test_an_added_latest_outcome_updates_the_status_and_says_so(root: Path, cli) -> None:
    done = _add(cli, root, "2025-06-10", "release", "released", "--commit")
    assert done.exit_code == 0, done.stderr
    assert _data(root)["status"] == "released"
    assert "status: detained -> released" in done.stderr
    assert "the status follows this event" in done.stderr and "--keep-status" in done.stderr
    assert 'status = "released"       # since the raid' in _text(root)  # comment kept
    assert run_git(root, "log", "-1", "--format=%s").startswith(
        "orlova-anna: status detained -> released; events + 2025-06-10 release"
    )
    validate = cli("validate", "--root", root)
    assert "W102" not in validate.stdout


def test_an_older_outcome_or_keep_status_leaves_the_status(root: Path, cli) -> None:
    older = _add(cli, root, "2024-12-01", "release", "released")
    assert older.exit_code == 0 and _data(root)["status"] == "detained"
    assert "latest event with an outcome is 2025-03-01 detention (detained)" in older.stderr
    kept = _add(cli, root, "2025-07-01", "deportation", "deported", "--keep-status")
    assert kept.exit_code == 0 and _data(root)["status"] == "detained"
    assert "status kept as detained (--keep-status)" in kept.stderr


# --- remove ID ---------------------------------------------------------------------------


def test_remove_goes_through_git_and_says_how_to_bring_it_back(root: Path) -> None:
    path = root / "data" / "cases" / "orlova-anna.toml"
    asked = subprocess.run(
        [EXE, "remove", "orlova-anna", "--root", str(root)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120,
    )  # fmt: skip
    assert asked.returncode == 2 and "--yes" in asked.stderr and path.exists()
    done = subprocess.run(
        [EXE, "remove", "orlova-anna", "--yes", "--root", str(root)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not path.exists()
    assert run_git(root, "status", "--short").strip() == "D  data/cases/orlova-anna.toml"
    assert "git checkout HEAD -- data/cases/orlova-anna.toml" in done.stderr
    run_git(root, "checkout", "HEAD", "--", "data/cases/orlova-anna.toml")  # as it says
    assert path.read_text() == CASE


def test_remove_commit_can_be_reverted(root: Path, cli) -> None:
    done = cli("remove", "orlova-anna", "--yes", "--commit", "--root", root)
    assert done.exit_code == 0, done.stderr
    assert run_git(root, "log", "-1", "--format=%s").strip() == "orlova-anna: remove case"
    assert "git revert" in done.stderr
    run_git(root, "revert", "--no-edit", "HEAD")
    assert _text(root) == CASE


def test_remove_refuses_what_git_could_not_bring_back(root: Path, cli) -> None:
    path = root / "data" / "cases" / "orlova-anna.toml"
    path.write_text(CASE.replace('detained"', 'released"', 1))
    changed = cli("remove", "orlova-anna", "--yes", "--root", root)
    assert changed.exit_code == 1 and "changes that are not committed" in changed.stderr
    assert path.exists()
    fresh = cli(
        "add", "--name", "Oleg Vasin", "--status", "at_risk", "--origin", "RU", "--host", "KZ",
        "--root", root,
    )  # fmt: skip
    assert fresh.exit_code == 0
    new = cli("remove", "vasin-oleg", "--yes", "--root", root)
    assert new.exit_code == 1 and "not committed to git" in new.stderr
    forced = cli("remove", "vasin-oleg", "--yes", "--force", "--root", root)
    assert forced.exit_code == 0 and "cannot be brought back" in forced.stderr
    assert not (root / "data" / "cases" / "vasin-oleg.toml").exists()
    assert cli("remove", "nobody-here", "--yes", "--root", root).exit_code == 1


# --- the same through the library --------------------------------------------------------


def test_repository_edits_entries_events_and_removes(root: Path) -> None:
    library = Repository(root)
    library.edit_entry("orlova-anna", "events", 2, {"date": "2025-04-17"}, cite=["hrw"])
    assert library.case("orlova-anna")["events"][1]["sources"] == ["hrw"]
    result = library.add_event(
        "orlova-anna", date="2025-08-01", type="deportation", outcome="deported", sources=["hrw"]
    )
    assert result.new["status"] == "deported"
    library.add_event("orlova-anna", date="2025-09-01", type="release", outcome="released",
                      private=True)  # fmt: skip
    assert library.case("orlova-anna")["status"] == "deported"
    assert "private" not in library.case("orlova-anna")
    library.remove_entry("orlova-anna", "events", "p1")
    library.remove_entry("orlova-anna", "charges", 1)
    with pytest.raises(ExilecasesError, match="still cited by event 1"):
        library.remove_source("orlova-anna", "hrw")
    library.remove_source("orlova-anna", "unused")
    library.set("orlova-anna", "private.notes", "Via the lawyer")
    assert library.case("orlova-anna", private=True)["private"]["notes"] == "Via the lawyer"
    run_git(root, "commit", "-qam", "edits")
    removal = library.remove("orlova-anna", commit=True)
    assert removal.commit and not (root / "data" / "cases" / "orlova-anna.toml").exists()
    assert library.cases() == []
