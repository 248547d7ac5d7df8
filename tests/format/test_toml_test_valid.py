"""The valid files of the public toml-test suite (TOML 1.0) as an oracle.

Every file listed in ``files-toml-1.0.0`` is parsed by tomllib and checked against the
suite's ``.json`` expectation; then the canonical writer writes it and tomllib reads the
same values back; ``fmt``'s formatter gives the same values too, every comment kept; and the
statement scanner (finding positions, comment-keeping edits) splits it into statements that
give back the file, each naming a key path that is in the data. The two files that start
with a byte-order mark are read as exilecases reads case files: without the BOM.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from typing import Any

import pytest
from toml_oracle import assert_statements_rebuild, tagged

from conftest import SHARED
from exilecases.format.canonical import canonical_text
from exilecases.format.scan import Scanner
from exilecases.ops.edit import format_text

SUITE = SHARED / "toml-test" / "tests"
LISTING = SUITE / "files-toml-1.0.0"
FILES = (
    [line for line in LISTING.read_text().split() if re.fullmatch(r"valid/.+\.toml", line)]
    if LISTING.is_file()
    else []
)
pytestmark = pytest.mark.skipif(not FILES, reason="../shared/toml-test is not here")
BOM = "\ufeff"


def _read(name: str) -> str:
    return (SUITE / name).read_bytes().decode("utf-8").removeprefix(BOM)


def _fraction(text: str) -> str:
    """Seconds cut to microseconds, as tomllib reads them (``.123456789`` -> ``.123456``)."""
    return re.sub(r"(\.\d{6})\d+", r"\1", text)


def _decode(typed: Any) -> Any:
    """A value of the suite's JSON encoding as Python: ``{"type": ..., "value": "..."}``
    leaves, lists and tables."""
    if isinstance(typed, list):
        return [_decode(item) for item in typed]
    leaf = set(typed) == {"type", "value"} and all(isinstance(v, str) for v in typed.values())
    if not leaf:
        return {key: _decode(value) for key, value in typed.items()}
    kind, value = typed["type"], typed["value"]
    if kind == "string":
        return value
    if kind == "integer":
        return int(value)
    if kind == "float":
        return float(value.removeprefix("+"))
    if kind == "bool":
        return {"true": True, "false": False}[value]
    if kind in ("datetime", "datetime-local"):
        return dt.datetime.fromisoformat(_fraction(value))
    if kind == "date-local":
        return dt.date.fromisoformat(value)
    if kind == "time-local":
        return dt.time.fromisoformat(_fraction(value))
    raise AssertionError(f"unknown type {kind!r} in the suite")


def _comments(text: str) -> list[str]:
    """Every comment of a text (own lines, after values, inside arrays), sorted."""
    found = []
    for statement in Scanner(text).statements():
        if statement.kind == "comment":
            found.append(statement.code.strip())
        found.extend(c.strip() for c in [statement.comment, *statement.inner] if c)
    return sorted(found)


@pytest.mark.parametrize("name", FILES)
def test_valid_file_round_trips_through_writer_and_scanner(name: str) -> None:
    text = _read(name)
    data = tomllib.loads(text)
    expected = json.loads((SUITE / name).with_suffix(".json").read_text(encoding="utf-8"))
    assert tagged(data) == tagged(_decode(expected))

    written = canonical_text(data)
    assert tagged(tomllib.loads(written)) == tagged(data)
    assert canonical_text(tomllib.loads(written)) == written

    formatted = format_text(text)
    assert tagged(tomllib.loads(formatted)) == tagged(data)
    assert format_text(formatted) == formatted
    assert _comments(formatted) == _comments(text)

    assert_statements_rebuild(text, data)
    assert_statements_rebuild(written, data)


@pytest.mark.parametrize("name", FILES)
def test_valid_file_with_windows_line_endings(name: str) -> None:
    """The same files with CRLF line endings (as saved on Windows): the scanner and the
    formatter handle them alike."""
    text = _read(name)
    if "\r" in text:
        pytest.skip("the file has carriage returns of its own")
    crlf = text.replace("\n", "\r\n")
    data = tomllib.loads(crlf)
    assert tagged(data) == tagged(tomllib.loads(text))
    assert_statements_rebuild(crlf, data)
    formatted = format_text(crlf)
    assert tagged(tomllib.loads(formatted)) == tagged(data)
    assert format_text(formatted) == formatted


def test_the_suite_is_all_there() -> None:
    """The listing names the 210 valid files, two of them with a byte-order mark; a
    missing or truncated copy fails here instead of passing on fewer files."""
    assert len(FILES) == 210
    with_bom = [name for name in FILES if (SUITE / name).read_bytes().startswith(b"\xef\xbb\xbf")]
    assert sorted(with_bom) == ["valid/utf8-bom-01.toml", "valid/utf8-bom-02.toml"]
