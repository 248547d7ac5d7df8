"""``Repository``: the door for programs. One object per case repository; each method is one
call into the core, and the command line is a thin layer over the same calls.

    from exilecases import Repository, Filters
    repo = Repository("/srv/cases")
    for case in repo.cases(Filters(status=["deported"])):
        print(case["id"], case["name"])

Outputs are public unless ``private=True`` is asked for, exactly as on the command line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exilecases.format.findings import Finding
    from exilecases.format.vocabulary import Vocabulary
    from exilecases.ops.importer import ImportReport
    from exilecases.ops.query import Filters
    from exilecases.ops.search import SearchHit
    from exilecases.ops.update import EditResult, Removal


class Repository:
    """A case repository: the folder holding ``data/cases/``.

    ``root`` may be the folder itself or ``None`` to find it as the command line does
    (``$EXILECASES_ROOT``, else the nearest folder at or above the current one).
    Raises ``ExilecasesError`` when there is no case repository there.
    """

    def __init__(self, root: str | Path | None = None) -> None:
        from exilecases.store.files import find_root

        self.root: Path = find_root(Path(root) if root is not None else None)

    def __repr__(self) -> str:
        return f"Repository({str(self.root)!r})"

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """The shipped vocabularies extended by the repository's ``data/vocabulary.toml``."""
        from exilecases.store.files import load_vocabulary

        return load_vocabulary(self.root)

    def cases(self, filters: Filters | None = None, *, private: bool = False) -> list[dict]:
        """The usable cases passing ``filters`` (every case when None), in id order: their
        public view, or the whole file's data with ``private=True``. Broken files are left
        out; ``check()`` says why."""
        from exilecases.ops import query
        from exilecases.ops.load import select

        # Public views (from the index, which holds nothing else), or with ``private`` the
        # files themselves, never the index.
        filters = filters or query.Filters()
        chosen = select(self.root, self.vocabulary, filters, private=private).cases
        return query.sort_cases(chosen, "id", self.vocabulary)

    def case(self, case_id: str, *, private: bool = False) -> dict:
        """One case by id (its public view unless ``private``); raises ``ExilecasesError``
        when there is no such usable case."""
        from exilecases.errors import ExilecasesError
        from exilecases.format.privacy import redact
        from exilecases.ops.load import check_path
        from exilecases.store.files import case_path

        path = case_path(self.root, case_id)
        if not path.is_file():
            raise ExilecasesError(f"no case {case_id!r}", kind="usage")
        check = check_path(self.root, path, self.vocabulary)
        if check.case is None or not check.ok:
            raise ExilecasesError(f"{check.rel} has errors; run exilecases validate")
        if private:
            from exilecases.ops.seal import open_checks

            open_checks(self.root, [check], self.vocabulary)  # in memory only
            return check.case
        return redact(check.case, self.vocabulary)

    def check(self, paths: Iterable[Path] | None = None) -> list[Finding]:
        """Every finding of every case file (or of ``paths``), cross-file rules included
        when the whole repository is checked, in file and line order."""
        from exilecases.ops.load import check_repository, load
        from exilecases.ops.validate import schema_check

        files = list(paths) if paths is not None else None
        if files is not None:
            findings = load(self.root, self.vocabulary, files, whole=False).findings
        else:
            findings, _ = check_repository(self.root, self.vocabulary)
            findings += schema_check(self.root, self.vocabulary)
        findings += self._sealed_findings(files)
        return sorted(findings, key=lambda f: f.sort_key())

    def _sealed_findings(self, files: list[Path] | None) -> list[Finding]:
        """The findings of a sealed repository (E090-E093, W190, W191, and those of the
        private parts this person's identity opens); none in a repository without keys."""
        from exilecases.errors import ExilecasesError
        from exilecases.ops.seal import check_sealed, load_keys
        from exilecases.store.files import case_files

        keys = load_keys(self.root)
        if not keys.sealed:
            return []
        try:
            keys.identities  # noqa: B018  (read now: a refused identity checks no private part)
        except ExilecasesError:
            keys.identities = None
        paths = files if files is not None else case_files(self.root)
        return check_sealed(self.root, paths, keys, self.vocabulary).findings

    def search(self, query: str, *, limit: int = 20, min_score: float = 0.6) -> list[SearchHit]:
        """Cases matching ``query`` in any spelling or script, best first (public fields)."""
        from exilecases.ops.load import search_documents
        from exilecases.ops.search import search

        documents = search_documents(self.root, self.vocabulary, query=query)
        return search(documents.cases, query, limit=limit, min_score=min_score)

    def stats(self, by: Sequence[str], filters: Filters | None = None) -> dict[str, Any]:
        """Counts of the public cases by one field or two (``stats --format json``'s shape)."""
        from exilecases.ops.query import Filters
        from exilecases.ops.stats import check_fields, count

        check_fields(by)
        cases = self.cases(filters or Filters())
        return count(cases, by, self.vocabulary)

    def due(
        self,
        as_of: str | None = None,
        within: int = 14,
        *,
        owners: Sequence[str] = (),
        types: Sequence[str] = (),
        overdue: bool = False,
        every: bool = False,
        filters: Filters | None = None,
        private: bool = False,
    ) -> list[dict[str, Any]]:
        """The open deadlines, recorded and derived, that ``due`` lists on ``as_of`` (an
        EDTF day; default today), earliest first, as ``due --format json``'s objects.
        Public unless ``private``. Derived deadlines are advice to a lawyer."""
        import datetime as dt

        from exilecases.format.dates import parse_date
        from exilecases.ops.deadlines import DueQuery
        from exilecases.ops.load import select_deadlines
        from exilecases.ops.query import Filters

        day = parse_date(as_of).earliest if as_of else dt.date.today()
        query = DueQuery(day, within, list(owners), list(types), overdue, every)
        selection = select_deadlines(
            self.root, self.vocabulary, filters or Filters(), query, private=private
        )
        return [item.listing(day) for item in selection.items]

    def add(self, **fields: Any) -> Path:
        """Create a case from its fields (``name``, ``status``, ``origin_country``,
        ``host_country``, ...); the id is made from the name unless ``id`` is given. Never
        overwrites a case. Returns the new file's path."""
        from exilecases.ops.newcase import REQUIRED, build_case, write_new_case

        case_id = fields.pop("id", None)
        required = {key: fields.pop(key) for key in list(fields) if key in REQUIRED}
        case = build_case(required, case_id=case_id, **fields)
        return write_new_case(self.root, case, self.vocabulary)

    def import_sheet(
        self,
        sheet: str | Path,
        mapping: str | Path,
        *,
        dry_run: bool = False,
        update: bool = False,
        skip_invalid: bool = False,
    ) -> ImportReport:
        """Import a spreadsheet (CSV, XLSX, ODS) through a mapping file (``import`` on the
        command line): every row checked first, then all written or none. The report holds
        the findings (``FILE:ROW:COLUMN``) and the files written."""
        from exilecases.ops.importer import import_sheet

        return import_sheet(
            self.root,
            Path(sheet),
            Path(mapping),
            self.vocabulary,
            dry_run=dry_run,
            update=update,
            skip_invalid=skip_invalid,
        )

    def edit(self, case_id: str, change: Callable[[str], Any]) -> EditResult:
        """Apply ``change`` (the file's text in, the new text out, or a
        ``store.write.Update`` that also says what data the text must hold) to one case
        through the one write path: applied under the lock to the file as it is then,
        checked before it is written, comments kept, never half-written."""
        from exilecases.ops.update import edit_case

        return edit_case(self.root, case_id, change, self.vocabulary)

    def set(self, case_id: str, field: str, *values: str) -> EditResult:
        """Set one field (``set ID FIELD VALUE`` on the command line); ``private.KEY`` sets
        a key of the private part, sealed again in a sealed repository."""
        from exilecases.ops.edit import set_field_update
        from exilecases.ops.update import edit_case

        if field.startswith("private."):
            from exilecases.ops.seal import set_private

            return set_private(self.root, case_id, field.removeprefix("private."), values,
                               self.vocabulary)  # fmt: skip
        change = lambda text: set_field_update(text, field, list(values))  # noqa: E731
        return edit_case(self.root, case_id, change, self.vocabulary)

    def seal(self) -> Any:
        """Seal every case file for the keys in ``data/recipients.toml`` (``exilecases
        seal``); returns the ``SealReport`` (which files were sealed, re-sealed, refused)."""
        from exilecases.ops.seal import load_keys, seal_repository

        return seal_repository(self.root, self.vocabulary, load_keys(self.root))

    def fmt(self, paths: Iterable[Path] | None = None, *, check: bool = False) -> list[Any]:
        """Format every case file (or ``paths``) in canonical form (``exilecases fmt``),
        with ``check`` only saying which would change; returns one ``ops.fmt.FmtResult``
        each. In a sealed repository what moves into ``[private]`` is sealed."""
        from exilecases.ops.fmt import fmt_file
        from exilecases.ops.seal import load_keys
        from exilecases.store.files import case_files, relative
        from exilecases.store.write import CaseWriter

        keys = load_keys(self.root)
        writer = CaseWriter(self.root)
        files = [Path(p) for p in paths] if paths is not None else case_files(self.root)
        return [
            fmt_file(
                self.root,
                path,
                relative(self.root, path),
                self.vocabulary,
                check=check,
                writer=writer,
                keys=keys if keys.sealed else None,
            )
            for path in files
        ]

    def add_key(self, name: str, key: str) -> Any:
        """List a teammate's public age ``key`` in ``data/recipients.toml`` and re-seal
        every sealed file for the new set (``keys add``), under one hold of the lock;
        returns the ``ops.seal.RecipientsChange``."""
        from exilecases.ops.seal import add_recipient, load_keys

        return add_recipient(self.root, self.vocabulary, load_keys(self.root), name, key)

    def remove_key(self, name: str) -> Any:
        """Take ``name``'s key out of ``data/recipients.toml`` and re-seal every sealed file
        without it (``keys remove``), under one hold of the lock. Old commits stay readable
        with the removed key."""
        from exilecases.ops.seal import load_keys, remove_recipient

        return remove_recipient(self.root, self.vocabulary, load_keys(self.root), name)

    def add_event(
        self, case_id: str, *, private: bool = False, keep_status: bool = False, **fields: Any
    ) -> EditResult:
        """Append an event (``date``, ``type``, ``outcome``, ...), to ``[[private.events]]``
        with ``private``. A public event whose outcome is, by date, the latest such event's
        sets ``status`` too, unless ``keep_status`` (``event add`` on the command line)."""
        from exilecases.ops.entries import AddEvent

        entry = {key: value for key, value in fields.items() if value not in (None, [], "")}
        return self.edit(case_id, AddEvent(entry, private=private, keep_status=keep_status))

    def edit_entry(
        self,
        case_id: str,
        table: str,
        number: str | int,
        fields: dict[str, Any] | None = None,
        *,
        cite: Sequence[str] = (),
        uncite: Sequence[str] = (),
    ) -> EditResult:
        """Set keys of one entry of ``table`` (``events``, ``charges``, ...), numbered as
        ``show`` numbers it (``3``, ``"p1"`` for a private one); a value of ``""`` or None
        removes an optional key; ``cite`` adds citations of sources, ``uncite`` drops them
        (``event edit`` / ``charge edit``)."""
        from exilecases.ops.entries import EditEntry, parse_number

        ref = parse_number(str(number), table)
        change = EditEntry(ref, case_id, dict(fields or {}), list(cite), list(uncite))
        return self.edit(case_id, change)

    def remove_entry(self, case_id: str, table: str, number: str | int) -> EditResult:
        """Remove one entry of ``table``, numbered as ``show`` numbers it (``event remove``,
        ``charge remove``)."""
        from exilecases.ops.entries import RemoveEntry, parse_number

        return self.edit(case_id, RemoveEntry(parse_number(str(number), table), case_id))

    def remove_source(self, case_id: str, source_id: str) -> EditResult:
        """Remove a source by its id; refused (``ExilecasesError`` naming them) while an
        entry cites it (``source remove``)."""
        from exilecases.ops.entries import RemoveSource

        return self.edit(case_id, RemoveSource(source_id, case_id))

    def remove(self, case_id: str, *, force: bool = False, commit: bool = False) -> Removal:
        """Remove a case file through git (``git rm``, committed with ``commit``), so that it
        can be brought back (``Removal.restore_hint``); refused for a file git could not
        bring back unless ``force`` (``remove`` on the command line)."""
        from exilecases.ops.update import remove_case

        return remove_case(self.root, case_id, force=force, commit=commit)

    def export(
        self,
        format: str = "json",
        *,
        filters: Filters | None = None,
        private: bool = False,
        table: str = "cases",
        path: Path | None = None,
    ) -> str | None:
        """The cases as JSON or CSV text (``table``: cases or an entry table), or, for
        ``format="sqlite"``, a database written to ``path``. Public unless ``private``."""
        from exilecases.errors import ExilecasesError
        from exilecases.ops import export as exporting

        cases = self.cases(filters, private=private)
        if format == "json":
            return exporting.export_json(cases, self.vocabulary, public=not private)
        if format == "csv":
            return exporting.export_csv(cases, self.vocabulary, public=not private, table=table)
        if format == "sqlite":
            if path is None:
                raise ExilecasesError("a SQLite export needs a path", kind="usage")
            exporting.export_sqlite(cases, self.vocabulary, Path(path), public=not private)
            return None
        raise ExilecasesError(f"unknown export format {format!r}", kind="usage")
