"""The on-disk cache of the parsed background: keyed by content, safe if stale or corrupt."""

from __future__ import annotations

import shutil

import pytest

from lca.model import background, background_cache
from lca.model.background import load_background

from .conftest import TINY_BACKGROUND


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("VLCA_CACHE_DIR", str(folder))
    monkeypatch.delenv("VLCA_NO_CACHE", raising=False)
    background._load_cached.cache_clear()
    yield folder
    background._load_cached.cache_clear()


def _copy(tmp_path):
    data = tmp_path / "bg"
    shutil.copytree(TINY_BACKGROUND, data)
    return data


def test_second_load_comes_from_the_cache(tmp_path, cache, monkeypatch):
    data = _copy(tmp_path)
    first = load_background(data)
    (entry,) = cache.glob("background-*.pickle")
    background._load_cached.cache_clear()
    monkeypatch.setattr(background, "_parse", lambda *a: pytest.fail("parsed again"))
    assert load_background(data) == first
    assert entry.exists()


def test_a_changed_file_is_a_new_key(tmp_path, cache):
    data = _copy(tmp_path)
    first = load_background(data)
    f = sorted(data.glob("*.yaml"))[0]
    f.write_text(f.read_text() + "\n# changed\n")
    background._load_cached.cache_clear()
    again = load_background(data)
    assert again.records == first.records  # same records; a new cache entry
    assert len(list(cache.glob("background-*.pickle"))) == 2


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", b"\x80\x04K\x01."])
def test_a_corrupt_cache_file_is_ignored_and_replaced(tmp_path, cache, garbage):
    data = _copy(tmp_path)
    first = load_background(data)
    (entry,) = cache.glob("background-*.pickle")
    entry.write_bytes(garbage)
    background._load_cached.cache_clear()
    assert load_background(data) == first
    k = background_cache.key(data, sorted(data.glob("*.yaml")))
    assert background_cache.read(k, background.Database) == first


def test_an_unwritable_cache_folder_is_not_an_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("VLCA_CACHE_DIR", str(blocker / "sub"))
    background._load_cached.cache_clear()
    assert load_background(_copy(tmp_path)).records
    background._load_cached.cache_clear()


def test_the_cache_can_be_turned_off(tmp_path, cache, monkeypatch):
    monkeypatch.setenv("VLCA_NO_CACHE", "1")
    load_background(_copy(tmp_path))
    assert not cache.exists()
