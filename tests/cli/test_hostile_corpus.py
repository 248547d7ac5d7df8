"""Every command over the hostile corpus (tests/fixtures/hostile/): no traceback, no hang, no
escape sequence or live markup on the screen, no file read that is not a regular file.

The corpus holds what git can: hostile text. What git cannot hold (a FIFO, a socket, a
folder, symbolic links into and out of ``data/cases/``, a link to ``/dev/zero``) is made by
``build_hostile_repo`` in a temporary folder. Commands run in this process, each in a
thread with a generous timeout that only catches a hang (a FIFO read blocks forever); the
ones that need a real process (bytes in arguments, a file size limit, git running the diff
driver) run the installed ``exilecases``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES, bind_socket
from exilecases.cli import app

CORPUS = FIXTURES / "hostile"
EXILECASES = str(Path(sys.executable).with_name("exilecases"))
#: Only catches a hang: a command over this corpus takes well under a second.
TIMEOUT = 60
#: In the file that the link out of data/cases/ points to: no output may ever hold it.
SECRET = "SECRET-OUTSIDE-MARKER"
#: Entries of data/cases/ that are not regular files (made by build_hostile_repo).
STRAYS = ("fifo", "socket", "folder", "link-in", "link-out", "zero-link")
CASE_IDS = sorted(path.stem for path in (CORPUS / "cases").glob("*.toml"))
#: Sequences rich never writes for its own styling: from the data if they reach the screen.
DATA_SEQUENCES = (
    "\x1b[2J",
    "\x1b[1A",
    "\x1b[2K",
    "\x1b[H",
    "\x1b[8m",
    "\x1b[5m",
    "\x1b]0;",
    "\x1b]8;",
    "\x9b",
    "\x07",
    "\x08",
    "\r",
)
BIDI_AND_ZERO_WIDTH = tuple(
    chr(c) for c in (*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A))
)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Author\x1b[2J Name",
    "GIT_AUTHOR_EMAIL": "a@example.org",
    "GIT_COMMITTER_NAME": "Committer",
    "GIT_COMMITTER_EMAIL": "c@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args], cwd=root, env={**os.environ, **GIT_ENV}, check=True, capture_output=True
    )


def build_hostile_repo(root: Path) -> Path:
    """The corpus as a git repository with two commits (hostile messages and authors), a
    change in the working tree, and every kind of entry git cannot hold in data/cases/."""
    cases = root / "data" / "cases"
    shutil.copytree(CORPUS / "cases", cases)
    shutil.copyfile(CORPUS / "vocabulary.toml", root / "data" / "vocabulary.toml")
    outside = root.parent / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.toml").write_text(
        f'id = "link-out"\nname = "{SECRET}"\norigin_country = "RU"\nhost_country = "KZ"\n'
        'status = "at_risk"\n'
    )
    # Committed links, as a clone would carry them: one into data/cases/, one out of it.
    (cases / "link-in.toml").symlink_to("ivan-petrov.toml")
    (cases / "link-out.toml").symlink_to(outside / "secret.toml")
    _git(root, "init", "--quiet")
    _git(root, "add", "-A")
    _git(root, "commit", "--quiet", "-m", "import\x1b[1A\x1b[2K erased the line above")
    target = cases / "escape-sequences.toml"
    target.write_text(target.read_text().replace('status = "at_risk"', 'status = "detained"'))
    _git(root, "commit", "--quiet", "-am", "status\rOVERWRITTEN \x1b]8;;https://evil.example\x07x")
    target.write_text(target.read_text().replace("Prosecution", "Prosecution\\u001b[2J again"))
    # What git cannot hold.
    os.mkfifo(cases / "fifo.toml")
    (cases / "folder.toml").mkdir()
    (cases / "zero-link.toml").symlink_to("/dev/zero")
    bind_socket(cases / "socket.toml")
    return root


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = build_hostile_repo(tmp_path_factory.mktemp("hostile") / "repo")
    # init installs the diff driver (and must keep every existing file).
    # A process of its own: the diff driver init installs runs this very interpreter.
    result = run_process(["init", str(root)], root)
    check_output(result, ["init"])
    return root


class Run:
    """One finished command: its arguments, exit status and decoded output."""

    def __init__(self, args: Sequence[str], returncode: int, out: bytes, err: bytes) -> None:
        self.args = list(args)
        self.returncode = returncode
        self.out_bytes = out
        self.err_bytes = err
        # Strict: every output is UTF-8, whatever the input held.
        self.out = out.decode("utf-8")
        self.err = err.decode("utf-8")


def _environment(terminal: bool) -> dict[str, str | None]:
    env: dict[str, str | None] = {**GIT_ENV, "COLUMNS": "160", "NO_COLOR": None}
    if terminal:
        env.update(FORCE_COLOR="1", TERM="xterm-256color")
    else:
        env.update(FORCE_COLOR=None, TERM="dumb")
    return env


def run(args: Sequence[str], root: Path, *, terminal: bool = False) -> Run:
    """Run ``exilecases ARGS`` in ``root`` in this process (as on a terminal, with colours
    and a width, or piped), in a thread watched for a hang; an exception fails the test."""
    runner = CliRunner(env=_environment(terminal))
    outcome: dict[str, Any] = {}

    def invoke() -> None:
        try:
            outcome["result"] = runner.invoke(app, list(args), catch_exceptions=False)
        except BaseException as error:  # re-raised below, in the test's thread
            outcome["error"] = error

    here = Path.cwd()
    os.chdir(root)
    try:
        worker = threading.Thread(target=invoke, daemon=True)
        worker.start()
        worker.join(TIMEOUT)
    finally:
        os.chdir(here)
    assert not worker.is_alive(), f"exilecases {' '.join(args)} hangs"
    if "error" in outcome:
        raise outcome["error"]
    result = outcome["result"]
    return Run(args, result.exit_code, result.stdout_bytes, result.stderr_bytes)


def run_process(args: Sequence[str], root: Path, **options: Any) -> Run:
    """Run the installed ``exilecases ARGS`` as a process (arguments may be bytes)."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update({k: v for k, v in _environment(False).items() if v is not None})
    command = [EXILECASES.encode(), *(a if isinstance(a, bytes) else a.encode() for a in args)]
    process = subprocess.run(
        command, cwd=root, env=env, capture_output=True, timeout=TIMEOUT, **options
    )
    return Run([str(a) for a in args], process.returncode, process.stdout, process.stderr)


