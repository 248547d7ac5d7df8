"""The commands of proceedings and deadlines: due, proceeding add, deadline add|done|set."""

from __future__ import annotations

import datetime as dt
import enum
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from exilecases.cli import emit
from exilecases.cli.common import (
    CaseIdArgument,
    ExcelOption,
    RootOption,
    _handles_errors,
    _message,
    _open,
    _ProgressBar,
    _warn_skipped,
    _with_filters,
    app,
    check_excel,
    vocabulary_value,
)
from exilecases.errors import ExilecasesError

if TYPE_CHECKING:
    from exilecases.format.vocabulary import Vocabulary


class DueFormat(enum.StrEnum):
    """Output formats of ``due``."""

    table = "table"
    json = "json"
    csv = "csv"
    ics = "ics"


def _csv_columns() -> tuple[str, ...]:
    """The columns of ``due --format csv``: the JSON keys, the trigger in two columns."""
    from exilecases.ops.deadlines import DUE_KEYS

    columns: list[str] = []
    for key in DUE_KEYS:
        columns += ["trigger_date", "trigger_type"] if key == "trigger" else [key]
    return tuple(columns)


def _day(value: str | None, option: str) -> dt.date:
    """A ``--as-of``/``--on`` day (default today); a partial date means its first day."""
    if value is None:
        return dt.date.today()
    from exilecases.format.dates import DateError, as_of_day

    try:
        return as_of_day(value, first=True)
    except DateError as error:
        raise ExilecasesError(f"{option}: {error}", 2) from None


def _check_keys(values: list[str], kind: str, vocabulary: Vocabulary) -> None:
    for value in values:
        if not vocabulary.has(kind, value):
            suggestion = vocabulary.suggest(kind, value)
            hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
            raise ExilecasesError(
                f"unknown {kind.rstrip('s').replace('_', ' ')} {value!r}{hint}; known: "
                + ", ".join(vocabulary.keys(kind)),
                2,
            )


@app.command()
@_handles_errors
@_with_filters(without=("as_of",))
def due(
    within: Annotated[
        int,
        typer.Option(
            "--within",
            metavar="DAYS",
            min=0,
            help="Deadlines whose earliest possible day is at most this many days away "
            "(overdue ones are always listed).",
        ),
    ] = 14,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="DATE", help="Count days from this day instead of today."),
    ] = None,
    owner: Annotated[
        list[str] | None,
        typer.Option(
            "--owner",
            metavar="NAME",
            help="Only deadlines this person must act on (the deadline's owner, else the "
            "proceeding's lawyer; repeatable).",
        ),
    ] = None,
    deadline_type: Annotated[
        list[str] | None,
        typer.Option(
            "--type",
            metavar="TYPE",
            help="Only deadlines of this type, e.g. appeal (repeatable).",
            **vocabulary_value("deadline_types"),
        ),
    ] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only deadlines whose earliest day has passed.")
    ] = False,
    every: Annotated[
        bool, typer.Option("--all", help="Every open deadline, however far away.")
    ] = False,
    private: Annotated[
        bool,
        typer.Option(
            "--private",
            help="Include private deadlines (reads the files, not the index). Never use it "
            "for a calendar file that leaves this computer.",
        ),
    ] = False,
    alarm: Annotated[
        int,
        typer.Option("--alarm", metavar="DAYS", min=0, help="ics: remind this many days before."),
    ] = 3,
    output: Annotated[
        DueFormat, typer.Option("--format", help="table, json, csv or ics (iCalendar).")
    ] = DueFormat.table,
    excel: ExcelOption = False,
    filters: Any = None,
    root: RootOption = None,
) -> None:
    """What must be done, by when: open deadlines, recorded and derived from the rules,
    earliest possible day first. Overdue ones are always listed. Every filter of list
    applies to the cases first. Derived deadlines are advice; check the law."""
    from exilecases.ops.deadlines import DueQuery
    from exilecases.ops.load import select_deadlines

    check_excel(excel, output)
    found, vocabulary = _open(root)
    filters.check(vocabulary)
    _check_keys(deadline_type or [], "deadline_types", vocabulary)
    if private and output is DueFormat.ics:
        raise ExilecasesError(
            "--private cannot go with --format ics: a calendar file is read by the calendar "
            "service it is imported into; it carries public deadlines only",
            2,
        )
    day = _day(as_of, "--as-of")
    query = DueQuery(day, within, owner or [], deadline_type or [], overdue, every)
    if private:
        _message("--private: reading the case files, private deadlines included")
    fast = None
    if output is DueFormat.json and not private and not sys.stdout.isatty():
        # The index holds each deadline's JSON: SQLite fills in the days left.
        from exilecases.ops.load import select_deadlines_json

        fast = select_deadlines_json(found, vocabulary, filters, query, _ProgressBar())
    if fast is not None:
        text, selection = fast
        _warn_skipped(selection.broken)
        sys.stdout.write(text + "\n")
        _left_out(selection.private_left_out)
        return
    selection = select_deadlines(
        found, vocabulary, filters, query, private=private, progress=_ProgressBar()
    )
    _warn_skipped(selection.broken)
    items = selection.items
    if output is DueFormat.json:
        emit.emit_json([item.listing(day) for item in items])
    elif output is DueFormat.csv:
        columns = _csv_columns()
        rows = (_csv_row(item.listing(day), columns) for item in items)
        emit.emit_csv(columns, rows, excel)
    elif output is DueFormat.ics:
        from exilecases.cli.ics import calendar_text

        sys.stdout.write(calendar_text(items, vocabulary, day, alarm))
    else:
        from exilecases.cli import render

        render.out().print(render.due_table(items, vocabulary, day))
        if any(item.derived for item in items):
            from exilecases.ops.deadlines import ADVICE

            _message(ADVICE)
    _left_out(selection.private_left_out)


