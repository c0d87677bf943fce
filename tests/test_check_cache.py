"""bw2calc's check remembered by the SHA-256 of the exact matrices: a hit needs no bw2calc, a
cold run (or VLCA_NO_CACHE=1) always runs it, a corrupt or stale entry is recomputed, and a
remembered check still fails when the numpy engine disagrees."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from lca.calc import check_cache, engine
from lca.errors import CalculationError
from lca.inputs.loader import load_input
from lca.model.system import build_system

from .conftest import ROOT, TINY_EV


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("VLCA_CACHE_DIR", str(folder))
    monkeypatch.delenv("VLCA_NO_CACHE", raising=False)
    return folder


@pytest.fixture
def system(tiny_db):
    return build_system(load_input(TINY_EV), tiny_db)


@pytest.fixture
def bw2calc_calls(monkeypatch):
    calls = []
    real = engine.bw2calc_scores

    def spy(ent, nodes):  # noqa: ANN001, ANN202
        calls.append(nodes)
        return real(ent, nodes)

    monkeypatch.setattr(engine, "bw2calc_scores", spy)
    return calls


def test_a_second_calculation_reuses_bw2calc_s_scores(cache, system, bw2calc_calls):
    first = engine.calculate(system)
    assert len(bw2calc_calls) == 1 and not first.check.cached
    assert first.check.describe().endswith("computed now")
    (entry,) = cache.glob("check-*.json")
    second = engine.calculate(system)
    assert len(bw2calc_calls) == 1  # not called again
    assert second.check.cached and second.check.sha256 == first.check.sha256
    text = second.check.describe()
    assert "result for identical matrices" in text and first.check.sha256 in text
    assert first.check.computed_utc in text
    assert second.total == first.total and second.credits == first.credits
    assert json.loads(entry.read_text())["key"] == first.check.sha256


def test_no_cache_always_runs_bw2calc(cache, system, bw2calc_calls, monkeypatch):
    engine.calculate(system)
    monkeypatch.setenv("VLCA_NO_CACHE", "1")
    again = engine.calculate(system)
    assert len(bw2calc_calls) == 2 and not again.check.cached


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x00\x01 not json",
        b'{"key": "another", "scores": [1.0, 2.0], "computed_utc": "2026-01-01T00:00:00"}',
        b"{}",
        None,  # the right key with one score too few
        b'{"key": "K", "scores": ["NaN", 1.0], "computed_utc": "2026-01-01T00:00:00"}',
    ],
)
def test_a_corrupt_or_stale_entry_is_recomputed(cache, system, bw2calc_calls, garbage):
    first = engine.calculate(system)
    (entry,) = cache.glob("check-*.json")
    if garbage is None:
        data = json.loads(entry.read_text())
        data["scores"] = data["scores"][:-1]
        entry.write_text(json.dumps(data))
    else:
        entry.write_bytes(garbage.replace(b'"K"', json.dumps(first.check.sha256).encode()))
    again = engine.calculate(system)
    assert len(bw2calc_calls) == 2 and not again.check.cached
    assert again.total == pytest.approx(first.total, rel=1e-12)
    assert json.loads(entry.read_text())["key"] == first.check.sha256  # replaced
    assert engine.calculate(system).check.cached


def test_a_cached_check_still_fails_when_the_numpy_engine_disagrees(cache, system, monkeypatch):
    engine.calculate(system)  # bw2calc's scores are now cached
    real = engine.solve_unit_scores

    def skewed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        us = real(*args, **kwargs)
        return engine.UnitScores(us.score * (1 + 1e-6), us.inventory, us.aircraft)

    monkeypatch.setattr(engine, "solve_unit_scores", skewed)
    monkeypatch.setattr(engine, "bw2calc_scores", _no_bw2calc)
    with pytest.raises(CalculationError, match="disagree on the total"):
        engine.calculate(system)


def _no_bw2calc(ent, nodes):  # noqa: ANN001, ANN202
    raise AssertionError("bw2calc was called on a cache hit")


def test_changed_data_misses_the_cache(cache, system, bw2calc_calls):
    engine.calculate(system)
    amounts = system.amounts.copy()
    amounts[0] *= 1 + 1e-12  # the smallest change of one exchange is another key
    changed = replace(system, amounts=amounts)
    calc = engine.calculate(changed)
    assert len(bw2calc_calls) == 2 and not calc.check.cached
    assert len(list(cache.glob("check-*.json"))) == 2


def test_a_poisoned_entry_for_the_same_matrices_is_caught(cache, system, monkeypatch):
    """A remembered score is compared with the numpy engine like a fresh one: an entry that
    lies (edited by hand, say) fails the check, it is not trusted."""
    first = engine.calculate(system)
    (entry,) = cache.glob("check-*.json")
    data = json.loads(entry.read_text())
    data["scores"][0] *= 1 + 1e-6
    entry.write_text(json.dumps(data))
    monkeypatch.setattr(engine, "bw2calc_scores", _no_bw2calc)
    with pytest.raises(CalculationError, match="disagree on the total"):
        engine.calculate(system)
    assert json.loads(entry.read_text())["key"] == first.check.sha256


def test_the_key_covers_every_array(system):
    from lca.calc.matrices import entries, registry_for

    ent = entries(system, registry_for(system))
    base = check_cache.key(ent, [1, 2])
    assert check_cache.key(ent, [1]) != base
    for name in ("tech_rows", "tech_cols", "tech_data", "bio_rows", "bio_data", "cf_data"):
        arr = getattr(ent, name).copy()
        arr[-1] = arr[-1] + 1
        assert check_cache.key(replace(ent, **{name: arr}), [1, 2]) != base, name
    flip = ent.tech_flip.copy()
    flip[0] = not flip[0]
    assert check_cache.key(replace(ent, tech_flip=flip), [1, 2]) != base


def test_the_result_states_how_the_check_was_done(tmp_path):
    """Cold: bw2calc computed now (and imported); warm: the remembered result for identical
    matrices, and neither bw2calc nor pandas nor scipy is imported."""
    script = (
        "import json, sys\n"
        "from lca.analysis.pipeline import run_file\n"
        f"r = run_file({str(ROOT / 'scenarios' / 'compact-suv-bev-eu.yaml')!r})\n"
        "heavy = [m for m in ('bw2calc', 'bw_processing', 'pandas', 'scipy', 'matplotlib')"
        " if m in sys.modules]\n"
        "print(json.dumps([r.provenance['check_computation'], heavy]))\n"
    )
    env = {"VLCA_CACHE_DIR": str(tmp_path / "c"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}

    def run() -> list:
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    cold_how, cold_heavy = run()
    assert cold_how.endswith("computed now") and "bw2calc" in cold_heavy
    warm_how, warm_heavy = run()
    assert "result for identical matrices, sha256 " in warm_how and "cached 20" in warm_how
    assert warm_heavy == []


def test_versions_come_from_package_metadata():
    v = check_cache.versions()
    assert v["numpy"] == np.__version__
    assert v["bw2calc"] and v["bw_processing"]


def test_old_entries_are_pruned(cache, system, monkeypatch):
    monkeypatch.setattr(check_cache, "MAX_ENTRIES", 2)
    cache.mkdir(parents=True)
    for i in range(3):
        old = cache / f"check-{i:040d}.json"
        old.write_text("{}")
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    calc = engine.calculate(system)
    left = sorted(p.name for p in cache.glob("check-*.json"))
    assert len(left) == 2
    assert (
        f"check-{calc.check.sha256[:40]}.json" in left
        and "check-" + "2".zfill(40) + ".json" in left
    )
