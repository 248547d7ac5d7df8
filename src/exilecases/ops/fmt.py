"""``fmt``: rewrite case files in canonical form through the one write path.

``fmt_step`` is fmt's change of one file: the current text in, the new text, the data it
must hold and messages out. It moves format 1's ``private = true`` entries into
``[private]`` (``format/migrate.py``, a data-to-data step that the formatter writes with the
comments in place); text-level migrations slot in before it as entries of ``MIGRATIONS``
(each a function from text to ``Update``: the migrated text, the data it must hold, and what
it moved, said to the user). ``store/write`` refuses to write a text that does not parse
back to exactly the data the last step intended.

A file whose shape is wrong (not TOML, not UTF-8, nested beyond the limit, a table where
the format has an array of tables or the reverse) is never rewritten: fmt reports the
finding and leaves the file byte for byte as it is, so nothing it holds can be dropped.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exilecases.errors import ExilecasesError
from exilecases.format.findings import ERROR, Finding
from exilecases.format.vocabulary import Vocabulary
from exilecases.store.files import read_for_edit
from exilecases.store.write import CaseWriter, Update, split_bom, verify_update

if TYPE_CHECKING:
    from exilecases.ops.seal import Keys

#: Format migrations, applied in order before formatting: text -> ``Update``.
MIGRATIONS: list[Callable[[str], Update]] = []
#: Findings that mean the file's shape is not one fmt can rewrite without losing data:
#: unreadable (syntax, empty, encoding, conflict markers, size and depth) or a value of the
#: wrong type (``[events]`` for ``[[events]]``, a ``[[private]]`` array).
REFUSING_CODES = frozenset({"E001", "E002", "E003", "E004", "E005", "E011"})
#: What the formatter may raise on input it was not made for; fmt reports it, never crashes.
_FORMATTER_ERRORS = (ValueError, TypeError, KeyError, IndexError, RecursionError)


@dataclass
class FmtResult:
    """What ``fmt`` did, or would do, with one file."""

    rel: str
    changed: bool = False  # formatted (or, with check, would be)
    messages: list[str] = field(default_factory=list)
    refused: list[Finding] = field(default_factory=list)  # why it was left as it is
    reason: str = ""  # a refusal without a finding (a formatter bug caught by the check)
    had_bom: bool = False  # the file started with a byte-order mark (fmt removes it)
    #: Left as it is because its sealed private part, which fmt had to merge into, cannot
    #: be opened with this person's identity (``reason`` says why and what to do).
    sealed_shut: bool = False

    @property
    def ok(self) -> bool:
        """False when the file was left as it is because it cannot be formatted safely."""
        return not self.refused and not self.reason


def fmt_step(text: str, *, vocabulary: Vocabulary | None = None, sealed: bool = False) -> Update:
    """fmt's change of one file's text (a byte-order mark already removed): the migrations,
    then the canonical form with every comment kept. With ``sealed`` (a sealed repository,
    whose private part the text holds open) the top-level fields a redaction rule keeps
    private (``vocabulary``'s rules and the defaults) move into ``[private]`` too. Raises
    ``ExilecasesError`` when the text cannot be formatted."""
    from exilecases.format.migrate import migrate_private, move_into_private
    from exilecases.format.privacy import movable_fields
    from exilecases.ops.edit import format_text

    messages: list[str] = []
    try:
        data = tomllib.loads(text)
        for migrate in MIGRATIONS:
            update = migrate(text)
            text, data = update.text, update.data
            messages += update.messages
        # Format 1's entries marked private = true move into [private] (format/migrate.py);
        # their comments go with them.
        migration = migrate_private(data)
        moves = dict(migration.moves)
        messages += migration.messages
        if sealed:
            moved = move_into_private(migration.data, movable_fields(migration.data, vocabulary))
            moves.update(moved.moves)
            migration.data = moved.data
            messages += moved.messages
        if not moves:
            return Update(format_text(text), data, messages, keep_bom=False)
        new = format_text(text, migration.data, moves)
        return Update(new, migration.data, messages, keep_bom=False)
    except ExilecasesError:
        raise
    except _FORMATTER_ERRORS as error:
        raise ExilecasesError(f"cannot be formatted ({type(error).__name__}: {error})") from None


def needs_private_merge(data: dict[str, Any], vocabulary: Vocabulary | None) -> bool:
    """Whether fmt in a sealed repository has something to put into the sealed private
    part of a case (as parsed): a plaintext ``[private]`` table, an entry marked ``private
    = true``, or a top-level field a redaction rule keeps private."""
    from exilecases.format.migrate import migrate_private
    from exilecases.format.privacy import movable_fields

    return (
        "private" in data
        or bool(migrate_private(data).messages)
        or bool(movable_fields(data, vocabulary))
    )


class SealedShut(ExilecasesError):
    """fmt has something to merge into a sealed private part that this person cannot open:
    the file is left as it is (the message says why and what to do)."""


def sealed_fmt_step(text: str, keys: Keys, rel: str, vocabulary: Vocabulary) -> Update:
    """fmt's change of one file in a sealed repository: ``fmt_step``, with whatever would
    land in a plaintext ``[private]`` (entries migrated from format 1, top-level fields a
    redaction rule keeps private, a plaintext ``[private]`` there already) merged into the
    sealed block: the block is opened in memory, the whole text formatted, and the private
    part sealed again for the keys data/recipients.toml lists now. A file with nothing to
    merge is formatted without opening anything. Raises ``SealedShut`` when the block cannot
    be opened: plaintext is never written."""
    from exilecases.ops.seal import close, open_text

    if not needs_private_merge(tomllib.loads(text), vocabulary):
        return fmt_step(text)
    now = keys.current()  # under the lock: a change of keys meanwhile is followed
    try:
        opened = open_text(text, now, rel)
    except ExilecasesError as error:  # no identity, not for it, damaged, a conflict
        raise SealedShut(
            f"it has private data to merge into its sealed private part (entries marked "
            f"private = true, or fields a redaction rule keeps private), but "
            f"{error.message.removeprefix(rel + ': ')}; fmt never writes plaintext in a "
            "sealed repository"
        ) from None
    update = fmt_step(opened.whole, vocabulary=vocabulary, sealed=True)
    before = {(f.code, f.message) for f in _check(opened.whole, rel, Path(rel).stem, vocabulary)}
    introduced = [
        f"{f.code} {f.message}"
        for f in _check(update.text, rel, Path(rel).stem, vocabulary)
        if (f.code, f.message) not in before
    ]
    if introduced:
        raise ExilecasesError(
            "formatting would bring new errors to its private part: " + "; ".join(introduced)
        )
    new, data = close(opened, update.text, now, rel, update.data)
    messages = list(update.messages)
    if new != text:
        messages.append(f"sealed its private part for {now.names()}")
    return Update(new, data, messages, keep_bom=False)


def _check(
    text: str, rel: str, stem: str, vocabulary: Vocabulary, parsed: dict[str, Any] | None = None
) -> list[Finding]:
    """The errors ``validate`` finds in a text (nesting too deep for Python too)."""
    from exilecases.ops.validate import check_file

    try:
        checked = check_file(text.encode("utf-8"), rel, stem, vocabulary, parsed=parsed)
    except RecursionError:
        from exilecases.format.findings import finding

        return [finding(rel, 1, 1, "E005", "the file is nested too deeply to be a case file")]
    return [f for f in checked.findings if f.severity == ERROR]


def fmt_file(
    root: Path,
    path: Path,
    rel: str,
    vocabulary: Vocabulary,
    *,
    check: bool = False,
    writer: CaseWriter | None = None,
    keys: Keys | None = None,
) -> FmtResult:
    """Format one case file through the one write path (with ``check``: only say whether
    it would change). A file with a wrong shape is left as it is, with its findings; so is
    one the formatter cannot keep every value of (``result.reason`` says why).

    With ``keys`` of a sealed repository, what would land in a plaintext ``[private]`` is
    merged into the sealed part (``sealed_fmt_step``); a file whose sealed part that needs
    and this person cannot open is left as it is (``result.sealed_shut``). ``check`` opens
    nothing: such a file would change."""
    result = FmtResult(rel)
    old_errors: set[tuple[str, str]] = set()
    sealed = keys is not None and keys.sealed

    def change(text: str | None) -> Update:
        assert text is not None
        errors = _check(text, rel, path.stem, vocabulary)
        result.refused = [f for f in errors if f.code in REFUSING_CODES]
        if result.refused:
            raise _Refused
        old_errors.update((f.code, f.message) for f in errors)
        if sealed and check and needs_private_merge(tomllib.loads(text), vocabulary):
            raise _WouldChange
        if sealed:
            assert keys is not None
            return sealed_fmt_step(text, keys, rel, vocabulary)
        return fmt_step(text)

    def same_errors(_old: str | None, new: str, parsed: dict[str, Any] | None = None) -> None:
        found = _check(new, rel, path.stem, vocabulary, parsed)
        introduced = {(f.code, f.message) for f in found}
        introduced -= old_errors
        if introduced:
            details = "; ".join(f"{code} {message}" for code, message in sorted(introduced))
            raise ExilecasesError(f"formatting would bring new errors: {details}")

    try:
        if check:
            raw = read_for_edit(path, rel)[0]
            text, had_bom = split_bom(raw.decode("utf-8"))
            update = change(text)
            verify_update(update, rel)
            if update.text != text:
                same_errors(text, update.text)
            result.changed = had_bom or update.text != text
            result.messages, result.had_bom = update.messages, had_bom
            return result
        written = (writer or CaseWriter(root)).write(path, change, check=same_errors, rel=rel)
    except _Refused:
        return result
    except _WouldChange:
        result.changed = True
        return result
    except SealedShut as error:
        result.reason, result.sealed_shut = error.message, True
        return result
    except (UnicodeDecodeError, ExilecasesError) as error:
        refused = _unreadable(path, rel, vocabulary)
        if refused:
            result.refused = refused
        else:
            message = error.message if isinstance(error, ExilecasesError) else str(error)
            result.reason = message.removeprefix(f"{rel}: ").removeprefix("nothing was written: ")
        return result
    result.changed = written.written
    result.messages, result.had_bom = written.messages, written.had_bom
    return result


def _unreadable(path: Path, rel: str, vocabulary: Vocabulary) -> list[Finding]:
    """The findings of a file that is not UTF-8 text (none for one that is)."""
    from exilecases.ops.validate import check_file

    try:
        raw = read_for_edit(path, rel)[0]
        raw.decode("utf-8")
    except ExilecasesError:
        return []
    except UnicodeDecodeError:
        checked = check_file(raw, rel, path.stem, vocabulary)
        return [f for f in checked.findings if f.severity == ERROR]
    except OSError:
        return []
    return []


class _Refused(Exception):
    """The file's shape is wrong: leave it as it is (the findings are in the result)."""


class _WouldChange(Exception):
    """``fmt --check`` in a sealed repository: the file has private data to merge into its
    sealed part (so it would change; nothing is opened to say more)."""
