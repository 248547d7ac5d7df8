"""The commands that take data out of the repository: export, schema."""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from exilecases.cli.common import (
    ExcelOption,
    PrivateOption,
    RootOption,
    _handles_errors,
    _message,
    _open,
    _ProgressBar,
    _select,
    _warn_skipped,
    _with_filters,
    app,
    check_excel,
)
from exilecases.errors import ExilecasesError

# --- publishing -------------------------------------------------------------------------


class ExportFormat(enum.StrEnum):
    """Formats of ``export``."""

    json = "json"
    csv = "csv"
    sqlite = "sqlite"


class ExportTable(enum.StrEnum):
    """The tables ``export --format csv --table`` can write one row per entry of."""

    events = "events"
    charges = "charges"
    sources = "sources"
    contacts = "contacts"
    proceedings = "proceedings"
    deadlines = "deadlines"


def _output_path(root: Path, output: Path, overwrite: bool) -> Path:
    """Where an export may be written: never into data/cases/, never over a file unasked."""
    from exilecases.store.files import cases_dir

    target = output.expanduser().resolve()
    if target.parent == cases_dir(root).resolve() or target.is_dir():
        raise ExilecasesError(
            f"{output}: an export cannot be written there; name a file outside data/cases/", 2
        )
    if target.exists() and not overwrite:
        raise ExilecasesError(f"{output} exists; pass --overwrite to replace it", 1)
    return target


@app.command()
@_handles_errors
@_with_filters
def export(
    output_format: Annotated[
        ExportFormat, typer.Option("--format", help="json, csv or sqlite.")
    ] = ExportFormat.json,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write to this file "
            "(required for sqlite; default for json and csv: standard output).",
        ),
    ] = None,
    public: Annotated[
        bool,
        typer.Option(
            "--public",
            help="The default, accepted for old scripts: leave out [private], private "
            "entries and every field marked private: safe to publish.",
        ),
    ] = False,
    private: PrivateOption = False,
    table: Annotated[
        ExportTable | None,
        typer.Option(
            "--table",
            help="csv: one row per event, charge, source, contact, proceeding or deadline "
            "(derived ones flagged) instead of one per case.",
        ),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing output file.")
    ] = False,
    excel: ExcelOption = False,
    allow_personal_data: Annotated[
        bool,
        typer.Option(
            "--allow-personal-data",
            help="Publish even when a public field looks like a phone number, an e-mail or a "
            "street address (W105); otherwise such an export is refused.",
        ),
    ] = False,
    filters: Any = None,
    root: RootOption = None,
) -> None:
    """Export cases as JSON, CSV or an SQLite database (every filter of list applies).
    Public unless --private. Nothing leaves the machine except the file you write."""
    from exilecases.ops.query import sort_cases
    from exilecases.store.write import replace_file

    check_excel(excel, output_format)
    found, vocabulary = _open(root)
    if public and private:
        raise ExilecasesError("--public and --private exclude each other", 2)
    public = not private
    if table is not None and output_format is not ExportFormat.csv:
        raise ExilecasesError("--table goes with --format csv", 2)
    if output_format is ExportFormat.sqlite and output is None:
        raise ExilecasesError("--format sqlite needs -o FILE", 2)
    target = _output_path(found, output, overwrite) if output is not None else None
    filters.check(vocabulary)
    from contextlib import nullcontext

    from exilecases.ops.load import select_stream

    # SQLite and CSV exports stream from the index, one case decoded at a time (100,000
    # cases in little memory); JSON is one document, and --private reads the files.
    streaming = not private and output_format is not ExportFormat.json
    with (
        select_stream(found, vocabulary, filters, progress=_ProgressBar())
        if streaming
        else nullcontext()
    ) as stream:
        if stream is not None:
            _warn_skipped(stream.broken)
            ids, cases = stream.ids, stream.cases
        else:
            listed = _select(found, vocabulary, filters, private=private)
            listed = sort_cases(listed, "id", vocabulary)
            ids, cases = [case["id"] for case in listed], iter(listed)
        if public and not allow_personal_data:
            _refuse_personal_data(found, vocabulary, ids)
        text = _write_export(cases, vocabulary, output_format, target, public, overwrite, table)
    if text is not None and target is None:
        from exilecases.cli.emit import write_csv_text

        if excel:
            write_csv_text(text, excel)
        else:
            sys.stdout.write(text)
        return
    if text is not None:
        assert target is not None
        from exilecases.cli.emit import EXCEL_BOM

        # readable by you alone, until you share it
        replace_file(target, (EXCEL_BOM if excel else "") + text, mode=0o600)
    kind = "public " if public else "private, do not publish: "
    if table is not None and text is not None:
        import csv
        import io

        count = sum(1 for _ in csv.reader(io.StringIO(text))) - 1  # a cell may hold newlines
        noun = table.value if count != 1 else table.value.removesuffix("s")
    else:
        count, noun = len(ids), "cases" if len(ids) != 1 else "case"
    _message(f"wrote {count} {noun} to {output} ({kind}{output_format.value})")


def _write_export(
    cases: Iterator[Any],
    vocabulary: Any,
    output_format: ExportFormat,
    target: Path | None,
    public: bool,
    overwrite: bool,
    table: ExportTable | None,
) -> str | None:
    """Write the SQLite database to ``target``, or make the JSON or CSV text."""
    from exilecases.ops import export as exporting

    if output_format is ExportFormat.sqlite:
        assert target is not None
        exporting.export_sqlite(cases, vocabulary, target, public=public, overwrite=overwrite)
        return None
    if output_format is ExportFormat.csv:
        return exporting.export_csv(
            cases, vocabulary, public=public, table=table.value if table else None
        )
    return exporting.export_json(cases, vocabulary, public=public)


def _refuse_personal_data(root: Path, vocabulary: Any, case_ids: list[str]) -> None:
    """Stop a public export that would publish what looks like personal data (W105)."""
    from exilecases.ops.personal import personal_data_in

    findings = personal_data_in(root, vocabulary, case_ids)
    if not findings:
        return
    for item in findings:
        _message(item.format())
    files = len({item.path for item in findings})
    raise ExilecasesError(
        f"nothing was exported: {len(findings)} public field{'s' * (len(findings) != 1)} in "
        f"{files} file{'s' * (files != 1)} look{'s' * (len(findings) == 1)} like personal "
        "data (above: file, line and kind). Move it to [private], or pass "
        "--allow-personal-data if it is meant to be public",
        1,
    )


@app.command()
@_handles_errors
def schema(
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write to this file (default: standard output)."),
    ] = None,
    root: RootOption = None,
) -> None:
    """The JSON Schema of a case file, with this repository's vocabularies as the allowed
    values: for editors (taplo, VS Code's Even Better TOML) to check files as you type."""
    from exilecases.format.schema import schema_text
    from exilecases.store.files import load_vocabulary
    from exilecases.store.write import replace_file

    # Outside a case repository the schema has the default vocabularies.
    text = schema_text(load_vocabulary(_find_root_or_none(root)))
    if output is None:
        sys.stdout.write(text)
    else:
        replace_file(output, text)
        _message(f"wrote {output}")


def _find_root_or_none(root: Path | None) -> Path | None:
    from exilecases.cli.common import given_root
    from exilecases.store.files import find_root

    root = given_root(root)
    try:
        return find_root(root)
    except ExilecasesError:
        if root is not None:
            raise
        return None