def _left_out(count: int) -> None:
    """Say how many private deadlines a public listing left out."""
    if count:
        _message(
            f"{count} private deadline{'s' * (count != 1)} not shown; use --private "
            "(on this computer only)"
        )


def _csv_row(listing: dict[str, Any], columns: tuple[str, ...]) -> list[Any]:
    trigger = listing["trigger"] or {}
    row = {**listing, "trigger_date": trigger.get("date"), "trigger_type": trigger.get("type")}
    row["derived"] = "true" if listing["derived"] else "false"
    return [row[column] for column in columns]


# --- proceeding add, deadline add|done|set ------------------------------------------------

proceeding_app = typer.Typer(
    help="Add a proceeding (asylum, extradition, ...).", no_args_is_help=True
)
deadline_app = typer.Typer(
    help="Add a deadline, mark one done, or set its state.", no_args_is_help=True
)
app.add_typer(proceeding_app, name="proceeding")
app.add_typer(deadline_app, name="deadline")

CommitOption = Annotated[
    bool,
    typer.Option(
        "--commit", help="Commit the change with git, with a message that names the fields changed."
    ),
]
SourcesOption = Annotated[
    list[str] | None,
    typer.Option("--source", help="Id of a [[sources]] entry that supports it (repeatable)."),
]
PrivateEntryOption = Annotated[
    bool,
    typer.Option(
        "--private",
        help="Write it under [private] (never published, never in a calendar file).",
    ),
]


def _add(
    root: Path | None, case_id: str, table: str, entry: dict[str, Any], private: bool, commit: bool
) -> None:
    from exilecases.cli.git import _edit
    from exilecases.ops.edit import add_entry, add_private_entry

    cleaned = {key: value for key, value in entry.items() if value not in (None, [], "")}
    if private:
        _edit(root, case_id, lambda text: add_private_entry(text, table, cleaned), commit)
    else:
        _edit(root, case_id, lambda text: add_entry(text, table, cleaned), commit)


@proceeding_app.command("add")
@_handles_errors
def proceeding_add(
    case_id: CaseIdArgument,
    proceeding_id: Annotated[
        str, typer.Option("--id", help="Short id, unique in the case, e.g. asylum.")
    ],
    proceeding_type: Annotated[
        str,
        typer.Option(
            "--type",
            help="Proceeding type, e.g. extradition.",
            **vocabulary_value("proceeding_types"),
        ),
    ],
    authority: Annotated[str | None, typer.Option(help="The court or office.")] = None,
    reference: Annotated[str | None, typer.Option(help="Docket or file number.")] = None,
    opened: Annotated[str | None, typer.Option(help="When it opened.")] = None,
    closed: Annotated[str | None, typer.Option(help="When it closed.")] = None,
    lawyer: Annotated[
        str | None, typer.Option(help="The lawyer: the name of one of the case's contacts.")
    ] = None,
    note: Annotated[str | None, typer.Option(help="A sentence on the proceeding.")] = None,
    source: SourcesOption = None,
    private: PrivateEntryOption = False,
    commit: CommitOption = False,
    root: RootOption = None,
) -> None:
    """Add a proceeding to a case; events and deadlines name it with --proceeding ID."""
    entry = {
        "id": proceeding_id,
        "type": proceeding_type,
        "authority": authority,
        "reference": reference,
        "opened": opened,
        "closed": closed,
        "lawyer": lawyer,
        "note": note,
        "sources": source or [],
    }
    _add(root, case_id, "proceedings", entry, private, commit)


