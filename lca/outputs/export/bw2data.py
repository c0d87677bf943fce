"""Brightway project export (optional extra ``[brightway]``: bw2data 4, bw2io): what a
Brightway 2.5 colleague expects to find.

- The background in ``vehicle-lca background <versions> <hash>``: every record of the data
  version, named by a hash of its content, so exports of other vehicles add to a project and
  never rewrite what an earlier one links to.
- Each vehicle in its own foreground database named after the scenario: one activity per stage
  and component, the vehicle (``vehicle_lca_root: True``) and the credits apart; Brightway unit
  names, location codes, reference products, categories and ISIC classifications.
- The inventory's parameters as database parameters (SI base units, formulas, uncertainty) and
  exchange formulas in an activity-parameter group; background exchanges carry the records'
  uncertainty as ``stats_arrays`` ids, so a Monte Carlo run varies.
- The GWP100 method under bw2io's name for ecoinvent's IPCC method (IPCC 2021 for AR6); an
  existing method of that name is kept and only completed with our flows.

bw2data reads ``BRIGHTWAY2_DIR`` when it is imported: set it before calling this (the CLI
leaves the user's setting alone). Writes no files; returns ``{}``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

from lca.analysis.pipeline import Run
from lca.datafiles import data_file
from lca.errors import InputError
from lca.inputs.yamlio import load_yaml
from lca.outputs.export import ExportRequest
from lca.outputs.export import bw_convert as bwc
from lca.outputs.palette import STAGE_LABELS

MAPPING_FILE = data_file("biosphere3-mapping.yaml")
BIOSPHERE = "biosphere3"
OWN_BIOSPHERE = "vehicle-lca-biosphere"
ISIC = "ISIC rev.4 ecoinvent"
ISIC_VEHICLE = (ISIC, "2910:Manufacture of motor vehicles")
ISIC_BATTERY = (ISIC, "2720:Manufacture of batteries and accumulators")
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def mapping() -> dict[str, Any]:
    return load_yaml(MAPPING_FILE).data


def background_name(run: Run) -> str:
    """One background database per data version and content (a hash of every record)."""
    db = run.system.database
    content = [
        (r.id, r.unit, sorted(r.emissions.items()), list(r.inputs), r.geography)
        for r in sorted(db.records.values(), key=lambda r: r.id)
    ]
    digest = hashlib.sha256(json.dumps(content, default=str).encode()).hexdigest()[:10]
    versions = "+".join(sorted({d.version for d in db.datasets}))
    return f"vehicle-lca background {versions} {digest}"


def database_names(run: Run) -> dict[str, str]:
    return {"background": background_name(run), "foreground": run.result.name}


def method_name(run: Run) -> tuple[str, ...]:
    return bwc.method_name(run.system.gwp_set)


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


def _flow_keys(run: Run, index: dict) -> tuple[dict[str, tuple[str, str]], dict]:
    """Our gas -> biosphere key (biosphere3 where it has the flow, else our own database)."""
    keys: dict[str, tuple[str, str]] = {}
    own: dict[tuple[str, str], dict] = {}
    for fid, flow in run.system.database.flows.items():
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
        keys[fid] = key
    return keys, own


def _background(run: Run, name: str, flow_keys: dict) -> dict[tuple[str, str], dict]:
    """Every background record as an activity, with its emissions' uncertainty."""
    out = {}
    for rid, rec in run.system.database.records.items():
        exchanges = [{"input": (name, rid), "amount": 1.0, "type": "production"}]
        exchanges += [{"input": (name, i), "amount": float(a), "type": "technosphere"}
                      for i, a in rec.inputs]  # fmt: skip
        exchanges += [
            {"input": flow_keys[g], "amount": float(kg), "type": "biosphere",
             **bwc.record_uncertainty(rec.uncertainty, float(kg))}
            for g, kg in rec.emissions.items()
        ]  # fmt: skip
        s = rec.source
        out[(name, rid)] = {
            "name": rec.name,
            "unit": bwc.unit_name(rec.unit),
            "location": bwc.location(rec.geography),
            "reference product": rec.name,
            "categories": ("vehicle-lca", rec.category),
            "type": "process",
            "vehicle_lca_id": rid,
            "vehicle_lca_geography": rec.geography,
            "comment": f"source: {s.publisher or s.authors or ''} {s.title} ({s.year or ''})"
            + (" [estimate]" if rec.estimate else "")
            + (f"; {rec.note}" if rec.note else ""),
            "exchanges": exchanges,
        }
    return out


