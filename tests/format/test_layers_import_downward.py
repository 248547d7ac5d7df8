"""The one-way arrows of architecture.md: ``format/`` imports nothing from ``store/``,
``ops/`` or ``cli/``; ``store/`` nothing from ``ops/`` or ``cli/``; ``ops/`` nothing from
``cli/``; the library's ``repository.py`` neither typer nor rich. Checked on the source
(every import statement, those inside functions included) and by importing each module."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import exilecases

PACKAGE = Path(exilecases.__file__).parent

#: What each part of the package never imports (architecture.md's table).
NEVER = {
    "format": ("exilecases.store", "exilecases.ops", "exilecases.cli"),
    "store": ("exilecases.ops", "exilecases.cli"),
    "ops": ("exilecases.cli",),
    "repository.py": ("typer", "rich", "exilecases.cli"),
}


def _modules(part: str) -> list[Path]:
    where = PACKAGE / part
    return [where] if where.is_file() else sorted(where.glob("*.py"))


def imported_names(source: str) -> list[tuple[int, str]]:
    """Every module an import statement of ``source`` names, with its line (relative
    imports resolved against the package ``exilecases.<part>``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.append((node.lineno, "." * node.level + (node.module or "")))
            else:
                found.append((node.lineno, node.module or ""))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.append((node.lineno, str(node.args[0].value)))
    return found


def _breaks(name: str, forbidden: tuple[str, ...]) -> bool:
    return name.startswith(".") or any(
        name == prefix or name.startswith(prefix + ".") for prefix in forbidden
    )


@pytest.mark.parametrize("part", sorted(NEVER))
def test_no_module_imports_against_the_arrows(part: str) -> None:
    wrong = [
        f"{path.relative_to(PACKAGE)}:{line}: imports {name}"
        for path in _modules(part)
        for line, name in imported_names(path.read_text("utf-8"))
        if _breaks(name, NEVER[part])
    ]
    assert _modules(part) and not wrong, "\n".join(wrong)


def test_the_check_sees_an_import_inside_a_function() -> None:
    source = "def f():\n    from exilecases.store.files import read_regular\n"
    assert imported_names(source) == [(2, "exilecases.store.files")]
    assert _breaks("exilecases.store.files", NEVER["format"])
    assert not _breaks("exilecases.storehouse", NEVER["format"])


def test_importing_every_format_module_loads_no_store_ops_or_cli() -> None:
    names = [f"exilecases.format.{path.stem}" for path in _modules("format")]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('exilecases.store', "
        "'exilecases.ops', 'exilecases.cli'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
