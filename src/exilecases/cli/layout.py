"""Fitting tables into the terminal's width without cutting what the user types next.

Rich truncates a column with ``…`` or folds a word at any letter when a table is too wide
(``extradition_a…``, ``RU-`` / ``CC-`` / ``338``). Here a cell wraps only where a person
would break it (after a space, ``_``, ``-`` or ``/``), and the columns that may give way
shrink, widest first, down to their longest unbreakable piece; the id column never
shrinks below its longest id. When even that does not fit, the renderer lays each row out
as a block of lines instead of folding words. Pure text, no rich: the renderers pass the
wrapped lines to rich with widths it need not change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_PIECE = re.compile(r"[^\s_\-/]*[_\-/]+|[^\s_\-/]+")


def pieces(text: str, breaks: bool = True) -> list[tuple[str, bool]]:
    """The unbreakable pieces of one line of text, each with whether a space came before
    it: ``"extradition_approved"`` -> ``[("extradition_", False), ("approved", False)]``.

    A word breaks after ``_``, ``-`` or ``/``, but not before a digit nor after a short
    prefix such as ``RU-`` (``RU-CC-207.3`` stays whole); ``breaks=False``: only at spaces.
    """
    found = []
    for word_at, word in enumerate(text.split(" ")):
        parts = [m.group(0) for m in _PIECE.finditer(word)] if breaks else [word]
        merged: list[str] = []
        for part in parts:
            if merged and (
                part[:1].isdigit() or (merged[-1].endswith("-") and len(merged[-1]) <= 3)
            ):
                merged[-1] += part
            else:
                merged.append(part)
        found.extend((part, word_at > 0 and at == 0) for at, part in enumerate(merged))
    return found


def longest_piece(text: str) -> int:
    """The width below which ``text`` could only be folded inside a piece."""
    return max((len(p) for line in text.split("\n") for p, _ in pieces(line)), default=0)


def natural_width(text: str) -> int:
    """The width of the longest line of ``text``."""
    return max((len(line) for line in text.split("\n")), default=0)


def wrap(text: str, width: int, breaks: bool = True) -> list[str]:
    """``text`` wrapped into lines of at most ``width`` characters, breaking after spaces
    and (unless ``breaks`` is false) as :func:`pieces` allows; a piece longer than ``width``
    is folded."""
    width = max(width, 1)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for piece, spaced in pieces(paragraph, breaks):
            joined = f"{line} {piece}" if spaced and line else line + piece
            if len(joined) <= width:
                line = joined
                continue
            if line:
                lines.append(line)
            while len(piece) > width:
                lines.append(piece[:width])
                piece = piece[width:]
            line = piece
        lines.append(line)
    return lines


def fit(natural: Sequence[int], minimum: Sequence[int], available: int) -> list[int] | None:
    """Column widths that fit in ``available`` characters: each column starts at its natural
    width, and the column with the most room to give shrinks one character at a time down to
    its ``minimum`` (its longest unbreakable piece; for the ids, the longest id). None when
    even the minimums do not fit: the caller then lays the rows out one under another."""
    widths = list(natural)
    while sum(widths) > available:
        shrinkable = [i for i, w in enumerate(widths) if w > max(minimum[i], 1)]
        if not shrinkable:
            return None
        widest = max(shrinkable, key=lambda i: (widths[i] - minimum[i], widths[i]))
        widths[widest] -= 1
    return widths
