"""Helpers of the writer and scanner tests: exact comparison of TOML values, and the
statement scanner's contract."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from exilecases.format.scan import Scanner


def tagged(value: Any) -> Any:
    """The value with every leaf tagged by its type, so that ``==`` is exact: ``True`` is
    not ``1``, ``-0.0`` is not ``0.0``, ``nan`` equals ``nan``, and a datetime keeps its
    offset (``09:00+01:00`` is not ``08:00Z``)."""
    if isinstance(value, dict):
        return {key: tagged(item) for key, item in value.items()}
    if isinstance(value, list):
        return [tagged(item) for item in value]
    if isinstance(value, float):
        return ("float", "nan" if math.isnan(value) else repr(value))
    if isinstance(value, dt.date | dt.time):
        return (type(value).__name__, value.isoformat())
    return (type(value).__name__, value)


def assert_statements_rebuild(text: str, data: dict[str, Any]) -> None:
    """The scanner's contract on a text tomllib read as ``data``: its statements, in
    order, cover every line exactly once (their lines concatenated are the text); each pair
    and header names a key path that is in the data; a trailing comment starts with ``#``
    and stands on the statement's last line after its code."""
    lines = text.split("\n")
    lines = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    statements = Scanner(text).statements()
    rebuilt = "".join("".join(lines[s.first : s.last + 1]) for s in statements)
    assert rebuilt == text
    for statement in statements:
        last = lines[statement.last].removesuffix("\n").removesuffix("\r")
        if statement.kind == "comment":
            assert statement.code.lstrip(" \t").startswith("#"), statement
            continue
        if not statement.real:
            assert not last.strip(" \t"), statement
            continue
        node: Any = data
        for part in statement.path:
            assert isinstance(node, dict | list), (statement.path, text)
            node = node[part]
        if statement.comment:
            assert statement.comment.startswith("#"), statement
            assert last == statement.code + statement.gap + statement.comment, statement
        else:
            assert last.startswith(statement.code), statement
