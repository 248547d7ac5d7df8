"""The one write path: the only code that changes a case file.

Every change to a case file (``add``, ``set``, the ``add`` commands, ``fmt`` and its
migrations, later ``seal`` and ``import``) is a *change*: a function from the text on disk
to an ``Update`` (the new text, the data that text must parse to, messages for the user).
``CaseWriter.write`` applies it, in this order:

1. take the repository's lock (``store/place.lock_path``: ``flock`` on a file of its own, so
   writers of every user exclude each other; a writer waits for it, with one message after
   about a second, and never gives up while others queue);
2. the first time this writer holds the lock: remove the temporary files that runs killed
   earlier left behind (only a writer holding the lock may: no other writer is busy then),
   and make sure ``.git/info/exclude`` holds ``store/place.TEMPORARY_PATTERN`` so that no
   ``git add`` ever picks a temporary file up;
3. read the file again, under the lock, and apply the change to what is on disk *now* (so
   edits made at the same time compose instead of overwriting each other);
4. check the new text: it must parse with ``tomllib`` to exactly the data the change
   intended, and pass the caller's check (the schema, with no new error);
5. write a temporary file ``.<name>.exilecases-tmp-<random>`` in the same folder with the
   old file's mode (a new file: ``0o666`` less the umask), flush it to disk, rename it over
   the target (a new file: link it, which never replaces an existing one), flush the folder.

A change that would drop data is refused with a message naming the file; nothing is
written then. The same temporary-file-and-rename primitive, ``replace_file``, writes the
files that are not case files (``export -o``, ``schema -o``, ``init``), so none of them can
be left half-written either.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import stat
import sys
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exilecases.errors import ExilecasesError
from exilecases.store import place

#: Seconds a writer waits for the lock before it says it is waiting.
WAIT_NOTICE_SECONDS = 1.0
_BOM = "\ufeff"


# --- the data of one change --------------------------------------------------------------


@dataclass
class Update:
    """What a change makes of a file's text.

    ``text`` is the new text (without a byte-order mark: the writer puts back the one the
    file had, when ``keep_bom``); ``data`` is what ``text`` must parse to with ``tomllib``
    (the old data with the change applied, or for ``fmt`` the old data itself): the writer
    refuses a text that parses to anything else. ``messages`` are for the user (what a
    migration moved, a byte-order mark removed).
    """

    text: str
    data: dict[str, Any]
    messages: list[str] = field(default_factory=list)
    keep_bom: bool = True
    #: The data of the text the change started from, when the change parsed it anyway.
    before: dict[str, Any] | None = None


#: A change: the current text of the file (``None`` for a file that does not exist yet;
#: a byte-order mark already removed) -> the ``Update`` to write.
Change = Callable[[str | None], Update]
#: The caller's check of a new text (the schema): ``check(old_text, new_text, new_data)``
#: (``new_data``: what ``tomllib`` made of ``new_text``) raises ``ExilecasesError`` to
#: refuse the write; what it returns is kept in ``Written.checked``.
Check = Callable[[str | None, str, dict[str, Any]], Any]


@dataclass
class Written:
    """What ``CaseWriter.write`` did with one file."""

    path: Path
    old: str | None  # the text before (no byte-order mark), None for a new file
    new: str  # the text after (no byte-order mark)
    written: bool  # False when the text did not change or for a dry run
    messages: list[str]
    checked: Any = None  # what the caller's check returned
    had_bom: bool = False


# --- the lock ------------------------------------------------------------------------------

_held: dict[str, tuple[int, int]] = {}  # lock path -> (descriptor, depth): re-entrant


def _group_shared(root: Path) -> bool:
    """True when the repository's git directory is group-writable (``git init --shared``
    or a folder set up for a team): the tool's state must then be usable by the group."""
    found = place.git_dir(root)
    if found is None:
        return False
    try:
        return bool(found.stat().st_mode & stat.S_IWGRP)
    except OSError:
        return False


def _make_state_dir(folder: Path, shared: bool) -> None:
    """Make the state folder when missing: 0700 (outside git it is in the user's cache),
    or in a group-shared repository group-writable and set-group-id, so that every member
    can make the lock. A folder this user made before (the index makes it too) is opened
    to the group then; another user's is left alone."""
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True, mode=0o2770 if shared else 0o700)
    if not shared:
        return
    with contextlib.suppress(OSError):  # mkdir's mode is reduced by the umask
        info = os.lstat(folder)
        wanted = (stat.S_IMODE(info.st_mode) | 0o2070) & ~0o002  # never world-writable
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) != wanted:
            os.chmod(folder, wanted, follow_symlinks=False)


