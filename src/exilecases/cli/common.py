"""The command line: the Typer app, the options and helpers its commands share, exit codes.

The commands live in ``cli.cases`` (add, list, show, validate, search, stats),
``cli.publish`` (export, schema) and ``cli.git`` (init, set, the add commands, fmt, log,
diff); each imports this module (never the reverse) and calls into the core and one
renderer. Heavy modules (pydantic, rich, rapidfuzz, iuliia) are imported inside the commands
that need them, so ``exilecases --help`` stays fast.
"""

from __future__ import annotations

import enum
import functools
import inspect
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from exilecases.cli.failure import failure_exit_code
from exilecases.cli.failure import message as _message
from exilecases.cli.helptext import HelpGroup
from exilecases.errors import ExilecasesError

if TYPE_CHECKING:
    from exilecases.format.vocabulary import Vocabulary
    from exilecases.ops.load import LoadResult

app = typer.Typer(
    cls=HelpGroup,
    name="exilecases",
    help="A case database in plain TOML files for people at risk of being sent back to a "
    "state that persecutes them. Cases live in data/cases/<id>.toml, one file per person.",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
    # A bug's traceback is printed plainly: rich takes minutes to draw a deep one, which
    # looks like a hang.
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class TableFormat(enum.StrEnum):
    """Output formats of commands that print data."""

    table = "table"
    json = "json"
    csv = "csv"


class ShowFormat(enum.StrEnum):
    """Output formats of ``show``."""

    table = "table"
    json = "json"
    toml = "toml"


class FindingFormat(enum.StrEnum):
    """Output formats of ``validate``."""

    text = "text"
    json = "json"


def _parent_root(ctx: typer.Context) -> Path | None:
    """During completion: the ``--root`` typed before the command name, if any."""
    while ctx.parent is not None:
        ctx = ctx.parent
    return ctx.params.get("root")


def _root_while_parsing(ctx: typer.Context) -> Path | None:
    """The ``--root`` of the command line being parsed (after the command name, else
    before it); click holds it as typed, a string, until the command runs."""
    root = ctx.params.get("root") or _parent_root(ctx)
    return Path(root) if root else None


def _complete_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    from exilecases.store.files import case_files, find_root

    try:
        root = find_root(_root_while_parsing(ctx))
    except ExilecasesError:
        return []
    return [p.stem for p in case_files(root) if p.stem.startswith(incomplete)]


def _completer(kind: str) -> Callable[[typer.Context, str], list[str]]:
    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        from exilecases.format.vocabulary import VocabularyError
        from exilecases.store.files import find_root, load_vocabulary

        try:
            vocabulary = load_vocabulary(find_root(_root_while_parsing(ctx)))
        except (ExilecasesError, VocabularyError):
            from exilecases.format.vocabulary import default_vocabulary

            vocabulary = default_vocabulary()
        return [key for key in vocabulary.keys(kind) if key.startswith(incomplete)]

    return complete


def _vocabulary_when_parsed(ctx: typer.Context) -> Vocabulary | None:
    """The vocabulary of the repository the command will use (``--root``, given before or
    after the command name, else ``$EXILECASES_ROOT`` or the folders above), read once per
    command line; None when there is no repository or its vocabulary is broken: the
    command itself then says so."""
    key = "exilecases.vocabulary"
    if key not in ctx.meta:
        from exilecases.format.vocabulary import VocabularyError
        from exilecases.store.files import find_root, load_vocabulary

        try:
            ctx.meta[key] = load_vocabulary(find_root(_root_while_parsing(ctx)))
        except (ExilecasesError, VocabularyError, OSError):
            ctx.meta[key] = None
    return ctx.meta[key]


def _country_problem(value: str) -> str | None:
    """Why ``value`` cannot be a country code of a case file (None when it can be one)."""
    code = value.strip().upper()
    if len(code) == 2 and code.isascii() and code.isalpha():
        return None
    from exilecases.format.countries import suggest_code  # pycountry: only for a wrong value

    suggestion = suggest_code(value)
    hint = f"; did you mean {suggestion}?" if suggestion else "."
    return (
        f"'{value}' is not a country code{hint} Use the two letters of ISO 3166-1, "
        'e.g. RU, KZ ("XX" = stateless).'
    )


def _vocabulary_problem(ctx: typer.Context, kind: str, value: str) -> str | None:
    """Why ``value`` is no key of the vocabulary ``kind`` (None when it is one, or when the
    vocabulary cannot be read here)."""
    vocabulary = _vocabulary_when_parsed(ctx)
    if vocabulary is None or vocabulary.has(kind, value):
        return None
    from exilecases.format.vocabulary import KIND_NOUNS

    suggestion = vocabulary.suggest(kind, value)
    hint = f"; did you mean '{suggestion}'?" if suggestion else "."
    noun = KIND_NOUNS[kind]
    article = "an" if noun[0] in "aeiou" else "a"
    known = ", ".join(vocabulary.keys(kind))
    return (
        f"'{value}' is not {article} {noun}{hint} Known: {known} (a new one is defined in "
        "data/vocabulary.toml)."
    )


def _checked_when_parsed(kind: str) -> Callable[[typer.Context, Any, Any], Any]:
    """An option callback that refuses, as the command line is parsed (exit 2, before the
    command reads or asks anything), a value that is not a key of the vocabulary ``kind``
    (the repository's own included) or, for ``countries``, not a country code. An empty
    value ("" removes a field in the edit commands) is left to the command."""

    def check(ctx: typer.Context, param: Any, value: Any) -> Any:
        if value is None or ctx.resilient_parsing:  # not given, or completing a word
            return value
        for item in value if isinstance(value, list | tuple) else [value]:
            if not isinstance(item, str) or not item or _has_surrogate(item):
                continue  # "" removes a field; undecodable bytes are refused as such
            if kind == "countries":
                problem = _country_problem(item)
            else:
                problem = _vocabulary_problem(ctx, kind, item)
            if problem:
                from exilecases.cli.text import safe

                raise typer.BadParameter(safe(problem), ctx=ctx, param=param)
        return value

    return check


def vocabulary_value(kind: str) -> dict[str, Any]:
    """The keyword arguments of ``typer.Option`` for an option whose value is a key of the
    vocabulary ``kind`` (``statuses``, ``event_types``, ...) or a country (``countries``):
    checked when parsed (:func:`_checked_when_parsed`), and completed from the vocabulary."""
    options: dict[str, Any] = {"callback": _checked_when_parsed(kind)}
    if kind != "countries":
        options["autocompletion"] = _completer(kind)
    return options


def _complete_stats_field(incomplete: str) -> list[str]:
    from exilecases.ops.stats import STATS_FIELDS

    return [field for field in STATS_FIELDS if field.startswith(incomplete)]


CaseIdArgument = Annotated[
    str,
    typer.Argument(metavar="ID", help="The case id (its file name).", autocompletion=_complete_ids),
]
RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root",
        metavar="DIR",
        # Read before every other option, wherever it stands, so that the options checked
        # when parsed (vocabulary_value) check against this repository's vocabulary.
        is_eager=True,
        help="The case repository (the folder holding data/cases/). Default: "
        "$EXILECASES_ROOT, else the nearest such folder at or above the current one.",
        show_default=False,
    ),
]
StatusOption = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        metavar="STATUS",
        help="Only cases with this status (repeat for any of several).",
        **vocabulary_value("statuses"),
    ),
]
OutcomeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--outcome",
        metavar="OUTCOME",
        help="Only cases whose status has this outcome class: returned, "
        "pending, protected, unknown (repeatable).",
        **vocabulary_value("outcomes"),
    ),
]
BasisOption = Annotated[
    list[str] | None,
    typer.Option(
        "--basis",
        metavar="BASIS",
        help="Only cases charged on this legal basis, e.g. RU-CC-338 (repeatable).",
        **vocabulary_value("legal_bases"),
    ),
]
CategoryOption = Annotated[
    list[str] | None,
    typer.Option(
        "--category",
        metavar="CATEGORY",
        help="Only cases in this category (repeatable).",
        **vocabulary_value("categories"),
    ),
]
OriginOption = Annotated[
    list[str] | None,
    typer.Option(
        "--origin",
        metavar="XX",
        help="Only cases pursued by this state (ISO code; repeatable).",
        **vocabulary_value("countries"),
    ),
]
HostOption = Annotated[
    list[str] | None,
    typer.Option(
        "--host",
        metavar="XX",
        help="Only cases in this host state (ISO code; repeatable).",
        **vocabulary_value("countries"),
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since",
        metavar="DATE",
        help="Only cases with an event on or after this date (YYYY, "
        "YYYY-MM or YYYY-MM-DD; a partial date counts in full).",
    ),
]
UntilOption = Annotated[
    str | None,
    typer.Option(
        "--until", metavar="DATE", help="Only cases with an event on or before this date."
    ),
]


