"""What the user sees on a terminal: rich tables, panels, timelines and bars.

Data goes to standard output (``out``); messages and progress to standard error (``err``).
JSON and CSV are written by ``emit.py``, which does not import rich.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from exilecases.cli.tables import events_in_order, list_rows
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
    return Text(status, style=OUTCOME_STYLES.get(vocabulary.outcome_of(status), ""))


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
        last = f"{row[8]}\n[dim]{row[9]}[/]" if row[8] else ""
        table.add_row(
            # A public view may lack a field its case marks private (private_fields).
            Text.assemble((row[0] or "", "cyan"), "\n", row[1] or ""),
            status_text(row[2] or "", vocabulary),
            last,
            row[6].replace("; ", "\n"),
            row[7].replace("; ", "\n"),
        )
    return table


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
            f"  ({vocabulary.label('statuses', status)}; outcome: {outcome})",
        ),
    )
    if case.get("name_original"):
        grid.add_row("original name", case["name_original"])
    if case.get("aliases"):
        grid.add_row("also spelt", ", ".join(case["aliases"]))
    if case.get("born"):
        grid.add_row("born", case["born"])
    if case.get("citizenship"):
        grid.add_row("citizenship", ", ".join(case["citizenship"]))
    grid.add_row("from → in", f"{case.get('origin_country')} → {case.get('host_country')}")
    if case.get("categories"):
        labels = [vocabulary.label("categories", c) for c in case["categories"]]
        grid.add_row("categories", ", ".join(labels))
    if case.get("risk"):
        grid.add_row("risk", case["risk"])
    if case.get("summary"):
        grid.add_row("summary", paragraphs(case["summary"]))
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
        line = Text(vocabulary.label("event_types", event.get("type", "")), style="bold")
        if outcome:
            line.append("  → ")
            line.append_text(status_text(outcome, vocabulary))
        details = [event[key] for key in ("place", "authority") if event.get(key)]
        if details:
            line.append("\n" + ", ".join(details), style="dim")
        if event.get("note"):
            line.append("\n" + event["note"])
        if event.get("sources"):
            line.append("\n[" + ", ".join(event["sources"]) + "]", style="dim")
        grid.add_row(str(event.get("date", "")), marker, line)
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
                charge.get("basis"),
                entry.get("label", ""),
                entry.get("max_penalty", ""),
                charge.get("date", ""),
                charge.get("note", ""),
            )
        parts.append(charges)
    if case.get("events"):
        parts.extend([Text("\nTimeline", style="bold italic"), timeline(case, vocabulary)])
    if case.get("sources"):
        sources = Text("\nSources", style="bold italic")
        for source in case["sources"]:
            bits = [source.get(k) for k in ("outlet", "published", "title") if source.get(k)]
            sources.append(f"\n[{source.get('id')}] " + ", ".join(bits))
            if source.get("url"):
                sources.append(f"\n    {source['url']}", style="blue")
        parts.append(sources)
    if case.get("contacts"):
        contacts = Text("\nContacts", style="bold italic")
        for contact in case["contacts"]:
            bits = [contact.get(k) for k in ("name", "role", "organisation") if contact.get(k)]
            flag = "  (private)" if contact.get("private") else ""
            contacts.append("\n" + ", ".join(bits) + flag)
        parts.append(contacts)
    if case.get("private"):
        private = Text("\nPrivate (never in a public export)", style="bold red")
        for key, value in case["private"].items():
            private.append(f"\n{key}: {value}")
        parts.append(private)
    return Panel(
        Group(*parts),
        title=f"[bold]{case.get('name')}[/]  [dim]{case.get('id')}[/]",
        title_align="left",
    )


# --- search and stats -----------------------------------------------------------------


def search_table(hits: Sequence[Any], query: str) -> Table:
    """Ranked search results, each with the reason it matched."""
    from rich import box

    table = Table(
        title=f"{len(hits)} match{'es' if len(hits) != 1 else ''} for {query!r}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("id / name", no_wrap=True)
    table.add_column("why it matched")
    for hit in hits:
        table.add_row(
            f"{hit.score:.2f}", Text.assemble((hit.id, "cyan"), "\n", hit.name), hit.matched
        )
    return table


def _bar(share: float, width: int = 24) -> Text:
    """A horizontal bar of ``share`` (0..1) in eighths of a character."""
    eighths = round(share * width * 8)
    full, rest = divmod(eighths, 8)
    return Text("█" * full + ("▏▎▍▌▋▊▉"[rest - 1] if rest else ""), style="magenta")


def _cell(value: Any) -> str:
    return "—" if value is None else str(value)


def stats_table(result: dict[str, Any], shares: Sequence[float]) -> Table:
    """One row per value with its count, its share of all cases and a bar."""
    from rich import box

    field = result["by"][0]
    several = sum(row["count"] for row in result["rows"]) > result["total"]
    table = Table(
        title=f"{result['total']} cases by {field}",
        caption="A case with several values counts under each, so shares add up to more than 100%."
        if several
        else None,
        title_justify="left",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column(field, no_wrap=True)
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
        title=f"{result['total']} cases by {down} (down) and {across} (across)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column(f"{down} \\ {across}", no_wrap=True)
    for value in order:
        table.add_column(_cell(value), justify="right", overflow="fold", min_width=3)
    for value, cells in rows.items():
        table.add_row(_cell(value), *(str(cells.get(c, "")) for c in order))
    return table
