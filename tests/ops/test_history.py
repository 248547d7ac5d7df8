"""Field-level history and diff, against real git in temporary repositories."""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from exilecases.errors import ExilecasesError
from exilecases.ops.history import (
    Change,
    case_log,
    diff_cases,
    field_changes,
    read_case_at,
    render_changes,
    render_diff,
    render_log,
    textconv,
)

CASE_V1 = """\
id = "bazhukov-semyon"
name = "Semyon Bazhukov"
aliases = ["Semen Bazhukov"]
born = "1990?"
citizenship = ["RU"]
origin_country = "RU"
host_country = "KZ"
categories = ["deserter", "mobilised"]
status = "asylum_pending"
summary = "Fled to Kazakhstan."

[[charges]]
basis = "RU-CC-338"

[[events]]
date = "2023"
type = "asylum_application"
outcome = "asylum_pending"
note = "Applied for asylum"
sources = ["src-a"]

[[sources]]
id = "src-a"
outlet = "Outlet A"

[[contacts]]
name = "Artur Alkhastov"
role = "lawyer"

[[contacts]]
name = "Secret Helper"
role = "cousin"
organisation = "Hidden Org"
private = true

[private]
notes = "SECRET-PHONE 700 000"
"""

HANDOVER = """
[[events]]
date = "2026-02-02"
type = "handover"
place = "Priozersk"
outcome = "handed_over"
sources = ["src-a"]
"""

#: Strings of private data that no output may contain.
SECRETS = ("SECRET-PHONE", "SECRET-ADDRESS", "Secret Helper", "Hidden Org", "cousin", "uncle")

OTHER_CASE = """\
id = "kasimov-kamil"
name = "Kamil Kasimov"
origin_country = "RU"
host_country = "KZ"
status = "detained"
"""


NEW_PERSON = """\
id = "new-person"
name = "Natalya Narskaya"
aliases = ["N. Narskaya"]
citizenship = ["RU"]
origin_country = "RU"
host_country = "AM"
categories = ["journalist"]
status = "at_risk"
"""


def run_git(root: Path, *args: str, date: str = "2026-01-10T09:00:00+00:00") -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    completed = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return completed.stdout


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user or system git configuration, and no repository above the temporary folder."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.setenv("LC_ALL", "C")


def init_repo(root: Path) -> Path:
    (root / "data" / "cases").mkdir(parents=True)
    run_git(root, "init", "-q")
    run_git(root, "config", "user.name", "Jane Doe")
    run_git(root, "config", "user.email", "jane@example.org")
    run_git(root, "config", "commit.gpgsign", "false")
    return root


def write(root: Path, name: str, text: str) -> Path:
    path = root / "data" / "cases" / name
    path.write_text(text, encoding="utf-8")
    return path


def commit(root: Path, message: str, date: str) -> None:
    run_git(root, "add", "-A")
    run_git(root, "commit", "-q", "-m", message, date=date)


