"""JSON and CSV on standard output, for scripts: nothing else is mixed in.

Kept apart from ``render.py`` so that machine-readable output does not import rich.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exilecases.format.findings import Finding


def emit_json(value: Any) -> None:
    """JSON on standard output, UTF-8, nothing else mixed in: indented for a person at a
    terminal, compact for a pipe (json's fast C encoder only writes compact JSON)."""
    indent = 2 if sys.stdout.isatty() else None
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=indent) + "\n")


def emit_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], excel: bool = False) -> None:
    """CSV on standard output (RFC 4180 quoting, ``\\n`` line ends); every text cell goes
    through ``chars.csv_cell`` (no live formula, no control character); with ``excel``,
    UTF-8 with a byte-order mark, which Excel needs to read Cyrillic as Cyrillic."""
    from exilecases.format.chars import csv_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(name) for name in header])
    for row in rows:
        writer.writerow([_cell(value, csv_cell) for value in row])
    write_csv_text(buffer.getvalue(), excel)


#: What ``--excel`` puts before CSV: UTF-8's byte-order mark, by which Excel tells UTF-8
#: from the machine's legacy code page (without it, Cyrillic arrives garbled).
EXCEL_BOM = "\ufeff"


def write_csv_text(text: str, excel: bool = False) -> None:
    """CSV text on standard output as UTF-8 bytes, the byte-order mark first for Excel."""
    data = ((EXCEL_BOM if excel else "") + text).encode("utf-8")
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a stream without bytes underneath (rare): text it is
        sys.stdout.write(data.decode("utf-8"))
        return
    buffer.write(data)
    buffer.flush()


def _cell(value: Any, guard: Any) -> Any:
    """Numbers as they are; text (and anything else) through the cell guard."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return guard(str(value))


def findings_summary(errors: int, warnings: int, files: int) -> str:
    """The closing line of ``validate``: ``14 files checked: 0 errors, 0 warnings``."""

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return f"{plural(files, 'file')} checked: {plural(errors, 'error')}, " + plural(
        warnings, "warning"
    )


def source_excerpt(root: Path, finding: Finding, cache: dict[str, list[str]]) -> str:
    """The line a finding points at, numbered, with ``^`` under its column (``cache`` keeps
    each file's lines between findings). Empty when the line cannot be read."""
    if finding.path not in cache:
        from exilecases.errors import ExilecasesError
        from exilecases.store.files import read_regular

        try:  # a regular file only: a finding may name a link or a FIFO (E006)
            text = read_regular(root / finding.path).decode("utf-8").removeprefix("\ufeff")
        except (OSError, UnicodeDecodeError, ExilecasesError):
            text = ""
        cache[finding.path] = text.split("\n")
    lines = cache[finding.path]
    if not 1 <= finding.line <= len(lines) or not lines[finding.line - 1].strip():
        return ""
    from exilecases.format.chars import visible

    number = str(finding.line)
    line = lines[finding.line - 1].removesuffix("\r").expandtabs(1)
    # The caret stands under the spot in the line as shown (a hidden character is shown
    # wider, e.g. \x1b).
    before = len(visible(line[: finding.col - 1]))
    pad = " " * len(number)
    return f" {number} | {visible(line)}\n {pad} | {' ' * before}^\n"
