"""The case repository on disk: finding it, listing case files, reading only regular files,
safe paths (writing is ``store/write``'s job).

Only regular files are read: a symbolic link (pointing in or out), a FIFO, a socket, a
device or a folder named ``*.toml`` is never opened or followed (``read_regular`` opens with
``O_NOFOLLOW | O_NONBLOCK`` and checks with ``fstat``); ``scan_cases`` lists such entries as
strays so that ``validate`` names them.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from exilecases.errors import ExilecasesError

if TYPE_CHECKING:
    from exilecases.format.vocabulary import Vocabulary

CASES_DIR = Path("data") / "cases"
ROOT_ENV = "EXILECASES_ROOT"
#: The largest case file the tool reads; a case is a few kilobytes.
MAX_FILE_BYTES = 1_000_000

_HOW_TO_POINT = (
    "run the command inside a case repository (a folder holding data/cases/), "
    f"pass --root DIR, or set {ROOT_ENV}=DIR; `exilecases init DIR` makes a new one"
)


def find_root(root: Path | None = None, cwd: Path | None = None) -> Path:
    """The case repository: ``root``, else ``$EXILECASES_ROOT``, else the nearest folder at
    or above ``cwd`` that holds ``data/cases/``.

    Raises ``ExilecasesError`` naming the three ways to point at one.
    """
    if root is None and os.environ.get(ROOT_ENV):
        root = Path(os.environ[ROOT_ENV])
    if root is not None:
        root = root.expanduser().resolve()
        if not (root / CASES_DIR).is_dir():
            raise ExilecasesError(f"{root} holds no {CASES_DIR}/ folder; {_HOW_TO_POINT}", 2)
        return root
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CASES_DIR).is_dir():
            return folder
    raise ExilecasesError(f"no case repository at or above {here}; {_HOW_TO_POINT}", 2)


def cases_dir(root: Path) -> Path:
    """``<root>/data/cases``."""
    return root / CASES_DIR


def case_files(root: Path) -> list[Path]:
    """Every regular ``*.toml`` file directly in ``data/cases/``, sorted by name.

    Symbolic links (pointing in or out), FIFOs, sockets, devices and folders named
    ``*.toml`` are left out: they are :func:`strays`, reported, never opened or followed.
    """
    return scan_cases(root).files


@dataclass(frozen=True, slots=True)
class Stray:
    """Something in ``data/cases/`` named like a case file that is not a regular file."""

    path: Path
    #: What it is, in words: "a FIFO (named pipe)", "a symbolic link to /etc/passwd", ...
    kind: str


@dataclass(frozen=True, slots=True)
class CaseListing:
    """One pass over ``data/cases/``: the regular case files and the strays."""

    files: list[Path]
    strays: list[Stray]


def scan_cases(root: Path) -> CaseListing:
    """The regular ``*.toml`` files of ``data/cases/`` and everything else so named, both
    sorted by name, in one pass that opens nothing (hidden names, such as the write path's
    temporary files, are skipped)."""
    files, strays = [], []
    with os.scandir(cases_dir(root)) as entries:
        for entry in entries:
            if not entry.name.endswith(".toml") or entry.name.startswith("."):
                continue
            try:
                regular = entry.is_file(follow_symlinks=False)
            except OSError:
                regular = False
            if regular:
                files.append(Path(entry.path))
            else:
                strays.append(Stray(Path(entry.path), describe(Path(entry.path))))
    files.sort(key=lambda p: p.name)
    strays.sort(key=lambda s: s.path.name)
    return CaseListing(files, strays)


def describe(path: Path) -> str:
    """What ``path`` is, without opening or following it: "a regular file", "a folder",
    "a FIFO (named pipe)", "a socket", "a device", "a symbolic link to TARGET", "missing"."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return "missing"
    except OSError as error:
        return f"unreadable ({error.strerror})"
    if stat.S_ISLNK(mode):
        try:
            return f"a symbolic link to {os.readlink(path)}"
        except OSError:
            return "a symbolic link"
    return _kind(mode)


def _kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


class NotAFileError(ExilecasesError):
    """A path the tool would read is not a regular file (``kind`` says what it is)."""

    def __init__(self, path: Path, kind: str, shown: str | None = None) -> None:
        super().__init__(
            f"{shown or path} is {kind}, not a regular file; it was not opened (replace it "
            "with the file itself, or remove it)"
        )
        self.path = path
        self.kind = kind


class TooLargeError(ExilecasesError):
    """A file over the size limit of what it holds (it was read no further)."""

    def __init__(self, path: Path, limit: int, size: int, shown: str | None = None) -> None:
        super().__init__(
            f"{shown or path} is {size:,} bytes, more than the {limit:,} it may hold; "
            "it was not read"
        )
        self.path = path
        self.limit = limit
        self.size = size


#: Opening flags that never block on a FIFO and never follow a final symbolic link.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def read_with_status(
    path: Path, limit: int | None = MAX_FILE_BYTES, *, shown: str | None = None
) -> tuple[bytes, os.stat_result]:
    """The bytes of ``path`` and the ``fstat`` of what was read. The one safe read of a
    user's file: every reader in the package comes here (:func:`read_regular`,
    :func:`read_optional`, :func:`read_for_edit`).

    ``path`` must be a regular file (not a link, FIFO, socket, device or folder); it is read
    no further than ``limit`` plus one byte, so that a caller can tell a file over the limit
    (``None``: the whole file). Opens with ``O_NOFOLLOW | O_NONBLOCK`` and checks what was
    opened with ``fstat``, so a file swapped for a FIFO or a link after it was listed is
    refused, never waited on. Raises ``NotAFileError`` (naming the file as ``shown``, else
    its path), ``FileNotFoundError`` or another ``OSError``.
    """
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise
    except OSError as error:
        # ELOOP (a link), ENXIO (a socket), EISDIR...: say what it is instead.
        kind = describe(path)
        if kind not in ("a regular file", "missing"):
            raise NotAFileError(path, kind, shown) from None
        raise error from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise NotAFileError(path, _kind(status.st_mode), shown)
        stream = os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise
    with stream:
        return (stream.read() if limit is None else stream.read(limit + 1)), status


