"""The interactive ``add``, driven through a pseudo-terminal as a person would type
(issue 11, item 4)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import subprocess
import sys
import termios
import time
import tomllib
from pathlib import Path

import pytest

from exilecases.cli.interview import in_columns
from exilecases.format.countries import suggest_code

EXILECASES = Path(sys.executable).with_name("exilecases")

pytestmark = pytest.mark.skipif(not EXILECASES.exists(), reason="the console script")


def _controlling_terminal() -> None:
    """In the child: make the pseudo-terminal its controlling terminal, so that Ctrl-C
    reaches it as SIGINT, as on a real terminal (whatever the test runner did with SIGINT)."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


class Terminal:
    """A command on a pseudo-terminal: ``expect`` what it prints, ``line`` what is typed."""

    def __init__(self, *args: object, cwd: Path) -> None:
        self.master, slave = pty.openpty()
        env = {**os.environ, "COLUMNS": "80", "LINES": "40", "NO_COLOR": "1", "TERM": "dumb"}
        self.process = subprocess.Popen(
            [str(EXILECASES), *map(str, args)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env=env,
            close_fds=True,
            start_new_session=True,
            preexec_fn=_controlling_terminal,
        )
        os.close(slave)
        self.seen = ""

    def expect(self, pattern: str, timeout: float = 20) -> str:
        """Read until ``pattern`` (a regular expression) has been printed; return it all."""
        end = time.monotonic() + timeout
        while not re.search(pattern, self.seen):
            left = end - time.monotonic()
            assert left > 0, f"{pattern!r} never came; the terminal shows:\n{self.seen}"
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 4096).decode("utf-8", "replace")
                except OSError:  # the command ended
                    chunk = ""
                if not chunk:
                    assert re.search(pattern, self.seen), self.seen
                    break
                self.seen += chunk.replace("\r\n", "\n")
        return self.seen

    def line(self, text: str) -> None:
        os.write(self.master, text.encode("utf-8") + b"\r")

    def close(self) -> int:
        code = self.process.wait(timeout=20)
        try:
            while os.read(self.master, 4096):
                pass
        except OSError:
            pass
        os.close(self.master)
        return code


def answer(terminal: Terminal, prompt: str, text: str) -> None:
    terminal.expect(prompt)
    terminal.seen += "\n"  # so the next expect waits for a new prompt
    terminal.line(text)


def test_each_answer_is_checked_as_it_is_typed(bundled: Path) -> None:
    term = Terminal("add", "--root", bundled, cwd=bundled)
    answer(term, r"Name \(Latin script[^\n]*: $", "Oleg Vasin")
    screen = term.expect(r"Status \[at_risk\]: $")
    assert "returned:" in screen and "deported" in screen
    assert all(len(line) <= 80 for line in screen.splitlines())
    term.line("deportd")
    term.expect(r"'deportd' is not a status; did you mean deported\?\n")
    answer(term, r"Status \[deported\]: $", "")  # Enter takes the suggestion
    answer(term, r"Origin[^\n]*\[RU\]: $", "Russia")
    term.expect(r"'Russia' is not an ISO code; did you mean RU \(Russian Federation\)\?")
    answer(term, r"Origin[^\n]*\[RU\]: $", "")
    answer(term, r"Host[^\n]*\[KZ\]: $", "Казахстан")
    term.expect(r"did you mean KZ \(Kazakhstan\)\?")
    answer(term, r"Host[^\n]*\[KZ\]: $", "")
    answer(term, r"Categories: $", "desertr officer")
    term.expect(r"'desertr' is not a category; did you mean deserter\?")
    answer(term, r"Categories \[deserter officer\]: $", "")
    answer(term, r"Legal bases: $", "RU-CC-338")
    answer(term, r"First event type: $", "deportaton")
    term.expect(r"'deportaton' is not an event type; did you mean deportation\?")
    answer(term, r"First event type: $", "deportation")
    answer(term, r"Its date[^\n]*: $", "31.03.2025")
    answer(term, r"Its date[^\n]*: $", "2025-03-31")
    answer(term, r"Where \(optional\): $", "Almaty airport")
    answer(term, r"What happened[^\n]*: $", "")
    screen = term.expect(r"created data/cases/vasin-oleg\.toml")
    assert term.close() == 0, screen
    case = tomllib.loads((bundled / "data" / "cases" / "vasin-oleg.toml").read_text("utf-8"))
    assert case["status"] == "deported"
    assert (case["origin_country"], case["host_country"]) == ("RU", "KZ")
    assert case["categories"] == ["deserter", "officer"]
    assert [c["basis"] for c in case["charges"]] == ["RU-CC-338"]
    assert case["events"] == [
        {"date": "2025-03-31", "type": "deportation", "place": "Almaty airport"}
    ]