def make_state_dir(root: Path) -> Path:
    """The tool's state folder of ``root`` (``store/place.state_dir``), made when missing as
    the lock needs it (group-shared in a group-shared repository); returns it."""
    folder = place.state_dir(root)
    _make_state_dir(folder, _group_shared(root))
    return folder


def _default_notice(path: Path) -> None:
    sys.stderr.write(
        f"waiting for another exilecases command that is writing to this repository "
        f"(lock {path}); it goes on by itself when that one is done\n"
    )
    sys.stderr.flush()


@contextlib.contextmanager
def repository_lock(
    root: Path, *, notice: Callable[[Path], None] | None = _default_notice
) -> Iterator[Path]:
    """Hold the repository's write lock for the ``with`` block.

    Waits as long as it takes (calling ``notice`` once when the wait passes about a second);
    re-entrant within one process. The lock file is ``store/place.lock_path(root)``, made
    group read-write when the git directory is group-shared. Raises ``ExilecasesError``
    when the lock file cannot be made (a read-only repository).
    """
    path = place.lock_path(root)
    key = str(path)
    if key in _held:
        descriptor, depth = _held[key]
        _held[key] = (descriptor, depth + 1)
        try:
            yield path
        finally:
            descriptor, depth = _held[key]
            _held[key] = (descriptor, depth - 1)
        return
    descriptor = _open_lock(path, _group_shared(root))
    try:
        _acquire(descriptor, path, notice)
        _held[key] = (descriptor, 1)
        try:
            yield path
        finally:
            del _held[key]
    finally:
        os.close(descriptor)  # closing the last descriptor releases the lock


def _open_lock(path: Path, shared: bool) -> int:
    flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
    try:
        _make_state_dir(path.parent, shared)
        descriptor = os.open(path, flags, 0o660 if shared else 0o600)
    except OSError as error:
        raise ExilecasesError(
            f"cannot take the repository's write lock {path}: {error.strerror or error}; "
            "nothing was written (is the repository read-only for you?)",
            kind="system",
        ) from None
    if shared:
        with contextlib.suppress(OSError):  # only the lock's owner may; others need not
            os.fchmod(descriptor, 0o660)
    return descriptor


def _acquire(descriptor: int, path: Path, notice: Callable[[Path], None] | None) -> None:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    import threading

    timer = threading.Timer(WAIT_NOTICE_SECONDS, notice, (path,)) if notice else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # the kernel queues the waiters
    finally:
        if timer is not None:
            timer.cancel()


# --- temporary files -----------------------------------------------------------------------


def temporary_name(name: str) -> str:
    """A fresh temporary name for a file named ``name``: ``.<name>.exilecases-tmp-<hex>``
    (``store/place.is_temporary`` recognises it, ``TEMPORARY_PATTERN`` matches it)."""
    return f".{name}{place.TEMPORARY_INFIX}{secrets.token_hex(6)}"


def remove_stale_temporaries(folder: Path) -> list[str]:
    """Delete the temporary files of the write path left in ``folder`` by killed runs;
    return their names. Call it only while holding the repository's lock."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if place.is_temporary(entry.name) and not entry.is_dir(follow_symlinks=False):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed.append(entry.name)
    return removed


def default_mode_mask() -> int:
    """The process's umask (what a new file's mode leaves out)."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _open_temporary(folder: Path, name: str) -> tuple[int, Path]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        temporary = folder / temporary_name(name)
        try:
            # 0600 until the final mode is set: a private file is never readable by others.
            return os.open(temporary, flags, 0o600), temporary
        except FileExistsError:
            continue
    raise ExilecasesError(f"cannot make a temporary file in {folder}")  # pragma: no cover


def replace_file(
    path: Path,
    content: str | bytes,
    *,
    create_only: bool = False,
    mode: int | None = None,
    before_rename: Callable[[], None] | None = None,
) -> None:
    """Write ``content`` to ``path`` so that readers see the old file or the new one, never
    a mix: a temporary file in the same folder, flushed to disk, renamed over ``path``, the
    folder flushed.

    The new file has the old file's mode and group (``mode`` overrides; a new file gets
    ``0o666`` less the umask). With ``create_only`` an existing file is never replaced (the
    check and the link are one step) and ``ExilecasesError`` is raised instead.
    ``before_rename`` runs after the temporary file is complete, just before the rename (a
    last check; what it raises leaves the target untouched). Text is written as UTF-8 with
    the newlines it holds. A symbolic link at ``path`` is refused, never written through.
    System errors (a full disk, a read-only folder) become ``ExilecasesError`` naming the
    file; the temporary file is removed then.
    """
    path = Path(path)
    folder = path.parent
    data = _encode(path, content) if isinstance(content, str) else content
    old: os.stat_result | None = None
    try:
        old = os.lstat(path)
    except FileNotFoundError:
        pass
    except OSError as error:
        raise _system_error(path, error) from None
    if old is not None and stat.S_ISLNK(old.st_mode):
        raise ExilecasesError(
            f"{path} is a symbolic link; the tool never writes through one (replace the link "
            "with the file itself, or write to the file it points to); nothing was written"
        )
    if old is not None and create_only:
        raise ExilecasesError(_exists(path))
    if old is not None and not stat.S_ISREG(old.st_mode):
        raise ExilecasesError(f"{path} is not a regular file; nothing was written")
    if mode is None:
        mode = stat.S_IMODE(old.st_mode) if old is not None else 0o666 & ~default_mode_mask()
    temporary: Path | None = None
    try:
        descriptor, temporary = _open_temporary(folder, path.name)
        with os.fdopen(descriptor, "wb") as stream:
            if old is not None and old.st_gid != os.getegid():
                with contextlib.suppress(OSError):  # keep a shared folder's group
                    os.fchown(stream.fileno(), -1, old.st_gid)
            os.fchmod(stream.fileno(), mode)
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if before_rename is not None:
            before_rename()
        if create_only:
            _link_new(temporary, path)
        else:
            os.replace(temporary, path)
    except OSError as error:
        raise _system_error(path, error) from None
    finally:
        if temporary is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
    sync_folder(folder)


def _encode(path: Path, text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ExilecasesError(
            f"{path}: nothing was written: the text holds {text[error.start]!r}, which is not "
            "a character (a lone surrogate, from a file name or an argument in another "
            "encoding); type the text again",
            kind="usage",
        ) from None


def _link_new(temporary: Path, path: Path) -> None:
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise ExilecasesError(_exists(path)) from None
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # A file system without hard links: the lock keeps other writers of this tool out.
        if os.path.lexists(path):
            raise ExilecasesError(_exists(path)) from None
        os.replace(temporary, path)


def _exists(path: Path) -> str:
    return f"{path} already exists; nothing was written"


def _system_error(path: Path, error: OSError) -> ExilecasesError:
    reason = error.strerror or str(error)
    return ExilecasesError(
        f"cannot write {path}: {reason}; the file was left as it was", kind="system"
    )


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: not every platform allows it)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


# --- keeping temporary files out of git ----------------------------------------------------


def info_exclude(root: Path) -> Path | None:
    """The ``info/exclude`` file git reads for the repository at ``root`` (in the common
    git directory of a worktree), or None outside git."""
    common = place.common_git_dir(root)
    return None if common is None else common / "info" / "exclude"


def ensure_excluded(root: Path, exclude: Path | None = None) -> bool:
    """Add ``TEMPORARY_PATTERN`` to the repository's ``.git/info/exclude`` (or to
    ``exclude``) when it is not there yet; True when it was added. Outside git, or when the
    file cannot be written, nothing happens (the temporary files live only while a writer
    runs)."""
    exclude = exclude or info_exclude(root)
    if exclude is None:
        return False
    try:
        existing = exclude.read_text("utf-8", errors="surrogateescape")
    except FileNotFoundError:
        existing = ""
    except OSError:
        return False
    if place.TEMPORARY_PATTERN in existing.splitlines():
        return False
    separator = "" if not existing or existing.endswith("\n") else "\n"
    addition = (
        "# temporary files of exilecases while it writes (removed by its next run)\n"
        f"{place.TEMPORARY_PATTERN}\n"
    )
    try:
        exclude.parent.mkdir(parents=True, exist_ok=True)
        replace_file(exclude, existing + separator + addition)
    except (OSError, ExilecasesError):
        return False
    return True


# --- writing case files --------------------------------------------------------------------


def split_bom(text: str) -> tuple[str, bool]:
    """``text`` without a leading byte-order mark, and whether it had one."""
    return (text[1:], True) if text.startswith(_BOM) else (text, False)