def check_output(result: Run, label: Sequence[str], *, terminal: bool = False) -> None:
    """What every command owes the user, whatever the files hold."""
    where = f"exilecases {' '.join(map(repr, label))}"
    both = result.out + result.err
    assert "Traceback" not in both, f"{where}: {result.err}"
    assert result.returncode in (0, 1, 2), f"{where}: exit {result.returncode}: {result.err}"
    assert SECRET not in both, f"{where} read the file behind data/cases/link-out.toml"
    for line in result.err.splitlines():
        assert not line.startswith(("error::", "error: error")), (where, line)
    if result.returncode == 2:
        assert result.err.startswith("error: ") or "\nerror: " in result.err, (where, result.err)
    if terminal:
        for sequence in DATA_SEQUENCES:
            assert sequence not in both, f"{where}: {sequence!r} reached the terminal"
    else:
        assert b"\x1b" not in result.out_bytes + result.err_bytes, f"{where}: an ESC byte"
    # JSON and TOML escape C0 controls only, by design (export and schema write JSON).
    machine = {"json", "toml", "ics", "schema"} & set(label) or (
        label[0] == "export" and "csv" not in label
    )
    if not machine:
        for char in BIDI_AND_ZERO_WIDTH:
            assert char not in both, f"{where}: raw U+{ord(char):04X}"
        assert "\x9b" not in both and "\r" not in result.out, where


def _reading_commands(root: Path) -> list[list[str]]:
    entries = sorted(p.name for p in (root / "data" / "cases").iterdir())
    commands = [
        ["list"],
        ["list", "--format", "json"],
        ["list", "--format", "csv"],
        ["list", "--outcome", "returned"],
        ["list", "--sort", "name", "--reverse"],
        ["search", "Ivan Petrov"],
        ["search", "Ivan Petrov", "--format", "json"],
        ["search", "Ivan Petrov", "--format", "csv"],
        ["search", "\x1b[2J Smirnov", "--min-score", "0.01"],
        ["search", "[link=https://evil.example]alias[/link]", "--min-score", "0.01"],
        ["search", "Moseev", "--min-score", "0.01"],
        ["search", "=cmd", "--format", "csv", "--min-score", "0.01"],
        ["stats", "--by", "status"],
        ["stats", "--by", "category", "--by", "status"],
        ["stats", "--by", "basis", "--format", "csv"],
        ["stats", "--by", "outcome", "--format", "json"],
        ["validate"],
        ["validate", "--format", "json"],
        ["validate", "--show-source"],
        ["validate", "--public-check"],
        ["validate", "data/cases/fifo.toml", "data/cases/link-out.toml", "data/cases/folder.toml"],
        ["export"],
        ["export", "--public"],
        ["export", "--format", "csv"],
        ["export", "--format", "csv", "--table", "events"],
        ["export", "--format", "csv", "--table", "contacts", "--public"],
        ["diff"],
        ["diff", "HEAD~1", "HEAD"],
        ["diff", "HEAD~1", "--format", "json"],
        ["fmt", "--check"],
        ["schema"],
        ["due", "--all"],
        ["due", "--all", "--format", "json"],
        ["due", "--all", "--format", "csv"],
        ["due", "--all", "--format", "ics"],
    ]
    commands += [["show", case_id] for case_id in (*CASE_IDS, *STRAYS)]
    logged = ("escape-sequences", "deep-tables", "not-utf8", "same-name-bom", "link-out", "fifo")
    commands += [["log", case_id] for case_id in logged]
    for case_id in ("escape-sequences", "rich-markup", "osc8-hyperlink", "bidi-overrides"):
        commands.append(["show", case_id, "--format", "json"])
        commands.append(["show", case_id, "--format", "toml"])
    commands += [["git-diff-driver", f"data/cases/{name}"] for name in entries]
    return commands


