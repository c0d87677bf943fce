"""The user's own background database in Brightway: ``brightway:PROJECT/DATABASE``.

Each of the tool's background records named in a mapping file (record id -> activity ``name``,
``reference_product``, ``location``, ``unit``; the bundled one is
``lca/data/ecoinvent-3.10-cutoff-mapping.yaml``) is replaced by the cumulative score of that
activity computed with bw2calc in the user's project, with the project's IPCC 2021 GWP100 method
(kg CO2e per the activity's unit, converted to the record's unit). Records the mapping leaves out
keep the bundled data and are listed as such in the result. Needs the ``[brightway]`` extra
(bw2data). ``brightway:PROJECT/DATABASE?mapping=FILE.yaml`` names another mapping file;
``?method=NAME`` picks the method when the project holds several IPCC 2021 GWP100 methods.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import logging
import warnings
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from lca.datafiles import data_file
from lca.errors import InputError
from lca.inputs.yamlio import load_yaml
from lca.model.expressions import parse_quantity
from lca.model.units import parse_unit, registry
from lca.schema.common import Source

PREFIX = "brightway:"
DEFAULT_MAPPING = data_file("ecoinvent-3.10-cutoff-mapping.yaml")
# ecoinvent / Brightway unit names -> units of this tool
UNITS = {
    "kilogram": "kg",
    "kilowatt hour": "kWh",
    "megajoule": "MJ",
    "ton kilometer": "t*km",
    "unit": "piece",
    "cubic meter": "m**3",
    "square meter": "m**2",
    "litre": "L",
    "liter": "L",
    "kilometer": "km",
    "metric ton*km": "t*km",
}
ENTRY_KEYS = {"name", "reference_product", "location", "unit", "conversion", "note", "check"}
log = logging.getLogger("lca")


@dataclass(frozen=True)
class Spec:
    project: str
    database: str
    mapping: Path
    method: str | None


def is_brightway(text: object) -> bool:
    return str(text).startswith(PREFIX)


def parse_spec(text: str, relative_to: Path | None = None) -> Spec:
    """``brightway:PROJECT/DATABASE[?mapping=FILE][&method=NAME]``."""
    body = str(text)[len(PREFIX):]
    body, _, query = body.partition("?")
    project, sep, database = body.partition("/")
    if not sep or not project or not database:
        raise InputError(
            f"{text!r}: write the Brightway background as brightway:PROJECT/DATABASE"
        )
    q = {k: v[-1] for k, v in parse_qs(query).items()}
    unknown = sorted(set(q) - {"mapping", "method"})
    if unknown:
        raise InputError(f"{text!r}: unknown option(s) {', '.join(unknown)} (mapping, method)")
    mapping = Path(q["mapping"]) if "mapping" in q else DEFAULT_MAPPING
    if relative_to is not None and not mapping.is_absolute() and "mapping" in q:
        mapping = relative_to / mapping
    return Spec(project, database, mapping, q.get("method"))


def load_mapping(path: Path) -> dict[str, dict[str, Any]]:
    """record id -> activity entry; ``null`` entries (no equivalent) are left out."""
    doc = load_yaml(path)
    records = doc.data.get("records")
    if not isinstance(records, dict) or not records:
        raise doc.error("a mapping file needs 'records': record id -> activity", ("records",))
    out = {}
    for rid, entry in records.items():
        kp = ("records", rid)
        if entry is None or (isinstance(entry, dict) and "unmapped" in entry):
            continue
        if not isinstance(entry, dict):
            raise doc.error("expected name, reference_product, location, unit", kp)
        missing = [k for k in ("name", "reference_product", "location", "unit") if k not in entry]
        extra = sorted(set(entry) - ENTRY_KEYS)
        if missing or extra:
            raise doc.error(
                f"missing {', '.join(missing) or 'nothing'}; unknown {', '.join(extra) or 'none'}",
                kp,
            )
        if entry["unit"] not in UNITS:
            raise doc.error(f"unknown unit {entry['unit']!r}; known: {', '.join(UNITS)}",
                            (*kp, "unit"))
        out[str(rid)] = {**entry, "_line": doc.line_of(kp), "_file": str(path)}
    return out


def _factor(rid: str, rec_unit: str, entry: dict[str, Any]) -> float:
    """Activity units per one unit of the record (1 when the units agree)."""
    ureg = registry()
    act = parse_unit(UNITS[entry["unit"]])
    ours = parse_unit(rec_unit)
    where = f"{entry['_file']}:{entry['_line']}"
    if "conversion" in entry:
        q = parse_quantity(str(entry["conversion"]), what="conversion")
        try:
            return float(q.to(act / ours).magnitude)
        except Exception:
            raise InputError(
                f"{where}: conversion of {rid} must be in {UNITS[entry['unit']]} per {rec_unit}"
            ) from None
    if ureg.get_dimensionality(act) != ureg.get_dimensionality(ours):
        raise InputError(
            f"{where}: record {rid} is per {rec_unit} but the activity {entry['name']!r} is per "
            f"{entry['unit']}; add 'conversion' ({UNITS[entry['unit']]} per {rec_unit})"
        )
    return float(ureg.Quantity(1.0, ours).to(act).magnitude)


@contextlib.contextmanager
def _quiet():
    """bw2data and bw2calc print info lines and warnings: keep them out of the CLI's output."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        logging.getLogger("bw2data").setLevel(logging.WARNING)
        yield


