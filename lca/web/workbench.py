"""The workbench's model side: a catalogue of inputs, what-ifs as scenario overrides, and their
evaluation on the compiled engine.

A what-if is ``{key path: value}`` over one loaded input, exactly the ``overrides`` of a scenario
file. Its structural part (supplies, chemistry, approach, recycled masses) is loaded through the
CLI's own loader (``load_input`` of a scenario file that ``extends`` the chosen one), built,
checked by bw2calc and compiled once per distinct structure (cached); its parameter part is
evaluated on the compiled model as parameter overrides (SI magnitudes), the way sweeps are.
Units: kg CO2e per vehicle, km, g CO2e/km.
"""

from __future__ import annotations

import math
import re
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from lca.calc import montecarlo as mc
from lca.calc.breakeven import line_parts
from lca.calc.engine import calculate
from lca.calc.sampling import deterministic_row, draw
from lca.errors import CalculationError, InputError
from lca.inputs.loader import LoadedInput, load_input
from lca.model.background import Database
from lca.model.exchanges import DISTANCE_PARAMETER, NEGATIVE_KINDS, STAGES
from lca.model.system import build_system
from lca.web.controls import Control, controls_for, yaml_value
from lca.web.figures import Compiled, figures

CACHE_SIZE = 64  # compiled structures kept per workbench (room for every single choice of one file)
MC_SAMPLES = 10_000
MC_SEED = 0
_TMP_NAME = re.compile(r"/\S*vlca-serve-[^/\s]*/tmp[^\s:]*\.yaml")


class WhatIfError(Exception):
    """Bad what-if values: ``errors`` maps a key path ("" for the what-if as a whole) to a
    message for the user."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass
class Entry:
    """One input of the catalogue: a file, loaded lazily, and its controls."""

    key: str  # the label the page uses (a path relative to the working folder where possible)
    path: Path
    kind: str  # inventory or scenario
    loaded: LoadedInput | None = None
    controls: dict[str, Control] | None = None


def _is_plain(path: Path) -> str | None:
    """'inventory' or 'scenario' for a file the workbench can open (no variants), else None."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    if "scenario" in data:
        return None if data.get("variants") else "scenario"
    return "inventory" if "vehicle" in data else None


