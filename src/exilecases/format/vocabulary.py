"""The controlled vocabularies: statuses, outcomes, event types, categories, legal bases,
proceeding types, deadline types, and the deadline rules the tool derives deadlines from.

The defaults ship as ``vocabulary.toml`` beside this module; a case repository extends them
in its own ``data/vocabulary.toml`` (same shape: one table per list, one sub-table per entry).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from exilecases.format.positions import toml_lines

#: The lists a vocabulary holds, in the order they are documented.
KINDS: tuple[str, ...] = (
    "outcomes",
    "statuses",
    "event_types",
    "categories",
    "legal_bases",
    "proceeding_types",
    "deadline_types",
    "deadline_rules",
)

#: What one entry of each kind is called in messages.
KIND_NOUNS: dict[str, str] = {
    "outcomes": "outcome",
    "statuses": "status",
    "event_types": "event type",
    "categories": "category",
    "legal_bases": "legal basis",
    "proceeding_types": "proceeding type",
    "deadline_types": "deadline type",
    "deadline_rules": "deadline rule",
}

REPOSITORY_VOCABULARY = Path("data") / "vocabulary.toml"
#: The largest repository vocabulary read (the defaults are about 10 KB; this allows tens
#: of thousands of entries and refuses a file that would exhaust memory).
VOCABULARY_MAX_BYTES = 5_000_000
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
    #: Built-in entries whose outcome the repository's file changes (a deported man would
    #: silently leave ``list --outcome returned``): warned about by every command.
    redefinitions: list[Redefinition] = field(default_factory=list)

    def keys(self, kind: str) -> list[str]:
        """The known keys of one kind, in definition order."""
        return list(self.entries[kind])

    def has(self, kind: str, key: str) -> bool:
        """True when ``key`` is defined for ``kind``."""
        return key in self.entries[kind]

    def label(self, kind: str, key: str) -> str:
        """The human label of an entry, or the key itself when unknown."""
        return str(self.entries[kind].get(key, {}).get("label", key))

    def scheduled(self, event_type: str) -> bool:
        """True when events of this type may be dated in the future (``scheduled = true``)."""
        return self.entries["event_types"].get(event_type, {}).get("scheduled") is True

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
        """Add (or override) entries from a parsed vocabulary table, noting every built-in
        entry whose outcome changes in ``redefinitions``."""
        for kind in KINDS:
            for key, entry in data.get(kind, {}).items():
                before = self.entries[kind].get(key, {})
                if (
                    self.defined_in.get((kind, key)) == "built-in"
                    and "outcome" in entry
                    and "outcome" in before
                    and entry["outcome"] != before["outcome"]
                ):
                    self.redefinitions.append(
                        Redefinition(kind, key, "outcome", before["outcome"], entry["outcome"])
                    )
                # A rule is replaced whole: days from one and months from another would
                # make a rule nobody wrote.
                inherited = {} if kind == "deadline_rules" else before
                self.entries[kind][key] = {**inherited, **entry}
                self.defined_in[(kind, key)] = origin


@dataclass(frozen=True, slots=True)
class Redefinition:
    """A built-in vocabulary entry whose ``field`` a repository's file changes."""

    kind: str
    key: str
    field: str
    old: object
    new: object
    line: int = 1

    def message(self) -> str:
        """``[statuses.deported] changes the built-in outcome 'returned' to 'protected'``."""
        noun = KIND_NOUNS.get(self.kind, self.kind)
        return (
            f"[{self.kind}.{self.key}] changes the built-in {self.field} {self.old!r} to "
            f"{self.new!r}: cases with this {noun} now count as {self.new!r} in list, stats "
            f"and export (--outcome); define a new {noun} instead if that is not meant"
        )


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


#: The keys a deadline rule may have, and those of its ``when`` table.
RULE_KEYS = ("when", "type", "days", "months", "what", "basis", "label", "description")
RULE_WHEN_KEYS = ("event", "proceeding_type", "outcome")


