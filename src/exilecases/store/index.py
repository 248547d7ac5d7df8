"""The index: every case file's public view and findings, kept in SQLite where no clone can
carry it.

The index lives in ``store.place.index_path(root)``: ``.git/exilecases/<uid>/index.sqlite``
inside the git directory (which no clone, push or ``git add`` reaches), or the user's cache
folder when the repository is not in git. Nothing in the work tree is ever read as an
index: a repository can carry any file, a crafted database among them.

It is used only when it can be trusted: a regular file (not a symbolic link) owned by the
current user, in a folder of that user's own (mode 0700) inside a state folder no one else
can write to. The file is mode 0600 (SQLite gives its ``-wal``, ``-shm`` and ``-journal``
files the same mode), ``secure_delete`` is on, and it holds only what public outputs may
show: each case's public view (``public_view``, the one door) and per-file findings (a
file whose findings quote one of its private values keeps them out of the index and is
read again by ``validate``). A missing, corrupt, foreign (another user's, another version's,
another vocabulary's, or one whose tables were tampered with), read-only or unopenable index
is rebuilt; where it cannot be, the command works on an index in memory (correct, only
slower next time). None of this is ever an error.

Each file's row is keyed on its name, size, modification time, change time and inode, so an
edit in any editor, a ``git checkout`` or a pull invalidates exactly the files that changed;
new and deleted files are found by listing ``data/cases/`` on every run. A row written in
the same instant as its file's last change is checked again next time ("racy", as git says).

This module knows the tables, not what a case means: the loader (``ops.load``) makes the
rows, and the filters' SQL lives beside their Python tests in ``ops.query``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from dataclasses import field as _field
from pathlib import Path
from typing import Any

from exilecases import __version__
from exilecases.errors import ExilecasesError
from exilecases.format.findings import Finding
from exilecases.format.vocabulary import REPOSITORY_VOCABULARY, VOCABULARY_MAX_BYTES, Vocabulary
from exilecases.store import place
from exilecases.store.files import Stray, cases_dir, describe, read_optional

NO_CACHE_ENV = "EXILECASES_NO_CACHE"
#: Bumped whenever the layout below or what a row means changes.
LAYOUT = 9
#: The modules whose code decides what a row holds (findings, public views, folded names,
#: search words): the index is keyed on a hash of their text too, so that findings cached
#: before a rule changed are not served after it (``rules_version``).
RULE_MODULES = (
    "format/dates.py",
    "format/fields.py",
    "format/findings.py",
    "format/model.py",
    "format/positions.py",
    "format/privacy.py",
    "format/scan.py",
    "format/vocabulary.py",
    "format/vocabulary.toml",
    "ops/deadlines.py",
    "ops/load.py",
    "ops/search.py",
    "ops/validate.py",
    "store/files.py",
    "store/index.py",
)
#: A file changed less than this long before its row was written may change again within
#: the same timestamp tick; such rows are checked again ("racy" entries, as git calls them).
RACY_NS = 2_000_000_000
#: How long a command waits for another one writing the index before it works on an index
#: in memory instead (correct, only slower; the other's file is left alone).
BUSY_SECONDS = 10.0
#: The files SQLite keeps beside a database.
SIDE_FILES = ("-wal", "-shm", "-journal")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    file TEXT PRIMARY KEY,
    stat_key TEXT NOT NULL,
    ok INTEGER NOT NULL,
    case_id TEXT, status TEXT, origin TEXT, host TEXT,
    name_keys TEXT NOT NULL,
    identity TEXT,
    places TEXT
);
-- The large texts live apart, so that reading the keys of 100,000 small rows stays cheap.
-- findings_json is NULL for a file whose findings quote a private value (read it again).
CREATE TABLE IF NOT EXISTS documents (file TEXT PRIMARY KEY, case_json TEXT, findings_json TEXT);
CREATE TABLE IF NOT EXISTS tags (file TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tags_by_value ON tags (field, value);
CREATE INDEX IF NOT EXISTS tags_by_file ON tags (file);
CREATE TABLE IF NOT EXISTS event_ranges (file TEXT NOT NULL, earliest TEXT NOT NULL,
                                         latest TEXT NOT NULL, type TEXT);
CREATE INDEX IF NOT EXISTS event_ranges_by_file ON event_ranges (file);
CREATE INDEX IF NOT EXISTS files_by_status ON files (status);
CREATE INDEX IF NOT EXISTS files_broken ON files (file) WHERE ok = 0;
-- Filled only when `search` first needs it (see CaseIndex.fill_search): each usable
-- file's searchable part, and the folded words of its texts with the documents holding each.
CREATE TABLE IF NOT EXISTS search (doc INTEGER PRIMARY KEY, file TEXT NOT NULL UNIQUE,
                                   search_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS words (id INTEGER PRIMARY KEY, word TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS postings (word INTEGER NOT NULL, doc INTEGER NOT NULL,
                                     PRIMARY KEY (word, doc)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS postings_by_doc ON postings (doc);
-- The open public deadlines (recorded and derived) of each file, for due; and how many
-- open private ones each file has (a count: the index never holds private content).
CREATE TABLE IF NOT EXISTS deadlines (file TEXT NOT NULL, earliest TEXT NOT NULL,
    latest TEXT NOT NULL, type TEXT NOT NULL, owner_key TEXT NOT NULL, what_key TEXT NOT NULL,
    number TEXT, uncertain INTEGER NOT NULL, listing_json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS deadlines_by_earliest ON deadlines (earliest);
CREATE INDEX IF NOT EXISTS deadlines_by_file ON deadlines (file);
CREATE TABLE IF NOT EXISTS private_deadlines (file TEXT PRIMARY KEY, open INTEGER NOT NULL);
"""
#: Every table and index of a sound index; anything else (a trigger, a view) means the file
#: was made by someone else, and it is rebuilt.
_OBJECTS = frozenset(
    {
        ("table", "meta"),
        ("table", "files"),
        ("table", "documents"),
        ("table", "tags"),
        ("table", "event_ranges"),
        ("table", "search"),
        ("table", "words"),
        ("table", "postings"),
        ("index", "postings_by_doc"),
        ("index", "sqlite_autoindex_words_1"),
        ("table", "deadlines"),
        ("table", "private_deadlines"),
        ("index", "deadlines_by_earliest"),
        ("index", "deadlines_by_file"),
        ("index", "sqlite_autoindex_private_deadlines_1"),
        ("index", "tags_by_value"),
        ("index", "tags_by_file"),
        ("index", "event_ranges_by_file"),
        ("index", "files_by_status"),
        ("index", "files_broken"),
        ("index", "sqlite_autoindex_meta_1"),
        ("index", "sqlite_autoindex_files_1"),
        ("index", "sqlite_autoindex_documents_1"),
        ("index", "sqlite_autoindex_search_1"),
    }
)
_TABLES = ("files", "documents", "tags", "event_ranges", "deadlines", "private_deadlines")


