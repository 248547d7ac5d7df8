"""exilecases: a case database in plain TOML files for people at risk of forced return.

The library's face: ``Repository`` (one case repository; every command is one of its
methods), ``Filters`` (what ``list`` selects by), ``Finding`` (what ``validate`` reports)
and ``ExilecasesError`` (the one error type). They are imported on first use, so importing
the package (as the command line does) costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

if TYPE_CHECKING:
    from exilecases.errors import ExilecasesError
    from exilecases.format.findings import Finding
    from exilecases.ops.query import Filters
    from exilecases.repository import Repository

_FACE = {
    "Repository": "exilecases.repository",
    "Filters": "exilecases.ops.query",
    "Finding": "exilecases.format.findings",
    "ExilecasesError": "exilecases.errors",
}

__all__ = ["ExilecasesError", "Filters", "Finding", "Repository", "__version__"]


def __getattr__(name: str) -> Any:
    if name in _FACE:
        import importlib

        return getattr(importlib.import_module(_FACE[name]), name)
    raise AttributeError(f"module 'exilecases' has no attribute {name!r}")
