"""Speed at real scale (issue 14): ``python bench/scale.py`` (see bench/README.md).

On repositories whose names repeat the way real names do (``collide.py``: Zipf-like
surnames and first names, second files for some people in other spellings), it runs
``validate``, ``search``, ``stats``, ``list`` and ``export --format sqlite`` as separate
processes, next to their floors measured in the same run: ``import typer``, the naive
parse-all (``naive_parse.py``), ``rg -il`` for the searched name (the I/O floor of a
search) and the ``sqlite3`` command running the same GROUP BY as ``stats --by basis`` on
the exported SQLite file. Wall time, CPU time (user + system: the machine may be shared)
and peak memory; the issue's targets with PASS/FAIL computed from the medians. The report
replaces the section "Speed at real scale" of ``bench/RESULTS.md`` (``run.py`` keeps it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from collide import generate_collisions  # noqa: E402
from run import (  # noqa: E402
    CLEARED_ENV,
    SETTLE_SECONDS,
    Row,
    Runner,
    code_fingerprint,
    exilecases_command,
    git_revision,
    load_average,
    measure,
    ms,
)

#: The heading of the section this script writes into RESULTS.md.
SECTION = "## Speed at real scale (issue 14)"
#: The same count as ``stats --by basis`` (a case once under each basis, NULL for none),
#: over the exported SQLite file.
GROUP_BY = (
    "SELECT b.basis, count(*) FROM cases LEFT JOIN "
    "(SELECT DISTINCT case_id, basis FROM charges) b ON b.case_id = cases.id "
    "GROUP BY b.basis ORDER BY 2 DESC"
)


def repository(n: int, seed: int, parent: Path) -> tuple[Path, bool]:
    """A Zipf-named repository of ``n`` cases (a git repository, as real ones are), reused
    when its size, seed and generator are unchanged; True when it was generated now."""
    root = parent / f"zipf-{n}-seed{seed}"
    marker = root / ".bench-generated.json"
    generator = hashlib.sha256(
        (BENCH / "generate.py").read_bytes() + (BENCH / "collide.py").read_bytes()
    ).hexdigest()[:16]
    stamp = {"n": n, "seed": seed, "generator": generator}
    if marker.is_file() and json.loads(marker.read_text()) == stamp:
        return root, False
    generate_collisions(root, n, seed)
    if not (root / ".git").exists():
        import subprocess

        subprocess.run(["git", "init", "-q", str(root)], check=True)
    marker.write_text(json.dumps(stamp))
    return root, True


def surname(root: Path) -> str:
    """The surname of the case in the middle of the listing (a common one, repeated)."""
    names = sorted(p.name for p in (root / "data" / "cases").glob("*.toml"))
    return names[len(names) // 2].split("-")[0].capitalize()


def rows_for(root: Path, name: str, database: Path) -> list[Row]:
    exe = exilecases_command()
    cases = str(root / "data" / "cases")
    rows = [
        Row("typer", 'python -c "import typer"', "", [sys.executable, "-c", "import typer"]),
        Row("help", "exilecases --help", "", [*exe, "--help"]),
        Row(
            "naive",
            "python bench/naive_parse.py ROOT",
            "",
            [sys.executable, str(BENCH / "naive_parse.py"), str(root)],
        ),
        Row(
            "stat",
            "python bench/stat_floor.py ROOT",
            "",
            [sys.executable, str(BENCH / "stat_floor.py"), str(root)],
        ),
        Row("validate_cold", "exilecases validate", "cold", [*exe, "validate"]),
        Row("validate_warm", "exilecases validate", "warm", [*exe, "validate"]),
        Row("rg", f"rg -il {name} ROOT/data/cases", "", ["rg", "-il", name, cases]),
        Row(
            "search",
            f"exilecases search {name} --format json",
            "warm",
            [*exe, "search", name, "--format", "json"],
        ),
        Row(
            "stats",
            "exilecases stats --by basis --format json",
            "warm",
            [*exe, "stats", "--by", "basis", "--format", "json"],
        ),
        Row(
            "list",
            "exilecases list --status deported --format json",
            "warm",
            [*exe, "list", "--status", "deported", "--format", "json"],
        ),
        Row(
            "due",
            "exilecases due --format json",
            "warm",
            [*exe, "due", "--format", "json"],
        ),
        Row(
            "export",
            "exilecases export --format sqlite -o FILE --overwrite",
            "warm",
            [*exe, "export", "--format", "sqlite", "-o", str(database), "--overwrite"],
        ),
        Row("sqlite3", "sqlite3 FILE 'SELECT basis, count(*) ... GROUP BY basis'", "", []),
    ]
    rows[-1].argv = ["sqlite3", str(database), GROUP_BY]
    for row in rows:
        if row.key in ("typer", "naive", "stat", "rg", "sqlite3"):
            row.kind = "baseline"
    if not shutil.which("rg"):
        rg = next(row for row in rows if row.key == "rg")
        rg.state, rg.note = "n/a", "ripgrep not installed"
    if not shutil.which("sqlite3"):
        rows[-1].state, rows[-1].note = "n/a", "the sqlite3 command is not installed"
    return rows


def w104_per_file(stdout: str) -> tuple[int, int]:
    """(W104 lines, the most W104 lines of one file) in ``validate``'s output."""
    files = Counter(line.split(":", 1)[0] for line in stdout.splitlines() if " W104: " in line)
    return sum(files.values()), max(files.values(), default=0)