def _label(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _expand(files: list[Path]) -> list[Path]:
    out: list[Path] = []
    for f in files:
        out.extend(sorted(f.glob("*.yaml")) if f.is_dir() else [f])
    return out


class Workbench:
    """Catalogue, caches and evaluation (thread-safe: one lock around the caches)."""

    def __init__(self, files: list[Path], db: Database) -> None:
        self.db = db
        self.entries: dict[str, Entry] = {}
        for f in _expand(files):
            kind = _is_plain(f)
            if kind:
                key = _label(f)
                self.entries[key] = Entry(key, f.resolve(), kind)
        if not self.entries:
            raise InputError("no inventory or scenario file to open (variant grids are not)")
        self._cache: OrderedDict[tuple, Compiled] = OrderedDict()
        self._mc_cache: OrderedDict[tuple, mc.Model] = OrderedDict()
        self._lock = threading.RLock()
        self._tmp = tempfile.TemporaryDirectory(prefix="vlca-serve-")

    # -- catalogue -----------------------------------------------------------------------
    def entry(self, key: str) -> Entry:
        if key not in self.entries:
            raise WhatIfError({"": f"{key[:200]!r} is not one of the files this server opened"})
        e = self.entries[key]
        with self._lock:
            if e.loaded is None:
                e.loaded = load_input(e.path)
                e.controls = {c.path: c for c in controls_for(e.loaded, self.db)}
        return e

    def default_pair(self) -> tuple[str, str]:
        """(scenario, reference): the EU electric default and the petrol reference if present."""
        keys = list(self.entries)
        scen = next((k for k in keys if k.endswith("compact-suv-bev-eu.yaml")), keys[0])
        ref = next((k for k in keys if k.endswith("scenarios/compact-suv-petrol.yaml")), None)
        ref = ref or next((k for k in keys if "petrol" in k), keys[-1])
        return scen, ref

    # -- what-ifs ------------------------------------------------------------------------
    def check_values(self, e: Entry, overrides: dict[str, Any]) -> dict[str, Any]:
        """The what-if with each value checked against its control (a number or an option)."""
        assert e.controls is not None
        errors: dict[str, str] = {}
        clean: dict[str, Any] = {}
        for path, value in overrides.items():
            c = e.controls.get(path)
            if c is None:
                errors[str(path)[:200]] = "not a control of this file"
                continue
            if c.kind == "choice":
                if not isinstance(value, str) or value not in c.options:
                    errors[path] = f"choose one of: {', '.join(c.options)}"
                    continue
            elif (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
            ):
                errors[path] = f"a number in {c.unit or 'no unit'} is needed"
                continue
            if value != c.value:
                clean[path] = value
        if errors:
            raise WhatIfError(errors)
        return clean

    def scenario_yaml(self, key: str, overrides: dict[str, Any], name: str | None = None) -> str:
        """A scenario file holding exactly ``overrides`` over the file ``key`` (absolute path)."""
        e = self.entry(key)
        assert e.loaded is not None and e.controls is not None
        clean = self.check_values(e, overrides)
        ref = "base" if e.kind == "inventory" else "extends"
        doc = {
            "scenario": {
                "name": name or f"{e.loaded.name}-what-if",
                "description": f"What-if over {e.key} made in the vlca serve workbench",
                ref: e.path.as_posix(),
            },
            "overrides": {p: yaml_value(e.controls[p], v) for p, v in clean.items()},
        }
        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)

    def _load(self, key: str, structural: dict[str, Any]) -> LoadedInput:
        """The input with the structural overrides, through the CLI's loader."""
        e = self.entry(key)
        if not structural:
            assert e.loaded is not None
            return e.loaded
        text = self.scenario_yaml(key, structural)
        with tempfile.NamedTemporaryFile(
            "w", suffix=".yaml", dir=self._tmp.name, delete=False, encoding="utf-8"
        ) as fh:
            fh.write(text)
        try:
            return load_input(fh.name)
        finally:
            Path(fh.name).unlink(missing_ok=True)

    def compiled(self, key: str, structural: dict[str, Any]) -> Compiled:
        """Build, check (bw2calc) and compile the structure, once per distinct structure."""
        e = self.entry(key)
        assert e.controls is not None
        ck = (key, tuple(sorted((p, repr(v)) for p, v in structural.items())))
        with self._lock:
            if ck in self._cache:
                self._cache.move_to_end(ck)
                return self._cache[ck]
            try:
                loaded = self._load(key, structural)
                system = build_system(loaded, self.db, None)
                calculate(system)
            except (InputError, CalculationError) as exc:
                raise WhatIfError(_locate(exc, structural)) from None
            params = [c.parameter for c in e.controls.values() if c.parameter]
            params = [p for p in params if p in system.parameter_values]
            model = mc.compile_model(system, loaded.sources.error, params, uncertain=False)
            varying = set(model.varying)
            check = np.array(
                [
                    i
                    for i, ex in enumerate(system.exchanges)
                    if not ex.credit and ex.kind not in NEGATIVE_KINDS and i in varying
                ],
                dtype=np.int64,
            )
            out = Compiled(
                model, tuple(ex.label for ex in system.exchanges), check, frozenset(params)
            )
            self._cache[ck] = out
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            return out

    def warm(self, key: str) -> int:
        """Compile each single-choice alternative of ``key`` (every other grid, cell-plant
        supply, chemistry and recycling approach), so that the first move of such a control from
        the file as loaded is a cache hit. Returns how many were compiled; an alternative the
        model refuses is skipped (the page reports it when it is chosen)."""
        e = self.entry(key)
        assert e.controls is not None
        done = 0
        for c in list(e.controls.values()):
            if c.kind != "choice":
                continue
            for option in c.options:
                if option == c.value:
                    continue
                try:
                    self.compiled(key, {c.path: option})
                except WhatIfError:
                    continue
                done += 1
        return done

    def split(self, key: str, clean: dict[str, Any]) -> tuple[dict, dict[str, float]]:
        """(structural overrides, parameter overrides as SI magnitudes)."""
        e = self.entry(key)
        assert e.controls is not None
        structural, params = {}, {}
        for p, v in clean.items():
            c = e.controls[p]
            if c.kind == "parameter" and c.parameter:
                params[c.parameter] = float(v) * c.si_factor
            else:
                structural[p] = v
        return structural, params

    def evaluate(self, key: str, overrides: dict[str, Any]) -> dict[str, Any]:
        """Deterministic figures of a what-if (raises WhatIfError, changing nothing)."""
        e = self.entry(key)
        clean = self.check_values(e, overrides)
        structural, params = self.split(key, clean)
        comp = self.compiled(key, structural)
        x = deterministic_row(comp.model.inputs)
        ov = {k: np.array([v]) for k, v in params.items()}
        if _flagged(comp, x, ov):
            # the run the CLI would do gives the error (or, should it pass, the figures agree)
            self._full_check(key, clean)
        out = mc.evaluate(comp.model, x, ov)
        amounts = mc.amounts(comp.model, x, ov)[:, 0]
        contrib = amounts * comp.model.u_det[comp.model.ex_record]
        return figures(comp, out, contrib)

    def _full_check(self, key: str, clean: dict[str, Any]) -> None:
        try:
            loaded = self._load(key, clean)
            calculate(build_system(loaded, self.db, None))
        except (InputError, CalculationError) as exc:
            raise WhatIfError(_locate(exc, clean)) from None

    def uncertain_model(self, key: str, structural: dict[str, Any]) -> mc.Model:
        e = self.entry(key)
        assert e.controls is not None
        ck = (key, tuple(sorted((p, repr(v)) for p, v in structural.items())))
        with self._lock:
            if ck not in self._mc_cache:
                loaded = self._load(key, structural)
                system = build_system(loaded, self.db, None)
                params = [c.parameter for c in e.controls.values() if c.parameter]
                params = [p for p in params if p in system.parameter_values]
                self._mc_cache[ck] = mc.compile_model(system, loaded.sources.error, params)
                while len(self._mc_cache) > CACHE_SIZE // 4:
                    self._mc_cache.popitem(last=False)
            return self._mc_cache[ck]

    def monte_carlo(self, key: str, overrides: dict[str, Any], n: int = MC_SAMPLES) -> dict:
        """Percentiles of g CO2e/km over ``n`` samples; the parameters the what-if sets are
        held at the set values, every other uncertain input is sampled (seed 0)."""
        e = self.entry(key)
        clean = self.check_values(e, overrides)
        structural, params = self.split(key, clean)
        self.compiled(key, structural)  # errors of the structure, as for an update
        model = self.uncertain_model(key, structural)
        x = draw(model.inputs, MC_SEED, 0, n)
        ov = {k: np.full(n, v) for k, v in params.items()}
        out = mc.evaluate(model, x, ov)
        per_km = out.per_km
        q = np.percentile(per_km, [2.5, 5, 50, 95, 97.5])
        return {
            "samples": n,
            "per_km": dict(zip(("p2_5", "p5", "p50", "p95", "p97_5"), map(float, q), strict=True)),
            "total_t": [float(v) for v in np.percentile(out.total, [2.5, 50, 97.5]) / 1000],
            "values": per_km,  # for paired comparisons by the caller; not sent as is
            "lines": line_parts(out.stages, model.stages, out.distance_km),  # idem
        }

    def tornado(self, key: str, overrides: dict[str, Any]) -> list[dict[str, Any]]:
        """g CO2e/km with each slider parameter at the low and the high end of its range (the
        others as in the what-if), largest swing first."""
        e = self.entry(key)
        assert e.controls is not None
        clean = self.check_values(e, overrides)
        structural, params = self.split(key, clean)
        comp = self.compiled(key, structural)
        x = deterministic_row(comp.model.inputs)
        base = mc.evaluate(comp.model, x, {k: np.array([v]) for k, v in params.items()})
        base_km = float(base.per_km[0])
        rows = []
        for c in e.controls.values():
            if c.kind != "parameter" or c.parameter not in comp.parameters:
                continue
            ends = []
            for v in (c.low, c.high):
                ov = {k: np.array([s]) for k, s in params.items()}
                ov[c.parameter] = np.array([float(v) * c.si_factor])
                if _flagged(comp, x, ov):
                    ends.append(None)
                    continue
                ends.append(float(mc.evaluate(comp.model, x, ov).per_km[0]))
            if None in ends:
                continue
            rows.append({"label": c.label, "path": c.path, "unit": c.unit, "low": c.low,
                         "high": c.high, "at_low": ends[0], "at_high": ends[1], "base": base_km})
        rows.sort(key=lambda r: -abs(r["at_high"] - r["at_low"]))
        return rows


