"""Only regular files are read: links, FIFOs, sockets, devices and folders are refused by
what they are, never opened for reading or followed, and listed as strays."""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path

import pytest

from conftest import bind_socket
from exilecases.format.vocabulary import VocabularyError, default_vocabulary
from exilecases.ops.load import load
from exilecases.store.files import (
    NotAFileError,
    TooLargeError,
    case_files,
    load_vocabulary,
    read_optional,
    read_regular,
    scan_cases,
    unsafe_components,
)

CASE = 'id = "{id}"\nname = "A B"\norigin_country = "RU"\nhost_country = "KZ"\nstatus = "at_risk"\n'


def _with_timeout(function, *args):
    """Call ``function`` in a thread; fail (instead of hanging) when it blocks."""
    outcome: dict = {}

    def call() -> None:
        try:
            outcome["value"] = function(*args)
        except BaseException as error:
            outcome["error"] = error

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), f"{function.__name__} blocked"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    folder = tmp_path / "repo" / "data" / "cases"
    folder.mkdir(parents=True)
    (folder / "real.toml").write_text(CASE.format(id="real"))
    outside = tmp_path / "outside.toml"
    outside.write_text(CASE.format(id="outside"))
    os.mkfifo(folder / "fifo.toml")
    (folder / "folder.toml").mkdir()
    (folder / "in.toml").symlink_to("real.toml")
    (folder / "out.toml").symlink_to(outside)
    (folder / "zero.toml").symlink_to("/dev/zero")
    (folder / "dangling.toml").symlink_to("nowhere.toml")
    bind_socket(folder / "socket.toml")
    return folder


def test_the_listing_keeps_regular_files_and_names_the_rest(cases: Path) -> None:
    listing = scan_cases(cases.parent.parent)
    assert [p.name for p in listing.files] == ["real.toml"]
    kinds = {stray.path.name: stray.kind for stray in listing.strays}
    assert kinds == {
        "dangling.toml": "a symbolic link to nowhere.toml",
        "fifo.toml": "a FIFO (named pipe)",
        "folder.toml": "a folder",
        "in.toml": "a symbolic link to real.toml",
        "out.toml": f"a symbolic link to {cases.parent.parent.parent / 'outside.toml'}",
        "socket.toml": "a socket",
        "zero.toml": "a symbolic link to /dev/zero",
    }
    assert case_files(cases.parent.parent) == listing.files


@pytest.mark.parametrize(
    "name,kind",
    [
        ("fifo.toml", "a FIFO (named pipe)"),
        ("folder.toml", "a folder"),
        ("in.toml", "a symbolic link to real.toml"),
        ("zero.toml", "a symbolic link to /dev/zero"),
        ("socket.toml", "a socket"),
    ],
)
def test_read_regular_refuses_without_blocking(cases: Path, name: str, kind: str) -> None:
    with pytest.raises(NotAFileError) as refused:
        _with_timeout(read_regular, cases / name)
    assert refused.value.kind == kind
    assert name in refused.value.message


def test_read_regular_stops_after_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_bytes(b"x" * 5000)
    assert len(read_regular(big, 100)) == 101
    with pytest.raises(TooLargeError):
        read_optional(big, 100)
    assert read_optional(tmp_path / "absent.toml", 100) is None


def test_load_reports_every_stray_as_e006(cases: Path) -> None:
    root = cases.parent.parent
    vocabulary = default_vocabulary()
    for use_cache in (False, True):
        result = _with_timeout(functools.partial(load, use_cache=use_cache), root, vocabulary)
        by_file = {check.rel: check for check in result.checks}
        assert len(by_file) == 8
        assert [c.case["id"] for c in result.checks if c.ok] == ["real"]
        for check in result.broken:
            (only,) = check.findings
            assert only.code == "E006" and check.rel in only.message


@pytest.mark.parametrize("kind", ["fifo", "zero", "folder", "socket"])
def test_a_vocabulary_that_is_not_a_regular_file_is_an_error(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "data" / "vocabulary.toml"
    path.parent.mkdir(parents=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path.mkdir()
    else:
        bind_socket(path)
    with pytest.raises(VocabularyError, match="not a regular file"):
        _with_timeout(load_vocabulary, tmp_path)


def test_a_redefined_outcome_is_recorded_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "data" / "vocabulary.toml"
    path.parent.mkdir(parents=True)
    path.write_text(
        '\ufeff# comment\n[statuses.new]\nlabel = "New"\noutcome = "pending"\n\n'
        '[statuses.deported]\nlabel = "Sent back"\noutcome = "protected"\n'
    )
    vocabulary = load_vocabulary(tmp_path)
    (item,) = vocabulary.redefinitions
    assert (item.key, item.old, item.new, item.line) == ("deported", "returned", "protected", 8)
    assert "[statuses.deported] changes the built-in outcome 'returned' to 'protected'" in (
        item.message()
    )


def test_unsafe_components_names_links_and_wrong_kinds(tmp_path: Path) -> None:
    (tmp_path / "schema").symlink_to("/etc")
    (tmp_path / ".taplo.toml").mkdir()
    assert unsafe_components(tmp_path, Path("schema/case.schema.json")) == [
        "schema/ is a symbolic link to /etc"
    ]
    assert unsafe_components(tmp_path, Path(".taplo.toml")) == [".taplo.toml is a folder"]
    assert unsafe_components(tmp_path, Path("data/vocabulary.toml")) == []


@pytest.mark.parametrize("kind", ["fifo", "socket", "link"])
def test_the_key_files_are_read_by_the_one_safe_read(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recipients file and the identity file go through ``store/files``: a FIFO is
    refused by what it is, never waited on, and a link is never followed."""
    from exilecases.errors import ExilecasesError
    from exilecases.store.keys import IDENTITY_ENV, read_identities, read_recipients

    (tmp_path / "data").mkdir()
    target = tmp_path / "real.toml"
    target.write_text("")
    identity = tmp_path / "identity.txt"
    for path in (tmp_path / "data" / "recipients.toml", identity):
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "socket":
            bind_socket(path)
        else:
            path.symlink_to(target)
    monkeypatch.setenv(IDENTITY_ENV, str(identity))
    expected = {"fifo": "a FIFO", "socket": "a socket", "link": "a symbolic link to"}[kind]
    with pytest.raises(ExilecasesError, match=f"{expected}.*the recipients file must be"):
        _with_timeout(read_recipients, tmp_path)
    with pytest.raises(ExilecasesError, match=f"{expected}.*an identity file must be"):
        _with_timeout(read_identities, None)


def test_the_write_path_names_what_it_refuses_to_edit(tmp_path: Path) -> None:
    from exilecases.errors import ExilecasesError
    from exilecases.store.files import read_for_edit

    folder = tmp_path / "data" / "cases"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "fifo.toml")
    (folder / "link.toml").symlink_to("fifo.toml")
    with pytest.raises(ExilecasesError, match=r"^fifo\.toml is a FIFO .*nothing was written"):
        _with_timeout(read_for_edit, folder / "fifo.toml", "fifo.toml")
    with pytest.raises(ExilecasesError, match=r"link\.toml is a symbolic link to fifo\.toml; "):
        _with_timeout(read_for_edit, folder / "link.toml", "link.toml")
    with pytest.raises(ExilecasesError, match=r"^no file gone\.toml$"):
        read_for_edit(folder / "gone.toml", "gone.toml")
    (folder / "real.toml").write_bytes(b"x" * 3)
    raw, status = read_for_edit(folder / "real.toml", "real.toml")
    assert raw == b"xxx" and status.st_size == 3
