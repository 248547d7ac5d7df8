"""What a command pays before it does its work: start-up, imports and building the command
tree, measured as whole processes (CPU time of the child, and wall time by
``time.perf_counter``), for two source trees side by side in one run.

    python bench/command_start.py                        # this tree, 20 runs each
    python bench/command_start.py --before /tmp/old/src  # and an older tree's src/ beside it
    python bench/command_start.py --git-log              # also `git log -p` over data/cases

``--before DIR`` runs the same Python with ``PYTHONPATH=DIR`` (a ``git archive`` of an older
commit's ``src/``), so both trees share the interpreter and the libraries. Runs of the two
trees alternate, so a change in the machine's load falls on both. Timings only: nothing here
is a pass/fail test.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

COMMANDS: list[list[str]] = [
    ["--help"],
    ["list", "--help"],
    ["validate"],
]


def _run(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one process (its output discarded; a failure stops the run)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{argv}: exit {done.returncode}\n{done.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _environment(src: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return env


def _copy_of_the_bundled_data(folder: Path) -> Path:
    """The bundled repository in git (for ``validate`` and ``git log -p``), its history one
    commit per file so that ``git log -p`` shows every file's versions."""
    root = folder / "bundled"
    shutil.copytree(PROJECT / "data", root / "data")
    git = ["git", "-c", "user.name=b", "-c", "user.email=b@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    for path in sorted((root / "data").rglob("*")):
        if path.is_file():
            subprocess.run([*git, "add", str(path)], cwd=root, check=True)
            subprocess.run([*git, "commit", "-qm", path.name], cwd=root, check=True)
    return root


def _init(root: Path, env: dict[str, str]) -> None:
    """``exilecases init`` in ``root`` with the tree of ``env``: its diff driver and hook."""
    subprocess.run(
        [sys.executable, "-m", "exilecases", "init", str(root)],
        env=env,
        cwd=root,
        check=True,
        capture_output=True,
    )


def main() -> None:
    """Run the measurements and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="an older tree's src/ folder")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--git-log", action="store_true", help="also time git log -p")
    parser.add_argument("--git-log-runs", type=int, default=3)
    options = parser.parse_args()
    trees: dict[str, Path | None] = {"after": None}
    if options.before:
        trees = {"before": options.before.resolve(), **trees}
    with tempfile.TemporaryDirectory() as scratch:
        root = _copy_of_the_bundled_data(Path(scratch))
        _init(root, _environment(None))
        rows = []
        for command in COMMANDS:
            argv = [sys.executable, "-m", "exilecases", *command]
            times: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
            for src in trees.values():  # one untimed run each: caches, the index
                _run(argv, _environment(src), root)
            for _ in range(options.runs):
                for name, src in trees.items():
                    times[name].append(_run(argv, _environment(src), root))
            rows.append((" ".join(["exilecases", *command]), times))
        if options.git_log:
            argv = ["git", "log", "-p", "--", "data/cases"]
            times = {name: [] for name in trees}
            for _ in range(options.git_log_runs):
                for name, src in trees.items():
                    times[name].append(_run(argv, _environment(src), root))
            rows.append(("git log -p -- data/cases", times))
    load = os.getloadavg()[0]
    print(f"median of {options.runs} runs (git log: {options.git_log_runs}); load {load:.1f}")
    header = "| command | " + " | ".join(f"{n} CPU ms | {n} wall ms" for n in trees) + " |"
    print(header)
    print("|" + "---|" * (1 + 2 * len(trees)))
    for label, times in rows:
        cells = []
        for name in trees:
            cells.append(f"{statistics.median(c for _, c in times[name]) * 1000:.0f}")
            cells.append(f"{statistics.median(w for w, _ in times[name]) * 1000:.0f}")
        print(f"| `{label}` | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