def cache_enabled() -> bool:
    """False when ``EXILECASES_NO_CACHE`` is set (to 1, yes or true)."""
    return os.environ.get(NO_CACHE_ENV, "").lower() not in ("1", "yes", "true")


def public_view(case: dict[str, Any], vocabulary: Vocabulary) -> dict[str, Any]:
    """The public view of a case: the only form in which a case enters the index (and every
    public output). The one call into ``format.privacy``."""
    from exilecases.format.privacy import redact

    return redact(case, vocabulary)


_RULES: str | None = None


def rules_version() -> str:
    """A hash of the code of ``RULE_MODULES``: changes whenever a validation rule, the public
    view or the folding changes, even within one version number."""
    global _RULES
    if _RULES is None:
        import hashlib

        package = Path(__file__).resolve().parent.parent
        digest = hashlib.blake2b(digest_size=8)
        for name in RULE_MODULES:
            try:
                digest.update((package / name).read_bytes())
            except OSError:
                digest.update(b"missing " + name.encode())
        _RULES = digest.hexdigest()
    return _RULES


def vocabulary_fingerprint(root: Path) -> str:
    """Changes whenever the repository's vocabulary file (which also holds the repository's
    private fields), the tool's version or its rules (``rules_version``) change (the file
    is small: its text is the fingerprint, no hashing needed)."""
    try:
        raw = read_optional(root / REPOSITORY_VOCABULARY, VOCABULARY_MAX_BYTES) or b""
    except (OSError, ExilecasesError):  # not a regular file, or too large: never read
        raw = b""
    vocabulary = raw.decode("utf-8", errors="replace")
    return f"{__version__}/{LAYOUT}/{rules_version()}/{vocabulary}"