def _flagged(comp: Compiled, x: np.ndarray, ov: dict[str, np.ndarray]) -> bool:
    """True where a single run would reject the values: a non-positive lifetime distance or a
    negative or non-finite exchange amount (the checks of the sweeps)."""
    model = comp.model
    values = mc.parameter_values(model, x, ov)
    life = float(np.asarray(values[DISTANCE_PARAMETER], dtype=np.float64).reshape(-1)[0])
    if not (life > 0.0 and math.isfinite(life)):
        return True
    with np.errstate(all="ignore"):
        for i in comp.check:
            a = mc._evaluate(model.ex_exprs[i], values, model.units) / model.ex_factor[i]
            a = float(np.asarray(a, dtype=np.float64).reshape(-1)[0])
            if not math.isfinite(a) or a < 0.0:
                return True
    return False


def _locate(exc: Exception, overrides: dict[str, Any]) -> dict[str, str]:
    """A user message keyed by the control it concerns ("" if none is named)."""
    msg = exc.message if isinstance(exc, InputError) else str(exc)
    path = getattr(exc, "path", None) or ()
    dotted = str(path[1]) if len(path) == 2 and path[0] == "overrides" else ""
    if not dotted and ".".join(map(str, path)) in overrides:  # an error at the overridden key
        dotted = ".".join(map(str, path))
    if not dotted:
        # an error located in the base names the parameter an override set ("x is set by")
        for p in overrides:
            name = p.split(".")[-1]
            if f"{name} is set by" in msg or f"'{p}'" in msg:
                dotted = p
                break
    return {dotted: _TMP_NAME.sub("the what-if", msg)}


__all__ = ["STAGES", "WhatIfError", "Workbench"]
