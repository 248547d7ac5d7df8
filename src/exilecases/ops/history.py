"""The history of cases from git: a per-case log and a field-level diff between revisions.

A line diff of TOML shows which lines moved; this module shows which *fields* changed
(``status: asylum_pending -> deported``, ``events: + 2026-02-02 handover -> handed_over``).
Entries of the arrays of tables are matched by identity (events by date and type, charges by
basis, sources by id, contacts by name), so reordering them is not a change.

Private data never reaches the output: a key of ``[private]`` and every field of an entry
marked ``private = true`` (a private contact, say) is reported as ``changed``/``added``/
``removed`` without its value, and the entry is called ``private contact``, not by its name.

git is run through its command line. Blobs are read with ``git cat-file blob`` (never with
``git show``, which may apply the repository's own textconv driver to the blob).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import os
import re
import subprocess
import tomllib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from exilecases.errors import ExilecasesError
from exilecases.format.canonical import TABLE_ORDER
from exilecases.format.model import KEY_ORDER
from exilecases.format.vocabulary import (
    Vocabulary,
    VocabularyError,
    default_vocabulary,
    load_vocabulary,
)
from exilecases.ops.validate import check_file
from exilecases.store.files import CASES_DIR, MAX_FILE_BYTES, case_files, check_id
from exilecases.store.git import git

ChangeKind = Literal["added", "removed", "changed"]
DiffState = Literal["added", "removed", "changed", "renamed"]

#: Longest value shown in one change line (longer ones end in "…").
MAX_VALUE = 80
#: What ``textconv`` writes instead of a private value.
HIDDEN = "(hidden)"
#: The fields that identify an entry of each array of tables.
IDENTITY: dict[str, tuple[str, ...]] = {
    "events": ("date", "type"),
    "charges": ("basis",),
    "sources": ("id",),
    "contacts": ("name",),
}
#: Fields whose values are keys or codes: shown bare, not quoted, when they are one word.
_KEY_FIELDS = frozenset(
    {
        "case",
        "id",
        "status",
        "origin_country",
        "host_country",
        "citizenship",
        "categories",
        "distinct_from",
        "type",
        "outcome",
        "basis",
        "sources",
        "language",
        "confidence",
    }
)
_TOKEN = re.compile(r"^[\w.+-]+\Z")
_STATUS = re.compile(r"^[ACDMRTUXB]\d*\Z")
_CASES = PurePosixPath(CASES_DIR.as_posix())
_COMMIT_MARK = "\x01"
_LOG_FORMAT = "%x01%H%x00%h%x00%an%x00%aI%x00%s"
_WORKING_TREE = "the working tree"
#: Lowest similarity for an untracked file to count as a renamed deleted one (as git's -M).
_RENAME_SIMILARITY = 0.5
_SINGULAR = {"events": "event", "charges": "charge", "sources": "source", "contacts": "contact"}
_NO_FIELD_CHANGED = "(no field changed: formatting or comments only)"
_MISSING: Any = object()


# --- changes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One field-level change between two versions of a case.

    ``field`` names the field: ``status``, ``aliases``, ``events`` (a whole entry added or
    removed; ``old``/``new`` is the entry), ``events[2026-02-02 handover].note`` (a field of a
    matched entry), ``private.notes``. ``note``, when set, is shown instead of the values:
    private values (``old`` and ``new`` are then None) and unreadable versions.
    """

    kind: ChangeKind
    field: str
    old: Any = None
    new: Any = None
    note: str | None = None

    def format(self) -> str:
        """One line: ``status: a -> b``, ``risk: + "..."``, ``categories: - mobilised``."""
        if self.note is not None:
            return f"{self.field}: {self.note}"
        if self.kind == "added":
            return f"{self.field}: + {_show(self.field, self.new)}"
        if self.kind == "removed":
            return f"{self.field}: - {_show(self.field, self.old)}"
        old, new = _show_pair(self.field, self.old, self.new)
        return f"{self.field}: {old} -> {new}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: kind, field, old, new, note and the formatted ``text``."""
        return {
            "kind": self.kind,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "note": self.note,
            "text": self.format(),
        }


