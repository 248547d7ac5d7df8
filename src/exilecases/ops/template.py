"""``import --template FILE.xlsx``: an empty sheet with one column per importable field, and
the mapping file that imports it, for a team that starts from scratch.

The sheet is written by openpyxl (a maintained writer); both files go through
``store/write.replace_file`` and never replace an existing file.
"""

from __future__ import annotations

import io
from pathlib import Path

from exilecases.errors import ExilecasesError
from exilecases.format.canonical import format_key, format_value

#: (header, field, extra settings) of the template's columns, in sheet order.
TEMPLATE_COLUMNS: list[tuple[str, str, dict[str, str]]] = [
    ("No.", "", {}),  # the id_column: a row key of the team's own
    ("Name (Latin script)", "name", {}),
    ("Name (own script)", "name_original", {}),
    ("Other spellings", "aliases", {"split": ";"}),
    ("Born", "born", {}),
    ("Citizenship", "citizenship", {"split": ";"}),
    ("Pursued by (country code)", "origin_country", {}),
    ("Refuge in (country code)", "host_country", {}),
    ("Categories", "categories", {"split": ";"}),
    ("Status", "status", {}),
    ("Risk if returned", "risk", {}),
    ("Summary", "summary", {}),
    ("Legal bases", "charges.basis", {"split": ";", "prefix": "RU-CC-"}),
    ("Charged on", "charges.date", {"of": "Legal bases"}),
    ("Detained on", "events", {"type": "detention"}),
    ("Place of detention", "events.place", {"of": "Detained on"}),
    ("Detained by", "events.authority", {"of": "Detained on"}),
    ("Court ruling on", "events", {"type": "court_ruling"}),
    ("Court", "events.authority", {"of": "Court ruling on"}),
    ("Ruling", "events.note", {"of": "Court ruling on"}),
    ("Outcome of the ruling (status)", "events.outcome", {"of": "Court ruling on"}),
    ("Lawyer", "contacts.name", {}),
    ("Lawyer's role", "contacts.role", {"of": "Lawyer"}),
    ("Lawyer's organisation", "contacts.organisation", {"of": "Lawyer"}),
    ("Source link", "sources.url", {}),
    ("Source outlet", "sources.outlet", {"of": "Source link"}),
    ("Source title", "sources.title", {"of": "Source link"}),
    ("Source published", "sources.published", {"of": "Source link"}),
    ("Phone (private)", "private.phone", {}),
    ("Address (private)", "private.address", {}),
    ("Notes (private)", "private.notes", {}),
]


def mapping_text(sheet_name: str, title: str) -> str:
    """The mapping file of the template sheet."""
    lines = [
        f"# The mapping of {title}: which column fills which field (docs/import.md).",
        "# Columns mapped to private.* land under [private]: never in a public output.",
        "",
        "[source]",
        f"sheet = {format_value(sheet_name)}",
        "header_row = 1",
        'date_format = "DD.MM.YYYY"  # ISO dates (2025-03-31) are always understood',
        f"id_column = {format_value(TEMPLATE_COLUMNS[0][0])}",
        "",
        "[defaults]",
        'origin_country = "RU"',
        'host_country = "KZ"',
        "",
        "[columns]",
    ]
    for header, target, extra in TEMPLATE_COLUMNS:
        if not target:
            continue
        if not extra:
            lines.append(f"{format_key(header)} = {format_value(target)}")
        else:
            settings = {"field": target, **extra}
            lines.append(f"{format_key(header)} = {format_value(settings)}")
    return "\n".join(lines) + "\n"


def write_template(path: Path) -> tuple[Path, Path]:
    """Write the empty sheet at ``path`` (.xlsx) and its mapping beside it (same name,
    ``.toml``); returns both paths. Never overwrites a file: ``ExilecasesError`` then."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from exilecases.store.write import replace_file

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ExilecasesError(
            f"{path.name}: the template is an Excel file; name it *.xlsx", kind="usage"
        )
    mapping = path.with_suffix(".toml")
    for target in (path, mapping):
        if target.exists() or target.is_symlink():
            raise ExilecasesError(
                f"{target} exists already; nothing was written (choose another name)",
                kind="usage",
            )
    book = Workbook()
    sheet = book.active
    sheet.title = "Cases"
    sheet.append([header for header, _, _ in TEMPLATE_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.columns:
        letter = column[0].column_letter
        sheet.column_dimensions[letter].width = max(12, len(str(column[0].value)) + 2)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    replace_file(path, buffer.getvalue(), create_only=True)
    try:
        replace_file(mapping, mapping_text(sheet.title, path.name), create_only=True)
    except ExilecasesError:
        path.unlink(missing_ok=True)
        raise
    return path, mapping
