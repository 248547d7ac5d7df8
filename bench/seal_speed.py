"""How long sealing takes, and whether a sealed repository answers as fast as a plain one.

    python bench/seal_speed.py                 # 10,000 cases, 5 timed runs per query
    python bench/seal_speed.py --n 1000 --runs 3 --out bench/SEAL_RESULTS.md

It generates the synthetic repository of ``bench/generate.py`` twice with the same seed and
gives every case a ``[private]`` table (the worst case for sealing: every file is sealed).
In one copy, a fresh identity and two recipients are made and ``exilecases seal`` is timed
(once: sealing changes the files), then ``seal`` again (nothing to do: every block is
sealed for these keys, so it only reads). Then ``list`` is timed warm (index built by an
untimed first run) on both copies: the index holds the public view, so sealing should cost
nothing there. Each command runs as its own process; the median wall time is reported, and
the CPU time (user + system of the process), which a busy machine does not inflate.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from generate import generate  # noqa: E402

EXILECASES = str(Path(sys.executable).with_name("exilecases"))
QUERIES = (
    ("list --format json", ["list", "--format", "json"]),
    ("list --status deported --format json", ["list", "--status", "deported", "--format", "json"]),
    ("list (table)", ["list"]),
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(argv: list[str], root: Path, env: dict[str, str]) -> tuple[float, float]:
    """Run one command in ``root``; its wall and CPU time in seconds (it must succeed)."""
    cpu = _children_cpu()
    began = time.perf_counter()
    done = subprocess.run(
        [EXILECASES, *argv], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed in {root}:\n{done.stderr}")
    return seconds, _children_cpu() - cpu


def median(argv: list[str], root: Path, env: dict[str, str], runs: int) -> str:
    """``wall s (cpu s)``: the medians of ``runs`` warm runs."""
    run(argv, root, env)  # warm: the index is built, the files are in the page cache
    return _cell([run(argv, root, env) for _ in range(runs)])


def _cell(times: list[tuple[float, float]]) -> str:
    wall = statistics.median(t[0] for t in times)
    cpu = statistics.median(t[1] for t in times)
    return f"{wall:.3f} s ({cpu:.3f} s)"


def with_private_parts(root: Path) -> int:
    """Give every generated case a [private] table; returns how many it had before."""
    had = 0
    for path in (root / "data" / "cases").glob("*.toml"):
        text = path.read_text("utf-8")
        if "[private]" in text:
            had += 1
            continue
        path.write_text(text + '\n[private]\nnotes = "Phone and address known to the editors"\n')
    return had


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="how many cases (10,000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query (5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="exilecases-seal-bench-") as folder:
        base = Path(folder)
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("EXILECASES_NO_CACHE", "EXILECASES_ROOT", "PYTHONDONTWRITEBYTECODE")
        }
        env["XDG_CACHE_HOME"] = str(base / "cache")
        env["EXILECASES_IDENTITY"] = str(base / "keys" / "me.txt")
        plain, sealed = base / "plain", base / "sealed"
        for root in (plain, sealed):
            generate(root, args.n, args.seed)
            with_private_parts(root)
        me = subprocess.run(
            [EXILECASES, "keys", "new"], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        other_env = {**env, "EXILECASES_IDENTITY": str(base / "keys" / "other.txt")}
        other = subprocess.run(
            [EXILECASES, "keys", "new"], env=other_env, capture_output=True, text=True, check=True
        ).stdout.strip()
        run(["keys", "add", "Me", me], sealed, env)
        run(["keys", "add", "Other", other], sealed, env)
        seal_once = _cell([run(["seal"], sealed, env)])
        seal_again = _cell([run(["seal"], sealed, env) for _ in range(args.runs)])
        size = {
            root: sum(p.stat().st_size for p in (root / "data" / "cases").glob("*.toml"))
            for root in (plain, sealed)
        }
        rows = [
            f"| `seal` ({args.n:,} files, 2 recipients) | | {seal_once} |",
            f"| `seal` again (nothing to seal) | | {seal_again} |",
        ]
        for label, query in QUERIES:
            rows.append(
                f"| `{label}`, warm | {median(query, plain, env, args.runs)} "
                f"| {median(query, sealed, env, args.runs)} |"
            )
        rows.append(
            f"| size of data/cases/ | {size[plain] / 1e6:.1f} MB | {size[sealed] / 1e6:.1f} MB |"
        )
    table = "\n".join(
        [
            f"Sealing: {args.n:,} cases, every one with a [private] table; median of "
            f"{args.runs} runs, wall time (CPU time); {platform.machine()}, {os.cpu_count()} "
            f"cores, load average {os.getloadavg()[0]:.1f}, Python {platform.python_version()}",
            "",
            "| | plain repository | sealed repository |",
            "|---|--:|--:|",
            *rows,
        ]
    )
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
