"""Changing a case file through the tool: every edit goes through ``store/write``.

An edit is a transform from the text on disk to an ``Update`` (the new text and the data it
must hold; ``edit.set_field_update`` and ``edit.add_entry_update`` make them). It keeps
comments and untouched lines, is applied under the repository's lock to the file as it is
on disk then (so edits made at the same time compose), is checked against the schema (no
new error) and parsed back before anything is written, and is written atomically with the
file's mode kept. A file that changed while the command ran (an editor does not take the
lock) is not overwritten, as fava refuses "the file changed externally".
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exilecases.errors import ExilecasesError
from exilecases.format.fields import ENTRY_TABLES as TABLE_ORDER
from exilecases.format.vocabulary import Vocabulary
from exilecases.store.files import case_path
from exilecases.store.write import CaseWriter, Update

#: A transform: the case text on disk now -> the ``Update`` to write. A transform may
#: return the new text alone when it checked the data itself (``edit.set_field`` does).
Transform = Callable[[str], "Update | str"]


@dataclass
class EditResult:
    """What an edit did: the file, the case before and after, and the field changes."""

    path: Path
    case_id: str
    old: dict[str, Any]
    new: dict[str, Any]
    changed_lines: int
    changes: list[Any]
    written: bool = False
    #: The new text's ``validate.FileCheck`` (its findings, warnings included).
    checked: Any = None

    def commit_message(self) -> str:
        """``ivanov-dmitry: status deported -> extradited`` (every change, on one line).

        The changes are public ones (``changes.public_changes``): a commit message is
        pushed wherever the repository goes, so it never holds a private value."""
        parts = [change.format().replace(": ", " ", 1) for change in self.changes]
        return f"{self.case_id}: " + ("; ".join(parts) if parts else "formatting only")


class SchemaGuard:
    """The schema check of the write path for one case file: the new text may bring no
    error the old one did not have, and a file that was not a readable case is not edited
    unless the edit makes it one.

    The old text is checked only when the new one has errors (to tell new errors from old
    ones): on a large case each check is a good part of the edit's time.
    """

    def __init__(self, rel: str, stem: str, vocabulary: Vocabulary) -> None:
        self.rel, self.stem, self.vocabulary = rel, stem, vocabulary

    def _check(self, text: str, parsed: dict[str, Any] | None = None) -> Any:
        from exilecases.ops.validate import check_file

        return check_file(text.encode("utf-8"), self.rel, self.stem, self.vocabulary, parsed=parsed)

    def __call__(self, old: str | None, new: str, parsed: dict[str, Any]) -> Any:
        """Check the new text (``store/write``'s ``check``); returns its FileCheck."""
        checked = self._check(new, parsed)
        errors = [f for f in checked.findings if f.severity == "error"]
        if not errors and checked.case is not None:
            return checked
        before = self._check(old) if old is not None else None
        if before is not None and before.case is None:
            raise ExilecasesError(
                f"{self.rel} cannot be read ({_first(before)}); fix it by hand first, then "
                "run exilecases validate"
            )
        known = {(f.code, f.message) for f in before.findings} if before else set()
        introduced = [f for f in errors if (f.code, f.message) not in known]
        if introduced or checked.case is None:
            details = "; ".join(f"{f.line}:{f.col}: {f.code} {f.message}" for f in introduced)
            raise ExilecasesError(
                f"nothing was written: the change would make {self.rel} invalid: {details}", 2
            )
        return checked


def edit_case(
    root: Path,
    case_id: str,
    transform: Transform,
    vocabulary: Vocabulary,
    *,
    dry_run: bool = False,
    writer: CaseWriter | None = None,
) -> EditResult:
    """Apply ``transform`` to a case file as it is on disk now and write the result, through
    the one write path (``store/write``).

    ``EditResult.old`` is the data of the file before (as TOML reads it), ``.new`` the case
    after (as ``validate`` normalises it). Raises ``ExilecasesError`` when the case does not
    exist, is broken, would become invalid or lose data, or changed on disk while it was
    being edited; nothing is written then.
    """
    from exilecases.ops.changes import public_changes
    from exilecases.ops.edit import changed_lines

    path = case_path(root, case_id)
    rel = path.relative_to(root).as_posix()
    if not path.exists() and not path.is_symlink():
        raise ExilecasesError(f"no case {case_id!r} (no file {rel})")
    _import_before_the_lock()
    guard = SchemaGuard(rel, case_id, vocabulary)
    updates: list[Update] = []

    def change(text: str | None) -> Update:
        assert text is not None
        update = transform(text)
        if isinstance(update, str):  # a transform that checked its data itself
            update = Update(update, tomllib.loads(update))
        if update.before is None:
            update.before = tomllib.loads(text)
        updates.append(update)
        return update

    written = (writer or CaseWriter(root)).write(
        path, change, check=guard, dry_run=dry_run, rel=rel
    )
    before, after = _differing(updates[-1].before or {}, updates[-1].data)
    return EditResult(
        path,
        case_id,
        updates[-1].before or {},
        written.checked.case,
        changed_lines(written.old or "", written.new),
        public_changes(before, after, vocabulary),
        written.written,
        written.checked,
    )


def _differing(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict, dict]:
    """The two cases with only the fields that differ, and of a table that only grew, only
    the new entries: the field changes are the same, and a large table is not compared
    entry by entry for an edit that did not touch its entries. The id and the fields that
    decide what is private (``private_fields``, ``[private]``) are always kept, so that the
    public changes hide exactly what they hide for the whole case."""
    keys = [
        k for k in {**old, **new} if k in _ALWAYS_KEPT or old.get(k, _NONE) != new.get(k, _NONE)
    ]
    before, after = {k: old[k] for k in keys if k in old}, {k: new[k] for k in keys if k in new}
    for key in TABLE_ORDER:
        was, now = before.get(key), after.get(key)
        if isinstance(was, list) and isinstance(now, list) and now[: len(was)] == was:
            # Appended entries are "added" whatever came before them (history.py).
            before[key], after[key] = [], now[len(was) :]
    return before, after


_NONE = object()
_ALWAYS_KEPT = frozenset({"id", "private_fields", "private"})


def create_case(
    root: Path, case_id: str, text: str, data: dict[str, Any], vocabulary: Vocabulary
) -> Path:
    """Write a new case file through the one write path; never overwrite one.

    ``text`` must parse to ``data`` and be a valid case. Raises ``ExilecasesError`` listing
    the findings when it would be invalid, or when the file exists already.
    """
    from exilecases.ops.validate import check_file

    path = case_path(root, case_id)
    rel = path.relative_to(root).as_posix()
    _import_before_the_lock()

    def check(_old: str | None, new: str, parsed: dict[str, Any]) -> Any:
        checked = check_file(new.encode("utf-8"), rel, case_id, vocabulary, parsed=parsed)
        errors = [f for f in checked.findings if f.severity == "error"]
        if errors:
            details = "; ".join(f"{f.code} {f.message}" for f in errors)
            raise ExilecasesError(f"the case was not written: {details}", 2)
        return checked

    CaseWriter(root).write(
        path, lambda _: Update(text, data), check=check, create_only=True, rel=rel
    )
    return path


def _import_before_the_lock() -> None:
    """Import the schema's libraries (pydantic) now: importing them takes longer than the
    whole write, and every other writer waits while the lock is held."""
    import exilecases.format.model
    import exilecases.format.privacy
    import exilecases.ops.changes
    import exilecases.ops.validate  # noqa: F401


def _first(check: Any) -> str:
    first = check.first_error
    return f"{first.line}:{first.col}: {first.code} {first.message}" if first else "unreadable"


# --- removing a case -------------------------------------------------------------------------


@dataclass
class Removal:
    """What ``remove`` will do (``plan_removal``) or did (``remove_case``) with a case file."""

    rel: str
    summary: str  # "Name, status": what the confirmation question shows
    tracked: bool  # git tracks it: removed with ``git rm``
    in_head: bool = False  # HEAD holds it: git can bring it back
    commit: str | None = None  # the commit that removed it, with ``--commit``
    message: str = ""

    def restore_hint(self) -> list[str]:
        """How to bring the file back, for the user."""
        if not self.in_head:
            return ["the file was never committed to git: it cannot be brought back"]
        if self.commit:
            return [
                f"to bring it back: git revert {self.commit[:12]}",
                f"  (or: git checkout {self.commit[:12]}~1 -- {self.rel})",
            ]
        return [
            "the removal is staged, not committed; commit it with "
            f'git commit -m "{self.message}" -- {self.rel}',
            f"to bring it back: git checkout HEAD -- {self.rel}",
        ]


def plan_removal(root: Path, case_id: str, *, force: bool = False) -> Removal:
    """Check that the case can be removed so that git can bring it back: its file exists, is
    a regular file, is committed and has no changes that are not. Raises
    ``ExilecasesError`` naming what to do otherwise (``force`` removes it anyway)."""
    from exilecases.store.files import NotAFileError, read_regular
    from exilecases.store.git import has_commits, has_uncommitted_changes, in_revision, is_tracked

    path = case_path(root, case_id)
    rel = path.relative_to(root).as_posix()
    try:
        raw = read_regular(path, None, shown=rel)
    except FileNotFoundError:
        raise ExilecasesError(f"no case {case_id!r} (no file {rel})") from None
    except NotAFileError as error:
        raise ExilecasesError(
            f"{rel} is {error.kind}, not a regular file; remove it by hand if you must"
        ) from None
    except OSError as error:
        raise ExilecasesError(
            f"cannot read {rel}: {error.strerror or error}", kind="system"
        ) from None
    summary = _summary(raw)
    tracked = is_tracked(root, rel)
    in_head = tracked and has_commits(root) and in_revision(root, "HEAD", rel)
    if not force:
        if not tracked:
            raise ExilecasesError(
                f"{rel} is not committed to git, so removing it could not be undone; commit it "
                f"first (git add {rel} && git commit), or pass --force to delete it for good"
            )
        if not in_head:
            raise ExilecasesError(
                f"{rel} was never committed, so git could not bring it back; commit it first, "
                "or pass --force to delete it for good"
            )
        if has_uncommitted_changes(root, rel):
            raise ExilecasesError(
                f"{rel} has changes that are not committed (see `exilecases diff`), which "
                "removing it would lose; commit them first, or pass --force to lose them"
            )
    return Removal(rel, summary, tracked, in_head, message=f"{case_id}: remove case")


def _summary(raw: bytes) -> str:
    """``Name, status`` of a case file, for the confirmation question (public fields)."""
    try:
        data = tomllib.loads(raw.decode("utf-8").removeprefix("\ufeff"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return "a file that is not valid TOML"
    parts = [data.get("name"), data.get("status")]
    return ", ".join(" ".join(p.split())[:80] for p in parts if isinstance(p, str)) or "no name"


def remove_case(root: Path, case_id: str, *, force: bool = False, commit: bool = False) -> Removal:
    """Remove a case file: ``git rm`` when git tracks it (so that it can be brought back,
    ``Removal.restore_hint`` says how), else, only with ``force``, delete it. Under the
    repository's lock, so no writer of this tool is changing the file meanwhile; checked
    again under it (``plan_removal``). With ``commit`` the removal is committed alone."""
    import os

    from exilecases.store.git import commit_path, remove_path
    from exilecases.store.write import repository_lock

    with repository_lock(root):
        plan = plan_removal(root, case_id, force=force)
        if plan.tracked:
            remove_path(root, plan.rel, force=force)
            if commit:
                plan.commit = commit_path(root, plan.rel, plan.message)
        else:
            if commit:
                raise ExilecasesError(
                    f"{plan.rel} is not in git, so there is no removal to commit; leave out "
                    "--commit",
                    2,
                )
            os.unlink(case_path(root, case_id))
        # git rm removes a folder it empties: the repository must stay one.
        case_path(root, case_id).parent.mkdir(parents=True, exist_ok=True)
    return plan
