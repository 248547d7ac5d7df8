"""The one function that makes text from a file, the vocabulary, git or the command line
safe to show on a terminal.

Every string that did not come from this program's own source goes through :func:`safe`
before it reaches a terminal, a table, a panel, a finding, a log or a diff line. The
character rule is ``format.chars.visible``: control characters and escape sequences
(``\\x1b``), carriage returns (``\\r``), bidi overrides and isolates and zero-width
characters (``<U+202E>``, ``<U+200B>``) are shown, never obeyed. For rich, :func:`rich_text`
wraps the result in a ``Text``, which rich never parses as markup, so an alias
``[link=https://evil.example]alias[/link]`` is shown as those characters, not as a link.

JSON needs none of this (``json.dumps`` writes ``\\u001b``); CSV cells go through
``format.chars.csv_cell``; SQLite exports store the data as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from exilecases.format.chars import visible

if TYPE_CHECKING:
    from rich.text import Text


def safe(value: Any, *, layout: bool = False) -> str:
    """``value`` as text that cannot take over a terminal: ``None`` is empty, anything else
    is ``str()``-ed, then every hidden or controlling character is made visible. With
    ``layout`` the newlines and tabs of multi-line text stay."""
    if value is None:
        return ""
    return visible(value if isinstance(value, str) else str(value), layout=layout)


def rich_text(value: Any, style: str = "", *, layout: bool = False) -> Text:
    """:func:`safe` text as a rich ``Text`` (styled by this program, never by the data)."""
    from rich.text import Text

    return Text(safe(value, layout=layout), style=style)
