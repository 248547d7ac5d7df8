"""How long an edit of a large case takes, as whole processes (start-up included).

Makes a repository holding one case with 10,000 events (about 0.7 MB, far beyond any real
case), then times ``exilecases set ... aliases --add``, ``set ... status`` and ``event add``
on it, each run as its own process through the one write path (lock, re-read, parse back,
schema check, fsync, rename). Prints one line per command and a summary line to paste:

    python bench/edit_speed.py                 # 10,000 events, 5 runs each
    python bench/edit_speed.py --events 1000 --runs 3

Issue 10 measured 21 s for ``set`` on such a case before the edits became linear.
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

EXE = shutil.which("exilecases") or str(Path(sys.executable).with_name("exilecases"))


def make_case(root: Path, events: int) -> Path:
    """A repository at ``root`` with one case of ``events`` events."""
    cases = root / "data" / "cases"
    cases.mkdir(parents=True)
    lines = [
        'id = "big-case"',
        'name = "Ivan Petrov"',
        'aliases = ["Ivan Petroff"]',
        'status = "detained"',
        'origin_country = "RU"',
        'host_country = "KZ"',
        "",
    ]
    for i in range(events):
        month, day = 1 + i % 12, 1 + i % 28
        lines += [
            "[[events]]",
            f'date = "{2000 + i % 25}-{month:02d}-{day:02d}"',
            'type = "detention"',
            f'note = "Event {i}"',
            "",
        ]
    path = cases / "big-case.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return path


def time_command(args: list[str], root: Path) -> tuple[float, float]:
    """Seconds one process takes, on the clock and on the CPU (user + system: what a busy
    machine does not inflate); raises when the command fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [EXE, *args, "--root", str(root)], capture_output=True, text=True, timeout=600
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or "wrote" not in done.stderr:
        raise SystemExit(f"exilecases {' '.join(args)} failed: {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> None:
    """Run the benchmark and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exilecases-edit-") as folder:
        root = Path(folder)
        os.environ["XDG_CACHE_HOME"] = str(root / "cache")
        path = make_case(root / "repo", options.events)
        size = path.stat().st_size
        commands = {
            "set aliases --add": lambda i: ["set", "big-case", "aliases", "--add", f"A{i}"],
            "set status": lambda i: [
                "set",
                "big-case",
                "status",
                ("released", "detained")[i % 2],
            ],
            "event add": lambda i: [
                "event",
                "add",
                "big-case",
                "--date",
                "2025-01-02",
                "--type",
                "release",
                "--note",
                f"added {i}",
            ],
        }
        medians = {}
        for name, make_args in commands.items():
            runs = [time_command(make_args(i), root / "repo") for i in range(options.runs)]
            times, cpus = [wall for wall, _ in runs], [cpu for _, cpu in runs]
            medians[name] = (statistics.median(times), statistics.median(cpus))
            print(
                f"{name:<18} median {medians[name][0]:.2f} s, CPU {medians[name][1]:.2f} s "
                f"(min {min(times):.2f}, max {max(times):.2f}, {options.runs} runs)"
            )
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        summary = ", ".join(
            f"{name} {wall:.2f} s (CPU {cpu:.2f} s)" for name, (wall, cpu) in medians.items()
        )
        print(
            f"edit_speed: case of {options.events:,} events ({size / 1e6:.1f} MB): {summary} "
            f"(median of {options.runs} whole processes; load {load:.1f}; "
            f"Python {sys.version.split()[0]})"
        )


if __name__ == "__main__":
    main()
