"""Characters that hide or mislead: the one rule for showing text, and the forms that match.

Case files come from partners, imports and messengers, so their text is treated as hostile.
Three things are decided here, once, for every output and every comparison:

- :func:`visible`: control characters, escape sequences, bidi overrides and isolates,
  zero-width and other format characters (Unicode category Cf), line and paragraph
  separators and lone surrogates are replaced by a visible spelling (``\\x1b``, ``\\r``,
  ``<U+202E>``). ``cli/text.py`` uses it for the terminal; :func:`csv_cell` for CSV.
- :func:`csv_cell`: the same rule plus the formula guard, for every CSV cell.
- :func:`strip_format`: format characters removed, for matching (search, duplicates, ids):
  ``Iv\\u200ban`` is ``Ivan``.

Pure and light: only ``re`` is imported (``--help`` imports this module's users).
"""

from __future__ import annotations

import re

#: The code points of Unicode category Cf (format characters: zero-width spaces and joiners,
#: bidi marks, embeddings, overrides and isolates, the BOM, invisible operators, tag
#: characters), as of Unicode 15.1. ``tests/format/test_chars.py`` checks that every Cf
#: character of the running Python is here.
FORMAT_RANGES: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


_FORMAT = _char_class(FORMAT_RANGES)
#: Format characters only (what matching removes).
FORMAT_CHARACTERS = re.compile(f"[{_FORMAT}]")
#: Everything :func:`visible` replaces except newline and tab: C0 controls, DEL, C1
#: controls (U+009B is the 8-bit CSI), line and paragraph separators, lone surrogates and
#: the format characters.
_HIDDEN = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff" + _FORMAT
_HIDDEN_KEEPING_LAYOUT = re.compile(f"[{_HIDDEN}]")
_HIDDEN_ALL = re.compile(f"[{_HIDDEN}\n\t]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}

#: Cells a spreadsheet would run as a formula start with one of these (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _spell(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    point = ord(char)
    if point < 0xA0:
        return f"\\x{point:02x}"
    return f"<U+{point:04X}>"


def visible(text: str, *, layout: bool = False) -> str:
    """``text`` with every character that could hide, reorder or take over the screen
    replaced by a visible spelling: ``\\x1b`` (so no escape sequence, OSC 8 hyperlink or
    cursor movement survives), ``\\r``, ``<U+202E>`` (bidi), ``<U+200B>`` (zero width).

    With ``layout`` the newlines and tabs of multi-line text stay (a ``\\r\\n`` line end
    becomes ``\\n``); without, they are shown as ``\\n`` and ``\\t`` too.
    """
    if text.isprintable():  # no control, format or separator character: the common case
        return text
    if layout:
        if "\r\n" in text:
            text = text.replace("\r\n", "\n")
        return _HIDDEN_KEEPING_LAYOUT.sub(_spell, text)
    return _HIDDEN_ALL.sub(_spell, text)


def hidden_characters(text: str) -> list[str]:
    """The characters of ``text`` that :func:`visible` would replace (newline and tab
    included), in order of first appearance, each spelt as :func:`visible` spells it."""
    if text.isprintable():
        return []
    return list(dict.fromkeys(_spell(m) for m in _HIDDEN_ALL.finditer(text)))


def strip_format(text: str) -> str:
    """``text`` without format characters (category Cf), for matching: a zero-width space
    or a bidi override inside a name does not make it another name."""
    if text.isascii():
        return text
    return FORMAT_CHARACTERS.sub("", text)


def csv_cell(text: str) -> str:
    """One CSV cell: the :func:`visible` rule (newlines and tabs kept), then a leading
    ``'`` when the cell would start a spreadsheet formula (``= + - @``, tab, CR)."""
    if not text.isprintable():
        text = visible(text, layout=True)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
