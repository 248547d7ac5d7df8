"""The keys of sealing: the team's public keys in ``data/recipients.toml`` and this person's
secret key (the age identity), which lives outside every repository.

``data/recipients.toml`` lists the team's public age keys; a repository that lists at least
one is *sealed* (``privacy.md``, Rule 2):

    [[recipients]]
    name = "Aida K"
    key = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"

The identity is an age identity file (what ``age-keygen`` writes): ``$EXILECASES_IDENTITY``,
else ``$XDG_CONFIG_HOME/exilecases/identity.txt`` (``~/.config/...``). It must be a regular
file that only its owner can read (mode 0600) and must not lie inside the repository, where
one ``git add`` would publish it.

The keys are parsed by pyrage (the age implementation), never by code of ours.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exilecases.errors import ExilecasesError

RECIPIENTS_FILE = Path("data") / "recipients.toml"
IDENTITY_ENV = "EXILECASES_IDENTITY"
#: The largest recipients file read: a team's keys take a few kilobytes.
MAX_RECIPIENTS_BYTES = 100_000
_SECRET_PREFIX = "AGE-SECRET-KEY-1"

RECIPIENTS_HEADER = """\
# The team's public age keys: every case's [private] table is sealed for all of them
# (see README, "Sealing private data"). Manage with `exilecases keys add|remove|list`.
"""


@dataclass(frozen=True)
class Recipient:
    """One public key of ``data/recipients.toml``: who holds it, the key, its line."""

    name: str
    key: str
    line: int = 0


@dataclass
class Identities:
    """This person's secret keys (pyrage identities) and the public key of each."""

    path: Path
    keys: list[Any] = field(default_factory=list)
    public_keys: list[str] = field(default_factory=list)


# --- recipients -----------------------------------------------------------------------


def recipients_path(root: Path) -> Path:
    """``<root>/data/recipients.toml``."""
    return root / RECIPIENTS_FILE


def _read_key_file(path: Path, limit: int, what: str) -> tuple[bytes, int] | None:
    """The bytes and mode of ``path`` when it is a regular file (None when it does not
    exist), read through ``store/files``' one safe read.

    A symbolic link, a folder, a FIFO, a device or a file over ``limit`` bytes is refused
    with a message naming the file: these files decide who can read the secrets.
    """
    from exilecases.store.files import NotAFileError, read_with_status

    try:
        raw, status = read_with_status(path, limit)
    except FileNotFoundError:
        return None
    except NotAFileError as error:
        raise ExilecasesError(f"{path} is {error.kind}; {what} must be a plain file", 1) from None
    except OSError as error:
        raise ExilecasesError(f"{path}: cannot read {what}: {error.strerror}") from None
    if len(raw) > limit:
        size = max(status.st_size, len(raw))
        raise ExilecasesError(f"{path} is {size:,} bytes; {what} may hold at most {limit:,}", 1)
    return raw, status.st_mode


def read_recipients(root: Path) -> list[Recipient]:
    """The recipients of the repository at ``root`` (none when it has no recipients file).

    Raises ``ExilecasesError`` naming the file and line of anything malformed: a TOML error,
    an entry without a name or key, a key that is not an age public key, a name or key
    listed twice.
    """
    path = recipients_path(root)
    rel = RECIPIENTS_FILE.as_posix()
    read = _read_key_file(path, MAX_RECIPIENTS_BYTES, "the recipients file")
    if read is None:
        return []
    raw = read[0]
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ExilecasesError(f"{rel}:{line}: not UTF-8 text; save the file as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ExilecasesError(
            f"{rel}: not valid TOML ({error}); each key is an entry "
            '[[recipients]] with name = "..." and key = "age1..."'
        ) from None
    entries = data.get("recipients", [])
    unknown = [key for key in data if key != "recipients"]
    if unknown or not isinstance(entries, list):
        where = _locate(text, (unknown[0],) if unknown else ("recipients",))
        raise ExilecasesError(
            f"{rel}:{where}: the file holds only [[recipients]] entries, each with "
            'name = "..." and key = "age1..."'
        )
    found: list[Recipient] = []
    for index, entry in enumerate(entries):
        found.append(_recipient(entry, index, text, rel, found))
    return found


