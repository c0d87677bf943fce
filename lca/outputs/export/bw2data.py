"""Brightway project export (optional extra ``[brightway]``: bw2data, bw2io): the background
records and the foreground (one activity per stage and component, the vehicle, the credits)
written into a bw2data project, gases matched to biosphere3 where they exist, and an IPCC
GWP100 method written here (bw2io's method import is not used: it fails with bw2data 4.x).

bw2data reads ``BRIGHTWAY2_DIR`` when it is imported: set it before calling this (the CLI
leaves the user's setting alone). Writes no files; returns ``{}``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

from lca.analysis.pipeline import Run
from lca.datafiles import data_file
from lca.inputs.yamlio import load_yaml
from lca.outputs.export import ExportRequest

MAPPING_FILE = data_file("biosphere3-mapping.yaml")
BIOSPHERE = "biosphere3"
OWN_BIOSPHERE = "vehicle-lca-biosphere"
BACKGROUND = "vehicle-lca-background"
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def mapping() -> dict[str, Any]:
    return load_yaml(MAPPING_FILE).data


def database_names(run: Run) -> dict[str, str]:
    return {"background": BACKGROUND, "foreground": f"vehicle-lca-{run.result.name}"}


def method_name(run: Run) -> tuple[str, ...]:
    return ("vehicle-lca", "IPCC", run.system.gwp_set, "climate change", "GWP100")


@contextlib.contextmanager
def _quiet():  # noqa: ANN202
    """bw2data/bw2io print progress bars and structlog lines: keep them out of our output."""
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        yield


def write_project(run: Run, project: str) -> dict[str, Any]:
    """Write ``run`` into bw2data project ``project``; return what was written (keys)."""
    with _quiet():
        import bw2data as bd
        import bw2io

        bd.projects.set_current(project)
        if BIOSPHERE not in bd.databases:
            bw2io.create_default_biosphere3()
        bio = bd.Database(BIOSPHERE)
        index = {(a["name"], tuple(a["categories"])): a.key for a in bio}
    sys = run.system
    db = sys.database
    flow_keys: dict[str, tuple[str, str]] = {}
    own: dict[tuple[str, str], dict] = {}
    for fid, flow in db.flows.items():
        m = mapping().get(fid)
        key = index.get((m["name"], tuple(m["categories"]))) if m else None
        if key is None:
            key = (OWN_BIOSPHERE, fid)
            own[key] = {
                "name": flow.name,
                "categories": ("air",),
                "type": "emission",
                "unit": "kilogram",
                "comment": f"vehicle-lca flow {fid} ({flow.origin})",
            }
        flow_keys[fid] = key
    # background: every record reachable from the exchanges
    used: list[str] = []
    stack = [ex.record for ex in sys.exchanges]
    while stack:
        rid = stack.pop()
        if rid in used:
            continue
        used.append(rid)
        stack.extend(i for i, _ in db.records[rid].inputs)
    names = database_names(run)
    bg: dict[tuple[str, str], dict] = {}
    for rid in used:
        rec = db.records[rid]
        exchanges = [{"input": (names["background"], rid), "amount": 1.0, "type": "production"}]
        exchanges += [
            {"input": (names["background"], i), "amount": float(a), "type": "technosphere"}
            for i, a in rec.inputs
        ]
        exchanges += [
            {"input": flow_keys[g], "amount": float(kg), "type": "biosphere"}
            for g, kg in rec.emissions.items()
        ]
        s = rec.source
        bg[(names["background"], rid)] = {
            "name": rec.name,
            "unit": rec.unit,
            "location": rec.geography,
            "reference product": rec.name,
            "comment": f"source: {s.publisher or s.authors or ''} {s.title} ({s.year or ''})"
            + (" [estimate]" if rec.estimate else "")
            + (f"; {rec.note}" if rec.note else ""),
            "exchanges": exchanges,
        }
    # foreground: vehicle <- stage/component activities <- background records; credits apart
    fg_name = names["foreground"]
    acts: dict[str, list[dict]] = {}
    labels: dict[str, str] = {}
    for ex, a in zip(sys.exchanges, sys.amounts, strict=True):
        code = "credits" if ex.credit else f"{ex.stage}:{ex.component or 'all'}"
        labels[code] = (
            "recycling credits (reported apart, not in the total)"
            if ex.credit
            else f"{ex.stage}" + (f", {ex.component}" if ex.component else "")
        )
        acts.setdefault(code, []).append(
            {
                "input": (names["background"], ex.record),
                "amount": float(a),
                "type": "technosphere",
                "comment": f"{ex.label}; formula {ex.amount.text}",
            }
        )
    fg: dict[tuple[str, str], dict] = {}
    for code, exchanges in acts.items():
        fg[(fg_name, code)] = {
            "name": f"{run.result.name}: {labels[code]}",
            "unit": "unit",
            "location": "GLO",
            "exchanges": [
                {"input": (fg_name, code), "amount": 1.0, "type": "production"},
                *exchanges,
            ],
        }
    vehicle_code = "vehicle"
    fg[(fg_name, vehicle_code)] = {
        "name": f"{run.result.name}: {sys.inventory.vehicle.name}, cradle to grave",
        "unit": "unit",
        "location": sys.inventory.vehicle.production_country or "GLO",
        "comment": run.result.functional_unit,
        "exchanges": [{"input": (fg_name, vehicle_code), "amount": 1.0, "type": "production"}]
        + [
            {"input": (fg_name, code), "amount": 1.0, "type": "technosphere"}
            for code in acts
            if code != "credits"
        ],
    }
    factors = db.gwp_sets[sys.gwp_set].factors
    cfs = [(flow_keys[f], float(factors[f])) for f in db.flows]
    with _quiet():
        if own:
            bd.Database(OWN_BIOSPHERE).write(own)
        bd.Database(names["background"]).write(bg)
        bd.Database(fg_name).write(fg)
        m = bd.Method(method_name(run))
        m.register(unit="kg CO2e", description=f"GWP100, {db.gwp_sets[sys.gwp_set].name}")
        m.write(cfs)
    return {
        "project": project,
        "databases": [*(([OWN_BIOSPHERE]) if own else []), names["background"], fg_name],
        "vehicle": (fg_name, vehicle_code),
        "credits": (fg_name, "credits") if "credits" in acts else None,
        "method": method_name(run),
        "matched_flows": {f: k[1] for f, k in flow_keys.items() if k[0] == BIOSPHERE},
        "own_flows": sorted(f for f, k in flow_keys.items() if k[0] == OWN_BIOSPHERE),
    }


def summary(info: dict[str, Any]) -> str:
    """A few lines telling the user what was written."""
    return (
        f"Brightway project {info['project']!r}: databases {', '.join(info['databases'])}\n"
        f"vehicle activity {info['vehicle']}, method {info['method']}\n"
        f"biosphere3 flows for {', '.join(info['matched_flows'])}; own flows for "
        f"{', '.join(info['own_flows']) or 'none'}"
    )


def export_bw2data(run: Run, request: ExportRequest) -> dict[Path, str | bytes]:
    info = write_project(run, request.project or run.result.name)
    log.info(
        "Brightway project %r: databases %s; vehicle activity %s; method %s; biosphere3 "
        "matches for %s; own flows for %s",
        info["project"],
        ", ".join(info["databases"]),
        info["vehicle"],
        info["method"],
        ", ".join(info["matched_flows"]),
        ", ".join(info["own_flows"]) or "none",
    )
    return {}