@deadline_app.command("add")
@_handles_errors
def deadline_add(
    case_id: CaseIdArgument,
    due_date: Annotated[
        str, typer.Option("--due", help="The last day: YYYY-MM-DD (or partial, with ? or ~).")
    ],
    deadline_type: Annotated[
        str,
        typer.Option(
            "--type",
            help="Deadline type, e.g. appeal.",
            **vocabulary_value("deadline_types"),
        ),
    ],
    what: Annotated[str | None, typer.Option(help="What must be done, in a sentence.")] = None,
    proceeding: Annotated[
        str | None, typer.Option(help="Id of the proceeding it belongs to.")
    ] = None,
    owner: Annotated[
        str | None, typer.Option(help="Who must act: the name of one of the case's contacts.")
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note.")] = None,
    source: SourcesOption = None,
    private: PrivateEntryOption = False,
    commit: CommitOption = False,
    root: RootOption = None,
) -> None:
    """Add a deadline to a case (due lists it until it is done)."""
    entry = {
        "due": due_date,
        "type": deadline_type,
        "proceeding": proceeding,
        "what": what,
        "owner": owner,
        "note": note,
        "sources": source or [],
    }
    _add(root, case_id, "deadlines", entry, private, commit)


NumberArgument = Annotated[
    str | None,
    typer.Argument(
        metavar="[N]",
        help="The deadline's number as show prints it (1, 2, ...; p1, p2, ... for private "
        "ones). Leave it out for a derived deadline and give --rule and --trigger.",
    ),
]
RuleOption = Annotated[
    str | None,
    typer.Option(
        "--rule",
        metavar="KEY",
        help="A derived deadline: the rule it comes from.",
        **vocabulary_value("deadline_rules"),
    ),
]
TriggerOption = Annotated[
    str | None,
    typer.Option(
        "--trigger", metavar="DATE", help="A derived deadline: the date of its trigger event."
    ),
]


class SettleState(enum.StrEnum):
    """The states ``deadline set`` gives."""

    missed = "missed"
    moot = "moot"


@deadline_app.command("done")
@_handles_errors
def deadline_done(
    case_id: CaseIdArgument,
    number: NumberArgument = None,
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="DATE", help="The day it was done (default: today)."),
    ] = None,
    rule: RuleOption = None,
    trigger: TriggerOption = None,
    commit: CommitOption = False,
    root: RootOption = None,
) -> None:
    """Mark a deadline met. A derived one is recorded as a met deadline, so that it stops
    being derived."""
    day = _checked_date(on, "--on") if on else dt.date.today().isoformat()
    _settle(root, case_id, number, rule, trigger, {"done": day}, "met", commit)


@deadline_app.command("set")
@_handles_errors
def deadline_set(
    case_id: CaseIdArgument,
    number: NumberArgument = None,
    state: Annotated[
        SettleState, typer.Option("--state", help="missed or moot (no longer relevant).")
    ] = SettleState.missed,
    rule: RuleOption = None,
    trigger: TriggerOption = None,
    commit: CommitOption = False,
    root: RootOption = None,
) -> None:
    """Set a deadline's state to missed or moot (a derived one is recorded in that state)."""
    _settle(root, case_id, number, rule, trigger, {"state": state.value}, state.value, commit)


def _checked_date(value: str, option: str) -> str:
    from exilecases.format.dates import DateError, normalise_date

    try:
        return normalise_date(value)
    except DateError as error:
        raise ExilecasesError(f"{option}: {error}", 2) from None