#: The ``--root`` given before the command name (set by the app's callback, which runs
#: before every command, so it never outlives one invocation).
_ROOT_BEFORE_COMMAND: list[Path | None] = [None]


@app.callback()
def _before_the_command(root: RootOption = None) -> None:
    """Options given before the command name: ``exilecases --root DIR COMMAND``."""
    _ROOT_BEFORE_COMMAND[0] = root


def given_root(root: Path | None) -> Path | None:
    """The ``--root`` of the command, else the one given before the command name."""
    return root if root is not None else _ROOT_BEFORE_COMMAND[0]


ExcelOption = Annotated[
    bool,
    typer.Option(
        "--excel",
        help="With --format csv: UTF-8 with a byte-order mark, so that Excel shows Cyrillic "
        "(and every other script) as it is.",
    ),
]


def check_excel(excel: bool, output_format: str) -> None:
    """Refuse ``--excel`` with a format other than CSV (it changes only CSV)."""
    if excel and str(output_format) != "csv":
        raise ExilecasesError("--excel goes with --format csv", 2)


AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="Use the status each case had on this date, derived from "
        "its events' outcomes (unknown when no outcome is dated by then).",
    ),
]

BreachedOption = Annotated[
    bool,
    typer.Option(
        "--breached",
        help="Only cases returned (deported, extradited, handed over) after interim measures "
        "were granted and not lifted: certainly or possibly.",
    ),
]
PrivateOption = Annotated[
    bool,
    typer.Option(
        "--private",
        help="Include private data ([private], private entries and fields): for your own "
        "screen, never to publish. Reads the case files, not the index.",
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def _handles_errors(command: F) -> F:
    """Turn the project's exception and broken vocabularies into a message and exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from exilecases.format.vocabulary import VocabularyError

        try:
            _refuse_undecodable(command, kwargs)
            return command(*args, **kwargs)
        except (ExilecasesError, VocabularyError, OSError) as error:
            code = failure_exit_code(error)
            if code is None:
                raise
            raise typer.Exit(code) from None

    return wrapper  # type: ignore[return-value]


def _refuse_undecodable(command: Callable[..., Any], arguments: dict[str, Any]) -> None:
    """Refuse a text argument holding bytes that are not UTF-8 (Python passes them on as
    lone surrogates, which no file can hold). Paths may hold any bytes: they are not text."""
    for name, value in arguments.items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if isinstance(item, str) and not isinstance(item, enum.Enum) and _has_surrogate(item):
                from exilecases.cli.text import safe

                raise ExilecasesError(
                    f"{_flag(command, name)} {safe(item)!r} holds bytes that are not UTF-8 text "
                    "(shown as <U+DC..>); type it again, or set the terminal to UTF-8",
                    2,
                )


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _flag(command: Callable[..., Any], name: str) -> str:
    """How the user wrote parameter ``name`` of ``command``: its option (``--id``) or its
    metavar (``ID``), read from the command's ``Annotated`` declarations."""
    try:
        hint = typing.get_type_hints(command, include_extras=True).get(name)
    except Exception:
        hint = None
    for info in getattr(hint, "__metadata__", ()):
        if isinstance(info, typer.models.ArgumentInfo):
            return info.metavar or name.upper()
        if isinstance(info, typer.models.OptionInfo):
            # In ``Annotated``, typer takes the first positional (kept as ``default``) as
            # a declaration too.
            names = [info.default, *(info.param_decls or ())]
            declared = [d for d in names if isinstance(d, str) and d.startswith("--")]
            return declared[0] if declared else "--" + name.replace("_", "-")
    return "--" + name.replace("_", "-")


def _open(root: Path | None, *, warn: bool = True) -> tuple[Path, Vocabulary]:
    """The repository and its vocabulary; with ``warn``, one warning per built-in entry
    whose outcome the repository's vocabulary changes (``validate`` reports them as W107)."""
    from exilecases.store.files import find_root, load_vocabulary

    found = find_root(given_root(root))
    _note_missing_setup(found)
    vocabulary = load_vocabulary(found)
    for item in vocabulary.redefinitions if warn else ():
        _message(f"warning: {vocabulary.extension_file}:{item.line}: {item.message()}")
    return found, vocabulary


def _note_missing_setup(root: Path) -> None:
    """Say once per clone that it lacks the diff driver or the hook (``store/setup``)."""
    from exilecases.store.setup import notice_once

    note = notice_once(root)
    if note:
        _message(note)


class _ProgressBar:
    """A progress bar on standard error, drawn only on a terminal and for long reads."""

    def __init__(self, label: str = "reading case files", minimum: int = 2000) -> None:
        self._bar: Any = None
        self._task: Any = None
        self._label = label
        # Default: about a second's work on two cores; smaller reads end before a bar helps.
        self._minimum = minimum

    def start(self, total: int) -> None:
        if total < self._minimum or not sys.stderr.isatty():
            return
        from rich.progress import Progress

        self._bar = Progress(console=_stderr(), transient=True)
        self._task = self._bar.add_task(self._label, total=total)
        self._bar.start()

    def advance(self, count: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, count)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _stderr() -> Any:
    from exilecases.cli.render import err

    return err()


def _warn_skipped(broken: list[tuple[str, Any]]) -> None:
    """One line on standard error per file the command skipped."""
    for rel, first in broken:
        detail = f"{first.line}:{first.col}: {first.code} {first.message}" if first else ""
        _message(f"warning: skipped {rel}:{detail} (run exilecases validate)")


def _load(root: Path, vocabulary: Vocabulary) -> LoadResult:
    """Every case, with a one-line warning on standard error for each file skipped."""
    from exilecases.ops.load import load

    result = load(root, vocabulary, progress=_ProgressBar())
    _warn_skipped([(check.rel, check.first_error) for check in result.broken])
    return result


def _select(
    root: Path,
    vocabulary: Vocabulary,
    filters: Any,
    outlines: bool = False,
    private: bool = False,
) -> list[dict[str, Any]]:
    """The cases passing ``filters`` (public views unless ``private``), warning about
    skipped files."""
    from exilecases.ops.load import select

    if private:
        _private_note()
    selection = select(
        root, vocabulary, filters, progress=_ProgressBar(), outlines=outlines, private=private
    )
    _warn_skipped(selection.broken)
    return selection.cases


def _private_note() -> None:
    """What ``--private`` says on standard error, every time."""
    _message(
        "note: --private: reading the case files, not the index; this output holds "
        "private data: do not publish it"
    )


#: The filter options shared by list, stats and export, declared once.
_FILTER_OPTIONS: dict[str, Any] = {
    "status": StatusOption,
    "outcome": OutcomeOption,
    "basis": BasisOption,
    "category": CategoryOption,
    "origin": OriginOption,
    "host": HostOption,
    "since": SinceOption,
    "until": UntilOption,
    "as_of": AsOfOption,
    "breached": BreachedOption,
}


def _with_filters(command: F | None = None, *, without: tuple[str, ...] = ()) -> Any:
    """Give a command the filter options of ``list`` in place of its ``filters`` parameter,
    and call it with the ``query.Filters`` they make (an option not given: no filter).
    ``without`` names filters the command does not take (``due`` has its own ``--as-of``)."""
    if command is None:
        return functools.partial(_with_filters, without=without)
    hints = typing.get_type_hints(command, include_extras=True)
    signature = inspect.signature(command)
    names = [name for name in _FILTER_OPTIONS if name not in without]
    options = [
        inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_FILTER_OPTIONS[name]
        )
        for name in names
    ]
    parameters = []
    for parameter in signature.parameters.values():
        if parameter.name == "filters":
            parameters.extend(options)
        else:
            parameters.append(
                parameter.replace(
                    kind=inspect.Parameter.KEYWORD_ONLY, annotation=hints[parameter.name]
                )
            )

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        from exilecases.ops.query import Filters

        values = {name: kwargs.pop(name) for name in names}
        given = {name: value for name, value in values.items() if value is not None}
        return command(**kwargs, filters=Filters(**given))

    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper  # type: ignore[return-value]


def _inside_repository(root: Path, path: Path) -> Path:
    """A user-given path, refused unless it names an entry of data/cases/. The last part is
    never followed: a symbolic link, FIFO or folder there is returned as it is, for the
    reader to refuse it (``validate`` reports it as E006)."""
    import os

    from exilecases.store.files import cases_dir

    absolute = path if path.is_absolute() else Path.cwd() / path
    resolved = absolute.parent.resolve() / absolute.name
    folder = cases_dir(root).resolve()
    if resolved.parent != folder or absolute.name in ("", ".", ".."):
        raise ExilecasesError(f"{path} is not a file in {folder}; validate checks case files", 2)
    if not os.path.lexists(resolved):
        raise ExilecasesError(f"{path}: no such file", 2)
    return resolved


def _no_such_case(root: Path, case_id: str) -> ExilecasesError:
    """The error for an id with no case file, naming the ids the user may have meant
    (``vasin`` -> ``vasin-oleg``)."""
    import difflib

    from exilecases.store.files import case_files, case_path

    ids = [path.stem for path in case_files(root)]
    wanted = case_id.lower()
    near = [i for i in ids if i.startswith(wanted)] or [i for i in ids if wanted in i]
    near = near or difflib.get_close_matches(wanted, ids, n=3, cutoff=0.6)
    rel = case_path(root, case_id).relative_to(root).as_posix()
    search = "`exilecases search NAME` finds a case by name"
    tail = f": did you mean {' or '.join(near[:3])}? ({search})" if near else f"; {search}"
    return ExilecasesError(f"no case {case_id!r} (no file {rel}){tail}", 1)
