"""The index cache: every case file's parsed case and findings, kept in SQLite.

Stored in ``<root>/.exilecases/index.sqlite`` (the folder ignores itself in git). Each file's
row is keyed on its name, size, modification time, change time and inode, so an edit in any
editor, a ``git checkout`` or a pull invalidates exactly the files that changed; new and
deleted files are found by listing ``data/cases/`` on every run. The cache is never trusted
over the files: a row whose key differs is parsed again, a row written in the same instant
as its file's last change is checked again next time, and a cache from another version of
the tool, another vocabulary, or that SQLite cannot read is thrown away and rebuilt.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exilecases import __version__
from exilecases.errors import ExilecasesError
from exilecases.format.findings import Finding
from exilecases.format.vocabulary import REPOSITORY_VOCABULARY, VOCABULARY_MAX_BYTES, Vocabulary
from exilecases.store.files import Stray, cases_dir, describe, read_optional, relative

if TYPE_CHECKING:
    from exilecases.ops.validate import FileCheck

CACHE_DIR = ".exilecases"
CACHE_FILE = "index.sqlite"
NO_CACHE_ENV = "EXILECASES_NO_CACHE"
#: Bumped whenever the layout below or what a row means changes.
LAYOUT = 6
#: A file changed less than this long before its row was written may change again within
#: the same timestamp tick; such rows are checked again ("racy" entries, as git calls them).
RACY_NS = 2_000_000_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    file TEXT PRIMARY KEY,
    stat_key TEXT NOT NULL,
    ok INTEGER NOT NULL,
    case_id TEXT, status TEXT, origin TEXT, host TEXT,
    name_keys TEXT NOT NULL,
    identity TEXT
);
-- The large texts live apart, so that reading the keys of 100,000 small rows stays cheap.
CREATE TABLE IF NOT EXISTS documents (
    file TEXT PRIMARY KEY, case_json TEXT, findings_json TEXT NOT NULL, search_json TEXT
);
CREATE TABLE IF NOT EXISTS tags (file TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tags_by_value ON tags (field, value);
CREATE INDEX IF NOT EXISTS tags_by_file ON tags (file);
CREATE TABLE IF NOT EXISTS event_ranges (file TEXT NOT NULL, earliest TEXT NOT NULL,
                                         latest TEXT NOT NULL, type TEXT);
CREATE INDEX IF NOT EXISTS event_ranges_by_file ON event_ranges (file);
CREATE INDEX IF NOT EXISTS files_by_status ON files (status);
"""


def cache_enabled() -> bool:
    """False when ``EXILECASES_NO_CACHE`` is set (to 1, yes or true)."""
    return os.environ.get(NO_CACHE_ENV, "").lower() not in ("1", "yes", "true")


def vocabulary_fingerprint(root: Path) -> str:
    """Changes whenever the repository's vocabulary file or the tool's version changes (the
    vocabulary file is small: its text is the fingerprint, no hashing needed)."""
    try:
        raw = read_optional(root / REPOSITORY_VOCABULARY, VOCABULARY_MAX_BYTES) or b""
    except (OSError, ExilecasesError):  # not a regular file, or too large: never read
        raw = b""
    vocabulary = raw.decode("utf-8", errors="replace")
    return f"{__version__}/{LAYOUT}/{vocabulary}"


def list_case_files(
    root: Path, strays: list[Stray] | None = None
) -> dict[str, tuple[int, int, int, int]]:
    """Every regular case file's name and key ``(size, mtime_ns, ctime_ns, inode)``, in one
    pass over ``data/cases/`` (this runs on every command: keep it lean). Anything else
    named ``*.toml`` (a link, FIFO, socket, device, folder) is never followed; it is added
    to ``strays`` when given."""
    folder = cases_dir(root)
    found: dict[str, tuple[int, int, int, int]] = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if not name.endswith(".toml") or name.startswith("."):
                continue
            try:
                regular = entry.is_file(follow_symlinks=False)
                stat = entry.stat(follow_symlinks=False) if regular else None
            except OSError:
                stat = None
            if stat is None:
                if strays is not None:
                    strays.append(Stray(Path(entry.path), describe(Path(entry.path))))
                continue
            found[name] = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
    return found