def edit(path: Path, *replacements: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def history_repo(tmp_path: Path) -> Path:
    """Five commits: create, change status, add an event, rename (git mv), edit the renamed."""
    root = init_repo(tmp_path / "repo")
    path = write(root, "bazhukov-semyon.toml", CASE_V1)
    write(root, "kasimov-kamil.toml", OTHER_CASE)
    commit(root, "add bazhukov-semyon", "2026-01-10T09:00:00+00:00")
    edit(
        path,
        ('born = "1990?"\n', ""),
        ('"deserter", "mobilised"', '"deserter", "officer"'),
        ('status = "asylum_pending"', 'status = "handed_over"\nrisk = "Up to 15 years"'),
    )
    commit(root, "bazhukov-semyon: status asylum_pending -> handed_over", "2026-02-03T10:00:00Z")
    text = path.read_text(encoding="utf-8")
    text = text.replace("\n[[sources]]", HANDOVER + "\n[[sources]]")
    text = text.replace('role = "cousin"', 'role = "uncle"')
    text = text.replace("SECRET-PHONE 700 000", "SECRET-ADDRESS Almaty")
    path.write_text(text, encoding="utf-8")
    commit(root, "add the handover", "2026-02-04T11:30:00+05:00")
    run_git(root, "mv", "data/cases/bazhukov-semyon.toml", "data/cases/bazhukov-semen.toml")
    renamed = root / "data" / "cases" / "bazhukov-semen.toml"
    edit(renamed, ('id = "bazhukov-semyon"', 'id = "bazhukov-semen"'))
    commit(root, "rename to bazhukov-semen", "2026-02-05T12:00:00Z")
    edit(
        renamed,
        ('[[charges]]\nbasis = "RU-CC-338"\n\n', ""),
        ('note = "Applied for asylum"', 'note = "Applied for asylum in Almaty"'),
    )
    with renamed.open("a", encoding="utf-8") as stream:
        stream.write('\n[[sources]]\nid = "meduza-ro-2026-02-22"\noutlet = "Meduza"\n')
    commit(root, "more sources", "2026-02-06T08:15:00Z")
    return root


# --- field_changes ------------------------------------------------------------------------


def base() -> dict:
    return {
        "id": "x-case",
        "name": "X",
        "aliases": ["A"],
        "status": "asylum_pending",
        "events": [
            {"date": "2025-02-05?", "type": "detention", "note": "old"},
            {"date": "2026-02-02", "type": "handover", "note": "old"},
        ],
        "private": {"notes": "SECRET-PHONE"},
    }


def test_scalar_list_and_table_changes_in_canonical_order() -> None:
    old, new = base(), base()
    new["status"] = "deported"
    new["aliases"] = ["A", "Movlaev"]
    new["born"] = "1990?"
    new["risk"] = "Up to 15 years"
    new["events"][1]["note"] = "new"
    new["charges"] = [{"basis": "RU-CC-338"}]
    new["private"]["notes"] = "SECRET-ADDRESS"
    assert render_changes(field_changes(old, new)) == [
        'aliases: + "Movlaev"',
        'born: + "1990?"',
        "status: asylum_pending -> deported",
        'risk: + "Up to 15 years"',
        "charges: + RU-CC-338",
        'events[2026-02-02 handover].note: "old" -> "new"',
        "private.notes: changed",
    ]


def test_added_and_removed_entries_are_one_line_each() -> None:
    old, new = base(), base()
    del new["events"][0]
    new["events"].append(
        {"date": "2026-03-01", "type": "release", "place": "Astana", "outcome": "released"}
    )
    changes = field_changes(old, new)
    assert render_changes(changes) == [
        "events: - 2025-02-05? detention",
        "events: + 2026-03-01 release -> released (Astana)",
    ]
    assert changes[1] == Change("added", "events", new=new["events"][1])


def test_reordering_entries_is_not_a_change_but_reordering_a_list_is() -> None:
    old, new = base(), base()
    new["events"].reverse()
    assert field_changes(old, new) == []
    new["aliases"] = ["B", "A"]
    old["aliases"] = ["A", "B"]
    assert render_changes(field_changes(old, new)) == ['aliases: ["A", "B"] -> ["B", "A"]']


def test_repeated_identities_are_matched_in_order() -> None:
    old = {"events": [{"date": "2023", "type": "fled"}, {"date": "2023", "type": "fled"}]}
    new = {"events": [{"date": "2023", "type": "fled"}, {"date": "2023", "type": "fled", "x": 1}]}
    assert render_changes(field_changes(old, new)) == ["events[2023 fled #2].x: + 1"]


def test_creation_deletion_and_nothing() -> None:
    assert render_changes(field_changes(None, base())) == ["case: + x-case"]
    assert render_changes(field_changes(base(), None)) == ["case: - x-case"]
    assert field_changes(base(), base()) == []
    assert field_changes(None, None) == []


def test_long_strings_are_cut_to_one_short_line_near_the_difference() -> None:
    start = "word " * 40
    old, new = {"summary": start + "ending one\nmore"}, {"summary": start + "ending two\nmore"}
    [line] = render_changes(field_changes(old, new))
    old_shown, new_shown = line.removeprefix("summary: ").split(" -> ")
    assert "\n" not in line
    assert old_shown.startswith('"…') and "ending one more" in old_shown
    assert new_shown.startswith('"…') and "ending two more" in new_shown
    assert len(old_shown) <= 82 and len(new_shown) <= 82
    [added] = render_changes(field_changes({}, {"risk": "x" * 200}))
    assert added == 'risk: + "' + "x" * 79 + '…"'


def test_private_values_and_private_contacts_are_never_shown() -> None:
    secret = {"name": "Secret Helper", "role": "cousin", "private": True}
    old = {"contacts": [secret], "private": {"notes": "SECRET-PHONE", "old": "SECRET-PHONE"}}
    new = {
        "contacts": [{**secret, "role": "uncle"}, {**secret, "name": "SECRET-ADDRESS"}],
        "private": {"notes": "SECRET-ADDRESS", "new": "SECRET-ADDRESS"},
    }
    changes = field_changes(old, new)
    assert render_changes(changes) == [
        "contacts[private contact].role: changed",
        "contacts: + private contact",
        "private.notes: changed",
        "private.new: added",
        "private.old: removed",
    ]
    dumped = json.dumps([change.to_dict() for change in changes])
    assert not any(secret in dumped for secret in SECRETS)
    event = {"date": "2026-01-01", "type": "other", "note": "SECRET-ADDRESS", "private": "yes"}
    assert render_changes(field_changes({}, {"events": [event]})) == ["events: + private event"]
    assert "SECRET" not in textconv('[[events]]\ndate = "2026"\nnote = "SECRET"\nprivate = 1\n')


def test_change_to_dict() -> None:
    change = Change("changed", "status", "asylum_pending", "deported")
    assert change.to_dict() == {
        "kind": "changed",
        "field": "status",
        "old": "asylum_pending",
        "new": "deported",
        "note": None,
        "text": "status: asylum_pending -> deported",
    }


# --- case_log -----------------------------------------------------------------------------


def test_case_log_follows_the_rename_newest_first(history_repo: Path) -> None:
    entries = case_log(history_repo, "bazhukov-semen")
    assert [e.message for e in entries] == [
        "more sources",
        "rename to bazhukov-semen",
        "add the handover",
        "bazhukov-semyon: status asylum_pending -> handed_over",
        "add bazhukov-semyon",
    ]
    assert [render_changes(e.changes) for e in entries] == [
        [
            "charges: - RU-CC-338",
            'events[2023 asylum_application].note: "Applied for asylum" -> '
            '"Applied for asylum in Almaty"',
            "sources: + meduza-ro-2026-02-22",
        ],
        ["id: bazhukov-semyon -> bazhukov-semen"],
        [
            "events: + 2026-02-02 handover -> handed_over (Priozersk)",
            "contacts: changed (private, not shown)",
            "private: changed (private, not shown)",
        ],
        [
            "categories: - mobilised",
            "categories: + officer",
            "status: asylum_pending -> handed_over",
            'risk: + "Up to 15 years"',
            "born: changed (private, not shown)",
        ],
        ["case: + bazhukov-semyon"],
    ]
    assert [e.path for e in entries] == ["data/cases/bazhukov-semen.toml"] * 2 + [
        "data/cases/bazhukov-semyon.toml"
    ] * 3
    assert [e.old_path for e in entries] == [None, "data/cases/bazhukov-semyon.toml"] + [None] * 3
    assert entries[3].date == "2026-02-03 10:00"
    assert entries[2].date == "2026-02-04 11:30"  # the author's own clock
    assert entries[3].author == "Jane Doe"
    full = run_git(history_repo, "rev-parse", "HEAD~1").strip()
    assert len(entries[1].commit) >= 7 and full.startswith(entries[1].commit)


def test_case_log_of_the_old_name_stops_at_the_rename(history_repo: Path) -> None:
    entries = case_log(history_repo, "bazhukov-semyon")
    assert entries[0].message == "rename to bazhukov-semen"
    assert [e.message for e in entries][-1] == "add bazhukov-semyon"


def test_render_log_and_to_dict_hide_private_data(history_repo: Path) -> None:
    entries = case_log(history_repo, "bazhukov-semen")
    text = render_log(entries)
    assert text.splitlines()[:5] == [
        f"commit {entries[0].commit}  2026-02-06 08:15  Jane Doe",
        "    more sources",
        "    charges: - RU-CC-338",
        '    events[2023 asylum_application].note: "Applied for asylum" -> '
        '"Applied for asylum in Almaty"',
        "    sources: + meduza-ro-2026-02-22",
    ]
    assert "    renamed from data/cases/bazhukov-semyon.toml to data/cases/bazhukov-semen.toml" in (
        text.splitlines()
    )
    dumped = json.dumps([entry.to_dict() for entry in entries])
    assert json.loads(dumped)[2]["changes"][2]["text"] == "private: changed (private, not shown)"
    for output in (text, dumped):
        assert not any(secret in output for secret in SECRETS)


def test_case_log_errors(tmp_path: Path, history_repo: Path) -> None:
    plain = tmp_path / "plain"
    (plain / "data" / "cases").mkdir(parents=True)
    with pytest.raises(ExilecasesError, match="is not a git repository: log and diff"):
        case_log(plain, "bazhukov-semyon")
    with pytest.raises(ExilecasesError, match=r"no commits touch data/cases/nobody-here\.toml"):
        case_log(history_repo, "nobody-here")
    empty = init_repo(tmp_path / "empty")
    write(empty, "new-case.toml", OTHER_CASE)
    with pytest.raises(ExilecasesError, match="commit it first"):
        case_log(empty, "new-case")
    with pytest.raises(ExilecasesError, match="is not a case id"):
        case_log(history_repo, "../etc")


# --- diff_cases ---------------------------------------------------------------------------


def test_diff_working_tree_against_head(history_repo: Path) -> None:
    edit(
        history_repo / "data" / "cases" / "bazhukov-semen.toml",
        ('status = "handed_over"', 'status = "deported"'),
    )
    write(history_repo, "new-person.toml", NEW_PERSON)
    (history_repo / "data" / "cases" / "kasimov-kamil.toml").unlink()
    (history_repo / "data" / "cases" / "notes.txt").write_text("not a case")
    diffs = diff_cases(history_repo)
    assert [(d.path, d.case_id, d.state, render_changes(d.changes)) for d in diffs] == [
        (
            "data/cases/bazhukov-semen.toml",
            "bazhukov-semen",
            "changed",
            ["status: handed_over -> deported"],
        ),
        ("data/cases/kasimov-kamil.toml", "kasimov-kamil", "removed", ["case: - kasimov-kamil"]),
        ("data/cases/new-person.toml", "new-person", "added", ["case: + new-person"]),
    ]
    assert render_diff(diffs).splitlines()[:2] == [
        "data/cases/bazhukov-semen.toml (changed)",
        "    status: handed_over -> deported",
    ]


def test_diff_between_two_revisions_and_one_revision(history_repo: Path) -> None:
    [renamed] = diff_cases(history_repo, "HEAD~2", "HEAD~1")
    assert renamed.to_dict() == {
        "path": "data/cases/bazhukov-semen.toml",
        "case_id": "bazhukov-semen",
        "state": "renamed",
        "old_path": "data/cases/bazhukov-semyon.toml",
        "changes": [Change("changed", "id", "bazhukov-semyon", "bazhukov-semen").to_dict()],
    }
    [status] = diff_cases(history_repo, "HEAD~4", "HEAD~3")
    assert (status.state, status.changes[-2].format()) == ("changed", 'risk: + "Up to 15 years"')
    assert status.changes[-1].format() == "born: changed (private, not shown)"
    [since] = diff_cases(history_repo, "HEAD~1")
    assert since.state == "changed" and len(since.changes) == 3
    assert diff_cases(history_repo) == []
    assert diff_cases(history_repo, "HEAD", "HEAD") == []


def test_diff_of_a_staged_and_an_unstaged_rename(history_repo: Path) -> None:
    cases = history_repo / "data" / "cases"
    run_git(history_repo, "mv", "data/cases/kasimov-kamil.toml", "data/cases/kasimov-k.toml")
    (cases / "bazhukov-semen.toml").rename(cases / "bazhukov-s.toml")
    edit(cases / "bazhukov-s.toml", ('id = "bazhukov-semen"', 'id = "bazhukov-s"'))
    diffs = diff_cases(history_repo)
    assert [(d.path, d.state, d.old_path, render_changes(d.changes)) for d in diffs] == [
        (
            "data/cases/bazhukov-s.toml",
            "renamed",
            "data/cases/bazhukov-semen.toml",
            ["id: bazhukov-semen -> bazhukov-s"],
        ),
        ("data/cases/kasimov-k.toml", "renamed", "data/cases/kasimov-kamil.toml", []),
    ]
    assert "data/cases/kasimov-k.toml (renamed from data/cases/kasimov-kamil.toml)\n" in (
        render_diff(diffs)
    )


def test_diff_in_a_repository_without_commits(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "fresh")
    write(root, "kasimov-kamil.toml", OTHER_CASE)
    [diff] = diff_cases(root)
    assert (diff.state, render_changes(diff.changes)) == ("added", ["case: + kasimov-kamil"])
    with pytest.raises(ExilecasesError, match="no commits yet"):
        diff_cases(root, "HEAD")


def test_diff_errors(tmp_path: Path, history_repo: Path) -> None:
    with pytest.raises(ExilecasesError, match=r"unknown revision 'nosuch'.*bad revision"):
        diff_cases(history_repo, "nosuch")
    with pytest.raises(ExilecasesError, match="unknown revision 'HEAD~99'"):
        diff_cases(history_repo, "HEAD", "HEAD~99")
    with pytest.raises(ExilecasesError, match="is not a revision"):
        diff_cases(history_repo, "--output=/tmp/x")
    plain = tmp_path / "plain"
    (plain / "data" / "cases").mkdir(parents=True)
    with pytest.raises(ExilecasesError, match=r"not a git repository.*`git init`"):
        diff_cases(plain)


def test_diff_hides_private_data(history_repo: Path) -> None:
    diffs = diff_cases(history_repo, "HEAD~4")
    outputs = [render_diff(diffs), json.dumps([d.to_dict() for d in diffs])]
    assert "    private: changed (private, not shown)" in outputs[0].splitlines()
    for output in outputs:
        assert not any(secret in output for secret in SECRETS)


def test_a_commit_that_changes_no_field(history_repo: Path) -> None:
    path = history_repo / "data" / "cases" / "kasimov-kamil.toml"
    path.write_text(OTHER_CASE.replace('status = "detained"', 'status = "detained"  # sure'))
    commit(history_repo, "comment", "2026-03-01T00:00:00Z")
    path.unlink()
    commit(history_repo, "delete kasimov-kamil", "2026-03-02T00:00:00Z")
    entries = case_log(history_repo, "kasimov-kamil")
    assert [(e.message, render_changes(e.changes)) for e in entries] == [
        ("delete kasimov-kamil", ["case: - kasimov-kamil"]),
        ("comment", []),
        ("add bazhukov-semyon", ["case: + kasimov-kamil"]),
    ]
    assert "    comment\n    (no field changed: formatting or comments only)" in render_log(entries)


def test_a_link_out_of_the_cases_folder_is_not_read(history_repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text('id = "leak"\nname = "SECRET-ADDRESS"\n')
    (history_repo / "data" / "cases" / "leak.toml").symlink_to(outside)
    assert read_case_at(history_repo, None, "data/cases/leak.toml") is None
    [diff] = [d for d in diff_cases(history_repo) if d.case_id == "leak"]
    assert render_changes(diff.changes) == ["case: + (unreadable at the working tree)"]


def test_diff_of_an_unreadable_version(history_repo: Path) -> None:
    write(history_repo, "bazhukov-semen.toml", 'id = "bazhukov-semen"\nstatus = [\n')
    [diff] = diff_cases(history_repo)
    assert render_changes(diff.changes) == [
        "case: unreadable at the working tree; no field changes shown"
    ]


# --- read_case_at -------------------------------------------------------------------------


def test_read_case_at_revisions_and_the_working_tree(history_repo: Path) -> None:
    old = read_case_at(history_repo, "HEAD~4", "data/cases/bazhukov-semyon.toml")
    assert old is not None and old["status"] == "asylum_pending" and old["born"] == "1990?"
    assert read_case_at(history_repo, None, "data/cases/bazhukov-semen.toml")["events"][1][
        "type"
    ] == ("handover")
    with pytest.raises(ExilecasesError, match="does not exist"):
        read_case_at(history_repo, "HEAD", "data/cases/bazhukov-semyon.toml")
    with pytest.raises(ExilecasesError, match="is not the path of a case file"):
        read_case_at(history_repo, None, "data/cases/../../outside.toml")


def test_read_case_at_falls_back_to_raw_toml_then_none(history_repo: Path) -> None:
    path = write(history_repo, "broken.toml", 'id = "broken"\nstatus = 5\nborn = 1990-01-02\n')
    assert read_case_at(history_repo, None, "data/cases/broken.toml") == {
        "id": "broken",
        "status": 5,
        "born": "1990-01-02",
    }
    path.write_text('id = "broken"\nstatus = \n')
    assert read_case_at(history_repo, None, "data/cases/broken.toml") is None
    path.write_bytes(b'id = "\xff"\n')
    assert read_case_at(history_repo, None, "data/cases/broken.toml") is None


def test_a_case_repository_in_a_subfolder_of_the_git_repository(tmp_path: Path) -> None:
    top = init_repo(tmp_path / "top")
    root = top / "cases-repo"
    (root / "data" / "cases").mkdir(parents=True)
    path = write(root, "kasimov-kamil.toml", OTHER_CASE)
    run_git(top, "add", "-A")
    run_git(top, "commit", "-q", "-m", "first")
    edit(path, ('status = "detained"', 'status = "released"'))
    run_git(top, "commit", "-q", "-am", "released")
    entries = case_log(root, "kasimov-kamil")
    assert [(e.path, render_changes(e.changes)) for e in entries] == [
        ("data/cases/kasimov-kamil.toml", ["status: detained -> released"]),
        ("data/cases/kasimov-kamil.toml", ["case: + kasimov-kamil"]),
    ]
    [diff] = diff_cases(root, "HEAD~1", "HEAD")
    assert diff.path == "data/cases/kasimov-kamil.toml"


# --- textconv -----------------------------------------------------------------------------


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    diff = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0))
    body = [line for line in diff if not line.startswith(("---", "+++", "@@"))]
    return [line[1:] for line in body if line[0] == "-"], [
        line[1:] for line in body if line[0] == "+"
    ]


