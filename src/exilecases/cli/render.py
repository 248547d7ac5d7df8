"""What the user sees on a terminal: rich tables, panels, timelines and bars.

Data goes to standard output (``out``); messages and progress to standard error (``err``).
JSON and CSV are written by ``emit.py``, which does not import rich.

Every string from a case, the vocabulary or the command line goes through ``text.safe``
(or ``text.rich_text``) and reaches rich as a ``Text``, never inside a markup string: rich's
own styling stays, the data's controls, escapes and markup are shown as characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from exilecases.cli.tables import list_rows
from exilecases.cli.text import rich_text, safe
from exilecases.format.vocabulary import Vocabulary

OUTCOME_STYLES = {
    "returned": "bold red",
    "pending": "yellow",
    "protected": "green",
    "unknown": "dim",
}


def out() -> Console:
    """The console for data (standard output)."""
    return Console(highlight=False, soft_wrap=False)


def err() -> Console:
    """The console for messages, warnings and progress (standard error)."""
    return Console(stderr=True, highlight=False)


def status_text(status: str, vocabulary: Vocabulary) -> Text:
    """A status coloured by its outcome class."""
    return rich_text(status, OUTCOME_STYLES.get(vocabulary.outcome_of(status), ""))


def list_table(
    cases: Sequence[dict[str, Any]], vocabulary: Vocabulary, as_of: str | None = None
) -> Table:
    """The table view of ``list``: ids and statuses never wrap, the rest folds to fit. With
    ``as_of``, the status and the last event are those of that day."""
    from rich import box

    count = f"{len(cases)} case{'s' if len(cases) != 1 else ''}"
    if as_of:
        count += f", as of {as_of}"
    table = Table(title=count, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("id / name", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("last event", no_wrap=True)
    table.add_column("categories", no_wrap=True)
    table.add_column("legal bases", no_wrap=True)
    for row in list_rows(cases, vocabulary, as_of):
        last = Text.assemble(safe(row[8]), "\n", (safe(row[9]), "dim")) if row[8] else ""
        table.add_row(
            # A public view may lack a field its case marks private (private_fields).
            Text.assemble((safe(row[0]), "cyan"), "\n", safe(row[1])),
            status_text(row[2] or "", vocabulary),
            last,
            _lines(row[6].split("; ")),
            _lines(row[7].split("; ")),
        )
    return table


def _lines(items: Sequence[Any]) -> Text:
    """One safe line per item."""
    return Text("\n".join(safe(item) for item in items))


def _joined(items: Sequence[Any], separator: str = ", ") -> str:
    """The items on one line, each made safe."""
    return separator.join(safe(item) for item in items)


# --- show -----------------------------------------------------------------------------


PRIVATE_MARK = "  (private)"


def _field_lines(case: dict[str, Any], vocabulary: Vocabulary, hidden: set[str]) -> Table:
    """The top-level fields; those a redaction rule names (``hidden``) marked private."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()

    def row(key: str, label: str, value: Any, *, layout: bool = False) -> None:
        text = rich_text(value, layout=layout)
        if key in hidden:
            text.append(PRIVATE_MARK, style="bold red")
        grid.add_row(label, text)

    status = case.get("status", "")
    outcome = vocabulary.outcome_of(status)
    grid.add_row(
        "status",
        Text.assemble(
            status_text(status, vocabulary),
            f"  ({safe(vocabulary.label('statuses', status))}; outcome: {safe(outcome)})",
        ),
    )
    room = case.get("private")
    real = room.get("status") if isinstance(room, dict) else None
    if isinstance(real, str) and real:
        grid.add_row(
            "real status",
            Text.assemble(status_text(real, vocabulary), (PRIVATE_MARK, "bold red")),
        )
    if case.get("name_original"):
        row("name_original", "original name", case["name_original"])
    if case.get("aliases"):
        row("aliases", "also spelt", _joined(case["aliases"]))
    if case.get("born"):
        row("born", "born", case["born"])
    if case.get("citizenship"):
        row("citizenship", "citizenship", _joined(case["citizenship"]))
    grid.add_row(
        "from → in", rich_text(f"{case.get('origin_country')} → {case.get('host_country')}")
    )
    if case.get("categories"):
        labels = [vocabulary.label("categories", c) for c in case["categories"]]
        row("categories", "categories", _joined(labels))
    if case.get("risk"):
        row("risk", "risk", case["risk"], layout=True)
    from exilecases.ops.deadlines import breach

    verdict = breach(case, private=True)
    if verdict == "breach":
        grid.add_row("breach", Text("returned in breach of interim measures", style="bold red"))
    elif verdict == "possible_breach":
        grid.add_row(
            "breach",
            Text("possibly returned in breach of interim measures (dates overlap)", style="red"),
        )
    if case.get("summary"):
        row("summary", "summary", paragraphs(case["summary"]), layout=True)
    return grid


