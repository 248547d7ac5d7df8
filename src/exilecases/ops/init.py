"""``exilecases init``: a new case repository, safe to run twice, never overwriting a file."""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

from exilecases.errors import ExilecasesError
from exilecases.format.vocabulary import REPOSITORY_VOCABULARY
from exilecases.store.files import CASES_DIR, unsafe_components
from exilecases.store.git import git, has_commits, inside_work_tree
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
# Installed by `exilecases init`: check the case files of this commit before it is made,
# as staged (what the commit holds), not as they are in the working copy.
files=$(git diff --cached --name-only --diff-filter=ACMR -- '*data/cases/*.toml')
[ -z "$files" ] && exit 0
{command} seal --check-staged || exit 1
{command} validate --staged || exit 1
{command} fmt --check --staged || {{
  echo "run: exilecases fmt (then git add the files again)" >&2
  exit 1
}}
"""

#: The first line under the shebang of every hook ``init`` wrote, this version or older.
HOOK_MARK = "# Installed by `exilecases init`"


@dataclass
class InitReport:
    """What ``init`` did, for the message the CLI prints."""

    root: Path
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    #: The work-tree files init made or changed, which the team shares through git.
    shared: list[str] = field(default_factory=list)
    #: What became of them: "committed" (with ``commit``), "staged", or "" (none).
    recorded: str = ""
    commit: str = ""
    #: Why git could not commit them (they are staged then), in git's words.
    commit_error: str = ""


def _command() -> str:
    """How git and hooks run this very installation (the venv need not be active)."""
    return f"{shlex.quote(sys.executable)} -m exilecases"


def _write_new(
    path: Path, text: str, report: InitReport, executable: bool = False, shared: bool = False
) -> None:
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
    if shared:
        report.shared.append(rel)


def _write_hook(path: Path, text: str, report: InitReport) -> None:
    """The pre-commit hook: written when missing, brought up to date when an older
    ``init`` wrote it (an old hook checked the working copy, not what is staged), and
    left alone when it is someone else's."""
    if path.is_file() and not path.is_symlink():
        old = path.read_text("utf-8", errors="replace")
        lines = old.split("\n")
        if old != text and len(lines) > 1 and lines[1].startswith(HOOK_MARK):
            from exilecases.store.write import replace_file

            replace_file(path, text, mode=0o755)
            report.created.append(f"{_rel(path, report)} (updated: checks what is staged)")
            return
    _write_new(path, text, report, executable=True)


def _rel(path: Path, report: InitReport) -> str:
    return (
        path.relative_to(report.root).as_posix() if path.is_relative_to(report.root) else str(path)
    )


#: Where ``init`` puts the JSON Schema that editors check case files against.
SCHEMA_FILE = Path("schema") / "case.schema.json"


def _write_editor_schema(root: Path, report: InitReport) -> None:
    """The JSON Schema and a taplo configuration that applies it to data/cases/*.toml."""
    from exilecases.format.schema import schema_text, taplo_config
    from exilecases.store.files import load_vocabulary

    _write_new(root / SCHEMA_FILE, schema_text(load_vocabulary(root)), report, shared=True)
    _write_new(root / ".taplo.toml", taplo_config(SCHEMA_FILE.as_posix()), report, shared=True)


#: The git configuration of the diff driver: key -> value (``{command}``: this installation).
DIFF_DRIVER_CONFIG = {
    "diff.exilecases.textconv": "{command} git-diff-driver",
    "diff.exilecases.cachetextconv": "false",
}
#: Keeps ``data/cases/`` in git while it holds no case (git keeps no empty folder), so that
#: a clone of a new repository is a case repository too.
KEEP_FILE = CASES_DIR / ".gitkeep"
INIT_COMMIT_MESSAGE = "exilecases init: a case repository"

#: Every path ``init`` may write or read in the work tree (a clone could commit any of
#: them as a symbolic link that points anywhere on the machine).
WRITTEN_PATHS = (
    CASES_DIR,
    REPOSITORY_VOCABULARY,
    SCHEMA_FILE,
    Path(".taplo.toml"),
    Path(".gitattributes"),
    KEEP_FILE,
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


def init_repository(folder: Path, *, record: bool = True) -> InitReport:
    """Make ``folder`` a case repository: folders, vocabulary, git, the diff driver and a
    pre-commit hook. Existing files are kept as they are, and a setting already made is not
    made again, so running it in a fresh clone only installs what a clone lacks (the diff
    driver and the hook live in ``.git/``, which no clone carries).

    With ``record``, the files it makes in the work tree are committed when init made the
    git repository (or the repository has no commit and nothing staged yet), else staged
    and named in ``InitReport.shared``, so that the team gets them with the next commit.
    A symbolic link where ``init`` would write is refused (``ExilecasesError``) before
    anything is written."""
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
        _write_new(root / KEEP_FILE, "", report, shared=True)
    _write_new(root / REPOSITORY_VOCABULARY, VOCABULARY_TEMPLATE, report, shared=True)
    _write_editor_schema(root, report)
    made_git = not inside_work_tree(root)
    if made_git:
        git(root, "init", "--quiet")
        report.created.append(".git/")
    fresh = made_git or (not has_commits(root) and not git(root, "diff", "--cached", "--name-only"))
    attributes = root / ".gitattributes"
    existing = attributes.read_text("utf-8") if attributes.exists() else ""
    if ATTRIBUTES_LINE in existing.splitlines():
        report.kept.append(".gitattributes")
    else:
        separator = "" if not existing or existing.endswith("\n") else "\n"
        replace_file(attributes, existing + separator + ATTRIBUTES_LINE + "\n")
        report.created.append(".gitattributes (diff driver line)")
        report.shared.append(".gitattributes")
    exclude = Path(git(root, "rev-parse", "--git-path", "info/exclude").strip())
    if ensure_excluded(root, exclude if exclude.is_absolute() else root / exclude):
        report.created.append(".git/info/exclude (temporary files of the write path)")
    else:
        report.kept.append(".git/info/exclude")
    _configure_diff_driver(root, report)
    hooks = Path(git(root, "rev-parse", "--git-path", "hooks").strip())
    hooks = hooks if hooks.is_absolute() else root / hooks
    _write_hook(hooks / "pre-commit", PRE_COMMIT_HOOK.format(command=_command()), report)
    if record and report.shared:
        _record(root, report, commit=fresh)
    return report


def _configure_diff_driver(root: Path, report: InitReport) -> None:
    """Set the diff driver's git configuration, only where it is not already so."""
    changed = False
    for key, template in DIFF_DRIVER_CONFIG.items():
        value = template.format(command=_command())
        if git(root, "config", "--get", key, check=False).strip() != value:
            git(root, "config", key, value)
            changed = True
    (report.created if changed else report.kept).append(".git/config (the diff driver)")


def _record(root: Path, report: InitReport, *, commit: bool) -> None:
    """Stage the shared files init made; commit them too when ``commit``. A commit git
    refuses (no user name set) leaves them staged, with git's reason."""
    git(root, "add", "--", *report.shared)
    report.recorded = "staged"
    if not commit:
        return
    try:
        git(root, "commit", "--quiet", "-m", INIT_COMMIT_MESSAGE, "--", *report.shared)
    except ExilecasesError as error:
        lines = error.message.strip().splitlines()
        report.commit_error = lines[-1] if lines else "git commit failed"
        return
    report.recorded = "committed"
    report.commit = git(root, "rev-parse", "--short", "HEAD").strip()
