"""Sealing ``[private]`` with age (privacy.md, Rule 2): seal, unseal, re-seal.

In a sealed repository (``data/recipients.toml`` lists at least one public key) the
``[private]`` table of a case file is stored as one ASCII-armoured age message, encrypted
to every recipient, in a ``[sealed]`` table of the file itself::

    [sealed]
    recipients_sha256 = "…"   # the set of keys it is sealed for (store.keys.fingerprint)
    age = \"\"\"
    -----BEGIN AGE ENCRYPTED FILE-----
    …
    -----END AGE ENCRYPTED FILE-----
    \"\"\"

The plaintext is the TOML text of the ``[private]`` table, header and comments included, so
``age -d -i identity.txt`` gives back exactly what was sealed. The encryption is pyrage's
(the Rust age implementation); nothing here is cryptography of ours.

A text is handled in three parts (``split_text``): the public lines, the lines of the
plaintext ``[private]`` tables and the lines of the ``[sealed]`` table. A public edit never
touches the other two, and a private change whose plaintext and recipients are unchanged
keeps the old ciphertext byte for byte, so ``git diff`` shows only what really changed.
Decrypted text lives in memory only: nothing here writes it anywhere but into the sealed
block (or, in a repository without recipients, the plaintext table it came from).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exilecases.errors import ExilecasesError
from exilecases.format.findings import Finding, finding
from exilecases.store.files import read_regular
from exilecases.store.keys import Identities, Recipient, fingerprint

BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----"
END = "-----END AGE ENCRYPTED FILE-----"
_HEADERS = ("table", "array")


class SealError(ExilecasesError):
    """A sealed block that cannot be opened (a data error); ``reason`` says why.

    ``no-identity`` (this person has no identity), ``not-for-you`` (the identity is not one
    of the keys it was sealed for), ``damaged`` (not an intact age message) or ``invalid``
    (the plaintext is not a ``[private]`` table in TOML).
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, kind="data")
        self.reason = reason


@dataclass
class Keys:
    """What sealing needs from the disk: the recipients and this person's identities.

    With ``root``, the identities are read from disk when first needed (a command that
    only seals, or edits a repository without sealed blocks, needs none), and a refused
    identity file raises ``ExilecasesError`` then.
    """

    recipients: list[Recipient]
    _identities: Identities | None = None
    root: Path | None = None
    _loaded: bool = False

    @property
    def identities(self) -> Identities | None:
        """This person's identities (None when there is no identity file)."""
        if self.root is not None and not self._loaded:
            from exilecases.store.keys import read_identities

            self._loaded = True
            self._identities = read_identities(self.root)
        return self._identities

    @identities.setter
    def identities(self, value: Identities | None) -> None:
        self._identities, self._loaded = value, True

    @property
    def sealed(self) -> bool:
        """True when the repository is sealed (it lists at least one recipient)."""
        return bool(self.recipients)

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the recipients' keys."""
        return fingerprint([r.key for r in self.recipients])

    def current(self) -> Keys:
        """The keys as data/recipients.toml lists them now, with this person's identities.

        A writer calls it holding the repository's lock, so that a ``keys add`` or ``keys
        remove`` that ran while it waited is followed: nothing is sealed for a removed key.
        Keys made without ``root`` come back as they are."""
        if self.root is None:
            return self
        from exilecases.store.keys import read_recipients

        fresh = Keys(read_recipients(self.root), root=self.root)
        if self._loaded:
            fresh.identities = self._identities
        return fresh

    def names(self) -> str:
        """``Aida K, Boris M``: who can read what is sealed for these keys."""
        return ", ".join(r.name for r in self.recipients) or "nobody"

    def mine(self) -> bool:
        """True when one of this person's identities is a recipient."""
        if self.identities is None:
            return False
        return bool(set(self.identities.public_keys) & {r.key for r in self.recipients})


def load_keys(root: Path) -> Keys:
    """The repository's recipients, and this person's identities when first needed."""
    from exilecases.store.keys import read_recipients

    return Keys(read_recipients(root), root=root)


# --- the age layer -------------------------------------------------------------------------


def encrypt(plaintext: str, keys: Iterable[str]) -> str:
    """``plaintext`` as one ASCII-armoured age message for every key in ``keys``."""
    import pyrage
    from pyrage import x25519

    recipients = [x25519.Recipient.from_str(key) for key in keys]
    return pyrage.encrypt(plaintext.encode("utf-8"), recipients, armored=True).decode("ascii")


def decrypt(armored: Any, identities: Identities | None, rel: str) -> str:
    """The plaintext of a sealed block; ``SealError`` naming ``rel`` when it cannot be had."""
    import pyrage

    if not isinstance(armored, str) or not looks_armoured(armored):
        raise SealError(
            "damaged",
            f"{rel}: the [sealed] block is damaged (its age text is not one message between "
            f"{BEGIN} and {END}); restore the file from git (`git checkout -- {rel}`)",
        )
    if identities is None:
        raise SealError(
            "no-identity",
            f"{rel}: the private part is sealed and you have no identity; "
            "`exilecases keys new` makes one, then a teammate adds you (`exilecases keys add`)",
        )
    try:
        plain = pyrage.decrypt(armored.encode("ascii"), identities.keys)
    except pyrage.DecryptError as error:
        if "no matching keys" in str(error).lower():
            raise SealError(
                "not-for-you",
                f"{rel}: your identity ({identities.path}) cannot open the sealed private "
                "part: it was sealed for other keys; ask a teammate who can read it to run "
                "`exilecases seal` once your key is in data/recipients.toml",
            ) from None
        raise SealError(
            "damaged",
            f"{rel}: the [sealed] block is damaged ({error}); restore the file from git "
            f"(`git checkout -- {rel}`)",
        ) from None
    except UnicodeEncodeError:
        raise SealError(
            "damaged", f"{rel}: the [sealed] block is damaged (it holds non-ASCII text)"
        ) from None
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError:
        raise SealError("invalid", f"{rel}: the sealed private part is not UTF-8 text") from None


