"""The commands of sealed private data: keys new|add|remove|list, seal, private edit.

The work is done in ``ops.seal`` (sealing) and ``store.keys`` (the recipients file and the
identity); these commands only read options, call them and say what happened.
"""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from exilecases.cli import emit
from exilecases.cli.common import CaseIdArgument, RootOption, _handles_errors, _message, _open, app
from exilecases.errors import ExilecasesError

if TYPE_CHECKING:
    from exilecases.ops.seal import Keys, SealReport

keys_app = typer.Typer(
    help="The team's public keys (data/recipients.toml) and your own identity.",
    no_args_is_help=True,
)
private_app = typer.Typer(help="The private part of a case.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(private_app, name="private")

HISTORY_WARNING = (
    "old commits stay readable with the removed key: git history cannot be taken back. "
    "Treat what those commits hold as known to the key's holder (change what can be "
    "changed: phone numbers, addresses, meeting places)."
)


class KeysFormat(enum.StrEnum):
    """Output formats of ``keys list``."""

    text = "text"
    json = "json"


# --- keys ------------------------------------------------------------------------------


@keys_app.command("new")
@_handles_errors
def keys_new() -> None:
    """Make your identity (an age secret key, mode 0600, outside every repository) and
    print its public key, for a teammate to add with `exilecases keys add`."""
    from exilecases.store.keys import identity_path, new_identity

    path = identity_path()
    public = new_identity(path)
    sys.stdout.write(public + "\n")
    _message(
        f"made {path} (readable by you alone; keep a copy somewhere safe: without it the "
        "private parts sealed for this key cannot be opened)"
    )
    _message(f'add it to a repository with: exilecases keys add "YOUR NAME" {public}')


@keys_app.command("add")
@_handles_errors
def keys_add(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Whose key it is, e.g. 'Aida K'.")],
    key: Annotated[str, typer.Argument(metavar="KEY", help="Their public key (age1...).")],
    root: RootOption = None,
) -> None:
    """Add a teammate's public key to data/recipients.toml and re-seal every sealed file so
    that they can read it."""
    from exilecases.store.keys import (
        add_recipient_text,
        name_problem,
        recipient_problem,
    )

    found, vocabulary = _open(root)
    keys = _keys(found)
    name, key = name.strip(), key.strip()
    if name_problem(name):
        raise ExilecasesError(f"{name_problem(name)}; e.g. 'Aida K'", 2)
    problem = recipient_problem(key)
    if problem:
        raise ExilecasesError(
            f"{key!r} is not an age public key ({problem}); a public key starts with age1 "
            "(`exilecases keys new` prints one)",
            2,
        )
    for recipient in keys.recipients:
        if recipient.name == name or recipient.key == key:
            raise ExilecasesError(
                f"data/recipients.toml lists {recipient.name!r} with this "
                f"{'name' if recipient.name == name else 'key'} already (line {recipient.line})",
                2,
            )
    _can_reseal(found, keys)
    _write_recipients(found, lambda old: add_recipient_text(old, name, key))
    _message(f"added {name} to data/recipients.toml")
    _reseal(found, vocabulary, keys)


@keys_app.command("remove")
@_handles_errors
def keys_remove(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The name `keys list` shows.")],
    root: RootOption = None,
) -> None:
    """Remove a key from data/recipients.toml and re-seal every file without it. Old
    commits stay readable with the removed key."""
    from exilecases.store.keys import remove_recipient_text

    found, vocabulary = _open(root)
    keys = _keys(found)
    names = [r.name for r in keys.recipients]
    if name not in names:
        listed = ", ".join(repr(n) for n in names) or "none"
        raise ExilecasesError(
            f"no key named {name!r} in data/recipients.toml (listed: {listed})", 2
        )
    if len(names) == 1:
        raise ExilecasesError(
            f"{name!r} holds the only key: removing it would leave the sealed files readable "
            "by nobody; add the new holder's key first",
            2,
        )
    _can_reseal(found, keys)
    _write_recipients(found, lambda old: remove_recipient_text(old, name))
    _message(f"removed {name} from data/recipients.toml")
    _reseal(found, vocabulary, keys)
    _message(f"note: {HISTORY_WARNING}")
    removed = next(r for r in keys.recipients if r.name == name)
    try:
        own = keys.identities.public_keys if keys.identities is not None else []
    except ExilecasesError:
        own = []
    if removed.key in own:
        _message("warning: that was your own key: you can no longer open the sealed files")


@keys_app.command("list")
@_handles_errors
def keys_list(
    output: Annotated[KeysFormat, typer.Option("--format", help="text or json.")] = (
        KeysFormat.text
    ),
    root: RootOption = None,
) -> None:
    """List the keys the repository is sealed for; yours is marked."""
    found, _ = _open(root)
    keys = _keys_for_reading(found)
    mine = set(keys.identities.public_keys) if keys.identities else set()
    if output is KeysFormat.json:
        rows = [{"name": r.name, "key": r.key, "you": r.key in mine} for r in keys.recipients]
        emit.emit_json(rows)
        return
    if not keys.recipients:
        _message("data/recipients.toml lists no keys: this repository is not sealed")
        return
    width = max(len(r.name) for r in keys.recipients)
    for r in keys.recipients:  # names are printable: read_recipients refuses any other
        marker = "  (you)" if r.key in mine else ""
        sys.stdout.write(f"{r.name.ljust(width)}  {r.key}{marker}\n")


# --- seal ------------------------------------------------------------------------------


@app.command()
@_handles_errors
def seal(
    check_staged: Annotated[
        bool,
        typer.Option(
            "--check-staged",
            help="Change nothing; exit 1 naming every staged case file that holds a "
            "plaintext [private] table (the pre-commit hook of a sealed repository).",
        ),
    ] = False,
    root: RootOption = None,
) -> None:
    """Seal the [private] table of every case file for the keys in data/recipients.toml,
    and re-seal files sealed for an older set of keys. Says which files it changed."""
    found, vocabulary = _open(root)
    if check_staged:
        from exilecases.ops.seal import staged_plaintext

        plaintext = staged_plaintext(found)
        for name in plaintext:
            _message(
                f"error: {name}: staged with a plaintext [private] table in a sealed "
                "repository; run `exilecases seal`, then `git add` the file again"
            )
        if plaintext:
            raise typer.Exit(1)
        return
    keys = _keys(found)
    if not keys.sealed:
        raise ExilecasesError(
            "data/recipients.toml lists no keys, so there is nobody to seal for; add the "
            "team's keys first (`exilecases keys new`, then `exilecases keys add NAME KEY`)",
            2,
        )
    try:
        mine = keys.mine()
    except ExilecasesError as error:  # sealing plaintext needs no identity
        keys.identities, mine = None, False
        _message(f"warning: {error.message}")
    if not mine:
        _message(
            "warning: your identity is not among the keys in data/recipients.toml: you will "
            "not be able to read what is sealed now (add your key with `exilecases keys add`)"
        )
    report = _run_seal(found, vocabulary, keys)
    if not report.changed and not report.failed:
        _message(f"nothing to seal: every private part is sealed for {keys.names()}")


def _run_seal(found: Path, vocabulary: Any, keys: Keys) -> SealReport:
    """Seal the repository and say what changed; exit 1 when a file could not be sealed."""
    from exilecases.ops.seal import seal_repository

    report = seal_repository(found, vocabulary, keys)
    for rel in report.sealed:
        sys.stdout.write(f"sealed {rel}\n")
    for rel in report.resealed:
        sys.stdout.write(f"re-sealed {rel}\n")
    for _, reason in report.failed:
        _message(f"error: {reason}")
    if report.changed:
        _message(
            f"{len(report.changed)} file(s) changed, sealed for {keys.names()}; "
            "commit them (`git add data/cases && git commit`)"
        )
    if report.failed:
        _message(f"{len(report.failed)} file(s) could not be sealed; see above")
        raise typer.Exit(1)
    return report


def _keys(found: Path) -> Keys:
    """The repository's keys; an identity that is refused is an error."""
    from exilecases.ops.seal import load_keys

    return load_keys(found)


def _can_reseal(found: Path, keys: Keys) -> None:
    """Refuse a change of keys that this person could not follow by re-sealing the files."""
    from exilecases.store.files import case_files, read_regular

    sealed = [p for p in case_files(found) if b"[sealed]" in read_regular(p, None)]
    if sealed and not keys.mine():
        raise ExilecasesError(
            f"{len(sealed)} case file(s) are sealed, and re-sealing them for the new keys "
            "needs an identity that is among the current keys; yours is "
            + ("missing" if keys.identities is None else "not")
            + ": ask a teammate whose key is listed; nothing was changed",
        )


def _reseal(found: Path, vocabulary: Any, old: Keys) -> None:
    from exilecases.ops.seal import Keys
    from exilecases.store.files import case_files, read_regular
    from exilecases.store.keys import read_recipients

    keys = Keys(read_recipients(found))
    keys.identities = old.identities
    if any(b"[sealed]" in read_regular(p, None) for p in case_files(found)):
        _run_seal_sealed_only(found, vocabulary, keys)
    plaintext = [p for p in case_files(found) if _has_plaintext(p)]
    if plaintext:
        _message(
            f"{len(plaintext)} case file(s) hold a plaintext [private] table: run "
            "`exilecases seal` once every member's key is in"
        )


def _has_plaintext(path: Path) -> bool:
    from exilecases.ops.seal import read_case_toml

    read = read_case_toml(path)
    return read is not None and "private" in read[1]


def _run_seal_sealed_only(found: Path, vocabulary: Any, keys: Keys) -> None:
    """Re-seal the files that are sealed already (a plaintext one waits for `seal`)."""
    from exilecases.ops.seal import seal_repository

    report = seal_repository(found, vocabulary, keys, plaintext=False)
    for rel in report.resealed:
        sys.stdout.write(f"re-sealed {rel}\n")
    for _, reason in report.failed:
        _message(f"error: {reason}")
    _message(f"{len(report.resealed)} file(s) re-sealed for {keys.names()}")
    if report.failed:
        _message(f"{len(report.failed)} file(s) could not be re-sealed; see above")
        raise typer.Exit(1)


def _write_recipients(found: Path, change: Callable[[str], str]) -> None:
    """Change data/recipients.toml under the repository's lock (re-read there, written
    whole through a temporary file, its mode kept)."""
    from exilecases.store.keys import recipients_path
    from exilecases.store.write import replace_file, repository_lock

    path = recipients_path(found)
    with repository_lock(found):
        old = path.read_text("utf-8") if path.exists() else ""
        replace_file(path, change(old))


# --- private edit ----------------------------------------------------------------------


@private_app.command("edit")
@_handles_errors
def private_edit(case_id: CaseIdArgument, root: RootOption = None) -> None:
    """Edit a case's private part in $EDITOR (decrypted into a private temporary folder,
    checked, sealed again, the temporary file removed)."""
    from exilecases.ops.seal import edit_private_in_editor

    found, vocabulary = _open(root)
    keys = _keys(found)
    result = edit_private_in_editor(found, case_id, vocabulary, keys, _editor(), _again)
    _message(result)


def _editor() -> list[str]:
    import shlex

    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        return shlex.split(command)
    except ValueError:
        raise ExilecasesError(
            f"cannot read $EDITOR ({command!r}); set it to a command", 2
        ) from None


def _again(problem: str) -> bool:
    """Ask whether to open the editor again after ``problem`` (only on a terminal)."""
    if not sys.stdin.isatty():
        return False
    _message(f"error: {problem}")
    return typer.confirm("Edit again?", default=True, err=True)


# --- what other commands call ------------------------------------------------------------


def _keys_for_reading(found: Path) -> Keys:
    """The keys for a command that only reads: a refused identity is a warning, and the
    private parts then stay sealed (the public part works without an identity)."""
    from exilecases.ops.seal import Keys
    from exilecases.store.keys import read_identities, read_recipients

    keys = Keys(read_recipients(found))
    try:
        keys.identities = read_identities(found)
    except ExilecasesError as error:
        keys.identities = None
        _message(f"warning: {error.message}; the private parts stay sealed")
    return keys


def open_sealed(found: Path, check: Any, vocabulary: Any, *, strict: bool = False) -> str | None:
    """``show``: open the sealed private part of ``check`` in memory (``check.case`` becomes
    the whole case), or say why not: ``sealed (readable by: ...)``. With ``strict``
    (``--private``) a part that cannot be opened is an error: never silently left out."""
    from exilecases.ops.seal import SealError, load_keys, open_check, sealed_note

    keys = load_keys(found) if strict else _keys_for_reading(found)
    try:
        open_check(check, keys, vocabulary)
        return None
    except SealError as error:
        if strict:
            raise
        note = sealed_note(check.case, keys)
        if error.reason == "not-for-you":
            note += "; your identity cannot open it"
        elif error.reason != "no-identity":
            _message(f"error: {error.message}")
            note = "sealed, but it cannot be opened: " + error.message.removeprefix(
                check.rel + ": "
            )
        return note


def sealed_findings(found: Path, vocabulary: Any, files: list[Path] | None) -> list[Any]:
    """``validate``: the findings of sealing (``ops.seal.check_sealed``), and a line on
    standard error when private parts stayed unchecked for want of an identity."""
    from exilecases.ops.seal import check_sealed
    from exilecases.store.files import case_files

    keys = _keys_for_reading(found)
    if not keys.sealed:
        return []
    paths = files if files is not None else case_files(found)
    result = check_sealed(found, paths, keys, vocabulary)
    if result.unchecked:
        _message(
            f"{result.unchecked} sealed private part(s) not checked: you have no identity "
            "(`exilecases keys new`, then a teammate adds your key)"
        )
    return result.findings


def set_private(
    root: Path | None, case_id: str, key: str, values: list[str], list_flag: bool, commit: bool
) -> None:
    """``set ID private.KEY VALUE``: one key of the private part, sealed again in a sealed
    repository; the value is never printed."""
    from exilecases.ops.seal import load_keys
    from exilecases.ops.seal import set_private as set_in_file
    from exilecases.store.files import case_path, relative

    if list_flag:
        raise ExilecasesError("--add and --remove work on list fields; private.KEY holds text", 2)
    found, vocabulary = _open(root)
    rel = relative(found, case_path(found, case_id))
    result = set_in_file(found, case_id, key, values, vocabulary)
    keys = load_keys(found)
    if result.changed_lines == 0:
        _message(f"{rel}: nothing to change")
        return
    how = f"sealed for {keys.names()}" if keys.sealed else "not sealed"
    _message(f"{case_id}: private.{key}: {'removed' if not values[0] else 'set'} ({how})")
    lines = result.changed_lines
    _message(f"wrote {rel} ({lines} line{'s' * (lines != 1)} changed)")
    if commit:
        from exilecases.store.git import commit_paths

        message = f"{case_id}: private: changed (private, not shown)"
        commit_paths(found, [result.path], message)
        _message(f"committed: {message}")