def _run_all(root: Path, commands: list[list[str]], *, terminal: bool = False) -> list[Run]:
    return [run(args, root, terminal=terminal) for args in commands]


def test_every_reading_command_over_the_corpus_piped(hostile: Path) -> None:
    commands = _reading_commands(hostile)
    results = _run_all(hostile, commands)
    for result in results:
        check_output(result, result.args)
    by_args = {tuple(r.args): r for r in results}
    # Strays are refused by name, by every command that meets them.
    for stray in STRAYS:
        show = by_args[("show", stray)]
        assert show.returncode == 1, show.err
        driver = by_args[("git-diff-driver", f"data/cases/{stray}.toml")]
        assert driver.returncode in (1, 2) and "not a regular file" in driver.err, driver.err
    listed = by_args[("list",)]
    assert "data/cases/fifo.toml" in listed.err and "E006" in listed.err
    # JSON escapes by itself.
    assert "\\u001b[2J" in by_args[("list", "--format", "json")].out


def test_every_command_on_a_terminal_shows_the_data_inert(hostile: Path) -> None:
    commands = [
        ["list"],
        ["search", "Ivan Petrov"],
        ["search", "Smirnov", "--min-score", "0.01"],
        ["stats", "--by", "category"],
        ["stats", "--by", "status", "--by", "category"],
        ["validate", "--show-source"],
        ["diff"],
        ["diff", "HEAD~1", "HEAD"],
        ["due", "--all"],
        *(["show", case_id] for case_id in CASE_IDS),
        *(["log", case_id] for case_id in ("escape-sequences", "rich-markup")),
    ]
    results = _run_all(hostile, commands, terminal=True)
    for result in results:
        check_output(result, result.args, terminal=True)
    by_args = {tuple(r.args): r for r in results}
    shown = by_args[("show", "rich-markup")].out
    assert "\x1b[" in shown, "not run as on a terminal: rich's styling is missing"
    assert "[link=https://evil.example]alias[/link]" in shown
    assert "\x1b]8;" not in shown
    escapes = by_args[("show", "escape-sequences")].out
    assert "Oleg\\x1b[2J Smirnov" in escapes and "\\x9b31m" in escapes
    assert "<U+202E>" in by_args[("show", "bidi-overrides")].out
    log = by_args[("log", "escape-sequences")].out
    assert "import\\x1b[1A\\x1b[2K erased the line above" in log
    assert "status\\rOVERWRITTEN" in log and "Author\\x1b[2J Name" in log


def test_validate_names_every_stray_and_counts_it(hostile: Path) -> None:
    result = run(["validate", "--format", "json"], hostile)
    findings = json.loads(result.out)
    strays = {f["path"]: f["message"] for f in findings if f["code"] == "E006"}
    assert set(strays) == {f"data/cases/{name}.toml" for name in STRAYS}
    assert "a FIFO" in strays["data/cases/fifo.toml"]
    assert "a socket" in strays["data/cases/socket.toml"]
    assert "a folder" in strays["data/cases/folder.toml"]
    assert "a symbolic link to ivan-petrov.toml" in strays["data/cases/link-in.toml"]
    assert "a symbolic link to /dev/zero" in strays["data/cases/zero-link.toml"]
    text = run(["validate"], hostile)
    assert f"{len(CASE_IDS) + len(STRAYS)} files checked" in text.err