def test_what_was_typed_is_not_lost_when_the_case_cannot_be_written(bundled: Path) -> None:
    # kozak-denis exists: the new case of the same id is refused at the end.
    term = Terminal("add", "--root", bundled, "--summary", "Met at the border.", cwd=bundled)
    answer(term, r"Name \(Latin[^\n]*: $", "Denis Kozak")
    answer(term, r"Status \[at_risk\]: $", "detained")
    answer(term, r"Origin[^\n]*: $", "RU")
    answer(term, r"Host[^\n]*: $", "KZ")
    answer(term, r"Categories: $", "activist")
    answer(term, r"Legal bases: $", "")
    answer(term, r"First event type: $", "detention")
    answer(term, r"Its date[^\n]*: $", "2026-01-05")
    answer(term, r"Where \(optional\): $", "")
    answer(term, r"What happened[^\n]*: $", "Held at Astana's airport")
    screen = term.expect(r"already exists")
    assert term.close() == 1
    assert "what you typed, to run again once fixed:" in screen
    command = re.search(r"exilecases add .*?(?=\n\S|\Z)", screen, re.S).group(0)
    for part in (
        "--name 'Denis Kozak'",
        "--status detained",
        "--origin RU",
        "--host KZ",
        "--summary 'Met at the border.'",
        "--category activist",
        "exilecases event add kozak-denis --date 2026-01-05 --type detention",
        "--note 'Held at Astana'\"'\"'s airport'",
    ):
        assert part in command, (part, command)


def test_ctrl_c_prints_the_answers_so_far(bundled: Path) -> None:
    term = Terminal("add", "--root", bundled, cwd=bundled)
    answer(term, r"Name \(Latin[^\n]*: $", "Anna Petrova")
    answer(term, r"Status \[at_risk\]: $", "detained")
    term.expect(r"Origin[^\n]*: $")
    os.write(term.master, b"\x03")
    screen = term.expect(
        r"nothing was written; what you typed so far:\n\s+exilecases add .*detained"
    )
    assert "--name 'Anna Petrova' --status detained" in screen
    assert term.close() == 1
    assert not (bundled / "data" / "cases" / "petrova-anna.toml").exists()


def test_without_a_terminal_add_names_what_is_missing(cli, bundled: Path) -> None:
    result = cli("add", "--name", "Anna Petrova", "--root", bundled)
    assert result.exit_code == 2
    assert "missing --status, --origin, --host (no terminal to ask on)" in result.stderr


def test_country_names_in_english_and_russian_become_codes() -> None:
    assert suggest_code("Russia") == "RU"
    assert suggest_code("россия") == "RU"
    assert suggest_code("Kazakstan") == "KZ"
    assert suggest_code("Кыргызстан") == "KG"
    assert suggest_code("kz") == "KZ"
    assert suggest_code("Atlantis") is None


def test_choices_fit_80_columns_in_columns() -> None:
    words = [f"word_{n:02}" for n in range(23)]
    lines = in_columns(words, 80)
    assert all(len(line) <= 80 for line in lines)
    assert len(lines) == 3  # 8 columns of 7 + 2 characters, filled down first
    assert lines[0].split()[:2] == ["word_00", "word_03"]
