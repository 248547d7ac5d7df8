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
from exilecases.store.files import MAX_FILE_BYTES, case_files, relative

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
    """The bytes of a case file, read no further than the size limit (plus one byte)."""
    with path.open("rb") as stream:
        return stream.read(MAX_FILE_BYTES + 1)


def check_path(root: Path, path: Path, vocabulary: Vocabulary) -> FileCheck:
    """Read and check one case file."""
    from exilecases.ops.validate import FileCheck, check_file

    rel = relative(root, path)
    try:
        raw = read_file(path)
    except OSError as error:
        check = FileCheck(rel, path=path)
        check.findings.append(finding(rel, 1, 1, "E003", f"cannot read the file: {error}"))
        return check
    return check_file(raw, rel, path.stem, vocabulary, path=path)


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
    import functools

    from exilecases.store.index import index_row

    prepare = functools.partial(index_row, vocabulary=vocabulary)
    return lambda stale: check_paths(root, stale, vocabulary, progress, prepare=prepare)


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
        return LoadResult(list(check_paths(root, case_files(root), vocabulary, progress)))
    with open_index(root, vocabulary) as index:
        index.refresh(parse=_reader(root, vocabulary, progress))
        keys = {relative(root, root / "data" / "cases" / k): v for k, v in
                index.name_keys().items()}  # fmt: skip
        return LoadResult(index.checks(whole), keys)


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
            broken = index.broken()
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
        return "[" + ", ".join(index.case_json(*clause)) + "]", index.broken()


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
        return Selection(index.search_documents(), index.broken())


@dataclass
class DueSelection:
    """The deadlines ``due`` lists, the files it skipped, and how many open private
    deadlines the chosen cases hold that a public listing left out."""

    items: list[Any]
    broken: list[tuple[str, Finding | None]]
    private_left_out: int = 0


def select_deadlines(
    root: Path,
    vocabulary: Vocabulary,
    filters: Any,
    query: Any,
    *,
    private: bool = False,
    use_cache: bool | None = None,
    progress: Progress | None = None,
) -> DueSelection:
    """The open deadlines of the cases passing ``filters`` that ``query`` (a
    ``deadlines.DueQuery``) lists, earliest first.

    Public ones come from the index's deadline rows (no case is decoded); with
    ``private``, every file is read (never the index) and private deadlines are included.
    """
    from exilecases.ops import deadlines
    from exilecases.ops import query as querying
    from exilecases.store.index import cache_enabled, open_index, sql_filter

    if use_cache is None:
        use_cache = cache_enabled()
    clause = sql_filter(filters, vocabulary)
    if use_cache and not private and clause is not None:
        with open_index(root, vocabulary) as index:
            index.refresh(parse=_reader(root, vocabulary, progress))
            rows = index.deadlines(*clause, query)
            items = [deadlines.Deadline.from_index(*row) for row in rows]
            return DueSelection(
                deadlines.due(items, query), index.broken(), index.private_deadline_count(*clause)
            )
    result = load(root, vocabulary, use_cache=False if private else use_cache, progress=progress)
    broken = [(check.rel, check.first_error) for check in result.broken]
    chosen = querying.select(result.cases, filters, vocabulary)
    items = [
        item
        for case in chosen
        for item in deadlines.deadline_items(case, vocabulary, private=private)
    ]
    hidden = 0 if private else sum(deadlines.private_open_count(case) for case in chosen)
    return DueSelection(deadlines.due(items, query), broken, hidden)


def select_deadlines_json(
    root: Path, vocabulary: Vocabulary, filters: Any, query: Any, progress: Progress | None = None
) -> tuple[str, DueSelection] | None:
    """``due --format json`` straight from the index: the JSON array as text, and the
    skipped files and private count (its ``items`` empty). None when the cache is off or
    SQL cannot express the filters (the caller then takes ``select_deadlines``)."""
    from exilecases.store.index import cache_enabled, open_index, sql_filter

    clause = sql_filter(filters, vocabulary)
    if clause is None or not cache_enabled():
        return None
    with open_index(root, vocabulary) as index:
        index.refresh(parse=_reader(root, vocabulary, progress))
        text = "[" + ", ".join(index.deadline_json(*clause, query)) + "]"
        return text, DueSelection([], index.broken(), index.private_deadline_count(*clause))
