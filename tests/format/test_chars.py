"""The character rule: what is shown visibly, what matching ignores, what a CSV cell holds."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exilecases.format.chars import (
    FORMAT_CHARACTERS,
    csv_cell,
    hidden_characters,
    strip_format,
    visible,
)


def test_every_format_character_of_this_python_is_known() -> None:
    # The ranges are written out (computing them costs 0.2 s at import); a newer Unicode
    # that adds a format character must add it there.
    missing = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) == "Cf" and not FORMAT_CHARACTERS.fullmatch(chr(code))
    ]
    assert missing == []


@pytest.mark.parametrize(
    "text,shown",
    [
        ("Oleg\x1b[2J Smirnov", "Oleg\\x1b[2J Smirnov"),
        ("\x1b]8;;https://evil.example\x07click\x1b]8;;\x07", "\\x1b]8;;https://evil.example\\x07click\\x1b]8;;\\x07"),
        ("line\roverwritten", "line\\roverwritten"),
        ("8-bit CSI \x9b31m", "8-bit CSI \\x9b31m"),
        ("DEL \x7f NUL \x00", "DEL \\x7f NUL \\x00"),
        ("Nikita \u202eavokseM\u202c", "Nikita <U+202E>avokseM<U+202C>"),
        ("\u2066isolate\u2069", "<U+2066>isolate<U+2069>"),
        ("Iv\u200ban Pet\u200drov", "Iv<U+200B>an Pet<U+200D>rov"),
        ("a\u2028b\u2029c", "a<U+2028>b<U+2029>c"),
        ("lone \udcff surrogate", "lone <U+DCFF> surrogate"),
        ("two\nlines\tand a tab", "two\\nlines\\tand a tab"),
        ("Евгений Коробов", "Евгений Коробов"),
        ("[link=https://evil.example]alias[/link]", "[link=https://evil.example]alias[/link]"),
    ],
)  # fmt: skip
def test_visible_spells_out_what_could_hide_or_take_over(text: str, shown: str) -> None:
    assert visible(text) == shown


def test_layout_keeps_newlines_and_tabs_and_folds_crlf() -> None:
    assert visible("one\r\ntwo\n\tthree\rfour\x1b", layout=True) == "one\ntwo\n\tthree\\rfour\\x1b"


@given(st.text(st.characters(exclude_categories=())))
def test_visible_text_is_printable_and_encodable(text: str) -> None:
    shown = visible(text)
    hiding = {"Cc", "Cf", "Cs", "Zl", "Zp"}
    assert not [c for c in shown if unicodedata.category(c) in hiding]
    shown.encode("utf-8")  # no lone surrogate is left
    assert "\x1b" not in shown and "\r" not in shown
    assert visible(shown) == shown  # what is shown is shown as it is
    assert hidden_characters(shown) == []


def test_hidden_characters_lists_each_once_as_shown() -> None:
    assert hidden_characters("a\u200bb\u200bc\x1b") == ["<U+200B>", "\\x1b"]
    assert hidden_characters("Ivan Petrov") == []


def test_strip_format_removes_only_format_characters() -> None:
    assert strip_format("Iv\u200ban Pet\u200drov") == "Ivan Petrov"
    assert strip_format("\u202eavokseM\u202c \ufeffBOM \u00adsoft") == "avokseM BOM soft"
    assert strip_format("Евгений\x1b") == "Евгений\x1b"  # controls are not format characters


@pytest.mark.parametrize(
    "text,cell",
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+7 701 000", "'+7 701 000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "\\r=1"),  # CR made visible: no longer a formula
        ("Evgenij Korobov", "Evgenij Korobov"),
        ("two\nlines", "two\nlines"),
        ("Oleg\x1b[2J", "Oleg\\x1b[2J"),
        ("\u202e=1", "<U+202E>=1"),
    ],
)
def test_csv_cell_guards_formulas_and_controls(text: str, cell: str) -> None:
    assert csv_cell(text) == cell