def bench(n: int, args: argparse.Namespace, parent: Path, runner: Runner) -> dict:
    began = time.perf_counter()
    root, generated = repository(n, args.seed, parent)
    if generated:
        time.sleep(SETTLE_SECONDS)
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env["EXILECASES_ROOT"] = str(root)
    env.setdefault("COLUMNS", "120")
    name = surname(root)
    rows = rows_for(root, name, parent / f"zipf-{n}.sqlite")
    print(f"\n== {n:,} Zipf-named cases ({root}), search for {name} ==", flush=True)
    before = code_fingerprint()
    for row in rows:
        # The cold and warm validate, the export and the GROUP BY run once or twice fewer at
        # large sizes: each takes long and their spread is small next to the machine's noise.
        runs = args.runs if row.key not in ("validate_cold", "naive", "export") else args.slow_runs
        measure(row, runner, env, root, runs)
        print("  " + line(row), flush=True)
    result = {
        "n": n,
        "name": name,
        "rows": rows,
        "code": (before, code_fingerprint()),
        "seconds": time.perf_counter() - began,
        "w104": w104_per_file(next(r for r in rows if r.key == "validate_cold").first_stdout),
        "disk": sum(p.stat().st_size for p in (root / "data" / "cases").glob("*.toml")),
    }
    hits = next(r for r in rows if r.key == "search").first_stdout
    try:
        result["hits"] = len(json.loads(hits))
    except ValueError:
        result["hits"] = None
    return result


def line(row: Row) -> str:
    label = f"{row.label} ({row.cache})" if row.cache else row.label
    if row.state != "ok":
        return f"{label:<60} {row.state}: {row.note}"
    rss = f"{row.rss_median:.0f} MB" if row.rss_median is not None else "? MB"
    return f"{label:<60} wall {ms(row.median):>8} ms  cpu {ms(row.cpu_median):>8} ms  {rss:>8}"


def table(result: dict) -> list[str]:
    lines = [
        "| command | index | wall ms, median (min-max) | CPU ms, median | peak RSS MB | runs |",
        "|---|---|--:|--:|--:|--:|",
    ]
    for row in result["rows"]:
        if row.state != "ok":
            lines.append(f"| `{row.label}` | {row.cache} | {row.state}: {row.note} | | | |")
            continue
        rss = f"{row.rss_median:.0f}" if row.rss_median is not None else "n/a"
        lines.append(
            f"| `{row.label}` | {row.cache} | {ms(row.median)} ({ms(min(row.walls))}-"
            f"{ms(max(row.walls))}) | {ms(row.cpu_median)} | {rss} | {len(row.walls)} |"
        )
    return lines


