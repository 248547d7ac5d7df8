"""``exilecases init``: a new case repository, safe to run twice, never overwriting a file."""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

from exilecases.errors import ExilecasesError
from exilecases.format.vocabulary import REPOSITORY_VOCABULARY
from exilecases.store.files import CASES_DIR, unsafe_components
from exilecases.store.git import git, inside_work_tree
from exilecases.store.write import default_mode_mask, ensure_excluded, replace_file

ATTRIBUTES_LINE = "data/cases/*.toml diff=exilecases"

VOCABULARY_TEMPLATE = """\
# This repository's own vocabulary entries, added to the defaults of exilecases
# (see docs/case-format.md, "Extending the vocabularies"). One table per list, one
# sub-table per entry. Examples, to copy and uncomment:
#
# [legal_bases."RU-CC-212"]
# label = "Mass riots"
# jurisdiction = "RU"
# max_penalty = "15 years"
#
# [statuses.under_surveillance]
# label = "Under police surveillance"
# outcome = "pending"           # returned, pending, protected or unknown (required)
#
# [categories.lawyer]
# label = "Lawyer"
#
# [event_types.interpol_notice]
# label = "Interpol notice issued"
"""

PRE_COMMIT_HOOK = """\
#!/bin/sh
# Installed by `exilecases init`: check the case files of this commit before it is made.
files=$(git diff --cached --name-only --diff-filter=ACMR -- '*data/cases/*.toml')
[ -z "$files" ] && exit 0
{command} seal --check-staged || exit 1
{command} validate $files || exit 1
{command} fmt --check $files || {{
  echo "run: exilecases fmt (then git add the files again)" >&2
  exit 1
}}
"""


@dataclass
class InitReport:
    """What ``init`` did, for the message the CLI prints."""

    root: Path
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def _command() -> str:
    """How git and hooks run this very installation (the venv need not be active)."""
    return f"{shlex.quote(sys.executable)} -m exilecases"


def _write_new(path: Path, text: str, report: InitReport, executable: bool = False) -> None:
    rel = (
        path.relative_to(report.root).as_posix() if path.is_relative_to(report.root) else str(path)
    )
    if path.exists():
        report.kept.append(rel)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = (0o777 & ~default_mode_mask()) if executable else None
    replace_file(path, text, create_only=True, mode=mode)
    report.created.append(rel)


HOOK_MARKER = "# Installed by `exilecases init`"


def _update_own_hook(hook: Path, report: InitReport) -> bool:
    """A pre-commit hook an older ``init`` wrote, without the check of a sealed repository's
    staged files, is replaced by the current one (a hook of anyone else is never touched)."""
    try:
        text = hook.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if HOOK_MARKER not in text or "seal --check-staged" in text:
        return False
    from exilecases.store.write import replace_file

    replace_file(hook, PRE_COMMIT_HOOK.format(command=_command()))
    report.created.append(".git/hooks/pre-commit (updated: it checks sealed repositories now)")
    return True


#: Where ``init`` puts the JSON Schema that editors check case files against.
SCHEMA_FILE = Path("schema") / "case.schema.json"


def _write_editor_schema(root: Path, report: InitReport) -> None:
    """The JSON Schema and a taplo configuration that applies it to data/cases/*.toml."""
    from exilecases.format.schema import schema_text, taplo_config
    from exilecases.format.vocabulary import load_vocabulary

    _write_new(root / SCHEMA_FILE, schema_text(load_vocabulary(root)), report)
    _write_new(root / ".taplo.toml", taplo_config(SCHEMA_FILE.as_posix()), report)


#: Every path ``init`` may write or read in the work tree (a clone could commit any of
#: them as a symbolic link that points anywhere on the machine).
WRITTEN_PATHS = (
    CASES_DIR,
    REPOSITORY_VOCABULARY,
    SCHEMA_FILE,
    Path(".taplo.toml"),
    Path(".gitattributes"),
)


def _refuse_links(root: Path) -> None:
    """Refuse to write through a symbolic link (or into something that is not a folder or
    a regular file) at any path ``init`` writes, naming each; nothing is written then."""
    problems = []
    for rel in WRITTEN_PATHS:
        wanted_folder = rel == CASES_DIR
        found = unsafe_components(root, rel if not wanted_folder else rel / "x")
        problems += [p for p in found if p not in problems]
    if problems:
        raise ExilecasesError(
            f"init writes nothing here: {'; '.join(problems)}. A clone may carry links that "
            "point anywhere on this machine: replace each with a regular file (or remove it), "
            "then run exilecases init again"
        )


def init_repository(folder: Path) -> InitReport:
    """Make ``folder`` a case repository: folders, vocabulary, git, the diff driver and a
    pre-commit hook. Existing files are kept as they are; a symbolic link where ``init``
    would write is refused (``ExilecasesError``) before anything is written."""
    root = folder.resolve()
    root.mkdir(parents=True, exist_ok=True)
    _refuse_links(root)
    report = InitReport(root)
    cases = root / CASES_DIR
    if cases.is_dir():
        report.kept.append(CASES_DIR.as_posix() + "/")
    else:
        cases.mkdir(parents=True)
        report.created.append(CASES_DIR.as_posix() + "/")
    _write_new(root / REPOSITORY_VOCABULARY, VOCABULARY_TEMPLATE, report)
    _write_editor_schema(root, report)
    if not inside_work_tree(root):
        git(root, "init", "--quiet")
        report.created.append(".git/")
    attributes = root / ".gitattributes"
    existing = attributes.read_text("utf-8") if attributes.exists() else ""
    if ATTRIBUTES_LINE in existing.splitlines():
        report.kept.append(".gitattributes")
    else:
        separator = "" if not existing or existing.endswith("\n") else "\n"
        replace_file(attributes, existing + separator + ATTRIBUTES_LINE + "\n")
        report.created.append(".gitattributes (diff driver line)")
    exclude = Path(git(root, "rev-parse", "--git-path", "info/exclude").strip())
    if ensure_excluded(root, exclude if exclude.is_absolute() else root / exclude):
        report.created.append(".git/info/exclude (temporary files of the write path)")
    else:
        report.kept.append(".git/info/exclude")
    git(root, "config", "diff.exilecases.textconv", f"{_command()} git-diff-driver")
    git(root, "config", "diff.exilecases.cachetextconv", "false")
    hooks = Path(git(root, "rev-parse", "--git-path", "hooks").strip())
    hooks = hooks if hooks.is_absolute() else root / hooks
    hook = hooks / "pre-commit"
    if not _update_own_hook(hook, report):
        _write_new(hook, PRE_COMMIT_HOOK.format(command=_command()), report, True)
    return report
