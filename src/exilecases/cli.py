"""The command line: options, help texts and exit codes.

Each command calls into the core and one renderer. Heavy modules (pydantic, rich, rapidfuzz,
iuliia) are imported inside the commands that need them, so ``exilecases --help`` stays fast.
"""

from __future__ import annotations

import enum
import functools
import inspect
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from . import emit
from .errors import ExilecasesError

if TYPE_CHECKING:
    from .loader import LoadResult
    from .vocabulary import Vocabulary

app = typer.Typer(
    name="exilecases",
    help="A case database in plain TOML files for people at risk of being sent back to a "
    "state that persecutes them. Cases live in data/cases/<id>.toml, one file per person.",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class TableFormat(enum.StrEnum):
    """Output formats of commands that print data."""

    table = "table"
    json = "json"
    csv = "csv"


class ShowFormat(enum.StrEnum):
    """Output formats of ``show``."""

    table = "table"
    json = "json"
    toml = "toml"


class FindingFormat(enum.StrEnum):
    """Output formats of ``validate``."""

    text = "text"
    json = "json"


def _complete_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    from .repo import case_files, find_root

    try:
        root = find_root(ctx.params.get("root"))
    except ExilecasesError:
        return []
    return [p.stem for p in case_files(root) if p.stem.startswith(incomplete)]


def _completer(kind: str) -> Callable[[typer.Context, str], list[str]]:
    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        from .repo import find_root
        from .vocabulary import VocabularyError, load_vocabulary

        try:
            vocabulary = load_vocabulary(find_root(ctx.params.get("root")))
        except (ExilecasesError, VocabularyError):
            from .vocabulary import default_vocabulary

            vocabulary = default_vocabulary()
        return [key for key in vocabulary.keys(kind) if key.startswith(incomplete)]

    return complete


def _complete_stats_field(incomplete: str) -> list[str]:
    from .stats import STATS_FIELDS

    return [field for field in STATS_FIELDS if field.startswith(incomplete)]


RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root",
        metavar="DIR",
        help="The case repository (the folder holding data/cases/). Default: "
        "$EXILECASES_ROOT, else the nearest such folder at or above the current one.",
        show_default=False,
    ),
]
StatusOption = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        metavar="STATUS",
        help="Only cases with this status (repeat for any of several).",
        autocompletion=_completer("statuses"),
    ),
]
OutcomeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--outcome",
        metavar="OUTCOME",
        help="Only cases whose status has this outcome class: returned, "
        "pending, protected, unknown (repeatable).",
        autocompletion=_completer("outcomes"),
    ),
]
BasisOption = Annotated[
    list[str] | None,
    typer.Option(
        "--basis",
        metavar="BASIS",
        help="Only cases charged on this legal basis, e.g. RU-CC-338 (repeatable).",
        autocompletion=_completer("legal_bases"),
    ),
]
CategoryOption = Annotated[
    list[str] | None,
    typer.Option(
        "--category",
        metavar="CATEGORY",
        help="Only cases in this category (repeatable).",
        autocompletion=_completer("categories"),
    ),
]
OriginOption = Annotated[
    list[str] | None,
    typer.Option(
        "--origin", metavar="XX", help="Only cases pursued by this state (ISO code; repeatable)."
    ),
]
HostOption = Annotated[
    list[str] | None,
    typer.Option(
        "--host", metavar="XX", help="Only cases in this host state (ISO code; repeatable)."
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since",
        metavar="DATE",
        help="Only cases with an event on or after this date (YYYY, "
        "YYYY-MM or YYYY-MM-DD; a partial date counts in full).",
    ),
]
UntilOption = Annotated[
    str | None,
    typer.Option(
        "--until", metavar="DATE", help="Only cases with an event on or before this date."
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="Use the status each case had on this date, derived from "
        "its events' outcomes (unknown when no outcome is dated by then).",
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def _handles_errors(command: F) -> F:
    """Turn the project's exception and broken vocabularies into a message and exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .vocabulary import VocabularyError

        try:
            return command(*args, **kwargs)
        except ExilecasesError as error:
            _message(f"error: {error.message}")
            raise typer.Exit(error.exit_code) from None
        except VocabularyError as error:
            _message(f"error: {error}; fix that file, then run exilecases validate")
            raise typer.Exit(1) from None
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(0) from None
        except OSError as error:  # a full disk, a read-only folder, a file in use
            where = f" {error.filename}" if error.filename else ""
            _message(f"error:{where}: {error.strerror or error}; nothing was half-written")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _message(text: str) -> None:
    """A message for the person at the terminal, on standard error."""
    sys.stdout.flush()  # keep the order of data and messages on a shared terminal
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _open(root: Path | None) -> tuple[Path, Vocabulary]:
    from .repo import find_root
    from .vocabulary import load_vocabulary

    found = find_root(root)
    return found, load_vocabulary(found)


class _ProgressBar:
    """A progress bar on standard error, drawn only on a terminal and for long reads."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._task: Any = None

    def start(self, total: int) -> None:
        # About a second's work on two cores; smaller reads finish before a bar would help.
        if total < 2000 or not sys.stderr.isatty():
            return
        from rich.progress import Progress

        self._bar = Progress(console=_stderr(), transient=True)
        self._task = self._bar.add_task("reading case files", total=total)
        self._bar.start()

    def advance(self, count: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, count)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _stderr() -> Any:
    from .render import err

    return err()


def _warn_skipped(broken: list[tuple[str, Any]]) -> None:
    """One line on standard error per file the command skipped."""
    for rel, first in broken:
        detail = f"{first.line}:{first.col}: {first.code} {first.message}" if first else ""
        _message(f"warning: skipped {rel}:{detail} (run exilecases validate)")


def _load(root: Path, vocabulary: Vocabulary) -> LoadResult:
    """Every case, with a one-line warning on standard error for each file skipped."""
    from .loader import load

    result = load(root, vocabulary, progress=_ProgressBar())
    _warn_skipped([(check.rel, check.first_error) for check in result.broken])
    return result


def _select(
    root: Path, vocabulary: Vocabulary, filters: Any, outlines: bool = False
) -> list[dict[str, Any]]:
    """The cases passing ``filters``, warning about skipped files."""
    from .loader import select

    selection = select(root, vocabulary, filters, progress=_ProgressBar(), outlines=outlines)
    _warn_skipped(selection.broken)
    return selection.cases


#: The filter options shared by list, stats and export, declared once.
_FILTER_OPTIONS: dict[str, Any] = {
    "status": StatusOption,
    "outcome": OutcomeOption,
    "basis": BasisOption,
    "category": CategoryOption,
    "origin": OriginOption,
    "host": HostOption,
    "since": SinceOption,
    "until": UntilOption,
    "as_of": AsOfOption,
}


def _with_filters(command: F) -> F:
    """Give a command the filter options of ``list`` in place of its ``filters`` parameter,
    and call it with the ``query.Filters`` they make (an option not given: no filter)."""
    hints = typing.get_type_hints(command, include_extras=True)
    signature = inspect.signature(command)
    options = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=kind)
        for name, kind in _FILTER_OPTIONS.items()
    ]
    parameters = []
    for parameter in signature.parameters.values():
        if parameter.name == "filters":
            parameters.extend(options)
        else:
            parameters.append(
                parameter.replace(
                    kind=inspect.Parameter.KEYWORD_ONLY, annotation=hints[parameter.name]
                )
            )

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        from .query import Filters

        values = {name: kwargs.pop(name) for name in _FILTER_OPTIONS}
        given = {name: value for name, value in values.items() if value is not None}
        return command(**kwargs, filters=Filters(**given))

    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper  # type: ignore[return-value]


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
            help="Where the case stands now, e.g. asylum_pending.",
            autocompletion=_completer("statuses"),
        ),
    ] = None,
    origin: Annotated[
        str | None, typer.Option(help="The state that pursues the person (ISO code, e.g. RU).")
    ] = None,
    host: Annotated[
        str | None, typer.Option(help="Where the person sought refuge (ISO code, e.g. KZ).")
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
        list[str] | None, typer.Option(help="Citizenship, ISO code (repeatable).")
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option(
            help="Category, e.g. deserter (repeatable).", autocompletion=_completer("categories")
        ),
    ] = None,
    basis: Annotated[
        list[str] | None,
        typer.Option(
            help="A legal basis used against the person, e.g. RU-CC-338 (repeatable).",
            autocompletion=_completer("legal_bases"),
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
    from .newcase import build_case, missing_fields, write_new_case

    found, vocabulary = _open(root)
    given = {
        "name": name,
        "status": status,
        "origin_country": origin and origin.upper(),
        "host_country": host and host.upper(),
    }
    missing = missing_fields(given)
    if missing and _interactive():
        given.update(_ask(missing, vocabulary))
    elif missing:
        flags = ", ".join(f"--{m.removesuffix('_country').replace('_', '-')}" for m in missing)
        raise ExilecasesError(f"missing {flags} (no terminal to ask on)", 2)
    case = build_case(
        given,
        case_id=case_id,
        name_original=name_original,
        aliases=alias or [],
        born=born,
        citizenship=citizenship or [],
        categories=category or [],
        bases=basis or [],
        risk=risk,
        summary=summary,
        distinct_from=distinct_from or [],
        private_fields=private_field or [],
    )
    path = write_new_case(found, case, vocabulary)
    _message(f"created {path.relative_to(found).as_posix()}")
    if commit:
        from .gitutil import commit_paths

        commit_paths(found, [path], f"{case['id']}: add case ({case['status']})")
        _message("committed")


def _interactive() -> bool:
    """True when a person is at the keyboard (standard input is a terminal)."""
    return sys.stdin.isatty()


def _ask(missing: list[str], vocabulary: Vocabulary) -> dict[str, str]:
    questions = {
        "name": ("Name (Latin script)", None),
        "status": (f"Status ({', '.join(vocabulary.keys('statuses'))})", "at_risk"),
        "origin_country": ("Origin state (ISO code)", "RU"),
        "host_country": ("Host state (ISO code)", "KZ"),
    }
    answers = {}
    for field in missing:
        text, default = questions[field]
        answer = typer.prompt(text, default=default) if default else typer.prompt(text)
        answers[field] = answer.strip().upper() if field.endswith("_country") else answer.strip()
    return answers


# --- list -----------------------------------------------------------------------------


@app.command("list")
@_handles_errors
@_with_filters
def list_cases(
    sort: Annotated[
        str,
        typer.Option(
            help="Order by id, name, status, outcome, origin, host, first-event or last-event."
        ),
    ] = "id",
    reverse: Annotated[bool, typer.Option("--reverse", help="Reverse the order.")] = False,
    output: Annotated[TableFormat, typer.Option("--format", help="table, json or csv.")] = (
        TableFormat.table
    ),
    filters: Any = None,
    root: RootOption = None,
) -> None:
    """List cases, one row each. Filters combine with AND; a repeated filter with OR."""
    from .query import sort_cases

    found, vocabulary = _open(root)
    filters.check(vocabulary)
    if output is TableFormat.json and sort == "id" and not reverse and not sys.stdout.isatty():
        # The index cache holds each case's JSON already: a script asking for every match
        # gets it without decoding and encoding thousands of cases again.
        from .loader import select_json

        fast = select_json(found, vocabulary, filters, _ProgressBar())
        if fast is not None:
            _warn_skipped(fast[1])
            sys.stdout.write(fast[0] + "\n")
            return
    cases = sort_cases(_select(found, vocabulary, filters), sort, vocabulary, reverse)
    if output is TableFormat.json:
        emit.emit_json(cases)
    elif output is TableFormat.csv:
        from .tables import LIST_CSV_COLUMNS, list_rows

        emit.emit_csv(LIST_CSV_COLUMNS, list_rows(cases, vocabulary))
    else:
        from . import render

        render.out().print(render.list_table(cases, vocabulary))


# --- show -----------------------------------------------------------------------------


@app.command()
@_handles_errors
def show(
    case_id: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="The case id (its file name).", autocompletion=_complete_ids
        ),
    ],
    output: Annotated[ShowFormat, typer.Option("--format", help="table, json or toml.")] = (
        ShowFormat.table
    ),
    root: RootOption = None,
) -> None:
    """Show one case in full, its timeline in date order."""
    from .loader import check_path
    from .repo import case_path

    found, vocabulary = _open(root)
    path = case_path(found, case_id)
    if not path.is_file():
        raise ExilecasesError(
            f"no case {case_id!r} (no file {path.relative_to(found)}); "
            "`exilecases search NAME` finds a case by name"
        )
    check = check_path(found, path, vocabulary)
    if not check.ok or check.case is None:
        for item in check.findings:
            _message(item.format())
        raise ExilecasesError(f"{check.rel} has errors; fix them, then run exilecases validate")
    from . import render

    if output is ShowFormat.json:
        emit.emit_json(check.case)
    elif output is ShowFormat.toml:
        from .canonical import canonical_text

        sys.stdout.write(canonical_text(check.case))
    else:
        render.out().print(render.case_panel(check.case, vocabulary))


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
    root: RootOption = None,
) -> None:
    """Check case files: syntax, schema, vocabularies, dates, sources, duplicates.

    Prints one line per finding, PATH:LINE:COL: error|warning CODE: message.
    Exits 1 when there is an error.
    """
    from .findings import ERROR
    from .loader import load
    from .validate import cross_file

    found, vocabulary = _open(root)
    files = [_inside_repository(found, p) for p in paths] if paths else None
    # The personal-data check reads whole cases; the other rules need only each case's name.
    result = load(found, vocabulary, files, progress=_ProgressBar(), whole=public_check)
    findings = result.findings
    if files is None:
        findings += cross_file(result.checks, result.name_keys)
    if public_check:
        from .validate import public_check as personal_data

        findings += personal_data(result.checks)
    findings.sort(key=lambda f: f.sort_key())
    errors = sum(1 for f in findings if f.severity == ERROR)
    if output is FindingFormat.json:
        emit.emit_json([f.to_dict() for f in findings])
    else:
        sources: dict[str, list[str]] = {}
        for item in findings:
            sys.stdout.write(item.format() + "\n")
            if show_source:
                sys.stdout.write(emit.source_excerpt(found, item, sources))
        _message(emit.findings_summary(errors, len(findings) - errors, len(result.checks)))
    if errors:
        raise typer.Exit(1)