def list_case_files(root: Path, strays: list[Stray] | None = None) -> dict[str, str]:
    """Every regular case file's name and key (``size/mtime_ns/ctime_ns/inode``, the text the
    index stores), in one pass over ``data/cases/``. This runs before every command and is
    most of a warm command's time at 100,000 cases, so it is one ``lstat`` a name relative
    to the open folder and nothing else (``bench/RESULTS.md``). Anything else named
    ``*.toml`` (a link, FIFO, socket, device, folder) is never followed; it is added to
    ``strays`` when given."""
    folder = cases_dir(root)
    found: dict[str, str] = {}
    lstat = os.stat
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        for name in os.listdir(fd):
            if not name.endswith(".toml") or name.startswith("."):
                continue
            try:
                info = lstat(name, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:  # deleted since it was listed: it is gone
                continue
            except OSError:
                info = None
            if info is None or not stat.S_ISREG(info.st_mode):
                if strays is not None:
                    path = folder / name
                    strays.append(Stray(path, describe(path)))
                continue
            found[name] = f"{info.st_size}/{info.st_mtime_ns}/{info.st_ctime_ns}/{info.st_ino}"
    finally:
        os.close(fd)
    return found


@dataclass(frozen=True, slots=True)
class IndexRow:
    """What the index stores of one file (made by ``ops.load.index_row``, in a worker
    process when many files are read at once). Every text here is public."""

    name: str
    ok: bool
    case_id: str | None
    status: str | None
    origin: str | None
    host: str | None
    #: The public view, as JSON.
    case_json: str | None
    #: The file's findings as JSON, or None when they quote a private value.
    findings_json: str | None
    name_keys: str
    identity: str | None
    #: Where the top-level keys the cross-file rules point at stand, as JSON.
    places: str | None
    tags: list[tuple[str, str]]
    ranges: list[tuple[str, str, str | None]]
    #: Its findings depend on today's date (an event dated in the future): read again on
    #: every run.
    volatile: bool = False
    #: Open public deadlines, as ``ops.deadlines.Deadline.index_row`` makes them.
    deadlines: list[tuple[Any, ...]] = _field(default_factory=list)
    #: How many open deadlines the file keeps under [private] (a count, never content).
    private_deadlines: int = 0


def finding_row(item: Finding) -> list[Any]:
    """A finding as the index stores it (a JSON array)."""
    return [item.path, item.line, item.col, item.severity, item.code, item.message]


def finding_from_row(row: list[Any]) -> Finding:
    """A finding read back from the index."""
    return Finding(*row)


def _stored_key(key: str) -> str:
    """The key to store for a file read now (``list_case_files``'s text). A file changed so
    shortly before that a second change within the same clock tick could go unseen is
    stored as "racy", a key no file has, so it is read again next time (as git does with
    "racily clean" entries)."""
    if time.time_ns() - int(key.split("/")[1]) < RACY_NS:
        return "racy"
    return key


# --- where the index may live ------------------------------------------------------------

#: Indirections the tests replace to simulate another owner.
_lstat = os.lstat


def _uid() -> int:
    return os.getuid()


def _own_folder(folder: Path) -> bool:
    """True when ``folder`` is a real folder (no symbolic link) of the current user with
    mode 0700, made so when it is missing or looser."""
    try:
        info = _lstat(folder)
    except FileNotFoundError:
        folder.mkdir(mode=0o700)
        info = _lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != _uid():
        return False
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(folder, 0o700, follow_symlinks=False)
    return True


def _safe_parent(folder: Path, private: bool) -> bool:
    """True when ``folder``, the state folder that holds every user's index folder (and the
    repository's lock), is a real folder that others cannot write to. Made when missing:
    mode 0700 in the user's cache (``private``); inside git with the default mode, as git
    makes its own folders, so that a repository shared by a group can share its lock."""
    try:
        info = _lstat(folder)
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700 if private else 0o777)
        info = _lstat(folder)
    if not stat.S_ISDIR(info.st_mode):
        return False
    return not info.st_mode & stat.S_IWOTH