def _recipient(entry: Any, index: int, text: str, rel: str, before: list[Recipient]) -> Recipient:
    line = _locate(text, ("recipients", index))
    if not isinstance(entry, dict):
        raise ExilecasesError(f"{rel}:{line}: a recipient is a [[recipients]] table")
    extra = [key for key in entry if key not in ("name", "key")]
    if extra:
        line = _locate(text, ("recipients", index, extra[0]))
        raise ExilecasesError(
            f"{rel}:{line}: unknown key {extra[0]!r} in a [[recipients]] entry "
            "(an entry holds name and key)"
        )
    name, key = entry.get("name"), entry.get("key")
    if not isinstance(name, str) or not name.strip():
        raise ExilecasesError(f'{rel}:{line}: this [[recipients]] entry needs name = "..."')
    problem = name_problem(name)
    if problem:
        raise ExilecasesError(f"{rel}:{_locate(text, ('recipients', index, 'name'))}: {problem}")
    if not isinstance(key, str):
        raise ExilecasesError(f'{rel}:{line}: {name!r} needs key = "age1..." (a public key)')
    line = _locate(text, ("recipients", index, "key"))
    problem = recipient_problem(key)
    if problem:
        raise ExilecasesError(
            f"{rel}:{line}: the key of {name!r} is not an age public key ({problem}); "
            "a public key starts with age1 (`exilecases keys new` prints one)"
        )
    for other in before:
        if other.name == name:
            raise ExilecasesError(f"{rel}:{line}: {name!r} is listed twice (line {other.line})")
        if other.key == key:
            raise ExilecasesError(
                f"{rel}:{line}: the key of {name!r} is listed for {other.name!r} already "
                f"(line {other.line})"
            )
    return Recipient(name, key, line)


def _locate(text: str, path: tuple[str | int, ...]) -> int:
    from exilecases.format.positions import KeyPositions

    try:
        return KeyPositions(text).locate(path)[0]
    except Exception:  # a position is only a help; the message stands without it
        return 1


