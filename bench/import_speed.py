"""How long ``import`` takes for a large sheet, against writing the same cases with ``add``'s
writer directly (target: within 2x).

Makes a CSV of N rows (default 10,000) with Russian headers, a status in words, two
articles in one cell, a detention date written ``31.03.2025``, a court and a private phone
(unique names from ``bench/generate.py``'s namer, so the duplicate rule stays quiet), then:

1. ``import``: ``ops/importer.import_sheet`` into an empty repository (read, map, check
   every row with the validator and the duplicate rule, write every file through the one
   write path);
2. ``add``'s writer: the same N cases (read back from step 1's files) written into another
   empty repository with ``ops/newcase.write_new_case``, one call per case, as ``add`` and
   ``Repository.add`` write;
3. ``import --dry-run`` of the same sheet into a third repository (everything but the
   writes).

Both write paths flush every file to disk. Each step runs ``--runs`` times on fresh
repositories; the medians are printed, and the files of steps 1 and 2 are compared byte
for byte. ``python bench/import_speed.py [--rows N] [--runs R]``.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import _Namer

MAPPING = """\
[source]
date_format = "DD.MM.YYYY"
id_column = "№"

[defaults]
origin_country = "RU"
host_country = "KZ"

[columns]
"ФИО" = "name"
"ФИО (кириллица)" = "name_original"
"Статус" = { field = "status", values = { "задержан" = "detained", "депортирован" = "deported" } }
"Статья" = { field = "charges.basis", split = ";", prefix = "RU-CC-" }
"Дата задержания" = { field = "events", type = "detention" }
"Суд" = { field = "events.authority", of = "Дата задержания" }
"Телефон" = "private.phone"
"""


def make_sheet(folder: Path, rows: int) -> tuple[Path, Path]:
    namer = _Namer(rows, 0)
    sheet = folder / "cases.csv"
    with sheet.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(["№", "ФИО", "ФИО (кириллица)", "Статус", "Статья", "Дата задержания",
                         "Суд", "Телефон"])  # fmt: skip
        for index in range(rows):
            latin, cyrillic = namer.stem(index)
            writer.writerow(
                [
                    index + 1,
                    f"Ivan {latin.capitalize()}",
                    f"Иван {cyrillic.capitalize()}",
                    "задержан" if index % 3 else "депортирован",
                    "338; 275",
                    f"{1 + index % 28:02d}.{1 + index % 12:02d}.2025",
                    "Суд Астаны",
                    f"+7 701 {index:07d}",
                ]
            )
    mapping = folder / "map.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return sheet, mapping


def fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "data" / "cases").mkdir(parents=True)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    import os

    os.environ["EXILECASES_NO_CACHE"] = "1"  # an empty repository: nothing to cache
    from exilecases.format.vocabulary import default_vocabulary
    from exilecases.ops.importer import import_sheet
    from exilecases.ops.newcase import write_new_case

    vocabulary = default_vocabulary()
    work = Path(tempfile.mkdtemp(prefix="exilecases-import-bench-"))
    try:
        sheet, mapping = make_sheet(work, args.rows)
        times: dict[str, list[float]] = {"import": [], "add's writer": [], "import --dry-run": []}
        for _ in range(args.runs):
            a = fresh(work / "a")
            start = time.perf_counter()
            report = import_sheet(a, sheet, mapping, vocabulary)
            times["import"].append(time.perf_counter() - start)
            assert report.errors == 0 and len(report.created) == args.rows, report.findings[:3]
            files = sorted((a / "data" / "cases").glob("*.toml"))
            cases = [tomllib.loads(p.read_text("utf-8")) for p in files]
            b = fresh(work / "b")
            start = time.perf_counter()
            for case in cases:
                write_new_case(b, case, vocabulary)
            times["add's writer"].append(time.perf_counter() - start)
            for path in files:
                twin = b / "data" / "cases" / path.name
                assert twin.read_bytes() == path.read_bytes(), path.name
            c = fresh(work / "c")
            start = time.perf_counter()
            import_sheet(c, sheet, mapping, vocabulary, dry_run=True)
            times["import --dry-run"].append(time.perf_counter() - start)
        medians = {name: statistics.median(values) for name, values in times.items()}
        for name, value in medians.items():
            spread = ", ".join(f"{v:.2f}" for v in times[name])
            print(f"{name:18} {value:7.2f} s  (runs: {spread})")
        ratio = medians["import"] / medians["add's writer"]
        verdict = "PASS" if ratio <= 2 else "FAIL"
        print(
            f"import of {args.rows:,} rows: {ratio:.2f}x the time of add's writer for the same "
            f"cases (target: within 2x): {verdict}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
