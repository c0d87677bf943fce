"""The interpretation section (ISO 14067, 6.6 and 7): findings computed from the results, each a
sentence with named values, so the templates translate the sentence and format the values for
the language. Nothing here is a stored text about a particular car."""

from __future__ import annotations

from typing import Any

SIGNIFICANT = 0.05  # a choice that moves the total by 5 % or more is one the conclusions rest on
TONNE = 1000.0


def N_(msgid: str) -> str:  # noqa: N802 - the gettext marker Babel extracts
    """Mark ``msgid`` for the catalogue; translated where the template renders it."""
    return msgid


STAGE_WORDS = [  # the stage labels of lca.outputs.palette, for the catalogue
    N_("Materials and parts (excl. battery)"),
    N_("Traction battery"),
    N_("Vehicle manufacturing"),
    N_("Logistics (delivery)"),
    N_("Use (energy, with upstream and losses)"),
    N_("Maintenance"),
    N_("End of life"),
]

OTHER_WORDS = [  # values of the data shown through the catalogue
    N_("battery-electric"),
    N_("petrol"),
    N_("diesel"),
    N_("hybrid-petrol"),
    N_("plug-in-hybrid-petrol"),
    N_("cradle-to-grave"),
    N_("cradle-to-gate"),
    N_("fossil"),
    N_("biogenic"),
    N_("cut-off (recycled content approach, 100:0)"),
    N_("avoided burden (end-of-life recycling approach, 0:100)"),
    N_("circular footprint formula (PEF, Recommendation (EU) 2021/2279)"),
]


def _t(value: float) -> float:
    return value / TONNE


