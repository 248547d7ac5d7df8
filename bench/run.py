"""The exilecases benchmark: ``python bench/run.py`` (see bench/README.md).

For each size it generates a synthetic case repository once, then runs every command as a
separate process several times and reports the median wall time and peak memory, next to
the baselines measured in the same run: ``python -c "import typer"`` (the start-up floor),
``bench/naive_parse.py`` (tomllib over every file: the parse floor) and ``rg -l`` (where
ripgrep is installed). The tables go to standard output as they are measured and to
``bench/RESULTS.md``, with the machine and a PASS/FAIL line per target computed from the data.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from generate import generate  # noqa: E402

#: Where the first version kept its index, in the work tree; removed for "cold" runs (with
#: the index where the current version keeps it, ``store.place.index_path``).
CACHE_DIR = ".exilecases"
#: Environment variables that would change what is measured: the cache switch, a root, and
#: PYTHONDONTWRITEBYTECODE (set on some build machines), which would make Python compile the
#: package's modules from source on every run, as no installed program ever does.
CLEARED_ENV = ("EXILECASES_NO_CACHE", "EXILECASES_ROOT", "PYTHONDONTWRITEBYTECODE")
#: A freshly written file may be "racy" for the cache for a couple of seconds (its row is
#: re-checked); real repositories are older than that, so measuring waits this long.
SETTLE_SECONDS = 3.0
DEFAULT_SIZES = (1_000, 10_000, 100_000)
DEPORTED = 'status = "deported"'


# --- running one process -----------------------------------------------------------------


@dataclass
class Run:
    wall: float  # seconds
    rss_mb: float | None
    returncode: int
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    cpu: float | None = None  # seconds of user + system time (a busy machine disturbs it less)


#: Where GNU time is missing: a tiny Python parent that forks the command, waits for it with
#: ``os.wait4`` and writes the child's wall time and peak RSS (``ru_maxrss``) to a file. The
#: command must not be forked from this (bigger) process: Linux carries the forking parent's
#: resident size into the child's peak across ``exec``.
_WRAPPER = """\
import os, sys, time
out, argv = sys.argv[1], sys.argv[2:]
began = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - began
code = os.waitstatus_to_exitcode(status)
with open(out, "w") as stream:
    stream.write(f"{wall} {usage.ru_maxrss} {code} {usage.ru_utime + usage.ru_stime}")