def _method(bd, spec: Spec) -> tuple:  # noqa: ANN001
    cands = [
        m for m in bd.methods
        if any("IPCC 2021" in str(p) for p in m) and any("GWP100" in str(p).replace(" ", "")
                                                          for p in m)
    ]
    if spec.method is not None:
        cands = [m for m in cands if spec.method in " | ".join(map(str, m))]
    plain = [m for m in cands if not any(w in " ".join(map(str, m)) for w in
                                         ("SLCF", "no LT", "fossil", "biogenic", "land use"))]
    pick = plain or cands
    if len(pick) == 1:
        return pick[0]
    if not pick:
        raise InputError(
            f"Brightway project {spec.project!r} has no IPCC 2021 GWP100 method"
            + (f" matching {spec.method!r}" if spec.method else "")
            + " (import the ecoinvent LCIA methods into the project)"
        )
    listed = "; ".join(" | ".join(map(str, m)) for m in sorted(pick)[:8])
    raise InputError(f"several IPCC 2021 GWP100 methods; choose with ?method=...: {listed}")


def _scores(spec: Spec, entries: dict[str, dict[str, Any]]) -> tuple[dict[str, float], str]:
    """Score (kg CO2e per activity unit) of each entry's activity, and the method's name."""
    try:
        with _quiet():
            import bw2calc as bc
            import bw2data as bd
    except ImportError:
        raise InputError(
            "a Brightway background needs bw2data: pip install 'vehicle-lca[brightway]'"
        ) from None
    except OSError as exc:  # bw2data: BRIGHTWAY2_DIR is not a folder
        raise InputError(f"cannot open the Brightway projects: {exc}") from None
    with _quiet():
        projects = sorted(p.name for p in bd.projects)
        if spec.project not in projects:
            raise InputError(f"no Brightway project {spec.project!r} (projects: "
                             f"{', '.join(projects) or 'none'}; BRIGHTWAY2_DIR sets the folder)")
        bd.projects.set_current(spec.project)
        if spec.database not in bd.databases:
            raise InputError(f"Brightway project {spec.project!r} has no database "
                             f"{spec.database!r} (databases: {', '.join(sorted(bd.databases))})")
        method = _method(bd, spec)
        index = {}
        for act in bd.Database(spec.database):
            index[(act.get("name"), act.get("reference product"), act.get("location"))] = act
        found, missing = {}, []
        for rid, e in entries.items():
            act = index.get((e["name"], e["reference_product"], e["location"]))
            if act is None:
                close = difflib.get_close_matches(e["name"], sorted({k[0] for k in index}), n=2)
                missing.append(f"{rid}: {e['name']!r} | {e['reference_product']!r} | "
                               f"{e['location']}" + (f" (close: {', '.join(close)})" if close
                                                     else ""))
                continue
            if act.get("unit") != e["unit"]:
                raise InputError(
                    f"{e['_file']}:{e['_line']}: {rid}: the activity {e['name']!r} "
                    f"({e['location']}) is per {act.get('unit')!r}, the mapping says "
                    f"{e['unit']!r}"
                )
            found[rid] = act
        if missing:
            raise InputError(
                f"{len(missing)} mapped activities are not in {spec.project}/{spec.database}:\n  "
                + "\n  ".join(missing)
            )
        if not found:
            return {}, " | ".join(map(str, method))
        first = next(iter(found.values()))
        lca = bc.LCA({first.id: 1.0}, method=method)
        lca.lci(factorize=True)
        out = {}
        for rid, act in found.items():
            prod = [ex["amount"] for ex in act.production()]
            sign = -1.0 if prod and prod[0] < 0 else 1.0  # waste treatment: negative reference
            lca.lcia(demand={act.id: sign})  # one unit supplied (or treated)
            out[rid] = float(lca.score)
    return out, " | ".join(map(str, method))


