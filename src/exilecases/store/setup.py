"""Whether a clone has what ``exilecases init`` installs inside ``.git/``: the diff driver
(``git config diff.exilecases.textconv``) and the pre-commit hook. A clone carries
``.gitattributes`` (so git asks for the driver) but not ``.git/config`` nor the hooks, so a
new team member's clone lacks both until they run ``exilecases init`` in it.

Every command checks this (without starting git: it reads the configuration file and looks
for the hook) and says it once per clone, on standard error; ``store/place.py``'s state
folder remembers that it was said.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from exilecases.errors import ExilecasesError
from exilecases.store import place

_DRIVER_SECTION = re.compile(r'^[ \t]*\[[ \t]*diff[ \t]+"exilecases"[ \t]*\]', re.M)
_SECTION = re.compile(r"^[ \t]*\[", re.M)
_TEXTCONV = re.compile(r"^[ \t]*textconv[ \t]*=", re.M | re.I)
_HOOKS_PATH = re.compile(r"^[ \t]*hookspath[ \t]*=[ \t]*(.+?)[ \t]*(?=\r?\n|\Z)", re.M | re.I)
#: What the hook ``init`` writes holds (its command line runs this program).
HOOK_WORD = "exilecases"

NOTICE = (
    "note: this clone has no {missing} of exilecases (a clone does not carry them, they live "
    "in .git/): run `exilecases init` here to set them up. Said once for this clone."
)


def missing_setup(root: Path) -> list[str]:
    """What the git repository at ``root`` lacks of init's set-up: ``"diff driver"``,
    ``"pre-commit hook"``; empty when it has both or is not in git."""
    common = place.common_git_dir(root)
    if common is None:
        return []
    try:
        config = (common / "config").read_text("utf-8", errors="replace")
    except OSError:
        config = ""
    missing = []
    if not _has_driver(config):
        missing.append("diff driver")
    if not _has_hook(root, common, config):
        missing.append("pre-commit hook")
    return missing


def _has_driver(config: str) -> bool:
    for match in _DRIVER_SECTION.finditer(config):
        following = _SECTION.search(config, match.end())
        body = config[match.end() : following.start() if following else len(config)]
        if _TEXTCONV.search(body):
            return True
    return False


def _has_hook(root: Path, common: Path, config: str) -> bool:
    configured = _HOOKS_PATH.findall(config)
    hooks = common / "hooks"
    if configured:
        path = Path(configured[-1].strip('"')).expanduser()
        hooks = path if path.is_absolute() else root / path
    try:
        with open(hooks / "pre-commit", "rb") as stream:  # a hook is a small script
            return HOOK_WORD.encode() in stream.read(65536)
    except OSError:
        return False


def notice_once(root: Path) -> str | None:
    """The note to print when the clone at ``root`` lacks init's set-up and has not been
    told yet (remembered in the tool's state folder from then on); None otherwise."""
    state = place.state_dir(root)
    if place.git_dir(root) is None or (state / place.SETUP_NOTED_NAME).exists():
        return None
    missing = missing_setup(root)
    if not missing:
        return None
    from exilecases.store.write import make_state_dir

    with contextlib.suppress(OSError, ExilecasesError):  # read-only: said every time
        folder = make_state_dir(root)
        (folder / place.SETUP_NOTED_NAME).touch()
    return NOTICE.format(missing=" and no ".join(missing))