def targets(results: dict[int, dict]) -> list[tuple[str, int, str, str]]:
    """The issue's targets: (text, size, measured, verdict) from the medians."""

    def row(n: int, key: str) -> Row | None:
        return next((r for r in results[n]["rows"] if r.key == key), None) if n in results else None

    def value(n: int, key: str, what: str = "median") -> float | None:
        found = row(n, key)
        return getattr(found, what) if found is not None else None

    found = []

    def ratio_target(text: str, n: int, key: str, base: str, limit: float) -> None:
        if n not in results:
            found.append((text, n, "", "not measured"))
            return
        mine, floor = value(n, key), value(n, base)
        cpu, cpu_floor = value(n, key, "cpu_median"), value(n, base, "cpu_median")
        if not mine or not floor:
            found.append((text, n, "", "n/a"))
            return
        shown = f"wall {mine / floor:.2f}x ({ms(mine)} / {ms(floor)} ms)"
        if cpu and cpu_floor:
            shown += f"; CPU {cpu / cpu_floor:.2f}x"
        found.append((text, n, shown, "PASS" if mine / floor <= limit else "FAIL"))

    def under(text: str, n: int, key: str, limit: float, rss_limit: float | None = None) -> None:
        if n not in results:
            found.append((text, n, "", "not measured"))
            return
        wall, cpu, rss = value(n, key), value(n, key, "cpu_median"), value(n, key, "rss_median")
        if wall is None:
            found.append((text, n, "", "n/a"))
            return
        shown = f"wall {ms(wall)} ms, CPU {ms(cpu)} ms" + (f", {rss:.0f} MB" if rss else "")
        ok = wall < limit and (rss_limit is None or (rss is not None and rss < rss_limit))
        found.append((text, n, shown, "PASS" if ok else "FAIL"))

    ratio_target("cold `validate` within 1.5x the naive parse-all", 10_000, "validate_cold",
                 "naive", 1.5)  # fmt: skip
    under("warm `validate` under 0.5 s", 10_000, "validate_warm", 0.5)
    if 10_000 in results:
        lines, most = results[10_000]["w104"]
        verdict = "PASS" if most <= 1 else "FAIL"
        found.append(("at most one W104 per file", 10_000, f"{lines:,} W104, at most {most} a file",
                      verdict))  # fmt: skip
    else:
        found.append(("at most one W104 per file", 10_000, "", "not measured"))
    ratio_target("warm `list` within 1.6x `--help`", 10_000, "list", "help", 1.6)
    under("warm `search` under 0.5 s and 300 MB", 100_000, "search", 0.5, 300)
    under("warm `stats --by basis` under 1 s", 100_000, "stats", 1.0)
    under("warm `list --status deported --format json` under 0.5 s", 100_000, "list", 0.5)
    ratio_target("cold `validate` within 1.3x the naive parse-all", 100_000, "validate_cold",
                 "naive", 1.3)  # fmt: skip
    return found


def report(results: dict[int, dict], args: argparse.Namespace, elapsed: float) -> str:
    lines = [
        SECTION,
        "",
        f"Written by `python bench/scale.py {' '.join(sys.argv[1:])}` in {elapsed / 60:.1f} min "
        f"on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, exilecases{git_revision()}; load "
        f"average (1 min) {args.start_load} at the start, {load_average()} at the end. "
        "Repositories from `bench/collide.py` (Zipf-like names, 5 % second files in other "
        "spellings). The machine is shared with other people's test runs: wall times are "
        "noisy, CPU times (user + system, worker processes included) less so; compare "
        "ratios within one table. How to rerun: [README.md](README.md).",
        "",
        "| target | at | measured | verdict |",
        "|---|--:|---|---|",
    ]
    for text, n, shown, verdict in targets(results):
        bold = f"**{verdict}**" if verdict in ("PASS", "FAIL") else verdict
        lines.append(f"| {text} | {n:,} | {shown} | {bold} |")
    lines.append("")
    for n in sorted(results):
        result = results[n]
        w104, most = result["w104"]
        code = result["code"]
        lines += [
            f"### {n:,} Zipf-named cases",
            "",
            f"{result['disk'] / 1e6:.1f} MB of case files; `validate` printed {w104:,} W104 "
            f"(at most {most} per file); `search {result['name']}` found {result['hits']} "
            f"cases; measured in {result['seconds']:.0f} s; code "
            + (f"`{code[0]}`" if code[0] == code[1] else f"**changed** `{code[0]}`->`{code[1]}`")
            + ".",
            "",
            *table(result),
            "",
        ]
    notes = BENCH / "SCALE-NOTES.md"
    if notes.is_file():
        lines += ["", notes.read_text("utf-8").strip()]
    return "\n".join(lines).rstrip() + "\n"


def write_section(path: Path, section: str) -> None:
    """Replace (or add) this script's section of ``path``, keeping the rest."""
    text = path.read_text("utf-8") if path.exists() else ""
    at = text.find(SECTION)
    kept = text if at < 0 else text[:at]
    path.write_text(kept.rstrip() + "\n\n" + section, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of the quick rows")
    parser.add_argument(
        "--slow-runs", type=int, default=3, help="timed runs of cold validate, naive, export"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the repositories in DIR")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args(argv)
    args.start_load = load_average()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    runner = Runner(args.timeout)
    parent = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="exilecases-"))
    parent.mkdir(parents=True, exist_ok=True)
    runner.repositories = parent
    began = time.perf_counter()
    results: dict[int, dict] = {}
    try:
        for n in sizes:
            results[n] = bench(n, args, parent, runner)
            write_section(args.out, report(results, args, time.perf_counter() - began))
    finally:
        if not args.keep:
            shutil.rmtree(parent, ignore_errors=True)
    for text, n, shown, verdict in targets(results):
        print(f"  {verdict:<12} {text} at {n:,}: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
