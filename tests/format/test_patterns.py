"""Every regular expression that validates is anchored with ``\\Z`` or ``fullmatch``.

In Python a ``$`` also matches before a trailing newline: ``re.match(r"^[a-z-]+$",
"nl-case\\n")`` succeeds, and ``add --id $'nl-case\\n'`` once created ``nl-case\\n.toml``.
A test walks the package's source with ``ast`` and fails on any regular expression literal
with a bare ``$`` that is compiled, matched or searched (tests/cli/test_newline_ids.py has
the same through the command line).
"""

from __future__ import annotations

import ast
import re

import pytest
from pydantic import ValidationError

from conftest import PROJECT
from exilecases.format.dates import DateError, normalise_date
from exilecases.format.model import ID_PATTERN, Case, Source

PACKAGE = PROJECT / "src" / "exilecases"
#: The functions of ``re`` whose pattern decides whether a text is accepted. ``fullmatch``
#: is safe with ``$`` (the newline would have to match too) and ``sub``/``split``/``find*``
#: do not validate; ``compile`` counts because the pattern can be matched later.
VALIDATING = {"compile", "match", "search"}
NL_ID = "nl-case\n"
CASE = {"id": "ab-cd", "name": "A B", "origin_country": "RU", "host_country": "KZ"}


def _pattern_text(node: ast.expr) -> str | None:
    """The text of a regex literal (an f-string's fixed parts, ``{…}`` for the rest)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else "{…}" for part in node.values
        )
    return None


def bare_dollar(pattern: str) -> bool:
    """True when ``pattern`` holds a ``$`` that is an anchor: not escaped, not in a class."""
    without = re.sub(r"\\.", "", pattern)
    without = re.sub(r"\[\^?\]?[^\]]*\]", "", without)
    return "$" in without


def _multiline(call: ast.Call) -> bool:
    flags = [*call.args[1:], *(k.value for k in call.keywords if k.arg == "flags")]
    return any("MULTILINE" in ast.unparse(flag) or ast.unparse(flag) == "re.M" for flag in flags)


def unanchored_patterns(source: str, filename: str) -> list[str]:
    """``FILE:LINE: pattern`` for every compiled, matched or searched regex literal of a
    module with a bare ``$`` (and no ``re.MULTILINE``, where ``$`` means a line's end)."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr in VALIDATING
        ):
            continue
        arguments = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "pattern")]
        for argument in arguments:
            pattern = _pattern_text(argument)
            if pattern is not None and bare_dollar(pattern) and not _multiline(node):
                found.append(f"{filename}:{node.lineno}: {pattern!r}")
    return found


def test_no_regular_expression_in_the_package_ends_in_a_bare_dollar() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 20
    found = [
        problem
        for module in modules
        for problem in unanchored_patterns(module.read_text(encoding="utf-8"), module.name)
    ]
    assert found == [], "anchor these with \\Z (or use fullmatch):\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ('re.compile(r"^[a-z]+$")', True),
        ('re.match(r"^<{7}(?: |$)", line)', True),
        ('re.search(pattern=f"^{x}$", string=s)', True),
        ('re.compile(r"^[a-z]+\\Z")', False),
        ('re.compile(r"price \\$[0-9]+")', False),
        ('re.compile(r"[$]")', False),
        ('re.fullmatch(r"[a-z]+$", s)', False),
        ('re.compile(r"^a$", re.MULTILINE)', False),
        ('re.sub(r"\\s+$", "", s)', False),
    ],
)
def test_the_check_sees_a_bare_dollar(source: str, flagged: bool) -> None:
    assert bool(unanchored_patterns(source, "x.py")) is flagged


def test_id_date_and_code_patterns_refuse_a_trailing_newline() -> None:
    assert ID_PATTERN.match("nl-case")
    assert not ID_PATTERN.match(NL_ID)
    assert not ID_PATTERN.search(NL_ID)
    with pytest.raises(DateError):
        normalise_date("2024\n-05")
    # pydantic's ``pattern=`` runs Rust's regex engine, where ``$`` is the end of the text.
    Case.model_validate({**CASE, "status": "detained"})
    with pytest.raises(ValidationError):
        Case.model_validate({**CASE, "status": "detained", "origin_country": "RU\n"})
    with pytest.raises(ValidationError):
        Source.model_validate({"id": "s", "language": "ru\n"})
