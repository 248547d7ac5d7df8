"""Editing case files through the tool: only the lines of the edit change, comments stay."""

from __future__ import annotations

import difflib
import tomllib

import pytest

from exilecases.errors import ExilecasesError
from exilecases.ops.edit import add_entry, changed_lines, set_field

#: data/cases/korobov-evgenij.toml (shortened notes) with comments of every placement and a
#: [private] table added.
COMMENTED = '''\
# Case opened by the Astana desk; keep in step with the lawyer.

id = "korobov-evgenij"                # = file name without .toml
name = "Evgenij Korobov"
# A Russian passport; no other citizenship is known.
citizenship = ["RU"]
origin_country = "RU"
host_country = "KZ"
categories = [
    "deserter",  # left the front
    "officer",
]
status = "asylum_denied"              # since the court ruling
risk = "Up to 15 years' imprisonment if deported"  # art. 338
summary = """
Senior lieutenant and career officer. He fled to Kazakhstan
at the end of 2022.
"""

# One outlet only reports the charge.
[[charges]]                           # legal bases used against the person
basis = "RU-CC-338"
note = "Criminal case for desertion opened in Russia"
sources = ["vottak-it"]

[[events]]
date = "2022~"                        # "alla fine del 2022"
type = "fled"
sources = ["vottak-it"]

[[events]]
date = "2025-02-05?"                  # 2025 inferred
type = "court_ruling"
place = "Astana"
outcome = "asylum_denied"
sources = ["vottak-it"]
# The appeal is not dated yet.

[[sources]]
id = "vottak-it"
outlet = "Italian news report, citing Vot Tak"
language = "it"
confidence = "high"

[[contacts]]
name = "Artur Alkhastov"
role = "lawyer"

# Never published.
[private]
notes = "Reach him only through the lawyer"
# end of file
'''


