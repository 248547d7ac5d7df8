"""Every output is public unless --private: list, show, search, export and stats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES

SECRET_CASE = """id = "secret-case"
name = "Secret Case"
origin_country = "RU"
host_country = "KZ"
status = "detained"
born = "1990-04-01"

[[contacts]]
name = "Open Lawyer"
role = "lawyer"

[private]
status = "left_country"
notes = "QXnotesQX"

[[private.contacts]]
name = "QXsisterQX"
role = "relative"

[[private.events]]
date = "2029-04"
type = "departure"
outcome = "left_country"
note = "QXrelocationQX"
"""


@pytest.fixture
def root(repo) -> Path:
    built = repo(FIXTURES / "valid")
    (built / "data/cases/secret-case.toml").write_text(SECRET_CASE)
    return built


def test_list_json_is_public_unless_private(root: Path, cli) -> None:
    public = cli("list", "--format", "json", "--root", root)
    assert "QX" not in public.stdout and "1990-04-01" not in public.stdout
    assert "note:" not in public.stderr
    private = cli("list", "--format", "json", "--private", "--root", root)
    assert "QXsisterQX" in private.stdout
    assert "reading the case files, not the index" in private.stderr


def test_show_table_marks_private_parts_and_show_public_previews(root: Path, cli) -> None:
    table = cli("show", "secret-case", "--root", root).stdout
    assert "QXsisterQX, relative  (private)" in table
    assert "QXrelocationQX" in table and "real status" in table and "left_country" in table
    assert "1990-04-01  (private)" in table
    preview = cli("show", "secret-case", "--public", "--root", root).stdout
    assert "QX" not in preview and "1990" not in preview and "public view" in preview
    for output in ("json", "toml"):
        shown = cli("show", "secret-case", "--format", output, "--root", root)
        assert "QX" not in shown.stdout
        whole = cli("show", "secret-case", "--format", output, "--private", "--root", root)
        assert "QXnotesQX" in whole.stdout and "--private" in whole.stderr
    both = cli("show", "secret-case", "--public", "--private", "--root", root)
    assert both.exit_code == 2


def test_search_and_stats_see_private_data_only_when_asked(root: Path, cli) -> None:
    assert json.loads(cli("search", "QXsisterQX", "--format", "json", "--root", root).stdout) == []
    hits = cli("search", "QXsisterQX", "--format", "json", "--private", "--root", root)
    assert [hit["id"] for hit in json.loads(hits.stdout)] == ["secret-case"]
    public = json.loads(cli("stats", "--by", "status", "--format", "json", "--root", root).stdout)
    assert "left_country" not in json.dumps(public)
    private = cli("stats", "--by", "status", "--format", "json", "--private", "--root", root)
    assert {"status": "left_country", "count": 1} in json.loads(private.stdout)["rows"]


def test_export_public_is_the_default_and_both_flags_are_refused(root: Path, cli) -> None:
    plain = cli("export", "--root", root)
    assert plain.stdout == cli("export", "--public", "--root", root).stdout
    assert "QX" not in plain.stdout
    whole = cli("export", "--private", "--root", root)
    assert "QXrelocationQX" in whole.stdout
    assert cli("export", "--public", "--private", "--root", root).exit_code == 2
