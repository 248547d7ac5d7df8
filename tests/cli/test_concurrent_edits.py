"""Edits made at the same time compose, and a killed ``fmt`` leaves every file whole.

These run the installed ``exilecases`` as separate processes, as colleagues sharing a
repository do. The time limits only catch hangs; timings live in bench/.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

from conftest import run_git as _git
from exilecases.store import place

EXE = str(Path(sys.executable).with_name("exilecases"))
CASE = """\
id = "petrov-ivan"
name = "Ivan Petrov"
status = "detained"
origin_country = "RU"
host_country = "KZ"
"""


def test_a_hundred_concurrent_edits_of_one_case_all_survive(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "data" / "cases").mkdir(parents=True)
    path = root / "data" / "cases" / "petrov-ivan.toml"
    path.write_text(CASE)
    _git(root, "init", "-q")
    commands = []
    for i in range(50):
        commands.append(
            ["event", "add", "petrov-ivan", "--date", "2024-01-02", "--type", "detention",
             "--note", f"event-{i}"]
        )  # fmt: skip
        commands.append(["set", "petrov-ivan", "aliases", "--add", f"alias-{i}"])
    processes = [
        subprocess.Popen(
            [EXE, *args, "--root", str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in commands
    ]
    outcomes = [(p.wait(timeout=600), *p.communicate()) for p in processes]
    for (code, _, err), args in zip(outcomes, commands, strict=True):
        assert code == 0 and "wrote data/cases/petrov-ivan.toml" in err, (args, err)
    data = tomllib.loads(path.read_text())
    assert sorted(e["note"] for e in data["events"]) == sorted(f"event-{i}" for i in range(50))
    assert sorted(data["aliases"]) == sorted(f"alias-{i}" for i in range(50))
    check = subprocess.run(
        [EXE, "validate", "--root", str(root)], capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert not [p.name for p in path.parent.iterdir() if place.is_temporary(p.name)]


def _scrambled(i: int) -> str:
    """A valid case file that fmt rewrites (keys out of order, odd spacing), ~1 KB."""
    note = "x" * 600
    return (
        f'host_country="KZ"\nstatus  =  "detained"\nname="Person {i}"\nid="case-{i:04d}"\n'
        f'origin_country = "RU"   # pursued\n\n\n[[events]]\ntype="detention"\n'
        f'note="{note}"\ndate="2024-0{1 + i % 9}"\n'
    )


def test_a_killed_fmt_leaves_every_file_old_or_new(tmp_path: Path) -> None:
    from exilecases.ops.edit import format_text

    root = tmp_path / "repo"
    cases = root / "data" / "cases"
    cases.mkdir(parents=True)
    old = {f"case-{i:04d}.toml": _scrambled(i) for i in range(1000)}
    new = {name: format_text(text) for name, text in old.items()}
    for name, text in old.items():
        (cases / name).write_text(text)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "cases")
    (root / ".git" / "info" / "exclude").unlink(missing_ok=True)  # a clone without init
    formatted_before = 0
    for delay in (0.5, 1.5, 3.0, 5.0):
        fmt = subprocess.Popen(
            [EXE, "fmt", "--root", str(root)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        os.kill(fmt.pid, signal.SIGKILL)
        fmt.wait(timeout=60)
        formatted = 0
        for name in old:
            text = (cases / name).read_text()
            assert text in (old[name], new[name]), name
            formatted += text == new[name]
        assert formatted >= formatted_before
        formatted_before = formatted
        status = _git(root, "status", "--porcelain", "--untracked-files=all").splitlines()
        assert all(line.startswith(" M data/cases/case-") for line in status), status[:5]
        _git(root, "add", "-A")  # what a hurried caseworker does: no temporary file goes in
        staged = _git(root, "diff", "--cached", "--name-only").splitlines()
        assert not any(place.is_temporary(Path(n).name) for n in staged), staged
        _git(root, "reset", "-q")
    assert formatted_before > 0, "fmt was killed before it formatted anything"
    planted = cases / f".case-0001.toml{place.TEMPORARY_INFIX}killed"
    planted.write_text(new["case-0001.toml"])  # as a run killed long ago left it
    left = [p.name for p in cases.iterdir() if place.is_temporary(p.name)]
    finished = subprocess.run(
        [EXE, "fmt", "--root", str(root)], capture_output=True, text=True, timeout=600
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert all(f"removed {name}, a temporary file" in finished.stderr for name in left)
    assert not planted.exists()
    assert not [p.name for p in cases.iterdir() if place.is_temporary(p.name)]
    assert all((cases / name).read_text() == new[name] for name in old)
