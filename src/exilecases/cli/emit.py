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
    """CSV on standard output (RFC 4180 quoting, ``\\n`` line ends); with ``excel``, UTF-8
    with a byte-order mark, which Excel needs to read Cyrillic as Cyrillic."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
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
        try:
            text = (root / finding.path).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        cache[finding.path] = text.split("\n")
    lines = cache[finding.path]
    if not 1 <= finding.line <= len(lines) or not lines[finding.line - 1].strip():
        return ""
    number = str(finding.line)
    line = lines[finding.line - 1].rstrip("\r").expandtabs(1)
    pad = " " * len(number)
    return f" {number} | {line}\n {pad} | {' ' * (finding.col - 1)}^\n"