def looks_armoured(text: str) -> bool:
    """True when ``text`` is one armoured age message (begin and end lines, nothing more)."""
    stripped = text.strip()
    return (
        stripped.startswith(BEGIN)
        and stripped.endswith(END)
        and stripped.count(BEGIN) == 1
        and stripped.count(END) == 1
    )


def private_data(plaintext: str, rel: str, what: str = "the sealed private part") -> dict[str, Any]:
    """The ``[private]`` table of a sealed plaintext; ``SealError`` when it is not one."""
    try:
        data = tomllib.loads(plaintext)
    except tomllib.TOMLDecodeError as error:
        raise SealError("invalid", f"{rel}: {what} is not valid TOML ({error})") from None
    others = [key for key in data if key != "private"]
    if others or not isinstance(data.get("private", {}), dict):
        raise SealError(
            "invalid",
            f"{rel}: {what} holds more than a [private] table "
            f"({', '.join(others) or 'private is not a table'}); "
            "everything in it belongs under [private] or [[private.NAME]] headers",
        )
    return data.get("private", {})


def sealed_block(plaintext: str, keys: Keys) -> str:
    """The ``[sealed]`` table sealing ``plaintext`` for ``keys``, as the canonical writer
    writes it (so ``fmt`` leaves it as it is)."""
    age = encrypt(plaintext, [r.key for r in keys.recipients])
    return _block_text({"recipients_sha256": keys.fingerprint, "age": age})


def _block_text(table: dict[str, Any]) -> str:
    from exilecases.format.canonical import canonical_text

    return canonical_text({"sealed": table})


# --- a case in memory ----------------------------------------------------------------------


def unseal_case(case: dict[str, Any], identities: Identities | None, rel: str) -> dict[str, Any]:
    """A copy of ``case`` (as parsed) with its ``[sealed]`` block opened into ``private``.

    Raises ``SealError`` when it cannot be opened: a private part is never silently
    dropped. A case without a sealed block comes back as it is.
    """
    sealed = case.get("sealed")
    if not isinstance(sealed, dict):
        return case
    private = private_data(decrypt(sealed.get("age"), identities, rel), rel)
    opened = {key: value for key, value in case.items() if key != "sealed"}
    if private:
        opened["private"] = _merge(case.get("private", {}), private, rel)
    return opened