@dataclass(frozen=True, slots=True)
class IndexRow:
    """What the cache stores of one file, computed where the file is read (in a worker
    process when many files are read at once)."""

    name: str
    ok: bool
    case_id: str | None
    status: str | None
    origin: str | None
    host: str | None
    case_json: str | None
    findings_json: str
    search_json: str | None
    name_keys: str
    identity: str | None
    tags: list[tuple[str, str]]
    ranges: list[tuple[str, str, str | None]]


def index_row(check: FileCheck) -> IndexRow:
    """The cache row of a checked file (tags and event ranges only for usable cases)."""
    assert check.path is not None
    case = check.case
    usable = case is not None and check.ok
    return IndexRow(
        name=check.path.name,
        ok=check.ok,
        case_id=case and case.get("id"),
        status=case and case.get("status"),
        origin=case and case.get("origin_country"),
        host=case and case.get("host_country"),
        case_json=json.dumps(case, ensure_ascii=False) if case is not None else None,
        findings_json=json.dumps([_finding_row(f) for f in check.findings], ensure_ascii=False),
        search_json=_search_json(case) if usable else None,
        name_keys="\n".join(_name_keys(case)),
        identity=json.dumps(
            {key: case[key] for key in ("id", "name", "distinct_from") if key in case},
            ensure_ascii=False,
        )
        if case is not None
        else None,
        tags=_tags(case) if usable else [],
        ranges=_event_ranges(case) if usable else [],
    )


def _search_json(case: dict[str, Any]) -> str:
    from exilecases.ops.search import searchable

    return json.dumps(searchable(case), ensure_ascii=False)


def _stat_key(key: tuple[int, int, int, int]) -> str:
    """The text a file's key is stored as: ``size/mtime_ns/ctime_ns/inode``."""
    return f"{key[0]}/{key[1]}/{key[2]}/{key[3]}"


def _stored_key(key: tuple[int, int, int, int]) -> str:
    """The key to store for a file read now. A file changed so shortly before that a second
    change within the same clock tick could go unseen is stored as "racy", a key no file
    has, so it is read again next time (as git does with "racily clean" entries)."""
    if time.time_ns() - key[1] < RACY_NS:
        return "racy"
    return _stat_key(key)


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


def _name_keys(case: dict[str, Any] | None) -> list[str]:
    if case is None:
        return []
    from exilecases.ops.validate import name_keys

    return sorted(name_keys(case))


