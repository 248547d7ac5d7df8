"""The ``import`` command: a spreadsheet's rows as case files, in one safe step."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from exilecases.cli import emit
from exilecases.cli.common import (
    FindingFormat,
    RootOption,
    _handles_errors,
    _message,
    _open,
    _ProgressBar,
    app,
)
from exilecases.cli.text import safe
from exilecases.errors import ExilecasesError

#: Files named one by one in the closing lines; beyond this, counted.
LISTED = 20


@app.command("import")
@_handles_errors
def import_command(
    file: Annotated[
        Path | None,
        typer.Argument(metavar="[FILE]", help="The spreadsheet: .csv, .xlsx or .ods."),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--map",
            metavar="MAP.toml",
            help="The mapping file: which column fills which field (see docs/import.md).",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Check every row and report every bad cell; write nothing."),
    ] = False,
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Merge a row into the existing case of its id or import key, field by field "
            "(default: report it as existing and leave it alone).",
        ),
    ] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Write the rows without errors and report the others (default: a row with an "
            "error means nothing is written).",
        ),
    ] = False,
    commit: Annotated[
        bool, typer.Option("--commit", help="Commit the files written with git.")
    ] = False,
    output: Annotated[
        FindingFormat,
        typer.Option("--format", help="text or json (the findings, for scripts)."),
    ] = FindingFormat.text,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template",
            metavar="FILE.xlsx",
            help="Write an empty sheet with one column per importable field, and its mapping "
            "file beside it (FILE.toml); import nothing.",
        ),
    ] = None,
    root: RootOption = None,
) -> None:
    """Import cases from a spreadsheet (CSV, XLSX, ODS) through a mapping file. Every row
    is mapped and checked before anything is written: one bad cell, and nothing is
    (unless --skip-invalid). Findings read FILE:ROW:COLUMN: error|warning CODE: message."""
    if template is not None:
        if file is not None or mapping is not None:
            raise ExilecasesError("--template writes a new sheet; give it no FILE or --map", 2)
        from exilecases.ops.template import write_template

        sheet, mapping_file = write_template(template)
        _message(f"wrote {sheet} (an empty sheet) and {mapping_file} (its mapping)")
        _message(f"fill it in, then: exilecases import {sheet} --map {mapping_file} --dry-run")
        return
    if file is None or mapping is None:
        raise ExilecasesError(
            "import needs a spreadsheet and its mapping: exilecases import FILE --map MAP.toml "
            "(exilecases import --template FILE.xlsx writes both for a new sheet)",
            2,
        )
    if commit and dry_run:
        raise ExilecasesError("--commit and --dry-run exclude each other", 2)
    from exilecases.ops.importer import ImportStopped, import_sheet
    from exilecases.ops.mapping import MappingError

    found, vocabulary = _open(root)
    try:
        report = import_sheet(
            found,
            file,
            mapping,
            vocabulary,
            dry_run=dry_run,
            update=update,
            skip_invalid=skip_invalid,
            progress=_ProgressBar("importing rows", minimum=500),
        )
    except (MappingError, ImportStopped) as stopped:
        _print_findings(stopped.findings, output)
        errors = sum(1 for f in stopped.findings if f.severity == "error")
        _message(f"{_plural(errors, 'error')}; nothing was imported")
        raise typer.Exit(stopped.exit_code) from None
    _print_findings(report.findings, output)
    diffs = report.diffs(found)
    if diffs and output is FindingFormat.text:
        from exilecases.ops.history import render_diff

        sys.stdout.write(safe(render_diff(diffs), layout=True) + "\n")
    _summary(found, report, update)
    if commit and report.written:
        from exilecases.store.git import commit_paths

        message = _commit_message(report)
        commit_paths(found, report.written, message)
        _message(f"committed: {safe(message)}")
    if report.errors:
        raise typer.Exit(1)


def _print_findings(findings: list, output: FindingFormat) -> None:
    if output is FindingFormat.json:
        emit.emit_json([item.to_dict() for item in findings])
        return
    for item in findings:
        sys.stdout.write(safe(item.format()) + "\n")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _summary(root: Path, report, update: bool) -> None:
    from exilecases.store.files import relative

    counts: dict[str, int] = {}
    for row in report.rows:
        counts[row.action] = counts.get(row.action, 0) + 1
    errors = report.errors
    warnings = len(report.findings) - errors
    head = (
        f"{safe(report.file)}: {_plural(len(report.rows), 'row')} read, "
        f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    )
    _message(head)
    if report.dry_run:
        verb = "would be"
        created, updated = counts.get("create", 0), counts.get("update", 0)
    elif not report.written and (counts.get("create") or counts.get("update")):
        _message("nothing was written: fix the errors above (or pass --skip-invalid)")
        return
    else:
        verb = ""
        created, updated = len(report.created), len(report.updated)
        for path in report.written[:LISTED]:
            state = "created" if path in report.created else "updated"
            _message(f"{state} {safe(relative(root, path))}")
        if len(report.written) > LISTED:
            _message(f"... and {len(report.written) - LISTED} more")
    parts = [f"{_plural(created, 'case')} {verb} created".replace("  ", " ")]
    if update or updated:
        parts.append(f"{updated} {verb} updated".replace("  ", " "))
    if counts.get("unchanged"):
        parts.append(f"{counts['unchanged']} unchanged")
    if counts.get("exists"):
        parts.append(f"{counts['exists']} existing left alone")
    if counts.get("invalid"):
        parts.append(f"{_plural(counts['invalid'], 'row')} with errors left out")
    _message(", ".join(parts) + (" (dry run: nothing was written)" if report.dry_run else ""))


def _commit_message(report) -> str:
    """A commit message with counts and the sheet's file name only (it is public)."""
    parts = []
    if report.created:
        parts.append(f"{_plural(len(report.created), 'case')} added")
    if report.updated:
        parts.append(f"{len(report.updated)} updated")
    return f"import {report.file}: " + ", ".join(parts)
