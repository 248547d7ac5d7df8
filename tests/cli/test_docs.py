"""The docs are part of the product: every command, option, code and vocabulary key in them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from exilecases.cli import app
from exilecases.format.vocabulary import KINDS, default_vocabulary

DOCS = Path(__file__).resolve().parents[2] / "docs"
COMMANDS_DOC = (DOCS / "commands.md").read_text()


def _commands() -> list[tuple[str, object]]:
    group = typer.main.get_command(app)
    found = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        if hasattr(command, "commands"):
            found.extend((f"{name} {sub}", c) for sub, c in command.commands.items())
        else:
            found.append((name, command))
    return found


def _section(title: str) -> str:
    match = re.search(rf"^## `{re.escape(title)}`.*?(?=^## |\Z)", COMMANDS_DOC, re.S | re.M)
    assert match, f"docs/commands.md has no section ## `{title}`"
    return match.group(0)


@pytest.mark.parametrize("name,command", _commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_and_option_is_documented(name: str, command) -> None:
    section = _section(f"exilecases {name}")
    for param in command.params:
        for option in param.opts:
            if option.startswith("-") and option not in ("-h", "--help"):
                assert option in section, f"{option} of {name} is not in docs/commands.md"


def test_every_default_vocabulary_key_is_in_the_format_reference() -> None:
    text = (DOCS / "case-format.md").read_text()
    vocabulary = default_vocabulary()
    for kind in KINDS:
        if kind == "outcomes":
            continue
        for key in vocabulary.keys(kind):
            assert f"`{key}`" in text, f"{kind} {key} missing from docs/case-format.md"