def test_textconv_is_one_line_per_field() -> None:
    lines = textconv(CASE_V1).splitlines()
    assert lines[:4] == [
        "id = bazhukov-semyon",
        "name = Semyon Bazhukov",
        "aliases = Semen Bazhukov",
        "citizenship = RU",
    ]
    assert "events[2023 asylum_application].outcome = asylum_pending" in lines
    assert "events[2023 asylum_application].sources = src-a" in lines
    assert "charges[RU-CC-338]" in lines
    assert lines[-5:] == [
        "contacts[Artur Alkhastov]",
        "contacts[Artur Alkhastov].role = lawyer",
        "born = (hidden)",
        "contacts (private part) = (hidden)",
        "private = (hidden)",
    ]
    assert "1990" not in "\n".join(lines)
    assert not any(secret in "\n".join(lines) for secret in SECRETS)


def test_textconv_of_two_versions_differs_in_the_changed_fields_only() -> None:
    new = CASE_V1.replace('status = "asylum_pending"', 'status = "deported"')
    new = new.replace('note = "Applied for asylum"', 'note = "Applied"')
    new = new.replace('summary = "Fled to Kazakhstan."', 'summary = """\nFled.\nThen caught.\n"""')
    new = new.replace("SECRET-PHONE 700 000", "SECRET-ADDRESS")
    new += HANDOVER
    removed, added = changed_lines(textconv(CASE_V1), textconv(new))
    assert removed == [
        "status = asylum_pending",
        "summary = Fled to Kazakhstan.",
        "events[2023 asylum_application].note = Applied for asylum",
    ]
    assert added == [
        "status = deported",
        "summary = Fled.",
        "summary | Then caught.",
        "events[2023 asylum_application].note = Applied",
        "events[2026-02-02 handover]",
        "events[2026-02-02 handover].place = Priozersk",
        "events[2026-02-02 handover].outcome = handed_over",
        "events[2026-02-02 handover].sources = src-a",
    ]