def recipient_problem(key: str) -> str | None:
    """Why ``key`` is not an age X25519 public key (pyrage's words), or None when it is."""
    from pyrage import RecipientError, x25519

    if not key.startswith("age1"):
        return "it does not start with age1"
    try:
        x25519.Recipient.from_str(key)
    except (RecipientError, ValueError) as error:
        return str(error) or "not a valid key"
    return None


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a key holder (it is shown on terminals), or None."""
    if not name.strip():
        return "a key holder's name must not be empty"
    if len(name) > 100:
        return "a key holder's name is at most 100 characters"
    if not name.isprintable():
        return "a key holder's name must hold no control or invisible formatting characters"
    return None


def fingerprint(keys: list[str]) -> str:
    """The SHA-256 of a set of public keys (sorted, one per line), in hex.

    A sealed block records it so that a change of the team's keys shows which blocks are
    sealed for an older set, without decrypting anything.
    """
    joined = "\n".join(sorted(set(keys)))
    return hashlib.sha256(joined.encode("ascii", "replace")).hexdigest()


def add_recipient_text(text: str, name: str, key: str) -> str:
    """The recipients file with one entry appended (every other line kept)."""
    from exilecases.format.canonical import format_pair

    if not text.strip():
        text = RECIPIENTS_HEADER
    entry = f"[[recipients]]\n{format_pair('name', name)}\n{format_pair('key', key)}\n"
    return text.rstrip("\n") + "\n\n" + entry


def remove_recipient_text(text: str, name: str) -> str:
    """The recipients file without the entry named ``name`` (its lines and the comments
    right above it; every other line kept)."""
    from exilecases.format.scan import Scanner

    data = tomllib.loads(text)
    entries = data.get("recipients", [])
    index = next(i for i, e in enumerate(entries) if e.get("name") == name)
    statements = Scanner(text).statements()
    headers = [i for i, s in enumerate(statements) if s.kind == "array"]

    def region_start(header: int) -> int:
        while header > 0 and statements[header - 1].kind == "comment":
            header -= 1
        return header

    start = region_start(headers[index])
    end = region_start(headers[index + 1]) if index + 1 < len(headers) else len(statements)
    drop = {n for s in statements[start:end] for n in range(s.first, s.last + 1)}
    kept = [line for number, line in enumerate(text.split("\n")) if number not in drop]
    result = "\n".join(kept).rstrip("\n") + "\n"
    expected = [e for i, e in enumerate(entries) if i != index]
    if tomllib.loads(result).get("recipients", []) != expected:
        raise ExilecasesError(
            f"{RECIPIENTS_FILE}: could not remove {name!r} without touching other lines; "
            "remove its [[recipients]] entry by hand"
        )
    return result


# --- the identity ---------------------------------------------------------------------


def identity_path() -> Path:
    """Where this person's identity is: ``$EXILECASES_IDENTITY``, else
    ``$XDG_CONFIG_HOME/exilecases/identity.txt`` (``~/.config/exilecases/identity.txt``)."""
    configured = os.environ.get(IDENTITY_ENV)
    if configured:
        return Path(configured).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME")
    base = Path(config) if config else Path.home() / ".config"
    return base / "exilecases" / "identity.txt"


def _refuse_inside(path: Path, root: Path | None) -> None:
    if root is None:
        return
    try:
        inside = path.resolve().is_relative_to(root.resolve())
    except OSError:
        return
    if inside:
        raise ExilecasesError(
            f"{path} is inside the repository {root}, where a `git add` would publish it; "
            f"move it out (e.g. to ~/.config/exilecases/identity.txt) and set {IDENTITY_ENV}"
        )


def read_identities(root: Path | None = None) -> Identities | None:
    """This person's identities, or None when there is no identity file.

    ``$EXILECASES_IDENTITY`` naming a missing file, an identity file that group or others
    can read, one inside the repository ``root``, or one holding a malformed secret key is
    refused with a message naming the file (and line) and the fix.
    """
    path = identity_path()
    _refuse_inside(path, root)
    read = _read_key_file(path, MAX_RECIPIENTS_BYTES, "an identity file")
    if read is None:
        if os.environ.get(IDENTITY_ENV):
            raise ExilecasesError(
                f"{IDENTITY_ENV} names {path}, which does not exist; "
                "`exilecases keys new` makes an identity there"
            )
        return None
    raw, mode = read
    if mode & 0o077:
        raise ExilecasesError(
            f"{path} can be read by other users (mode {stat.S_IMODE(mode):04o}); "
            f"a secret key must be readable by you alone: run chmod 600 {path}"
        )
    return parse_identities(raw, path)


def parse_identities(raw: bytes, path: Path) -> Identities:
    """The secret keys of an age identity file (``#`` comments and blank lines allowed)."""
    from pyrage import IdentityError, x25519

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ExilecasesError(f"{path}: not an age identity file (not text)") from None
    found = Identities(path)
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith(_SECRET_PREFIX):
            raise ExilecasesError(
                f"{path}:{number}: not an age secret key (a line AGE-SECRET-KEY-1...); "
                "only X25519 identities, as `age-keygen` and `exilecases keys new` make, "
                "are supported"
            )
        try:
            identity = x25519.Identity.from_str(line)
        except (IdentityError, ValueError) as error:
            raise ExilecasesError(f"{path}:{number}: the secret key is damaged ({error})") from None
        found.keys.append(identity)
        found.public_keys.append(str(identity.to_public()))
    if not found.keys:
        raise ExilecasesError(
            f"{path} holds no secret key; `exilecases keys new` makes an identity"
        )
    return found


def new_identity(path: Path) -> str:
    """Make a new identity file at ``path`` (mode 0600, its folder 0700 when made here) and
    return its public key. Never overwrites: an existing file is refused."""
    from pyrage import x25519

    identity = x25519.Identity.generate()
    public = str(identity.to_public())
    created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    text = f"# created: {created}\n# public key: {public}\n{identity}\n"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ExilecasesError(
            f"{path} exists already; nothing was written (an identity is never overwritten: "
            f"move it away first, or set {IDENTITY_ENV} to another path)"
        ) from None
    with os.fdopen(descriptor, "w", encoding="ascii") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    return public