def _trusted_file(path: Path) -> bool:
    """True when ``path`` is a regular file (no symbolic link) of the current user that it
    can write; a looser mode than 0600 is tightened."""
    info = _lstat(path)
    if not stat.S_ISREG(info.st_mode) or info.st_uid != _uid():
        return False
    if not info.st_mode & stat.S_IWUSR:
        return False  # read-only: made anew rather than used half-way
    if stat.S_IMODE(info.st_mode) != 0o600:
        os.chmod(path, 0o600, follow_symlinks=False)
    return True


def _remove(path: Path) -> None:
    """Delete an index and the files SQLite keeps beside it (a stale ``-wal`` must never be
    replayed into a new file)."""
    for name in ("", *SIDE_FILES):
        with suppress(FileNotFoundError):
            os.unlink(f"{path}{name}")


def _create(path: Path) -> None:
    """A new, empty index file of mode 0600 (never through a symbolic link)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    # FileExistsError: made by another run at the same moment; checked like any other.
    with suppress(FileExistsError):
        os.close(os.open(path, flags, 0o600))


def is_busy(error: sqlite3.Error) -> bool:
    """True for an index another process holds right now (not a damaged one)."""
    text = str(error).lower()
    return isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


class _Untrusted(Exception):
    """The index file cannot be used as it is."""


class _Batch:
    """New rows, written a few hundred at a time (one ``executemany`` a table): on a cold
    build of 100,000 files the statements were most of the main process's time."""

    SIZE = 500

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.files: list[tuple[Any, ...]] = []
        self.documents: list[tuple[Any, ...]] = []
        self.tags: list[tuple[Any, ...]] = []
        self.ranges: list[tuple[Any, ...]] = []
        self.deadlines: list[tuple[Any, ...]] = []
        self.private_deadlines: list[tuple[Any, ...]] = []

    def add(self, row: IndexRow, stored_key: str) -> None:
        """Queue ``row``, stored under ``stored_key``; written at the latest by ``flush``."""
        name = row.name
        self.files.append(
            (name, stored_key, int(row.ok), row.case_id, row.status, row.origin, row.host,
             row.name_keys, row.identity, row.places)
        )  # fmt: skip
        self.documents.append((name, row.case_json, row.findings_json))
        self.tags += [(name, field, value) for field, value in row.tags]
        self.ranges += [(name, *item) for item in row.ranges]
        self.deadlines += [(name, *item) for item in row.deadlines]
        if row.private_deadlines:
            self.private_deadlines.append((name, row.private_deadlines))
        if len(self.files) >= self.SIZE:
            self.flush()

    def flush(self) -> None:
        """Write every queued row."""
        for sql, queued in (
            ("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self.files),
            ("INSERT INTO documents VALUES (?, ?, ?)", self.documents),
            ("INSERT INTO tags VALUES (?, ?, ?)", self.tags),
            ("INSERT INTO event_ranges VALUES (?, ?, ?, ?)", self.ranges),
            ("INSERT INTO deadlines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", self.deadlines),
            ("INSERT INTO private_deadlines VALUES (?, ?)", self.private_deadlines),
        ):
            if queued:
                self.db.executemany(sql, queued)
                queued.clear()


class CaseIndex:
    """The index of one case repository. Use as a context manager; ``refresh`` first.

    ``path`` is the file in use, or None when the index lives in memory for this run.
    """

    def __init__(self, root: Path, vocabulary: Vocabulary, *, memory: bool = False) -> None:
        self.root = root
        self.vocabulary = vocabulary
        self.fingerprint = vocabulary_fingerprint(root)
        self.path: Path | None = None
        self.db = self._in_memory() if memory else self._open()

    def discard(self) -> None:
        """Close the index and delete its file (after SQLite failed on it mid-way)."""
        self.db.close()
        if self.path is not None:
            with suppress(OSError):
                _remove(self.path)

    def __enter__(self) -> CaseIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.close()

    # -- opening ----------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        """The index on disk when it can be trusted or made anew, else one in memory."""
        try:
            path = self._place()
        except OSError:
            path = None
        if path is not None:
            for attempt in (1, 2):
                try:
                    db = self._connect(path)
                    self.path = path
                    return db
                except _Untrusted:
                    pass
                except sqlite3.Error as error:
                    if is_busy(error):
                        break
                except OSError:
                    pass
                if attempt == 2:
                    break
                # Corrupt, foreign, read-only or from another version: start again.
                try:
                    _remove(path)
                except OSError:
                    break
        return self._in_memory()

    def _in_memory(self) -> sqlite3.Connection:
        db = sqlite3.connect(":memory:", isolation_level=None)
        self._prepare(db)
        return db

    def _place(self) -> Path | None:
        """The index file's path once its folders are checked (made when missing), or None
        when they cannot be trusted."""
        state = place.state_dir(self.root)
        if not _safe_parent(state, private=place.git_dir(self.root) is None):
            return None
        folder = place.user_state_dir(self.root)
        if folder.parent != state or not _own_folder(folder):
            return None
        return place.index_path(self.root)

    def _connect(self, path: Path) -> sqlite3.Connection:
        """Open the index at ``path`` (made when missing) if it is sound and current."""
        try:
            _lstat(path)
        except FileNotFoundError:
            _remove(path)
            _create(path)
        if not _trusted_file(path):
            raise _Untrusted(path)
        for name in SIDE_FILES:
            side = Path(f"{path}{name}")
            with suppress(FileNotFoundError):
                if not _trusted_file(side):
                    raise _Untrusted(side)
        db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
        try:
            objects = set(db.execute("SELECT type, name FROM sqlite_master"))
            if not objects:
                self._prepare(db)
            elif objects != _OBJECTS or self._meta(db, "fingerprint") != self.fingerprint:
                raise _Untrusted(path)
            self._settings(db)
            db.execute("SELECT count(*) FROM files").fetchone()  # raises if damaged
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _settings(db: sqlite3.Connection) -> None:
        db.execute("PRAGMA secure_delete=ON")
        db.execute("PRAGMA trusted_schema=OFF")
        db.execute("PRAGMA synchronous=NORMAL")

    def _prepare(self, db: sqlite3.Connection) -> None:
        """Make the tables of a new index."""
        self._settings(db)
        db.execute("PRAGMA journal_mode=WAL")
        # One transaction: another run never sees half the tables.
        db.executescript(f"BEGIN IMMEDIATE;{_SCHEMA}")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (self.fingerprint,))
        db.execute("COMMIT")

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

        ``parse`` turns paths into rows (the loader reads them on every core);
        ``progress`` is called with the number of files to read before reading them.
        Returns how many files were read.
        """
        self.strays: list[Stray] = []
        on_disk = list_case_files(self.root, self.strays)
        known = dict(self.db.execute("SELECT file, stat_key FROM files"))
        get = known.get
        stale = [name for name, key in on_disk.items() if get(name) != key]
        gone = list(known.keys() - on_disk.keys())
        if not stale and not gone:
            return 0
        if progress is not None:
            progress(len(stale))
        folder = cases_dir(self.root)
        rows = parse([folder / name for name in stale]) if parse else iter(())
        self.db.execute("BEGIN IMMEDIATE")
        try:
            # Read again under the lock: another process may have added rows since.
            present = {name for (name,) in self.db.execute("SELECT file FROM files")}
            for name in gone:
                if name in present:
                    self._delete(name)
            batch = _Batch(self.db)
            for row in rows:
                if row.name in present:
                    self._delete(row.name)
                batch.add(row, "racy" if row.volatile else _stored_key(on_disk[row.name]))
            batch.flush()
            self.db.execute(
                "INSERT INTO meta VALUES ('generation', '1') ON CONFLICT (key) "
                "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return len(stale)

    def _delete(self, name: str) -> None:
        for table in _TABLES:
            self.db.execute(f"DELETE FROM {table} WHERE file = ?", (name,))
        row = self.db.execute("SELECT doc FROM search WHERE file = ?", (name,)).fetchone()
        if row is not None:
            doc = row[0]
            words = [w for (w,) in self.db.execute("SELECT word FROM postings WHERE doc = ?", row)]
            self.db.execute("DELETE FROM postings WHERE doc = ?", (doc,))
            self.db.execute("DELETE FROM search WHERE doc = ?", (doc,))
            # A word no file holds any more leaves the vocabulary (and the disk).
            self.db.executemany(
                "DELETE FROM words WHERE id = ? AND NOT EXISTS "
                "(SELECT 1 FROM postings WHERE word = words.id)",
                [(word,) for word in words],
            )

    # -- results computed over every row ---------------------------------------------------

    def generation(self) -> str:
        """Changes whenever a row does (``refresh`` counts its updates): what a result
        computed over every row, such as the cross-file findings, is keyed on."""
        return self._meta(self.db, "generation") or "0"

    def derived(self, name: str) -> str | None:
        """The result called ``name`` that ``keep`` stored for the current rows, or None
        when a row changed since (or none was kept)."""
        text = self._meta(self.db, f"derived:{name}")
        if text is None:
            return None
        generation, _, value = text.partition("\n")
        return value if generation == self.generation() else None

    def keep(self, name: str, value: str, generation: str) -> None:
        """Store ``value`` as the result ``name`` computed over the rows of ``generation``
        (unless a row changed since: then it is already out of date). Only public text
        may be kept: the index holds nothing else."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            if self.generation() == generation:
                self.db.execute(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                    (f"derived:{name}", f"{generation}\n{value}"),
                )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def file_count(self) -> int:
        """How many case files the index holds a row for."""
        return self.db.execute("SELECT count(*) FROM files").fetchone()[0]

    def findings_texts(self) -> list[tuple[str, str | None]]:
        """``(name, findings JSON or None)`` of every file with findings, or whose findings
        are not stored (they quote a private value), by name."""
        return list(
            self.db.execute(
                "SELECT file, findings_json FROM documents "
                "WHERE findings_json IS NULL OR findings_json != '[]' ORDER BY file"
            )
        )

    # -- reading ------------------------------------------------------------------------

    def rows(self, whole: bool = True) -> list[tuple[str, str | None, str | None, str | None]]:
        """Every file's ``(name, case JSON, findings JSON, places JSON)`` in file-name
        order. Without ``whole`` the case is only its identity (id, name, distinct_from):
        enough for the cross-file rules, and far less to decode for 100,000 cases. Findings
        are None for a file whose findings are not stored (they quote a private value)."""
        column = "case_json" if whole else "identity"
        return list(
            self.db.execute(
                f"SELECT file, {column}, findings_json, places FROM files "
                "JOIN documents USING (file) ORDER BY file"
            )
        )

    def name_keys(self) -> dict[str, list[str]]:
        """Each readable file's folded public names (for the likely-duplicate rule)."""
        rows = self.db.execute("SELECT file, name_keys FROM files WHERE case_id IS NOT NULL")
        return {name: keys.split("\n") for name, keys in rows if keys}

    def broken(self) -> list[tuple[str, str | None]]:
        """The files other commands skip: ``(name, findings JSON or None)`` by name."""
        return list(
            self.db.execute(
                "SELECT file, findings_json FROM files JOIN documents USING (file) "
                "WHERE ok = 0 ORDER BY file"
            )
        )

    def fill_search(
        self, make: Callable[[dict[str, Any]], tuple[dict[str, Any], Iterable[str]]]
    ) -> int:
        """Give every file without errors that lacks one its search row and postings, the
        first time search needs them (so that other commands never pay for them). ``make``
        turns a public case into its searchable part and folded words (``search``'s own
        functions). Returns how many files were added.

        Once every row has its search row, that is noted with the rows' ``generation``:
        until a row changes, a warm search skips looking for missing ones (a scan of every
        row, 70 ms at 100,000 files)."""
        if self._meta(self.db, "search_filled") == self.generation():
            return 0
        self.db.execute("BEGIN IMMEDIATE")
        try:
            missing = self.db.execute(
                "SELECT file, case_json FROM files JOIN documents USING (file) "
                "WHERE ok = 1 AND file NOT IN (SELECT file FROM search)"
            ).fetchall()
            self.db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('search_filled', ?)", (self.generation(),)
            )
            word_ids: dict[str, int] = {}
            for name, case in missing:
                part, words = make(json.loads(case))
                doc = self.db.execute(
                    "INSERT INTO search (file, search_json) VALUES (?, ?)",
                    (name, json.dumps(part, ensure_ascii=False)),
                ).lastrowid
                postings = []
                for word in words:
                    number = word_ids.get(word)
                    if number is None:
                        found = self.db.execute(
                            "SELECT id FROM words WHERE word = ?", (word,)
                        ).fetchone()
                        number = (
                            found[0]
                            if found
                            else self.db.execute(
                                "INSERT INTO words (word) VALUES (?)", (word,)
                            ).lastrowid
                        )
                        word_ids[word] = number
                    postings.append((number, doc))
                self.db.executemany("INSERT OR IGNORE INTO postings VALUES (?, ?)", postings)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return len(missing)

    def search_vocabulary(self) -> list[str]:
        """Every folded word of the searchable texts of the files without errors."""
        return [word for (word,) in self.db.execute("SELECT word FROM words")]

    def search_documents(self, words: Iterable[str] | None = None) -> list[Any]:
        """The searchable parts of the files without errors that hold one of ``words``
        (every such file when None), by file name. ``fill_search`` first."""
        if words is None:
            sql = "SELECT search_json FROM search JOIN files USING (file) WHERE ok = 1 "
            params: tuple[Any, ...] = ()
        else:
            sql = (
                "SELECT search_json FROM search JOIN files USING (file) WHERE ok = 1 AND doc IN "
                "(SELECT doc FROM postings WHERE word IN "
                "(SELECT id FROM words WHERE word IN (SELECT value FROM json_each(?)))) "
            )
            params = (json.dumps(sorted(words), ensure_ascii=False),)
        return [json.loads(row[0]) for row in self.db.execute(sql + "ORDER BY file", params)]

    def case_json(self, where: str = "", params: Sequence[Any] = ()) -> list[str]:
        """The stored JSON text of every file without errors (narrowed by SQL), by file name:
        what ``list --format json`` prints, without decoding and encoding it again."""
        sql = (
            "SELECT case_json FROM files JOIN documents USING (file) "
            f"WHERE ok = 1 {where} ORDER BY file"
        )
        return [row[0] for row in self.db.execute(sql, params)]

    def case_ids(self, where: str = "", params: Sequence[Any] = ()) -> list[str]:
        """The ids of the files without errors (narrowed by SQL), in ``iter_case_json``'s
        order."""
        sql = f"SELECT case_id FROM files WHERE ok = 1 {where} ORDER BY case_id, file"
        return [row[0] for row in self.db.execute(sql, params)]

    def iter_case_json(self, where: str = "", params: Sequence[Any] = ()) -> Iterator[str]:
        """The stored JSON text of every file without errors (narrowed by SQL), by id then
        file name, one row at a time: what an export streams."""
        sql = (
            "SELECT case_json FROM files JOIN documents USING (file) "
            f"WHERE ok = 1 {where} ORDER BY case_id, file"
        )
        for (text,) in self.db.execute(sql, params):
            yield text

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
            elif field == "basis":
                outline["charges"].append({"basis": value})
            elif field == "proceeding":
                outline.setdefault("proceedings", []).append({"type": value})
            elif field == "breach":
                outline["interim_measures_breach"] = value
        for name, earliest, event_type in self.db.execute(
            "SELECT file, earliest, type FROM event_ranges"
        ):
            outline = outlines.get(name)
            if outline is not None:
                # The year of an event is the year of its first possible day, as stats has it.
                outline["events"].append({"date": earliest[:4], "type": event_type})
        return list(outlines.values())

    def query(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """The rows of one read-only query over the tables (``stats`` counts with it: its
        SQL lives beside its Python in ``ops.stats``)."""
        return iter(self.db.execute(sql, params))

    def _deadline_sql(
        self, columns: str, where: str, params: Sequence[Any], query: Any
    ) -> tuple[str, list[Any]]:
        """The SELECT of the open public deadlines ``query`` (a ``DueQuery``) lists, of the
        files without errors narrowed by the filter clause ``where``, in ``due``'s order."""
        sql = f"SELECT {columns} FROM files JOIN deadlines USING (file) WHERE ok = 1 "
        values: list[Any] = []
        if query.horizon is not None:
            sql += "AND deadlines.earliest <= ? "
            values.append(query.horizon.isoformat())
        if query.types:
            sql += f"AND deadlines.type IN ({', '.join('?' * len(query.types))}) "
            values.extend(query.types)
        if query.owners:
            sql += f"AND deadlines.owner_key IN ({', '.join('?' * len(query.owners))}) "
            values.extend(owner.casefold() for owner in query.owners)
        sql += (
            f"{where} ORDER BY deadlines.earliest, files.case_id, deadlines.latest, "
            "deadlines.type, deadlines.what_key"
        )
        return sql, [*values, *params]

    def deadlines(self, where: str, params: Sequence[Any], query: Any) -> list[tuple]:
        """``(listing, number, uncertain)`` of each deadline ``query`` lists (see
        ``_deadline_sql``); only these rows are decoded, never a case."""
        sql, values = self._deadline_sql("listing_json, number, uncertain", where, params, query)
        return [(json.loads(row[0]), row[1], row[2]) for row in self.db.execute(sql, values)]

    def deadline_json(self, where: str, params: Sequence[Any], query: Any) -> list[str]:
        """The JSON text of each listed deadline, its ``days_left`` and ``state`` filled in
        by SQLite for ``query.as_of``: what ``due --format json`` prints, decoding nothing."""
        day = query.as_of.isoformat()
        column = (
            "json_set(listing_json, '$.days_left', "
            "CAST(julianday(deadlines.earliest) - julianday(?) AS INTEGER), '$.state', "
            "CASE WHEN deadlines.earliest < ? THEN 'overdue' ELSE 'open' END)"
        )
        sql, values = self._deadline_sql(column, where, params, query)
        return [row[0] for row in self.db.execute(sql, [day, day, *values])]

    def private_deadline_count(self, where: str = "", params: Sequence[Any] = ()) -> int:
        """How many open private deadlines the files without errors (narrowed by SQL) have."""
        row = self.db.execute(
            "SELECT coalesce(sum(open), 0) FROM files JOIN private_deadlines USING (file) "
            f"WHERE ok = 1 {where}",
            params,
        ).fetchone()
        return int(row[0])

    def cases(self, where: str = "", params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The public cases of every file without errors (optionally narrowed by SQL), by
        file name."""
        return [json.loads(text) for text in self.case_json(where, params)]


def remove_index(root: Path) -> None:
    """Delete this user's index of a repository (it is rebuilt on the next run)."""
    with suppress(OSError):
        _remove(place.index_path(root))


def open_index(root: Path, vocabulary: Vocabulary, *, memory: bool = False) -> CaseIndex:
    """Open the index of ``root`` (closing it is the caller's job: use ``with``); with
    ``memory``, a new one in memory that lives for this run only."""
    return CaseIndex(root, vocabulary, memory=memory)


def findings_of(text: str) -> list[Finding]:
    """The findings stored as JSON ``text``."""
    return [finding_from_row(row) for row in json.loads(text)]