class CaseIndex:
    """The cache of one case repository. Use as a context manager; ``refresh`` first."""

    def __init__(self, root: Path, vocabulary: Vocabulary) -> None:
        self.root = root
        self.vocabulary = vocabulary
        self.folder = root / CACHE_DIR
        self.path = self.folder / CACHE_FILE
        self.db = self._open()

    def __enter__(self) -> CaseIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.close()

    # -- opening ----------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        """Open the cache, or make it anew when missing, unreadable or out of date."""
        fingerprint = vocabulary_fingerprint(self.root)
        try:
            self.folder.mkdir(exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# exilecases' index cache: rebuilt when missing\n*\n")
            db = self._connect(self.path)
            if self._meta(db, "fingerprint") == fingerprint:
                return db
            db.close()
        except (OSError, sqlite3.Error):
            pass
        # Missing, corrupt, locked for good, or from another version: start again. Where
        # the folder cannot be written, work in memory (correct, only slower next time).
        with suppress(OSError):
            self.path.unlink(missing_ok=True)
        try:
            db = self._connect(self.path)
        except (OSError, sqlite3.Error):
            db = self._connect(":memory:")
        db.executescript(_SCHEMA)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
        db.commit()
        return db

    @staticmethod
    def _connect(path: Path | str) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=10, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
        db.execute("SELECT count(*) FROM files").fetchone()  # raises if the file is corrupt
        return db

    @staticmethod
    def _meta(db: sqlite3.Connection, key: str) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # -- bringing rows up to date -----------------------------------------------------

    def refresh(
        self,
        progress: Callable[[int], Any] | None = None,
        parse: Callable[[list[Path]], Iterator[IndexRow]] | None = None,
    ) -> int:
        """Re-read every file whose key changed, add new files, drop deleted ones.

        ``parse`` turns paths into rows (the loader reads them on every core, each through
        ``index_row``);
        ``progress`` is called with the number of files to read before reading them.
        Returns how many files were read.
        """
        self.strays: list[Stray] = []
        on_disk = list_case_files(self.root, self.strays)
        known = dict(self.db.execute("SELECT file, stat_key FROM files"))
        stale = [name for name, key in on_disk.items() if known.get(name) != _stat_key(key)]
        gone = [name for name in known if name not in on_disk]
        if not stale and not gone:
            return 0
        if progress is not None:
            progress(len(stale))
        folder = cases_dir(self.root)
        rows = parse([folder / name for name in stale]) if parse else iter(())
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for name in gone:
                self._delete(name)
            for row in rows:
                # Always: another process may have added the row since ``known`` was read.
                self._delete(row.name)
                self._insert(row, on_disk[row.name])
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return len(stale)

    def _delete(self, name: str) -> None:
        for table in ("files", "documents", "tags", "event_ranges"):
            self.db.execute(f"DELETE FROM {table} WHERE file = ?", (name,))

    def _insert(self, row: IndexRow, key: tuple[int, int, int, int]) -> None:
        self.db.execute(
            "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.name,
                _stored_key(key),
                int(row.ok),
                row.case_id,
                row.status,
                row.origin,
                row.host,
                row.name_keys,
                row.identity,
            ),
        )
        self.db.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?)",
            (row.name, row.case_json, row.findings_json, row.search_json),
        )
        if row.tags:
            self.db.executemany(
                "INSERT INTO tags VALUES (?, ?, ?)", [(row.name, f, v) for f, v in row.tags]
            )
        if row.ranges:
            self.db.executemany(
                "INSERT INTO event_ranges VALUES (?, ?, ?, ?)",
                [(row.name, *item) for item in row.ranges],
            )

    # -- reading ------------------------------------------------------------------------

    def checks(self, whole: bool = True) -> list[FileCheck]:
        """Every file's check, in file-name order (for ``validate``). Without ``whole``, each
        case is only its identity (id, name, distinct_from): enough for the cross-file rules,
        and far less to decode for 100,000 cases."""
        from exilecases.ops.validate import FileCheck

        folder = cases_dir(self.root)
        column = "case_json" if whole else "identity"
        rows = self.db.execute(
            f"SELECT file, {column}, findings_json FROM files JOIN documents USING (file) "
            "ORDER BY file"
        )
        return [
            FileCheck(
                relative(self.root, folder / name),
                json.loads(case) if case is not None else None,
                [_finding_from_row(r) for r in json.loads(findings_json)],
                folder / name,
            )
            for name, case, findings_json in rows
        ]

    def name_keys(self) -> dict[str, list[str]]:
        """Each readable file's folded names (for the likely-duplicate rule)."""
        rows = self.db.execute("SELECT file, name_keys FROM files WHERE case_id IS NOT NULL")
        return {name: keys.split("\n") for name, keys in rows if keys}

    def broken(self) -> list[tuple[str, Finding | None]]:
        """The files other commands skip, each with its first error."""
        folder = cases_dir(self.root)
        found = []
        for name, findings_json in self.db.execute(
            "SELECT file, findings_json FROM files JOIN documents USING (file) WHERE ok = 0 "
            "ORDER BY file"
        ):
            errors = [r for r in json.loads(findings_json) if r[3] == "error"]
            first = _finding_from_row(errors[0]) if errors else None
            found.append((relative(self.root, folder / name), first))
        return found

    def search_documents(self) -> list[dict[str, Any]]:
        """What ``search`` reads of every file without errors (see ``search.searchable``)."""
        sql = "SELECT search_json FROM files JOIN documents USING (file) WHERE ok = 1 ORDER BY file"
        return [json.loads(row[0]) for row in self.db.execute(sql)]

    def case_json(self, where: str = "", params: Sequence[Any] = ()) -> list[str]:
        """The stored JSON text of every file without errors (narrowed by SQL), by file name:
        what ``list --format json`` prints, without decoding and encoding it again."""
        sql = (
            "SELECT case_json FROM files JOIN documents USING (file) "
            f"WHERE ok = 1 {where} ORDER BY file"
        )
        return [row[0] for row in self.db.execute(sql, params)]

    def outlines(self, where: str = "", params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The cases of every file without errors (narrowed by SQL), reduced to what
        ``stats`` counts: status, countries, categories, the bases of charges, and the year
        and type of each dated event. Built from the index columns, so counting 100,000
        cases decodes no case JSON."""
        outlines: dict[str, dict[str, Any]] = {}
        for name, status, origin, host in self.db.execute(
            f"SELECT file, status, origin, host FROM files WHERE ok = 1 {where} ORDER BY file",
            params,
        ):
            outlines[name] = {
                "status": status,
                "origin_country": origin,
                "host_country": host,
                "categories": [],
                "charges": [],
                "events": [],
            }
        for name, field, value in self.db.execute("SELECT file, field, value FROM tags"):
            outline = outlines.get(name)
            if outline is None:
                continue
            if field == "category":
                outline["categories"].append(value)
            else:
                outline["charges"].append({"basis": value})
        for name, earliest, event_type in self.db.execute(
            "SELECT file, earliest, type FROM event_ranges"
        ):
            outline = outlines.get(name)
            if outline is not None:
                # The year of an event is the year of its first possible day, as stats has it.
                outline["events"].append({"date": earliest[:4], "type": event_type})
        return list(outlines.values())

    def cases(self, where: str = "", params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The cases of every file without errors (optionally narrowed by SQL), by file name."""
        sql = (
            "SELECT case_json FROM files JOIN documents USING (file) "
            f"WHERE ok = 1 {where} ORDER BY file"
        )
        return [json.loads(row[0]) for row in self.db.execute(sql, params)]


def _finding_row(item: Finding) -> list[Any]:
    return [item.path, item.line, item.col, item.severity, item.code, item.message]


def _finding_from_row(row: list[Any]) -> Finding:
    return Finding(*row)


def sql_filter(filters: Any, vocabulary: Vocabulary) -> tuple[str, list[Any]] | None:
    """The SQL ``AND ...`` clause for ``query.Filters``, or None when SQL cannot express
    them (``--as-of`` needs every event's outcome: those runs filter in Python)."""
    if filters.as_of:
        return None
    clauses: list[str] = []
    params: list[Any] = []

    def any_of(column: str, values: Sequence[str]) -> None:
        clauses.append(f"AND {column} IN ({', '.join('?' * len(values))})")
        params.extend(values)

    statuses = set(filters.status)
    if filters.outcome:
        by_outcome = set().union(*(vocabulary.statuses_with_outcome(o) for o in filters.outcome))
        statuses = statuses & by_outcome if statuses else by_outcome
        if not statuses:
            return "AND 0", []
    if statuses:
        any_of("status", sorted(statuses))
    if filters.origin:
        any_of("origin", [v.upper() for v in filters.origin])
    if filters.host:
        any_of("host", [v.upper() for v in filters.host])
    for field, values in (("basis", filters.basis), ("category", filters.category)):
        if values:
            marks = ", ".join("?" * len(values))
            clauses.append(
                f"AND file IN (SELECT file FROM tags WHERE field = ? AND value IN ({marks}))"
            )
            params.extend([field, *values])
    if filters.since or filters.until:
        from exilecases.format.dates import date_range

        start, end = date_range(filters.since, filters.until)
        condition = "SELECT 1 FROM event_ranges e WHERE e.file = files.file"
        if start is not None:
            condition += " AND e.latest >= ?"
            params.append(start.isoformat())
        if end is not None:
            condition += " AND e.earliest <= ?"
            params.append(end.isoformat())
        clauses.append(f"AND EXISTS ({condition})")
    return " ".join(clauses), params


def remove_cache(root: Path) -> None:
    """Delete the cache of a repository (it is rebuilt on the next run)."""
    folder = root / CACHE_DIR
    for name in (CACHE_FILE, f"{CACHE_FILE}-wal", f"{CACHE_FILE}-shm"):
        with suppress(OSError):
            (folder / name).unlink()


def open_index(root: Path, vocabulary: Vocabulary) -> CaseIndex:
    """Open the cache of ``root`` (closing it is the caller's job: use ``with``)."""
    return CaseIndex(root, vocabulary)
