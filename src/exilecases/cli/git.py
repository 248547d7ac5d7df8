"""The git-native commands: init, set, the add commands, fmt, log, diff, the diff driver."""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from exilecases.cli import emit
from exilecases.cli.common import (
    CaseIdArgument,
    RootOption,
    _handles_errors,
    _inside_repository,
    _message,
    _no_such_case,
    _open,
    app,
    vocabulary_value,
)
from exilecases.cli.text import safe
from exilecases.errors import ExilecasesError

if TYPE_CHECKING:
    from exilecases.ops.update import EditResult

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
    and a pre-commit hook, and commit the files it made (inside a repository with other
    work: stage them and name them). Safe to run twice: an existing file is never
    overwritten, a setting already made is kept; run it in a fresh clone to install the
    diff driver and the hook, which a clone does not carry."""
    from exilecases.ops.init import init_repository

    report = init_repository(directory)
    for item in report.created:
        _message(f"created {item}")
    for item in report.kept:
        _message(f"kept    {item}")
    shared = " ".join(report.shared)
    if report.recorded == "committed":
        _message(f"committed {report.commit}: {shared}")
    elif report.recorded == "staged":
        why = f" (git could not commit: {report.commit_error})" if report.commit_error else ""
        _message(
            f"staged for your next commit{why}: {shared}\n"
            f'  commit them: git commit -m "exilecases init" -- {shared}'
        )
    _message(f"case repository ready at {report.root}; add a case with `exilecases add`")


def _edit(
    root: Path | None,
    case_id: str,
    transform: Callable[[str], Any],
    commit: bool,
    explain: Callable[[], None] | None = None,
) -> EditResult:
    """Apply one edit through ``update.edit_case``, say what changed (then ``explain``, a
    command's own words on it), commit on request."""
    from exilecases.ops.update import edit_case

    found, vocabulary = _open(root)
    result = edit_case(found, case_id, transform, vocabulary)
    rel = result.path.relative_to(found).as_posix()
    if not result.changes and result.changed_lines == 0:
        _message(f"{rel}: nothing to change")
        return result
    for change in result.changes:
        _message(f"{case_id}: {change.format()}")
    _message(
        f"wrote {rel} ({result.changed_lines} line{'s' * (result.changed_lines != 1)} changed)"
    )
    _warn_personal_data(result.old, result.new, rel, result.path)
    if explain is not None:
        explain()
    if commit:
        from exilecases.ops.changes import public_changes
        from exilecases.ops.history import read_case_at
        from exilecases.ops.newcase import new_case_message
        from exilecases.store.git import commit_paths, in_revision

        if in_revision(found, "HEAD", rel):
            # The commit holds every change to the file since HEAD, not only this edit's;
            # only public ones are named (a commit message travels with every clone).
            old = read_case_at(found, "HEAD", rel)
            result.changes = public_changes(old, result.new, vocabulary)
            message = result.commit_message()
        else:  # never committed: the commit adds the case
            message = new_case_message(result.new)
        commit_paths(found, [result.path], message)
        _message(f"committed: {message}")

    return result


def _warn_personal_data(
    old: dict[str, Any] | None, new: dict[str, Any], rel: str, path: Path
) -> None:
    """Say at once when an edit wrote what looks like personal data into a public field."""
    from exilecases.ops.personal import new_personal_data
    from exilecases.store.files import read_regular

    try:
        text = read_regular(path, None).decode("utf-8")
    except (OSError, UnicodeDecodeError, ExilecasesError):
        return
    for item in new_personal_data(old, new, rel, text):
        _message(item.format())


CommitOption = Annotated[
    bool,
    typer.Option(
        "--commit", help="Commit the change with git, with a message that names the fields changed."
    ),
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
    """Set one field of a case, changing only its line and keeping every comment.
    private.KEY sets a key of the private part (sealed again in a sealed repository)."""
    from exilecases.ops.edit import set_field_update

    if field.startswith("private."):
        from exilecases.cli.seal import set_private

        set_private(root, case_id, field.removeprefix("private."), values, add or remove, commit)
        return
    _edit(
        root,
        case_id,
        lambda text: set_field_update(text, field, values, add=add, remove=remove),
        commit,
    )


def _entry_command(table: str) -> Callable[..., None]:
    """The body shared by ``event add``, ``charge add``, ``source add`` and ``contact add``."""

    def add_entry_to(root: Path | None, case_id: str, entry: dict[str, Any], commit: bool) -> None:
        from exilecases.ops.edit import add_entry_update

        cleaned = {key: value for key, value in entry.items() if value not in (None, [], "")}
        _edit(root, case_id, lambda text: add_entry_update(text, table, cleaned), commit)

    return add_entry_to


event_app = typer.Typer(
    help="Add, edit or remove an event of a case's timeline.", no_args_is_help=True
)
charge_app = typer.Typer(
    help="Add, edit or remove a charge (a legal basis used against the person).",
    no_args_is_help=True,
)
source_app = typer.Typer(help="Add a source to a case, or remove one.", no_args_is_help=True)
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
            "--type",
            help="Event type, one of: {vocabulary:event_types}.",
            **vocabulary_value("event_types"),
        ),
    ],
    outcome: Annotated[
        str | None,
        typer.Option(
            help="The status this event produced, one of: {vocabulary:statuses}.",
            **vocabulary_value("statuses"),
        ),
    ] = None,
    place: Annotated[str | None, typer.Option(help="Where.")] = None,
    authority: Annotated[str | None, typer.Option(help="Which court or office.")] = None,
    note: Annotated[str | None, typer.Option(help="What happened, in a sentence.")] = None,
    proceeding: Annotated[
        str | None, typer.Option(help="Id of the proceeding it belongs to.")
    ] = None,
    source: SourcesOption = None,
    private: Annotated[
        bool,
        typer.Option(
            "--private",
            help="Never publish this event: it goes to [[private.events]] and never changes "
            "the status.",
        ),
    ] = False,
    keep_status: Annotated[
        bool,
        typer.Option(
            "--keep-status",
            help="Leave the status as it is, even when --outcome is the latest event's.",
        ),
    ] = False,
    commit: CommitOption = False,
    root: RootOption = None,
) -> None:
    """Add an event after the case's last one (the timeline is shown in date order). When
    its --outcome is, by date, the case's latest public one, the status follows it (and the
    command says so) unless --keep-status."""
    from exilecases.ops.entries import AddEvent

    entry = {
        "date": date,
        "type": event_type,
        "place": place,
        "authority": authority,
        "outcome": outcome,
        "proceeding": proceeding,
        "note": note,
        "sources": source or [],
    }
    cleaned = {key: value for key, value in entry.items() if value not in (None, [], "")}
    change = AddEvent(cleaned, private=private, keep_status=keep_status)
    _edit(root, case_id, change, commit, lambda: _explain_status(case_id, change, outcome))


