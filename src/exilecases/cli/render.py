"""What the user sees on a terminal: rich tables, panels, timelines and bars.

Data goes to standard output (``out``); messages and progress to standard error (``err``).
JSON and CSV are written by ``emit.py``, which does not import rich.

Every string from a case, the vocabulary or the command line becomes a ``Text`` through
``text.rich_text`` (never a markup string): rich's own styling stays, the data's controls,
escapes and markup are shown as characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from exilecases.cli.tables import events_in_order, list_rows
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


def list_table(cases: Sequence[dict[str, Any]], vocabulary: Vocabulary) -> Table:
    """The table view of ``list``: ids and statuses never wrap, the rest folds to fit."""
    from rich import box

    count = f"{len(cases)} case{'s' if len(cases) != 1 else ''}"
    table = Table(title=count, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("id / name", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("last event", no_wrap=True)
    table.add_column("categories", no_wrap=True)
    table.add_column("legal bases", no_wrap=True)
    for row in list_rows(cases, vocabulary):
        last = Text.assemble(safe(row[8]), "\n", (safe(row[9]), "dim")) if row[8] else ""
        table.add_row(
            Text.assemble((safe(row[0]), "cyan"), "\n", safe(row[1])),
            status_text(row[2], vocabulary),
            last,
            _lines(row[6].split("; ")),
            _lines(row[7].split("; ")),
        )
    return table


def _lines(items: Sequence[Any]) -> Text:
    """One safe line per item."""
    return Text("\n".join(safe(item) for item in items))


def _joined(items: Sequence[Any], separator: str = ", ") -> Text:
    """The items on one line, each made safe."""
    return Text(separator.join(safe(item) for item in items))


# --- show -----------------------------------------------------------------------------


def _field_lines(case: dict[str, Any], vocabulary: Vocabulary) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    status = case.get("status", "")
    outcome = vocabulary.outcome_of(status)
    grid.add_row(
        "status",
        Text.assemble(
            status_text(status, vocabulary),
            f"  ({safe(vocabulary.label('statuses', status))}; outcome: {safe(outcome)})",
        ),
    )
    if case.get("name_original"):
        grid.add_row("original name", rich_text(case["name_original"]))
    if case.get("aliases"):
        grid.add_row("also spelt", _joined(case["aliases"]))
    if case.get("born"):
        grid.add_row("born", rich_text(case["born"]))
    if case.get("citizenship"):
        grid.add_row("citizenship", _joined(case["citizenship"]))
    grid.add_row(
        "from → in",
        rich_text(f"{safe(case.get('origin_country'))} → {safe(case.get('host_country'))}"),
    )
    if case.get("categories"):
        labels = [vocabulary.label("categories", c) for c in case["categories"]]
        grid.add_row("categories", _joined(labels))
    if case.get("risk"):
        grid.add_row("risk", rich_text(case["risk"], layout=True))
    if case.get("summary"):
        grid.add_row("summary", rich_text(paragraphs(case["summary"]), layout=True))
    return grid


def paragraphs(text: str) -> str:
    """Hand-wrapped text reflowed: single line breaks join, blank lines separate."""
    blocks = [" ".join(block.split()) for block in text.strip().split("\n\n")]
    return "\n\n".join(block for block in blocks if block)


def timeline(case: dict[str, Any], vocabulary: Vocabulary) -> Table:
    """The events in date order as a vertical chart: a rail with one stop per event."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", style="cyan", no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column()
    events = events_in_order(case)
    for position, event in enumerate(events):
        outcome = event.get("outcome")
        marker = Text(
            "●" if outcome else "○",
            style=OUTCOME_STYLES.get(vocabulary.outcome_of(outcome), "") if outcome else "",
        )
        line = rich_text(vocabulary.label("event_types", event.get("type", "")), "bold")
        if outcome:
            line.append("  → ")
            line.append_text(status_text(outcome, vocabulary))
        details = [event[key] for key in ("place", "authority") if event.get(key)]
        if details:
            line.append("\n" + ", ".join(safe(detail) for detail in details), style="dim")
        if event.get("note"):
            line.append("\n" + safe(event["note"], layout=True))
        if event.get("sources"):
            line.append("\n[" + ", ".join(safe(s) for s in event["sources"]) + "]", style="dim")
        grid.add_row(rich_text(event.get("date", "")), marker, line)
        if position < len(events) - 1:
            grid.add_row("", Text("│", style="dim"), "")
    return grid


def case_panel(case: dict[str, Any], vocabulary: Vocabulary) -> Panel:
    """Everything about one case: fields, charges, timeline, sources, contacts, private."""
    parts: list[Any] = [_field_lines(case, vocabulary)]
    if case.get("charges"):
        charges = Table(title="Charges", title_justify="left", expand=False)
        for column in ("basis", "what", "max penalty", "date", "note"):
            charges.add_column(column, overflow="fold")
        for charge in case["charges"]:
            entry = vocabulary.entries["legal_bases"].get(charge.get("basis", ""), {})
            charges.add_row(
                rich_text(charge.get("basis")),
                rich_text(entry.get("label", "")),
                rich_text(entry.get("max_penalty", "")),
                rich_text(charge.get("date", "")),
                rich_text(charge.get("note", ""), layout=True),
            )
        parts.append(charges)
    if case.get("events"):
        parts.extend([Text("\nTimeline", style="bold italic"), timeline(case, vocabulary)])
    if case.get("sources"):
        sources = Text("\nSources", style="bold italic")
        for source in case["sources"]:
            bits = [source.get(k) for k in ("outlet", "published", "title") if source.get(k)]
            sources.append(f"\n[{safe(source.get('id'))}] " + ", ".join(safe(b) for b in bits))
            if source.get("url"):
                sources.append(f"\n    {safe(source['url'])}", style="blue")
        parts.append(sources)
    if case.get("contacts"):
        contacts = Text("\nContacts", style="bold italic")
        for contact in case["contacts"]:
            bits = [contact.get(k) for k in ("name", "role", "organisation") if contact.get(k)]
            flag = "  (private)" if contact.get("private") else ""
            contacts.append("\n" + ", ".join(safe(b) for b in bits) + flag)
        parts.append(contacts)
    if case.get("private"):
        private = Text("\nPrivate (never in a public export)", style="bold red")
        for key, value in case["private"].items():
            private.append(f"\n{safe(key)}: {safe(value, layout=True)}")
        parts.append(private)
    return Panel(
        Group(*parts),
        title=Text.assemble((safe(case.get("name")), "bold"), "  ", (safe(case.get("id")), "dim")),
        title_align="left",
    )


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

    field = result["by"][0]
    several = sum(row["count"] for row in result["rows"]) > result["total"]
    table = Table(
        title=rich_text(f"{result['total']} cases by {field}"),
        caption="A case with several values counts under each, so shares add up to more than 100%."
        if several
        else None,
        title_justify="left",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column(_cell(field), no_wrap=True)
    table.add_column("cases", justify="right")
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
    table = Table(
        title=rich_text(f"{result['total']} cases by {down} (down) and {across} (across)"),
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