@lru_cache(maxsize=4)
def _cached(spec: Spec, stamp: tuple) -> tuple[tuple, str, tuple]:
    entries = load_mapping(spec.mapping)
    scores, method = _scores(spec, entries)
    return tuple(scores.items()), method, tuple((k, tuple(sorted(
        (a, b) for a, b in v.items() if not a.startswith("_")))) for k, v in entries.items())


def brightway_database(text: str, base: Any, relative_to: Path | None = None) -> Any:
    """``base`` (a lca.model.background.Database, not imported here: that module dispatches
    to this one) with the mapped records replaced by the scores of the user's activities."""
    spec = parse_spec(text, relative_to)
    if not spec.mapping.exists():
        raise InputError("mapping file not found", file=spec.mapping)
    st = spec.mapping.stat()
    scores, method, entries = _cached(spec, (st.st_mtime_ns, st.st_size))
    entries_d = {k: dict(v) for k, v in entries}
    replaced = []
    for rid, score in scores:
        if rid not in base.records:
            continue  # a mapping may cover more records than this background has
        rec = base.records[rid]
        e = {**entries_d[rid], "_file": str(spec.mapping), "_line": None}
        per_record_unit = score * _factor(rid, rec.unit, e)
        replaced.append(replace(
            rec,
            emissions={"co2e": per_record_unit},
            inputs=(),
            gwp_basis="AR6",
            source=Source(
                title=f"{e['name']} | {e['reference_product']} | {e['location']}",
                publisher=f"Brightway project {spec.project}, database {spec.database}",
                document=method,
            ),
            dataset=f"brightway:{spec.project}/{spec.database}",
            file=str(spec.mapping),
            uncertainty=None,
            data_quality=None,
            estimate=False,
            note=f"bw2calc score with {method}"
            + (f"; conversion {e['conversion']}" if "conversion" in e else ""),
        ))
    db = base.with_records(replaced)
    return db.with_dataset(f"brightway:{spec.project}/{spec.database}", method, str(spec.mapping))


def background_summary(system) -> dict[str, Any] | None:  # noqa: ANN001
    """Which records came from the Brightway database and which fell back to bundled data."""
    infos = [d for d in system.database.datasets if d.dataset.startswith(PREFIX)]
    if not infos:
        return None
    used = sorted({ex.record for ex in system.exchanges})
    recs = system.database.records
    from_bw = [r for r in used if recs[r].dataset.startswith(PREFIX)]
    fallback = [r for r in used if not recs[r].dataset.startswith(PREFIX)
                and not recs[r].primary_data]
    return {
        "database": infos[-1].dataset,
        "method": infos[-1].version,
        "mapping": Path(infos[-1].file).name,
        "records_from_brightway": from_bw,
        "records_from_bundled_data": fallback,
    }


def inventory_background(loaded, inv, db: Any) -> Any:  # noqa: ANN001
    """The inventory's ``background: brightway:PROJECT/DATABASE`` applied to ``db``."""
    text = inv.background
    if text is None:
        return db
    kp = ("background",)
    if not is_brightway(text):
        raise loaded.sources.error(
            "background must be brightway:PROJECT/DATABASE (a data folder is given with "
            "--background)", kp,
        )
    where = Path(loaded.sources.locate(kp)[0]).parent
    try:
        return brightway_database(text, db, relative_to=where)
    except InputError as exc:
        raise loaded.sources.error(exc.render(), kp) from None