def _explain_status(case_id: str, change: Any, outcome: str | None) -> None:
    """What ``event add`` did with the status, and why (``entries.AddEvent``)."""
    if change.status:
        _message(
            f"{case_id}: the status follows this event, now the latest with an outcome "
            "(--keep-status keeps it)"
        )
    elif change.would_change:
        old, new = change.would_change
        _message(
            f"{case_id}: status kept as {old} (--keep-status), though this event's outcome is "
            f"{new}; validate will warn (W102)"
        )
    elif change.latest is not None:
        latest = change.latest
        _message(
            f"{case_id}: status unchanged: the latest event with an outcome is "
            f"{latest.get('date')} {latest.get('type')} ({latest.get('outcome')})"
        )
    elif change.private and outcome:
        _message(
            f"{case_id}: status unchanged: a private event never changes the public status "
            "(set private.status for the real one)"
        )


@charge_app.command("add")
@_handles_errors
def charge_add(
    case_id: CaseIdArgument,
    basis: Annotated[
        str,
        typer.Option(help="Legal basis, e.g. RU-CC-338.", **vocabulary_value("legal_bases")),
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
    staged: Annotated[
        bool,
        typer.Option(
            "--staged",
            help="With --check: check the case files as staged for the next commit, not as "
            "on disk (the pre-commit hook).",
        ),
    ] = False,
    root: RootOption = None,
) -> None:
    """Rewrite case files in canonical form, keeping every comment. Formatting twice changes
    nothing. Entries marked private = true (format 1) move into [private], a line each; in
    a sealed repository they, and the fields a redaction rule keeps private (born, ...),
    go into the sealed part (which needs your identity). A file fmt cannot rewrite without
    losing data is left as it is, with the finding."""
    if staged:
        _fmt_check_staged(root, check, bool(paths))
        return
    import exilecases.format.model  # noqa: F401  (pydantic, imported before any lock)
    from exilecases.ops.fmt import fmt_file
    from exilecases.store.files import scan_cases
    from exilecases.store.write import CaseWriter

    found, vocabulary = _open(root)
    would_change, left = [], 0
    if paths:
        files = [_inside_repository(found, p) for p in paths]
    else:
        listing = scan_cases(found)
        files = listing.files
        for stray in listing.strays:  # never opened: E006 in validate
            _message(f"{stray.path.relative_to(found).as_posix()}: left as it is: it is "
                     f"{stray.kind}, not a regular file")  # fmt: skip
            left += 1
    writer = CaseWriter(found)
    keys = _sealing_keys(found)
    for path in files:
        rel = path.relative_to(found).as_posix() if path.is_relative_to(found) else str(path)
        result = fmt_file(found, path, rel, vocabulary, check=check, writer=writer, keys=keys)
        for item in result.refused:
            _message(safe(item.format()))
        if not result.ok:
            left += 1
            why = (
                result.reason or "fmt does not rewrite a file with this error (it could lose data)"
            )
            fix = "" if result.sealed_shut else f"; fix it by hand (exilecases validate {rel})"
            _message(safe(f"{rel}: left as it is: {why}{fix}"))
            continue
        for text in result.messages if not check else []:  # what moved where, no value
            _message(f"{rel}: {text}")
        if result.had_bom:
            done = "fmt would remove it" if check else "removed it"
            _message(f"warning: {rel} started with a byte-order mark; {done} (UTF-8 needs none)")
        if result.changed:
            would_change.append(rel)
            sys.stdout.write(f"{safe(rel)}\n") if check else _message(f"formatted {rel}")
    for name in writer.removed:
        _message(f"removed {name}, a temporary file left by an interrupted run")
    if check and would_change:
        files = "1 file" if len(would_change) == 1 else f"{len(would_change)} files"
        _message(f"{files} would change; run exilecases fmt")
    if (check and would_change) or left:
        raise typer.Exit(1)


def _sealing_keys(found: Path) -> Any:
    """The keys of a sealed repository for fmt (its identity read only when a file needs
    it), None for a repository that is not sealed."""
    from exilecases.ops.seal import load_keys

    keys = load_keys(found)
    return keys if keys.sealed else None


def _fmt_check_staged(root: Path | None, check: bool, paths: bool) -> None:
    """``fmt --check --staged``: list the staged case files fmt would change; exit 1 if any."""
    from exilecases.ops.staged import unformatted_staged

    if not check or paths:
        raise ExilecasesError("--staged goes with --check alone (fmt never rewrites the index)", 2)
    found, _ = _open(root)
    would_change = unformatted_staged(found)
    for rel in would_change:
        sys.stdout.write(f"{rel}\n")
    if would_change:
        _message(
            f"{len(would_change)} staged file(s) would change; run exilecases fmt, then git add"
        )
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
    from exilecases.ops.history import case_log, render_log
    from exilecases.store.files import case_path

    found, _ = _open(root)
    try:
        entries = case_log(found, case_id)
    except ExilecasesError:
        if not case_path(found, case_id).exists():  # neither a file nor any history
            raise _no_such_case(found, case_id) from None
        raise
    if output is HistoryFormat.json:
        emit.emit_json([entry.to_dict() for entry in entries])
    else:
        # Commit messages, authors and values are data: nothing in them reaches the
        # terminal raw (a message could erase the line above it).
        sys.stdout.write(safe(render_log(entries).rstrip("\n"), layout=True) + "\n")


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
    from exilecases.ops.history import diff_cases, render_diff

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
        sys.stdout.write(safe(render_diff(diffs).rstrip("\n"), layout=True) + "\n")
    else:
        _message("no case changed")


@app.command("git-diff-driver")
@_handles_errors
def git_diff_driver(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="The file git passes.")],
) -> None:
    """For git (installed by init): print a case file one field per line, so that `git diff`
    and `git log -p` show field-level changes. Private values are never printed."""
    from exilecases.cli.driver import print_textconv

    print_textconv(path)
