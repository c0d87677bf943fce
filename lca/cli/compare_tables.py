"""The tables ``vlca compare`` prints: totals with differences and break-even, stages, each
against each break-even, and the paired Monte Carlo (t CO2e, km)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from rich.markup import escape
from rich.table import Table

from lca.cli.common import out

STAGE_SHORT = {
    "materials": "Mater.",
    "battery": "Batt.",
    "manufacturing": "Manuf.",
    "logistics": "Logist.",
    "use": "Use",
    "maintenance": "Maint.",
    "end_of_life": "EoL",
}


def print_paired(paired: Mapping[str, Any]) -> None:
    """Probability that each scenario is lower than the baseline, and the difference (t)."""
    t = Table(
        title=f"Paired Monte Carlo ({paired['n']:,} samples, seed {paired['seed']}): "
        f"difference to {escape(paired['baseline'])}",
        title_justify="left",
    )
    t.add_column("Scenario", no_wrap=True)
    t.add_column("P(lower)", justify="right")
    t.add_column("Diff. t, median", justify="right")
    t.add_column("95 % interval, t", justify="right")
    for name, row in paired["systems"].items():
        if name == paired["baseline"]:
            continue
        d = row["difference_kg_co2e"]
        t.add_row(
            escape(name),
            f"{row['probability_lower_than_baseline']:.3f}",
            f"{d['p50'] / 1000:+,.1f}",
            f"{d['p2_5'] / 1000:+,.1f} to {d['p97_5'] / 1000:+,.1f}",
        )
    out.print(t)


def _common_prefix(names: Sequence[str]) -> str:
    """The common dash-ended prefix of scenario names (shortened in the printed tables)."""
    if len(names) < 2:
        return ""
    prefix = os.path.commonprefix(list(names))
    return prefix[: prefix.rfind("-") + 1] if "-" in prefix else ""


def print_comparison(comparison: Mapping[str, Any]) -> None:
    """The comparison as two tables (t CO2e): totals with differences and break-even, then
    stages. Names lose their common prefix to fit a terminal."""
    from rich import box

    from lca.model.system import STAGES

    base = comparison["baseline"]
    rows = comparison["scenarios"]
    prefix = _common_prefix([r["name"] for r in rows])

    def short(name: str) -> str:
        text = escape(name[len(prefix) :] if prefix else name)
        return f"[bold]{text}[/]" if name == base else text

    where = f" (names after '{escape(prefix)}')" if prefix else ""
    t = Table(
        title=f"Scenarios compared{where}: t CO2e per vehicle, difference to {short(base)}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    t.add_column("Scenario", no_wrap=True)
    t.add_column("Total t", justify="right")
    t.add_column("g/km", justify="right")
    t.add_column("Diff. t", justify="right")
    t.add_column("Diff. %", justify="right")
    t.add_column("Break-even km", justify="right")
    be = {b["scenario"]: b for b in comparison["break_even"]}
    for r in rows:
        b = be.get(r["name"])
        if b is None:
            be_text = "reference" if r["name"] == comparison["reference"] else ""
        elif b["distance_km"] is None:
            be_text = f"none < {comparison['break_even_limit_km']:,.0f}"
        else:
            be_text = f"{b['distance_km']:,.0f}" + (f" ({b['year']})" if b.get("year") else "")
        pct = r["difference_to_baseline_percent"]
        t.add_row(
            short(r["name"]),
            f"{r['total_kg_co2e'] / 1000:,.1f}",
            f"{r['per_km_g_co2e']:,.0f}",
            f"{r['difference_to_baseline_kg_co2e'] / 1000:+,.1f}",
            f"{pct:+.1f}" if pct is not None else "",
            be_text,
        )
    out.print(t)
    s = Table(
        title="By life-cycle stage, t CO2e",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    s.add_column("Scenario", no_wrap=True)
    for st in STAGES:
        s.add_column(STAGE_SHORT[st], justify="right")
    for r in rows:
        s.add_row(short(r["name"]), *(f"{r['stages_kg_co2e'][st] / 1000:,.1f}" for st in STAGES))
    out.print(s)
    loc = [
        r
        for r in rows
        if abs(r["location_based_total_kg_co2e"] - r["market_based_total_kg_co2e"]) > 0.5
    ]
    if loc:
        out.print(
            "Totals are market-based (contractual instruments counted). Location-based: "
            + "; ".join(
                f"{short(r['name'])} {r['location_based_total_kg_co2e'] / 1000:,.1f} t" for r in loc
            )
        )
    print_pairs(comparison, short)
    if comparison["reference"]:
        out.print(
            "Break-even against "
            f"{escape(comparison['reference'])} (year reached in brackets with a use profile): "
            "production at km 0, use and maintenance by distance, end of life at the lifetime."
        )


MAX_PAIR_TABLE = 12  # scenarios up to which the each-against-each table is printed


def print_pairs(comparison: Mapping[str, Any], short: Any) -> None:
    """Break-even of each against each (km): row against column, for the row with the higher
    production-side emissions; blank where the row starts lower."""
    from rich import box

    rows = [r["name"] for r in comparison["scenarios"]]
    pairs = comparison.get("break_even_pairs") or []
    if len(rows) < 3 or len(rows) > MAX_PAIR_TABLE or not pairs:
        return
    cell = {(p["scenario"], p["reference"]): p["distance_km"] for p in pairs}
    t = Table(
        title="Break-even in 1,000 km, each against each (the row catches up with the column; "
        f"- never within {comparison['break_even_limit_km']:,.0f} km)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    t.add_column("", no_wrap=True)
    for i, _ in enumerate(rows, 1):  # numbered columns: the table fits a terminal
        t.add_column(str(i), justify="right", no_wrap=True)
    for i, a in enumerate(rows, 1):
        values = []
        for b in rows:
            if (a, b) not in cell:
                values.append("")
            else:
                km = cell[(a, b)]
                values.append("-" if km is None else f"{km / 1000:,.0f}")
        t.add_row(f"{i} {short(a)}", *values)
    out.print(t)