def _activity_label(ex: Any, comps: dict[str, str]) -> str:
    if ex.credit:
        return "end-of-life recycling credits (reported apart, not in the total)"
    stage = STAGE_LABELS.get(ex.stage, ex.stage)
    return stage + (f": {comps.get(ex.component, ex.component)}" if ex.component else "")


def _foreground(run: Run, names: dict[str, str]) -> tuple[dict, dict[str, list]]:
    """Foreground activities (stage/component, vehicle, credits); exchange formulas."""
    sys, inv = run.system, run.system.inventory
    fg, bg = names["foreground"], names["background"]
    params = set(sys.parameters.order)
    comps = {c.id: c.description or c.id for c in inv.components}
    batteries = {c.id for c in inv.components if c.chemistry is not None}
    acts: dict[str, dict] = {}
    for ex, a in zip(sys.exchanges, sys.amounts, strict=True):
        code = "credits" if ex.credit else f"{ex.stage}:{ex.component or 'all'}"
        if code not in acts:
            label = _activity_label(ex, comps)
            where = inv.vehicle.production_country if ex.stage in (
                "materials", "battery", "manufacturing") else inv.vehicle.market  # fmt: skip
            acts[code] = {
                "name": f"{inv.vehicle.name}: {label}",
                "reference product": label,
                "unit": "unit",
                "location": bwc.location(where),
                "categories": ("vehicle-lca", "end_of_life" if ex.credit else ex.stage),
                "type": "process",
                "vehicle_lca_stage": ex.stage,
                "exchanges": [{"input": (fg, code), "amount": 1.0, "type": "production"}],
            }
            if ex.component in batteries:
                acts[code]["classifications"] = [ISIC_BATTERY]
        f = bwc.exchange_formula(ex.amount, ex.unit, params)
        acts[code]["exchanges"].append(
            {"input": (bg, ex.record), "amount": float(a), "type": "technosphere",
             "comment": f"{ex.label}; {ex.amount.text} ({ex.unit})",
             **({"formula": f} if f else {})}
        )  # fmt: skip
    root = {
        "name": f"{inv.vehicle.name}, cradle to grave",
        "reference product": inv.vehicle.name,
        "unit": "unit",
        "location": bwc.location(inv.vehicle.production_country),
        "categories": ("vehicle-lca", "vehicle"),
        "classifications": [ISIC_VEHICLE],
        "type": "process",
        "vehicle_lca_root": True,
        "comment": f"{run.result.functional_unit}; {run.result.boundary}; GWP100 "
        f"{sys.gwp_set}; end-of-life credits are in the activity 'credits', not here",
        "exchanges": [{"input": (fg, "vehicle"), "amount": 1.0, "type": "production"}]
        + [{"input": (fg, c), "amount": 1.0, "type": "technosphere"} for c in acts
           if c != "credits"],
    }  # fmt: skip
    data = {(fg, c): a for c, a in acts.items()}
    data[(fg, "vehicle")] = root
    amounts = {c: [e["amount"] for e in a["exchanges"][1:]] for c, a in acts.items()}
    return data, amounts


def _database_parameters(run: Run) -> list[dict[str, Any]]:
    """The inventory's parameters in SI base units, with formulas and uncertainty."""
    sys = run.system
    params = set(sys.parameters.order)
    declared = sys.inventory.parameters
    out = []
    for name in sys.parameters.order:
        value = sys.parameter_values.get(name)
        if not hasattr(value, "to_base_units"):
            continue
        expr = sys.parameters.expressions[name]
        row: dict[str, Any] = {
            "name": name,
            "amount": bwc.si_value(value),
            "unit": bwc.si_unit(value),
            "vehicle_lca_expression": expr.text,
        }
        if expr.parameters({p: None for p in params}):
            row["formula"] = bwc.formula(expr, params)
        if name in declared:
            row.update(bwc.parameter_uncertainty(declared[name].uncertainty, value))
        out.append(row)
    return out


