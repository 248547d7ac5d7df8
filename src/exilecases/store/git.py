"""Every call of git: through its command line (git is on every machine that holds a case
repository). No other module starts a git process."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from exilecases.errors import ExilecasesError


def _run(root: Path, args: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
    # Bytes, decoded by the caller: text mode would turn a "\r" in a commit message into a
    # line break, forging a line of output.
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except FileNotFoundError:
        raise ExilecasesError("git is not installed; install git to use this command") from None


def _failed(args: Sequence[str], completed: subprocess.CompletedProcess[bytes]) -> ExilecasesError:
    message = completed.stderr.decode("utf-8", "replace").strip()
    return ExilecasesError(f"git {args[0]} failed: {message}")


def git(root: Path, *args: str, check: bool = True) -> str:
    """Run ``git args`` in ``root`` and return its standard output.

    Raises ``ExilecasesError`` with git's own message when it fails (or is missing).
    """
    completed = _run(root, args)
    if check and completed.returncode != 0:
        raise _failed(args, completed)
    return completed.stdout.decode("utf-8", "replace")


def git_bytes(root: Path, *args: str) -> bytes:
    """Run ``git args`` in ``root`` and return its raw standard output (blobs are bytes).

    Raises ``ExilecasesError`` with git's own message when it fails (or is missing).
    """
    completed = _run(root, args)
    if completed.returncode != 0:
        raise _failed(args, completed)
    return completed.stdout


def has_commits(root: Path) -> bool:
    """True when the repository at ``root`` has a commit (HEAD names one)."""
    return bool(git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False))


def inside_work_tree(root: Path) -> bool:
    """True when ``root`` is inside a git work tree."""
    try:
        return git(root, "rev-parse", "--is-inside-work-tree", check=False).strip() == "true"
    except ExilecasesError:
        return False


def in_revision(root: Path, rev: str, rel: str) -> bool:
    """True when the file ``rel`` (relative to ``root``) exists in revision ``rev``; False
    also when ``rev`` names nothing yet (HEAD of a repository without a commit)."""
    return bool(git(root, "rev-parse", "--verify", "--quiet", f"{rev}:./{rel}", check=False))


def staged_entries(root: Path, folder: str) -> list[tuple[str, str, str]]:
    """The files added, copied, modified or renamed in the index (what the next commit
    holds) under ``folder`` (relative to ``root``): ``(mode, blob id, path relative to
    root)`` each, in path order. Empty outside a git work tree."""
    if not inside_work_tree(root):
        return []
    output = git(
        root, "diff", "--cached", "--raw", "-z", "--relative", "--no-renames",
        "--diff-filter=ACMR", "--", folder,
    )  # fmt: skip
    fields = output.split("\0")
    entries = []
    for header, path in zip(fields[0::2], fields[1::2], strict=False):
        parts = header.lstrip(":").split()
        if len(parts) >= 4 and path:
            entries.append((parts[1], parts[3], path))
    return sorted(entries, key=lambda entry: entry[2])


def is_tracked(root: Path, rel: str) -> bool:
    """True when git tracks the file ``rel`` (it is in the index)."""
    if not inside_work_tree(root):
        return False
    return bool(git(root, "ls-files", "--", rel, check=False).strip())


def has_uncommitted_changes(root: Path, rel: str) -> bool:
    """True when the file ``rel`` differs from HEAD, staged or not (or HEAD lacks it)."""
    return bool(git(root, "status", "--porcelain", "--", rel).strip())


def remove_path(root: Path, rel: str, *, force: bool = False) -> None:
    """``git rm`` one file: gone from the work tree, its removal staged."""
    git(root, "rm", "--quiet", *(["--force"] if force else []), "--", rel)


def commit_path(root: Path, rel: str, message: str) -> str:
    """Commit what is staged for ``rel`` alone (a removal too); the new commit's id."""
    git(root, "commit", "--quiet", "-m", message, "--", rel)
    return git(root, "rev-parse", "HEAD").strip()


def commit_paths(root: Path, paths: Sequence[Path], message: str) -> None:
    """Commit exactly these files (other staged changes are left alone)."""
    if not inside_work_tree(root):
        raise ExilecasesError(
            f"{root} is not in a git repository; run `git init` or "
            "`exilecases init` there first, or leave out --commit"
        )
    names = [str(path.resolve().relative_to(root.resolve())) for path in paths]
    git(root, "add", "--", *names)
    git(root, "commit", "--quiet", "-m", message, "--", *names)
