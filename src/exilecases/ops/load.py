"""Loading a case repository: every file read and checked, errors collected as values.

Like beancount's loader, a load never stops at the first bad file: it returns every case it
could read together with the checks of the files it could not. Files that changed since the
last run are read (on every core when there are many); the rest come from the index cache.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from exilecases.format.findings import Finding, finding
from exilecases.format.vocabulary import Vocabulary
from exilecases.store.files import (
    MAX_FILE_BYTES,
    NotAFileError,
    Stray,
    read_regular,
    relative,
    scan_cases,
)

if TYPE_CHECKING:
    from exilecases.ops.validate import FileCheck

#: Below this many files to read, starting worker processes costs more than it saves.
PARALLEL_FROM = 1500


class Progress(Protocol):
    """What the loader reports while it reads many files (the CLI draws a bar)."""

    def start(self, total: int) -> None: ...

    def advance(self, count: int) -> None: ...

    def stop(self) -> None: ...


@dataclass
class LoadResult:
    """The checks of every file read, in file-name order."""

    checks: list[FileCheck]
    #: Folded names per file, when the cache had them (see ``validate.cross_file``).
    name_keys: dict[str, list[str]] | None = field(default=None)

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
    """The bytes of a case file, read no further than the size limit (plus one byte); only
    a regular file is opened (``NotAFileError`` otherwise)."""
    return read_regular(path, MAX_FILE_BYTES)


def check_path(root: Path, path: Path, vocabulary: Vocabulary) -> FileCheck:
    """Read and check one case file."""
    from exilecases.ops.validate import FileCheck, check_file

    rel = relative(root, path)
    try:
        raw = read_file(path)
    except NotAFileError as error:
        return stray_check(root, Stray(path, error.kind))
    except OSError as error:
        check = FileCheck(rel, path=path)
        check.findings.append(finding(rel, 1, 1, "E003", f"cannot read the file: {error}"))
        return check
    return check_file(raw, rel, path.stem, vocabulary, path=path)


def stray_check(root: Path, stray: Stray) -> FileCheck:
    """The check of something in ``data/cases/`` that is not a regular file: one E006
    finding naming it; it is never opened or followed."""
    from exilecases.ops.validate import FileCheck

    rel = relative(root, stray.path)
    check = FileCheck(rel)  # no path: nothing reads it again for a line
    check.findings.append(
        finding(
            rel,
            1,
            1,
            "E006",
            f"{rel} is {stray.kind}, not a regular file; it was not opened or followed. A "
            "case file is a regular file: replace this with the file itself, or remove it",
        )
    )
    return check


def _with_strays(root: Path, checks: list[FileCheck], strays: Sequence[Stray]) -> list[FileCheck]:
    """``checks`` with an E006 check for each stray, all in file-name order."""
    if not strays:
        return checks
    merged = checks + [stray_check(root, stray) for stray in strays]
    merged.sort(key=lambda check: check.rel)
    return merged


def _stray_broken(root: Path, strays: Sequence[Stray]) -> list[tuple[str, Finding | None]]:
    """The one-line "skipped" entries of the strays, for the commands that skip files."""
    return [(check.rel, check.first_error) for check in (stray_check(root, s) for s in strays)]


# The state each worker process needs; set before the pool forks.
_WORKER: tuple[Path, Vocabulary, Callable[[FileCheck], Any] | None] | None = None


def _check_in_worker(path: Path) -> Any:
    assert _WORKER is not None
    root, vocabulary, prepare = _WORKER
    check = check_path(root, path, vocabulary)
    return prepare(check) if prepare is not None else check


def check_paths(
    root: Path,
    paths: Sequence[Path],
    vocabulary: Vocabulary,
    progress: Progress | None = None,
    prepare: Callable[[FileCheck], Any] | None = None,
) -> Iterator[Any]:
    """Check many files, in worker processes on every core when there are enough of them.

    Yields each file's ``FileCheck``, or what ``prepare`` makes of it (in the worker, so
    that this work runs in parallel too).
    """
    global _WORKER
    workers = min(os.cpu_count() or 1, 8)
    if progress is not None:
        progress.start(len(paths))
    try:
        if len(paths) < PARALLEL_FROM or workers < 2 or "fork" not in _start_methods():
            for path in paths:
                check = check_path(root, path, vocabulary)
                yield prepare(check) if prepare is not None else check
                if progress is not None:
                    progress.advance(1)
            return
        import multiprocessing

        # Importing pydantic before forking saves every worker from importing it again.
        from exilecases.format import model  # noqa: F401

        _WORKER = (root, vocabulary, prepare)
        context = multiprocessing.get_context("fork")
        chunk = max(50, len(paths) // (workers * 8))
        with context.Pool(workers) as pool:
            for check in pool.imap(_check_in_worker, paths, chunksize=chunk):
                yield check
                if progress is not None:
                    progress.advance(1)
    finally:
        _WORKER = None
        if progress is not None:
            progress.stop()


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def _reader(
    root: Path, vocabulary: Vocabulary, progress: Progress | None
) -> Callable[[list[Path]], Iterator[Any]]:
    """How the cache reads the files that changed: checked and made into rows on every core."""
    from exilecases.store.index import index_row

    return lambda stale: check_paths(root, stale, vocabulary, progress, prepare=index_row)


def load(
    root: Path,
    vocabulary: Vocabulary,
    paths: Iterable[Path] | None = None,
    *,
    use_cache: bool | None = None,
    progress: Progress | None = None,
    whole: bool = True,
) -> LoadResult:
    """Check every case file of the repository (or only ``paths``).

    With the cache (the default unless ``EXILECASES_NO_CACHE`` is set), only files that
    changed since the last run are read. Without ``whole``, cases from the cache carry only
    their id, name and ``distinct_from`` (what ``validate`` needs across files).
    """
    from exilecases.store.index import cache_enabled, open_index

    if paths is not None:
        return LoadResult(list(check_paths(root, list(paths), vocabulary, progress)))
    if use_cache is None:
        use_cache = cache_enabled()
    if not use_cache:
        listing = scan_cases(root)
        checks = list(check_paths(root, listing.files, vocabulary, progress))
        return LoadResult(_with_strays(root, checks, listing.strays))
    with open_index(root, vocabulary) as index:
        index.refresh(parse=_reader(root, vocabulary, progress))
        keys = {relative(root, root / "data" / "cases" / k): v for k, v in
                index.name_keys().items()}  # fmt: skip
        return LoadResult(_with_strays(root, index.checks(whole), index.strays), keys)


@dataclass
class Selection:
    """The cases a filtered command works on, and the files it skipped."""

    cases: list[dict[str, Any]]
    broken: list[tuple[str, Finding | None]]


def select(
    root: Path,
    vocabulary: Vocabulary,
    filters: Any,
    *,
    use_cache: bool | None = None,
    progress: Progress | None = None,
    outlines: bool = False,
) -> Selection:
    """The cases that pass ``filters`` (a ``query.Filters``), by file name.

    With the cache, the filters run as SQL over the index, so only matching cases are
    decoded; without it (or for ``--as-of``) every case is loaded and filtered in Python.
    With ``outlines``, SQL-filtered cases come as the outlines ``stats`` needs (see
    ``CaseIndex.outlines``) rather than whole cases.
    """
    from exilecases.ops import query
    from exilecases.store.index import cache_enabled, open_index, sql_filter

    if use_cache is None:
        use_cache = cache_enabled()
    if use_cache:
        with open_index(root, vocabulary) as index:
            index.refresh(parse=_reader(root, vocabulary, progress))
            broken = _stray_broken(root, index.strays) + index.broken()
            clause = sql_filter(filters, vocabulary)
            if clause is not None:
                chosen = index.outlines(*clause) if outlines else index.cases(*clause)
                return Selection(chosen, broken)
            return Selection(query.select(index.cases(), filters, vocabulary), broken)
    result = load(root, vocabulary, use_cache=False, progress=progress)
    broken = [(check.rel, check.first_error) for check in result.broken]
    return Selection(query.select(result.cases, filters, vocabulary), broken)


def select_json(
    root: Path, vocabulary: Vocabulary, filters: Any, progress: Progress | None = None
) -> tuple[str, list[tuple[str, Finding | None]]] | None:
    """The JSON array of the cases passing ``filters``, in id order, straight from the
    index cache: the fast path of ``list --format json``. None when the cache is off or
    SQL cannot express the filters (the caller then takes the ordinary path)."""
    from exilecases.store.index import cache_enabled, open_index, sql_filter

    clause = sql_filter(filters, vocabulary)
    if clause is None or not cache_enabled():
        return None
    with open_index(root, vocabulary) as index:
        index.refresh(parse=_reader(root, vocabulary, progress))
        broken = _stray_broken(root, index.strays) + index.broken()
        return "[" + ", ".join(index.case_json(*clause)) + "]", broken


def search_documents(
    root: Path, vocabulary: Vocabulary, progress: Progress | None = None
) -> Selection:
    """The searchable part of every usable case (``search.searchable``): from the cache
    when it is on, else from reading every file."""
    from exilecases.ops.search import searchable
    from exilecases.store.index import cache_enabled, open_index

    if not cache_enabled():
        result = load(root, vocabulary, use_cache=False, progress=progress)
        broken = [(check.rel, check.first_error) for check in result.broken]
        return Selection([searchable(case) for case in result.cases], broken)
    with open_index(root, vocabulary) as index:
        index.refresh(parse=_reader(root, vocabulary, progress))
        broken = _stray_broken(root, index.strays) + index.broken()
        return Selection(index.search_documents(), broken)