def test_the_invisible_twin_is_found_and_flagged(hostile: Path) -> None:
    hits = json.loads(run(["search", "Ivan Petrov", "--format", "json"], hostile).out)
    assert {"ivan-petrov", "zero-width"} <= {hit["id"] for hit in hits}
    findings = json.loads(run(["validate", "--format", "json"], hostile).out)
    codes = {(f["path"], f["code"]) for f in findings}
    assert ("data/cases/zero-width.toml", "W104") in codes
    assert ("data/cases/zero-width.toml", "W106") in codes
    # Two same-named cases, one with a byte-order mark: a likely duplicate, no traceback.
    assert ("data/cases/same-name-plain.toml", "W104") in codes
    assert ("data/vocabulary.toml", "W107") in codes


def test_csv_cells_never_start_a_formula(hostile: Path) -> None:
    import csv
    import io

    for args in (
        ["list", "--format", "csv"],
        ["search", "=cmd", "--format", "csv", "--min-score", "0.01"],
        ["export", "--format", "csv"],
    ):
        rows = list(csv.DictReader(io.StringIO(run(args, hostile).out)))
        (row,) = [r for r in rows if r.get("id") == "formula-cells"]
        assert row["name"] == "'=cmd|' /C calc'!A0", args
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (args, value)
    (due,) = csv.DictReader(io.StringIO(run(["due", "--all", "--format", "csv"], hostile).out))
    assert due["owner"] == "'=cmd|' /C calc'!A0"
    assert due["what"].startswith("Appeal\\x1b]8;;https://evil.example\\x07 here")
    rows = csv.DictReader(io.StringIO(run(["list", "--format", "csv"], hostile).out))
    names = {r["id"]: r["name"] for r in rows}
    assert names["escape-sequences"] == "Oleg\\x1b[2J Smirnov"


def test_the_redefined_outcome_is_a_warning_naming_old_and_new(hostile: Path) -> None:
    result = run(["list", "--outcome", "returned"], hostile)
    assert "[statuses.deported] changes the built-in outcome 'returned' to 'protected'" in (
        result.err
    )
    assert "data/vocabulary.toml:4:" in result.err


def test_git_diff_through_the_driver_stays_inert(hostile: Path) -> None:
    env = {**os.environ, **GIT_ENV, "GIT_PAGER": "cat", "TERM": "dumb"}
    for args in (["diff"], ["log", "-p", "-1", "--no-color"]):
        process = subprocess.run(
            ["git", *args], cwd=hostile, env=env, capture_output=True, timeout=TIMEOUT
        )
        assert process.returncode == 0, process.stderr
        assert b"Prosecution\\x1b[2J again" in process.stdout or args[0] == "log"
        # git prints commit messages and authors as they are; the driver's lines (the
        # diff's body) hold no escape.
        lines = process.stdout.split(b"\n")
        body = [line for line in lines if line[:1] in b"+- " and line[:4] != b"    "]
        assert body and not any(b"\x1b" in line for line in body)
        assert SECRET.encode() not in process.stdout


def test_writers_refuse_what_is_not_a_regular_file(hostile: Path, tmp_path: Path) -> None:
    root = tmp_path / "copy"
    shutil.copytree(
        hostile, root, symlinks=True, ignore=shutil.ignore_patterns("fifo.toml", "socket.toml")
    )
    link = root / "data" / "cases" / "link-in.toml"
    result = run(["set", "link-in", "risk", "changed"], root)
    check_output(result, ["set"])
    assert result.returncode == 1 and "a symbolic link" in result.err
    assert link.is_symlink() and "changed" not in (root / "data/cases/ivan-petrov.toml").read_text()
    result = run(["event", "add", "link-out", "--date", "2025", "--type", "detention"], root)
    check_output(result, ["event", "add"])
    assert result.returncode == 1 and "a symbolic link" in result.err
    result = run(["fmt"], root)
    check_output(result, ["fmt"])
    assert link.is_symlink() and (root / "data/cases/zero-link.toml").is_symlink()
    for name in ("folder", "link-out", "zero-link"):
        assert f"data/cases/{name}.toml" in result.err
    result = run(["export", "--format", "sqlite", "-o", str(tmp_path / "x.db")], root)
    check_output(result, ["export", "sqlite"])
    assert result.returncode == 0 and (tmp_path / "x.db").stat().st_size > 0


# --- the vocabulary and the files init writes --------------------------------------------


