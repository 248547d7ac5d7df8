"""The generator writes valid cases: run with ``python -m pytest bench/test_generate.py``."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from generate import generate


def test_thousand_generated_cases_validate_without_findings(tmp_path: Path) -> None:
    counts = generate(tmp_path, 1000, seed=0)
    files = sorted((tmp_path / "data" / "cases").glob("*.toml"))
    assert len(files) == 1000 == sum(counts.values())
    # About one case in fifteen is deported.
    assert 1000 / 25 < counts["deported"] < 1000 / 10
    assert len(counts) >= 12  # a mix of statuses, not a handful
    # Realistic sizes: the median file is 1.5 to 3 KB.
    assert 1500 <= statistics.median(f.stat().st_size for f in files) <= 3000

    result = subprocess.run(
        [sys.executable, "-m", "exilecases", "validate", "--format", "json"],
        env={**os.environ, "EXILECASES_ROOT": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[:2000] + result.stderr[-2000:]
    assert json.loads(result.stdout) == []  # no error and no warning either


def test_generation_is_deterministic(tmp_path: Path) -> None:
    generate(tmp_path / "a", 40, seed=7)
    generate(tmp_path / "b", 40, seed=7)
    generate(tmp_path / "c", 40, seed=8)

    def texts(root: Path) -> dict[str, str]:
        return {p.name: p.read_text("utf-8") for p in (root / "data" / "cases").glob("*.toml")}

    assert texts(tmp_path / "a") == texts(tmp_path / "b")
    assert texts(tmp_path / "a") != texts(tmp_path / "c")
