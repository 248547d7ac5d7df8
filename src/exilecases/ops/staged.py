"""What the next commit holds: the case files as staged (git's index), not as on disk.

The pre-commit hook written by ``init`` runs ``validate --staged`` and ``fmt --check
--staged``: a typo staged and then fixed in the working copy without ``git add`` is still
the typo that would be committed, so it is the staged blob that is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from exilecases.format.findings import finding
from exilecases.format.vocabulary import Vocabulary
from exilecases.ops.validate import FileCheck, check_file
from exilecases.store.files import CASES_DIR
from exilecases.store.git import git_bytes, staged_entries

#: git's mode of a symbolic link: its blob is the link's target, not a case.
_LINK_MODE = "120000"


@dataclass
class StagedFile:
    """One staged case file: its path relative to the repository and its blob's bytes
    (None when it is not a regular file in the index)."""

    rel: str
    raw: bytes | None


def staged_case_files(root: Path) -> list[StagedFile]:
    """The case files (``data/cases/*.toml``) the next commit adds or changes, as staged."""
    files = []
    for mode, blob, rel in staged_entries(root, CASES_DIR.as_posix()):
        path = PurePosixPath(rel)
        if path.parent.as_posix() != CASES_DIR.as_posix() or path.suffix != ".toml":
            continue
        files.append(
            StagedFile(
                rel, None if mode == _LINK_MODE else git_bytes(root, "cat-file", "blob", blob)
            )
        )
    return files


def check_staged(root: Path, vocabulary: Vocabulary) -> list[FileCheck]:
    """Every staged case file checked as ``validate`` checks a file on disk."""
    checks = []
    for staged in staged_case_files(root):
        stem = PurePosixPath(staged.rel).stem
        if staged.raw is None:
            checks.append(_link_check(staged.rel))
            continue
        checks.append(check_file(staged.raw, staged.rel, stem, vocabulary))
    return checks


def _link_check(rel: str) -> FileCheck:
    """A case file staged as a symbolic link: never followed, always an error."""
    check = FileCheck(rel)
    check.findings.append(
        finding(
            rel, 1, 1, "E001",
            "is staged as a symbolic link, not as a case file; `git rm --cached` it and "
            "add the file itself",
        )
    )  # fmt: skip
    return check


def unformatted_staged(root: Path) -> list[str]:
    """The staged case files whose staged text is not in canonical form (``fmt`` would
    change them: ``ops/fmt.fmt_step``, as ``fmt --check``); files that cannot be read as
    TOML are left to ``validate``."""
    from exilecases.errors import ExilecasesError
    from exilecases.ops.fmt import fmt_step

    changed = []
    for staged in staged_case_files(root):
        if staged.raw is None:
            continue
        try:
            text = staged.raw.decode("utf-8")
            if fmt_step(text.removeprefix("\ufeff")).text != text:
                changed.append(staged.rel)
        except (UnicodeDecodeError, ExilecasesError):
            continue
    return changed