def _inside_repository(root: Path, path: Path) -> Path:
    """A user-given path, refused unless it is a file inside data/cases/."""
    from .repo import cases_dir

    resolved = (path if path.is_absolute() else Path.cwd() / path).resolve()
    folder = cases_dir(root).resolve()
    if resolved.parent != folder:
        raise ExilecasesError(f"{path} is not a file in {folder}; validate checks case files", 2)
    if not resolved.is_file():
        raise ExilecasesError(f"{path}: no such file", 2)
    return resolved


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
    root: RootOption = None,
) -> None:
    """Find cases by name, in Cyrillic or Latin, in any spelling, best match first."""
    from .loader import search_documents
    from .search import search as rank

    found, vocabulary = _open(root)
    documents = search_documents(found, vocabulary, _ProgressBar())
    _warn_skipped(documents.broken)
    hits = rank(documents.cases, query, limit=limit, min_score=min_score)
    if output is TableFormat.json:
        emit.emit_json([hit.to_dict() for hit in hits])
    elif output is TableFormat.csv:
        emit.emit_csv(
            ("id", "name", "score", "matched"), ([h.id, h.name, h.score, h.matched] for h in hits)
        )
    else:
        from . import render

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
            "category, origin, host or year; twice for a cross-table.",
            autocompletion=_complete_stats_field,
        ),
    ],
    event: Annotated[
        str | None,
        typer.Option(
            "--event",
            help="With --by year: count the years of events of this type (e.g. deportation).",
            autocompletion=_completer("event_types"),
        ),
    ] = None,
    output: Annotated[TableFormat, typer.Option("--format", help="table, json or csv.")] = (
        TableFormat.table
    ),
    filters: Any = None,
    root: RootOption = None,
) -> None:
    """Count cases by a field, or cross-tabulate two. Every filter of list applies first; a
    case with several values counts once under each."""
    from .stats import check_fields, count, shares

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
    result = count(
        _select(found, vocabulary, filters, outlines=True), by, vocabulary, event_type=event
    )
    if output is TableFormat.json:
        emit.emit_json(result)
    elif output is TableFormat.csv:
        emit.emit_csv(
            [*result["by"], "count", "share"],
            (
                [*(row[f] for f in result["by"]), row["count"], share]
                for row, share in zip(result["rows"], shares(result), strict=True)
            ),
        )
    else:
        from . import render

        table = (
            render.stats_table(result, shares(result))
            if len(by) == 1
            else render.cross_table(result)
        )
        render.out().print(table)


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


