"""docs/commands.md's ``--help`` blocks, generated from the app (as sqlite-utils does with cog).

Each ``## `exilecases COMMAND` `` section of docs/commands.md holds, under its first
paragraph, the command's ``--help`` page at 80 columns between two markers::

    <!-- help: exilecases add -->
    ...
    <!-- /help -->

``python -m exilecases.cli.reference docs/commands.md`` rewrites the blocks (adding one to a
section that has none, dropping those of commands that are gone); ``--check`` changes
nothing and exits 1 when the file is out of date. tests/cli/test_command_reference.py runs
the check, so a help text and its documentation cannot drift apart.
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

WIDTH = 80
_BLOCK = re.compile(r"<!-- help: (?P<name>[^>]+?) -->\n.*?<!-- /help -->\n", re.S)
_HEADING = re.compile(r"^## `(?P<name>exilecases [^`]+)`[^\n]*\n", re.M)


def command_names() -> list[str]:
    """Every command as typed, ``exilecases add`` ... ``exilecases event add``, in the order
    ``--help`` lists them."""
    import typer

    from exilecases.cli import app

    names = []
    for name, command in typer.main.get_command(app).commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            names.extend(f"exilecases {name} {sub}" for sub in subcommands)
        else:
            names.append(f"exilecases {name}")
    return names


@functools.cache
def help_page(name: str) -> str:
    """The ``--help`` page of one command (``exilecases event add``) at 80 columns."""
    from typer.testing import CliRunner

    from exilecases.cli import app

    runner = CliRunner(env={"COLUMNS": str(WIDTH), "NO_COLOR": "1"})
    result = runner.invoke(
        app, [*name.split()[1:], "--help"], prog_name="exilecases", terminal_width=WIDTH
    )
    if result.exit_code != 0:
        raise RuntimeError(f"{name} --help failed: {result.output}")
    return result.stdout


def block(name: str) -> str:
    """The marked block for one command: its help page, folded away under a summary."""
    return (
        f"<!-- help: {name} -->\n"
        f"<details><summary><code>{name} --help</code></summary>\n\n"
        f"```text\n{help_page(name).rstrip()}\n```\n\n"
        "</details>\n"
        "<!-- /help -->\n"
    )


def update(text: str) -> str:
    """docs/commands.md with every help block regenerated, missing ones added under their
    section's first paragraph, and blocks of commands that no longer exist removed."""
    names = set(command_names())
    text = _BLOCK.sub(lambda m: block(m["name"]) if m["name"] in names else "", text)
    present = {m["name"] for m in _BLOCK.finditer(text)}
    for heading in reversed(list(_HEADING.finditer(text))):
        name = heading["name"]
        if name not in names or name in present:
            continue
        # Under the first paragraph after the heading (or right under it when none).
        start = heading.end()
        body = text[start:]
        paragraph = re.match(r"\n?(?:(?!##|\|)[^\n]+\n)+", body)
        at = start + (paragraph.end() if paragraph else 0)
        text = text[:at] + "\n" + block(name) + text[at:]
    return text


def main(argv: list[str] | None = None) -> int:
    """``python -m exilecases.cli.reference [--check] FILE``."""
    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    paths = [a for a in args if a != "--check"]
    if len(paths) != 1:
        sys.stderr.write("usage: python -m exilecases.cli.reference [--check] docs/commands.md\n")
        return 2
    path = Path(paths[0])
    text = path.read_text("utf-8")
    new = update(text)
    if new == text:
        return 0
    if check:
        sys.stderr.write(f"{path} is out of date: run python -m exilecases.cli.reference {path}\n")
        return 1
    path.write_text(new, "utf-8")
    sys.stderr.write(f"updated {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
