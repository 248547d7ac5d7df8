"""Loading a case repository: every file read and checked, errors collected as values.

Like beancount's loader, a load never stops at the first bad file: it returns every case it
could read together with the checks of the files it could not. Files that changed since the
last run are read (on every core when there are many); the rest come from the index
(``store.index``), which holds each case's public view only. Public commands get public
views either way (from the index or made from the files, the same); a command asked for
private data loads with ``private=True``, which reads the files and never the index.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from exilecases.format.findings import ERROR, Finding, finding
from exilecases.format.vocabulary import Vocabulary
from exilecases.store.files import (
    MAX_FILE_BYTES,
    NotAFileError,
    Stray,
    cases_dir,
    read_regular,
    relative,
    scan_cases,
)

if TYPE_CHECKING:
    from exilecases.ops.validate import FileCheck
    from exilecases.store.index import CaseIndex, IndexRow

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


# --- what the index stores of a file: public text only ------------------------------------


def public_case(case: dict[str, Any] | None, vocabulary: Vocabulary) -> dict[str, Any] | None:
    """The public view of a parsed case (``store.index.public_view``), or None when there is
    no case or no view can be made of it (a file too broken to tell what is private)."""
    if case is None:
        return None
    from exilecases.store.index import public_view

    try:
        return public_view(case, vocabulary)
    except Exception:  # a broken file's shape: nothing of it is stored or shown
        return None


def identity(public: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the cross-file rules need of a case: its id, name and ``distinct_from``."""
    if public is None:
        return None
    return {key: public[key] for key in ("id", "name", "distinct_from") if key in public}


def public_name_keys(public: dict[str, Any] | None) -> list[str]:
    """The folded public names of a case, for the likely-duplicate rule (W104)."""
    if public is None:
        return []
    from exilecases.ops.validate import name_keys

    return sorted(name_keys(public))


def _leaves(value: Any, into: set[str]) -> set[str]:
    if isinstance(value, dict):
        for item in value.values():
            _leaves(item, into)
    elif isinstance(value, list):
        for item in value:
            _leaves(item, into)
    elif not isinstance(value, bool) and value is not None:
        text = str(value)
        if text:
            into.add(text)
    return into


def quotes_private(
    findings: Sequence[Finding], case: dict[str, Any] | None, public: dict[str, Any] | None
) -> bool:
    """True when a finding's message contains a value of ``case`` that its public view
    leaves out: such findings never enter the index (``validate`` reads the file again).
    Errs on the safe side: a short private value met by chance in a message counts too."""
    if not findings or case is None:
        return False
    secrets = _leaves(case, set()) - _leaves(public or {}, set())
    return any(secret in item.message for item in findings for secret in secrets)


def index_row(check: FileCheck, vocabulary: Vocabulary) -> IndexRow:
    """The index row of a checked file: its public view, never a private value."""
    import json

    from exilecases.store.index import IndexRow, finding_row

    assert check.path is not None
    public = public_case(check.case, vocabulary)
    usable = public is not None and check.ok
    findings_json = (
        None
        if quotes_private(check.findings, check.case, public)
        else json.dumps([finding_row(f) for f in check.findings], ensure_ascii=False)
    )
    who = identity(public)
    facts = _facts(check.case, public, vocabulary) if usable else None
    tags = _tags(public) if usable else []
    if facts is not None:
        tags += [("proceeding", kind) for kind in facts.proceeding_types]
        tags.append(("breach", facts.breach))
    return IndexRow(
        name=check.path.name,
        ok=check.ok,
        case_id=public and public.get("id"),
        status=public and public.get("status"),
        origin=public and public.get("origin_country"),
        host=public and public.get("host_country"),
        case_json=json.dumps(public, ensure_ascii=False) if public is not None else None,
        findings_json=findings_json,
        name_keys="\n".join(public_name_keys(public)),
        identity=json.dumps(who, ensure_ascii=False) if who is not None else None,
        places=json.dumps(check.places) if check.places else None,
        tags=tags,
        ranges=_event_ranges(public) if usable else [],
        volatile=check.volatile,
        deadlines=[item.index_row() for item in facts.deadlines] if facts is not None else [],
        private_deadlines=facts.private_open if facts is not None else 0,
    )