def _write_method(bd: Any, run: Run, flow_keys: dict) -> dict[str, Any]:
    """Our GWP100 factors under Brightway's method name; an existing method is kept and only
    completed with the flows it lacks (differences are returned, not overwritten)."""
    db = run.system.database
    factors = db.gwp_sets[run.system.gwp_set].factors
    ours = {flow_keys[f]: float(factors[f]) for f in db.flows}
    name = method_name(run)
    m = bd.Method(name)
    if name in bd.methods:
        have = {tuple(k) if not isinstance(k, int) else bd.get_node(id=k).key: v
                for k, v, *_ in m.load()}  # fmt: skip
        differs = {str(k): (have[k], v) for k, v in ours.items() if k in have and have[k] != v}
        added = {k: v for k, v in ours.items() if k not in have}
        if added:
            m.write([*have.items(), *added.items()])
        return {"kept": True, "added": len(added), "differs": differs}
    m.register(unit=bwc.METHOD_UNIT, description=(
        f"GWP100, {db.gwp_sets[run.system.gwp_set].name}, written by vehicle-lca: biogenic CO2 "
        "emissions count with 1 (ISO 14067), already-characterised CO2e with 1"))  # fmt: skip
    m.write(list(ours.items()))
    return {"kept": False, "added": len(ours), "differs": {}}


def _check_amounts(bd: Any, fg: str, expected: dict[str, list[float]]) -> None:
    """After Brightway recalculated the formulas, every exchange must hold our amount."""
    for code, amounts in expected.items():
        got = [e["amount"] for e in bd.get_node(database=fg, code=code).technosphere()]
        for g, a in zip(sorted(got), sorted(amounts), strict=True):
            if abs(g - a) > 1e-9 * max(1.0, abs(a)):
                raise InputError(f"Brightway formula of {code!r} gives {g}, not {a}")


def _drop_group(group: str) -> None:
    """Remove an activity-parameter group and its exchange formulas (they point at exchange
    rows that rewriting the database deletes)."""
    from bw2data.parameters import ActivityParameter, Group, ParameterizedExchange

    ParameterizedExchange.delete().where(ParameterizedExchange.group == group).execute()
    ActivityParameter.delete().where(ActivityParameter.group == group).execute()
    Group.delete().where(Group.name == group).execute()


def write_project(run: Run, project: str) -> dict[str, Any]:
    """Write ``run`` into bw2data project ``project``; return what was written (keys)."""
    names = database_names(run)
    fg = names["foreground"]
    with _quiet():
        import bw2data as bd
        import bw2io

        bd.projects.set_current(project)
        if BIOSPHERE not in bd.databases:
            bw2io.create_default_biosphere3()
        index = {(a["name"], tuple(a["categories"])): a.key for a in bd.Database(BIOSPHERE)}
        flow_keys, own = _flow_keys(run, index)
        if own:
            have = (
                {a.key for a in bd.Database(OWN_BIOSPHERE)}
                if OWN_BIOSPHERE in bd.databases
                else set()
            )  # noqa: E501
            if not set(own) <= have:
                old = {a.key: dict(a.as_dict()) for a in bd.Database(OWN_BIOSPHERE)} if have else {}
                bd.Database(OWN_BIOSPHERE).write({**old, **own})
        if names["background"] not in bd.databases:  # same name, same content: leave it
            bd.Database(names["background"]).write(_background(run, names["background"], flow_keys))
        data, amounts = _foreground(run, names)
        group = f"{fg} exchanges"
        _drop_group(group)  # an earlier export of this scenario: its exchanges are replaced
        bd.Database(fg).write(data)
        bd.parameters.new_database_parameters(_database_parameters(run), fg, overwrite=True)
        bd.parameters.new_activity_parameters(
            [{"database": fg, "code": "vehicle", "name": "vehicles", "amount": 1.0,
              "unit": "unit"}], group, overwrite=True)  # fmt: skip
        for key in data:
            bd.parameters.add_exchanges_to_group(group, bd.get_node(database=key[0], code=key[1]))
        bd.parameters.recalculate()
        _check_amounts(bd, fg, amounts)
        method = _write_method(bd, run, flow_keys)
    return {
        "project": project,
        "databases": [*(([OWN_BIOSPHERE]) if own else []), names["background"], fg],
        "vehicle": (fg, "vehicle"),
        "credits": (fg, "credits") if (fg, "credits") in data else None,
        "method": method_name(run),
        "method_kept": method["kept"],
        "method_differs": method["differs"],
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
    log.info("%s", summary(info).replace("\n", "; "))
    if info["method_differs"]:
        log.warning(
            "the project's method %s was kept; its factors differ from ours for %s",
            info["method"], ", ".join(info["method_differs"]),
        )  # fmt: skip
    return {}
