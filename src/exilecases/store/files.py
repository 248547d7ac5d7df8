"""The case repository on disk: finding it, listing case files, safe paths (writing is
``store/write``'s job)."""

from __future__ import annotations

import os
from pathlib import Path

from exilecases.errors import ExilecasesError

CASES_DIR = Path("data") / "cases"
ROOT_ENV = "EXILECASES_ROOT"
#: The largest case file the tool reads; a case is a few kilobytes.
MAX_FILE_BYTES = 1_000_000

_HOW_TO_POINT = (
    "run the command inside a case repository (a folder holding data/cases/), "
    f"pass --root DIR, or set {ROOT_ENV}=DIR; `exilecases init DIR` makes a new one"
)


def find_root(root: Path | None = None, cwd: Path | None = None) -> Path:
    """The case repository: ``root``, else ``$EXILECASES_ROOT``, else the nearest folder at
    or above ``cwd`` that holds ``data/cases/``.

    Raises ``ExilecasesError`` naming the three ways to point at one.
    """
    if root is None and os.environ.get(ROOT_ENV):
        root = Path(os.environ[ROOT_ENV])
    if root is not None:
        root = root.expanduser().resolve()
        if not (root / CASES_DIR).is_dir():
            raise ExilecasesError(f"{root} holds no {CASES_DIR}/ folder; {_HOW_TO_POINT}", 2)
        return root
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CASES_DIR).is_dir():
            return folder
    raise ExilecasesError(f"no case repository at or above {here}; {_HOW_TO_POINT}", 2)


def cases_dir(root: Path) -> Path:
    """``<root>/data/cases``."""
    return root / CASES_DIR


def case_files(root: Path) -> list[Path]:
    """Every ``*.toml`` file directly in ``data/cases/``, sorted by name.

    A symbolic link is listed only when it points inside ``data/cases/``: a case file must
    not pull in a file from elsewhere on the machine.
    """
    folder = cases_dir(root)
    inside = folder.resolve()
    files = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if not entry.name.endswith(".toml") or entry.name.startswith("."):
                continue
            if entry.is_symlink():
                target = Path(entry.path).resolve()
                if target.parent != inside or not target.is_file():
                    continue
            elif not entry.is_file():
                continue
            files.append(Path(entry.path))
    files.sort(key=lambda p: p.name)
    return files


def relative(root: Path, path: Path) -> str:
    """``path`` relative to the repository, with forward slashes (as findings show it)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def check_id(case_id: str) -> str:
    """Refuse an id that is not a plain case id (no ``/``, ``..`` or capitals).

    Ids come from users and end up in paths, so they are treated as hostile.
    """
    from exilecases.format.model import ID_PATTERN, ID_RULE

    if not ID_PATTERN.match(case_id):
        raise ExilecasesError(f"{case_id!r} is not a case id: an id is {ID_RULE}", 2)
    return case_id


def case_path(root: Path, case_id: str) -> Path:
    """The file of the case ``case_id`` (which need not exist yet)."""
    return cases_dir(root) / f"{check_id(case_id)}.toml"