def _facts(case: Any, public: dict[str, Any] | None, vocabulary: Vocabulary) -> Any:
    """What due, list --breached and stats need of a case, from its public view (and the
    number of its open private deadlines)."""
    from exilecases.ops.deadlines import public_facts

    return public_facts(case, vocabulary, public)


def _tags(case: dict[str, Any]) -> list[tuple[str, str]]:
    tags = [("category", c) for c in set(case.get("categories", []))]
    tags += [("basis", b) for b in {c.get("basis") for c in case.get("charges", [])} if b]
    return tags


def _event_ranges(case: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """Each dated event's first and last possible day (ISO) and its type."""
    from exilecases.format.dates import DateError, parse_date

    ranges = []
    for event in case.get("events", []):
        with suppress(DateError, KeyError):
            date = parse_date(event["date"])
            ranges.append((date.earliest.isoformat(), date.latest.isoformat(), event.get("type")))
    return ranges


def cache_enabled() -> bool:
    """False when the index is switched off (``EXILECASES_NO_CACHE``)."""
    from exilecases.store.index import cache_enabled as enabled

    return enabled()


def _reader(
    root: Path, vocabulary: Vocabulary, progress: Progress | None
) -> Callable[[list[Path]], Iterator[Any]]:
    """How the index reads the files that changed: checked and made into rows on every core."""
    prepare = functools.partial(index_row, vocabulary=vocabulary)
    return lambda stale: check_paths(root, stale, vocabulary, progress, prepare=prepare)


def _open_fresh(root: Path, vocabulary: Vocabulary, progress: Progress | None) -> CaseIndex:
    """The index, brought up to date. An index SQLite fails on while updating it (rows that
    contradict each other, a damaged page) is deleted and built again; should that fail
    too, this run works on an index in memory."""
    import sqlite3

    from exilecases.store.index import is_busy, open_index

    attempts = [False, False, True]
    while attempts:
        memory = attempts.pop(0)
        index = open_index(root, vocabulary, memory=memory)
        try:
            index.refresh(parse=_reader(root, vocabulary, progress))
            return index
        except sqlite3.Error as error:
            if memory:
                index.db.close()
                raise
            if is_busy(error):
                # Another command is writing the index (a cold build takes a while): its
                # file is left alone, and this run works in memory.
                index.db.close()
                attempts = [True]
            else:
                index.discard()
        except BaseException:
            index.db.close()
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _stored_findings(
    root: Path, vocabulary: Vocabulary, name: str, text: str | None
) -> list[Finding]:
    """A file's findings from the index, or from the file when the index does not hold
    them (they quote a private value)."""
    if text == "[]":
        return []
    if text is not None:
        from exilecases.store.index import findings_of

        return findings_of(text)
    return check_path(root, cases_dir(root) / name, vocabulary).findings


def _publish(
    checks: list[FileCheck], vocabulary: Vocabulary, whole: bool
) -> tuple[list[FileCheck], dict[str, list[str]]]:
    """Checks read from the files, each case replaced by its public view (or identity), and
    each file's folded public names: what the index would have given."""
    keys: dict[str, list[str]] = {}
    for check in checks:
        public = public_case(check.case, vocabulary)
        if public is not None:
            keys[check.rel] = public_name_keys(public)
        check.case = public if whole else identity(public)
    return checks, keys


def load(
    root: Path,
    vocabulary: Vocabulary,
    paths: Iterable[Path] | None = None,
    *,
    use_cache: bool | None = None,
    progress: Progress | None = None,
    whole: bool = True,
    private: bool = False,
) -> LoadResult:
    """Check every case file of the repository (or only ``paths``).

    Each case is its public view, from the index (the default unless ``EXILECASES_NO_CACHE``
    is set: only files that changed since the last run are read) or made the same way from
    the files. Without ``whole``, each case is only its id, name and ``distinct_from`` (what
    ``validate`` needs across files). With ``private``, the files are read and the cases
    are whole, private parts included; the index is not touched.
    """
    if private or paths is not None:
        listing = scan_cases(root) if paths is None else None
        chosen = listing.files if listing is not None else list(paths or ())
        checks = list(check_paths(root, chosen, vocabulary, progress))
        checks = _with_strays(root, checks, listing.strays if listing is not None else ())
        if private:
            from exilecases.ops.seal import open_checks

            open_checks(root, [c for c in checks if c.ok], vocabulary)  # in memory only
            keys = {c.rel: public_name_keys(public_case(c.case, vocabulary)) for c in checks}
            return LoadResult(checks, keys)
        return LoadResult(*_publish(checks, vocabulary, whole))
    if use_cache is None:
        use_cache = cache_enabled()
    if not use_cache:
        listing = scan_cases(root)
        checks = list(check_paths(root, listing.files, vocabulary, progress))
        return LoadResult(*_publish(_with_strays(root, checks, listing.strays), vocabulary, whole))
    with _open_fresh(root, vocabulary, progress) as index:
        return _from_index(root, vocabulary, index, whole)


def _from_index(root: Path, vocabulary: Vocabulary, index: CaseIndex, whole: bool) -> LoadResult:
    """``load``'s result from a fresh index."""
    import json

    from exilecases.ops.validate import FileCheck

    folder = cases_dir(root)
    # 10,000 files: pathlib's parsing would cost more than everything else here.
    prefix = relative(root, folder) + "/"
    child = getattr(folder, "_make_child_relpath", folder.joinpath)
    checks = [
        FileCheck(
            prefix + name,
            json.loads(case) if case is not None else None,
            _stored_findings(root, vocabulary, name, findings),
            child(name),
            {key: tuple(where) for key, where in json.loads(places).items()} if places else {},
        )
        for name, case, findings, places in index.rows(whole)
    ]
    keys = {prefix + name: v for name, v in index.name_keys().items()}
    return LoadResult(_with_strays(root, checks, index.strays), keys)


def check_repository(
    root: Path, vocabulary: Vocabulary, progress: Progress | None = None
) -> tuple[list[Finding], int]:
    """Every finding of every case file, the cross-file ones (E042, W104) included, and how
    many files were checked: ``validate``'s work on a whole repository, public names only.

    With the index, the cross-file findings are computed once per state of the files and
    kept in the index (they are public: ids and public names); a warm run with nothing
    changed reads them back with the per-file findings, and decodes no case at all.
    """
    from exilecases.ops.validate import cross_file

    if not cache_enabled():
        result = load(root, vocabulary, use_cache=False, progress=progress, whole=False)
        return result.findings + cross_file(result.checks, result.name_keys), len(result.checks)
    import json

    from exilecases.store.index import finding_from_row, finding_row

    with _open_fresh(root, vocabulary, progress) as index:
        generation = index.generation()
        kept = index.derived("cross_file")
        if kept is not None:
            found = [f for stray in index.strays for f in stray_check(root, stray).findings]
            for name, text in index.findings_texts():
                found += _stored_findings(root, vocabulary, name, text)
            found += [finding_from_row(row) for row in json.loads(kept)]
            return found, index.file_count() + len(index.strays)
        result = _from_index(root, vocabulary, index, whole=False)
        across = cross_file(result.checks, result.name_keys)
        index.keep("cross_file", json.dumps([finding_row(f) for f in across]), generation)
        return result.findings + across, len(result.checks)


@dataclass
class Selection:
    """The cases a filtered command works on, and the files it skipped."""

    cases: list[dict[str, Any]]
    broken: list[tuple[str, Finding | None]]


def _broken(
    root: Path, vocabulary: Vocabulary, index: CaseIndex
) -> list[tuple[str, Finding | None]]:
    """The files other commands skip, each with its first error (the entries that are not
    regular files, E006, among them)."""
    folder = cases_dir(root)
    found = _stray_broken(root, index.strays)
    for name, text in index.broken():
        findings = _stored_findings(root, vocabulary, name, text)
        first = next((f for f in findings if f.severity == ERROR), None)
        found.append((relative(root, folder / name), first))
    found.sort(key=lambda item: item[0])
    return found


def select(
    root: Path,
    vocabulary: Vocabulary,
    filters: Any,
    *,
    use_cache: bool | None = None,
    progress: Progress | None = None,
    outlines: bool = False,
    private: bool = False,
) -> Selection:
    """The public views of the cases that pass ``filters`` (a ``query.Filters``), by file
    name; with ``private``, the whole cases, read from the files (never the index).

    With the index, the filters run as SQL over it, so only matching cases are decoded;
    without it (or for ``--as-of``) every case is loaded and filtered in Python. With
    ``outlines``, SQL-filtered cases come as the outlines ``stats`` needs (see
    ``CaseIndex.outlines``) rather than whole cases.
    """
    from exilecases.ops import query

    if private:
        return _select_private(root, vocabulary, filters, progress)
    if use_cache is None:
        use_cache = cache_enabled()
    if use_cache:
        with _open_fresh(root, vocabulary, progress) as index:
            broken = _broken(root, vocabulary, index)
            clause = query.sql_where(filters, vocabulary)
            if clause is not None:
                chosen = index.outlines(*clause) if outlines else index.cases(*clause)
                return Selection(chosen, broken)
            return Selection(query.select(index.cases(), filters, vocabulary), broken)
    result = load(root, vocabulary, use_cache=False, progress=progress)
    broken = [(check.rel, check.first_error) for check in result.broken]
    return Selection(query.select(result.cases, filters, vocabulary), broken)


def count_json(
    root: Path,
    vocabulary: Vocabulary,
    filters: Any,
    by: Sequence[str],
    event_type: str | None = None,
    progress: Progress | None = None,
) -> tuple[dict[str, Any], list[tuple[str, Finding | None]]] | None:
    """``stats``'s counts (``stats.count``'s result) by SQL over the index, with the
    skipped files; None when the index is off or SQL cannot express the filters (the
    caller then counts the selected cases in Python)."""
    from exilecases.ops import query
    from exilecases.ops.stats import SQL_FIELDS, count_sql

    clause = query.sql_where(filters, vocabulary)
    # --event counts events, not cases (``stats._count_events``): Python does that.
    if clause is None or not cache_enabled() or not SQL_FIELDS.issuperset(by) or event_type:
        return None
    with _open_fresh(root, vocabulary, progress) as index:
        result = count_sql(index.query, by, vocabulary, *clause, event_type=event_type)
        return result, _broken(root, vocabulary, index)


def _select_private(
    root: Path, vocabulary: Vocabulary, filters: Any, progress: Progress | None
) -> Selection:
    """``select`` for ``--private``: whole cases from the files; the filters see the private
    entries too (``privacy.private_view``), the cases come back as the files hold them (with
    the ``--as-of`` status, when asked for)."""
    from exilecases.format.privacy import private_view
    from exilecases.ops import query

    result = load(root, vocabulary, progress=progress, private=True)
    broken = [(check.rel, check.first_error) for check in result.broken]
    by_id = {case["id"]: case for case in result.cases}
    chosen = []
    for view in query.select([private_view(c) for c in result.cases], filters, vocabulary):
        case = by_id[view["id"]]
        chosen.append({**case, "status": view["status"]} if filters.as_of else case)
    return Selection(chosen, broken)


def select_json(
    root: Path, vocabulary: Vocabulary, filters: Any, progress: Progress | None = None
) -> tuple[str, list[tuple[str, Finding | None]]] | None:
    """The JSON array of the public views of the cases passing ``filters``, in id order,
    straight from the index: the fast path of ``list --format json``. None when the index
    is off or SQL cannot express the filters (the caller then takes the ordinary path)."""
    from exilecases.ops import query

    clause = query.sql_where(filters, vocabulary)
    if clause is None or not cache_enabled():
        return None
    with _open_fresh(root, vocabulary, progress) as index:
        return "[" + ", ".join(index.case_json(*clause)) + "]", _broken(root, vocabulary, index)


@dataclass
class Stream:
    """The cases an export writes, as ``select_stream`` gives them."""

    #: Their ids, in order.
    ids: list[str]
    #: The cases, decoded one at a time.
    cases: Iterator[dict[str, Any]]
    broken: list[tuple[str, Finding | None]]


@contextmanager
def select_stream(
    root: Path, vocabulary: Vocabulary, filters: Any, progress: Progress | None = None
) -> Iterator[Stream | None]:
    """The public views of the cases passing ``filters``, in id order, as a stream read
    from the index while the ``with`` block lasts: what an export of 100,000 cases needs
    without holding them all (as objects or as text). The ids and the cases come from one
    snapshot of the index (one read transaction), whatever other commands write meanwhile.
    Gives None when the index is off or SQL cannot express the filters."""
    import json

    from exilecases.ops import query

    clause = query.sql_where(filters, vocabulary)
    if clause is None or not cache_enabled():
        yield None
        return
    with _open_fresh(root, vocabulary, progress) as index:
        index.db.execute("BEGIN")
        try:
            ids = index.case_ids(*clause)
            broken = _broken(root, vocabulary, index)

            def cases() -> Iterator[dict[str, Any]]:
                for text in index.iter_case_json(*clause):
                    yield json.loads(text)

            yield Stream(ids, cases(), broken)
        finally:
            index.db.execute("COMMIT")


def _search_row(case: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """What the index keeps for search of one public case: its searchable part and the
    folded words of its texts."""
    from exilecases.ops.search import document_words, searchable

    part = searchable(case)
    return part, document_words(part)


def search_documents(
    root: Path,
    vocabulary: Vocabulary,
    progress: Progress | None = None,
    *,
    private: bool = False,
    query: str | None = None,
) -> Selection:
    """The searchable part (``search.searchable``) of the usable cases' public views: from
    the index when it is on, else from reading every file. ``private`` searches whole cases
    (the entries of ``[private]`` too), read from the files, never from the index.

    With a ``query``, the index gives only the cases holding a word that matches one of its
    words (``search.matching_words`` over the index's vocabulary): the cases the query can
    score at all, so ranking them gives what ranking every case would.
    """
    from exilecases.format.privacy import private_view
    from exilecases.ops.search import matching_words, searchable

    if private or not cache_enabled():
        result = load(root, vocabulary, use_cache=False, progress=progress, private=private)
        broken = [(check.rel, check.first_error) for check in result.broken]
        cases = [private_view(case) for case in result.cases] if private else result.cases
        return Selection([searchable(case) for case in cases], broken)
    with _open_fresh(root, vocabulary, progress) as index:
        index.fill_search(_search_row)
        words = None if query is None else matching_words(query, index.search_vocabulary())
        documents = [] if words is not None and not words else index.search_documents(words)
        return Selection(documents, _broken(root, vocabulary, index))


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

    if use_cache is None:
        use_cache = cache_enabled()
    clause = querying.sql_where(filters, vocabulary)
    if use_cache and not private and clause is not None:
        with _open_fresh(root, vocabulary, progress) as index:
            rows = index.deadlines(*clause, query)
            items = [deadlines.Deadline.from_index(*row) for row in rows]
            return DueSelection(
                deadlines.due(items, query),
                _broken(root, vocabulary, index),
                index.private_deadline_count(*clause),
            )
    # The files, whole: the public view is made here, beside the private deadline count.
    result = load(root, vocabulary, private=True, progress=progress)
    broken = [(check.rel, check.first_error) for check in result.checks if not check.ok]
    cases = [check.case for check in result.checks if check.ok and check.case is not None]
    views = cases if private else [public_case(case, vocabulary) or {} for case in cases]
    chosen = {id(view) for view in querying.select(views, filters, vocabulary)}
    items = [
        item
        for case, view in zip(cases, views, strict=True)
        if id(view) in chosen
        for item in deadlines.deadline_items(case, vocabulary, private=private, public=view)
    ]
    hidden = 0
    if not private:
        hidden = sum(
            deadlines.private_open_count(case)
            for case, view in zip(cases, views, strict=True)
            if id(view) in chosen
        )
    return DueSelection(deadlines.due(items, query), broken, hidden)


def select_deadlines_json(
    root: Path, vocabulary: Vocabulary, filters: Any, query: Any, progress: Progress | None = None
) -> tuple[str, DueSelection] | None:
    """``due --format json`` straight from the index: the JSON array as text, and the
    skipped files and private count (its ``items`` empty). None when the index is off or
    SQL cannot express the filters (the caller then takes ``select_deadlines``)."""
    from exilecases.ops import query as querying

    clause = querying.sql_where(filters, vocabulary)
    if clause is None or not cache_enabled():
        return None
    with _open_fresh(root, vocabulary, progress) as index:
        text = "[" + ", ".join(index.deadline_json(*clause, query)) + "]"
        return text, DueSelection(
            [], _broken(root, vocabulary, index), index.private_deadline_count(*clause)
        )