def field_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Change]:
    """The field-level changes from case ``old`` to case ``new`` (plain dicts of case files).

    ``None`` stands for a case that does not exist: a created case is one change
    ``case: + <id>`` (compare with ``{}`` instead to list every field as added). Top-level
    fields come first in the canonical key order, then the arrays of tables, then
    ``[private]``.
    """
    if old is None and new is None:
        return []
    if old is None:
        return [Change("added", "case", new=_case_id(new))]
    if new is None:
        return [Change("removed", "case", old=_case_id(old))]
    changes: list[Change] = []
    for key in _top_level_fields(old, new):
        changes.extend(_value_changes(key, old.get(key, _MISSING), new.get(key, _MISSING)))
    for table in TABLE_ORDER:
        changes.extend(_table_changes(table, old.get(table, _MISSING), new.get(table, _MISSING)))
    changes.extend(_private_changes(old.get("private", _MISSING), new.get("private", _MISSING)))
    # A sealed block is ciphertext: "sealed: changed" says all that can be said.
    changes.extend(
        _value_changes("sealed", old.get("sealed", _MISSING), new.get("sealed", _MISSING), True)
    )
    return changes


def _case_id(case: dict[str, Any] | None) -> str:
    case_id = (case or {}).get("id")
    return case_id if isinstance(case_id, str) else "?"


