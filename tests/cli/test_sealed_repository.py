"""A sealed repository through the command line, as a team uses it: keys, seal, edits,
commits, the real age tool, removing a member.

Commands run as subprocesses of the installed ``exilecases`` (so that git's pre-commit
hook, $EDITOR and the environment behave as they do for a user).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

EXILECASES = str(Path(sys.executable).with_name("exilecases"))
AGE = shutil.which("age")
needs_age = pytest.mark.skipif(AGE is None, reason="the age tool is not installed")

#: One unique secret for every place a private value can live.
SECRETS = {
    "phone": "SECRET-PHONE-7701",
    "notes": "SECRET-NOTES-brother-flat",
    "contact": "SECRET-CONTACT-Svetlana",
    "event": "SECRET-EVENT-safehouse",
    "comment": "SECRET-COMMENT-meeting",
    "born": "1993-05-14",
    "hand": "SECRET-HAND-written",
}


class Team:
    """A sealed case repository and two members' identities, outside the repository."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.root = tmp_path / "repo"
        self.identity = {"aida": tmp_path / "keys" / "aida.txt", "boris": tmp_path / "keys" / "b"}
        self.env = {
            **os.environ,
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "GIT_AUTHOR_NAME": "Aida K",
            "GIT_AUTHOR_EMAIL": "aida@example.org",
            "GIT_COMMITTER_NAME": "Aida K",
            "GIT_COMMITTER_EMAIL": "aida@example.org",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "COLUMNS": "200",
            "NO_COLOR": "1",
        }
        for name in ("EXILECASES_ROOT", "EXILECASES_IDENTITY", "VISUAL", "EDITOR"):
            self.env.pop(name, None)

    def run(
        self, *args: str, who: str | None = "aida", ok: bool = True, **env: str
    ) -> subprocess.CompletedProcess[str]:
        environment = {**self.env, **env}
        if who is not None:
            environment["EXILECASES_IDENTITY"] = str(self.identity[who])
        done = subprocess.run(
            [EXILECASES, *args],
            cwd=self.root if self.root.exists() else self.tmp,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "Traceback" not in done.stderr, done.stderr
        if ok:
            assert done.returncode == 0, done.stderr
        return done

    def git(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            ["git", *args], cwd=self.root, env=self.env, capture_output=True, text=True
        )
        if ok:
            assert done.returncode == 0, done.stderr
        return done

    def public_key(self, who: str) -> str:
        line = next(ln for ln in self.identity[who].read_text().splitlines() if "public key" in ln)
        return line.split(": ")[1]

    def case(self, case_id: str) -> Path:
        return self.root / "data" / "cases" / f"{case_id}.toml"

    def block(self, case_id: str) -> str:
        return tomllib.loads(self.case(case_id).read_text())["sealed"]["age"]

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def editor(self, text: str, log: Path | None = None) -> dict[str, str]:
        """$EDITOR as a program that writes ``text`` into the file it is given (and notes
        where that file was and its modes in ``log``)."""
        script = self.tmp / f"editor-{abs(hash(text))}.py"
        script.write_text(
            "import os, sys\n"
            "path = sys.argv[1]\n"
            f"log = {str(log)!r} if {log is not None} else None\n"
            "if log:\n"
            "    with open(log, 'w') as out:\n"
            "        before = open(path).read()\n"
            "        out.write(f'{path}\\n{oct(os.stat(path).st_mode & 0o777)}\\n'\n"
            "                  f'{oct(os.stat(os.path.dirname(path)).st_mode & 0o777)}\\n')\n"
            "        out.write(str('SECRET-NOTES-brother-flat' in before))\n"
            f"open(path, 'w').write({text!r})\n"
        )
        return {"EDITOR": f"{sys.executable} {script}"}


@pytest.fixture
def team(tmp_path: Path) -> Team:
    """A repository with two members' keys in it, committed."""
    team = Team(tmp_path)
    team.run("init", str(team.root), who=None)
    for who in ("aida", "boris"):
        made = team.run("keys", "new", who=who)
        assert made.stdout.strip() == team.public_key(who)
        assert team.identity[who].stat().st_mode & 0o777 == 0o600
    team.run("keys", "add", "Aida K", team.public_key("aida"))
    team.run("keys", "add", "Boris M", team.public_key("boris"))
    team.commit("the team's keys")
    return team


def add_cases(team: Team) -> None:
    for name in ("Ivan Petrov", "Oleg Sidorov"):
        team.run("add", "--name", name, "--status", "at_risk", "--origin", "RU", "--host", "KZ")


PRIVATE_EDIT = f"""\
[private]
phone = "{SECRETS["phone"]}"
notes = "{SECRETS["notes"]}"  # {SECRETS["comment"]}
born = "{SECRETS["born"]}"

[[private.contacts]]
name = "{SECRETS["contact"]}"
role = "relative"

[[private.events]]
date = "2026-03"
type = "departure"
place = "{SECRETS["event"]}"
"""


def build_history(team: Team) -> None:
    """Several commits of a sealed repository, with a secret in every private place."""
    add_cases(team)
    team.run("set", "petrov-ivan", "private.phone", SECRETS["phone"])
    team.run("set", "petrov-ivan", "private.notes", SECRETS["notes"])
    team.commit("two cases")
    team.run("private", "edit", "petrov-ivan", **team.editor(PRIVATE_EDIT))
    team.commit("more private detail")
    # a teammate writes a plaintext [private] by hand; `seal` seals it
    path = team.case("sidorov-oleg")
    path.write_text(path.read_text() + f'\n[private]\nnotes = "{SECRETS["hand"]}"\n')
    sealed = team.run("seal")
    assert sealed.stdout == "sealed data/cases/sidorov-oleg.toml\n"
    team.commit("sealed by hand")
    team.run("set", "petrov-ivan", "risk", "Up to 10 years")
    team.commit("a public edit")


def test_no_secret_is_in_any_git_object_or_the_index(team: Team) -> None:
    build_history(team)
    assert int(team.git("rev-list", "--count", "HEAD").stdout) == 5
    objects = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch"],
        cwd=team.root,
        capture_output=True,
        check=True,
    ).stdout
    assert b"BEGIN AGE ENCRYPTED FILE" in objects
    for secret in SECRETS.values():
        assert secret.encode() not in objects, secret
    # every command that reads the cases, then every byte of the tool's state
    team.run("list")
    team.run("search", "Petrov")
    team.run("validate")
    team.run("show", "petrov-ivan")
    team.run("list", "--format", "json")
    # every byte of every file in the repository: the work tree, the index cache (wherever
    # the tool keeps it), git's own files
    files = [p for p in team.root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".sqlite" for p in files)
    for file in files:
        data = file.read_bytes()
        for secret in SECRETS.values():
            assert secret.encode() not in data, (file, secret)
    # ...and every secret is there again for a member
    for who in ("aida", "boris"):
        shown = team.run("show", "petrov-ivan", who=who).stdout
        for key in ("phone", "notes", "contact", "event", "born"):
            assert SECRETS[key] in shown, (who, key)
        assert SECRETS["hand"] in team.run("show", "sidorov-oleg", who=who).stdout