def paragraphs(text: str) -> str:
    """Hand-wrapped text reflowed: single line breaks join, blank lines separate."""
    blocks = [" ".join(block.split()) for block in text.strip().split("\n\n")]
    return "\n\n".join(block for block in blocks if block)


def numbered_events(case: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every event with its number (``3``: the third ``[[events]]`` entry of the file;
    ``p1``: the first ``[[private.events]]`` one), in date order, undated ones last."""
    from exilecases.format.dates import sort_key_or_last

    hidden = case.get("private") if isinstance(case.get("private"), dict) else {}
    numbered = [(str(i), e) for i, e in enumerate(case.get("events") or [], 1)]
    numbered += [(f"p{i}", e) for i, e in enumerate(hidden.get("events") or [], 1)]
    order = {id(event): position for position, (_, event) in enumerate(numbered)}
    numbered.sort(key=lambda pair: (sort_key_or_last(pair[1].get("date")), order[id(pair[1])]))
    return numbered


def timeline(
    case: dict[str, Any],
    vocabulary: Vocabulary,
    events: Sequence[tuple[str, dict[str, Any]]] | None = None,
) -> Table:
    """The events in date order as a vertical chart: a rail with one stop per event, each
    with its number (what ``deadline done ID N``-style commands take)."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", style="dim", no_wrap=True)
    grid.add_column(justify="right", style="cyan", no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column()
    if events is None:
        events = numbered_events(case)
    for position, (number, event) in enumerate(events):
        outcome = event.get("outcome")
        marker = Text(
            "●" if outcome else "○",
            style=OUTCOME_STYLES.get(vocabulary.outcome_of(outcome), "") if outcome else "",
        )
        line = rich_text(vocabulary.label("event_types", event.get("type", "")), "bold")
        if outcome:
            line.append("  → ")
            line.append_text(status_text(outcome, vocabulary))
        if number.startswith("p") or event.get("private"):
            line.append(PRIVATE_MARK, style="bold red")
        details = [event[key] for key in ("place", "authority") if event.get(key)]
        if details:
            line.append("\n" + _joined(details), style="dim")
        if event.get("note"):
            line.append("\n" + safe(event["note"], layout=True))
        if event.get("sources"):
            line.append("\n[" + _joined(event["sources"]) + "]", style="dim")
        grid.add_row(f"#{number}", rich_text(event.get("date", "")), marker, line)
        if position < len(events) - 1:
            grid.add_row("", "", Text("│", style="dim"), "")
    return grid


def _proceedings(case: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
    hidden = case.get("private") if isinstance(case.get("private"), dict) else {}
    return [(p, False) for p in case.get("proceedings") or []] + [
        (p, True) for p in hidden.get("proceedings") or []
    ]


def _proceeding_title(proceeding: dict[str, Any], hidden: bool, vocabulary: Vocabulary) -> Text:
    title = rich_text(
        f"\n{safe(vocabulary.label('proceeding_types', proceeding.get('type', '')))}",
        "bold",
        layout=True,
    )
    title.append(f"  [{safe(proceeding.get('id'))}]", style="cyan")
    if hidden:
        title.append(PRIVATE_MARK, style="bold red")
    bits = [proceeding.get(k) for k in ("authority", "reference") if proceeding.get(k)]
    if proceeding.get("lawyer"):
        bits.append(f"lawyer {safe(proceeding['lawyer'])}")
    if proceeding.get("opened"):
        bits.append(f"opened {safe(proceeding['opened'])}")
    bits.append(f"closed {safe(proceeding['closed'])}" if proceeding.get("closed") else "open")
    title.append("\n" + _joined(bits), style="dim")
    if proceeding.get("note"):
        title.append("\n" + safe(proceeding["note"], layout=True))
    return title


def timeline_parts(case: dict[str, Any], vocabulary: Vocabulary) -> list[Any]:
    """The timeline, grouped by proceeding (events without one under "Other") when the
    case has proceedings."""
    events = numbered_events(case)
    proceedings = _proceedings(case)
    if not events and not proceedings:
        return []
    parts: list[Any] = [Text("\nTimeline", style="bold italic")]
    if not proceedings:
        return [*parts, timeline(case, vocabulary, events)]
    known = {str(p.get("id")) for p, _ in proceedings}
    for proceeding, hidden in proceedings:
        own = [(n, e) for n, e in events if e.get("proceeding") == proceeding.get("id")]
        parts.append(_proceeding_title(proceeding, hidden, vocabulary))
        if own:
            parts.append(timeline(case, vocabulary, own))
    other = [(n, e) for n, e in events if str(e.get("proceeding")) not in known]
    if other:
        parts.extend([Text("\nOther", style="bold"), timeline(case, vocabulary, other)])
    return parts


def days_text(days: int) -> Text:
    """``in 12 days``, ``today``, ``3 days overdue``, coloured by urgency."""
    if days < 0:
        return Text(f"{-days} day{'s' * (days != -1)} overdue", style="bold red")
    if days == 0:
        return Text("today", style="bold red")
    return Text(f"in {days} day{'s' * (days != 1)}", style="yellow" if days <= 7 else "")


def _deadline_line(item: Any, vocabulary: Vocabulary, as_of: Any) -> Text:
    line = Text(f"#{safe(item.number)}  " if item.number else "◆  ", style="cyan")
    line.append(safe(item.due), style="bold")
    line.append("  ")
    if item.state == "open":
        line.append_text(days_text(item.days_left(as_of)))
    else:
        done = f" {safe(item.extra.get('done'))}" if item.extra.get("done") else ""
        line.append(f"{safe(item.state)}{done}", style="dim")
    line.append(f"  {safe(vocabulary.label('deadline_types', item.type))}", style="bold")
    if item.proceeding:
        line.append(f"  [{safe(item.proceeding)}]", style="cyan")
    if item.private:
        line.append(PRIVATE_MARK, style="bold red")
    if item.what:
        line.append(f"\n      {safe(item.what)}")
    if item.owner:
        line.append(f"\n      owner: {safe(item.owner)}", style="dim")
    if item.derived and item.trigger:
        line.append(
            f"\n      derived by rule {safe(item.rule)} from the {safe(item.trigger['type'])} "
            f"of {safe(item.trigger['date'])}",
            style="dim",
        )
    return line


def deadline_parts(case: dict[str, Any], vocabulary: Vocabulary, as_of: Any) -> list[Any]:
    """Open deadlines with days left (derived ones marked ◆, with their rule), then the
    settled ones; the advice caveat when any is derived."""
    from exilecases.ops.deadlines import ADVICE, deadline_items

    items = deadline_items(case, vocabulary, private=True)
    if not items:
        return []
    open_ones = sorted((i for i in items if i.state == "open"), key=lambda i: i.earliest)
    settled = [i for i in items if i.state != "open"]
    text = Text("\nDeadlines", style="bold italic")
    for item in [*open_ones, *settled]:
        text.append("\n")
        text.append_text(_deadline_line(item, vocabulary, as_of))
    if any(i.derived for i in items):
        text.append(f"\n◆ {ADVICE}", style="dim italic")
    return [text]


def case_panel(
    case: dict[str, Any],
    vocabulary: Vocabulary,
    *,
    preview: bool = False,
    as_of: date | None = None,
    sealed: str | None = None,
) -> Panel:
    """Everything about one case: fields, charges, the timeline by proceeding, deadlines
    (days left counted from ``as_of``, default today), sources, contacts, private.

    The entries of ``[[private.events]]`` and the other private sub-tables are shown in
    their place, each marked private, as are the fields a redaction rule names. With
    ``preview`` the panel says it shows a public view; ``sealed`` says why a sealed private
    part is not shown (``sealed (readable by: ...)``).
    """
    from exilecases.format.privacy import PRIVATE_SUBTABLES, private_fields, private_view

    hidden = {p for p in private_fields(vocabulary, case=case) if "." not in p}
    shown = private_view({**case, "private": {**(case.get("private") or {}), "status": None}})
    parts: list[Any] = [_field_lines(case, vocabulary, hidden)]
    if shown.get("charges"):
        charges = Table(title="Charges", title_justify="left", expand=False)
        charges.add_column("#", style="dim", no_wrap=True)  # what `charge edit ID N` takes
        for column in ("basis", "what", "max penalty", "date", "note"):
            charges.add_column(column, overflow="fold")
        for number, charge in enumerate(shown["charges"], 1):
            entry = vocabulary.entries["legal_bases"].get(charge.get("basis", ""), {})
            charges.add_row(
                f"#{number}",
                rich_text(
                    safe(charge.get("basis")) + (PRIVATE_MARK if charge.get("private") else "")
                ),
                rich_text(entry.get("label", "")),
                rich_text(entry.get("max_penalty", "")),
                rich_text(charge.get("date", "")),
                rich_text(charge.get("note", ""), layout=True),
            )
        parts.append(charges)
    parts.extend(timeline_parts(case, vocabulary))
    parts.extend(deadline_parts(case, vocabulary, as_of or date.today()))
    if shown.get("sources"):
        sources = Text("\nSources", style="bold italic")
        for source in shown["sources"]:
            bits = [source.get(k) for k in ("outlet", "published", "title") if source.get(k)]
            sources.append(f"\n[{safe(source.get('id'))}] " + _joined(bits))
            if source.get("private"):
                sources.append(PRIVATE_MARK, style="bold red")
            if source.get("url"):
                sources.append(f"\n    {safe(source['url'])}", style="blue")
        parts.append(sources)
    if shown.get("contacts"):
        contacts = Text("\nContacts", style="bold italic")
        for contact in shown["contacts"]:
            bits = [contact.get(k) for k in ("name", "role", "organisation") if contact.get(k)]
            contacts.append("\n" + _joined(bits))
            if contact.get("private"):
                contacts.append(PRIVATE_MARK, style="bold red")
            if contact.get("note"):
                contacts.append("\n" + indented(contact["note"]), style="dim")
        parts.append(contacts)
    room = case.get("private")
    if isinstance(room, dict):
        free = {k: v for k, v in room.items() if k not in (*PRIVATE_SUBTABLES, "status")}
        if free:
            private = Text("\nPrivate (never in a public output)", style="bold red")
            for key, value in free.items():
                private.append(f"\n{safe(key)}: {safe(value, layout=True)}")
            parts.append(private)
    title = Text.assemble((safe(case.get("name")), "bold"), "  ", (safe(case.get("id")), "dim"))
    if sealed:
        parts.append(Text.assemble(("\nPrivate: ", "bold red"), safe(sealed)))
    if preview:
        title.append("  (public view: what a public output holds)", style="dim")
    return Panel(Group(*parts), title=title, title_align="left")


def indented(text: str, prefix: str = "    ") -> str:
    """A note under its entry: every line indented, blank lines dropped."""
    return "\n".join(prefix + line.strip() for line in str(text).splitlines() if line.strip())


# --- search and stats -----------------------------------------------------------------


def search_table(hits: Sequence[Any], query: str) -> Table:
    """Ranked search results, each with the reason it matched."""
    from rich import box

    table = Table(
        title=rich_text(f"{len(hits)} match{'es' if len(hits) != 1 else ''} for {query!r}"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("id / name", no_wrap=True)
    table.add_column("why it matched")
    for hit in hits:
        table.add_row(
            f"{hit.score:.2f}",
            Text.assemble((safe(hit.id), "cyan"), "\n", safe(hit.name)),
            rich_text(hit.matched),
        )
    return table


def _bar(share: float, width: int = 24) -> Text:
    """A horizontal bar of ``share`` (0..1) in eighths of a character."""
    eighths = round(share * width * 8)
    full, rest = divmod(eighths, 8)
    return Text("█" * full + ("▏▎▍▌▋▊▉"[rest - 1] if rest else ""), style="magenta")


def _cell(value: Any) -> Text:
    return Text("—") if value is None else rich_text(value)


def stats_table(result: dict[str, Any], shares: Sequence[float]) -> Table:
    """One row per value with its count, its share of all cases and a bar."""
    from rich import box

    from exilecases.ops.stats import counted_noun

    field = result["by"][0]
    several = sum(row["count"] for row in result["rows"]) > result["total"]
    table = Table(
        title=rich_text(f"{result['total']} {counted_noun(result, result['total'])} by {field}"),
        caption="A case with several values counts under each, so shares add up to more than 100%."
        if several
        else None,
        title_justify="left",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column(_cell(field), no_wrap=True)
    table.add_column("events" if result.get("counted") == "events" else "cases", justify="right")
    table.add_column("share", justify="right")
    table.add_column("", no_wrap=True)
    for row, share in zip(result["rows"], shares, strict=True):
        table.add_row(_cell(row[field]), str(row["count"]), f"{share:.0%}", _bar(share))
    return table


def cross_table(result: dict[str, Any]) -> Table:
    """Two fields as a matrix: the first down, the second across, counts in the cells."""
    from rich import box

    down, across = result["by"]
    rows: dict[Any, dict[Any, int]] = {}
    columns: dict[Any, int] = {}
    for row in result["rows"]:
        rows.setdefault(row[down], {})[row[across]] = row["count"]
        columns[row[across]] = columns.get(row[across], 0) + row["count"]
    order = sorted(columns, key=lambda value: (-columns[value], value is None, str(value)))
    if across == "year":  # years in time order
        order = sorted(columns, key=lambda value: (value is None, str(value)))
    from exilecases.ops.stats import counted_noun

    noun = counted_noun(result, result["total"])
    table = Table(
        title=rich_text(f"{result['total']} {noun} by {down} (down) and {across} (across)"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column(rich_text(f"{down} \\ {across}"), no_wrap=True)
    for value in order:
        table.add_column(_cell(value), justify="right", overflow="fold", min_width=3)
    for value, cells in rows.items():
        table.add_row(_cell(value), *(str(cells.get(c, "")) for c in order))
    return table


# --- due -------------------------------------------------------------------------------


def due_table(items: Sequence[Any], vocabulary: Vocabulary, as_of: date) -> Table:
    """The table view of ``due``: earliest day first, derived deadlines marked ◆ with their
    rule and trigger."""
    from rich import box

    count = f"{len(items)} deadline{'s' * (len(items) != 1)} as of {as_of.isoformat()}"
    table = Table(title=count, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("due", no_wrap=True)
    table.add_column("case", no_wrap=True)
    table.add_column("deadline", min_width=30, ratio=1)
    for item in items:
        when = Text(safe(item.due) + "\n")
        when.append_text(days_text(item.days_left(as_of)))
        what = rich_text(vocabulary.label("deadline_types", item.type), "bold")
        if item.derived:
            what.append("  ◆ derived", style="magenta")
        else:
            what.append(f"  #{safe(item.number)}", style="cyan")
        if item.private:
            what.append(PRIVATE_MARK, style="bold red")
        if item.what:
            what.append("\n" + safe(item.what))
        who = [f"proceeding {item.proceeding}" if item.proceeding else "", item.owner or ""]
        if any(who):
            what.append("\n" + _joined(w for w in who if w), style="dim")
        if item.derived and item.trigger:
            what.append(
                f"\nrule {safe(item.rule)}, from the {safe(item.trigger['type'])} of "
                f"{safe(item.trigger['date'])}",
                style="dim",
            )
        table.add_row(when, Text.assemble((safe(item.case), "cyan"), "\n", safe(item.name)), what)
    return table
