"""JSON and CSV on standard output, for scripts: nothing else is mixed in.

Kept apart from ``render.py`` so that machine-readable output does not import rich.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any


def emit_json(value: Any) -> None:
    """JSON on standard output, UTF-8, nothing else mixed in: indented for a person at a
    terminal, compact for a pipe (json's fast C encoder only writes compact JSON)."""
    indent = 2 if sys.stdout.isatty() else None
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=indent) + "\n")


def emit_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """CSV on standard output (RFC 4180 quoting, ``\\n`` line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    sys.stdout.write(buffer.getvalue())


def findings_summary(errors: int, warnings: int, files: int) -> str:
    """The closing line of ``validate``: ``14 files checked: 0 errors, 0 warnings``."""

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return f"{plural(files, 'file')} checked: {plural(errors, 'error')}, " + plural(
        warnings, "warning"
    )