@pytest.fixture
def small_repo(tmp_path: Path) -> Path:
    root = tmp_path / "small"
    (root / "data" / "cases").mkdir(parents=True)
    shutil.copyfile(CORPUS / "cases" / "ivan-petrov.toml", root / "data/cases/ivan-petrov.toml")
    return root


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder", "link-in", "too-large"])
def test_a_vocabulary_that_is_not_a_small_regular_file_is_refused(
    small_repo: Path, kind: str
) -> None:
    vocabulary = small_repo / "data" / "vocabulary.toml"
    if kind == "fifo":
        os.mkfifo(vocabulary)
    elif kind == "dev-zero":
        vocabulary.symlink_to("/dev/zero")
    elif kind == "folder":
        vocabulary.mkdir()
    elif kind == "link-in":
        (small_repo / "vocab.toml").write_text("")
        vocabulary.symlink_to(small_repo / "vocab.toml")
    else:
        with vocabulary.open("w") as stream:
            stream.write("# padding\n" * 600_000)
    for args in (["list"], ["validate"], ["show", "ivan-petrov"], ["stats", "--by", "status"]):
        result = run(args, small_repo)
        check_output(result, args)
        assert result.returncode == 1
        assert result.err.startswith("error: data/vocabulary.toml:1: "), result.err
        expected = "larger than 5,000,000 bytes" if kind == "too-large" else "not a regular file"
        assert expected in result.err


def test_a_huge_but_allowed_vocabulary_still_works(small_repo: Path) -> None:
    lines = []
    for number in range(20_000):
        lines.append(f'[categories.c{number}]\nlabel = "Category \\u001b[2J {number}"\n')
    (small_repo / "data" / "vocabulary.toml").write_text("\n".join(lines))
    for args in (["list"], ["validate"], ["stats", "--by", "category"]):
        result = run(args, small_repo)
        check_output(result, args)
        assert result.returncode == 0, result.err


@pytest.mark.parametrize("target", [".gitattributes", ".taplo.toml", "schema/case.schema.json"])
def test_init_refuses_to_write_through_a_committed_symlink(tmp_path: Path, target: str) -> None:
    clone = tmp_path / "clone"
    (clone / "data" / "cases").mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (clone / target).parent.mkdir(parents=True, exist_ok=True)
    (clone / target).symlink_to(victim)
    result = run(["init", str(clone)], tmp_path)
    check_output(result, ["init"])
    assert result.returncode == 1
    assert f"{target} is a symbolic link to {victim}" in result.err
    assert victim.read_text() == "precious\n"
    assert not (clone / ".git").exists()


def test_init_refuses_a_linked_folder_too(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    clone.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (clone / "schema").symlink_to(elsewhere)
    result = run(["init", str(clone)], tmp_path)
    assert result.returncode == 1 and "schema/ is a symbolic link" in result.err
    assert list(elsewhere.iterdir()) == []


# --- arguments and system errors ---------------------------------------------------------


def test_bytes_that_are_not_utf8_in_arguments_are_refused(small_repo: Path) -> None:
    required = ["--status", "at_risk", "--origin", "RU", "--host", "KZ"]
    for args in (
        ["add", "--name", b"\xff\xfe", *required],
        ["add", "--id", b"a\xffb", "--name", "X Y", *required],
        ["set", "ivan-petrov", "risk", b"\xff"],
        ["event", "add", "ivan-petrov", "--date", "2025", "--type", "detention", "--note", b"\xc3"],
        ["search", b"\xff"],
        ["show", b"\xff"],
    ):
        result = run_process(args, small_repo)  # bytes in argv: only a real process has them
        check_output(result, result.args)
        assert result.returncode == 2, result.err
        assert result.err.startswith("error: --") or result.err.startswith("error: "), result.err
        assert "not UTF-8" in result.err
    assert sorted(p.name for p in (small_repo / "data" / "cases").iterdir()) == ["ivan-petrov.toml"]


def _limited(limit: int) -> None:  # pragma: no cover - runs in the child process
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize("output_format", ["json", "csv", "sqlite"])
def test_a_full_disk_is_one_message_naming_the_file(
    hostile: Path, tmp_path: Path, output_format: str
) -> None:
    # A file size limit makes every write past it fail as a full disk does (EFBIG).
    target = tmp_path / f"cases.{output_format}"
    args = ["export", "--format", output_format, "-o", str(target)]
    result = run_process(args, hostile, preexec_fn=lambda: _limited(2048))
    check_output(result, result.args)
    assert result.returncode == 1, result.err
    (line,) = [line for line in result.err.splitlines() if line.startswith("error")]
    assert line.startswith(f"error: cannot write {target}: "), line
    assert "error::" not in line
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == []
