"""The interactive ``add``: each answer checked as it is typed, nothing typed ever lost.

On a terminal, ``add`` asks for the required fields it was not given (or was given wrong),
then, optionally, for categories, legal bases and a first event. A status, a category or a
legal basis the vocabulary does not know, a country that is not an ISO code and a date that
is not a date are refused at once with what was probably meant, which Enter accepts
(``deportd`` -> ``deported``, ``Russia`` -> ``RU``). The choices are shown in columns that
fit the terminal. When the case cannot be written in the end, or the user gives up with
Ctrl-C, :func:`command_line` prints the ``exilecases add ...`` command that holds every
answer, to run again once the problem is fixed.

Prompts and messages go to standard error, like every message of the tool.
"""

from __future__ import annotations

import shlex
import shutil
from typing import Any

import typer

from exilecases.format.vocabulary import KIND_NOUNS, Vocabulary


def _say(text: str = "") -> None:
    typer.echo(text, err=True)


def in_columns(words: list[str], width: int, indent: int = 2) -> list[str]:
    """``words`` in as many columns as fit ``width`` (down first, as ``ls`` does)."""
    if not words:
        return []
    cell = max(len(word) for word in words) + 2
    per_line = max(1, (width - indent) // cell)
    rows = -(-len(words) // per_line)
    lines = []
    for row in range(rows):
        line = "".join(words[i].ljust(cell) for i in range(row, len(words), rows))
        lines.append(" " * indent + line.rstrip())
    return lines


class Interview:
    """The questions of the interactive ``add``, each asked until its answer is valid."""

    def __init__(self, vocabulary: Vocabulary, width: int | None = None) -> None:
        self.vocabulary = vocabulary
        self.width = min(width or shutil.get_terminal_size().columns, 100)

    def ask(self, question: str, default: str | None = None) -> str:
        """One answer, stripped; Enter gives ``default`` (or "" when there is none)."""
        answer = typer.prompt(question, default=default or "", show_default=bool(default), err=True)
        return str(answer).strip()

    def show(self, kind: str) -> None:
        """The keys of one vocabulary, readably: statuses grouped by outcome class."""
        keys = self.vocabulary.keys(kind)
        if kind != "statuses":
            for line in in_columns(keys, self.width):
                _say(line)
            return
        for outcome in self.vocabulary.keys("outcomes"):
            group = [k for k in keys if self.vocabulary.outcome_of(k) == outcome]
            if group:
                _say(f"  {outcome}:")
                for line in in_columns(group, self.width, indent=4):
                    _say(line)

    def name(self) -> str:
        """The name, which must give an id."""
        from exilecases.errors import ExilecasesError
        from exilecases.ops.newcase import id_from_name

        while True:
            answer = self.ask("Name (Latin script, as most sources spell it)")
            if not answer:
                _say("a case needs a name")
                continue
            try:
                id_from_name(answer)
            except ExilecasesError as error:
                _say(error.message.replace("; pass --id", "; type it in Latin letters"))
                continue
            return answer

    def key(self, kind: str, question: str, default: str | None = None) -> str:
        """One key of a vocabulary."""
        noun = KIND_NOUNS[kind]
        self.show(kind)
        while True:
            answer = self.ask(question, default)
            if self.vocabulary.has(kind, answer):
                return answer
            suggestion = self.vocabulary.suggest(kind, answer) if answer else None
            hint = f"; did you mean {suggestion}?" if suggestion else ""  # Enter takes it
            _say(f"{answer!r} is not a {noun}{hint}" if answer else f"a case needs a {noun}")
            default = suggestion or default

    def country(self, question: str, default: str | None = None) -> str:
        """An ISO 3166-1 alpha-2 code; a name in English or Russian is turned into one."""
        from exilecases.format import countries

        while True:
            answer = self.ask(question, default)
            if countries.is_code(answer):
                return answer
            suggestion = countries.suggest_code(answer) if answer else None
            if suggestion:
                _say(
                    f"{answer!r} is not an ISO code; did you mean {suggestion} "
                    f"({countries.name_of(suggestion)})?"
                )
            else:
                _say(f"{answer!r} is not an ISO code (two capitals, e.g. RU, KZ)")
            default = suggestion or default

    def keys(self, kind: str, question: str) -> list[str]:
        """Several keys of a vocabulary, separated by commas or spaces; Enter for none."""
        noun = KIND_NOUNS[kind]
        self.show(kind)
        default = None
        while True:
            answer = self.ask(question, default)
            words = [w for w in answer.replace(",", " ").split() if w]
            unknown = [w for w in words if not self.vocabulary.has(kind, w)]
            if not unknown:
                return list(dict.fromkeys(words))
            fixed = [self.vocabulary.suggest(kind, w) if w in unknown else w for w in words]
            for word in unknown:
                suggestion = self.vocabulary.suggest(kind, word)
                hint = f"; did you mean {suggestion}?" if suggestion else ""
                _say(f"{word!r} is not a {noun}{hint}")
            if all(fixed):  # Enter takes the suggestions
                default = " ".join(str(w) for w in fixed)

    def date(self, question: str) -> str:
        """A case-file date: YYYY, YYYY-MM or YYYY-MM-DD, with ? or ~."""
        from exilecases.format.dates import DateError, parse_date

        while True:
            answer = self.ask(question)
            try:
                parse_date(answer)
            except DateError as error:
                _say(str(error))
                continue
            return answer

    def event(self) -> dict[str, str] | None:
        """A first event, or None when the user skips it."""
        _say("A first event (Enter to skip). Event types:")
        self.show("event_types")
        while True:
            kind = self.ask("First event type")
            if not kind:
                return None
            if self.vocabulary.has("event_types", kind):
                break
            suggestion = self.vocabulary.suggest("event_types", kind)
            hint = f"; did you mean {suggestion}?" if suggestion else ""
            _say(f"{kind!r} is not an event type{hint}")
        event = {"type": kind, "date": self.date("Its date (YYYY, YYYY-MM or YYYY-MM-DD)")}
        for field, question in (
            ("place", "Where (optional)"),
            ("note", "What happened, in a sentence (optional)"),
        ):
            answer = self.ask(question)
            if answer:
                event[field] = answer
        return event


def command_line(case: dict[str, Any], event: dict[str, str] | None, root: str | None) -> str:
    """The commands that create ``case`` (and its first event) again, for the shell."""
    words = ["exilecases", "add"]
    for flag, key in (
        ("--name", "name"),
        ("--status", "status"),
        ("--origin", "origin_country"),
        ("--host", "host_country"),
        ("--id", "id"),
        ("--name-original", "name_original"),
        ("--born", "born"),
        ("--risk", "risk"),
        ("--summary", "summary"),
    ):
        if case.get(key):
            words += [flag, str(case[key])]
    for flag, key in (
        ("--alias", "aliases"),
        ("--citizenship", "citizenship"),
        ("--category", "categories"),
        ("--distinct-from", "distinct_from"),
        ("--private-field", "private_fields"),
    ):
        for value in case.get(key) or []:
            words += [flag, str(value)]
    for charge in case.get("charges") or []:
        words += ["--basis", str(charge["basis"])]
    if root:
        words += ["--root", root]
    line = shlex.join(words)
    if event and case.get("id"):
        more = ["exilecases", "event", "add", str(case["id"])]
        for field in ("date", "type", "place", "note"):
            if event.get(field):
                more += [f"--{field}", event[field]]
        if root:
            more += ["--root", root]
        line += " \\\n  && " + shlex.join(more)
    return line