def test_textconv_returns_text_that_is_not_toml_unchanged() -> None:
    broken = 'id = "x"\n<<<<<<< HEAD\nstatus = "a"\n'
    assert textconv(broken) == broken


def test_git_diff_through_the_textconv_driver(history_repo: Path, tmp_path: Path) -> None:
    driver = tmp_path / "driver.py"
    driver.write_text(
        "import sys\nfrom pathlib import Path\nfrom exilecases.ops.history import textconv_file\n"
        "sys.stdout.write(textconv_file(Path(sys.argv[1])))\n"
    )
    (history_repo / ".gitattributes").write_text("data/cases/*.toml diff=exilecases\n")
    run_git(history_repo, "config", "diff.exilecases.textconv", f'"{sys.executable}" "{driver}"')
    output = run_git(history_repo, "diff", "HEAD~4", "HEAD~3", "--", "data/cases/")
    body = [line for line in output.splitlines() if line[:1] in "+-" and line[:3] not in "+++---"]
    assert body == [
        "-categories = deserter; mobilised",
        "-status = asylum_pending",
        "+categories = deserter; officer",
        "+status = handed_over",
        "+risk = Up to 15 years",
        "-born = (hidden)",
    ]
    hidden = run_git(history_repo, "diff", "HEAD~3", "HEAD~2", "--", "data/cases/")
    assert "+events[2026-02-02 handover].outcome = handed_over" in hidden.splitlines()
    assert not any(secret in hidden for secret in SECRETS)