class CaseWriter:
    """Writes the case files of one repository through the one write path.

    ``write`` takes the repository's lock for each file; the first time, it also removes
    stale temporary files of the case folder and makes sure git ignores them. One writer may
    write many files (``fmt``).
    """

    def __init__(
        self, root: Path, *, notice: Callable[[Path], None] | None = _default_notice
    ) -> None:
        self.root = Path(root)
        self.notice = notice
        self.removed: list[str] = []  # stale temporary files removed
        self._prepared: set[Path] = set()

    def _prepare(self, folder: Path) -> None:
        if folder in self._prepared:
            return
        self._prepared.add(folder)
        self.removed += remove_stale_temporaries(folder)
        ensure_excluded(self.root)

    def clean(self, folder: Path) -> list[str]:
        """Under the lock, remove the stale temporary files of ``folder`` (once per writer)
        and return those removed."""
        with repository_lock(self.root, notice=self.notice):
            before = len(self.removed)
            self._prepare(folder)
            return self.removed[before:]

    def write(
        self,
        path: Path,
        change: Change,
        *,
        check: Check | None = None,
        create_only: bool = False,
        dry_run: bool = False,
        rel: str | None = None,
    ) -> Written:
        """Apply ``change`` to the file at ``path`` as it is on disk now, and write the
        result (see the module docstring for the steps).

        ``rel`` is the file's name in messages (default: the path). With ``create_only``
        the file must not exist yet (``change`` gets ``None``); with ``dry_run`` everything
        is checked and nothing written. Raises ``ExilecasesError`` and writes nothing when
        the file cannot be read, the change or ``check`` refuses, the new text does not
        parse back to the intended data, or the file changed on disk meanwhile.
        """
        path = Path(path)
        rel = rel or str(path)
        with repository_lock(self.root, notice=self.notice):
            self._prepare(path.parent)
            raw, signature = _read_current(path, rel, create_only)
            old, had_bom = (None, False) if raw is None else split_bom(_decode(raw, rel))
            update = change(old)
            parsed = verify_update(update, rel)
            checked = check(old, update.text, parsed) if check is not None else None
            bom = _BOM if had_bom and update.keep_bom else ""
            result = Written(path, old, update.text, False, update.messages, checked, had_bom)
            if dry_run or (raw is not None and (bom + update.text).encode() == raw):
                return result

            def unchanged_meanwhile() -> None:
                # Editors and git do not take the lock: refuse to overwrite their save.
                if raw is not None and _signature(path) != signature:
                    raise ExilecasesError(
                        f"{rel} changed on disk while it was being edited (another editor or "
                        "a git command); nothing was written: run the command again"
                    )

            replace_file(
                path, bom + update.text, create_only=create_only, before_rename=unchanged_meanwhile
            )
            result.written = True
            return result


def _signature(path: Path) -> tuple[int, int, int, int] | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return _key(info)


def _key(info: os.stat_result) -> tuple[int, int, int, int]:
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


def _read_current(path: Path, rel: str, create_only: bool) -> tuple[bytes | None, Any]:
    """The bytes on disk now (None: no file, for ``create_only``) and the signature of what
    was read (``store/files.read_for_edit``: a regular file only, never waited on)."""
    if create_only:
        if os.path.lexists(path):
            raise ExilecasesError(
                f"{rel} already exists; nothing was written. Pass another --id if this is a "
                "different person, or edit the existing case"
            )
        return None, None
    from exilecases.store.files import read_for_edit

    raw, status = read_for_edit(path, rel)
    return raw, _key(status)


def _decode(raw: bytes, rel: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ExilecasesError(
            f"{rel}:{line}: byte 0x{raw[error.start]:02x} is not UTF-8; save the file as "
            "UTF-8 first; nothing was written"
        ) from None


def verify_update(update: Update, rel: str) -> dict[str, Any]:
    """Refuse a new text that is not TOML or does not hold exactly the intended data;
    return what the text parses to."""
    try:
        data = tomllib.loads(update.text)
    except (tomllib.TOMLDecodeError, RecursionError) as error:
        raise ExilecasesError(
            f"{rel}: nothing was written: the new text would not be valid TOML ({error}); "
            "this is a bug in exilecases, please report it"
        ) from None
    if not same_data(data, update.data):
        lost = sorted(set(update.data) - set(data))
        where = f" (it would lose {', '.join(map(str, lost))})" if lost else ""
        raise ExilecasesError(
            f"{rel}: nothing was written: the new text would not hold the same data{where}; "
            "this is a bug in exilecases, please report it"
        )
    return data


def same_data(left: Any, right: Any) -> bool:
    """Equality of parsed TOML data in which ``nan`` equals ``nan`` (``==`` says it does
    not) and a value's type counts (``1`` is not ``1.0`` nor ``true``). Without recursion:
    dotted keys can nest a table thousands deep."""
    if type(left) is not type(right):
        return False
    stack = [(left, right)] if isinstance(left, dict | list) else []
    if not stack:
        return _same_leaf(left, right)
    while stack:
        one, other = stack.pop()
        if isinstance(one, dict):
            if one.keys() != other.keys():
                return False
            pairs: Iterable[tuple[Any, Any]] = ((value, other[key]) for key, value in one.items())
        else:
            if len(one) != len(other):
                return False
            pairs = zip(one, other, strict=True)
        for value, counterpart in pairs:
            kind = type(value)
            if kind is not type(counterpart):
                return False
            if kind is dict or kind is list:
                stack.append((value, counterpart))
            elif value != counterpart and not _same_leaf(value, counterpart):
                return False
    return True


def _same_leaf(left: Any, right: Any) -> bool:
    if isinstance(left, float) and left != left:
        return right != right
    return bool(left == right)