sys.exit(code if code >= 0 else 128 - code)
"""


class Runner:
    """Runs a command as a separate process, timing it and reading its peak RSS.

    Peak RSS comes from GNU ``/usr/bin/time -f %M -o FILE`` where it works (wall time is
    then measured here around it), else from a tiny Python wrapper process (``_WRAPPER``)
    that reports the child's ``ru_maxrss`` and its own wall-time measurement of the child
    (so the wrapper's start-up is not counted).
    """

    def __init__(self, timeout: float, use_time: bool = True) -> None:
        self.timeout = timeout
        self.repositories = Path(tempfile.gettempdir())  # set by main(), for the record
        self.time_binary = self._gnu_time() if use_time else None
        self.method = (
            f"GNU time -f %M ({self.time_binary})"
            if self.time_binary
            else "a Python wrapper process: os.fork, exec, os.wait4 ru_maxrss"
        )

    @staticmethod
    def _gnu_time() -> str | None:
        binary = "/usr/bin/time"
        if not os.access(binary, os.X_OK):
            return None
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "rss"
            try:
                subprocess.run(
                    [binary, "-f", "%M", "-o", str(out), sys.executable, "-c", "pass"],
                    check=True,
                    capture_output=True,
                    timeout=30,
                )
                int(out.read_text().split()[-1])
            except (OSError, subprocess.SubprocessError, ValueError, IndexError):
                return None
        return binary

    def run(self, argv: list[str], env: dict[str, str], cwd: Path, capture: bool) -> Run:
        with tempfile.TemporaryDirectory(prefix="exilecases-bench-run-") as folder:
            scratch = Path(folder)
            report = scratch / "measure"
            if self.time_binary:
                full = [self.time_binary, "-f", "%U %S %M", "-o", str(report), *argv]
            else:
                full = [sys.executable, "-I", "-S", "-c", _WRAPPER, str(report), *argv]
            out_path, err_path = scratch / "stdout", scratch / "stderr"
            timed_out = threading.Event()
            with open(err_path, "wb") as err:
                out = open(out_path, "wb") if capture else subprocess.DEVNULL  # noqa: SIM115
                try:
                    began = time.perf_counter()
                    process = subprocess.Popen(
                        full,
                        stdin=subprocess.DEVNULL,
                        stdout=out,
                        stderr=err,
                        env=env,
                        cwd=cwd,
                        start_new_session=True,
                    )

                    def kill() -> None:
                        timed_out.set()
                        with contextlib.suppress(OSError):
                            os.killpg(process.pid, signal.SIGKILL)

                    timer = threading.Timer(self.timeout, kill)
                    timer.start()
                    try:
                        process.wait()
                        wall = time.perf_counter() - began
                    finally:
                        timer.cancel()
                finally:
                    if capture:
                        out.close()  # type: ignore[union-attr]
            rss_kb: float | None = None
            cpu: float | None = None
            returncode = process.returncode
            try:
                fields = report.read_text().split()
                if self.time_binary:
                    # GNU time writes "Command exited with non-zero status N" first if so.
                    rss_kb = float(fields[-1])
                    cpu = float(fields[-3]) + float(fields[-2])
                else:
                    wall, rss_kb, returncode = float(fields[0]), float(fields[1]), int(fields[2])
                    cpu = float(fields[3])
                    if sys.platform == "darwin":
                        rss_kb /= 1024  # bytes there, kilobytes on Linux
            except (OSError, ValueError, IndexError):
                rss_kb = None
            return Run(
                wall=wall,
                rss_mb=rss_kb / 1024 if rss_kb is not None else None,
                returncode=returncode,
                stdout=out_path.read_text("utf-8", "replace") if capture else "",
                stderr=err_path.read_text("utf-8", "replace"),
                timed_out=timed_out.is_set(),
                cpu=cpu,
            )


# --- what is measured ----------------------------------------------------------------------


@dataclass
class Row:
    key: str  # stable name used by the targets
    label: str  # the command as shown
    cache: str  # "cold", "warm" or "" (no cache involved)
    argv: list[str] = field(default_factory=list)
    kind: str = "exilecases"  # or "baseline"
    subcommand: str | None = None  # probed with `SUB --help`; missing -> n/a
    state: str = "ok"  # ok | n/a | error | timeout
    note: str = ""
    walls: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    first_stdout: str = ""
    first_wall: float | None = None  # the untimed first run (for a warm row: it builds the index)

    @property
    def median(self) -> float | None:
        return statistics.median(self.walls) if self.state == "ok" and self.walls else None

    @property
    def rss_median(self) -> float | None:
        return statistics.median(self.rss) if self.state == "ok" and self.rss else None

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpus) if self.state == "ok" and self.cpus else None


def exilecases_command() -> list[str]:
    """The console script of the same environment as this Python (else ``-m exilecases``)."""
    script = Path(sys.executable).parent / ("exilecases.exe" if os.name == "nt" else "exilecases")
    return [str(script)] if script.exists() else [sys.executable, "-m", "exilecases"]


def rows_for(root: Path, query: str) -> list[Row]:
    exe = exilecases_command()
    cases = str(root / "data" / "cases")
    rows = [
        Row(
            "typer",
            'python -c "import typer"',
            "",
            [sys.executable, "-c", "import typer"],
            kind="baseline",
        ),
        Row(
            "naive",
            "python bench/naive_parse.py ROOT",
            "",
            [sys.executable, str(BENCH / "naive_parse.py"), str(root)],
            kind="baseline",
        ),
    ]
    rg = shutil.which("rg")
    rows.append(
        Row(
            "rg",
            f"rg -l '{DEPORTED}' ROOT/data/cases",
            "",
            [rg or "rg", "-l", DEPORTED, cases],
            kind="baseline",
        )
    )
    if not rg:
        rows[-1].state, rows[-1].note = "n/a", "ripgrep not installed"
    list_argv = [*exe, "list", "--status", "deported", "--format", "json"]
    rows += [
        Row("help", "exilecases --help", "", [*exe, "--help"]),
        Row(
            "list_cold",
            "exilecases list --status deported --format json",
            "cold",
            list_argv,
            subcommand="list",
        ),
        Row(
            "list_warm",
            "exilecases list --status deported --format json",
            "warm",
            list_argv,
            subcommand="list",
        ),
        Row(
            "search",
            f"exilecases search {query} --format json",
            "warm",
            [*exe, "search", query, "--format", "json"],
            subcommand="search",
        ),
        Row(
            "stats",
            "exilecases stats --by basis --format json",
            "warm",
            [*exe, "stats", "--by", "basis", "--format", "json"],
            subcommand="stats",
        ),
        Row(
            "due",
            "exilecases due --all --format json",
            "warm",
            [*exe, "due", "--all", "--format", "json"],
            subcommand="due",
        ),
        Row(
            "validate_cold",
            "exilecases validate",
            "cold",
            [*exe, "validate"],
            subcommand="validate",
        ),
        Row(
            "validate_warm",
            "exilecases validate",
            "warm",
            [*exe, "validate"],
            subcommand="validate",
        ),
    ]
    return rows


def drop_cache(root: Path) -> None:
    """Delete the index of ``root``: where this version keeps it (inside ``.git/``, or the
    user's cache folder, as the environment the commands run with says) and where older
    versions kept it (``ROOT/.exilecases/``)."""
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    try:
        from exilecases.store.index import remove_index
    except ImportError:  # a version from before the move
        return
    remove_index(root)


def first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return (lines[-1] if lines else "")[:160]


def measure(row: Row, runner: Runner, env: dict[str, str], root: Path, runs: int) -> None:
    """Fill ``row`` with ``runs`` timed runs, after one untimed run.

    The untimed run warms the page cache and Python's bytecode cache, and for a "warm" row
    builds the index cache; a "cold" row has the index cache removed before every timed run.
    """
    if row.state != "ok":
        return
    if row.subcommand:
        probe = runner.run(
            [*row.argv[: row.argv.index(row.subcommand) + 1], "--help"], env, root, capture=True
        )
        if probe.returncode != 0:
            row.state = "n/a"
            row.note = f"`{row.subcommand}` not available ({first_line(probe.stderr)})"
            return
    if row.cache == "cold":
        drop_cache(root)
    first = runner.run(row.argv, env, root, capture=True)
    if first.timed_out or first.returncode != 0:
        row.state = "timeout" if first.timed_out else "error"
        row.note = (
            f"killed after {runner.timeout:g} s"
            if first.timed_out
            else f"exit {first.returncode}: {first_line(first.stderr)}"
        )
        return
    row.first_stdout = first.stdout
    row.first_wall = first.wall
    for _ in range(runs):
        if row.cache == "cold":
            drop_cache(root)
        result = runner.run(row.argv, env, root, capture=False)
        if result.timed_out or result.returncode != 0:
            row.state = "timeout" if result.timed_out else "error"
            row.note = (
                f"killed after {runner.timeout:g} s"
                if result.timed_out
                else f"exit {result.returncode}: {first_line(result.stderr)}"
            )
            return
        row.walls.append(result.wall)
        if result.cpu is not None:
            row.cpus.append(result.cpu)
        if result.rss_mb is not None:
            row.rss.append(result.rss_mb)


# --- one size ----------------------------------------------------------------------------


@dataclass
class SizeResult:
    n: int
    root: Path
    generated_seconds: float | None  # None: reused a kept repository
    disk_bytes: int
    rows: list[Row]
    counts: dict[str, int | None] = field(default_factory=dict)
    seconds: float = 0.0
    code: tuple[str, str] = ("", "")  # code_fingerprint() before and after measuring

    @property
    def code_changed(self) -> bool:
        return self.code[0] != self.code[1]

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)


def repository(n: int, seed: int, parent: Path) -> tuple[Path, float | None]:
    """A generated repository of ``n`` cases under ``parent``, reused when already there."""
    root = parent / f"cases-{n}-seed{seed}"
    marker = root / ".bench-generated.json"
    generator = hashlib.sha256((BENCH / "generate.py").read_bytes()).hexdigest()[:16]
    stamp = {"n": n, "seed": seed, "generator": generator}
    if marker.is_file():
        try:
            if json.loads(marker.read_text()) == stamp:
                return root, None
        except ValueError:
            pass
    began = time.perf_counter()
    generate(root, n, seed)
    seconds = time.perf_counter() - began
    marker.write_text(json.dumps(stamp))
    return root, seconds


def code_fingerprint() -> str:
    """A short hash of the installed exilecases package's files: the code that was measured.

    Other people may edit the code while a long run goes on; a changed fingerprint between
    or within sizes is reported, since the tables then measure different code.
    """
    import importlib.util

    spec = importlib.util.find_spec("exilecases")
    if spec is None or spec.origin is None:
        return "unknown"
    digest = hashlib.sha256()
    folder = Path(spec.origin).parent
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def search_query(root: Path) -> str:
    """A generated surname (of the case in the middle of the listing): one exact hit."""
    names = sorted(p.name for p in (root / "data" / "cases").glob("*.toml"))
    return names[len(names) // 2].split("-")[0].capitalize()


def disk_usage(root: Path) -> int:
    with os.scandir(root / "data" / "cases") as entries:
        return sum(e.stat().st_size for e in entries if e.name.endswith(".toml"))


def count_of(row: Row) -> int | None:
    """How many deported cases a command reported (from its untimed run)."""
    if row.state != "ok":
        return None
    text = row.first_stdout
    try:
        if row.key == "naive":
            return int(text.strip())
        if row.key == "rg":
            return len([line for line in text.splitlines() if line.strip()])
        if row.key == "list_cold":
            return len(json.loads(text))
    except ValueError:
        return None
    return None


def bench_size(n: int, args: argparse.Namespace, parent: Path, runner: Runner) -> SizeResult:
    began = time.perf_counter()
    print(f"\n== {n:,} cases ==", flush=True)
    root, generated = repository(n, args.seed, parent)
    print(
        f"repository {root} "
        + (f"generated in {generated:.1f} s" if generated is not None else "(reused)"),
        flush=True,
    )
    if generated is not None:
        time.sleep(SETTLE_SECONDS)
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env["EXILECASES_ROOT"] = str(root)
    env.setdefault("COLUMNS", "120")
    rows = rows_for(root, search_query(root))
    result = SizeResult(n, root, generated, disk_usage(root), rows)
    before = code_fingerprint()
    for row in rows:
        measure(row, runner, env, root, args.runs)
        print("  " + plain_line(row, result), flush=True)
    result.code = (before, code_fingerprint())
    if result.code_changed:
        print("  warning: the exilecases code changed while this size was measured", flush=True)
    result.counts = {key: count_of(result.row(key)) for key in ("naive", "rg", "list_cold")}
    print(f"  deported cases found: {counts_text(result.counts)}", flush=True)
    result.seconds = time.perf_counter() - began
    return result


# --- reporting -----------------------------------------------------------------------------


def ms(seconds: float | None) -> str:
    return (
        "n/a"
        if seconds is None
        else f"{seconds * 1000:,.0f}"
        if seconds >= 1
        else (f"{seconds * 1000:.1f}")
    )


def ratio(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return "n/a"
    return f"{value / base:.2f}x"


def plain_line(row: Row, result: SizeResult) -> str:
    label = f"{row.label} ({row.cache})" if row.cache else row.label
    if row.state != "ok":
        return f"{label:<62} {row.state}: {row.note}"
    typer, naive = result.row("typer").median, result.row("naive").median
    rss = f"{row.rss_median:.0f} MB" if row.rss_median is not None else "? MB"
    return (
        f"{label:<62} {ms(row.median):>9} ms  {rss:>8}  "
        f"{ratio(row.median, typer):>8} typer  {ratio(row.median, naive):>8} naive"
    )


def size_table(result: SizeResult) -> list[str]:
    typer, naive = result.row("typer").median, result.row("naive").median
    lines = [
        "| command | index cache | median ms | min ms | max ms | peak RSS MB | "
        "× `import typer` | × naive parse |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for row in result.rows:
        if row.state != "ok":
            lines.append(f"| `{row.label}` | {row.cache} | {row.state} | | | | | {row.note} |")
            continue
        rss = f"{row.rss_median:.0f}" if row.rss_median is not None else "n/a"
        lines.append(
            f"| `{row.label}` | {row.cache} | {ms(row.median)} | {ms(min(row.walls))} | "
            f"{ms(max(row.walls))} | {rss} | {ratio(row.median, typer)} | "
            f"{ratio(row.median, naive)} |"
        )
    return lines


def counts_text(counts: dict[str, int | None]) -> str:
    shown = ", ".join(
        f"{name} {counts[key] if counts.get(key) is not None else 'n/a'}"
        for key, name in (("naive", "naive parse"), ("rg", "rg"), ("list_cold", "list"))
    )
    known = {v for v in counts.values() if v is not None}
    agree = "agree" if len(known) == 1 else "**DISAGREE**" if len(known) > 1 else "n/a"
    return f"{shown} ({agree})"


def size_section(result: SizeResult, runs: int) -> list[str]:
    generated = (
        f"generated in {result.generated_seconds:.1f} s"
        if result.generated_seconds is not None
        else "reused from --keep"
    )
    return [
        f"### {result.n:,} cases",
        "",
        f"{result.disk_bytes / 1e6:.1f} MB of case files "
        f"(mean {result.disk_bytes / result.n / 1000:.2f} KB), {generated}; "
        f"median of {runs} runs; this size took {result.seconds:.0f} s to measure. "
        f"Deported cases found: {counts_text(result.counts)}. Code measured: "
        + (
            f"`{result.code[0]}`"
            if not result.code_changed
            else f"**changed during this size** (`{result.code[0]}` -> `{result.code[1]}`)"
        )
        + ".",
        "",
        *size_table(result),
        "",
    ]


@dataclass
class Target:
    text: str
    n: int
    measured: str
    verdict: str  # PASS | FAIL | not measured


def targets(results: dict[int, SizeResult]) -> list[Target]:
    """Each target of the issue, with the measured value and a verdict computed from it."""

    def median(n: int, key: str) -> float | None:
        return results[n].row(key).median if n in results else None

    def versus(n: int, a: str, b: str, op: str, limit: float, text: str) -> Target:
        """``a / b`` against ``limit`` (``op`` "<" or "<="), or with ``op`` ">=" how many
        times faster ``a`` is than ``b`` (``b / a``), at least ``limit``."""
        mine, base = median(n, a), median(n, b)
        if n not in results:
            return Target(text, n, "", "not measured")
        if not mine or not base:
            return Target(text, n, "", "n/a (a command did not run)")
        if op == ">=":
            value = base / mine
            ok = value >= limit
            shown = f"{value:.2f}x faster ({ms(mine)} vs {ms(base)} ms)"
        else:
            value = mine / base
            ok = value < limit if op == "<" else value <= limit
            shown = f"{value:.2f}x ({ms(mine)} / {ms(base)} ms)"
        return Target(text, n, shown, "PASS" if ok else "FAIL")

    def below(n: int, value: float | None, limit: float, shown: str, text: str) -> Target:
        if n not in results:
            return Target(text, n, "", "not measured")
        if value is None:
            return Target(text, n, "", "n/a (a command did not run)")
        return Target(text, n, shown, "PASS" if value < limit else "FAIL")

    found = [
        versus(10_000, "list_warm", "help", "<", 1.3, "warm `list` under 1.3x the `--help` time"),
        versus(
            10_000,
            "list_warm",
            "naive",
            ">=",
            4.0,
            "warm `list` at least 4x faster than the naive parse-all",
        ),
        versus(
            10_000,
            "validate_cold",
            "naive",
            "<=",
            1.5,
            "cold `validate` no slower than 1.5x the naive parse-all",
        ),
        versus(10_000, "help", "typer", "<", 2.0, "`--help` under 2x `import typer`"),
    ]
    for size in (10_000, 100_000):
        found.append(
            versus(size, "due", "list_warm", "<=", 1.5, "warm `due` within 1.5x of warm `list`")
        )
    n = 100_000
    wall = median(n, "list_warm")
    found.append(below(n, wall, 1.0, f"{ms(wall)} ms", "warm `list` under 1 s"))
    rss = results[n].row("list_warm").rss_median if n in results else None
    found.append(below(n, rss, 500.0, f"{rss or 0:.0f} MB", "warm `list` peak memory under 500 MB"))
    measured = [
        (row.rss_median, row)
        for row in (results[n].rows if n in results else [])
        if row.kind == "exilecases" and row.rss_median is not None
    ]
    worst, where = max(measured, key=lambda item: item[0], default=(None, None))
    shown = f"{worst or 0:.0f} MB" + (
        f" ({where.label}{', ' + where.cache if where.cache else ''})" if where else ""
    )
    found.append(
        below(
            n,
            worst,
            500.0,
            shown,
            "(stricter reading) every exilecases command's peak memory under 500 MB",
        )
    )
    return found


def load_average() -> str:
    """The 1-minute load average (other work on the machine makes the times noisy)."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "unknown"


def machine(runner: Runner, started: dt.datetime, start_load: str) -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    system = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                system = f"{line.split('=', 1)[1].strip(chr(34))} ({platform.platform()})"
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    cores = f"{os.cpu_count()}" + (f" ({usable} usable)" if usable != os.cpu_count() else "")
    rg = shutil.which("rg")
    rg_version = (
        subprocess.run([rg, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
        if rg
        else "not installed (rg rows are n/a)"
    )
    return [
        f"- date: {started:%Y-%m-%d %H:%M} UTC",
        f"- CPU: {cpu}, {cores} cores",
        f"- RAM: {ram}",
        f"- OS: {system}",
        f"- Python: {platform.python_version()} ({sys.executable})",
        f"- exilecases: {package_version('exilecases')}{git_revision()}, code fingerprint "
        f"`{code_fingerprint()}` (a hash of the package's files; each size below names the "
        "one it measured)",
        f"- typer {package_version('typer')}, pydantic {package_version('pydantic')}, "
        f"rich {package_version('rich')}",
        f"- ripgrep: {rg_version}",
        f"- peak RSS read with: {runner.method}",
        f"- case repositories on: {filesystem(runner.repositories)}",
        f"- load average (1 min): {start_load} at the start, {load_average()} when written",
    ]


def package_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def git_revision() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=BENCH,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "src"],
            cwd=BENCH.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    return f" (git {head}{', with uncommitted changes in src/' if dirty else ''})"


def filesystem(path: Path) -> str:
    """The file system type of ``path`` (from /proc/mounts), for the record."""
    try:
        mounts = [line.split() for line in Path("/proc/mounts").read_text().splitlines()]
    except OSError:
        return str(path)
    resolved = str(path.resolve())
    best = max(
        (m for m in mounts if len(m) > 2 and (resolved + "/").startswith(m[1].rstrip("/") + "/")),
        key=lambda m: len(m[1]),
        default=None,
    )
    return f"{path} ({best[2]})" if best else str(path)


def code_warning(results: dict[int, SizeResult]) -> list[str]:
    fingerprints = {code for r in results.values() for code in r.code}
    if len(fingerprints) <= 1:
        return []
    return [
        "**Warning: the exilecases code changed during this run** (see the fingerprint of "
        "each size): sizes measured different code, so compare them with care, or rerun.",
        "",
    ]


def report(
    results: dict[int, SizeResult],
    args: argparse.Namespace,
    runner: Runner,
    started: dt.datetime,
    elapsed: float,
    finished: bool,
) -> str:
    lines = [
        "# exilecases benchmark results",
        "",
        f"Written by `{' '.join(['python bench/run.py', *sys.argv[1:]])}` "
        f"in {elapsed / 60:.1f} min"
        + ("" if finished else " (**incomplete**: the run was still going or was stopped)")
        + ". How to rerun and what each row means: [README.md](README.md).",
        "",
        *code_warning(results),
        "## Machine",
        "",
        *machine(runner, started, args.start_load),
        "",
        "## Targets",
        "",
        "Computed from the tables below (medians); `not measured` means the run did not "
        "include that size.",
        "",
        "| target | at | measured | verdict |",
        "|---|--:|---|---|",
    ]
    for target in targets(results):
        verdict = (
            f"**{target.verdict}**" if target.verdict in ("PASS", "FAIL") else (target.verdict)
        )
        lines.append(f"| {target.text} | {target.n:,} | {target.measured} | {verdict} |")
    lines += [
        "",
        "## Results",
        "",
        "Wall time of the whole process (start-up included), median, min and max over the "
        "timed runs; peak RSS is the median of the runs' peaks. Ratios divide the median by "
        "the median of the baseline in the same table. `cold`: the index deleted before each "
        "run; `warm`: the index built by an untimed run first.",
        "",
    ]
    for n in sorted(results):
        lines += size_section(results[n], args.runs)
    return "\n".join(lines).rstrip() + "\n"


#: A section of the results file that another script writes (``scale.py``): kept as it is.
KEPT_SECTION = "## Speed at real scale"


def kept_sections(path: Path) -> str:
    """The part of the results file from ``KEPT_SECTION`` on, to be written back."""
    try:
        text = path.read_text("utf-8")
    except OSError:
        return ""
    at = text.find(KEPT_SECTION)
    return "" if at < 0 else "\n" + text[at:]


# --- main ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark exilecases on synthetic repositories (see bench/README.md)."
    )
    parser.add_argument(
        "--sizes",
        default=None,
        help="comma-separated case counts (default: 1000,10000,100000)",
    )
    parser.add_argument("--runs", type=int, default=None, help="timed runs per command (5)")
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="generate the repositories in DIR and keep them (reused by later runs)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="the results file (default: bench/RESULTS.md; none with --quick)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 1,000 cases, 3 runs, no results file"
    )
    parser.add_argument("--seed", type=int, default=0, help="generator seed (0)")
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds before one process is killed"
    )
    parser.add_argument(
        "--no-gnu-time",
        action="store_true",
        help="read peak RSS through a Python fork/wait4 wrapper even where GNU time works",
    )
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = "1000" if args.quick else ",".join(map(str, DEFAULT_SIZES))
    try:
        args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes takes numbers separated by commas, e.g. 1000,10000")
    if not args.sizes or min(args.sizes) < 1:
        parser.error("--sizes needs at least one positive number")
    if args.runs is None:
        args.runs = 3 if args.quick else 5
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.out is None and not args.quick:
        args.out = BENCH / "RESULTS.md"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.start_load = load_average()
    started = dt.datetime.now(dt.UTC)
    began = time.perf_counter()
    runner = Runner(args.timeout, use_time=not args.no_gnu_time)
    print(f"exilecases benchmark: sizes {args.sizes}, {args.runs} runs each; {runner.method}")
    print(f"command: {' '.join(exilecases_command())}")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        parent = args.keep.resolve()
    else:
        parent = Path(tempfile.mkdtemp(prefix="exilecases-bench-"))
    runner.repositories = parent
    results: dict[int, SizeResult] = {}
    finished = False
    try:
        for n in args.sizes:
            results[n] = bench_size(n, args, parent, runner)
            print()
            print("\n".join(size_table(results[n])), flush=True)
            if args.out:
                text = report(
                    results, args, runner, started, time.perf_counter() - began, finished=False
                )
                args.out.write_text(text + kept_sections(args.out), encoding="utf-8")
        finished = True
    except KeyboardInterrupt:
        print("\ninterrupted; writing what was measured", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(parent, ignore_errors=True)
    elapsed = time.perf_counter() - began
    print("\nTargets:")
    for target in targets(results):
        print(f"  {target.verdict:<12} {target.text} at {target.n:,}: {target.measured}")
    if args.out:
        args.out.write_text(
            report(results, args, runner, started, elapsed, finished) + kept_sections(args.out),
            encoding="utf-8",
        )
        print(f"\nwritten {args.out} ({elapsed / 60:.1f} min in all)")
    else:
        print(f"\n{elapsed / 60:.1f} min in all (no results file: --quick without --out)")
    return 0 if finished else 130


if __name__ == "__main__":
    sys.exit(main())
