"""The history of cases from git: a per-case log, a field-level diff between revisions, and
the field-per-line view the git diff driver prints.

Every output here is public (privacy.md, Rule 1): changes are computed by
``changes.public_changes`` from the public views of the two versions, so a value of
``[private]``, of a private entry or of a field a redaction rule names (``born``, a case's
``private_fields``, the repository's ``[fields] private``) is never printed; a change of one
is a line ``FIELD: changed (private, not shown)``. The redaction rules are the repository's
current ones, applied to every revision.

Every git call goes through ``store.git``. Blobs are read with ``git cat-file blob`` (never
with ``git show``, which may apply the repository's own textconv driver to the blob).
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from exilecases.errors import ExilecasesError
from exilecases.format.vocabulary import Vocabulary
from exilecases.ops.changes import (
    Change,
    describe_entry,
    field_changes,
    public_changes,
    render_changes,
)
from exilecases.ops.textconv import plain, textconv, textconv_file
from exilecases.ops.validate import check_file
from exilecases.store.files import (
    CASES_DIR,
    MAX_FILE_BYTES,
    NotAFileError,
    case_files,
    check_id,
    load_vocabulary,
    read_regular,
)
from exilecases.store.git import git, git_bytes, has_commits, inside_work_tree

__all__ = [
    "CaseDiff",
    "Change",
    "LogEntry",
    "case_log",
    "describe_entry",
    "diff_cases",
    "field_changes",
    "public_changes",
    "read_case_at",
    "render_changes",
    "render_diff",
    "render_log",
    "textconv",
    "textconv_file",
]

DiffState = Literal["added", "removed", "changed", "renamed"]

_STATUS = re.compile(r"^[ACDMRTUXB]\d*\Z")
_CASES = PurePosixPath(CASES_DIR.as_posix())
_COMMIT_MARK = "\x01"
_LOG_FORMAT = "%x01%H%x00%h%x00%an%x00%aI%x00%s"
_WORKING_TREE = "the working tree"
#: Lowest similarity for an untracked file to count as a renamed deleted one (as git's -M).
_RENAME_SIMILARITY = 0.5
_NO_FIELD_CHANGED = "(no field changed: formatting or comments only)"


# --- reading versions ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Version:
    """A case file at one revision: absent, unreadable (``case`` None) or a case."""

    exists: bool
    case: dict[str, Any] | None = None
    label: str = ""


def read_case_at(root: Path, rev: str | None, path: str) -> dict[str, Any] | None:
    """The case in ``path`` (relative to ``root``) at revision ``rev`` (None: the working tree).

    Normalised like the loader does; a file that fails the schema is the plain TOML dict with
    dates as strings; a file that is not TOML (or not UTF-8), and in the working tree a link
    that leads out of ``data/cases/``, is None. Raises ``ExilecasesError`` when the file does
    not exist at ``rev`` (or, in the working tree, when ``path`` is not a case file's path).
    """
    if rev is not None:
        _check_rev_text(rev)
    return _parse_case(_read_blob(root, rev, path), path, _vocabulary(root))


def _read_blob(root: Path, rev: str | None, path: str) -> bytes | None:
    """The bytes of ``path`` at ``rev``; None for a link that leads out of ``data/cases/``."""
    if rev is None:
        if not _is_case_path(path):
            raise ExilecasesError(f"{path} is not the path of a case file ({_CASES}/<id>.toml)")
        try:
            return read_regular(root / path)  # never a link, FIFO or folder: None then
        except NotAFileError:
            return None
        except FileNotFoundError:
            raise ExilecasesError(f"{path} does not exist in {_WORKING_TREE}") from None
        except OSError as error:
            raise ExilecasesError(f"cannot read {path}: {error.strerror}") from None
    return git_bytes(root, "cat-file", "blob", f"{rev}:./{path}")


def _parse_case(raw: bytes | None, path: str, vocabulary: Vocabulary) -> dict[str, Any] | None:
    if raw is None or len(raw) > MAX_FILE_BYTES:
        return None
    check = check_file(raw, path, PurePosixPath(path).stem, vocabulary)
    if check.case is not None:
        return check.case
    try:
        data = tomllib.loads(raw.decode("utf-8").removeprefix("\ufeff"))
        return plain(data)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return None  # RecursionError: nested too deeply to be a case (E005)


def _vocabulary(root: Path) -> Vocabulary:
    """The repository's vocabulary: its ``[fields] private`` decides what the history may
    show, so a broken one stops the command (``VocabularyError``) rather than fall back."""
    return load_vocabulary(root)


def _version(root: Path, rev: str | None, path: str, label: str, vocab: Vocabulary) -> _Version:
    return _Version(True, _parse_case(_read_blob(root, rev, path), path, vocab), label)


def _compare(old: _Version, new: _Version, vocabulary: Vocabulary) -> list[Change]:
    """The public changes between two versions, saying so when one cannot be read."""
    unreadable = [v.label for v in (old, new) if v.exists and v.case is None]
    if not unreadable:
        return public_changes(
            old.case if old.exists else None, new.case if new.exists else None, vocabulary
        )
    where = " and ".join(unreadable)
    if not old.exists:
        return [Change("added", "case", note=f"+ (unreadable at {where})")]
    if not new.exists:
        return [Change("removed", "case", note=f"- (unreadable at {where})")]
    return [Change("changed", "case", note=f"unreadable at {where}; no field changes shown")]


# --- git ----------------------------------------------------------------------------------


def _require_git(root: Path) -> None:
    if not inside_work_tree(root):
        raise ExilecasesError(
            f"{root} is not a git repository: log and diff read the history from git; "
            "run `git init` or `exilecases init`"
        )


def _has_commits(root: Path) -> bool:
    return has_commits(root)


def _check_rev_text(rev: str) -> None:
    if not rev or rev.startswith("-"):
        raise ExilecasesError(f"{rev!r} is not a revision; name a commit, branch or tag", 2)


def _resolve(root: Path, rev: str) -> str:
    """The full hash of the commit ``rev`` names, or ``ExilecasesError`` with git's words."""
    _check_rev_text(rev)
    try:
        return git(root, "log", "-1", "--format=%H", rev, "--").strip()
    except ExilecasesError as error:
        if not _has_commits(root):
            raise ExilecasesError(
                f"unknown revision {rev!r}: the repository has no commits yet; commit the "
                "cases first, or run `exilecases diff` without a revision"
            ) from None
        raise ExilecasesError(
            f"unknown revision {rev!r} ({error.message}); name a commit, branch or tag "
            "(see `git log --oneline`)"
        ) from None


def _root_relative(top_path: str, prefix: str) -> str:
    """A path git printed relative to the top of the work tree, made relative to the folder
    whose ``git rev-parse --show-prefix`` is ``prefix``."""
    if not prefix:
        return top_path
    return PurePosixPath(os.path.relpath(top_path, prefix)).as_posix()


def _is_case_path(path: str) -> bool:
    pure = PurePosixPath(path)
    return pure.parent == _CASES and pure.suffix == ".toml" and not pure.name.startswith(".")


# --- log ----------------------------------------------------------------------------------


@dataclass
class LogEntry:
    """One commit that touched a case file, with the fields it changed."""

    commit: str
    date: str
    author: str
    message: str
    path: str
    changes: list[Change] = field(default_factory=list)
    #: The file's previous path when this commit renamed it.
    old_path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (changes as ``Change.to_dict``)."""
        return {
            "commit": self.commit,
            "date": self.date,
            "author": self.author,
            "message": self.message,
            "path": self.path,
            "old_path": self.old_path,
            "changes": [change.to_dict() for change in self.changes],
        }


@dataclass
class _Commit:
    full: str
    short: str
    author: str
    date: str
    subject: str
    status: str = ""
    paths: list[str] = field(default_factory=list)


def case_log(root: Path, case_id: str) -> list[LogEntry]:
    """The commits that touched ``data/cases/<case_id>.toml``, newest first, following
    renames, each with its field changes against the version before it.

    Raises ``ExilecasesError`` outside a git repository and when no commit touches the file.
    """
    _require_git(root)
    path = (_CASES / f"{check_id(case_id)}.toml").as_posix()
    commits = _log_commits(root, path) if _has_commits(root) else []
    if not commits:
        raise ExilecasesError(f"no commits touch {path} yet; commit it first")
    vocabulary = _vocabulary(root)
    prefix = git(root, "rev-parse", "--show-prefix").strip()
    entries = []
    current = path
    for commit in commits:
        entry = _log_entry(root, commit, current, prefix, vocabulary)
        entries.append(entry)
        current = entry.old_path or entry.path
    return entries


def _log_commits(root: Path, path: str) -> list[_Commit]:
    output = git(
        root,
        "-c",
        "log.showSignature=false",
        "log",
        "--follow",
        "-M",
        "--name-status",
        "-z",
        "--no-color",
        f"--format={_LOG_FORMAT}",
        "--",
        path,
    )
    return _parse_log(output)


def _parse_log(output: str) -> list[_Commit]:
    """Commits from ``git log -z --name-status`` with ``_LOG_FORMAT``."""
    commits: list[_Commit] = []
    tokens = iter(output.split("\0"))
    for token in tokens:
        token = token.lstrip("\n")
        if token.startswith(_COMMIT_MARK):
            header = [token[1:]] + [next(tokens, "") for _ in range(4)]
            commits.append(_Commit(*header))
        elif _STATUS.match(token) and commits and not commits[-1].status:
            count = 2 if token[0] in "RC" else 1
            commits[-1].status = token
            commits[-1].paths = [next(tokens, "") for _ in range(count)]
    return commits


def _log_entry(
    root: Path, commit: _Commit, current: str, prefix: str, vocabulary: Vocabulary
) -> LogEntry:
    paths = [_root_relative(p, prefix) for p in commit.paths] or [current]
    old_path, new_path = paths[0], paths[-1]
    letter = commit.status[:1]
    if letter == "A":
        old = _Version(False)
    else:
        old = _version(root, f"{commit.full}^", old_path, f"{commit.short}^", vocabulary)
    if letter == "D":
        new = _Version(False)
    else:
        new = _version(root, commit.full, new_path, commit.short, vocabulary)
    return LogEntry(
        commit=commit.short,
        date=f"{commit.date[:10]} {commit.date[11:16]}",
        author=commit.author,
        message=commit.subject,
        path=new_path,
        changes=_compare(old, new, vocabulary),
        old_path=old_path if old_path != new_path else None,
    )


def render_log(entries: Sequence[LogEntry]) -> str:
    """The log as plain text: a header line per commit, its message, then its changes."""
    blocks = []
    for entry in entries:
        lines = [f"commit {entry.commit}  {entry.date}  {entry.author}", f"    {entry.message}"]
        if entry.old_path:
            lines.append(f"    renamed from {entry.old_path} to {entry.path}")
        changes = render_changes(entry.changes) or [_NO_FIELD_CHANGED]
        lines += [f"    {line}" for line in changes]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


# --- diff ---------------------------------------------------------------------------------


@dataclass
class CaseDiff:
    """One case file that differs between two revisions."""

    path: str
    case_id: str
    state: DiffState
    changes: list[Change] = field(default_factory=list)
    old_path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (changes as ``Change.to_dict``)."""
        return {
            "path": self.path,
            "case_id": self.case_id,
            "state": self.state,
            "old_path": self.old_path,
            "changes": [change.to_dict() for change in self.changes],
        }


@dataclass(frozen=True)
class _FileDiff:
    state: DiffState
    old_path: str | None
    new_path: str | None


def diff_cases(root: Path, rev_a: str | None = None, rev_b: str | None = None) -> list[CaseDiff]:
    """Every case file that differs from revision ``rev_a`` (default HEAD) to ``rev_b``
    (default the working tree, untracked case files included), sorted by path.

    In a repository without commits every case file is added. Raises ``ExilecasesError``
    outside a git repository and for a revision git does not know.
    """
    _require_git(root)
    if rev_a is None and rev_b is None and not _has_commits(root):
        files = [_FileDiff("added", None, f"{_CASES}/{p.name}") for p in case_files(root)]
        return _case_diffs(root, "", None, files)
    old = _resolve(root, rev_a or "HEAD")
    new = _resolve(root, rev_b) if rev_b is not None else None
    files = _changed_files(root, old, new)
    if new is None:
        files = _with_untracked(root, old, files)
    return _case_diffs(root, old, new, files, labels=(rev_a or "HEAD", rev_b or _WORKING_TREE))


def _changed_files(root: Path, old: str, new: str | None) -> list[_FileDiff]:
    """The case files ``git diff -M --name-status`` lists between two commits (or the tree)."""
    revs = [old] if new is None else [old, new]
    output = git(
        root,
        "diff",
        "--no-color",
        "--no-ext-diff",
        "--relative",
        "-M",
        "--name-status",
        "-z",
        *revs,
        "--",
        f"{_CASES}/",
    )
    tokens = iter(output.split("\0"))
    files = []
    for token in tokens:
        if not _STATUS.match(token):
            continue
        first = next(tokens, "")
        second = next(tokens, "") if token[0] in "RC" else first
        files.append(_file_diff(token[0], first, second))
    return [f for f in files if _is_case_path(f.new_path or f.old_path or "")]


def _file_diff(letter: str, old_path: str, new_path: str) -> _FileDiff:
    if letter == "A":
        return _FileDiff("added", None, new_path)
    if letter == "D":
        return _FileDiff("removed", old_path, None)
    if letter == "R" and not _is_case_path(old_path):
        return _FileDiff("added", None, new_path)
    if letter == "R" and not _is_case_path(new_path):
        return _FileDiff("removed", old_path, None)
    return _FileDiff("renamed" if letter == "R" else "changed", old_path, new_path)


def _with_untracked(root: Path, old: str, files: list[_FileDiff]) -> list[_FileDiff]:
    """Add untracked case files; one that resembles a deleted file is its rename."""
    output = git(root, "ls-files", "-z", "--others", "--exclude-standard", "--", f"{_CASES}/")
    untracked = [p for p in output.split("\0") if p and _is_case_path(p)]
    removed = {f.old_path: f for f in files if f.state == "removed" and f.old_path}
    result = [f for f in files if f.state != "removed"]
    for path in untracked:
        match = _most_similar(root, old, path, list(removed))
        if match is None:
            result.append(_FileDiff("added", None, path))
        else:
            del removed[match]
            result.append(_FileDiff("renamed", match, path))
    return result + list(removed.values())


def _most_similar(root: Path, old: str, path: str, candidates: list[str]) -> str | None:
    if not candidates:
        return None
    new_lines = _lines(_read_blob(root, None, path))
    best, best_ratio = None, _RENAME_SIMILARITY
    for candidate in candidates:
        old_lines = _lines(_read_blob(root, old, candidate))
        ratio = difflib.SequenceMatcher(None, old_lines, new_lines).ratio()
        if ratio >= best_ratio:
            best, best_ratio = candidate, ratio
    return best


def _lines(raw: bytes | None) -> list[str]:
    return (raw or b"").decode("utf-8", "replace").splitlines()


def _case_diffs(
    root: Path,
    old: str,
    new: str | None,
    files: list[_FileDiff],
    labels: tuple[str, str] = ("", _WORKING_TREE),
) -> list[CaseDiff]:
    vocabulary = _vocabulary(root)
    diffs = []
    for file in sorted(files, key=lambda f: f.new_path or f.old_path or ""):
        old_version = _Version(False)
        new_version = _Version(False)
        if file.old_path is not None:
            old_version = _version(root, old, file.old_path, labels[0], vocabulary)
        if file.new_path is not None:
            new_version = _version(root, new, file.new_path, labels[1], vocabulary)
        path = file.new_path or file.old_path or ""
        diffs.append(
            CaseDiff(
                path=path,
                case_id=PurePosixPath(path).stem,
                state=file.state,
                changes=_compare(old_version, new_version, vocabulary),
                old_path=file.old_path if file.state == "renamed" else None,
            )
        )
    return diffs


def render_diff(diffs: Sequence[CaseDiff]) -> str:
    """The diff as plain text: a line per file, then its changes indented (empty: "")."""
    blocks = []
    for diff in diffs:
        head = f"{diff.path} ({diff.state})"
        if diff.old_path:
            head = f"{diff.path} (renamed from {diff.old_path})"
        lines = render_changes(diff.changes) or [_NO_FIELD_CHANGED]
        blocks.append("\n".join([head, *(f"    {line}" for line in lines)]))
    return "\n".join(blocks)
