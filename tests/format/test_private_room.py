"""The private room: the public view, the format-1 migration, redaction paths checked."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from exilecases.format.migrate import migrate_private
from exilecases.format.privacy import (
    check_private_paths,
    private_part,
    private_view,
    public_view,
)
from exilecases.format.vocabulary import default_vocabulary
from exilecases.ops.edit import migrate_and_format
from exilecases.ops.validate import check_file

FORMAT_1 = """id = "x-case"
name = "X"
origin_country = "RU"
host_country = "KZ"
status = "detained"

[[events]]
date = "2024"
type = "arrival"
sources = ["open", "hidden"]

# a secret relocation
[[events]]
date = "2025"
type = "departure"
outcome = "left_country"
private = true

[[events]]
date = "2024-05"
type = "detention"  # the public one
outcome = "detained"
sources = ["open"]

[[sources]]
id = "open"

[[sources]]
id = "hidden"
private = true

[[contacts]]
name = "Sister"
private = true

[private]
notes = "n"
"""


def same_public_view(a: dict, b: dict) -> bool:
    """Equal public views, an empty table counting as none."""

    def shown(case: dict) -> dict:
        return {k: v for k, v in public_view(case).items() if v != []}

    return shown(a) == shown(b)


def test_the_public_view_leaves_out_the_room_and_its_sub_tables() -> None:
    case = {
        "id": "a-b",
        "name": "A",
        "status": "detained",
        "events": [{"date": "2024", "type": "arrival", "sources": ["s", "room-src"]}],
        "private": {
            "status": "left_country",
            "events": [{"date": "2029", "type": "departure"}],
            "sources": [{"id": "room-src"}],
        },
    }
    public = public_view(case)
    assert public == {
        "id": "a-b",
        "name": "A",
        "status": "detained",
        "events": [{"date": "2024", "type": "arrival", "sources": ["s"]}],
    }
    # The citation of a private source is private too.
    assert private_part(case) == {
        "events": {"entries": [], "fields": [{"sources": ["s", "room-src"]}]},
        "private": case["private"],
    }
    assert private_view(case)["status"] == "left_country"
    assert [e["date"] for e in private_view(case)["events"]] == ["2024", "2029"]


def test_the_id_is_never_redacted() -> None:
    case = {"id": "a-b", "name": "A", "private_fields": ["id", "name"]}
    assert public_view(case) == {"id": "a-b"}


def test_private_part_says_which_fields_hold_private_data() -> None:
    base = {"id": "a-b", "events": [{"date": "2024", "type": "arrival", "place": "P"}]}
    vocabulary = default_vocabulary()
    vocabulary.private_fields = ["events.place"]
    moved = copy.deepcopy(base)
    moved["events"][0]["place"] = "Q"
    assert private_part(base, vocabulary) != private_part(moved, vocabulary)
    noted = copy.deepcopy(base)
    noted["events"][0]["note"] = "public"
    assert private_part(base, vocabulary) == private_part(noted, vocabulary)


def test_redaction_paths_are_checked_against_the_schema() -> None:
    problems = check_private_paths(["risk", "event.place", "events.place", "phone", "id", 3])
    assert [position for position, _ in problems] == [1, 4, 5]
    assert "did you mean 'events.place'?" in problems[0][1]
    assert "cannot be private" in problems[1][1]


def test_a_case_with_a_mistyped_path_is_an_error_at_its_line() -> None:
    text = 'id = "x-case"\nname = "X"\nprivate_fields = ["event.place"]\n'
    text += 'origin_country = "RU"\nhost_country = "KZ"\nstatus = "detained"\n'
    check = check_file(text.encode(), "x-case.toml", "x-case", default_vocabulary())
    (found,) = [f for f in check.findings if f.code == "E061"]
    assert (found.line, found.severity) == (3, "error")
    assert "'events.place'" in found.message
    assert not check.ok


def test_w102_and_the_sources_look_at_the_room_correctly() -> None:
    check = check_file(FORMAT_1.encode(), "x-case.toml", "x-case", default_vocabulary())
    assert check.ok and check.findings == []  # the private departure does not count
    migrated, _ = migrate_and_format(FORMAT_1)
    again = check_file(migrated.encode(), "x-case.toml", "x-case", default_vocabulary())
    assert again.ok and again.findings == []  # "hidden" is defined in [[private.sources]]


def test_the_migration_moves_marked_entries_into_the_room() -> None:
    data = tomllib.loads(FORMAT_1)
    before = copy.deepcopy(data)
    result = migrate_private(data)
    assert data == before
    new = result.data
    assert [e["date"] for e in new["events"]] == ["2024", "2024-05"]
    assert new["private"]["events"] == [
        {"date": "2025", "type": "departure", "outcome": "left_country"}
    ]
    assert new["private"]["sources"] == [{"id": "hidden"}]
    assert new["private"]["contacts"] == [{"name": "Sister"}]
    assert "contacts" not in new
    assert new["private"]["notes"] == "n"
    assert result.messages == [
        "moved 1 event marked private = true from [[events]] to [[private.events]]",
        "moved 1 source marked private = true from [[sources]] to [[private.sources]]",
        "moved 1 contact marked private = true from [[contacts]] to [[private.contacts]]",
    ]
    assert same_public_view(new, data)
    assert migrate_private(new).messages == []


def test_the_migrated_text_keeps_comments_with_their_entries() -> None:
    text, messages = migrate_and_format(FORMAT_1)
    assert len(messages) == 3
    lines = text.splitlines()
    assert lines[lines.index("[[private.events]]") - 1] == "# a secret relocation"
    assert 'type = "detention"  # the public one' in lines
    assert migrate_and_format(text) == (text, [])


def test_the_migration_leaves_wrong_shapes_alone() -> None:
    for room in ("a text", {"events": "not a table"}):
        data = {"id": "a-b", "events": [{"date": "2024", "private": True}], "private": room}
        result = migrate_private(data)
        assert result.data["events"] == data["events"] and result.messages == []


_ENTRY = st.fixed_dictionaries(
    {"date": st.sampled_from(["2024", "2025-01"]), "type": st.sampled_from(["fled", "other"])},
    optional={"private": st.sampled_from([True, False, "yes"]), "note": st.text(max_size=5)},
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(_ENTRY, max_size=5),
    st.lists(
        st.fixed_dictionaries(
            {"name": st.text(min_size=1, max_size=5)}, optional={"private": st.booleans()}
        ),
        max_size=4,
    ),
)
def test_the_migration_keeps_every_entry_and_the_public_view(events, contacts) -> None:
    data = {"id": "a-b", "events": events, "contacts": contacts}
    result = migrate_private(data)
    assert same_public_view(result.data, data)
    room = result.data.get("private", {})
    for table, entries in (("events", events), ("contacts", contacts)):
        kept = result.data.get(table, []) + room.get(table, [])
        assert len(kept) == len(entries)
        assert all(not e.get("private") for e in room.get(table, []))


def test_fmt_migrates_and_says_what_moved(tmp_path: Path, cli) -> None:
    cases = tmp_path / "data" / "cases"
    cases.mkdir(parents=True)
    (cases / "x-case.toml").write_text(FORMAT_1)
    result = cli("fmt", "--root", tmp_path)
    assert result.exit_code == 0
    assert (
        "data/cases/x-case.toml: moved 1 contact marked private = true from [[contacts]] to "
        "[[private.contacts]]"
    ) in result.stderr.splitlines()
    assert "Sister" not in result.stderr
    assert "[[private.contacts]]" in (cases / "x-case.toml").read_text()
    assert cli("fmt", "--check", "--root", tmp_path).exit_code == 0
    assert cli("validate", "--root", tmp_path).exit_code == 0
