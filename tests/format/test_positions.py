"""Line and column of keys and tables, so findings point at the right line."""

from __future__ import annotations

from exilecases.format.positions import KeyPositions

TEXT = '''# a comment with = sign
id = "x"
summary = """
status = "not a key: inside a string"
"""
aliases = [
    "a = b",
    "c",
]
"quoted key" = 1

[[events]]
date = "2024"
  type = "fled"

[[events]]
date = "2025"   # [not a table]
note = 'single [quotes]'

[private]
notes = "n"
'''


def test_keys_tables_and_nested_entries() -> None:
    positions = KeyPositions(TEXT)
    assert positions.locate(("id",)) == (2, 1)
    assert positions.locate(("summary",)) == (3, 1)
    assert not positions.has(("status",))
    assert positions.locate(("aliases",)) == (6, 1)
    assert positions.locate(("quoted key",)) == (10, 1)
    assert positions.locate(("events", 0)) == (12, 1)
    assert positions.locate(("events", 0, "type")) == (14, 3)
    assert positions.locate(("events", 1, "note")) == (18, 1)
    assert positions.locate(("private", "notes")) == (21, 1)


def test_missing_keys_fall_back_to_the_enclosing_table_then_the_file() -> None:
    positions = KeyPositions(TEXT)
    assert positions.locate(("events", 1, "type")) == (16, 1)
    assert positions.locate(("status",)) == (1, 1)
    assert positions.locate(("aliases", 1)) == (6, 1)
