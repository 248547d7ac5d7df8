"""Help pages for people: named placeholders, descriptions in full, vocabularies listed.

Typer's plain help shows ``--name <str>``, cuts each command's description with ``...`` to
one line, writes a required argument as ``{ID}`` and breaks ``RU-CC-338`` at its hyphens.
:class:`HelpGroup` (the app's group class) walks every command once when the command tree
is built and fixes that in one place, so the commands keep declaring their options plainly:

- an option without a metavar gets one from :data:`METAVARS` (by option name), else from its
  type (``TEXT``, ``N``, ``NUMBER``, or its choices ``table|json|csv``);
- an argument shows its metavar alone (``ID``, ``[PATH]...``);
- the command list shows each command's first sentence, wrapped, never cut;
- an option's help may name a vocabulary as ``{vocabulary:event_types}``: the help page
  lists that vocabulary's default keys;
- ranges read as words (``at least 1``), and no line breaks inside a hyphenated word.

Nothing here imports rich or pydantic: ``--help`` stays fast.
"""

from __future__ import annotations

import re
from typing import Any

from typer import _click as click  # typer 0.28 vendors click; its classes live here
from typer._click.types import FloatParamType, IntParamType
from typer.core import TyperArgument, TyperGroup, TyperOption

#: Metavars by option name, for options that do not set one.
METAVARS = {
    "--origin": "XX",
    "--host": "XX",
    "--citizenship": "XX",
    "--date": "DATE",
    "--born": "DATE",
    "--published": "DATE",
    "--since": "DATE",
    "--until": "DATE",
    "--as-of": "DATE",
    "--id": "ID",
    "--distinct-from": "ID",
    "--source": "SOURCE",
    "--status": "STATUS",
    "--outcome": "STATUS",
    "--type": "TYPE",
    "--basis": "BASIS",
    "--category": "CATEGORY",
    "--sort": "FIELD",
    "--by": "FIELD",
    "--event": "TYPE",
    "--private-field": "FIELD",
    "--url": "URL",
    "--archive-url": "URL",
    "--language": "LANG",
    "--confidence": "high|medium|low",
    "--output": "FILE",
    "--limit": "N",
    "--min-score": "SCORE",
}

_VOCABULARY = re.compile(r"\{vocabulary:([a-z_]+)\}")
_NON_BREAKING_HYPHEN = "\u2011"


def _type_metavar(option: TyperOption) -> str:
    """A readable metavar from an option's type."""
    kind = option.type
    if choices := getattr(kind, "choices", None):
        return "|".join(str(getattr(c, "value", c)) for c in choices)
    if isinstance(kind, IntParamType):
        return "N"
    if isinstance(kind, FloatParamType):
        return "NUMBER"
    if "path" in kind.name.lower():
        return "PATH"
    return "TEXT"


class _Argument(TyperArgument):
    """An argument shown by its metavar alone: ``ID``, not ``{ID}``."""

    def make_metavar(self, ctx: click.Context, *, usage: bool = False) -> str:
        var = self.metavar or (self.name or "").upper()
        if usage and not self.required and not var.startswith("["):
            var = f"[{var}]"
        return var


def _vocabulary_keys(kind: str) -> str:
    """The default keys of one vocabulary, comma-separated. The defaults, not the current
    repository's, so that a help page reads the same everywhere (docs/commands.md is made
    from it)."""
    from exilecases.format.vocabulary import default_vocabulary

    keys = ", ".join(default_vocabulary().keys(kind))
    return f"{keys} (or one that data/vocabulary.toml adds)"


def readable(text: str) -> str:
    """Help text with vocabularies filled in and click's ranges in words."""
    text = _VOCABULARY.sub(lambda m: _vocabulary_keys(m.group(1)), text)
    text = re.sub(r"(-?[\d.]+)<=x<=(-?[\d.]+)", r"\1 to \2", text)
    text = re.sub(r"x>=(-?[\d.]+)", r"at least \1", text)
    return re.sub(r"x<=(-?[\d.]+)", r"at most \1", text)


class HelpFormatter(click.HelpFormatter):
    """Click's formatter, with :func:`readable` text and no breaks at hyphens."""

    def write_text(self, text: str) -> None:
        super().write_text(readable(text).replace("-", _NON_BREAKING_HYPHEN))

    def write_dl(
        self, rows: Any, col_max: int = 30, col_spacing: int = 2
    ) -> None:  # a Sequence of (term, definition)
        rows = [(term, readable(text).replace("-", _NON_BREAKING_HYPHEN)) for term, text in rows]
        super().write_dl(rows, col_max, col_spacing)

    def getvalue(self) -> str:
        return super().getvalue().replace(_NON_BREAKING_HYPHEN, "-")


class _Context(click.Context):
    formatter_class = HelpFormatter


def first_sentence(command: click.Command) -> str:
    """A command's description for the command list: its short help, else the first
    sentence of its help, whole."""
    if command.short_help:
        return command.short_help
    paragraph = " ".join((command.help or "").strip().split("\n\n")[0].split())
    match = re.match(r"(.+?(?<!\be\.g)(?<!\bi\.e)[.!?])(\s|\Z)", paragraph)
    return match.group(1) if match else paragraph


def humanise(command: click.Command) -> None:
    """Give one command (and, for a group, each of its commands) readable help."""
    command.context_class = _Context
    for param in command.params:
        if isinstance(param, TyperArgument):
            param.__class__ = _Argument
        elif isinstance(param, TyperOption) and param.metavar is None and not param.is_flag:
            param.metavar = next(
                (METAVARS[o] for o in param.opts if o in METAVARS), None
            ) or _type_metavar(param)
    if isinstance(command, TyperGroup):
        if not isinstance(command, HelpGroup):
            command.__class__ = HelpGroup
        for sub in command.commands.values():
            humanise(sub)


class HelpGroup(TyperGroup):
    """The app's group: every command in it gets readable help (see the module's doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        humanise(self)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [
            (name, first_sentence(command))
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
