"""pint's registry from the cache folder: built once, then read; a stale, corrupt or
unwritable cache is no error (the registry is built from the definition files)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lca.model import units


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("VLCA_CACHE_DIR", str(folder))
    monkeypatch.delenv("VLCA_NO_CACHE", raising=False)
    return folder / units.PINT_CACHE


def _fresh():  # noqa: ANN202
    """A new registry (the module's own stays as it is: quantities of two registries do not mix)."""
    return units.registry.__wrapped__()


def _works(ureg) -> None:  # noqa: ANN001
    assert (ureg.Quantity(15.0, "kWh") / ureg.Quantity(100.0, "km")).to(
        "MJ/km"
    ).magnitude == pytest.approx(0.54)
    assert ureg.Quantity(2.0, "tkm").to("kg*km").magnitude == pytest.approx(2000.0)
    assert ureg.Quantity(3.0, "pcs").to("piece").magnitude == 3.0


def test_the_registry_is_cached_in_the_cache_folder(cache):
    _works(_fresh())
    entries = sorted(cache.glob("*.pickle"))
    assert entries
    stamps = [p.stat().st_mtime_ns for p in entries]
    _works(_fresh())  # read, not rewritten
    assert [p.stat().st_mtime_ns for p in sorted(cache.glob("*.pickle"))] == stamps


@pytest.mark.parametrize("garbage", [b"", b"\x80\x05 truncated", b"not a pickle at all"])
def test_a_corrupt_cache_is_rebuilt(cache, garbage):
    _fresh()
    for p in cache.glob("*.pickle"):
        p.write_bytes(garbage)
    _works(_fresh())
    _works(_fresh())  # and the rebuilt cache is sound again


def test_a_foreign_object_in_the_cache_is_rebuilt(cache):
    import pickle

    _fresh()
    for p in cache.glob("*.pickle"):
        p.write_bytes(pickle.dumps({"not": "a pint cache"}))
    _works(_fresh())


def test_an_unwritable_cache_folder_is_not_an_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("VLCA_CACHE_DIR", str(blocker / "sub"))
    _works(_fresh())


def test_no_cache_writes_nothing(cache, monkeypatch):
    monkeypatch.setenv("VLCA_NO_CACHE", "1")
    _works(_fresh())
    assert not cache.exists()


def test_pint_is_imported_without_its_optional_extras():
    code = (
        "import sys; import lca.model.system; import lca.calc.engine\n"
        "print(sorted(m for m in ('dask', 'babel', 'scipy', 'pandas') if m in sys.modules))\n"
        "import dask, babel, scipy  # still importable afterwards\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
