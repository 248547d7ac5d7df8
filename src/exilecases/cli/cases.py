"""The commands that create, read and count cases: add, list, show, validate, search, stats."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from exilecases.cli import emit
from exilecases.cli.common import (
    CaseIdArgument,
    ExcelOption,
    FindingFormat,
    PrivateOption,
    RootOption,
    ShowFormat,
    TableFormat,
    _complete_stats_field,
    _handles_errors,
    _inside_repository,
    _message,
    _no_such_case,
    _open,
    _private_note,
    _ProgressBar,
    _select,
    _warn_skipped,
    _with_filters,
    app,
    check_excel,
    vocabulary_value,
)
from exilecases.errors import ExilecasesError

if TYPE_CHECKING:
    from exilecases.format.vocabulary import Vocabulary


# --- add ------------------------------------------------------------------------------


@app.command()
@_handles_errors
def add(
    name: Annotated[
        str | None, typer.Option(help="Name as most sources spell it in Latin script.")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            help="Where the case stands now, one of: {vocabulary:statuses}.",
            **vocabulary_value("statuses"),
        ),
    ] = None,
    origin: Annotated[
        str | None,
        typer.Option(
            help="The state that pursues the person (ISO code, e.g. RU).",
            **vocabulary_value("countries"),
        ),
    ] = None,
    host: Annotated[
        str | None,
        typer.Option(
            help="Where the person sought refuge (ISO code, e.g. KZ).",
            **vocabulary_value("countries"),
        ),
    ] = None,
    case_id: Annotated[
        str | None,
        typer.Option(
            "--id", help="The id (file name); default: made from the name, surname first."
        ),
    ] = None,
    name_original: Annotated[
        str | None, typer.Option(help="The name in the person's own script.")
    ] = None,
    alias: Annotated[
        list[str] | None, typer.Option(help="Another spelling of the name (repeatable).")
    ] = None,
    born: Annotated[str | None, typer.Option(help="Date of birth, e.g. 1990 or 1990-05?.")] = None,
    citizenship: Annotated[
        list[str] | None,
        typer.Option(help="Citizenship, ISO code (repeatable).", **vocabulary_value("countries")),
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option(
            help="Category (repeatable), one of: {vocabulary:categories}.",
            **vocabulary_value("categories"),
        ),
    ] = None,
    basis: Annotated[
        list[str] | None,
        typer.Option(
            help="A legal basis used against the person, e.g. RU-CC-338 (repeatable).",
            **vocabulary_value("legal_bases"),
        ),
    ] = None,
    risk: Annotated[str | None, typer.Option(help="What the person faces if returned.")] = None,
    summary: Annotated[str | None, typer.Option(help="A few sentences on the case.")] = None,
    distinct_from: Annotated[
        list[str] | None,
        typer.Option(help="Id of a look-alike case that is someone else (repeatable)."),
    ] = None,
    private_field: Annotated[
        list[str] | None,
        typer.Option(
            help="A field of this case that public exports leave out, e.g. born (repeatable)."
        ),
    ] = None,
    commit: Annotated[bool, typer.Option("--commit", help="Commit the new file with git.")] = False,
    root: RootOption = None,
) -> None:
    """Create a case file. On a terminal it asks for what is missing; never overwrites."""
    from exilecases.ops.newcase import (
        build_case,
        missing_fields,
        refuse_look_alikes,
        write_new_case,
    )

    found, vocabulary = _open(root)
    given: dict[str, Any] = {
        "name": name,
        "status": status,
        "origin_country": origin and origin.upper(),
        "host_country": host and host.upper(),
    }
    optional: dict[str, Any] = {
        "name_original": name_original,
        "aliases": alias or [],
        "born": born,
        "citizenship": [code.upper() for code in citizenship or []],
        "categories": category or [],
        "risk": risk,
        "summary": summary,
        "distinct_from": distinct_from or [],
        "private_fields": private_field or [],
    }
    bases = list(basis or [])
    missing = missing_fields(given)
    event = None
    asked = missing and _interactive()
    if asked:
        event = _interview(given, optional, bases, vocabulary, case_id, root)
    elif missing:
        flags = ", ".join(f"--{m.removesuffix('_country').replace('_', '-')}" for m in missing)
        raise ExilecasesError(f"missing {flags} (no terminal to ask on)", 2)
    case = build_case(given, case_id=case_id, bases=bases, **optional)
    if event:
        case["events"] = [event]
    try:
        refuse_look_alikes(found, case, vocabulary)
        path = write_new_case(found, case, vocabulary)
    except ExilecasesError:
        if asked:  # what was typed is not lost: the command that holds it
            from exilecases.cli.interview import command_line

            _message("the case was not written; what you typed, to run again once fixed:")
            _message("  " + command_line(case, event, root and str(root)))
        raise
    rel = path.relative_to(found).as_posix()
    _message(f"created {rel}")
    from exilecases.ops.personal import new_personal_data
    from exilecases.store.files import read_regular

    text = read_regular(path, None).decode("utf-8")
    for item in new_personal_data(None, case, rel, text):
        _message(item.format())
    if commit:
        from exilecases.ops.newcase import new_case_message
        from exilecases.store.git import commit_paths

        commit_paths(found, [path], new_case_message(case))
        _message("committed")


def _interview(
    given: dict[str, Any],
    optional: dict[str, Any],
    bases: list[str],
    vocabulary: Vocabulary,
    case_id: str | None,
    root: Path | None,
) -> dict[str, str] | None:
    """Ask for the required fields not given, then (optionally) categories, legal bases and
    a first event; ``given``, ``optional`` and ``bases`` are filled in place. Returns the
    first event, if any. On Ctrl-C, prints the command holding the answers so far."""
    from exilecases.cli.interview import Interview, command_line

    interview = Interview(vocabulary)
    event = None
    try:
        if not given["name"]:
            given["name"] = interview.name()
        if not given["status"]:
            _message("Status: where the case stands now, by outcome")
            given["status"] = interview.key("statuses", "Status", "at_risk")
        if not given["origin_country"]:
            question = "Origin: the state that pursues the person (ISO code)"
            given["origin_country"] = interview.country(question, "RU")
        if not given["host_country"]:
            question = "Host: where the person sought refuge (ISO code)"
            given["host_country"] = interview.country(question, "KZ")
        if not optional["categories"]:
            _message("Categories (optional, several separated by spaces; Enter for none):")
            optional["categories"] = interview.keys("categories", "Categories")
        if not bases:
            _message("Legal bases used against the person (optional; Enter for none):")
            bases.extend(interview.keys("legal_bases", "Legal bases"))
        event = interview.event()
    except (typer.Abort, EOFError, KeyboardInterrupt):
        partial = {**optional, **{k: v for k, v in given.items() if v}}
        if case_id:
            partial["id"] = case_id
        partial["charges"] = [{"basis": b} for b in bases]
        _message("\nnothing was written; what you typed so far:")
        _message("  " + command_line(partial, None, root and str(root)))
        raise typer.Exit(1) from None
    return event


def _interactive() -> bool:
    """True when a person is at the keyboard (standard input is a terminal)."""
    return sys.stdin.isatty()


# --- list -----------------------------------------------------------------------------


@app.command("list")
@_handles_errors
@_with_filters
def list_cases(
    sort: Annotated[
        str,
        typer.Option(
            help="Order by id, name, status, outcome, origin, host, first-event, last-event "
            "or next-deadline (the earliest open deadline)."
        ),
    ] = "id",
    reverse: Annotated[bool, typer.Option("--reverse", help="Reverse the order.")] = False,
    output: Annotated[TableFormat, typer.Option("--format", help="table, json or csv.")] = (
        TableFormat.table
    ),
    excel: ExcelOption = False,
    private: PrivateOption = False,
    filters: Any = None,
    root: RootOption = None,
) -> None:
    """List cases, one row each. Filters combine with AND; a repeated filter with OR.
    Public data only unless --private."""
    from exilecases.ops.query import sort_cases

    check_excel(excel, output)
    found, vocabulary = _open(root)
    filters.check(vocabulary)
    fast = output is TableFormat.json and sort == "id" and not reverse and not private
    if fast and not sys.stdout.isatty():
        # The index cache holds each case's JSON already: a script asking for every match
        # gets it without decoding and encoding thousands of cases again.
        from exilecases.ops.load import select_json

        fast = select_json(found, vocabulary, filters, _ProgressBar())
        if fast is not None:
            _warn_skipped(fast[1])
            sys.stdout.write(fast[0] + "\n")
            return
    cases = _select(found, vocabulary, filters, private=private)
    cases = sort_cases(cases, sort, vocabulary, reverse)
    if output is TableFormat.json:
        emit.emit_json(cases)
    elif output is TableFormat.csv:
        from exilecases.cli.tables import LIST_CSV_COLUMNS, list_rows

        emit.emit_csv(LIST_CSV_COLUMNS, list_rows(cases, vocabulary, filters.as_of), excel)
    else:
        from exilecases.cli import render

        render.out().print(render.list_table(cases, vocabulary, filters.as_of), crop=False)


# --- show -----------------------------------------------------------------------------


@app.command()
@_handles_errors
def show(
    case_id: CaseIdArgument,
    output: Annotated[ShowFormat, typer.Option("--format", help="table, json or toml.")] = (
        ShowFormat.table
    ),
    public: Annotated[
        bool,
        typer.Option("--public", help="Show only what a public output holds (a preview)."),
    ] = False,
    private: PrivateOption = False,
    root: RootOption = None,
) -> None:
    """Show one case in full, its timeline in date order. The table on your screen shows
    everything, private parts marked; --format json|toml is public unless --private."""
    from exilecases.format.privacy import public_view
    from exilecases.ops.load import check_path
    from exilecases.store.files import case_path

    if public and private:
        raise ExilecasesError("--public and --private exclude each other", 2)
    found, vocabulary = _open(root)
    path = case_path(found, case_id)
    if not os.path.lexists(path):
        raise _no_such_case(found, case_id)
    check = check_path(found, path, vocabulary)  # never follows a link (E006)
    if not check.ok or check.case is None:
        for item in check.findings:
            _message(item.format())
        raise ExilecasesError(f"{check.rel} has errors; fix them, then run exilecases validate")
    whole = private or (output is ShowFormat.table and not public)
    sealed = None
    if whole and isinstance(check.case.get("sealed"), dict):
        from exilecases.cli.seal import open_sealed

        # --private opens the sealed part or stops; the table says why it stays sealed
        sealed = open_sealed(found, check, vocabulary, strict=private)
    case = check.case if whole else public_view(check.case, vocabulary)
    if private:
        _private_note()
    if output is ShowFormat.json:
        emit.emit_json(case)
    elif output is ShowFormat.toml:
        from exilecases.format.canonical import canonical_text

        sys.stdout.write(canonical_text(case))
    else:
        from exilecases.cli import render

        render.out().print(render.case_panel(case, vocabulary, preview=public, sealed=sealed))


# --- validate -------------------------------------------------------------------------


@app.command()
@_handles_errors
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[PATH]...", help="Case files to check (default: every file in data/cases/)."
        ),
    ] = None,
    output: Annotated[FindingFormat, typer.Option("--format", help="text or json.")] = (
        FindingFormat.text
    ),
    show_source: Annotated[
        bool,
        typer.Option(
            "--show-source",
            help="Under each finding, the line it points at, with ^ under the spot.",
        ),
    ] = False,
    public_check: Annotated[
        bool,
        typer.Option(
            "--public-check",
            help="Also warn (W105) where "
            "a public field looks like a phone number, an e-mail or a street "
            "address.",
        ),
    ] = False,
    staged: Annotated[
        bool,
        typer.Option(
            "--staged",
            help="Check the case files as staged for the next commit (git's index), not "
            "as on disk: what the pre-commit hook runs.",
        ),
    ] = False,
    root: RootOption = None,
) -> None:
    """Check case files: syntax, schema, vocabularies, dates, sources, duplicates.

    Prints one line per finding, PATH:LINE:COL: error|warning CODE: message.
    Exits 1 when there is an error.
    """
    from exilecases.cli.text import safe
    from exilecases.format.findings import ERROR
    from exilecases.ops.load import load
    from exilecases.ops.validate import cross_file, vocabulary_findings

    found, vocabulary = _open(root, warn=False)
    if staged:
        if paths or show_source or public_check:
            raise ExilecasesError("--staged checks every staged case file, on its own", 2)
        _validate_staged(found, vocabulary, output)
        return
    files = [_inside_repository(found, p) for p in paths] if paths else None
    if files is None and not public_check:
        from exilecases.ops.load import check_repository

        findings, checked = check_repository(found, vocabulary, progress=_ProgressBar())
    else:
        # The personal-data check reads the whole files (private parts and all, never the
        # index); the other rules need only each case's public name.
        result = load(
            found, vocabulary, files, progress=_ProgressBar(), whole=public_check,
            private=public_check,
        )  # fmt: skip
        findings, checked = result.findings, len(result.checks)
        if files is None:
            findings += cross_file(result.checks, result.name_keys)
        if public_check:
            from exilecases.ops.validate import public_check as personal_data

            findings += personal_data(result.checks)
    findings += vocabulary_findings(vocabulary)
    if files is None:
        from exilecases.ops.validate import schema_check

        findings += schema_check(found, vocabulary)
    from exilecases.cli.seal import sealed_findings

    findings += sealed_findings(found, vocabulary, files)
    findings.sort(key=lambda f: f.sort_key())
    errors = sum(1 for f in findings if f.severity == ERROR)
    if output is FindingFormat.json:
        emit.emit_json([f.to_dict() for f in findings])
    else:
        sources: dict[str, list[str]] = {}
        for item in findings:
            sys.stdout.write(safe(item.format()) + "\n")
            if show_source:
                sys.stdout.write(emit.source_excerpt(found, item, sources))
        _message(emit.findings_summary(errors, len(findings) - errors, checked))
    _note_old_index(found)
    if errors:
        raise typer.Exit(1)


def _validate_staged(root: Path, vocabulary: Vocabulary, output: FindingFormat) -> None:
    """``validate --staged``: the staged blobs, checked file by file; exit 1 on an error."""
    from exilecases.format.findings import ERROR
    from exilecases.ops.staged import check_staged

    checks = check_staged(root, vocabulary)
    findings = sorted((f for c in checks for f in c.findings), key=lambda f: f.sort_key())
    errors = sum(1 for f in findings if f.severity == ERROR)
    if output is FindingFormat.json:
        emit.emit_json([f.to_dict() for f in findings])
    else:
        for item in findings:
            sys.stdout.write(item.format() + "\n")
        if checks:
            summary = emit.findings_summary(errors, len(findings) - errors, len(checks))
            _message(summary.replace(" checked", " checked as staged", 1))
        else:
            _message("no case file is staged")
    if errors:
        _message("fix the files, then `git add` them again (the commit takes what is staged)")
        raise typer.Exit(1)


def _note_old_index(root: Path) -> None:
    """Say that the first version's index folder in the work tree can go (it is never read:
    a clone could carry one)."""
    import os

    from exilecases.store.place import OLD_WORK_TREE_STATE

    if os.path.lexists(root / OLD_WORK_TREE_STATE):
        _message(
            f"note: an old index folder {OLD_WORK_TREE_STATE}/ can be deleted (the index now "
            "lives inside .git/, and nothing in the work tree is read as one)"
        )


# --- search and stats -------------------------------------------------------------------


@app.command()
@_handles_errors
def search(
    query: Annotated[
        str,
        typer.Argument(
            metavar="QUERY",
            help="A name in any spelling or "
            "script, or words from summaries, notes, places and sources.",
        ),
    ],
    limit: Annotated[int, typer.Option(help="Show at most this many results.", min=1)] = 20,
    min_score: Annotated[
        float, typer.Option(help="Leave out results scoring below this (0..1).", min=0.0, max=1.0)
    ] = 0.5,
    output: Annotated[TableFormat, typer.Option("--format", help="table, json or csv.")] = (
        TableFormat.table
    ),
    excel: ExcelOption = False,
    private: PrivateOption = False,
    root: RootOption = None,
) -> None:
    """Find cases by name, in Cyrillic or Latin, in any spelling, best match first. Searches
    public data only unless --private."""
    from exilecases.ops.load import search_documents
    from exilecases.ops.search import search as rank

    check_excel(excel, output)
    found, vocabulary = _open(root)
    if private:
        _private_note()
    documents = search_documents(found, vocabulary, _ProgressBar(), private=private, query=query)
    _warn_skipped(documents.broken)
    hits = rank(documents.cases, query, limit=limit, min_score=min_score)
    if output is TableFormat.json:
        emit.emit_json([hit.to_dict() for hit in hits])
    elif output is TableFormat.csv:
        emit.emit_csv(
            ("id", "name", "score", "matched"),
            ([h.id, h.name, h.score, h.matched] for h in hits),
            excel,
        )
    elif not hits:
        _message(f"no match for {query!r}")
    else:
        from exilecases.cli import render

        render.out().print(render.search_table(hits, query))


@app.command()
@_handles_errors
@_with_filters
def stats(
    by: Annotated[
        list[str],
        typer.Option(
            "--by",
            help="Count by status, outcome, basis, "
            "category, origin, host, year, proceeding (type) or breach (of interim measures); "
            "twice for a cross-table.",
            autocompletion=_complete_stats_field,
        ),
    ],
    event: Annotated[
        str | None,
        typer.Option(
            "--event",
            help="With --by year: count the years of events of this type (e.g. deportation).",
            **vocabulary_value("event_types"),
        ),
    ] = None,
    output: Annotated[TableFormat, typer.Option("--format", help="table, json or csv.")] = (
        TableFormat.table
    ),
    excel: ExcelOption = False,
    private: PrivateOption = False,
    filters: Any = None,
    root: RootOption = None,
) -> None:
    """Count cases by a field, or cross-tabulate two. Every filter of list applies first; a
    case with several values counts once under each. Public data only unless --private."""
    from exilecases.ops.stats import check_fields, count, shares

    check_excel(excel, output)
    found, vocabulary = _open(root)
    try:
        check_fields(by, event)
    except ValueError as error:
        raise ExilecasesError(str(error), 2) from None
    if event is not None and not vocabulary.has("event_types", event):
        suggestion = vocabulary.suggest("event_types", event)
        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        raise ExilecasesError(f"unknown event type {event!r}{hint}", 2)
    filters.check(vocabulary)
    from exilecases.ops.load import count_json

    selected: list[list[dict[str, Any]]] = []

    def counted(fields: list[str], warn: bool = True) -> dict[str, Any]:
        """The counts by ``fields``: by SQL over the index when it can, else from the
        cases (read once, for the margins of a cross-table too)."""
        fast = None
        kind = event if "year" in fields else None
        if not private:
            fast = count_json(found, vocabulary, filters, fields, kind, _ProgressBar())
        if fast is not None:
            if warn:
                _warn_skipped(fast[1])
            return fast[0]
        if not selected:
            cases = _select(found, vocabulary, filters, outlines=not private, private=private)
            if private:
                from exilecases.format.privacy import private_view

                # Count private events and private.status too (an --as-of status stays).
                views = [private_view(case) for case in cases]
                if filters.as_of:
                    views = [
                        {**v, "status": c["status"]} for v, c in zip(views, cases, strict=True)
                    ]
                cases = views
            selected.append(cases)
        return count(selected[0], fields, vocabulary, event_type=kind)

    result = counted(by)
    if output is TableFormat.json:
        emit.emit_json(result)
    elif output is TableFormat.csv:
        emit.emit_csv(
            [*result["by"], "count", "share"],
            (
                [*(row[f] for f in result["by"]), row["count"], share]
                for row, share in zip(result["rows"], shares(result), strict=True)
            ),
            excel,
        )
    else:
        from exilecases.cli import render

        if len(by) == 1:
            table = render.stats_table(result, shares(result))
        else:  # each row's and column's total counts cases once, however many values
            margins = [_margin(result, field, counted) for field in by]
            table = render.cross_table(result, margins)
        render.out().print(table)


def _margin(result: dict[str, Any], field: str, counted: Any) -> dict[str, Any]:
    """The totals of one field of a cross-table: its one-field counts (a case counts once
    however many values it has); with ``--event``, where each event is in one year, the
    other field's totals are the sums of its cells."""
    if field == "year" or result.get("counted") != "events":
        return counted([field], warn=False)
    sums: dict[Any, int] = {}
    for row in result["rows"]:
        sums[row[field]] = sums.get(row[field], 0) + row["count"]
    return {"rows": [{field: value, "count": number} for value, number in sums.items()]}
