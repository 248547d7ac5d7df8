"""The parse floor: read every case file with tomllib, count the deported.

``python bench/naive_parse.py ROOT`` prints how many files under ``ROOT/data/cases/`` have
``status = "deported"``. No validation, no cache, no third-party import: what any command
that reads every file cannot beat without an index.
"""

import sys
import tomllib
from pathlib import Path

count = 0
for path in (Path(sys.argv[1]) / "data" / "cases").glob("*.toml"):
    with path.open("rb") as stream:
        if tomllib.load(stream).get("status") == "deported":
            count += 1
print(count)
