"""The commands that change or remove what a case already holds, so that nobody has to edit
the TOML by hand: ``event edit|remove``, ``charge edit|remove``, ``source remove`` and
``remove``. Each edit goes through the one write path (``ops/update.edit_case``), keeps every
comment and untouched line, and commits with ``--commit``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from exilecases.cli.common import (
    CaseIdArgument,
    RootOption,
    _handles_errors,
    _message,
    app,
    vocabulary_value,
)
from exilecases.cli.git import CommitOption, _edit, charge_app, event_app, source_app
from exilecases.errors import ExilecasesError

EventNumber = Annotated[
    str,
    typer.Argument(
        metavar="N",
        help="The event's number as show prints it: 1, 2, ... in the order of the file; p1, "
        "p2, ... for private events.",
    ),
]
ChargeNumber = Annotated[
    str,
    typer.Argument(metavar="N", help="The charge's number as show prints it: 1, 2, ..."),
]
CiteOption = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        metavar="SOURCE",
        help="Cite this source (the id of a [[sources]] entry) too (repeatable).",
    ),
]
DropSourceOption = Annotated[
    list[str] | None,
    typer.Option("--drop-source", metavar="SOURCE", help="Stop citing this source (repeatable)."),
]


def _given(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def _say_entry(case_id: str, heading: str, ref: Any, entry: dict[str, Any]) -> None:
    """The entry as the file holds it, a ``key = value`` line each, under ``heading``; a
    private entry by its number only (messages never show a private value)."""
    from exilecases.format.canonical import table_pairs
    from exilecases.format.model import KEY_ORDER

    if ref.private:
        _message(f"{case_id}: {heading} {ref.label()} (private: `exilecases show {case_id}`)")
        return
    _message(f"{case_id}: {heading} {ref.label()}:")
    for line in table_pairs(entry, KEY_ORDER[ref.table]):
        _message("    " + line.replace("\n", "\n    "))


def _warn_status(result: Any) -> None:
    """Say when the edit left the status disagreeing with the latest event (W102)."""
    if result is None or result.checked is None:
        return
    for finding in result.checked.findings:
        if finding.code == "W102":
            _message(f"warning: {finding.message}")


def _edit_entry(
    root: Path | None,
    case_id: str,
    table: str,
    number: str,
    fields: dict[str, Any],
    cite: list[str] | None,
    uncite: list[str] | None,
    commit: bool,
) -> None:
    from exilecases.ops.entries import EditEntry, parse_number

    change = EditEntry(parse_number(number, table), case_id, fields, cite or [], uncite or [])
    result = _edit(root, case_id, change, commit)
    if change.entry is not None:
        _say_entry(case_id, "now", change.ref, change.entry)
    _warn_status(result)


def _remove_entry(root: Path | None, case_id: str, table: str, number: str, commit: bool) -> None:
    from exilecases.ops.entries import RemoveEntry, entries_of, parse_number

    change = RemoveEntry(parse_number(number, table), case_id)
    result = _edit(root, case_id, change, commit)
    if change.entry is not None:
        _say_entry(case_id, "removed", change.ref, change.entry)
        if len(entries_of(result.new or {}, change.ref.where)) > change.ref.index:
            _message(f"(the {change.ref.table} after it are numbered one less now)")
    _warn_status(result)


@event_app.command("edit")
@_handles_errors
def event_edit(
    case_id: CaseIdArgument,
    number: EventNumber,
    date: Annotated[str | None, typer.Option(help="When: YYYY, YYYY-MM or YYYY-MM-DD.")] = None,
    event_type: Annotated[
        str | None,
        typer.Option("--type", help="The event type.", **vocabulary_value("event_types")),
    ] = None,
    outcome: Annotated[
        str | None,
        typer.Option(
            help='The status this event produced ("" removes it).',
            **vocabulary_value("statuses"),
        ),
    ] = None,
    place: Annotated[str | None, typer.Option(help='Where ("" removes it).')] = None,
    authority: Annotated[
        str | None, typer.Option(help='Which court or office ("" removes it).')
    ] = None,
    note: Annotated[str | None, typer.Option(help='What happened ("" removes it).')] = None,
    proceeding: Annotated[
        str | None, typer.Option(help='Id of the proceeding it belongs to ("" removes it).')
    ] = None,
    source: CiteOption = None,
    drop_source: DropSourceOption = None,
    commit: CommitOption = False,
    root: RootOption = None,
) -> None:
    """Change fields of one event, keeping every other line and comment; an empty value
    removes an optional field. --source cites a source from the event. Prints the event as
    it now stands."""
    fields = _given(
        date=date,
        type=event_type,
        outcome=outcome,
        place=place,
        authority=authority,
        proceeding=proceeding,
        note=note,
    )
    _edit_entry(root, case_id, "events", number, fields, source, drop_source, commit)


@event_app.command("remove")
@_handles_errors
def event_remove(
    case_id: CaseIdArgument,
    number: EventNumber,
    commit: CommitOption = False,
    root: RootOption = None,
) -> None:
    """Remove one event (with the comments that belong to it) and print it."""
    _remove_entry(root, case_id, "events", number, commit)


@charge_app.command("edit")
@_handles_errors
def charge_edit(
    case_id: CaseIdArgument,
    number: ChargeNumber,
    basis: Annotated[
        str | None,
        typer.Option(help="Legal basis, e.g. RU-CC-338.", **vocabulary_value("legal_bases")),
    ] = None,
    date: Annotated[
        str | None, typer.Option(help='When the charge was brought ("" removes it).')
    ] = None,
    note: Annotated[str | None, typer.Option(help='A sentence ("" removes it).')] = None,
    source: CiteOption = None,
    drop_source: DropSourceOption = None,
    commit: CommitOption = False,
    root: RootOption = None,
) -> None:
    """Change fields of one charge; --source cites a source from it. Prints the charge as it
    now stands."""
    fields = _given(basis=basis, date=date, note=note)
    _edit_entry(root, case_id, "charges", number, fields, source, drop_source, commit)


@charge_app.command("remove")
@_handles_errors
def charge_remove(
    case_id: CaseIdArgument,
    number: ChargeNumber,
    commit: CommitOption = False,
    root: RootOption = None,
) -> None:
    """Remove one charge and print it."""
    _remove_entry(root, case_id, "charges", number, commit)


@source_app.command("remove")
@_handles_errors
def source_remove(
    case_id: CaseIdArgument,
    source_id: Annotated[str, typer.Argument(metavar="SOURCE", help="The source's id.")],
    commit: CommitOption = False,
    root: RootOption = None,
) -> None:
    """Remove one source (public or private). Refused while an event or charge cites it:
    the message names each one."""
    from exilecases.ops.entries import RemoveSource

    change = RemoveSource(source_id, case_id)
    _edit(root, case_id, change, commit)
    if change.ref is not None:
        kind = "private source" if change.ref.private else "source"
        _message(f"{case_id}: removed {kind} {source_id}")


@app.command()
@_handles_errors
def remove(
    case_id: CaseIdArgument,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask (for scripts); required off a terminal.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Remove the file even when git could not bring it back (never committed, or "
            "changes not committed): they are lost.",
        ),
    ] = False,
    commit: Annotated[bool, typer.Option("--commit", help="Commit the removal with git.")] = False,
    root: RootOption = None,
) -> None:
    """Remove a case file, through git (git rm) so that it can be brought back; the command
    says how. Asks first on a terminal."""
    import sys

    from exilecases.cli.common import _open
    from exilecases.ops.update import plan_removal, remove_case

    found, _ = _open(root)
    plan = plan_removal(found, case_id, force=force)
    if not yes:
        if not sys.stdin.isatty():
            raise ExilecasesError(
                f"remove {plan.rel}: pass --yes to remove it without asking (no terminal to "
                "ask on)",
                2,
            )
        if not typer.confirm(f"Remove {plan.rel} ({plan.summary})?", default=False):
            _message("nothing was removed")
            raise typer.Exit(1)
    done = remove_case(found, case_id, force=force, commit=commit)
    _message(f"removed {done.rel}{' (git rm)' if done.tracked else ''}")
    if done.commit:
        _message(f"committed {done.commit[:12]}: {done.message}")
    for line in done.restore_hint():
        _message(line)