def _settle(
    root: Path | None,
    case_id: str,
    number: str | None,
    rule: str | None,
    trigger: str | None,
    changes: dict[str, Any],
    state: str,
    commit: bool,
) -> None:
    """Settle a recorded deadline (by number) or record a derived one (by rule and trigger)."""
    from exilecases.cli.git import _edit

    if number is not None and (rule or trigger):
        raise ExilecasesError("give either N or --rule and --trigger, not both", 2)
    if number is None:
        if not (rule and trigger):
            raise ExilecasesError(
                "give the deadline's number N (see exilecases show ID), or --rule KEY and "
                "--trigger DATE for a derived deadline",
                2,
            )
        _record_derived(root, case_id, rule, trigger, changes, commit)
        return
    where, index = _numbered(number)
    from exilecases.ops.edit import set_entry_fields

    def change(text: str) -> str:
        import tomllib

        entry = _entry_at(tomllib.loads(text), where, index, number, case_id)
        wanted = dict(changes)
        if state == "met" and "state" in entry:
            wanted["state"] = "met"
        if state != "met" and "done" in entry:
            wanted["done"] = None
        return set_entry_fields(text, where, index, wanted)

    _edit(root, case_id, change, commit)
    _print_entry(root, case_id, where, index, number)


def _numbered(number: str) -> tuple[tuple[str, ...], int]:
    """``"3"`` -> the third ``[[deadlines]]`` entry; ``"p1"`` -> the first private one."""
    from exilecases.ops.entries import parse_number

    ref = parse_number(number, "deadlines")
    return ref.where, ref.index


def _entry_at(
    data: dict[str, Any], where: tuple[str, ...], index: int, number: str, case_id: str
) -> dict[str, Any]:
    from exilecases.ops.entries import EntryRef, entry_at

    return entry_at(data, EntryRef(where, index, number), case_id)


def _print_entry(
    root: Path | None, case_id: str, where: tuple[str, ...], index: int, number: str
) -> None:
    """Print the deadline as it now stands in the file (what the command changed)."""
    import tomllib

    from exilecases.store.files import case_path, find_root, read_regular

    found = find_root(root)
    raw = read_regular(case_path(found, case_id), None)
    data = tomllib.loads(raw.decode("utf-8").removeprefix("\ufeff"))
    entry = _entry_at(data, where, index, number, case_id)
    from exilecases.format.model import Deadline as Model

    what = f", {entry['what']}" if entry.get("what") else ""
    done = f" on {entry['done']}" if entry.get("done") else ""
    _message(
        f"{case_id}: deadline {number}: due {entry.get('due')}, {entry.get('type')}{what}: "
        f"{Model.state_of(entry)}{done}"
    )


def _record_derived(
    root: Path | None,
    case_id: str,
    rule: str,
    trigger: str,
    changes: dict[str, Any],
    commit: bool,
) -> None:
    """Record a derived deadline as settled: a new entry with its rule and trigger."""
    from exilecases.cli.git import _edit
    from exilecases.ops.deadlines import deadline_items
    from exilecases.ops.edit import add_entry, add_private_entry
    from exilecases.ops.load import check_path
    from exilecases.store.files import case_path

    found, vocabulary = _open(root)
    if not vocabulary.has("deadline_rules", rule):
        _check_keys([rule], "deadline_rules", vocabulary)
    day = _checked_date(trigger, "--trigger")
    path = case_path(found, case_id)
    if not path.is_file():
        raise ExilecasesError(f"no case {case_id!r} (no file {path.relative_to(found)})")
    check = check_path(found, path, vocabulary)
    if check.case is None or not check.ok:
        raise ExilecasesError(f"{check.rel} has errors; fix them, then run exilecases validate")
    derived = [i for i in deadline_items(check.case, vocabulary, private=True) if i.derived]
    match = [i for i in derived if i.rule == rule and i.trigger and i.trigger["date"] == day]
    if not match:
        standing = "; ".join(
            f"--rule {i.rule} --trigger {i.trigger['date']}" for i in derived if i.trigger
        )
        raise ExilecasesError(
            f"{case_id} has no derived deadline of rule {rule!r} triggered on {day}; "
            + (f"its derived deadlines: {standing}" if standing else "it has none")
        )
    item = match[0]
    entry = {
        "due": item.due,
        "type": item.type,
        "proceeding": item.proceeding,
        "what": item.what,
        **changes,
        "rule": rule,
        "trigger": day,
    }
    entry = {key: value for key, value in entry.items() if value is not None}
    if item.private:
        _edit(root, case_id, lambda text: add_private_entry(text, "deadlines", entry), commit)
    else:
        _edit(root, case_id, lambda text: add_entry(text, "deadlines", entry), commit)
    state = changes.get("state", "met")
    done = f" on {changes['done']}" if changes.get("done") else ""
    _message(
        f"{case_id}: recorded the derived deadline ({rule}, triggered {day}): due {item.due}, "
        f"{item.type}: {state}{done}"
    )
