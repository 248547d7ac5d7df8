"""The controlled vocabularies: statuses, outcomes, event types, categories, legal bases.

The defaults ship as ``vocabulary.toml`` beside this module; a case repository extends them
in its own ``data/vocabulary.toml`` (same shape: one table per list, one sub-table per entry).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from exilecases.format.positions import toml_lines

#: The lists a vocabulary holds, in the order they are documented.
KINDS: tuple[str, ...] = ("outcomes", "statuses", "event_types", "categories", "legal_bases")

#: What one entry of each kind is called in messages.
KIND_NOUNS: dict[str, str] = {
    "outcomes": "outcome",
    "statuses": "status",
    "event_types": "event type",
    "categories": "category",
    "legal_bases": "legal basis",
}

REPOSITORY_VOCABULARY = Path("data") / "vocabulary.toml"
#: The defaults, shipped inside the package.
DEFAULTS_FILE = Path(__file__).with_name("vocabulary.toml")


class VocabularyError(ValueError):
    """A repository vocabulary file that cannot be read or has the wrong shape."""

    def __init__(self, path: Path, message: str, line: int = 1) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass
class Vocabulary:
    """All vocabulary entries, by kind then key; each entry is a dict (label, ...)."""

    entries: dict[str, dict[str, dict]] = field(default_factory=lambda: {k: {} for k in KINDS})
    #: Where each entry was defined: ``(kind, key) -> "built-in"`` or a file path.
    defined_in: dict[tuple[str, str], str] = field(default_factory=dict)
    #: Where a repository may define new entries (shown in "unknown key" messages).
    extension_file: str = str(REPOSITORY_VOCABULARY)
    #: Field paths a public export leaves out (``born``, ``events.place``), from the
    #: repository's ``[fields] private = [...]``; the built-in ones are in ``privacy.py``.
    private_fields: list[str] = field(default_factory=list)

    def keys(self, kind: str) -> list[str]:
        """The known keys of one kind, in definition order."""
        return list(self.entries[kind])

    def has(self, kind: str, key: str) -> bool:
        """True when ``key`` is defined for ``kind``."""
        return key in self.entries[kind]

    def label(self, kind: str, key: str) -> str:
        """The human label of an entry, or the key itself when unknown."""
        return str(self.entries[kind].get(key, {}).get("label", key))

    def outcome_of(self, status: str) -> str:
        """The outcome class of a status (``unknown`` for an unknown status)."""
        return str(self.entries["statuses"].get(status, {}).get("outcome", "unknown"))

    def statuses_with_outcome(self, outcome: str) -> set[str]:
        """Every status whose outcome class is ``outcome``."""
        return {k for k, v in self.entries["statuses"].items() if v.get("outcome") == outcome}

    def suggest(self, kind: str, key: str) -> str | None:
        """The nearest known key, for "did you mean" hints."""
        import difflib

        candidates = self.keys(kind)
        lowered = {c.lower(): c for c in candidates}
        if key.lower() in lowered:
            return lowered[key.lower()]
        close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
        if not close:
            close = difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.6)
            close = [lowered[c] for c in close]
        return close[0] if close else None

    def merge(self, data: dict, origin: str) -> None:
        """Add (or override) entries from a parsed vocabulary table."""
        for kind in KINDS:
            for key, entry in data.get(kind, {}).items():
                self.entries[kind][key] = {**self.entries[kind].get(key, {}), **entry}
                self.defined_in[(kind, key)] = origin


def _check_shape(data: dict, path: Path, text: str) -> None:
    """Refuse a vocabulary file whose tables are not of the documented shape."""
    for kind, table in data.items():
        if kind == "fields":
            private = table.get("private", []) if isinstance(table, dict) else None
            if not isinstance(private, list) or not all(isinstance(p, str) for p in private):
                raise VocabularyError(
                    path,
                    '[fields] takes private = ["born", "events.place", ...]: a list of the '
                    "field paths a public export leaves out",
                    _line_of(text, "fields"),
                )
            _check_private_paths(private, path, text)
            continue
        if kind not in KINDS:
            raise VocabularyError(
                path,
                f"unknown list [{kind}]; the lists are {', '.join(KINDS)} (and [fields])",
                _line_of(text, kind),
            )
        if not isinstance(table, dict):
            raise VocabularyError(path, f"{kind} must be a table", _line_of(text, kind))
        for key, entry in table.items():
            if not isinstance(entry, dict):
                raise VocabularyError(
                    path,
                    f'{kind}.{key} must be a table such as [{kind}."{key}"] with a label',
                    _line_of(text, key),
                )
            if kind == "statuses" and entry.get("outcome") not in (
                "returned",
                "pending",
                "protected",
                "unknown",
            ):
                raise VocabularyError(
                    path,
                    f"status {key!r} needs outcome = one of returned, pending, protected, unknown",
                    _line_of(text, key),
                )


def _check_private_paths(paths: list[str], path: Path, text: str) -> None:
    """Refuse ``[fields] private`` paths the format does not define: a typo
    (``event.place``) would publish the field it meant, so every command stops here."""
    if not paths:
        return
    from exilecases.format.privacy import check_private_paths

    problems = check_private_paths(paths)
    if problems:
        position, message = problems[0]
        quoted = [f'"{paths[position]}"', f"'{paths[position]}'"]
        line = next((_line_of(text, q) for q in quoted if q in text), _line_of(text, "private"))
        raise VocabularyError(path, f"E061 [fields] private: {message}", line)


def _line_of(text: str, word: str) -> int:
    for number, line in enumerate(toml_lines(text), start=1):
        if word in line:
            return number
    return 1


def default_vocabulary() -> Vocabulary:
    """The vocabulary shipped with exilecases."""
    text = DEFAULTS_FILE.read_text("utf-8")
    vocabulary = Vocabulary()
    vocabulary.merge(tomllib.loads(text), "built-in")
    return vocabulary


def load_vocabulary(root: Path | None) -> Vocabulary:
    """The defaults extended by ``<root>/data/vocabulary.toml`` when it exists.

    Raises ``VocabularyError`` (with file and line) when that file is broken.
    """
    vocabulary = default_vocabulary()
    if root is None:
        return vocabulary
    path = root / REPOSITORY_VOCABULARY
    if not path.is_file():
        return vocabulary
    try:
        text = path.read_text("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise VocabularyError(REPOSITORY_VOCABULARY, "not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        import re

        # Python 3.11's tomllib gives the position only in its message.
        found = re.search(r"at line (\d+)", str(error))
        line = int(found[1]) if found else 1
        raise VocabularyError(REPOSITORY_VOCABULARY, f"TOML syntax: {error}", line) from None
    _check_shape(data, REPOSITORY_VOCABULARY, text)
    vocabulary.merge(data, str(REPOSITORY_VOCABULARY))
    vocabulary.private_fields = list(data.get("fields", {}).get("private", []))
    return vocabulary
