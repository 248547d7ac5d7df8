"""Arbitrary Unicode in the arguments of add, set and event add: lone surrogates (what Python
makes of bytes that are not UTF-8), control characters, escapes, bidi and zero-width
characters. Never a traceback; a refusal is one ``error:`` line with exit 1 or 2; and every
file a command writes passes ``validate``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import Result

from exilecases.format.vocabulary import default_vocabulary
from exilecases.ops.load import check_path

VOCABULARY = default_vocabulary()
ARGUMENTS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
#: Everything, surrogates and controls included, weighted towards the characters that hide.
HIDING = "\x1b \r \n \t \x00 \x7f \x9b \u202e \u2066 \u200b \ufeff \udcff \ud800 [ ] = \" \\ ' #"
HOSTILE = st.one_of(st.characters(exclude_categories=()), st.sampled_from(HIDING.split(" ")))
TEXT = st.text(HOSTILE, max_size=30)
FIELDS = st.sampled_from(["name", "risk", "summary", "aliases", "born", "status", "categories"])


def _check_result(result: Result) -> None:
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2 and result.stderr.startswith("Usage: "):
        return  # the argument parser's own refusal (a value that looks like an option)
    if result.exit_code:
        errors = [line for line in result.stderr.splitlines() if line.startswith("error")]
        assert len(errors) == 1 and errors[0].startswith("error: "), result.stderr
        assert not errors[0].startswith(("error::", "error: error")), errors[0]
    # Whatever the argument held, the messages hold no control character raw.
    assert "\x1b" not in result.stderr and "\r" not in result.stderr


def _every_case_file_passes_validate(root: Path) -> None:
    for path in sorted((root / "data" / "cases").glob("*.toml")):
        check = check_path(root, path, VOCABULARY)
        errors = [f for f in check.findings if f.severity == "error"]
        assert not errors, (path.read_text("utf-8"), errors)


@pytest.fixture
def one_case(tmp_path: Path, cli: Callable[..., Result]) -> Path:
    root = tmp_path / "repo"
    (root / "data" / "cases").mkdir(parents=True)
    result = cli(
        "add", "--name", "Test Person", "--id", "test-person", "--status", "at_risk",
        "--origin", "RU", "--host", "KZ", "--root", root,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return root


@ARGUMENTS
@given(name=TEXT, alias=TEXT, summary=TEXT, case_id=st.one_of(st.none(), TEXT))
def test_add_with_arbitrary_text(
    one_case: Path, cli: Callable[..., Result], name: str, alias: str, summary: str, case_id
) -> None:
    args = ["add", "--name", name, "--alias", alias, "--summary", summary, "--status", "at_risk"]
    args += ["--origin", "RU", "--host", "KZ", "--root", one_case]
    if case_id is not None:
        args += ["--id", case_id]
    _check_result(cli(*args))
    _every_case_file_passes_validate(one_case)


@ARGUMENTS
@given(field=st.one_of(FIELDS, TEXT), values=st.lists(TEXT, min_size=1, max_size=3))
def test_set_with_arbitrary_text(
    one_case: Path, cli: Callable[..., Result], field: str, values: list[str]
) -> None:
    _check_result(cli("set", "test-person", field, *values, "--root", one_case))
    _every_case_file_passes_validate(one_case)


@ARGUMENTS
@given(
    date=st.one_of(st.sampled_from(["2025", "2025-02-30", "2024-05?"]), TEXT),
    event_type=st.one_of(st.just("detention"), TEXT),
    note=TEXT,
    place=TEXT,
)
def test_event_add_with_arbitrary_text(
    one_case: Path, cli: Callable[..., Result], date: str, event_type: str, note: str, place: str
) -> None:
    result = cli(
        "event", "add", "test-person", "--date", date, "--type", event_type, "--note", note,
        "--place", place, "--root", one_case,
    )  # fmt: skip
    _check_result(result)
    _every_case_file_passes_validate(one_case)


def test_a_surrogate_is_refused_naming_the_option(
    one_case: Path, cli: Callable[..., Result]
) -> None:
    result = cli(
        "add", "--name", "A\udcffB", "--status", "at_risk", "--origin", "RU", "--host", "KZ",
        "--root", one_case,
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --name 'A<U+DCFF>B' holds bytes that are not UTF-8")
    result = cli("event", "add", "test-person", "--date", "2025", "--type", "detention",
                 "--note", "\udcff", "--root", one_case)  # fmt: skip
    assert result.exit_code == 2 and result.stderr.startswith("error: --note ")