def _top_level_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Every top-level key except the tables: canonical order, then unknown keys."""
    skip = {*TABLE_ORDER, "private", "sealed"}
    return [key for key in _ordered_keys(old, new, KEY_ORDER["case"]) if key not in skip]


def _ordered_keys(old: dict[str, Any], new: dict[str, Any], order: Sequence[str]) -> list[str]:
    present = {**dict.fromkeys(new), **dict.fromkeys(old)}
    known = [key for key in order if key in present]
    return (
        known
        + [key for key in new if key not in order]
        + [key for key in old if key not in order and key not in new]
    )


def _kind(old: Any, new: Any) -> ChangeKind:
    if old is _MISSING:
        return "added"
    return "removed" if new is _MISSING else "changed"


def _value_changes(name: str, old: Any, new: Any, hidden: bool = False) -> list[Change]:
    """The changes of one field (a missing side is ``_MISSING``)."""
    if old is new or (old is not _MISSING and new is not _MISSING and old == new):
        return []
    kind = _kind(old, new)
    if hidden:
        return [Change(kind, name, note=kind)]
    if _is_mapping_pair(old, new):
        old_map = {} if old is _MISSING else old
        new_map = {} if new is _MISSING else new
        return _mapping_changes(name, old_map, new_map, ())
    if _is_scalar_list_pair(old, new):
        return _list_changes(name, [] if old is _MISSING else old, [] if new is _MISSING else new)
    return [Change(kind, name, old=None if old is _MISSING else old, new=_or_none(new))]


def _or_none(value: Any) -> Any:
    return None if value is _MISSING else value


def _is_mapping_pair(old: Any, new: Any) -> bool:
    return all(side is _MISSING or isinstance(side, dict) for side in (old, new))


def _is_scalar_list(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, str | int | float | bool) for item in value
    )


def _is_scalar_list_pair(old: Any, new: Any) -> bool:
    return all(side is _MISSING or _is_scalar_list(side) for side in (old, new))


def _mapping_changes(
    prefix: str,
    old: dict[str, Any],
    new: dict[str, Any],
    order: Sequence[str],
    hidden: bool = False,
    visible: frozenset[str] = frozenset(),
) -> list[Change]:
    """The changes of every key of a table, named ``prefix.key``."""
    changes: list[Change] = []
    for key in _ordered_keys(old, new, order):
        changes.extend(
            _value_changes(
                f"{prefix}.{key}",
                old.get(key, _MISSING),
                new.get(key, _MISSING),
                hidden=hidden and key not in visible,
            )
        )
    return changes


def _list_changes(name: str, old: list[Any], new: list[Any]) -> list[Change]:
    """One change per item removed or added; a pure reordering is one ``changed``."""
    old_count, new_count = Counter(map(_hashable, old)), Counter(map(_hashable, new))
    removed, added = old_count - new_count, new_count - old_count
    changes = [Change("removed", name, old=item) for item in _take(old, removed)]
    changes += [Change("added", name, new=item) for item in _take(new, added)]
    if not changes and old != new:
        changes.append(Change("changed", name, old=old, new=new))
    return changes


def _hashable(item: Any) -> Any:
    return (type(item).__name__, item)


def _take(items: list[Any], wanted: Counter) -> list[Any]:
    """The items of ``wanted`` in the order they appear in ``items``."""
    left = Counter(wanted)
    taken = []
    for item in items:
        if left[_hashable(item)] > 0:
            left[_hashable(item)] -= 1
            taken.append(item)
    return taken


def _private_changes(old: Any, new: Any) -> list[Change]:
    """``private.KEY: changed`` for every key that differs, never a value."""
    if not _is_mapping_pair(old, new):
        return _value_changes("private", old, new, hidden=True)
    old_map = {} if old is _MISSING else old
    new_map = {} if new is _MISSING else new
    return _mapping_changes("private", old_map, new_map, (), hidden=True)


# --- arrays of tables ---------------------------------------------------------------------


def _table_changes(table: str, old: Any, new: Any) -> list[Change]:
    """Entries removed, added, and the changed fields of entries found in both versions."""
    if not all(side is _MISSING or isinstance(side, list) for side in (old, new)):
        return _value_changes(table, old, new)
    old_entries = _keyed(table, [] if old is _MISSING else old)
    new_entries = _keyed(table, [] if new is _MISSING else new)
    changes = [
        _entry_change("removed", table, entry)
        for key, (_, entry) in old_entries.items()
        if key not in new_entries
    ]
    for key, (label, entry) in new_entries.items():
        if key not in old_entries:
            changes.append(_entry_change("added", table, entry))
        else:
            changes.extend(_entry_field_changes(table, label, old_entries[key][1], entry))
    return changes


def _keyed(table: str, entries: list[Any]) -> dict[tuple, tuple[str, Any]]:
    """Entries by identity (a repeated identity gets ``#2``, ``#3``), with their labels."""
    return {key: (label, entry) for key, label, entry in _labelled(table, entries)}


def _labelled(table: str, entries: list[Any]) -> Iterator[tuple[tuple, str, Any]]:
    seen: Counter = Counter()
    private_seen = 0
    for entry in entries:
        identity = _identity(table, entry)
        seen[identity] += 1
        label = _identity_label(identity)
        if _is_private_entry(table, entry):
            private_seen += 1
            label = _private_label(table) + (f" {private_seen}" if private_seen > 1 else "")
        elif seen[identity] > 1:
            label += f" #{seen[identity]}"
        yield (*identity, seen[identity]), label, entry


def _identity(table: str, entry: Any) -> tuple:
    if not isinstance(entry, dict):
        return (_compact(entry),)
    return tuple(_identity_part(entry.get(key)) for key in IDENTITY[table])


def _identity_part(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return _compact(value)


def _identity_label(identity: tuple) -> str:
    return " ".join("?" if part is None else " ".join(part.split()) for part in identity)


def _is_private_entry(table: str, entry: Any) -> bool:
    """An entry marked ``private`` (anything but false counts, as in the public export)."""
    return isinstance(entry, dict) and entry.get("private", False) not in (None, False)


def _private_label(table: str) -> str:
    return f"private {_SINGULAR.get(table, 'entry')}"


def _entry_change(kind: ChangeKind, table: str, entry: Any) -> Change:
    if _is_private_entry(table, entry):
        sign = "+" if kind == "added" else "-"
        return Change(kind, table, note=f"{sign} {_private_label(table)}")
    return Change(kind, table, **{"new" if kind == "added" else "old": entry})


def _entry_field_changes(table: str, label: str, old: Any, new: Any) -> list[Change]:
    name = f"{table}[{label}]"
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return _value_changes(name, old, new)
    hidden = _is_private_entry(table, old) or _is_private_entry(table, new)
    return _mapping_changes(
        name, old, new, KEY_ORDER[table], hidden=hidden, visible=frozenset({"private"})
    )


# --- showing values -----------------------------------------------------------------------


def _leaf(name: str) -> str:
    """The field's own key: ``note`` of ``events[2026-02-02 handover].note``."""
    tail = name.rsplit("]", 1)[-1]
    return tail.rsplit(".", 1)[-1] if tail else name.split("[", 1)[0]


def _show(name: str, value: Any, limit: int = MAX_VALUE) -> str:
    """A value as one short line: keys bare, text in quotes, entries in words."""
    if isinstance(value, dict) and name in IDENTITY:
        return _shorten(describe_entry(name, value), limit)
    if isinstance(value, str):
        return _show_text(_leaf(name), _one_line(value), limit)
    if isinstance(value, list):
        return _shorten("[" + ", ".join(_show(name, item, limit) for item in value) + "]", limit)
    return _shorten(_scalar_text(value), limit)


def _show_text(leaf: str, text: str, limit: int) -> str:
    if leaf in _KEY_FIELDS and _TOKEN.match(text) and len(text) <= limit:
        return text
    return json.dumps(_shorten(text, limit), ensure_ascii=False)


def _show_pair(name: str, old: Any, new: Any) -> tuple[str, str]:
    """Both values of a change; two long texts are cut near their first difference."""
    if not (isinstance(old, str) and isinstance(new, str)):
        return _show(name, old), _show(name, new)
    old_line, new_line = _one_line(old), _one_line(new)
    if max(len(old_line), len(new_line)) <= MAX_VALUE:
        return _show(name, old_line), _show(name, new_line)
    same = next(
        (i for i, (a, b) in enumerate(zip(old_line, new_line, strict=False)) if a != b),
        min(len(old_line), len(new_line)),
    )
    start = max(0, same - MAX_VALUE // 4) if same > MAX_VALUE // 2 else 0
    leaf = _leaf(name)
    return _show_text(leaf, _window(old_line, start), MAX_VALUE), _show_text(
        leaf, _window(new_line, start), MAX_VALUE
    )


def _window(text: str, start: int) -> str:
    return ("…" + text[start:]) if start else text


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _shorten(text: str, limit: int = MAX_VALUE) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _scalar_text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value
    return _compact(value)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def describe_entry(table: str, entry: dict[str, Any]) -> str:
    """An entry of an array of tables in words: ``2026-02-02 handover -> handed_over
    (Priozersk)``, ``RU-CC-338``, ``meduza-ro-2026-02-22``, ``Artur Alkhastov (lawyer)``.

    An entry marked private is ``private contact`` (``private event``, ...), whatever it holds.
    """
    if _is_private_entry(table, entry):
        return _private_label(table)
    text = _identity_label(_identity(table, entry))
    if table == "events":
        if isinstance(entry.get("outcome"), str):
            text += f" -> {entry['outcome']}"
        if isinstance(entry.get("place"), str):
            text += f" ({_shorten(_one_line(entry['place']), 40)})"
    elif table == "contacts" and isinstance(entry.get("role"), str):
        text += f" ({_shorten(_one_line(entry['role']), 40)})"
    return text


def render_changes(changes: Sequence[Change]) -> list[str]:
    """One line per change."""
    return [change.format() for change in changes]


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
        file = root / path
        if file.is_symlink() and file.resolve().parent != (root / CASES_DIR).resolve():
            return None
        try:
            return file.read_bytes()
        except FileNotFoundError:
            raise ExilecasesError(f"{path} does not exist in {_WORKING_TREE}") from None
        except OSError as error:
            raise ExilecasesError(f"cannot read {path}: {error.strerror}") from None
    return _git_bytes(root, "cat-file", "blob", f"{rev}:./{path}")


def _parse_case(raw: bytes | None, path: str, vocabulary: Vocabulary) -> dict[str, Any] | None:
    if raw is None or len(raw) > MAX_FILE_BYTES:
        return None
    check = check_file(raw, path, PurePosixPath(path).stem, vocabulary)
    if check.case is not None:
        return check.case
    try:
        data = tomllib.loads(raw.decode("utf-8").removeprefix("\ufeff"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return None
    return _plain(data)


def _plain(value: Any) -> Any:
    """TOML values with dates and times as strings (as the loader gives them)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def _vocabulary(root: Path) -> Vocabulary:
    """The repository's vocabulary (only findings depend on it, never the case read)."""
    try:
        return load_vocabulary(root)
    except VocabularyError:
        return default_vocabulary()


def _version(root: Path, rev: str | None, path: str, label: str, vocab: Vocabulary) -> _Version:
    return _Version(True, _parse_case(_read_blob(root, rev, path), path, vocab), label)


def _compare(old: _Version, new: _Version) -> list[Change]:
    """The changes between two versions, saying so when one cannot be read."""
    unreadable = [v.label for v in (old, new) if v.exists and v.case is None]
    if not unreadable:
        return field_changes(old.case if old.exists else None, new.case if new.exists else None)
    where = " and ".join(unreadable)
    if not old.exists:
        return [Change("added", "case", note=f"+ (unreadable at {where})")]
    if not new.exists:
        return [Change("removed", "case", note=f"- (unreadable at {where})")]
    return [Change("changed", "case", note=f"unreadable at {where}; no field changes shown")]


# --- git ----------------------------------------------------------------------------------


def _git_bytes(root: Path, *args: str) -> bytes:
    """Run git and return its raw standard output (blobs are bytes, not text)."""
    try:
        completed = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except FileNotFoundError:
        raise ExilecasesError("git is not installed; install git to use this command") from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip()
        raise ExilecasesError(f"git {args[0]} failed: {message}")
    return completed.stdout


def _require_git(root: Path) -> None:
    if git(root, "rev-parse", "--is-inside-work-tree", check=False).strip() != "true":
        raise ExilecasesError(
            f"{root} is not a git repository: log and diff read the history from git; "
            "run `git init` or `exilecases init`"
        )


def _has_commits(root: Path) -> bool:
    return bool(git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False))


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
        changes=_compare(old, new),
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
                changes=_compare(old_version, new_version),
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


# --- textconv -----------------------------------------------------------------------------


def textconv(text: str) -> str:
    """The field-per-line view of a case file's text that git diffs instead of the TOML.

    ``status = deported``, ``aliases = A; B``, one header line per table entry
    (``events[2026-02-02 handover]``) followed by its fields
    (``events[2026-02-02 handover].outcome = handed_over``); private values are ``(hidden)``.
    A text that is not TOML is returned unchanged.
    """
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except (tomllib.TOMLDecodeError, RecursionError):
        return text
    return "".join(f"{line}\n" for line in _textconv_lines(_plain(data)))


def textconv_file(path: Path) -> str:
    """``textconv`` of a file (what ``exilecases git-diff-driver FILE`` prints)."""
    return textconv(path.read_bytes().decode("utf-8", "replace"))


def _textconv_lines(case: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for key in _top_level_fields(case, {}):
        lines += _value_lines(key, case[key])
    for table in TABLE_ORDER:
        entries = case.get(table, _MISSING)
        if isinstance(entries, list):
            lines += _table_lines(table, entries)
        elif entries is not _MISSING:
            lines += _value_lines(table, entries)
    private = case.get("private", _MISSING)
    if isinstance(private, dict):
        lines += [f"private.{key} = {HIDDEN}" for key in private]
    elif private is not _MISSING:
        lines.append(f"private = {HIDDEN}")
    sealed = case.get("sealed")
    if isinstance(sealed, dict):
        # A digest of the ciphertext: a re-sealed block shows as one changed line.
        digest = hashlib.sha256(str(sealed.get("age", "")).encode()).hexdigest()[:12]
        lines.append(f"private = (sealed {digest})")
    return lines


def _table_lines(table: str, entries: list[Any]) -> list[str]:
    lines = []
    for _, label, entry in _labelled(table, entries):
        name = f"{table}[{label}]"
        if not isinstance(entry, dict):
            lines += _value_lines(name, entry)
            continue
        lines.append(name)
        hidden = _is_private_entry(table, entry)
        identity = set(IDENTITY[table])
        for key in _ordered_keys(entry, {}, KEY_ORDER[table]):
            if key not in identity:
                secret = hidden and key != "private"
                lines += _value_lines(f"{name}.{key}", entry[key], secret)
    return lines


def _value_lines(name: str, value: Any, hidden: bool = False) -> list[str]:
    if hidden:
        return [f"{name} = {HIDDEN}"]
    if isinstance(value, dict):
        nested = [
            line for key, item in value.items() for line in _value_lines(f"{name}.{key}", item)
        ]
        return nested or [f"{name} = {{}}"]
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return [
            line
            for index, item in enumerate(value, start=1)
            for line in _value_lines(f"{name}[{index}]", item)
        ]
    if isinstance(value, list):
        return [f"{name} = {'; '.join(_scalar_text(item) for item in value)}".rstrip()]
    text = _scalar_text(value)
    first, *rest = text.splitlines() or [""]
    return [f"{name} = {first}".rstrip()] + [f"{name} | {line}".rstrip() for line in rest]
