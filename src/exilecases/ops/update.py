"""Changing a case file through the tool: read, transform, check, write once.

Every edit keeps comments and untouched lines (the transform comes from ``edit.py``), is
checked as if it were on disk before anything is written, refuses to write over a file that
changed since it was read (as fava refuses "the file changed externally"), and is written
atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exilecases.errors import ExilecasesError
from exilecases.format.vocabulary import Vocabulary
from exilecases.store.files import atomic_write, case_path


@dataclass
class EditResult:
    """What an edit did: the file, the case before and after, and the field changes."""

    path: Path
    case_id: str
    old: dict[str, Any]
    new: dict[str, Any]
    changed_lines: int
    changes: list[Any]

    def commit_message(self) -> str:
        """``ivanov-dmitry: status deported -> extradited`` (every change, on one line).

        The changes are public ones (``changes.public_changes``): a commit message is
        pushed wherever the repository goes, so it never holds a private value."""
        parts = [change.format().replace(": ", " ", 1) for change in self.changes]
        return f"{self.case_id}: " + ("; ".join(parts) if parts else "formatting only")


def _signature(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def edit_case(
    root: Path,
    case_id: str,
    transform: Callable[[str], str],
    vocabulary: Vocabulary,
    *,
    dry_run: bool = False,
) -> EditResult:
    """Apply ``transform`` (old text -> new text) to a case file and write the result.

    Raises ``ExilecasesError`` when the case does not exist, is broken, would become
    invalid, or changed on disk while it was being edited; nothing is written then.
    """
    from exilecases.ops.changes import public_changes
    from exilecases.ops.edit import changed_lines
    from exilecases.ops.validate import check_file

    path = case_path(root, case_id)
    rel = path.relative_to(root).as_posix()
    if not path.is_file():
        raise ExilecasesError(f"no case {case_id!r} (no file {rel})")
    before = _signature(path)
    raw = path.read_bytes()
    old_check = check_file(raw, rel, case_id, vocabulary)
    if old_check.case is None:
        raise ExilecasesError(
            f"{rel} cannot be read ({_first(old_check)}); fix it by hand first, then run "
            "exilecases validate"
        )
    text = transform(raw.decode("utf-8"))
    new_check = check_file(text.encode("utf-8"), rel, case_id, vocabulary)
    new_errors = [f for f in new_check.findings if f.severity == "error"]
    old_errors = {(f.code, f.message) for f in old_check.findings if f.severity == "error"}
    introduced = [f for f in new_errors if (f.code, f.message) not in old_errors]
    if introduced or new_check.case is None:
        details = "; ".join(f"{f.line}:{f.col}: {f.code} {f.message}" for f in introduced)
        raise ExilecasesError(f"nothing was written: the change would make {rel} invalid: "
                              f"{details}", 2)  # fmt: skip
    result = EditResult(
        path, case_id, old_check.case, new_check.case, changed_lines(raw.decode(), text),
        public_changes(old_check.case, new_check.case, vocabulary),
    )  # fmt: skip
    if dry_run or text == raw.decode("utf-8"):
        return result
    if _signature(path) != before or path.read_bytes() != raw:
        raise ExilecasesError(
            f"{rel} changed on disk while it was being edited (another editor or a git "
            "command); nothing was written: run the command again"
        )
    atomic_write(path, text)
    return result


def _first(check: Any) -> str:
    first = check.first_error
    return f"{first.line}:{first.col}: {first.code} {first.message}" if first else "unreadable"
