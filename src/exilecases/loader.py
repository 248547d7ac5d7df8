"""Loading a case repository: every file read and checked, errors collected as values.

Like beancount's loader, a load never stops at the first bad file: it returns every case it
could read together with the checks of the files it could not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .findings import Finding
from .repo import MAX_FILE_BYTES, case_files, relative
from .validate import FileCheck, check_file
from .vocabulary import Vocabulary


@dataclass
class LoadResult:
    """The checks of every file read, in file-name order."""

    checks: list[FileCheck]

    @property
    def cases(self) -> list[dict[str, Any]]:
        """The cases of every file without errors."""
        return [check.case for check in self.checks if check.ok and check.case is not None]

    @property
    def broken(self) -> list[FileCheck]:
        """The files other commands skip (they have at least one error)."""
        return [check for check in self.checks if not check.ok]

    @property
    def findings(self) -> list[Finding]:
        """Every finding of every file."""
        return [f for check in self.checks for f in check.findings]


def read_file(path: Path) -> bytes:
    """The bytes of a case file, read no further than the size limit (plus one byte)."""
    with path.open("rb") as stream:
        return stream.read(MAX_FILE_BYTES + 1)


def check_path(root: Path, path: Path, vocabulary: Vocabulary) -> FileCheck:
    """Read and check one case file."""
    rel = relative(root, path)
    try:
        raw = read_file(path)
    except OSError as error:
        from .findings import finding

        check = FileCheck(rel, path=path)
        check.findings.append(finding(rel, 1, 1, "E003", f"cannot read the file: {error}"))
        return check
    return check_file(raw, rel, path.stem, vocabulary, path=path)


def load(root: Path, vocabulary: Vocabulary, paths: Iterable[Path] | None = None) -> LoadResult:
    """Check every case file of the repository (or only ``paths``)."""
    files = list(paths) if paths is not None else case_files(root)
    return LoadResult([check_path(root, path, vocabulary) for path in files])
