"""Help pages for people, and docs/commands.md made from them (issue 11, item 19)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import PROJECT
from exilecases.cli import reference
from exilecases.format.vocabulary import default_vocabulary

COMMANDS_MD = PROJECT / "docs" / "commands.md"


def test_commands_md_holds_the_current_help_of_every_command() -> None:
    text = COMMANDS_MD.read_text("utf-8")
    assert reference.update(text) == text, (
        "docs/commands.md is out of date: run python -m exilecases.cli.reference docs/commands.md"
    )
    for name in reference.command_names():
        assert f"<!-- help: {name} -->" in text, f"no --help block for {name}"


def test_a_stale_block_is_regenerated_and_a_missing_one_added() -> None:
    text = COMMANDS_MD.read_text("utf-8")
    stale = text.replace("Show at most this many results.", "Show results.", 1)
    assert stale != text
    assert reference.update(stale) == text
    start = text.index("<!-- help: exilecases fmt -->")
    end = text.index("<!-- /help -->\n", start) + len("<!-- /help -->\n")
    assert reference.update(text[:start] + text[end:]).count("<!-- help: exilecases fmt -->") == 1


def test_the_check_mode_fails_on_an_outdated_file(tmp_path) -> None:
    copy = tmp_path / "commands.md"
    copy.write_text(COMMANDS_MD.read_text("utf-8").replace("[default: 20;", "[default: 9;"))
    run = [sys.executable, "-m", "exilecases.cli.reference"]
    done = subprocess.run([*run, "--check", str(copy)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "out of date" in done.stderr
    assert reference.main([str(copy)]) == 0
    assert copy.read_text() == COMMANDS_MD.read_text("utf-8")
    assert reference.main(["--check", str(copy)]) == 0


@pytest.mark.parametrize("name", reference.command_names())
def test_help_pages_name_their_placeholders(name: str) -> None:
    page = reference.help_page(name)
    assert not re.search(r"<(str|int|float|text|path)[^>]*>", page), page
    assert not re.search(r"\{[A-Z]+", page), page  # typer's {ID} for a required argument
    assert all(len(line) <= 80 for line in page.splitlines()), page
    assert not re.search(r"[A-Z]{2}-\n", page), "a legal basis broken at its hyphen"


def test_the_command_list_gives_whole_descriptions(cli) -> None:
    page = cli("--help").stdout
    for line in page.split("Commands:")[1].splitlines():
        assert not re.search(r"\w\.\.\.$", line), line  # click's cut: "dates,..."
    joined = " ".join(page.split())
    assert "Check case files: syntax, schema, vocabularies, dates, sources, duplicates." in joined
    assert "Find cases by name, in Cyrillic or Latin, in any spelling, best match first." in joined


def test_event_add_lists_the_event_types(cli) -> None:
    page = " ".join(cli("event", "add", "--help").stdout.split())
    for event_type in default_vocabulary().keys("event_types"):
        assert event_type in page
    assert "--type TYPE" in page
    assert "Usage: exilecases event add [OPTIONS] ID" in page


def test_ranges_read_as_words(cli) -> None:
    page = " ".join(cli("search", "--help").stdout.split())
    assert "--limit N" in page and "at least 1" in page
    assert "0.0 to 1.0" in page and "x>=" not in page


def test_the_options_are_described_once_in_commands_md() -> None:
    """The generated help pages are the one list of each command's options: no hand-written
    option table beside them (prose says only what the help does not)."""
    text = COMMANDS_MD.read_text("utf-8")
    outside_help = re.sub(r"<!-- help: .*? -->.*?<!-- /help -->", "", text, flags=re.S)
    assert "| option |" not in outside_help