def read_regular(
    path: Path, limit: int | None = MAX_FILE_BYTES, *, shown: str | None = None
) -> bytes:
    """The bytes of the regular file ``path`` (see :func:`read_with_status`), read no
    further than ``limit`` plus one byte. Raises ``NotAFileError``, ``FileNotFoundError`` or
    another ``OSError``."""
    return read_with_status(path, limit, shown=shown)[0]


def read_optional(path: Path, limit: int, *, shown: str | None = None) -> bytes | None:
    """:func:`read_regular` for a file that may be absent (None then), refusing one over
    ``limit`` with ``TooLargeError``: for ``data/vocabulary.toml``, ``data/recipients.toml``,
    the identity file."""
    try:
        raw, status = read_with_status(path, limit, shown=shown)
    except FileNotFoundError:
        return None
    if len(raw) > limit:
        raise TooLargeError(path, limit, max(status.st_size, len(raw)), shown)
    return raw


def read_for_edit(path: Path, shown: str) -> tuple[bytes, os.stat_result]:
    """The whole of the case file a writer is about to change, and its ``fstat``; every
    refusal an ``ExilecasesError`` naming the file as ``shown`` and saying that nothing was
    written (a missing file, a symbolic link, a FIFO, a folder, an unreadable file)."""
    try:
        return read_with_status(path, None, shown=shown)
    except NotAFileError as error:
        if error.kind.startswith("a symbolic link"):
            raise ExilecasesError(
                f"{shown} is {error.kind}; the tool edits only regular files (edit the file "
                "it points to, or replace the link with that file); nothing was written"
            ) from None
        raise ExilecasesError(
            f"{shown} is {error.kind}, not a regular file; nothing was written"
        ) from None
    except FileNotFoundError:
        raise ExilecasesError(f"no file {shown}") from None
    except OSError as error:
        raise ExilecasesError(
            f"cannot read {shown}: {error.strerror or error}", kind="system"
        ) from None


def load_vocabulary(root: Path | None) -> Vocabulary:
    """The vocabulary of the repository at ``root``: the defaults extended by
    ``<root>/data/vocabulary.toml`` when it exists (``root`` None: the defaults alone).

    The file is read here (a regular file only, size-limited) and parsed by
    ``format/vocabulary.parse_vocabulary``. Raises ``VocabularyError`` (with file and line)
    when the file is broken, is not a regular file or is too large.
    """
    from exilecases.format.vocabulary import (
        REPOSITORY_VOCABULARY,
        VOCABULARY_MAX_BYTES,
        VocabularyError,
        parse_vocabulary,
    )

    if root is None:
        return parse_vocabulary(None)
    try:
        raw = read_optional(root / REPOSITORY_VOCABULARY, VOCABULARY_MAX_BYTES)
    except NotAFileError as error:
        raise VocabularyError(
            REPOSITORY_VOCABULARY,
            f"is {error.kind}, not a regular file; it was not opened (replace it with a "
            "regular file, or remove it to use the built-in vocabulary)",
        ) from None
    except TooLargeError:
        raise VocabularyError(
            REPOSITORY_VOCABULARY,
            f"larger than {VOCABULARY_MAX_BYTES:,} bytes; it was not read (a vocabulary "
            "holds labels, not documents)",
        ) from None
    return parse_vocabulary(raw)


def unsafe_components(root: Path, rel: Path) -> list[str]:
    """The parts of ``root / rel`` (``rel``'s folders, then ``rel`` itself) that are
    symbolic links or exist but are not what a writer may write through (a folder for the
    folders, a regular file for the last part), as ``"schema/ is a symbolic link to /etc"``.
    Empty when writing there cannot land outside ``root``."""
    problems = []
    current = root
    parts = rel.parts
    for position, part in enumerate(parts):
        current = current / part
        last = position == len(parts) - 1
        kind = describe(current)
        if kind == "missing":
            break
        wanted = "a regular file" if last else "a folder"
        if kind != wanted:
            shown = current.relative_to(root).as_posix() + ("" if last else "/")
            problems.append(f"{shown} is {kind}")
            break
    return problems


def relative(root: Path, path: Path) -> str:
    """``path`` relative to the repository, with forward slashes (as findings show it)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def check_id(case_id: str) -> str:
    """Refuse an id that is not a plain case id (no ``/``, ``..`` or capitals).

    Ids come from users and end up in paths, so they are treated as hostile.
    """
    from exilecases.format.model import ID_PATTERN, ID_RULE

    if not ID_PATTERN.match(case_id):
        raise ExilecasesError(f"{case_id!r} is not a case id: an id is {ID_RULE}", 2)
    return case_id


def case_path(root: Path, case_id: str) -> Path:
    """The file of the case ``case_id`` (which need not exist yet)."""
    return cases_dir(root) / f"{check_id(case_id)}.toml"