def test_without_an_identity_the_public_part_works_and_says_sealed(team: Team) -> None:
    build_history(team)
    shown = team.run("show", "petrov-ivan", who=None)
    assert "Ivan Petrov" in shown.stdout and "Up to 10 years" in shown.stdout
    assert "Private: sealed (readable by: Aida K, Boris M)" in shown.stdout
    assert not any(secret in shown.stdout for secret in SECRETS.values())
    assert "petrov-ivan" in team.run("list", who=None).stdout
    checked = team.run("validate", who=None)
    assert "2 sealed private part(s) not checked: you have no identity" in checked.stderr


def test_a_public_edit_changes_no_line_of_the_sealed_block(team: Team) -> None:
    add_cases(team)
    team.run("set", "petrov-ivan", "private.notes", SECRETS["notes"])
    team.commit("a case")
    before = team.block("petrov-ivan")
    team.run("set", "petrov-ivan", "status", "detained")
    team.run("event", "add", "petrov-ivan", "--date", "2026-02", "--type", "detention")
    diff = team.git("diff", "--no-textconv", "-U0", "--", "data/cases").stdout
    changed = [ln for ln in diff.splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]
    assert changed and all("age" not in ln and "sealed" not in ln for ln in changed)
    assert not set(before.splitlines()) & {ln[1:] for ln in changed}
    assert team.block("petrov-ivan") == before
    # setting a private key to the value it has keeps the ciphertext byte for byte too
    team.run("set", "petrov-ivan", "private.notes", SECRETS["notes"])
    assert team.block("petrov-ivan") == before
    team.run("fmt", "--check")