def rule_problems(vocabulary: Vocabulary, key: str) -> list[str]:
    """What is wrong with the deadline rule ``key`` (empty when it is well formed): its
    shape, and every vocabulary key it names (event type, proceeding type, outcome status,
    deadline type)."""
    rule = vocabulary.entries["deadline_rules"].get(key, {})
    problems = [
        f"unknown key `{k}` (a rule has {', '.join(RULE_KEYS)})" for k in rule if k not in RULE_KEYS
    ]
    when = rule.get("when")
    if not isinstance(when, dict) or not isinstance(when.get("event"), str):
        problems.append('needs when = { event = "EVENT_TYPE", ... }: the event that starts it')
        when = {}
    for name, value in when.items():
        kind = {
            "event": "event_types",
            "proceeding_type": "proceeding_types",
            "outcome": "statuses",
        }.get(name)
        if kind is None:
            problems.append(f"when: unknown key `{name}` (use {', '.join(RULE_WHEN_KEYS)})")
        elif not isinstance(value, str) or not vocabulary.has(kind, value):
            problems.append(f"when.{name}: {value!r} is not a known {KIND_NOUNS[kind]}")
    kind = rule.get("type")
    if not isinstance(kind, str) or not vocabulary.has("deadline_types", kind):
        problems.append(f"type: {kind!r} is not a known deadline type")
    periods = [name for name in ("days", "months") if name in rule]
    if len(periods) != 1:
        problems.append("needs exactly one of days = N or months = N")
    else:
        number = rule[periods[0]]
        if not isinstance(number, int) or isinstance(number, bool) or not 0 < number <= 3650:
            problems.append(f"{periods[0]} must be a whole number from 1 to 3650")
    if not isinstance(rule.get("basis"), str) or not rule["basis"].strip():
        problems.append('needs basis = "...": the law or source the rule rests on')
    for name in ("what", "label", "description"):
        if name in rule and not isinstance(rule[name], str):
            problems.append(f"{name} must be text in quotes")
    return problems


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


def parse_vocabulary(raw: bytes | None) -> Vocabulary:
    """The defaults extended by ``raw``, the bytes of a repository's
    ``data/vocabulary.toml`` (None: the repository has none). Reading the file is the
    store's job (``store/files.load_vocabulary``); this only parses.

    Raises ``VocabularyError`` (with file and line) when those bytes are broken.
    """
    vocabulary = default_vocabulary()
    if raw is None:
        return vocabulary
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise VocabularyError(REPOSITORY_VOCABULARY, "not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        import re

        # Python 3.11's tomllib gives the position only in its message.
        found = re.search(r"at line (\d+)", str(error))
        line = int(found[1]) if found else 1
        raise VocabularyError(REPOSITORY_VOCABULARY, f"TOML syntax: {error}", line) from None
    except RecursionError:
        message = "nested too deeply to be a vocabulary"
        raise VocabularyError(REPOSITORY_VOCABULARY, message) from None
    _check_shape(data, REPOSITORY_VOCABULARY, text)
    vocabulary.merge(data, str(REPOSITORY_VOCABULARY))
    if vocabulary.redefinitions:
        from dataclasses import replace

        from exilecases.format.positions import KeyPositions

        positions = KeyPositions(text)
        vocabulary.redefinitions = [
            replace(item, line=positions.locate((item.kind, item.key, item.field))[0])
            for item in vocabulary.redefinitions
        ]
    for key in data.get("deadline_rules", {}):
        problems = rule_problems(vocabulary, key)
        if problems:
            raise VocabularyError(
                REPOSITORY_VOCABULARY,
                f"deadline rule {key!r}: " + "; ".join(problems),
                _line_of(text, key),
            )
    vocabulary.private_fields = list(data.get("fields", {}).get("private", []))
    return vocabulary
