"""Break-even on hand-made cars with closed-form answers, the comparison, and charts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lca.analysis.compare import break_even_km, compare, comparison_csv, curve
from lca.model.system import STAGES
from lca.outputs import charts


def car(name, powertrain, production, use, eol=0.0, life=200000.0, maintenance=0.0, profile=()):
    stages = {s: 0.0 for s in STAGES}
    stages.update(materials=production, use=use, end_of_life=eol, maintenance=maintenance)
    total = sum(stages.values())
    return {
        "name": name,
        "vehicle": {"powertrain": powertrain},
        "total_kg_co2e": total,
        "per_km_g_co2e": 1000 * total / life,
        "lifetime_distance_km": life,
        "stages_kg_co2e": stages,
        "use_profile": list(profile),
        "hotspots": [],
        "exchanges": [],
    }


def test_break_even_closed_form():
    # EV: 12 t + 0.05 kg/km; petrol: 6 t + 0.2 kg/km -> 6000 / 0.15 = 40,000 km
    ev = car("ev", "battery-electric", 12000, 10000)
    ice = car("ice", "petrol", 6000, 40000)
    assert break_even_km(curve(ev), curve(ice)) == pytest.approx(40000.0, rel=1e-12)


def test_break_even_with_maintenance_and_end_of_life_step():
    # EV 10 t + 0.02 kg/km (use 0.015 + maint 0.005), ICE 8 t + 0.022 kg/km: the gap of 2 t
    # closes at 0.002 kg/km only after 1,000,000 km; the EV's end of life is smaller (0.5 t vs
    # 3 t) so at the common lifetime of 200,000 km the step closes it: 2000 - 400 - 2500 < 0
    ev = car("ev", "battery-electric", 10000, 3000, eol=500, maintenance=1000)
    ice = car("ice", "petrol", 8000, 4400, eol=3000)
    assert break_even_km(curve(ev), curve(ice)) == pytest.approx(200000.0)


def test_no_break_even_within_the_limit_is_none():
    ev = car("ev", "battery-electric", 20000, 40000)
    ice = car("ice", "petrol", 6000, 40000)
    assert break_even_km(curve(ev), curve(ice)) is None
    cmp = compare([ev, ice])
    assert cmp["break_even"] == [
        {
            "scenario": "ev",
            "reference": "ice",
            "distance_km": None,
            "year": None,
            "year_by_year": False,
        }
    ]


def test_break_even_year_by_year():
    # EV use 2025: 10,000 km at 0.1 kg/km, 2026: 10,000 km at 0 kg/km (life 20,000 km);
    # EV production 2.5 t; ICE 0 t + 0.2 kg/km. Gap at km 0: 2500; the first year closes
    # 0.1 kg/km -> 1500 kg left at 10,000 km; the second closes 0.2 kg/km -> 7,500 km more
    prof = [
        {"year": 2025, "distance_km": 10000.0, "kg_co2e": 1000.0},
        {"year": 2026, "distance_km": 10000.0, "kg_co2e": 0.0},
    ]
    ev = car("ev", "battery-electric", 2500, 1000, life=20000, profile=prof)
    ice = car("ice", "petrol", 0, 4000, life=20000)
    assert break_even_km(curve(ev), curve(ice)) == pytest.approx(17500.0, rel=1e-12)
    cmp = compare([ev, ice], baseline="ev")
    assert cmp["break_even"][0]["year"] == 2026
    assert cmp["reference"] == "ice"


def test_comparison_table_and_csv():
    ev = car("ev", "battery-electric", 12000, 10000)
    ice = car("ice", "petrol", 6000, 40000)
    cmp = compare([ev, ice])
    assert cmp["baseline"] == "ice"
    row = {r["name"]: r for r in cmp["scenarios"]}["ev"]
    assert row["difference_to_baseline_kg_co2e"] == pytest.approx(-24000.0)
    assert row["difference_to_baseline_percent"] == pytest.approx(-100 * 24000 / 46000)
    assert json.loads(json.dumps(cmp))  # plain JSON
    lines = comparison_csv(cmp).splitlines()
    assert len(lines) == 3 and lines[1].startswith("ev,battery-electric,200000,22000,")
    with pytest.raises(ValueError, match="baseline 'x'"):
        compare([ev, ice], baseline="x")


def test_charts_have_the_expected_bars_and_lines(tmp_path):
    ev = car("ev", "battery-electric", 12000, 10000, eol=500)
    ice = car("ice", "petrol", 6000, 40000, eol=300)
    fig = charts.stages_chart([ev, ice])
    ax = fig.axes[0]
    assert len(ax.patches) == len(STAGES) * 2  # one bar per scenario and stage
    colours = {tuple(round(c, 3) for c in p.get_facecolor()[:3]) for p in ax.patches}
    assert len(colours) == len(STAGES)
    fig = charts.cumulative_chart([ev, ice])
    ax = fig.axes[0]
    lines = [ln for ln in ax.get_lines() if ln.get_linestyle() != "None"]
    markers = [ln for ln in ax.get_lines() if ln.get_linestyle() == "None"]
    assert len(lines) == 2 and len(markers) == 1
    assert markers[0].get_xdata()[0] == pytest.approx(40.0)  # thousand km
    fig = charts.waterfall_chart(ice, ev)
    assert len(fig.axes[0].patches) == len(STAGES) + 2
    assert "t CO2e" in fig.axes[0].get_xlabel()
    paths = charts.save_figure(fig, tmp_path / "w")
    assert sorted(p.name for p in paths) == ["w.png", "w.svg"]
    assert (tmp_path / "w.png").read_bytes()[:4] == b"\x89PNG"


def test_stage_colours_are_the_same_in_every_chart():
    ev = car("ev", "battery-electric", 12000, 10000, eol=500)
    ev["hotspots"] = [
        {"label": "use", "stage": "use", "kg_co2e": 10000.0, "share": 0.5},
        {"label": "steel", "stage": "materials", "kg_co2e": 1000.0, "share": 0.05},
    ]
    from matplotlib.colors import to_hex

    hot = charts.hotspots_chart(ev).axes[0].patches
    assert to_hex(hot[1].get_facecolor()) == charts.STAGE_COLOURS["use"].lower()
    bars = charts.stages_chart([ev]).axes[0].patches  # one bar per stage, ordered by value
    use = ev["stages_kg_co2e"]["use"] / 1000
    (bar,) = [b for b in bars if b.get_width() == pytest.approx(use)]
    assert to_hex(bar.get_facecolor()) == charts.STAGE_COLOURS["use"].lower()


def test_bundled_comparison_numbers_are_published_range(tmp_path):
    """The EU reference against the petrol reference: break-even inside the validation band of
    docs/published-lcas.md (20,000-60,000 km on the EU grid)."""
    from lca.analysis.pipeline import run_file

    root = Path(__file__).parent.parent / "scenarios"
    ev = run_file(root / "compact-suv-bev-eu.yaml", measures=False)
    ice = run_file(root / "compact-suv-petrol.yaml", measures=False)
    km = compare([ev, ice])["break_even"][0]["distance_km"]
    assert 20000 < km < 60000


def test_break_even_with_breakpoints_a_rounding_error_apart():
    import math

    # lifetimes one float step apart: the piece between them has no interior point
    life_b = math.nextafter(200000.0, math.inf)
    a = car("a", "battery-electric", 10000, 0.1 * 200000)
    b = car("b", "petrol", 5000, 0.05 * life_b, life=life_b)
    assert break_even_km(curve(a), curve(b)) is None


def test_default_reference_is_the_petrol_car_then_any_combustion_car():
    ev = car("ev", "battery-electric", 12000, 10000)
    diesel = car("diesel", "diesel", 6000, 36000)
    petrol = car("petrol", "petrol", 6000, 40000)
    hev = car("hev", "hybrid-petrol", 6500, 32000)
    assert compare([diesel, ev, petrol])["reference"] == "petrol"
    c = compare([hev, diesel, ev])
    assert c["reference"] == "hev"
    # each against each: the EV (higher at km 0) catches up with both combustion cars
    pairs = {(p["scenario"], p["reference"]): p["distance_km"] for p in c["break_even_pairs"]}
    assert pairs[("ev", "diesel")] == pytest.approx(6000 / (0.18 - 0.05))
    assert pairs[("ev", "hev")] == pytest.approx(5500 / (0.16 - 0.05))
    assert pairs[("hev", "diesel")] == pytest.approx(500 / (0.18 - 0.16))