def open_check(check: Any, keys: Keys, vocabulary: Any) -> None:
    """Open the sealed private part of a checked file in memory: ``check.case`` becomes the
    whole case, checked and normalised as a plaintext file would be. Raises ``SealError``
    (or ``ExilecasesError`` for a private part with errors) naming the file: a private
    output never leaves a private part out without saying so."""
    from exilecases.ops.validate import check_file

    if check.case is None or not isinstance(check.case.get("sealed"), dict):
        return
    try:
        text = read_regular(check.path, None).decode("utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError, ExilecasesError) as error:
        raise ExilecasesError(f"{check.rel}: cannot read the file again ({error})") from None
    split = split_text(text, check.rel)
    private_text, _ = current_private(split, keys, check.rel)
    stem = check.path.stem
    whole = check_file(split.join(private_text).encode("utf-8"), check.rel, stem, vocabulary)
    if not whole.ok or whole.case is None:
        first = whole.first_error
        detail = f": {first.code} {first.message}" if first else ""
        raise ExilecasesError(
            f"{check.rel}: the sealed private part has errors{detail}; run exilecases validate"
        )
    check.case = whole.case


def open_checks(root: Path, checks: Iterable[Any], vocabulary: Any) -> None:
    """``open_check`` for every sealed file among ``checks`` (the identity is read only
    when one is sealed)."""
    sealed = [c for c in checks if c.case is not None and isinstance(c.case.get("sealed"), dict)]
    if not sealed:
        return
    keys = load_keys(root)
    for check in sealed:
        open_check(check, keys, vocabulary)


def sealed_note(case: dict[str, Any], keys: Keys) -> str:
    """How ``show`` names a private part it cannot open: ``sealed (readable by: …)``."""
    sealed = case.get("sealed") or {}
    if keys.sealed and sealed.get("recipients_sha256") == keys.fingerprint:
        return f"sealed (readable by: {keys.names()})"
    return (
        "sealed (for an older set of keys than data/recipients.toml lists; "
        "run `exilecases seal` with an identity that can open it)"
    )


# --- a case text in three parts ------------------------------------------------------------


@dataclass
class Split:
    """A case text cut into its public lines, its plaintext ``[private]`` tables and its
    ``[sealed]`` table (each ``""`` when absent)."""

    public: str
    private: str
    sealed_text: str
    sealed: dict[str, Any] | None
    #: What the whole text parses to (``tomllib``).
    data: dict[str, Any] = field(default_factory=dict)

    def public_data(self) -> dict[str, Any]:
        """What the public lines hold: the text's data without ``private`` and ``sealed``."""
        return {k: v for k, v in self.data.items() if k not in ("private", "sealed")}

    def join(self, block: str) -> str:
        """The public text followed by ``block`` (a private or sealed table)."""
        if not block.strip():
            return self.public
        if not self.public.strip():
            return block
        return self.public.rstrip("\n") + "\n\n" + block


def _region(path: tuple[Any, ...]) -> str:
    return path[0] if path and path[0] in ("private", "sealed") else "public"


def split_text(text: str, rel: str = "the file", data: dict[str, Any] | None = None) -> Split:
    """Cut a case text into its public, private and sealed lines.

    A table header starts a region that runs to the next header; comment lines right above
    a header (no blank line between) belong to its region. Raises ``ExilecasesError`` for a
    text that is not TOML, and for ``private``/``sealed`` written as dotted keys or inline
    tables (``exilecases fmt`` writes them as tables). ``data``, when given, is what the
    text parses to (it is not parsed again).
    """
    from exilecases.format.scan import Scanner

    try:
        data = tomllib.loads(text) if data is None else data
    except tomllib.TOMLDecodeError as error:
        raise ExilecasesError(f"{rel} is not valid TOML ({error}); fix it first") from None
    statements = Scanner(text).statements()
    owners: list[str] = []
    current = "public"
    for statement in statements:
        if statement.kind in _HEADERS:
            current = _region(statement.path)
        elif (
            statement.kind == "pair"
            and statement.table == ()
            and _region(statement.path) != ("public")
        ):
            raise ExilecasesError(
                f"{rel}: `{statement.path[0]}` is written as a dotted key or an inline table; "
                "run `exilecases fmt` first (it writes it as a [table])"
            )
        owners.append(current)
    for index, statement in enumerate(statements):
        if statement.kind in _HEADERS:
            above = index - 1
            while above >= 0 and statements[above].kind == "comment":
                owners[above] = owners[index]
                above -= 1
    lines = text.split("\n")
    parts: dict[str, list[str]] = {"public": [], "private": [], "sealed": []}
    for statement, owner in zip(statements, owners, strict=True):
        parts[owner].extend(lines[statement.first : statement.last + 1])
    sealed = data.get("sealed")
    return Split(
        _tidy(parts["public"]),
        _tidy(parts["private"]),
        _tidy(parts["sealed"]),
        sealed if isinstance(sealed, dict) else None,
        data,
    )


def _tidy(lines: list[str]) -> str:
    """Lines as a text without leading or trailing blank lines, ending in a newline."""
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return "".join(line + "\n" for line in lines)


def _merge(old: Any, new: Any, rel: str) -> dict[str, Any]:
    """Two ``[private]`` tables as one: keys of either, arrays of tables one after the
    other; a key both give different values is refused (nothing is dropped)."""
    merged = dict(old) if isinstance(old, dict) else {}
    for key, value in (new if isinstance(new, dict) else {}).items():
        if key not in merged or merged[key] == value:
            merged[key] = value
        elif isinstance(merged[key], list) and isinstance(value, list):
            merged[key] = merged[key] + [item for item in value if item not in merged[key]]
        else:
            raise ExilecasesError(
                f"{rel} holds private.{key} both sealed and in a plaintext [private] table, "
                "with different values; keep one (`exilecases private edit` shows the sealed "
                "one), then run `exilecases seal`"
            )
    return merged


def current_private(split: Split, keys: Keys, rel: str) -> tuple[str, str | None]:
    """The private text of a file as it stands (sealed and plaintext parts together), and
    the plaintext of its sealed block (None when it has none)."""
    if split.sealed is None:
        return split.private, None
    old_plain = decrypt(split.sealed.get("age"), keys.identities, rel)
    sealed_private = private_data(old_plain, rel)
    if not split.private.strip():
        return old_plain, old_plain
    from exilecases.format.canonical import canonical_text

    plaintext_private = private_data(split.private, rel)
    merged = _merge(sealed_private, plaintext_private, rel)
    return canonical_text({"private": merged}), old_plain


def compose(split: Split, private_text: str, old_plain: str | None, keys: Keys, rel: str) -> str:
    """The file text with ``private_text`` as its private part: sealed for ``keys`` in a
    sealed repository (the old block kept byte for byte when neither the plaintext nor the
    keys changed), else as a plaintext table."""
    return _compose(split, private_text, old_plain, keys, rel)[0]


def _compose(
    split: Split, private_text: str, old_plain: str | None, keys: Keys, rel: str
) -> tuple[str, dict[str, Any] | None]:
    """``compose``, and the ``[sealed]`` table the text ends with (None without one)."""
    if not keys.sealed:
        if split.sealed is not None:
            raise ExilecasesError(
                f"{rel} is sealed but data/recipients.toml lists no keys; restore "
                "data/recipients.toml (`git checkout -- data/recipients.toml`) first"
            )
        return split.join(private_text), None
    if not private_text.strip() or not private_data(private_text, rel):
        return split.public, None
    unchanged = (
        split.sealed is not None
        and old_plain == private_text
        and split.sealed.get("recipients_sha256") == keys.fingerprint
    )
    if unchanged:
        return split.join(split.sealed_text), split.sealed
    table = {
        "recipients_sha256": keys.fingerprint,
        "age": encrypt(private_text, [r.key for r in keys.recipients]),
    }
    return split.join(_block_text(table)), table


def seal_text(text: str, keys: Keys, rel: str) -> tuple[str, str]:
    """A case text sealed for ``keys``, and what happened: ``sealed`` (a plaintext private
    part was sealed), ``re-sealed`` (sealed for other keys before), ``unchanged``.

    A block already sealed for these keys is not decrypted, so sealing a repository twice
    needs no identity and changes nothing.
    """
    done = seal_case(text, keys, rel)
    return done.text, done.what


@dataclass
class Opened:
    """A case text with its private part open in memory: ``whole`` is the public text
    followed by the private part (the sealed and any plaintext part together), a text that
    a change can edit as one file, comments and all; ``close_text`` seals it again.
    ``data`` is what ``whole`` parses to."""

    split: Split
    whole: str
    old_plain: str | None
    data: dict[str, Any] = field(default_factory=dict)


def open_text(text: str, keys: Keys, rel: str, data: dict[str, Any] | None = None) -> Opened:
    """``text`` opened (``Opened``; ``data``, when given, is what ``text`` parses to);
    ``SealError`` naming ``rel`` when its sealed block cannot be opened. A text without a
    sealed block needs no identity."""
    split = split_text(text, rel, data)
    private_text, old_plain = current_private(split, keys, rel)
    whole = split.public_data()
    if private_text.strip():
        whole["private"] = private_data(private_text, rel)
    return Opened(split, split.join(private_text), old_plain, whole)


def close_text(
    opened: Opened, whole: str, keys: Keys, rel: str, data: dict[str, Any] | None = None
) -> str:
    """The file text of ``whole`` (an ``Opened.whole`` after a change; ``data``, when
    given, what it parses to): its public lines as they are, its private part sealed for
    ``keys`` (the old block kept byte for byte when neither the private text nor the keys
    changed). Refuses, naming ``rel``, a text whose two parts would not hold exactly the
    data of ``whole``: nothing is dropped."""
    return close(opened, whole, keys, rel, data)[0]


def close(
    opened: Opened, whole: str, keys: Keys, rel: str, data: dict[str, Any] | None = None
) -> tuple[str, dict[str, Any]]:
    """``close_text``, and the data the new file text must parse to (its public data and
    the ``[sealed]`` table it ends with), for the write path's round-trip check."""
    from exilecases.store.write import same_data

    data = tomllib.loads(whole) if data is None else data
    new = split_text(whole, rel, data)
    private = data.get("private", {})
    public = tomllib.loads(new.public) if new.public.strip() else {}
    sealed_private = private_data(new.private, rel) if new.private.strip() else {}
    if (
        new.sealed is not None
        or not same_data(public, new.public_data())
        or not same_data(sealed_private, private)
    ):
        raise ExilecasesError(
            f"{rel}: nothing was written: its public and private parts would not hold the "
            "same data as before sealing; this is a bug in exilecases, please report it"
        )
    kept = Split(new.public, "", opened.split.sealed_text, opened.split.sealed, public)
    text, sealed = _compose(kept, new.private, opened.old_plain, keys, rel)
    if sealed is not None:
        public["sealed"] = sealed
    elif new.private.strip() and not keys.sealed:
        public["private"] = sealed_private
    return text, public


@dataclass
class SealedText:
    """What ``seal_case`` made of a case text: the text, ``sealed``, ``re-sealed`` or
    ``unchanged``, what moved into the private part (no value), and the data the text must
    parse to (None when it did not change)."""

    text: str
    what: str
    messages: list[str] = field(default_factory=list)
    data: dict[str, Any] | None = None


def seal_case(
    text: str,
    keys: Keys,
    rel: str,
    vocabulary: Any = None,
    data: dict[str, Any] | None = None,
) -> SealedText:
    """``seal_text``, and with ``vocabulary`` every top-level field a redaction rule keeps
    private (``born``, the repository's ``[fields] private``, the case's
    ``private_fields``) moved into the sealed private part first (privacy.md: in a sealed
    repository nothing secret lives outside the sealed block). Moving into a block that is
    sealed already opens it, which needs an identity that can (``SealError`` otherwise).
    ``data``, when given, is what ``text`` parses to."""
    from exilecases.format.privacy import movable_fields

    data = tomllib.loads(text) if data is None else data
    moving = movable_fields(data, vocabulary) if vocabulary is not None else []
    messages: list[str] = []
    if moving:
        from exilecases.format.migrate import move_into_private
        from exilecases.ops.edit import format_text

        opened = open_text(text, keys, rel, data)
        migration = move_into_private(opened.data, moving)
        messages = migration.messages
        if migration.moves:
            whole = format_text(opened.whole, migration.data, migration.moves)
            new, new_data = close(opened, whole, keys, rel, migration.data)
            return SealedText(new, "sealed", messages, new_data)
    split = split_text(text, rel, data)
    if not split.private.strip() and (
        split.sealed is None or split.sealed.get("recipients_sha256") == keys.fingerprint
    ):
        return SealedText(text, "unchanged", messages)
    private_text, old_plain = current_private(split, keys, rel)
    new, sealed = _compose(split, private_text, old_plain, keys, rel)
    if new == text:
        return SealedText(text, "unchanged", messages)
    new_data = split.public_data()
    if sealed is not None:
        new_data["sealed"] = sealed
    elif private_text.strip() and not keys.sealed:
        new_data["private"] = private_data(private_text, rel)
    what = "sealed" if split.private.strip() else "re-sealed"
    return SealedText(new, what, messages, new_data)


# --- changing the private part ---------------------------------------------------------------


def private_change(
    keys: Keys,
    rel: str,
    case_id: str,
    change: Callable[[str], str],
    vocabulary: Any,
) -> Callable[[str], str]:
    """The text transform of a private edit: open the private part, apply ``change`` to its
    text, check the whole case in memory as the schema sees it, and seal it again for the
    keys data/recipients.toml lists when the write path holds the lock.

    ``change`` gets and returns the private part's TOML text (``[private]`` header
    included; ``""`` when there is none). An edit that would make the case invalid is
    refused before anything is sealed.
    """

    def transform(text: str) -> str:
        now = keys.current()  # under the lock: a change of keys meanwhile is followed
        split = split_text(text, rel)
        current, old_plain = current_private(split, now, rel)
        new_private = change(current)
        if new_private.strip():
            private_data(new_private, rel, "the new private part")
        if new_private != current:
            check_private(split.public, current, new_private, rel, case_id, vocabulary)
        return compose(split, new_private, old_plain, now, rel)

    return transform


def check_private(
    public: str, old_private: str, new_private: str, rel: str, case_id: str, vocabulary: Any
) -> None:
    """Refuse a private part that would bring an error the case did not have before."""
    from exilecases.ops.validate import check_file

    def errors(private_text: str) -> list[Finding]:
        joined = Split(public, "", "", None).join(private_text)
        check = check_file(joined.encode("utf-8"), rel, case_id, vocabulary)
        return [f for f in check.findings if f.severity == "error"]

    before = {(f.code, f.message) for f in errors(old_private)}
    introduced = [f for f in errors(new_private) if (f.code, f.message) not in before]
    if introduced:
        details = "; ".join(f"{f.code} {f.message}" for f in introduced)
        raise ExilecasesError(
            f"nothing was written: the private part would make {rel} invalid: {details}", 2
        )


def set_private(root: Path, case_id: str, key: str, values: Sequence[str], vocabulary: Any) -> Any:
    """``set ID private.KEY VALUE`` through the edit path (returns its ``EditResult``)."""
    from exilecases.ops.entries import check_private_key
    from exilecases.ops.update import edit_case
    from exilecases.store.files import case_path, relative

    check_private_key(key)
    if len(values) != 1:
        raise ExilecasesError(
            f"private.{key} holds one value, got {len(values)}; quote a value with spaces", 2
        )
    keys = load_keys(root)
    rel = relative(root, case_path(root, case_id))
    change = private_change(
        keys, rel, case_id, lambda text: set_private_text(text, key, values[0]), vocabulary
    )
    return edit_case(root, case_id, change, vocabulary)


def set_private_text(private_text: str, key: str, value: str) -> str:
    """The private part with ``key = value`` set (``""`` removes the key), changing only
    that key's lines and keeping every comment: ``set ID private.KEY`` applied to the
    private part's own text (``entries.set_private_update``, the same rules as for a
    plaintext file). An emptied private part is ``""``."""
    from exilecases.ops.entries import set_private_update

    update = set_private_update(private_text, key, value or None)
    room = update.data.get("private")
    has_entries = isinstance(room, dict) and room
    return update.text if has_entries or update.data.keys() - {"private"} else ""


# --- a repository ----------------------------------------------------------------------------


@dataclass
class SealReport:
    """What sealing a repository did, file by file (paths relative to the repository)."""

    sealed: list[str] = field(default_factory=list)
    resealed: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: What moved into the private part of each file (``path -> lines``, no value).
    moved: dict[str, list[str]] = field(default_factory=dict)
    #: The keys the files were sealed for (as data/recipients.toml listed them, read under
    #: the repository's lock).
    keys: Keys | None = None

    @property
    def changed(self) -> list[str]:
        """Every file written."""
        return sorted(self.sealed + self.resealed)


def seal_repository(
    root: Path, vocabulary: Any, keys: Keys, *, plaintext: bool = True
) -> SealReport:
    """Seal every case file of the repository for the keys data/recipients.toml lists:
    plaintext private parts are sealed, the top-level fields a redaction rule keeps
    private (``born``, ...) move into the sealed part, blocks sealed for another set of
    keys are re-sealed (which needs an identity that opens them); files already sealed for
    these keys are not touched. Without ``plaintext``, only files that hold a sealed block
    are considered and nothing moves (``keys add`` and ``keys remove`` re-seal; sealing
    plaintext waits for ``seal``).

    The repository's lock is held for the whole run and the recipients are read again under
    it (``keys`` gives the identities), so a change of keys cannot come in between. A file
    that cannot be sealed is reported in ``failed`` with the reason; the others are still
    sealed. Every file is written through the edit path (checked, atomic).
    """
    from exilecases.ops.update import edit_case
    from exilecases.store.files import case_files, relative
    from exilecases.store.write import CaseWriter, repository_lock

    report = SealReport()
    writer = CaseWriter(root)
    with repository_lock(root, notice=writer.notice):
        keys = keys.current()
        report.keys = keys
        if not keys.sealed:
            raise ExilecasesError(
                "data/recipients.toml lists no keys; add the team's keys first "
                "(`exilecases keys add NAME KEY`)"
            )
        moving = vocabulary if plaintext else None
        names = _rule_names(vocabulary) if plaintext else None
        for path in case_files(root):
            rel = relative(root, path)
            try:
                raw = read_regular(path, None)
                parsed = _needs_sealing(raw, keys, plaintext, names, vocabulary)
                if parsed is False:
                    report.unchanged += 1
                    continue
                outcome: list[SealedText] = []
                transform = _sealing(keys, rel, moving, raw, parsed, outcome)
                edit_case(root, path.stem, transform, vocabulary, writer=writer)
            except ExilecasesError as error:
                report.failed.append((rel, error.message))
                continue
            except OSError as error:
                report.failed.append((rel, f"{rel}: {error.strerror or error}"))
                continue
            done = outcome[-1] if outcome else SealedText("", "unchanged")
            if done.messages:
                report.moved[rel] = done.messages
            if done.what == "sealed":
                report.sealed.append(rel)
            elif done.what == "re-sealed":
                report.resealed.append(rel)
            else:
                report.unchanged += 1
    return report


def _sealing(
    keys: Keys,
    rel: str,
    vocabulary: Any,
    raw: bytes,
    parsed: dict[str, Any] | bool,
    outcome: list[SealedText],
) -> Callable[[str], Any]:
    """The edit of ``seal_repository`` for one file: ``seal_case`` of the text on disk
    under the lock (what ``_needs_sealing`` parsed is used again when the text is still
    ``raw``), as an ``Update`` whose data is what the sealed text must parse to."""
    from exilecases.store.write import Update

    def transform(text: str) -> Update | str:
        same = isinstance(parsed, dict) and text.encode() == raw.removeprefix(b"\xef\xbb\xbf")
        data = parsed if same and isinstance(parsed, dict) else tomllib.loads(text)
        done = seal_case(text, keys, rel, vocabulary, data)
        outcome.append(done)
        if done.data is None:
            return Update(text, data, before=data)
        return Update(done.text, done.data, before=data)

    return transform


def _escapes(raw: bytes) -> bool:
    """True when a text may spell a key with escapes (``"\\u0070rivate"``), which a
    search for the key's bytes would miss: such a file is parsed to be sure."""
    return b"\\u" in raw or b"\\U" in raw


def _rule_names(vocabulary: Any) -> tuple[bytes, ...]:
    """The names of the top-level fields the default and repository rules keep private,
    and the key by which a case adds its own (a file without any of them has nothing to
    move: ``_needs_sealing`` does not parse it)."""
    from exilecases.format.privacy import CASE_PRIVATE_FIELDS_KEY, NEVER_MOVED, private_fields

    names = {p for p in private_fields(vocabulary) if "." not in p} - NEVER_MOVED
    return tuple(n.encode() for n in sorted(names | {CASE_PRIVATE_FIELDS_KEY}))


def _needs_sealing(
    raw: bytes,
    keys: Keys,
    plaintext: bool,
    names: tuple[bytes, ...] | None = None,
    vocabulary: Any = None,
) -> dict[str, Any] | bool:
    """Whether a file has anything to seal: a plaintext private part (with ``plaintext``,
    or beside a sealed block), a block sealed for other keys, or (with ``names``) a
    top-level field a rule keeps private. False when not; else what the file parses to
    (True for a file that is not TOML, so that the edit path names its error)."""
    maybe_moves = names is not None and any(name in raw for name in names)
    if b"private" not in raw and b"sealed" not in raw and not maybe_moves and not _escapes(raw):
        return False
    try:
        data = tomllib.loads(raw.decode("utf-8").removeprefix("\ufeff"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return True
    if maybe_moves:
        from exilecases.format.privacy import movable_fields

        if movable_fields(data, vocabulary):
            return data
    sealed = data.get("sealed")
    if sealed is None:
        return data if plaintext and "private" in data else False
    stale = not isinstance(sealed, dict) or sealed.get("recipients_sha256") != keys.fingerprint
    return data if stale or "private" in data else False


# --- changing the keys --------------------------------------------------------------------

#: What ``keys remove`` says of git history (the CLI prints it).
HISTORY_WARNING = (
    "old commits stay readable with the removed key: git history cannot be taken back. "
    "Treat what those commits hold as known to the key's holder (change what can be "
    "changed: phone numbers, addresses, meeting places)."
)


@dataclass
class RecipientsChange:
    """What ``add_recipient`` or ``remove_recipient`` did: the re-seal's report (its
    ``keys`` the new set), the recipient removed, and how many files still hold a
    plaintext private part (they wait for ``seal``)."""

    report: SealReport
    removed: Recipient | None = None
    plaintext: int = 0


def add_recipient(root: Path, vocabulary: Any, keys: Keys, name: str, key: str) -> RecipientsChange:
    """``keys add``: list ``name``'s public ``key`` in data/recipients.toml and re-seal every
    sealed file for the new set, under one hold of the repository's lock (so no edit can
    come between the two; see ``change_recipients``). Raises ``ExilecasesError`` (usage)
    for a bad name or key or one listed already, and when this person could not re-seal."""
    from exilecases.store.keys import add_recipient_text, name_problem, recipient_problem

    name, key = name.strip(), key.strip()
    if name_problem(name):
        raise ExilecasesError(f"{name_problem(name)}; e.g. 'Aida K'", 2)
    problem = recipient_problem(key)
    if problem:
        raise ExilecasesError(
            f"{key!r} is not an age public key ({problem}); a public key starts with age1 "
            "(`exilecases keys new` prints one)",
            2,
        )

    def check(current: Keys) -> None:
        for recipient in current.recipients:
            if recipient.name == name or recipient.key == key:
                raise ExilecasesError(
                    f"data/recipients.toml lists {recipient.name!r} with this "
                    f"{'name' if recipient.name == name else 'key'} already "
                    f"(line {recipient.line})",
                    2,
                )

    return change_recipients(
        root, vocabulary, keys, check, lambda old: add_recipient_text(old, name, key)
    )


def remove_recipient(root: Path, vocabulary: Any, keys: Keys, name: str) -> RecipientsChange:
    """``keys remove``: take ``name``'s key out of data/recipients.toml and re-seal every
    sealed file without it, under one hold of the repository's lock. Old commits stay
    readable with the removed key (``HISTORY_WARNING``). Refuses (usage) an unknown name and
    the last key."""
    from exilecases.store.keys import remove_recipient_text

    def check(current: Keys) -> None:
        names = [r.name for r in current.recipients]
        if name not in names:
            listed = ", ".join(repr(n) for n in names) or "none"
            raise ExilecasesError(
                f"no key named {name!r} in data/recipients.toml (listed: {listed})", 2
            )
        if len(names) == 1:
            raise ExilecasesError(
                f"{name!r} holds the only key: removing it would leave the sealed files "
                "readable by nobody; add the new holder's key first",
                2,
            )

    removed: list[Recipient] = []

    def change(old: str) -> str:
        return remove_recipient_text(old, name)

    def checked(current: Keys) -> None:
        check(current)
        removed.append(next(r for r in current.recipients if r.name == name))

    result = change_recipients(root, vocabulary, keys, checked, change)
    result.removed = removed[0]
    return result


def change_recipients(
    root: Path,
    vocabulary: Any,
    keys: Keys,
    check: Callable[[Keys], None],
    change: Callable[[str], str],
) -> RecipientsChange:
    """Change data/recipients.toml (``change``: its old text -> the new) and re-seal every
    sealed file for the new set, all under one hold of the repository's lock: the
    recipients are read under it (``check`` refuses a change against what they are now),
    and every writer reads them under it too, so an edit that waited for the lock seals for
    the new set, never for the old one. ``keys`` gives the identities.

    Refuses, before anything is written, when files are sealed and this person's identity
    is not among the current keys (the files could not be re-sealed).
    """
    from exilecases.ops.update import _import_before_the_lock
    from exilecases.store.files import case_files
    from exilecases.store.keys import recipients_path
    from exilecases.store.write import replace_file, repository_lock

    _import_before_the_lock()
    with repository_lock(root):
        current = keys.current()
        check(current)
        sealed = [p for p in case_files(root) if b"[sealed]" in read_regular(p, None)]
        if sealed and not current.mine():
            raise ExilecasesError(
                f"{len(sealed)} case file(s) are sealed, and re-sealing them for the new keys "
                "needs an identity that is among the current keys; yours is "
                + ("missing" if current.identities is None else "not")
                + ": ask a teammate whose key is listed; nothing was changed",
            )
        path = recipients_path(root)
        old = path.read_text("utf-8") if path.exists() else ""
        replace_file(path, change(old))
        report = seal_repository(root, vocabulary, current, plaintext=False)
        plaintext = sum(1 for p in case_files(root) if _has_plaintext(p))
    return RecipientsChange(report, plaintext=plaintext)


def _has_plaintext(path: Path) -> bool:
    read = read_case_toml(path)
    return read is not None and "private" in read[1]


# --- validate ------------------------------------------------------------------------------


@dataclass
class SealCheck:
    """The sealing findings of a repository and how many private parts stayed unchecked."""

    findings: list[Finding] = field(default_factory=list)
    unchecked: int = 0


def read_case_toml(path: Path, raw: bytes | None = None) -> tuple[str, dict[str, Any]] | None:
    """A case file's text (BOM removed) and what it parses to (``raw``: its bytes, read
    already); None when it cannot be read as TOML (not a regular file, not UTF-8, not TOML:
    its own check reports that)."""
    try:
        raw = read_regular(path, None) if raw is None else raw
        text = raw.decode("utf-8").removeprefix("\ufeff")
        return text, tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return None
    except ExilecasesError:  # a link, a FIFO, a folder
        return None


def check_sealed(root: Path, paths: Iterable[Path], keys: Keys, vocabulary: Any) -> SealCheck:
    """The findings of a sealed repository's case files (``validate`` adds them):

    E090 a plaintext ``[private]`` table; E091 a damaged ``[sealed]`` block; E092 a sealed
    plaintext that is not a ``[private]`` table; E093 a value a redaction rule keeps
    private, or an entry marked ``private = true``, outside ``[private]``; W190 a block
    this person's identity cannot open; W191 a block sealed for another set of keys than
    data/recipients.toml lists; and, where the identity opens the block, every finding of
    the private part itself (checked in memory, never written anywhere).
    """
    from exilecases.format.positions import KeyPositions
    from exilecases.store.files import relative

    result = SealCheck()
    if not keys.sealed:
        return result
    names = (*_rule_names(vocabulary), b"private", b"sealed")
    for path in paths:
        rel = relative(root, path)
        try:
            raw = read_regular(path, None)
        except (OSError, ExilecasesError):
            continue  # the file's own check reports it
        if not any(name in raw for name in names) and not _escapes(raw):
            continue  # nothing private can be in it
        read = read_case_toml(path, raw)
        if read is None:
            continue  # the file's own check reports it
        text, data = read
        unsealed = unsealed_findings(data, text, rel, vocabulary)
        result.findings.extend(unsealed)
        if "private" not in data and "sealed" not in data:
            continue
        positions = KeyPositions(text)
        if "private" in data:
            line, col = positions.locate(("private",))
            result.findings.append(
                finding(
                    rel,
                    line,
                    col,
                    "E090",
                    "a plaintext [private] table in a sealed repository (data/recipients.toml "
                    "lists keys): run `exilecases seal` before committing",
                )
            )
        sealed = data.get("sealed")
        if isinstance(sealed, dict):
            result.findings.extend(
                _check_block(text, sealed, rel, path.stem, keys, vocabulary, positions, result)
            )
    return result


def unsealed_findings(data: dict[str, Any], text: str, rel: str, vocabulary: Any) -> list[Finding]:
    """E093 for every secret of a sealed repository's case outside ``[private]``
    (``format.privacy.unsealed_values``), with what to do about it."""
    from exilecases.format.positions import KeyPositions
    from exilecases.format.privacy import unsealed_values

    found = unsealed_values(data, vocabulary)
    if not found:
        return []
    positions = KeyPositions(text)
    findings = []
    for item in found:
        line, col = positions.locate(item.path)
        findings.append(finding(rel, line, col, "E093", _unsealed_message(item, data)))
    return findings


def _unsealed_message(item: Any, data: dict[str, Any]) -> str:
    table = item.path[0]
    if item.kind == "marked":
        return (
            f"[[{table}]] entry {int(item.path[1]) + 1} is marked private = true but stands "
            "outside the sealed block, in plaintext in git: run `exilecases fmt`, which moves "
            f"it into the sealed private part ([[private.{table}]])"
        )
    if item.kind == "entry-field":
        key, case_id = item.path[2], data.get("id", "ID")
        return (
            f"`{key}` of [[{table}]] entry {int(item.path[1]) + 1} is private ({item.rule}) "
            "but stands outside the sealed block, in plaintext in git: make the entry "
            f"private (move it to [[private.{table}]] with `exilecases private edit "
            f"{case_id}`) or move the detail into [private] (e.g. private.notes)"
        )
    if item.kind == "required":
        return (
            f"`{table}` is private ({item.rule}) but the format requires it outside "
            "[private], so it cannot be sealed and stays in plaintext in git: take it out of "
            "the rule, or give it a neutral value and keep the real one in [private]"
            + (" (private.status)" if table == "status" else "")
        )
    return (
        f"`{table}` is private ({item.rule}) but stands outside [private], in plaintext in "
        "git: run `exilecases seal` (or `exilecases fmt`), which moves it into the sealed "
        "private part"
    )


def _check_block(
    text: str,
    sealed: dict[str, Any],
    rel: str,
    stem: str,
    keys: Keys,
    vocabulary: Any,
    positions: Any,
    result: SealCheck,
) -> list[Finding]:
    from exilecases.ops.validate import check_file

    line, col = positions.locate(("sealed",))
    found: list[Finding] = []
    if sealed.get("recipients_sha256") != keys.fingerprint:
        found.append(
            finding(
                rel,
                line,
                col,
                "W191",
                "sealed for another set of keys than data/recipients.toml lists (the keys "
                "changed without re-sealing): run `exilecases seal`",
            )
        )
    try:
        plaintext = decrypt(sealed.get("age"), keys.identities, rel)
        private_data(plaintext, rel)
    except SealError as error:
        message = error.message.removeprefix(f"{rel}: ")
        if error.reason == "no-identity":
            result.unchecked += 1
        elif error.reason == "not-for-you":
            found.append(finding(rel, line, col, "W190", message))
        else:
            code = "E091" if error.reason == "damaged" else "E092"
            found.append(finding(rel, line, col, code, message))
        return found
    split = split_text(text, rel)
    public_check = check_file(split.public.encode("utf-8"), rel, stem, vocabulary)
    whole = check_file(split.join(plaintext).encode("utf-8"), rel, stem, vocabulary)
    seen = {(f.code, f.message) for f in public_check.findings}
    offset = len(split.public.rstrip("\n").split("\n")) + 1 if split.public.strip() else 0
    for item in whole.findings:
        if (item.code, item.message) in seen:
            continue
        inner = item.line - offset
        found.append(
            finding(
                rel,
                line,
                col,
                item.code,
                f"in the sealed private part (its line {max(inner, 1)}): {item.message}",
            )
        )
    return found


# --- the pre-commit hook -------------------------------------------------------------------


def staged_plaintext(root: Path, vocabulary: Any = None) -> list[str]:
    """The staged case files (paths as git names them) that hold a plaintext ``[private]``
    table, in a sealed repository; ``[]`` in any other."""
    return [name for name, item in staged_unsealed(root, vocabulary) if item is None]


def staged_unsealed(root: Path, vocabulary: Any = None) -> list[tuple[str, Any]]:
    """In a sealed repository, the staged case files (paths as git names them) that hold a
    secret outside the sealed block, each with the first one: ``None`` for a plaintext
    ``[private]`` table, else the ``format.privacy.Unsealed`` value (``born``, a field of
    an entry a rule keeps private, an entry marked ``private = true``); ``[]`` in any other
    repository."""
    import re

    from exilecases.format.privacy import unsealed_values
    from exilecases.store.git import git
    from exilecases.store.keys import read_recipients

    if not read_recipients(root):
        return []
    listed = git(
        root, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", "--",
        ":(top,glob)**/data/cases/*.toml", ":(top,glob)data/cases/*.toml",
    )  # fmt: skip
    header = re.compile(r"^\s*\[\[?\s*[\"']?private[\"']?\s*[\].]", re.M)
    found: list[tuple[str, Any]] = []
    for name in dict.fromkeys(n for n in listed.split("\0") if n):
        blob = git(root, "show", f":{name}")
        try:
            data = tomllib.loads(blob)
        except (tomllib.TOMLDecodeError, RecursionError):
            if header.search(blob) or "private" in blob:
                found.append((name, None))
            continue
        if "private" in data:
            found.append((name, None))
            continue
        unsealed = unsealed_values(data, vocabulary)
        if unsealed:
            found.append((name, unsealed[0]))
    return found


def unsealed_summary(item: Any) -> tuple[str, str]:
    """What a value outside the sealed block is and what to do, in few words (the hook's
    message): ``("`born`", "run `exilecases seal`")``."""
    table = item.path[0]
    if item.kind == "marked":
        return (
            f"[[{table}]] entry {int(item.path[1]) + 1} marked private = true",
            "run `exilecases fmt` (it moves the entry into the sealed private part)",
        )
    if item.kind == "entry-field":
        return (
            f"`{item.path[2]}` of [[{table}]] entry {int(item.path[1]) + 1} ({item.rule} "
            "keeps it private)",
            f"make the entry private ([[private.{table}]]) or move the detail into [private]",
        )
    if item.kind == "required":
        return (
            f"`{table}` ({item.rule} keeps it private, but the format requires it outside "
            "[private])",
            "take it out of the rule, or keep a neutral value and the real one in [private]",
        )
    return (
        f"`{table}` ({item.rule} keeps it private)",
        "run `exilecases seal` (it moves it into the sealed private part)",
    )


# --- private edit --------------------------------------------------------------------------


def _private_temporary_folder() -> Path | None:
    """Where the decrypted text waits for the editor: ``$XDG_RUNTIME_DIR`` (memory, only
    this user's) when it is a folder of this user with mode 0700, else the system default;
    ``mkdtemp`` makes a folder of mode 0700 inside it either way."""
    import os
    import stat

    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        try:
            info = os.stat(runtime)
        except OSError:
            return None
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077:
            return Path(runtime)
    return None


def _shred(path: Path) -> None:
    """Overwrite a file with zeros, then remove it (best effort: a file system may keep
    old blocks; the folder is private to this user either way)."""
    import os

    try:
        size = path.stat().st_size
        with path.open("r+b") as stream:
            stream.write(b"\0" * size)
            stream.flush()
            os.fsync(stream.fileno())
    except OSError:
        pass
    path.unlink(missing_ok=True)


def edit_private_in_editor(
    root: Path,
    case_id: str,
    vocabulary: Any,
    keys: Keys,
    editor: list[str],
    again: Callable[[str], bool],
) -> str:
    """``private edit``: the case's private part, decrypted in memory, goes to ``editor``
    through a file in a new folder only this user can open; the edited text is checked and
    sealed again (in a sealed repository), and the file is overwritten and removed whatever
    happens. ``again(problem)`` says whether to reopen the editor after a refused text.

    Returns the message for the user. Raises ``ExilecasesError`` when nothing was written.
    """
    import os
    import shutil
    import subprocess
    import tempfile

    from exilecases.ops.update import edit_case
    from exilecases.store.files import case_path, relative

    path = case_path(root, case_id)
    rel = relative(root, path)
    try:
        text = read_regular(path, None, shown=rel).decode("utf-8").removeprefix("\ufeff")
    except FileNotFoundError:
        raise ExilecasesError(f"no case {case_id!r} (no file {rel})") from None
    except UnicodeDecodeError:
        raise ExilecasesError(f"{rel} is not UTF-8; run exilecases validate") from None
    split = split_text(text, rel)
    if split.sealed is not None and not keys.sealed:
        compose(split, "", None, keys, rel)  # the message about the missing recipients
    opened, _ = current_private(split, keys, rel)
    original = opened or "[private]\n"
    folder = Path(tempfile.mkdtemp(prefix="exilecases-", dir=_private_temporary_folder()))
    file = folder / f"{case_id}.private.toml"
    try:
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(original)
        while True:
            try:
                completed = subprocess.run([*editor, str(file)], check=False)
            except OSError as error:
                raise ExilecasesError(
                    f"cannot run the editor {editor[0]!r} ({error.strerror}); set $EDITOR"
                ) from None
            if completed.returncode != 0:
                raise ExilecasesError(
                    f"the editor exited with status {completed.returncode}; nothing was written"
                )
            try:
                edited = file.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                edited = None
            if edited == original:
                return f"{rel}: nothing changed"
            try:
                if edited is None:
                    raise ExilecasesError("the edited text is not UTF-8")
                result = edit_case(
                    root,
                    case_id,
                    private_change(keys, rel, case_id, _unless_changed(opened, edited, rel),
                                   vocabulary),
                    vocabulary,
                )  # fmt: skip
            except _ChangedMeanwhile:
                raise
            except ExilecasesError as error:
                if not again(error.message):
                    written = (
                        "" if "nothing was written" in error.message else "; nothing was written"
                    )
                    raise ExilecasesError(error.message + written, error.exit_code) from None
                continue
            break
    finally:
        _shred(file)
        shutil.rmtree(folder, ignore_errors=True)
    how = f"sealed for {keys.names()}" if keys.sealed else "in plaintext: not sealed"
    lines = result.changed_lines
    return f"wrote {rel}: private part changed, {how} ({lines} line{'s' * (lines != 1)} changed)"


class _ChangedMeanwhile(ExilecasesError):
    """The private part on disk changed while the editor was open."""


def _unless_changed(opened: str, edited: str, rel: str) -> Callable[[str], str]:
    def change(now: str) -> str:
        if now != opened:
            raise _ChangedMeanwhile(
                f"{rel}: its private part changed on disk while you were editing (a git pull "
                "or another edit); nothing was written: run `exilecases private edit` again"
            )
        return edited

    return change
