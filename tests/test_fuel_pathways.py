"""Bundled fuels: one entry per pathway, hydrogen pathways marked as such (issue 10 follow-up)."""

from __future__ import annotations


def test_no_two_fuels_are_the_same_pathway(bundled_db):
    seen: dict[tuple, str] = {}
    for f in bundled_db.fuels.values():
        key = (f.upstream, f.combustion, f.blend.fuel if f.blend else None, f.electricity)
        assert key not in seen, f"fuels {seen[key]!r} and {f.id!r} are the same pathway"
        seen[key] = f.id


def test_every_hydrogen_fuel_says_carrier_hydrogen(bundled_db):
    for f in bundled_db.fuels.values():
        if f.combustion == "combustion:hydrogen-fcev":
            assert f.carrier == "hydrogen", f.id