def findings(ctx: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """``{"findings": [...], "depends_on": [...]}``; each item ``{"msg": msgid, "args": {...},
    "kinds": {arg: "t" | "pct" | "spct" | "km" | "g" | "text"}}``."""
    out: list[dict[str, Any]] = []
    depends: list[dict[str, Any]] = []
    for part in (
        _result_findings,
        _grid_findings,
        _lifetime_findings,
        _recycling_findings,
        _sensitivity_findings,
        _monte_carlo_findings,
        _quality_findings,
    ):
        part(ctx, out, depends)
    return {"findings": out, "depends_on": depends}


def _add(target: list, msg: str, **args: tuple[str, Any]) -> None:
    """Append finding ``msg`` with its values, each ``name=(kind, value)``."""
    target.append(
        {
            "msg": msg,
            "args": {k: v for k, (_, v) in args.items()},
            "kinds": {k: kind for k, (kind, _) in args.items()},
        }
    )


def _result_findings(ctx: dict[str, Any], out: list, depends: list) -> None:
    """The total, the three largest stages and the largest single contribution."""
    total = ctx["total"]
    _add(
        out,
        N_(
            "The carbon footprint of one %(vehicle)s is %(total)s t CO2e over %(km)s km "
            "(%(per_km)s g CO2e/km), cradle to grave, climate change only."
        ),
        vehicle=("text", ctx["vehicle_name"]),
        total=("t", _t(total)),
        km=("km", ctx["km"]),
        per_km=("g", ctx["per_km"]),
    )
    top = sorted(ctx["stages"], key=lambda s: -s["kg"])[:3]
    if len(top) == 3:
        _add(
            out,
            N_(
                "The largest stages are %(s1)s (%(p1)s), %(s2)s (%(p2)s) and %(s3)s "
                "(%(p3)s): together %(p)s of the total."
            ),
            s1=("stage", top[0]["label"]),
            p1=("pct", top[0]["share"]),
            s2=("stage", top[1]["label"]),
            p2=("pct", top[1]["share"]),
            s3=("stage", top[2]["label"]),
            p3=("pct", top[2]["share"]),
            p=("pct", sum(s["share"] for s in top)),
        )
    if ctx["hotspots"]:
        h = ctx["hotspots"][0]
        _add(
            out,
            N_("The largest single contribution is %(label)s: %(t)s t CO2e (%(share)s)."),
            label=("text", h.label),
            t=("t", _t(h.kg_co2e)),
            share=("pct", h.share),
        )


def _grid_findings(ctx: dict[str, Any], out: list, depends: list) -> None:
    """The range over the background data's grid mixes (a dependency when 5 % or more)."""
    grids = ctx["grids"]
    if len(grids) > 1:
        lo, hi = grids[0], grids[-1]
        _add(
            out,
            N_(
                "Charged from another grid mix, the total would lie between %(lo)s t "
                "(%(lo_grid)s, %(lo_d)s) and %(hi)s t (%(hi_grid)s, %(hi_d)s)."
            ),
            lo=("t", _t(lo["total"])),
            lo_grid=("text", lo["geography"]),
            lo_d=("spct", lo["delta"]),
            hi=("t", _t(hi["total"])),
            hi_grid=("text", hi["geography"]),
            hi_d=("spct", hi["delta"]),
        )
        if max(abs(lo["delta"]), abs(hi["delta"])) >= SIGNIFICANT:
            _add(
                depends,
                N_(
                    "the electricity mix of the use stage (%(lo_d)s to %(hi_d)s "
                    "across the grids of the background data)"
                ),
                lo_d=("spct", lo["delta"]),
                hi_d=("spct", hi["delta"]),
            )


def _lifetime_findings(ctx: dict[str, Any], out: list, depends: list) -> None:
    """The totals at the two other lifetime distances (a dependency when 5 % or more)."""
    lives = [r for r in ctx["lifetimes"] if not r["selected"]]
    if len(lives) == 2:
        a, b = lives
        _add(
            out,
            N_(
                "Over %(a_km)s km the total is %(a_t)s t (%(a_g)s g CO2e/km), over "
                "%(b_km)s km %(b_t)s t (%(b_g)s g CO2e/km): per km, the footprint falls "
                "as production is spread over more distance."
            ),
            a_km=("km", a["km"]),
            a_t=("t", _t(a["total"])),
            a_g=("g", a["per_km"]),
            b_km=("km", b["km"]),
            b_t=("t", _t(b["total"])),
            b_g=("g", b["per_km"]),
        )
        if max(abs(a["delta"]), abs(b["delta"])) >= SIGNIFICANT:
            _add(
                depends,
                N_(
                    "the lifetime distance (%(a_d)s to %(b_d)s on the total for "
                    "%(a_km)s to %(b_km)s km)"
                ),
                a_d=("spct", a["delta"]),
                b_d=("spct", b["delta"]),
                a_km=("km", a["km"]),
                b_km=("km", b["km"]),
            )


def _recycling_findings(ctx: dict[str, Any], out: list, depends: list) -> None:
    """The change by the other recycling approaches (a dependency when 5 % or more)."""
    alts = [a for a in ctx["approaches"] if a["available"] and not a["selected"]]
    if alts:
        d_lo = min(a["delta"] for a in alts)
        d_hi = max(a["delta"] for a in alts)
        _add(
            out,
            N_("The other recycling approaches change the total by %(lo)s to %(hi)s."),
            lo=("spct", d_lo),
            hi=("spct", d_hi),
        )
        if max(abs(d_lo), abs(d_hi)) >= SIGNIFICANT:
            _add(
                depends,
                N_("the recycling approach (%(lo)s to %(hi)s)"),
                lo=("spct", d_lo),
                hi=("spct", d_hi),
            )


def _sensitivity_findings(ctx: dict[str, Any], out: list, depends: list) -> None:
    """Inputs whose one-at-a-time swing is 5 % of the total or more (dependencies)."""
    total = ctx["total"]
    grids = ctx["grids"]
    sens = ctx["sensitivity"]
    if sens and sens.get("inputs"):
        # choices already named above (the grid, the lifetime) are not repeated as inputs
        elec = ctx["inv"].use.electricity
        named = {"parameter:lifetime_distance", "choice:use.electricity.supply"}
        if elec is not None and grids:
            named.add(f"record:{elec.supply}")
        rows = [r for r in sens["inputs"] if r["key"] not in named][:3]
        for r in rows:
            share = abs(r["swing_kg_co2e"]) / total if total else 0.0
            if share >= SIGNIFICANT:
                _add(
                    depends,
                    N_("%(input)s (a swing of %(t)s t, %(p)s of the total)"),
                    input=("text", r.get("display", r["label"])),
                    t=("t", _t(abs(r["swing_kg_co2e"]))),
                    p=("pct", share),
                )


def _monte_carlo_findings(ctx: dict[str, Any], out: list, depends: list) -> None:
    """The 95 % interval of the Monte Carlo totals."""
    mc = ctx["uncertainty"]
    if mc:
        t = mc["total_kg_co2e"]
        _add(
            out,
            N_(
                "With %(n)s Monte Carlo samples (seed %(seed)s), 95 %% of the totals lie "
                "between %(lo)s and %(hi)s t CO2e (median %(med)s t)."
            ),
            n=("int", mc["n"]),
            seed=("raw", mc["seed"]),
            lo=("t", _t(t["p2_5"])),
            hi=("t", _t(t["p97_5"])),
            med=("t", _t(t["p50"])),
        )


def _quality_findings(ctx: dict[str, Any], out: list, depends: list) -> None:
    """The data quality, and a dependency on estimates of 20 % of the total or more."""
    q = ctx["quality"]
    _add(
        out,
        N_(
            "Data quality: a primary-data share of %(pds)s, %(est)s of the total resting on "
            "values marked as estimates, a data-quality rating of %(dqr)s."
        ),
        pds=("pct", q.primary_data_share),
        est=("pct", q.estimate_share),
        dqr=("dqr", q.dqr),
    )
    if q.estimate_share >= 0.2:
        _add(
            depends,
            N_("estimated background values (%(est)s of the total), above all %(recs)s"),
            est=("pct", q.estimate_share),
            recs=("text", "; ".join(r["name"] for r in ctx["estimates"][:3])),
        )
