"""The canonical writer against tomli-w, both read back by tomllib.

For any TOML-able data (text with every kind of character, keys with control characters
and line breaks, integers, floats with ``inf`` and ``nan``, booleans, dates and times,
arrays, nested tables and arrays of tables, the case format's own keys), the canonical
text parses back to exactly the data, as tomli-w's own output does, and formatting it again
changes nothing. The statement scanner reads both texts: its statements give back the
text, and every key path it reports is in the data.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from typing import Any

import tomli_w
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from toml_oracle import assert_statements_rebuild, tagged

from exilecases.format.canonical import TABLE_ORDER, canonical_text
from exilecases.format.model import KEY_ORDER
from exilecases.ops.edit import format_text

# Every character TOML can hold: all of Unicode but the surrogates.
CHARACTERS = st.characters(blacklist_categories=("Cs",))
TRICKY = st.sampled_from(
    [
        "",
        "\n",
        "\r\n",
        "a\r\nb",
        "a\rb\n",
        "end\\",
        '"""',
        "'''",
        'x"\n"""\n',
        "\\n",
        "\x00\x1b[2J\x7f",
        "\t\f\b",
        "\u2028\u0085\ufeff\u202e",
        "line\n",
        "\nline",
        "# not a comment",
        "[[events]]",
        "key = value",
    ]
)
TEXT = st.text(CHARACTERS, max_size=12) | TRICKY
KEYS = (
    st.text(CHARACTERS, max_size=8)
    | TRICKY
    | st.sampled_from([*KEY_ORDER["case"], *TABLE_ORDER, "private", "id", "date", "a.b"])
)
OFFSETS = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)
SCALARS = (
    TEXT
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.dates()
    | st.datetimes()
    | st.datetimes(timezones=OFFSETS)
    | st.times()
)


def _values(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    tables = st.dictionaries(KEYS, children, max_size=4)
    return st.lists(children, max_size=4) | tables | st.lists(tables, min_size=1, max_size=3)


VALUES = st.recursive(SCALARS, _values, max_leaves=24)
DOCUMENTS = st.dictionaries(KEYS, VALUES, max_size=8)
A_CASE = {
    "id": "ab-cd",
    "name": "Ab Cd",
    "summary": "Two\nlines",
    "events": [{"date": "2024", "type": "fled", "extra": {"x": [1, {"y": 2}]}}],
    "sources": [{"id": "s"}],
    "private": {"phone": "+7", "contacts": [{"name": "N"}], "nested": {"deep": [[1], []]}},
}
WRONG_SHAPES = {"events": {"date": "2024"}, "private": [{"phone": "+7"}], "sources": []}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
@example(A_CASE)
@example(WRONG_SHAPES)
@example({"odd\n": "x", "": 1, "tab\tkey": {"\x00": [True]}})
@example({"summary": "a\r\nb\nc", "aliases": ["one\ntwo", "x" * 100]})
def test_canonical_text_reads_back_as_tomli_w_does(data: dict[str, Any]) -> None:
    ours = canonical_text(data)
    theirs = tomli_w.dumps(data)
    assert tagged(tomllib.loads(ours)) == tagged(tomllib.loads(theirs)) == tagged(data)
    assert canonical_text(tomllib.loads(ours)) == ours
    assert format_text(ours) == ours
    assert_statements_rebuild(ours, tomllib.loads(ours))
    assert_statements_rebuild(theirs, tomllib.loads(theirs))
    multiline = tomli_w.dumps(data, multiline_strings=True)
    assert_statements_rebuild(multiline, tomllib.loads(multiline))


def test_text_with_crlf_keeps_its_carriage_returns() -> None:
    """tomli-w writes "\r\n" inside a \"\"\" string as a bare line break, which tomllib
    reads as "\n"; the canonical text keeps such a text on one line instead."""
    data = {"summary": "first\r\nsecond\nthird", "aliases": ["a\r\nb"]}
    text = canonical_text(data)
    assert '"first\\r\\nsecond\\nthird"' in text
    assert tomllib.loads(text) == data


def test_a_key_ending_in_a_newline_is_quoted() -> None:
    text = canonical_text({"id": "ab-cd", "note\n": "x", "private": {"a\nb": 1}})
    assert '"note\\n" = "x"' in text
    assert '"a\\nb" = 1' in text
    assert tomllib.loads(text) == {"id": "ab-cd", "note\n": "x", "private": {"a\nb": 1}}


def test_wrong_shapes_are_written_not_dropped() -> None:
    """``[events]`` where the format wants ``[[events]]``, and ``[[private]]``: the writer
    keeps them (fmt refuses such files, but the writer never loses data)."""
    text = canonical_text(WRONG_SHAPES)
    assert "[events]\n" in text
    assert "[[private]]\n" in text
    assert tomllib.loads(text) == WRONG_SHAPES