@needs_age
def test_the_age_tool_opens_our_block_and_we_open_its_block(team: Team) -> None:
    add_cases(team)
    team.run("set", "petrov-ivan", "private.notes", SECRETS["notes"])
    opened = subprocess.run(
        [AGE, "-d", "-i", str(team.identity["boris"])],
        input=team.block("petrov-ivan"),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert opened == f'[private]\nnotes = "{SECRETS["notes"]}"\n'
    written = subprocess.run(
        [AGE, "-r", team.public_key("aida"), "-r", team.public_key("boris"), "-a"],
        input='[private]\nnotes = "written by age"\n',
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = team.case("sidorov-oleg")
    path.write_text(path.read_text() + f'\n[sealed]\nage = """\n{written}"""\n')
    assert "notes: written by age" in team.run("show", "sidorov-oleg").stdout
    # it carries no record of its keys: validate says so, and seal re-seals it
    assert "W191" in team.run("validate").stdout
    assert team.run("seal").stdout == "re-sealed data/cases/sidorov-oleg.toml\n"
    assert "notes: written by age" in team.run("show", "sidorov-oleg", who="boris").stdout


def test_removing_a_member_reseals_and_warns_about_history(team: Team) -> None:
    build_history(team)
    old_block = team.block("petrov-ivan")
    removed = team.run("keys", "remove", "Boris M")
    assert "re-sealed data/cases/petrov-ivan.toml" in removed.stdout
    assert "re-sealed data/cases/sidorov-oleg.toml" in removed.stdout
    assert "old commits stay readable with the removed key" in removed.stderr
    assert "Boris" not in (team.root / "data" / "recipients.toml").read_text()
    for case_id in ("petrov-ivan", "sidorov-oleg"):
        shown = team.run("show", case_id, who="boris").stdout
        assert "your identity cannot open it" in shown
        assert not any(secret in shown for secret in SECRETS.values())
        assert (
            SECRETS["notes" if case_id == "petrov-ivan" else "hand"]
            in team.run("show", case_id).stdout
        )
    checked = team.run("validate", who="boris")
    assert checked.stdout.count("W190") == 2 and "cannot open" in checked.stdout
    if AGE is not None:  # the message is true: the old block still opens with the old key
        for block, opens in ((old_block, True), (team.block("petrov-ivan"), False)):
            done = subprocess.run(
                [AGE, "-d", "-i", str(team.identity["boris"])],
                input=block,
                capture_output=True,
                text=True,
            )
            assert (done.returncode == 0) is opens
    keys = team.run("keys", "list").stdout
    assert keys.startswith("Aida K  age1") and keys.rstrip().endswith("(you)")


def test_adding_a_member_lets_them_read_every_file(team: Team, tmp_path: Path) -> None:
    build_history(team)
    carol = tmp_path / "keys" / "carol.txt"
    team.identity["carol"] = carol
    public = team.run("keys", "new", who="carol").stdout.strip()
    assert "sealed (readable by" in team.run("show", "petrov-ivan", who="carol").stdout
    refused = team.run("keys", "add", "Carol", public, who="carol", ok=False)
    assert refused.returncode == 1 and "ask a teammate whose key is listed" in refused.stderr
    added = team.run("keys", "add", "Carol", public)
    assert added.stdout.count("re-sealed") == 2
    assert SECRETS["phone"] in team.run("show", "petrov-ivan", who="carol").stdout


def test_the_hook_refuses_a_staged_plaintext_private_table(team: Team) -> None:
    add_cases(team)
    team.commit("cases")
    path = team.case("petrov-ivan")
    path.write_text(path.read_text() + f'\n[private]\nnotes = "{SECRETS["hand"]}"\n')
    team.git("add", "-A")
    refused = team.git("commit", "-q", "-m", "plaintext", ok=False)
    assert refused.returncode != 0
    assert "data/cases/petrov-ivan.toml: staged with a plaintext [private] table" in (
        refused.stderr
    )
    # sealing the work tree is not enough: the staged copy is what would be committed
    team.run("seal")
    refused = team.git("commit", "-q", "-m", "plaintext", ok=False)
    assert refused.returncode != 0 and "petrov-ivan.toml: staged with a plaintext" in (
        refused.stderr
    )
    team.git("add", "-A")
    team.git("commit", "-q", "-m", "sealed")
    team.run("validate")


def test_validate_reports_plaintext_damage_and_the_private_part(team: Team) -> None:
    add_cases(team)
    team.run("set", "petrov-ivan", "private.notes", "x")
    path = team.case("sidorov-oleg")
    path.write_text(path.read_text() + '\n[private]\nnotes = "plain"\n')
    checked = team.run("validate", ok=False)
    assert checked.returncode == 1
    assert "data/cases/sidorov-oleg.toml:7:1: error E090: a plaintext [private] table" in (
        checked.stdout
    )
    # a damaged block
    path = team.case("petrov-ivan")
    text = path.read_text()
    lines = text.split("\n")
    armour = lines.index("-----BEGIN AGE ENCRYPTED FILE-----") + 2
    lines[armour] = lines[armour][::-1]
    path.write_text("\n".join(lines))
    checked = team.run("validate", ok=False)
    assert "petrov-ivan.toml:7:1: error E091: the [sealed] block is damaged" in checked.stdout
    shown = team.run("show", "petrov-ivan", ok=False)
    assert "sealed, but it cannot be opened" in shown.stdout
    # a private part that breaks a rule of the format is reported through the block
    deep = "[private]\ndeep = " + "[" * 40 + "]" * 40 + "\n"
    path.write_text(text)
    team.run("private", "edit", "petrov-ivan", ok=False, **team.editor(deep))
    assert team.case("petrov-ivan").read_text() == text  # refused, nothing written


def test_private_edit_uses_a_private_folder_and_removes_the_file(team: Team) -> None:
    add_cases(team)
    team.run("set", "petrov-ivan", "private.notes", SECRETS["notes"])
    log = team.tmp / "editor.log"
    edited = team.run("private", "edit", "petrov-ivan", **team.editor(PRIVATE_EDIT, log))
    assert "private part changed, sealed for Aida K, Boris M" in edited.stderr
    path, file_mode, folder_mode, saw_secret = log.read_text().splitlines()
    assert (file_mode, folder_mode, saw_secret) == ("0o600", "0o700", "True")
    assert not Path(path).exists() and not Path(path).parent.exists()
    assert SECRETS["contact"] in team.run("show", "petrov-ivan").stdout
    # an edit that is not TOML is refused (no terminal to ask again on): nothing written
    before = team.case("petrov-ivan").read_text()
    refused = team.run("private", "edit", "petrov-ivan", ok=False, **team.editor("[private\n"))
    assert refused.returncode == 1 and "nothing was written" in refused.stderr
    assert team.case("petrov-ivan").read_text() == before
    # saving what was opened changes nothing
    same = team.run("private", "edit", "petrov-ivan", **team.editor(PRIVATE_EDIT))
    assert "nothing changed" in same.stderr and team.case("petrov-ivan").read_text() == before


def test_an_identity_others_can_read_is_refused_with_the_fix(team: Team) -> None:
    add_cases(team)
    team.run("set", "petrov-ivan", "private.notes", "x")
    os.chmod(team.identity["aida"], 0o644)
    refused = team.run("set", "petrov-ivan", "private.notes", "y", ok=False)
    assert refused.returncode == 1 and "mode 0644" in refused.stderr
    assert f"chmod 600 {team.identity['aida']}" in refused.stderr
    shown = team.run("show", "petrov-ivan")
    assert "warning:" in shown.stderr and "Private: sealed (readable by" in shown.stdout
    os.chmod(team.identity["aida"], stat.S_IRUSR | stat.S_IWUSR)


def test_a_malformed_recipients_file_is_a_message_naming_file_and_line(team: Team) -> None:
    add_cases(team)
    team.run("set", "petrov-ivan", "private.notes", "x")
    path = team.root / "data" / "recipients.toml"
    path.write_text(path.read_text().replace(team.public_key("boris"), "age1notakey"))
    for command in (("show", "petrov-ivan"), ("validate",), ("seal",), ("keys", "list")):
        done = team.run(*command, ok=False)
        assert done.returncode == 1, command
        assert "data/recipients.toml:10: the key of 'Boris M' is not an age public key" in (
            done.stderr
        )
    assert team.run("list").returncode == 0  # the public part needs no keys


def test_seal_says_what_it_changed_and_needs_keys(tmp_path: Path) -> None:
    team = Team(tmp_path)
    team.run("init", str(team.root), who=None)
    add_cases(team)
    team.run("set", "petrov-ivan", "private.notes", "plain", who=None)
    assert 'notes = "plain"' in team.case("petrov-ivan").read_text()
    refused = team.run("seal", who=None, ok=False)
    assert refused.returncode == 2 and "lists no keys" in refused.stderr
    team.run("keys", "new")
    added = team.run("keys", "add", "Aida K", team.public_key("aida"))
    assert "1 case file(s) hold a plaintext [private] table: run `exilecases seal`" in (
        added.stderr
    )
    sealed = team.run("seal")
    assert sealed.stdout == "sealed data/cases/petrov-ivan.toml\n"
    assert "plain" not in team.case("petrov-ivan").read_text()
    again = team.run("seal")
    assert again.stdout == "" and "nothing to seal" in again.stderr


def test_exports_open_sealed_parts_only_when_private(team: Team) -> None:
    add_cases(team)
    team.run("set", "petrov-ivan", "private.notes", SECRETS["notes"])
    for public in (("--public",), ()):
        shown = team.run("export", *public, "--format", "json").stdout
        assert SECRETS["notes"] not in shown and "AGE ENCRYPTED" not in shown
    whole = team.run("export", "--private", "--format", "json").stdout
    assert SECRETS["notes"] in whole and "AGE ENCRYPTED" not in whole
    listed = team.run("list", "--private", "--format", "json").stdout
    assert SECRETS["notes"] in listed and "AGE ENCRYPTED" not in listed
    shown = team.run("show", "petrov-ivan", "--private", "--format", "json").stdout
    assert SECRETS["notes"] in shown
    assert "AGE ENCRYPTED" not in team.run("show", "petrov-ivan", "--format", "toml").stdout
    refused = team.run("export", "--private", "--format", "json", who=None, ok=False)
    assert refused.returncode == 1 and refused.stdout == ""
    assert "petrov-ivan.toml: the private part is sealed and you have no identity" in (
        refused.stderr
    )
    refused = team.run("show", "petrov-ivan", "--private", who=None, ok=False)
    assert refused.returncode == 1 and "you have no identity" in refused.stderr


def test_init_brings_an_older_hook_of_ours_up_to_date_and_leaves_others(team: Team) -> None:
    hook = team.root / ".git" / "hooks" / "pre-commit"
    current = hook.read_text()
    hook.write_text(current.replace("seal --check-staged", "true #"))
    updated = team.run("init", ".")
    assert "updated: it checks sealed repositories now" in updated.stderr
    assert hook.read_text() == current
    hook.write_text("#!/bin/sh\n# the team's own hook\nexit 0\n")
    team.run("init", ".")
    assert hook.read_text() == "#!/bin/sh\n# the team's own hook\nexit 0\n"


def test_removing_your_own_key_says_so_and_the_last_key_stays(team: Team) -> None:
    add_cases(team)
    team.run("set", "petrov-ivan", "private.notes", SECRETS["notes"])
    removed = team.run("keys", "remove", "Aida K")
    assert "that was your own key" in removed.stderr
    assert SECRETS["notes"] in team.run("show", "petrov-ivan", who="boris").stdout
    last = team.run("keys", "remove", "Boris M", who="boris", ok=False)
    assert last.returncode == 2 and "the only key" in last.stderr
    unknown = team.run("keys", "remove", "Nobody", who="boris", ok=False)
    assert unknown.returncode == 2 and "listed: 'Boris M'" in unknown.stderr
