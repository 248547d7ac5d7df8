"""``fmt`` on the command line: a file it cannot rewrite safely is left as it is with the
finding, and the run goes on to the other files."""

from __future__ import annotations

import tomllib
from pathlib import Path

HEAD = 'name = "Ivan Petrov"\nid = "{id}"\nstatus = "detained"\norigin_country = "RU"\n'
TAIL = 'host_country = "KZ"\n'


def _write(cases: Path, case_id: str, body: str) -> bytes:
    raw = (HEAD.format(id=case_id) + body).encode()
    (cases / f"{case_id}.toml").write_bytes(raw)
    return raw


def test_fmt_leaves_wrong_shapes_and_deep_nesting_and_formats_the_rest(repo, cli) -> None:
    root = repo()
    cases = root / "data" / "cases"
    kept = {
        "table-events": _write(
            cases, "table-events", TAIL + '[events]\ndate = "2024"\ntype = "detention"\n'
        ),
        "array-private": _write(
            cases, "array-private", TAIL + '[[private]]\nphone = "+7 700 000 00 00"\n'
        ),
        "deep-array": _write(cases, "deep-array", TAIL + "x = " + "[" * 3000 + "]" * 3000 + "\n"),
        "deep-dotted": _write(cases, "deep-dotted", TAIL + ".".join(["a"] * 3000) + " = 1\n"),
    }
    _write(cases, "plain-case", TAIL)
    _write(cases, "newline-key", TAIL + '"key\\n" = "value"\n')
    result = cli("fmt", "--root", root)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    for name, raw in kept.items():
        rel = f"data/cases/{name}.toml"
        assert (cases / f"{name}.toml").read_bytes() == raw, name
        assert f"{rel}: left as it is" in result.stderr
    assert "data/cases/table-events.toml:6:1: error E011: `events` must be an array" in (
        result.stderr
    )
    assert "data/cases/array-private.toml:6:1: error E011: `private` must be a table" in (
        result.stderr
    )
    assert "data/cases/deep-array.toml:1:1: error E005" in result.stderr
    assert "data/cases/deep-dotted.toml:1:1: error E005" in result.stderr
    assert "formatted data/cases/plain-case.toml" in result.stderr
    assert (cases / "plain-case.toml").read_text().startswith('id = "plain-case"\n')
    # A key ending in a newline: formatted to valid TOML holding the same key, or refused.
    newline = (cases / "newline-key.toml").read_text()
    assert tomllib.loads(newline)["key\n"] == "value"
    check = cli("fmt", "--check", "--root", root)
    assert check.exit_code == 1 and "Traceback" not in check.stderr
    assert "data/cases/deep-dotted.toml: left as it is" in check.stderr


def test_fmt_check_and_fmt_agree_on_a_refused_file(repo, cli) -> None:
    root = repo()
    cases = root / "data" / "cases"
    raw = _write(cases, "table-events", TAIL + '[events]\ndate = "2024"\ntype = "detention"\n')
    check = cli("fmt", "--check", "--root", root)
    assert check.exit_code == 1 and check.stdout == ""
    assert "E011" in check.stderr and "left as it is" in check.stderr
    assert (cases / "table-events.toml").read_bytes() == raw