def _changes(old: str, new: str) -> list[tuple[str, list[str], list[str]]]:
    """The differing blocks: (tag, old lines, new lines)."""
    a, b = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [
        (tag, a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    ]


def _comments(text: str) -> list[str]:
    return [line[line.index("#") :] for line in text.splitlines() if "# " in line]


def _without(text: str, table: str) -> str:
    """The text without the blocks of one table (header to the next blank line)."""
    blocks = text.split("\n\n")
    return "\n\n".join(block for block in blocks if f"[{table}]" not in block)


# --- set_field ---------------------------------------------------------------------------


def test_set_status_changes_exactly_one_line_and_keeps_its_comment() -> None:
    new = set_field(COMMENTED, "status", ["released"])
    assert _changes(COMMENTED, new) == [
        (
            "replace",
            ['status = "asylum_denied"              # since the court ruling'],
            ['status = "released"                   # since the court ruling'],
        )
    ]
    assert changed_lines(COMMENTED, new) == 1
    assert tomllib.loads(new)["status"] == "released"


def test_set_keeps_a_two_space_comment_as_written() -> None:
    text = 'id = "a-b-c"\nstatus = "detained"  # since May\n'
    assert set_field(text, "status", ["released"]) == (
        'id = "a-b-c"\nstatus = "released"  # since May\n'
    )


def test_set_same_value_changes_nothing() -> None:
    assert set_field(COMMENTED, "status", ["asylum_denied"]) == COMMENTED


def test_set_replaces_a_multi_line_string() -> None:
    new = set_field(COMMENTED, "summary", ["First line.\nSecond line."])
    assert tomllib.loads(new)["summary"] == "First line.\nSecond line."
    assert _changes(COMMENTED, new) == [
        (
            "replace",
            [
                "Senior lieutenant and career officer. He fled to Kazakhstan",
                "at the end of 2022.",
                '"""',
            ],
            ["First line.", 'Second line."""'],
        )
    ]


def test_list_add_appends_only_new_values() -> None:
    new = set_field(COMMENTED, "citizenship", ["UA", "RU"], add=True)
    assert _changes(COMMENTED, new) == [
        ("replace", ['citizenship = ["RU"]'], ['citizenship = ["RU", "UA"]'])
    ]
    assert set_field(COMMENTED, "citizenship", ["RU"], add=True) == COMMENTED


def test_list_remove_keeps_the_comments_inside_the_array() -> None:
    new = set_field(COMMENTED, "categories", ["officer"], remove=True)
    assert tomllib.loads(new)["categories"] == ["deserter"]
    assert _changes(COMMENTED, new) == [
        (
            "replace",
            ["categories = [", '    "deserter",  # left the front', '    "officer",', "]"],
            ["# left the front", 'categories = ["deserter"]'],
        )
    ]


def test_list_set_replaces_the_whole_list() -> None:
    new = set_field(COMMENTED, "citizenship", ["RU", "UA"])
    assert tomllib.loads(new)["citizenship"] == ["RU", "UA"]
    assert changed_lines(COMMENTED, new) == 1


def test_list_emptied_removes_the_field() -> None:
    new = set_field(COMMENTED, "citizenship", ["RU"], remove=True)
    assert "citizenship" not in tomllib.loads(new)
    assert _changes(COMMENTED, new) == [("delete", ['citizenship = ["RU"]'], [])]


def test_new_list_field_lands_after_the_nearest_preceding_key() -> None:
    new = set_field(COMMENTED, "aliases", ["Yevgeny Korobov"])
    assert _changes(COMMENTED, new) == [("insert", [], ['aliases = ["Yevgeny Korobov"]'])]
    lines = new.splitlines()
    assert lines[lines.index('aliases = ["Yevgeny Korobov"]') - 1] == 'name = "Evgenij Korobov"'


def test_new_optional_field_lands_at_its_canonical_position() -> None:
    new = set_field(COMMENTED, "born", ["1990?"])
    lines = new.splitlines()
    born = lines.index('born = "1990?"')
    assert lines[born - 1] == 'name = "Evgenij Korobov"'
    assert lines[born + 1] == "# A Russian passport; no other citizenship is known."
    assert changed_lines(COMMENTED, new) == 1
    with_alias = set_field(new, "name_original", ["Евгений Коробов"])
    lines = with_alias.splitlines()
    assert lines[lines.index('name_original = "Евгений Коробов"') + 1] == 'born = "1990?"'
    last = set_field(COMMENTED, "distinct_from", ["korobov-evgenij-2"])
    lines = last.splitlines()
    assert lines[lines.index('distinct_from = ["korobov-evgenij-2"]') - 1] == '"""'


def test_empty_value_removes_an_optional_field_and_keeps_its_comment() -> None:
    new = set_field(COMMENTED, "risk", [""])
    assert "risk" not in tomllib.loads(new)
    assert _changes(COMMENTED, new) == [
        (
            "replace",
            ['risk = "Up to 15 years\' imprisonment if deported"  # art. 338'],
            ["# art. 338"],
        )
    ]
    assert set_field(COMMENTED, "born", [""]) == COMMENTED


def test_set_keeps_windows_line_endings() -> None:
    text = COMMENTED.replace("\n", "\r\n")
    new = set_field(text, "status", ["released"])
    assert new == set_field(COMMENTED, "status", ["released"]).replace("\n", "\r\n")
    added = set_field(text, "born", ["1990"])
    assert "\n" not in added.replace("\r\n", "")


@pytest.mark.parametrize(
    ("field", "values", "options", "message"),
    [
        ("nickname", ["x"], {}, "unknown field"),
        ("events", ["x"], {}, "is a table"),
        ("charges", ["x"], {}, "is a table"),
        ("sources", ["x"], {}, "is a table"),
        ("contacts", ["x"], {}, "is a table"),
        ("private", ["x"], {}, "is a table"),
        ("status", ["released", "detained"], {}, "holds one value, got 2"),
        ("status", [], {}, "holds one value, got 0"),
        ("status", ["released"], {"add": True}, "--add and --remove"),
        ("risk", ["x"], {"remove": True}, "--add and --remove"),
        ("aliases", ["x"], {"add": True, "remove": True}, "not both"),
        ("id", ["korobov-evgenij-2"], {}, "rename the file"),
        ("status", [""], {}, "required"),
    ],
)
def test_refusals(field: str, values: list[str], options: dict[str, bool], message: str) -> None:
    with pytest.raises(ExilecasesError) as raised:
        set_field(COMMENTED, field, values, **options)
    assert raised.value.exit_code == 2
    assert message in raised.value.message


def test_invalid_toml_is_refused() -> None:
    with pytest.raises(ExilecasesError, match="not valid TOML"):
        set_field('id = "x"\nstatus = \n', "status", ["released"])


# --- add_entry ---------------------------------------------------------------------------


def _inserted(old: str, new: str) -> list[str]:
    """The lines an edit inserted; fails when it changed or removed any line."""
    changes = _changes(old, new)
    assert [tag for tag, _, _ in changes] == ["insert"]
    return changes[0][2]


def test_add_event_after_the_last_event_and_its_comment() -> None:
    event = {"date": "2025-03", "type": "appeal", "note": "Filed", "sources": ["vottak-it"]}
    new = add_entry(COMMENTED, "events", event)
    lines = new.splitlines()
    start = lines.index('date = "2025-03"') - 1
    assert lines[start - 2 : start + 6] == [
        "# The appeal is not dated yet.",
        "",
        "[[events]]",
        'date = "2025-03"',
        'type = "appeal"',
        'note = "Filed"',
        'sources = ["vottak-it"]',
        "",
    ]
    assert lines[start + 6] == "[[sources]]"
    assert len(_inserted(COMMENTED, new)) == 6
    assert tomllib.loads(new)["events"][-1] == event
    assert tomllib.loads(new)["events"][:-1] == tomllib.loads(COMMENTED)["events"]


def test_add_event_keeps_the_order_of_the_timeline() -> None:
    new = add_entry(COMMENTED, "events", {"type": "fled", "date": "2020"})
    assert [e["date"] for e in tomllib.loads(new)["events"]] == ["2022~", "2025-02-05?", "2020"]
    assert 'date = "2020"\ntype = "fled"\n' in new


def test_add_charge_to_a_file_without_charges_lands_before_the_events() -> None:
    text = _without(COMMENTED, "[charges]")
    assert "[[charges]]" not in text and "[[events]]" in text
    new = add_entry(text, "charges", {"note": "Wanted", "basis": "RU-CC-328"})
    block = '[[charges]]\nbasis = "RU-CC-328"\nnote = "Wanted"\n\n'
    assert new == text.replace('"""\n\n[[events]]', f'"""\n\n{block}[[events]]')
    assert len(_inserted(text, new)) == 4
    assert tomllib.loads(new)["charges"] == [{"basis": "RU-CC-328", "note": "Wanted"}]


def test_add_charge_goes_above_the_comment_of_the_next_table() -> None:
    text = COMMENTED.replace("\n[[events]]\n", "\n# the timeline\n[[events]]\n", 1)
    text = _without(text, "[charges]")
    new = add_entry(text, "charges", {"basis": "RU-CC-328"})
    assert '[[charges]]\nbasis = "RU-CC-328"\n\n# the timeline\n[[events]]\n' in new


def test_add_source_after_the_last_source() -> None:
    source = {
        "id": "meduza",
        "url": "https://example.org/a",
        "outlet": "Meduza",
        "published": "2026-02-22",
        "confidence": "medium",
    }
    new = add_entry(COMMENTED, "sources", source)
    assert _inserted(COMMENTED, new) == [
        "[[sources]]",
        'id = "meduza"',
        'outlet = "Meduza"',
        'url = "https://example.org/a"',
        'published = "2026-02-22"',
        'confidence = "medium"',
        "",
    ]
    assert new.index('id = "meduza"') < new.index("[[contacts]]")
    assert tomllib.loads(new)["sources"][-1] == source


def test_add_contact_before_private() -> None:
    text = _without(COMMENTED, "[contacts]")
    assert "[[contacts]]" not in text
    new = add_entry(text, "contacts", {"name": "Irina", "private": True, "role": "relative"})
    assert _inserted(text, new) == [
        "[[contacts]]",
        'name = "Irina"',
        'role = "relative"',
        "private = true",
        "",
    ]
    assert new.index("[[contacts]]") < new.index("# Never published.") < new.index("[private]")
    assert new.endswith("# end of file\n")
    with_contacts = add_entry(COMMENTED, "contacts", {"name": "Irina"})
    assert with_contacts.index('name = "Irina"') < with_contacts.index("[private]")
    assert tomllib.loads(with_contacts)["contacts"][-1] == {"name": "Irina"}


def test_add_entry_at_the_end_keeps_the_end_comment_last() -> None:
    text = 'id = "a-b-c"\nstatus = "x"\n\n[[events]]\ndate = "2024"\ntype = "fled"\n\n# end\n'
    new = add_entry(text, "events", {"date": "2025", "type": "arrival"})
    assert new.endswith('type = "arrival"\n\n# end\n')
    first = add_entry('id = "a-b-c"\nstatus = "x"\n', "sources", {"id": "s"})
    assert first == 'id = "a-b-c"\nstatus = "x"\n\n[[sources]]\nid = "s"\n'


def test_add_entry_leaves_none_values_out_and_keeps_comments() -> None:
    new = add_entry(COMMENTED, "events", {"date": "2026", "type": "other", "place": None})
    assert tomllib.loads(new)["events"][-1] == {"date": "2026", "type": "other"}
    assert _comments(new) == _comments(COMMENTED)


@pytest.mark.parametrize(
    ("table", "entry", "message"),
    [
        ("private", {"notes": "x"}, "cannot add an entry"),
        ("witnesses", {"name": "x"}, "cannot add an entry"),
        ("events", {"date": "2024"}, "needs type"),
        ("charges", {"note": "x"}, "needs basis"),
        ("sources", {}, "needs id"),
        ("contacts", {"role": "lawyer"}, "needs name"),
    ],
)
def test_add_entry_refusals(table: str, entry: dict[str, str], message: str) -> None:
    with pytest.raises(ExilecasesError) as raised:
        add_entry(COMMENTED, table, entry)
    assert raised.value.exit_code == 2
    assert message in raised.value.message


def test_add_entry_refuses_an_inline_array() -> None:
    text = 'id = "a-b-c"\nevents = [{date = "2024", type = "fled"}]\n'
    with pytest.raises(ExilecasesError, match="inline array"):
        add_entry(text, "events", {"date": "2025", "type": "arrival"})


def test_changed_lines() -> None:
    assert changed_lines("a\nb\nc\n", "a\nb\nc\n") == 0
    assert changed_lines("a\nb\nc\n", "a\nB\nc\n") == 1
    assert changed_lines("a\nb\nc\n", "a\nc\n") == 1
    assert changed_lines("a\nb\n", "a\nx\ny\nz\n") == 3
