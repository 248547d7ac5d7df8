"""The one write path (store/write): the lock, the re-read, the check that the new text
holds exactly the intended data, modes, temporary files git never sees."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from conftest import run_git as _git
from exilecases.errors import ExilecasesError
from exilecases.store import place
from exilecases.store.write import (
    CaseWriter,
    Update,
    replace_file,
    repository_lock,
    same_data,
)

CASE = """\
id = "petrov-ivan"
name = "Ivan Petrov"  # as in the court papers
status = "detained"
origin_country = "RU"
host_country = "KZ"

[[events]]
date = "2024-03-01"
type = "detention"
"""
EXE = str(Path(sys.executable).with_name("exilecases"))


def _repo(root: Path, *, git: bool = True, shared: bool = False) -> Path:
    cases = root / "data" / "cases"
    cases.mkdir(parents=True)
    (cases / "petrov-ivan.toml").write_text(CASE)
    if git:
        _git(root, "init", "-q", *(["--shared=group"] if shared else []))
        _git(root, "add", "-A")
        _git(root, "commit", "-qm", "cases")
    return root


def _case(root: Path) -> Path:
    return root / "data" / "cases" / "petrov-ivan.toml"


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=120, **kwargs)


# --- the check before the write ------------------------------------------------------------


def test_a_change_that_would_drop_data_is_refused_and_nothing_written(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    before = _case(root).read_bytes()

    def lossy(text: str | None) -> Update:  # a writer bug: the event is lost
        assert text is not None
        data = tomllib.loads(text)
        return Update(text.split("[[events]]")[0], data)

    with pytest.raises(ExilecasesError, match=r"data/cases/petrov-ivan.toml.*lose events"):
        CaseWriter(root).write(_case(root), lossy, rel="data/cases/petrov-ivan.toml")
    assert _case(root).read_bytes() == before
    assert [p.name for p in _case(root).parent.iterdir()] == ["petrov-ivan.toml"]


def test_a_change_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    before = _case(root).read_bytes()

    def broken(text: str | None) -> Update:
        assert text is not None
        return Update(text + '"key\n" = 1\n', tomllib.loads(text))

    with pytest.raises(ExilecasesError, match="would not be valid TOML"):
        CaseWriter(root).write(_case(root), broken)
    assert _case(root).read_bytes() == before


def test_same_data_counts_types_and_nan() -> None:
    assert same_data({"a": [float("nan")]}, {"a": [float("nan")]})
    assert not same_data({"a": 1}, {"a": 1.0})
    assert not same_data({"a": 1}, {"a": True})
    assert not same_data({"a": {"b": "x"}}, {"a": {"b": "x", "c": "y"}})
    deep: dict = {}
    level = deep
    for _ in range(5000):  # dotted keys nest this deep without any recursion in tomllib
        level["k"] = {}
        level = level["k"]
    assert same_data(deep, deep)


def test_add_never_overwrites(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    before = _case(root).read_bytes()
    with pytest.raises(ExilecasesError, match="already exists"):
        CaseWriter(root).write(
            _case(root), lambda _: Update('id = "x"\n', {"id": "x"}), create_only=True
        )
    assert _case(root).read_bytes() == before


def test_a_symbolic_link_is_never_written_through(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    outside = tmp_path / "outside.toml"
    outside.write_text(CASE)
    link = root / "data" / "cases" / "link-case.toml"
    link.symlink_to(outside)
    result = _run("set", "link-case", "status", "released", "--root", str(root))
    assert result.returncode == 1, result.stderr
    assert "symbolic link" in result.stderr and "Traceback" not in result.stderr
    assert link.is_symlink() and outside.read_text() == CASE


# --- modes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o644, 0o664, 0o600, 0o660, 0o640])
def test_every_kind_of_edit_keeps_the_file_mode(tmp_path: Path, mode: int) -> None:
    root = _repo(tmp_path)
    path = _case(root)
    path.chmod(mode)
    edits = [
        ["set", "petrov-ivan", "status", "released"],
        ["set", "petrov-ivan", "aliases", "--add", "Vanya"],
        ["event", "add", "petrov-ivan", "--date", "2024-05", "--type", "release"],
        ["contact", "add", "petrov-ivan", "--name", "A lawyer"],
    ]
    for args in edits:
        result = _run(*args, "--root", str(root))
        assert result.returncode == 0, result.stderr
        assert stat.S_IMODE(path.stat().st_mode) == mode, args
    path.write_text(path.read_text().replace('status = "released"', 'status="released"'))
    path.chmod(mode)
    result = _run("fmt", "--root", str(root))
    assert result.returncode == 0 and "formatted" in result.stderr, result.stderr
    assert stat.S_IMODE(path.stat().st_mode) == mode


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_a_new_case_gets_the_mode_the_umask_allows(tmp_path: Path, umask: int) -> None:
    root = _repo(tmp_path)
    result = _run(
        "add", "--name", "Anna Petrova", "--status", "at_risk", "--origin", "RU", "--host", "KZ",
        "--root", str(root),
        preexec_fn=lambda: os.umask(umask),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    created = root / "data" / "cases" / "petrova-anna.toml"
    assert stat.S_IMODE(created.stat().st_mode) == 0o666 & ~umask


def test_replace_file_keeps_mode_and_forces_one_when_asked(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    target.chmod(0o664)
    replace_file(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o664
    replace_file(target, "newer", mode=0o600)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


# --- temporary files and git ---------------------------------------------------------------


def test_the_writer_keeps_its_temporary_files_out_of_git(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    exclude = root / ".git" / "info" / "exclude"
    exclude.write_text("# git's own comment\n")  # a fresh clone: init never ran here
    stale = root / "data" / "cases" / f".petrov-ivan.toml{place.TEMPORARY_INFIX}dead01"
    stale.write_text('phone = "+7 700 000 00 00"\n')  # left by a killed run
    result = _run("set", "petrov-ivan", "status", "released", "--root", str(root))
    assert result.returncode == 0, result.stderr
    assert place.TEMPORARY_PATTERN in exclude.read_text().splitlines()
    assert exclude.read_text().startswith("# git's own comment\n")
    assert not stale.exists()
    # A temporary file that exists while a writer runs is invisible to git add -A.
    stale.write_text("x")
    _git(root, "add", "-A")
    status = _git(root, "status", "--porcelain", "--untracked-files=all")
    assert status.splitlines() == ["M  data/cases/petrov-ivan.toml"]
    assert not (root / ".gitignore").exists()
    _run("set", "petrov-ivan", "status", "detained", "--root", str(root))
    assert place.TEMPORARY_PATTERN in exclude.read_text().splitlines()
    assert exclude.read_text().count(place.TEMPORARY_PATTERN) == 1


def test_init_adds_the_pattern_to_info_exclude(tmp_path: Path) -> None:
    result = _run("init", str(tmp_path / "new"))
    assert result.returncode == 0, result.stderr
    exclude = tmp_path / "new" / ".git" / "info" / "exclude"
    assert place.TEMPORARY_PATTERN in exclude.read_text().splitlines()
    assert ".gitignore" not in result.stderr
    again = _run("init", str(tmp_path / "new"))
    assert "kept    .git/info/exclude" in again.stderr
    assert exclude.read_text().count(place.TEMPORARY_PATTERN) == 1


def test_the_lock_lives_in_the_git_directory(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    assert _run("set", "petrov-ivan", "status", "released", "--root", str(root)).returncode == 0
    lock = root / ".git" / "exilecases" / "lock"
    assert lock.is_file()
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600
    assert not (root / ".exilecases").exists()


def test_in_a_group_shared_repository_the_lock_is_group_read_write(tmp_path: Path) -> None:
    root = _repo(tmp_path, shared=True)
    assert _run("set", "petrov-ivan", "status", "released", "--root", str(root)).returncode == 0
    lock = root / ".git" / "exilecases" / "lock"
    assert stat.S_IMODE(lock.stat().st_mode) == 0o660
    assert stat.S_IMODE(lock.parent.stat().st_mode) & 0o2072 == 0o2070


def test_a_state_folder_the_index_made_is_opened_to_the_group(tmp_path: Path) -> None:
    root = _repo(tmp_path, shared=True)
    (root / ".git" / "exilecases").mkdir(mode=0o755)  # as `list` makes it, before any write
    (root / ".git" / "exilecases").chmod(0o755)
    assert _run("set", "petrov-ivan", "status", "released", "--root", str(root)).returncode == 0
    assert stat.S_IMODE((root / ".git" / "exilecases").stat().st_mode) == 0o2775


def test_outside_git_the_lock_is_in_the_users_cache(tmp_path: Path) -> None:
    root = _repo(tmp_path, git=False)
    assert _run("set", "petrov-ivan", "status", "released", "--root", str(root)).returncode == 0
    lock = place.lock_path(root)
    assert lock.is_file() and not lock.is_relative_to(root)
    assert lock.is_relative_to(Path(os.environ["XDG_CACHE_HOME"]))


# --- the lock ------------------------------------------------------------------------------

HOLDER = """
import sys, time
from pathlib import Path
from exilecases.store.write import repository_lock
with repository_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_writer_waits_for_the_lock_and_says_so(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(root), "2.5"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        result = _run("set", "petrov-ivan", "status", "released", "--root", str(root))
        waited = time.monotonic() - started
    finally:
        holder.wait(timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("waiting for another exilecases command") == 1
    assert 'status = "released"' in _case(root).read_text()
    assert waited > 1.0  # it did wait for the holder (a hang would hit the timeout)


def test_the_lock_is_reentrant_in_one_process(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    with repository_lock(root), repository_lock(root):
        writer = CaseWriter(root, notice=None)
        written = writer.write(
            _case(root), lambda text: Update(text or "", tomllib.loads(text or ""))
        )
    assert not written.written  # the same text: nothing to write


def test_an_edit_applies_to_the_file_as_it_is_under_the_lock(tmp_path: Path) -> None:
    from exilecases.ops.edit import set_field_update
    from exilecases.ops.update import edit_case
    from exilecases.store.files import load_vocabulary

    root = _repo(tmp_path)
    vocabulary = load_vocabulary(root)
    # Read by one command, then changed by another before the first takes the lock.
    seen_first = _case(root).read_text()
    edit_case(
        root, "petrov-ivan", lambda t: set_field_update(t, "aliases", ["Vanya"], add=True),
        vocabulary,
    )  # fmt: skip
    result = edit_case(
        root, "petrov-ivan", lambda t: set_field_update(t, "status", ["released"]), vocabulary
    )
    text = _case(root).read_text()
    assert text != seen_first and 'aliases = ["Vanya"]' in text and "released" in text
    assert result.written and [c.format() for c in result.changes] == [
        "status: detained -> released"
    ]


# --- byte-order marks ----------------------------------------------------------------------


def test_set_and_the_add_commands_work_on_a_file_with_a_bom_and_keep_it(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _case(root).write_bytes(b"\xef\xbb\xbf" + CASE.encode())
    for args in (
        ["set", "petrov-ivan", "status", "released"],
        ["event", "add", "petrov-ivan", "--date", "2024-05", "--type", "release"],
    ):
        result = _run(*args, "--root", str(root))
        assert result.returncode == 0 and "wrote" in result.stderr, result.stderr
    raw = _case(root).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\xef\xbb\xbf") == 1
    assert tomllib.loads(raw.decode("utf-8-sig"))["status"] == "released"


def test_fmt_removes_a_bom_and_says_so(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _case(root).write_bytes(b"\xef\xbb\xbf" + CASE.encode())
    check = _run("fmt", "--check", "--root", str(root))
    assert check.returncode == 1 and check.stdout == "data/cases/petrov-ivan.toml\n"
    assert "byte-order mark" in check.stderr
    result = _run("fmt", "--root", str(root))
    assert result.returncode == 0, result.stderr
    assert "started with a byte-order mark; removed it" in result.stderr
    from exilecases.ops.edit import format_text

    assert _case(root).read_bytes() == format_text(CASE).encode()
    assert _run("fmt", "--check", "--root", str(root)).returncode == 0


def test_a_fifo_in_place_of_a_case_is_refused_without_hanging(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    fifo = root / "data" / "cases" / "fifo-case.toml"
    os.mkfifo(fifo)
    result = _run("set", "fifo-case", "status", "released", "--root", str(root))
    assert result.returncode == 1 and "not a regular file" in result.stderr
    with pytest.raises(ExilecasesError, match="not a regular file"):
        CaseWriter(root, notice=None).write(fifo, lambda t: Update(t or "", {}))