def _output_path(root: Path, output: Path, overwrite: bool) -> Path:
    """Where an export may be written: never into data/cases/, never over a file unasked."""
    from .repo import cases_dir

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
            help="Leave out [private], private "
            "contacts and every field marked private: safe to publish.",
        ),
    ] = False,
    table: Annotated[
        ExportTable | None,
        typer.Option(
            "--table",
            help="csv: one row per event, charge, source or contact instead of one per case.",
        ),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing output file.")
    ] = False,
    filters: Any = None,
    root: RootOption = None,
) -> None:
    """Export cases as JSON, CSV or an SQLite database (every filter of list applies).
    Nothing leaves the machine except the file you write."""
    from .query import sort_cases
    from .repo import atomic_write

    found, vocabulary = _open(root)
    if table is not None and output_format is not ExportFormat.csv:
        raise ExilecasesError("--table goes with --format csv", 2)
    if output_format is ExportFormat.sqlite and output is None:
        raise ExilecasesError("--format sqlite needs -o FILE", 2)
    target = _output_path(found, output, overwrite) if output is not None else None
    filters.check(vocabulary)
    cases = sort_cases(_select(found, vocabulary, filters), "id", vocabulary)
    from . import export as exporting

    if output_format is ExportFormat.sqlite:
        assert target is not None
        exporting.export_sqlite(cases, vocabulary, target, public=public, overwrite=overwrite)
        text = None
    elif output_format is ExportFormat.csv:
        text = exporting.export_csv(
            cases, vocabulary, public=public, table=table.value if table else None
        )
    else:
        text = exporting.export_json(cases, vocabulary, public=public)
    if text is not None and target is None:
        sys.stdout.write(text)
        return
    if text is not None:
        assert target is not None
        atomic_write(target, text)
    kind = "public " if public else ""
    _message(
        f"wrote {len(cases)} case{'s' * (len(cases) != 1)} to {output} ({kind}"
        f"{output_format.value})"
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
    from .repo import atomic_write
    from .schema import schema_text
    from .vocabulary import load_vocabulary

    # Outside a case repository the schema has the default vocabularies.
    text = schema_text(load_vocabulary(_find_root_or_none(root)))
    if output is None:
        sys.stdout.write(text)
    else:
        atomic_write(output, text)
        _message(f"wrote {output}")


def _find_root_or_none(root: Path | None) -> Path | None:
    from .repo import find_root

    try:
        return find_root(root)
    except ExilecasesError:
        if root is not None:
            raise
        return None


# --- the git-native workflow -----------------------------------------------------------


@app.command()
@_handles_errors
def init(
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="[DIR]", help="Where to make the repository (default: the current folder)."
        ),
    ] = Path(),
) -> None:
    """Make a new case repository: data/cases/, data/vocabulary.toml, git, the diff driver
    and a pre-commit hook. Safe to run twice: an existing file is never overwritten."""
    from .initrepo import init_repository

    report = init_repository(directory)
    for item in report.created:
        _message(f"created {item}")
    for item in report.kept:
        _message(f"kept    {item}")
    _message(f"case repository ready at {report.root}; add a case with `exilecases add`")


def _edit(root: Path | None, case_id: str, transform: Callable[[str], str], commit: bool) -> None:
    """Apply one edit through ``update.edit_case``, say what changed, commit on request."""
    from .update import edit_case

    found, vocabulary = _open(root)
    result = edit_case(found, case_id, transform, vocabulary)
    rel = result.path.relative_to(found).as_posix()
    if not result.changes and result.changed_lines == 0:
        _message(f"{rel}: nothing to change")
        return
    for change in result.changes:
        _message(f"{case_id}: {change.format()}")
    _message(
        f"wrote {rel} ({result.changed_lines} line{'s' * (result.changed_lines != 1)} changed)"
    )
    if commit:
        from .gitutil import commit_paths
        from .history import field_changes, read_case_at

        # The commit holds every change to the file since HEAD, not only this edit's.
        result.changes = field_changes(read_case_at(found, "HEAD", rel), result.new)
        commit_paths(found, [result.path], result.commit_message())
        _message(f"committed: {result.commit_message()}")


CommitOption = Annotated[
    bool,
    typer.Option(
        "--commit", help="Commit the change with git, with a message that names the fields changed."
    ),
]
CaseIdArgument = Annotated[
    str, typer.Argument(metavar="ID", help="The case id.", autocompletion=_complete_ids)
]


@app.command("set")
@_handles_errors
def set_command(
    case_id: CaseIdArgument,
    field: Annotated[
        str, typer.Argument(metavar="FIELD", help="A top-level field, e.g. status, risk, aliases.")
    ],
    values: Annotated[
        list[str],
        typer.Argument(
            metavar="VALUE...",
            help="The new value (lists: every value; an empty string removes an optional field).",
        ),
    ],
    add: Annotated[bool, typer.Option("--add", help="Lists: add the values.")] = False,
    remove: Annotated[bool, typer.Option("--remove", help="Lists: remove the values.")] = False,
    commit: CommitOption = False,
    root: RootOption = None,
) -> None:
    """Set one field of a case, changing only its line and keeping every comment."""
    from .edit import set_field

    _edit(
        root, case_id, lambda text: set_field(text, field, values, add=add, remove=remove), commit
    )


def _entry_command(table: str) -> Callable[..., None]:
    """The body shared by ``event add``, ``charge add``, ``source add`` and ``contact add``."""

    def add_entry_to(root: Path | None, case_id: str, entry: dict[str, Any], commit: bool) -> None:
        from .edit import add_entry

        cleaned = {key: value for key, value in entry.items() if value not in (None, [], "")}
        _edit(root, case_id, lambda text: add_entry(text, table, cleaned), commit)

    return add_entry_to


event_app = typer.Typer(help="Add an event to a case's timeline.", no_args_is_help=True)
charge_app = typer.Typer(
    help="Add a charge (a legal basis used against the person).", no_args_is_help=True
)
source_app = typer.Typer(help="Add a source to a case.", no_args_is_help=True)
contact_app = typer.Typer(
    help="Add a contact (lawyer, organisation, relative).", no_args_is_help=True
)
app.add_typer(event_app, name="event")
app.add_typer(charge_app, name="charge")
app.add_typer(source_app, name="source")
app.add_typer(contact_app, name="contact")
SourcesOption = Annotated[
    list[str] | None,
    typer.Option("--source", help="Id of a [[sources]] entry that supports it (repeatable)."),
]


@event_app.command("add")
@_handles_errors
def event_add(
    case_id: CaseIdArgument,
    date: Annotated[str, typer.Option(help="When: YYYY, YYYY-MM or YYYY-MM-DD, with ? or ~.")],
    event_type: Annotated[
        str,
        typer.Option(
            "--type", help="Event type, e.g. detention.", autocompletion=_completer("event_types")
        ),
    ],
    outcome: Annotated[
        str | None,
        typer.Option(help="The status this event produced.", autocompletion=_completer("statuses")),
    ] = None,
    place: Annotated[str | None, typer.Option(help="Where.")] = None,
    authority: Annotated[str | None, typer.Option(help="Which court or office.")] = None,
    note: Annotated[str | None, typer.Option(help="What happened, in a sentence.")] = None,
    source: SourcesOption = None,
    commit: CommitOption = False,
    root: RootOption = None,
) -> None:
    """Add an event after the case's last one (the timeline is shown in date order)."""
    entry = {
        "date": date,
        "type": event_type,
        "place": place,
        "authority": authority,
        "outcome": outcome,
        "note": note,
        "sources": source or [],
    }
    _entry_command("events")(root, case_id, entry, commit)


@charge_app.command("add")
@_handles_errors
def charge_add(
    case_id: CaseIdArgument,
    basis: Annotated[
        str,
        typer.Option(help="Legal basis, e.g. RU-CC-338.", autocompletion=_completer("legal_bases")),
    ],
    date: Annotated[str | None, typer.Option(help="When the charge was brought.")] = None,
    note: Annotated[str | None, typer.Option(help="A sentence on the charge.")] = None,
    source: SourcesOption = None,
    commit: CommitOption = False,
    root: RootOption = None,
) -> None:
    """Add a charge to a case."""
    entry = {"basis": basis, "date": date, "note": note, "sources": source or []}
    _entry_command("charges")(root, case_id, entry, commit)


@source_app.command("add")
@_handles_errors
def source_add(
    case_id: CaseIdArgument,
    source_id: Annotated[
        str, typer.Option("--id", help="Short id, unique in the case, cited by events and charges.")
    ],
    outlet: Annotated[str | None, typer.Option(help="Who published it.")] = None,
    title: Annotated[str | None, typer.Option(help="Headline.")] = None,
    url: Annotated[str | None, typer.Option(help="Address.")] = None,
    archive_url: Annotated[str | None, typer.Option(help="A saved copy.")] = None,
    published: Annotated[str | None, typer.Option(help="Publication date.")] = None,
    language: Annotated[str | None, typer.Option(help="ISO 639 code, e.g. ru.")] = None,
    confidence: Annotated[str | None, typer.Option(help="high, medium or low.")] = None,
    note: Annotated[str | None, typer.Option(help="A note on the source.")] = None,
    commit: CommitOption = False,
    root: RootOption = None,
) -> None:
    """Add a source to a case."""
    entry = {
        "id": source_id,
        "outlet": outlet,
        "title": title,
        "url": url,
        "archive_url": archive_url,
        "published": published,
        "language": language,
        "confidence": confidence,
        "note": note,
    }
    _entry_command("sources")(root, case_id, entry, commit)


@contact_app.command("add")
@_handles_errors
def contact_add(
    case_id: CaseIdArgument,
    name: Annotated[str, typer.Option(help="The contact's name.")],
    role: Annotated[str | None, typer.Option(help="lawyer, organisation, relative, ...")] = None,
    organisation: Annotated[str | None, typer.Option(help="Their organisation.")] = None,
    note: Annotated[str | None, typer.Option(help="A note.")] = None,
    private: Annotated[bool, typer.Option("--private", help="Never publish this contact.")] = (
        False
    ),
    commit: CommitOption = False,
    root: RootOption = None,
) -> None:
    """Add a contact to a case."""
    entry = {
        "name": name,
        "role": role,
        "organisation": organisation,
        "note": note,
        "private": True if private else None,
    }
    _entry_command("contacts")(root, case_id, entry, commit)


@app.command()
@_handles_errors
def fmt(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[PATH]...", help="Case files (default: every file in data/cases/)."
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Change nothing; exit 1 listing the files that would change."),
    ] = False,
    root: RootOption = None,
) -> None:
    """Rewrite case files in canonical form, keeping every comment. Formatting twice changes
    nothing."""
    from .edit import format_text
    from .repo import atomic_write, case_files

    found, _ = _open(root)
    files = [_inside_repository(found, p) for p in paths] if paths else case_files(found)
    would_change, unreadable = [], []
    for path in files:
        rel = path.relative_to(found).as_posix() if path.is_relative_to(found) else str(path)
        try:
            text = path.read_text("utf-8")
            formatted = format_text(text)
        except (UnicodeDecodeError, ExilecasesError):
            unreadable.append(rel)
            continue
        if formatted == text:
            continue
        would_change.append(rel)
        if not check:
            atomic_write(path, formatted)
    for rel in unreadable:
        _message(f"{rel}: not valid TOML, left as it is (run exilecases validate)")
    for rel in would_change:
        sys.stdout.write(f"{rel}\n") if check else _message(f"formatted {rel}")
    if check and would_change:
        _message(f"{len(would_change)} file(s) would change; run exilecases fmt")
    if (check and would_change) or unreadable:
        raise typer.Exit(1)


class HistoryFormat(enum.StrEnum):
    """Output formats of ``log`` and ``diff``."""

    text = "text"
    json = "json"


@app.command()
@_handles_errors
def log(
    case_id: CaseIdArgument,
    output: Annotated[HistoryFormat, typer.Option("--format", help="text or json.")] = (
        HistoryFormat.text
    ),
    root: RootOption = None,
) -> None:
    """A case's history from git: each commit with the fields it changed (following renames)."""
    from .history import case_log, render_log

    found, _ = _open(root)
    entries = case_log(found, case_id)
    if output is HistoryFormat.json:
        emit.emit_json([entry.to_dict() for entry in entries])
    else:
        sys.stdout.write(render_log(entries).rstrip("\n") + "\n")


@app.command()
@_handles_errors
def diff(
    revisions: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[REV [REV]]",
            help="Zero "
            "revisions: the working tree against HEAD; one: that revision against "
            "the working tree; two: the first against the second.",
        ),
    ] = None,
    output: Annotated[HistoryFormat, typer.Option("--format", help="text or json.")] = (
        HistoryFormat.text
    ),
    root: RootOption = None,
) -> None:
    """What changed in the cases between two revisions, field by field."""
    from .history import diff_cases, render_diff

    revisions = revisions or []
    if len(revisions) > 2:
        raise ExilecasesError("diff takes at most two revisions", 2)
    found, _ = _open(root)
    if len(revisions) == 2:
        diffs = diff_cases(found, revisions[0], revisions[1])
    else:
        diffs = diff_cases(found, revisions[0] if revisions else None, None)
    if output is HistoryFormat.json:
        emit.emit_json([item.to_dict() for item in diffs])
    elif diffs:
        sys.stdout.write(render_diff(diffs).rstrip("\n") + "\n")
    else:
        _message("no case changed")


@app.command("git-diff-driver")
@_handles_errors
def git_diff_driver(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="The file git passes.")],
) -> None:
    """For git (installed by init): print a case file one field per line, so that `git diff`
    and `git log -p` show field-level changes."""
    from .history import textconv_file

    sys.stdout.write(textconv_file(path))


def main() -> None:
    """The console script entry point."""
    app()
