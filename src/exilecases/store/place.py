"""Where the tool keeps its own state for a repository: never in the work tree.

A clone carries everything in the work tree, so nothing there is trusted as the tool's
state. Like git-lfs (``.git/lfs/``), the state lives inside the git directory, which no
clone or push carries: ``.git/exilecases/`` holds the repository's lock (shared by every
user, so writers of different users exclude each other) and one folder per user for that
user's index. A repository that is not in git keeps its state in the user's cache folder
(``$XDG_CACHE_HOME/exilecases/<hash of the repository's path>/``).

The temporary files of the write path are named ``.<name>.exilecases-tmp-<random>``;
``TEMPORARY_PATTERN`` is the pattern ``init`` puts into ``.git/info/exclude`` so that no
``git add`` picks one up.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

STATE_DIR_NAME = "exilecases"
LOCK_NAME = "lock"
INDEX_NAME = "index.sqlite"
#: Present once the tool has said that this clone lacks the diff driver or the hook.
SETUP_NOTED_NAME = "setup-noted"
#: Temporary files of the write path: ``.<file name>.exilecases-tmp-<random>``.
TEMPORARY_INFIX = ".exilecases-tmp-"
TEMPORARY_PATTERN = f".*{TEMPORARY_INFIX}*"
#: The folder of the first version's index, in the work tree (never read any more).
OLD_WORK_TREE_STATE = ".exilecases"


def git_dir(root: Path) -> Path | None:
    """The git directory of the work tree at ``root``, or None when ``root`` is not the top
    of a git work tree.

    Read from ``root/.git`` without running git: a folder (a normal clone) or a file
    ``gitdir: PATH`` (a worktree or submodule). A ``.git`` that is a symbolic link is not
    trusted (a clone cannot carry one, so it was made on purpose) and counts as no git.
    """
    dot_git = root / ".git"
    try:
        if dot_git.is_symlink():
            return None
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():
            text = dot_git.read_text("utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                target = Path(text.removeprefix("gitdir:").strip())
                target = target if target.is_absolute() else root / target
                return target.resolve() if target.is_dir() else None
    except OSError:
        return None
    return None


def common_git_dir(root: Path) -> Path | None:
    """The git directory that holds the configuration, hooks and ``info/`` of the work
    tree at ``root`` (a worktree's ``commondir``), or None outside git."""
    found = git_dir(root)
    if found is None:
        return None
    pointer = found / "commondir"
    try:
        if pointer.is_file():
            target = Path(pointer.read_text("utf-8").strip())
            return target if target.is_absolute() else (found / target).resolve()
    except OSError:
        pass
    return found


def _user_cache_home() -> Path:
    configured = os.environ.get("XDG_CACHE_HOME")
    return Path(configured) if configured else Path.home() / ".cache"


def state_dir(root: Path) -> Path:
    """The folder of the tool's state for ``root`` (not created here): ``.git/exilecases``
    inside git, else a folder of the user's cache named by the repository's resolved path."""
    found = git_dir(root)
    if found is not None:
        return found / STATE_DIR_NAME
    digest = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogatepass")).hexdigest()
    return _user_cache_home() / STATE_DIR_NAME / digest[:32]


def user_state_dir(root: Path) -> Path:
    """This user's own folder inside ``state_dir`` (for the index): ``<state>/<uid>``."""
    return state_dir(root) / str(os.getuid())


def index_path(root: Path) -> Path:
    """This user's index file for ``root``."""
    return user_state_dir(root) / INDEX_NAME


def lock_path(root: Path) -> Path:
    """The repository's lock file, shared by every user who writes to it."""
    return state_dir(root) / LOCK_NAME


def is_temporary(name: str) -> bool:
    """True for the name of a temporary file of the write path."""
    return name.startswith(".") and TEMPORARY_INFIX in name
